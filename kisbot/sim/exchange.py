"""The simulated exchange: moving prices, a 10-level book, accounts, orders and matching.

It knows nothing of HTTP or KIS field names: `rest.py`, `ws.py` and `control.py` translate.
Money is `Decimal`; every rounding names its mode. Listeners receive `TickEvent`s and
`OrderEvent`s synchronously, in the order things happen.

Matching rules (documented in the README):
- a marketable order takes the opposite book level by level (at most 10 levels);
- a limit remainder rests at its price and fills when a later trade reaches it, at its own
  price, at most one level's depth per trade, so large orders fill over several ticks;
- a market remainder fills at the last price on later trades;
- IOC cancels what did not fill at once; FOK fills whole at once or cancels whole;
- buys reserve cash (limit price, or the upper limit for market orders) plus commission;
  sells reserve holdings.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Final, Literal

from kisbot.domain.money import krx_price_limits
from kisbot.sim.clock import SimClock
from kisbot.sim.config import AccountConfig, Env, SimSettings
from kisbot.sim.errors import Rejects
from kisbot.sim.history import (
    Bar,
    daily_history,
    is_trading_day,
    local_zone,
    minute_path,
    step_price,
    tick_of,
)
from kisbot.sim.universe import UNIVERSE, Instrument, find_instrument

__all__ = [
    "Account",
    "DayTotals",
    "Exchange",
    "Fill",
    "Holding",
    "OrderEvent",
    "OrderStatus",
    "PriceState",
    "Side",
    "SimOrder",
    "TickEvent",
]

KRW_UNIT: Final = Decimal(1)
USD_UNIT: Final = Decimal("0.01")
BOOK_LEVELS: Final = 10
BACKFILL_MINUTES: Final = 390


class Side(StrEnum):
    """SLL_BUY_DVSN_CD values."""

    SELL = "01"
    BUY = "02"


class OrderStatus(StrEnum):
    OPEN = "open"
    FILLED = "filled"
    CANCELLED = "cancelled"
    REPLACED = "replaced"  # its remainder moved to a modify order
    REJECTED = "rejected"
    DONE = "done"  # a cancel record: nothing to fill


class Pricing(StrEnum):
    """How an order is priced once it is in the book."""

    LIMIT = "limit"
    MARKET = "market"


# Domestic ORD_DVSN → (pricing, time-in-force, virtual allowed)
DOMESTIC_ORD_DVSN: Final[dict[str, tuple[Pricing, str, bool]]] = {
    "00": (Pricing.LIMIT, "", True),  # 지정가
    "01": (Pricing.MARKET, "", True),  # 시장가
    "02": (Pricing.LIMIT, "", True),  # 조건부지정가 (limit, then market at close: kept as limit)
    "03": (Pricing.LIMIT, "best", True),  # 최유리지정가: priced at the best opposite level
    "04": (Pricing.LIMIT, "priority", True),  # 최우선지정가: priced at the best same-side level
    "05": (Pricing.LIMIT, "last", False),  # 장전 시간외: at the previous close
    "06": (Pricing.LIMIT, "last", False),  # 장후 시간외: at the close
    "07": (Pricing.LIMIT, "", False),  # 시간외 단일가
    "11": (Pricing.LIMIT, "IOC", False),
    "12": (Pricing.LIMIT, "FOK", False),
    "13": (Pricing.MARKET, "IOC", False),
    "14": (Pricing.MARKET, "FOK", False),
    "15": (Pricing.LIMIT, "IOC-best", False),
    "16": (Pricing.LIMIT, "FOK-best", False),
}
DOMESTIC_ORD_DVSN_NAMES: Final[dict[str, str]] = {
    "00": "지정가",
    "01": "시장가",
    "02": "조건부지정가",
    "03": "최유리지정가",
    "04": "최우선지정가",
    "05": "장전시간외",
    "06": "장후시간외",
    "07": "시간외단일가",
    "11": "IOC지정가",
    "12": "FOK지정가",
    "13": "IOC시장가",
    "14": "FOK시장가",
    "15": "IOC최유리",
    "16": "FOK최유리",
}
# Overseas ORD_DVSN allowed per side (virtual: 00 only)
OVERSEAS_ORD_DVSN: Final[dict[Side, dict[str, Pricing]]] = {
    Side.BUY: {"00": Pricing.LIMIT, "32": Pricing.LIMIT, "34": Pricing.LIMIT},
    Side.SELL: {
        "00": Pricing.LIMIT,
        "31": Pricing.MARKET,
        "32": Pricing.LIMIT,
        "33": Pricing.MARKET,
        "34": Pricing.LIMIT,
    },
}


@dataclass(slots=True)
class PriceState:
    """Today's live state of one instrument."""

    inst: Instrument
    prev_close: Decimal
    open: Decimal
    high: Decimal
    low: Decimal
    last: Decimal
    upper: Decimal
    lower: Decimal
    volume: int = 0
    turnover: Decimal = Decimal(0)
    last_qty: int = 0
    last_time: datetime | None = None
    seq: int = 0
    buy_count: int = 0
    sell_count: int = 0
    buy_volume: int = 0
    sell_volume: int = 0
    high_time: datetime | None = None
    low_time: datetime | None = None
    minutes: list[Bar] = field(default_factory=list)
    prev_volume: int = 0
    halted: bool = False

    @property
    def tick(self) -> Decimal:
        return tick_of(self.inst, self.last)

    @property
    def change(self) -> Decimal:
        return self.last - self.prev_close

    @property
    def change_rate(self) -> Decimal:
        if not self.prev_close:
            return Decimal(0)
        return (self.change / self.prev_close * 100).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )

    @property
    def sign(self) -> str:
        """KIS sign code: 1 limit up, 2 up, 3 flat, 4 limit down, 5 down."""
        if self.inst.domestic and self.last >= self.upper:
            return "1"
        if self.inst.domestic and self.last <= self.lower:
            return "4"
        if self.last > self.prev_close:
            return "2"
        if self.last < self.prev_close:
            return "5"
        return "3"

    @property
    def vwap(self) -> Decimal:
        if not self.volume:
            return self.last
        return (self.turnover / self.volume).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class BookLevel:
    price: Decimal
    qty: int


@dataclass(frozen=True, slots=True)
class Book:
    """Ten ask levels (ask[0] best = lowest) and ten bid levels (bid[0] best = highest)."""

    asks: tuple[BookLevel, ...]
    bids: tuple[BookLevel, ...]
    time: datetime


@dataclass(slots=True)
class Fill:
    qty: int
    price: Decimal
    time: datetime
    fee: Decimal
    tax: Decimal


@dataclass(slots=True)
class SimOrder:
    """One order record, as the broker's order ledger keeps it."""

    odno: str
    branch: str
    env: Env
    account_key: tuple[Env, str, str]
    appkey: str
    inst: Instrument
    side: Side
    ord_dvsn: str
    pricing: Pricing
    tif: str
    qty: int
    price: Decimal
    created: datetime
    kind: Literal["new", "modify", "cancel"] = "new"
    original_odno: str = ""
    status: OrderStatus = OrderStatus.OPEN
    fills: list[Fill] = field(default_factory=list)
    cancelled_qty: int = 0
    rejected_qty: int = 0
    reserved_cash: Decimal = Decimal(0)
    exchange_code: str = "KRX"

    @property
    def filled_qty(self) -> int:
        return sum(f.qty for f in self.fills)

    @property
    def filled_amount(self) -> Decimal:
        return sum((f.price * f.qty for f in self.fills), Decimal(0))

    @property
    def avg_price(self) -> Decimal:
        qty = self.filled_qty
        if not qty:
            return Decimal(0)
        unit = KRW_UNIT if self.inst.domestic else Decimal("0.0001")
        return (self.filled_amount / qty).quantize(unit, rounding=ROUND_HALF_UP)

    @property
    def remaining(self) -> int:
        if self.status is not OrderStatus.OPEN:
            return 0
        return self.qty - self.filled_qty

    @property
    def order_date(self) -> date:
        return self.created.date()


@dataclass(slots=True)
class Holding:
    qty: int = 0
    cost: Decimal = Decimal(0)  # purchase amount of the shares held (no fees)
    prev_qty: int = 0
    today_buy: int = 0
    today_sell: int = 0

    @property
    def avg_price(self) -> Decimal:
        if not self.qty:
            return Decimal(0)
        return (self.cost / self.qty).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@dataclass(slots=True)
class DayTotals:
    """One trading day's sums for period profit."""

    buy_amt: Decimal = Decimal(0)
    sell_amt: Decimal = Decimal(0)
    buy_qty: int = 0
    sell_qty: int = 0
    fee: Decimal = Decimal(0)
    tax: Decimal = Decimal(0)
    realized: Decimal = Decimal(0)
    sold_cost: Decimal = Decimal(0)
    buy_fee: Decimal = Decimal(0)
    sell_fee: Decimal = Decimal(0)

    def add_buy(self, qty: int, amount: Decimal, fee: Decimal, tax: Decimal) -> None:
        self.buy_qty += qty
        self.buy_amt += amount
        self.buy_fee += fee
        self.fee += fee
        self.tax += tax

    def add_sell(
        self, qty: int, amount: Decimal, fee: Decimal, tax: Decimal, cost: Decimal
    ) -> None:
        self.sell_qty += qty
        self.sell_amt += amount
        self.sell_fee += fee
        self.fee += fee
        self.tax += tax
        self.sold_cost += cost
        self.realized += amount - cost - fee - tax


@dataclass(slots=True)
class Account:
    """A brokerage account: KRW with D+2 settlement figures, USD settled at once, holdings."""

    env: Env
    cano: str
    product: str
    name: str
    hts_id: str
    krw_deposit: Decimal  # 예수금 at the start of the business day
    usd_cash: Decimal
    business_day: date
    krw_today_buy: Decimal = Decimal(0)
    krw_today_sell: Decimal = Decimal(0)
    krw_today_fees: Decimal = Decimal(0)
    krw_prev_buy: Decimal = Decimal(0)
    krw_prev_sell: Decimal = Decimal(0)
    krw_prev_fees: Decimal = Decimal(0)
    holdings: dict[str, Holding] = field(default_factory=dict)
    days: dict[tuple[date, str], DayTotals] = field(default_factory=dict)
    # the same sums per (date, symbol), for per-stock period profit
    symbol_days: dict[tuple[date, str], DayTotals] = field(default_factory=dict)
    usd_today_buy: Decimal = Decimal(0)
    usd_today_sell: Decimal = Decimal(0)
    usd_realized: Decimal = Decimal(0)

    @property
    def key(self) -> tuple[Env, str, str]:
        return (self.env, self.cano, self.product)

    @property
    def krw_settled(self) -> Decimal:
        """Cash once today's trades settle (D+2 정산금액)."""
        return self.krw_deposit + self.krw_today_sell - self.krw_today_buy - self.krw_today_fees

    def holding(self, symbol: str) -> Holding:
        return self.holdings.setdefault(symbol, Holding())


@dataclass(frozen=True, slots=True)
class TickEvent:
    """A trade printed on the tape (and the book moved with it)."""

    state: PriceState
    qty: int
    time: datetime
    side: Side  # the aggressor: BUY when the trade lifted the ask


@dataclass(frozen=True, slots=True)
class OrderEvent:
    """Something happened to an order: what an execution notice reports."""

    kind: Literal["accepted", "filled", "modified", "cancelled", "rejected"]
    order: SimOrder
    account: Account
    time: datetime
    fill: Fill | None = None


Listener = Callable[[TickEvent | OrderEvent], None]

_MASK64 = (1 << 64) - 1


def _splitmix(x: int) -> int:
    """One step of splitmix64: a cheap, well-mixed, deterministic pseudo-random integer."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def _symbol_salt(symbol: str) -> int:
    return zlib.crc32(symbol.encode()) << 32


class Exchange:
    """Prices, books, accounts and orders for every instrument of the universe."""

    def __init__(self, settings: SimSettings, clock: SimClock | None = None) -> None:
        self.settings = settings
        self.clock = clock or SimClock()
        self.listeners: list[Listener] = []
        self._rng = random.Random(f"{settings.seed}:walk")
        self._states: dict[str, PriceState] = {}
        self._consumed: dict[tuple[str, Decimal], int] = {}
        self._consumed_version = 0
        self._books: dict[str, tuple[tuple[int, int], Book]] = {}
        self._accounts: dict[tuple[Env, str, str], Account] = {}
        self._orders: dict[tuple[Env, str], SimOrder] = {}
        self._order_seq = {"real": 0, "virtual": 0}
        self.walk_paused = not settings.walk
        self.market_hours: Literal["always", "real"] = settings.market_hours
        # each instrument's history ends at its own local date (New York lags Seoul)
        started = self.clock.now()
        self._history_end = {
            inst.symbol: started.astimezone(local_zone(inst)).date() for inst in UNIVERSE
        }
        for inst in UNIVERSE:
            self._states[inst.symbol] = self._open_day(inst)
        for acct in settings.accounts:
            self._open_account(acct.env, acct.cano, acct.product, acct)

    # ----------------------------------------------------------------- instruments and prices

    def instrument(self, symbol: str) -> Instrument | None:
        return find_instrument(symbol)

    def state(self, symbol: str) -> PriceState:
        inst = find_instrument(symbol)
        if inst is None:
            raise KeyError(symbol)
        return self._states[inst.symbol]

    def daily_bars(self, symbol: str) -> tuple[Bar, ...]:
        """Completed daily bars (oldest first), then today's bar as it stands."""
        state = self.state(symbol)
        history = daily_history(
            self.settings.seed,
            state.inst,
            self._history_end[state.inst.symbol],
            self.settings.history_years,
        )
        return (*history, self.today_bar(state))

    def today_bar(self, state: PriceState) -> Bar:
        now = self.clock.now().astimezone(local_zone(state.inst))
        start = datetime(now.year, now.month, now.day, tzinfo=local_zone(state.inst))
        return Bar(
            start, state.open, state.high, state.low, state.last, state.volume, state.turnover
        )

    def book(self, symbol: str) -> Book:
        """The 10-level book around the last price: bid1 = last, ask1 = one tick up.

        Depths are a deterministic function of (seed, symbol, trade sequence), less what this
        trade's incoming orders already took; the book is cached until either changes.
        """
        state = self.state(symbol)
        inst = state.inst
        key = (state.seq, self._consumed_version)
        cached = self._books.get(inst.symbol)
        if cached is not None and cached[0] == key:
            return cached[1]
        unit = self._depth_unit(state)
        mix = _splitmix(self.settings.seed ^ _symbol_salt(inst.symbol) ^ (state.seq << 20))
        asks: list[BookLevel] = []
        bids: list[BookLevel] = []
        for side, levels, price in (
            (1, asks, step_price(inst, state.last, 1)),
            (-1, bids, state.last),
        ):
            for _ in range(BOOK_LEVELS):
                mix = _splitmix(mix)
                qty = max(1, unit * (40 + mix % 141) // 100)  # 0.4 .. 1.8 depth units
                qty -= self._consumed.get((inst.symbol, price), 0)
                beyond = price > state.upper if side > 0 else price < state.lower
                levels.append(BookLevel(price, 0 if inst.domestic and beyond else max(0, qty)))
                price = step_price(inst, price, side)
        book = Book(tuple(asks), tuple(bids), state.last_time or self.clock.now())
        self._books[inst.symbol] = (key, book)
        return book

    def _depth_unit(self, state: PriceState) -> int:
        notional = Decimal(30_000_000) if state.inst.domestic else Decimal(150_000)
        return max(1, int(notional / state.last))

    def _open_day(self, inst: Instrument) -> PriceState:
        seed = self.settings.seed
        end = self._history_end[inst.symbol]
        history = daily_history(seed, inst, end, self.settings.history_years)
        prev = history[-1]
        prev_close = prev.close
        if inst.domestic:
            upper, lower = krx_price_limits(prev_close, etf=inst.etf)
        else:
            # US has no daily limit; KIS still shows ±30% bands (on the cent) for provisioning
            upper = (prev_close * Decimal("1.3")).quantize(USD_UNIT, rounding=ROUND_DOWN)
            lower = (prev_close * Decimal("0.7")).quantize(USD_UNIT, rounding=ROUND_CEILING)
        zone = local_zone(inst)
        now = self.clock.now().astimezone(zone).replace(second=0, microsecond=0)
        midnight = now.replace(hour=0, minute=0)
        first = max(midnight, now - timedelta(minutes=BACKFILL_MINUTES))
        minutes = []
        t = first
        while t < now:
            minutes.append(t)
            t += timedelta(minutes=1)
        state = PriceState(
            inst=inst,
            prev_close=prev_close,
            open=prev_close,
            high=prev_close,
            low=prev_close,
            last=prev_close,
            upper=upper,
            lower=lower,
            prev_volume=prev.volume,
        )
        bars = list(minute_path(seed, inst, prev_close, minutes))
        for bar in bars:
            # keep the backfill inside the daily limits
            close = min(max(bar.close, lower), upper)
            high = min(max(bar.high, close), upper)
            low = max(min(bar.low, close), lower)
            fixed = Bar(
                bar.start,
                min(max(bar.open, lower), upper),
                high,
                low,
                close,
                bar.volume,
                bar.turnover,
            )
            state.minutes.append(fixed)
        if state.minutes:
            state.open = state.minutes[0].open
            state.high = max(b.high for b in state.minutes)
            state.low = min(b.low for b in state.minutes)
            state.last = state.minutes[-1].close
            state.volume = sum(b.volume for b in state.minutes)
            state.turnover = sum((b.turnover for b in state.minutes), Decimal(0))
            state.high_time = next(b.start for b in state.minutes if b.high == state.high)
            state.low_time = next(b.start for b in state.minutes if b.low == state.low)
            state.last_time = state.minutes[-1].start
        return state

    # ------------------------------------------------------------------------------ the walk

    def step(self, count: int = 1) -> int:
        """Advance the random walk `count` rounds; each round moves about a third of the
        instruments by -2..+2 ticks. Returns the number of trades printed."""
        printed = 0
        for _ in range(count):
            for inst in UNIVERSE:
                if self._rng.random() > 0.35:
                    continue
                state = self._states[inst.symbol]
                ticks = self._rng.choice((-2, -1, -1, 0, 0, 1, 1, 2))
                price = step_price(inst, state.last, ticks)
                qty = max(1, int(self._depth_unit(state) * self._rng.uniform(0.01, 0.3)))
                self.trade(inst.symbol, price, qty)
                printed += 1
        return printed

    def trade(self, symbol: str, price: Decimal, qty: int | None = None) -> PriceState:
        """Print a trade at `price` (clamped to the daily limits), then match resting orders."""
        state = self.state(symbol)
        inst = state.inst
        if inst.domestic:
            price = min(max(price, state.lower), state.upper)
        if price <= 0:
            raise ValueError("price must be positive")
        if qty is None:
            qty = max(1, int(self._depth_unit(state) * self._rng.uniform(0.01, 0.3)))
        now = self.clock.now()
        side = Side.BUY if price >= state.last else Side.SELL
        state.seq += 1
        state.last = price
        state.last_qty = qty
        state.last_time = now
        state.volume += qty
        state.turnover += price * qty
        if side is Side.BUY:
            state.buy_count += 1
            state.buy_volume += qty
        else:
            state.sell_count += 1
            state.sell_volume += qty
        if price > state.high:
            state.high, state.high_time = price, now
        if price < state.low:
            state.low, state.low_time = price, now
        self._update_minute(state, price, qty, now)
        if self._consumed:
            self._consumed = {k: v for k, v in self._consumed.items() if k[0] != inst.symbol}
        self._emit(TickEvent(state, qty, now, side))
        self._match_resting(state, qty)
        return state

    def _update_minute(self, state: PriceState, price: Decimal, qty: int, now: datetime) -> None:
        minute = now.astimezone(local_zone(state.inst)).replace(second=0, microsecond=0)
        bars = state.minutes
        if bars and bars[-1].start == minute:
            b = bars[-1]
            bars[-1] = Bar(
                minute,
                b.open,
                max(b.high, price),
                min(b.low, price),
                price,
                b.volume + qty,
                b.turnover + price * qty,
            )
        else:
            bars.append(Bar(minute, price, price, price, price, qty, price * qty))

    # ------------------------------------------------------------------------------ accounts

    def account(self, env: Env, cano: str, product: str) -> Account:
        """The account, opened and funded on first sight (unless accounts are pinned)."""
        key = (env, cano, product)
        found = self._accounts.get(key)
        if found is not None:
            self._roll_day(found)
            return found
        if self.settings.strict:
            raise Rejects.NO_ACCOUNT
        if not (cano.isdigit() and len(cano) == 8 and product.isdigit() and len(product) == 2):
            raise Rejects.NO_ACCOUNT
        return self._open_account(env, cano, product, None)

    def accounts(self) -> list[Account]:
        return list(self._accounts.values())

    def _open_account(
        self, env: Env, cano: str, product: str, config: AccountConfig | None
    ) -> Account:
        krw = config.krw if config and config.krw is not None else self.settings.initial_krw
        usd = config.usd if config and config.usd is not None else self.settings.initial_usd
        acct = Account(
            env=env,
            cano=cano,
            product=product,
            name="모의고객" if env == "virtual" else "홍길동",
            hts_id=(config.hts_id if config else ""),
            krw_deposit=krw,
            usd_cash=usd,
            business_day=self.clock.now().date(),
        )
        self._accounts[acct.key] = acct
        return acct

    def _roll_day(self, acct: Account) -> None:
        today = self.clock.now().date()
        if acct.business_day == today:
            return
        acct.krw_deposit = acct.krw_settled
        acct.krw_prev_buy, acct.krw_prev_sell = acct.krw_today_buy, acct.krw_today_sell
        acct.krw_prev_fees = acct.krw_today_fees
        acct.krw_today_buy = acct.krw_today_sell = acct.krw_today_fees = Decimal(0)
        acct.usd_today_buy = acct.usd_today_sell = Decimal(0)
        for h in acct.holdings.values():
            h.prev_qty, h.today_buy, h.today_sell = h.qty, 0, 0
        acct.business_day = today

    # -------------------------------------------------------------------------- cash helpers

    def _fee(self, inst: Instrument, amount: Decimal) -> Decimal:
        if inst.domestic:
            return (amount * self.settings.commission_krx).quantize(KRW_UNIT, rounding=ROUND_DOWN)
        return (amount * self.settings.commission_us).quantize(USD_UNIT, rounding=ROUND_DOWN)

    def _tax(self, inst: Instrument, side: Side, amount: Decimal) -> Decimal:
        if not inst.domestic or side is Side.BUY or inst.etf:
            return Decimal(0)
        return (amount * self.settings.tax_krx_sell).quantize(KRW_UNIT, rounding=ROUND_DOWN)

    def reserved_cash(self, acct: Account, domestic: bool) -> Decimal:
        """Cash held back for open buy orders."""
        total = Decimal(0)
        for order in self._orders.values():
            if (
                order.account_key == acct.key
                and order.side is Side.BUY
                and order.status is OrderStatus.OPEN
                and order.inst.domestic == domestic
            ):
                total += order.reserved_cash
        return total

    def reserved_qty(self, acct: Account, symbol: str) -> int:
        """Shares held back for open sell orders."""
        return sum(
            o.remaining
            for o in self._orders.values()
            if o.account_key == acct.key and o.side is Side.SELL and o.inst.symbol == symbol
        )

    def krw_available(self, acct: Account) -> Decimal:
        return acct.krw_settled - self.reserved_cash(acct, True)

    def usd_available(self, acct: Account) -> Decimal:
        return acct.usd_cash - self.reserved_cash(acct, False)

    def sellable(self, acct: Account, symbol: str) -> int:
        holding = acct.holdings.get(symbol)
        return (holding.qty if holding else 0) - self.reserved_qty(acct, symbol)

    def buy_reservation(self, inst: Instrument, price: Decimal, qty: int) -> Decimal:
        """Cash a buy of `qty` at `price` holds back: the amount plus its commission."""
        amount = price * qty
        return amount + self._fee(inst, amount)

    # ----------------------------------------------------------------------------- market hours

    def market_open(self, inst: Instrument) -> bool:
        if self.market_hours == "always":
            return True
        local = self.clock.now().astimezone(local_zone(inst))
        if not is_trading_day(inst.domestic, local.date()):
            return False
        if inst.domestic:
            return time(9, 0) <= local.time() < time(15, 30)
        return time(9, 30) <= local.time() < time(16, 0)

    # ---------------------------------------------------------------------------------- orders

    def orders(self, env: Env | None = None) -> list[SimOrder]:
        return [o for o in self._orders.values() if env is None or o.env == env]

    def account_orders(self, acct: Account) -> list[SimOrder]:
        return [o for o in self._orders.values() if o.account_key == acct.key]

    def order(self, env: Env, odno: str) -> SimOrder | None:
        return self._orders.get((env, odno.strip().zfill(10)))

    def _next_odno(self, env: Env) -> str:
        self._order_seq[env] += 1
        return str(self._order_seq[env] + (30_000 if env == "real" else 10_000)).zfill(10)

    def place_order(
        self,
        acct: Account,
        symbol: str,
        side: Side,
        ord_dvsn: str,
        qty: int,
        price: Decimal,
        *,
        appkey: str,
        exchange_code: str = "KRX",
    ) -> SimOrder:
        """Validate, reserve, accept and match a new order. Raises `SimReject` on refusal."""
        inst = find_instrument(symbol)
        if inst is None:
            raise Rejects.NO_SYMBOL
        state = self._states[inst.symbol]
        pricing, tif = self._classify(inst, acct.env, side, ord_dvsn)
        if qty <= 0:
            raise Rejects.BAD_QTY
        if not self.market_open(inst):
            raise Rejects.MARKET_CLOSED if inst.domestic else Rejects.OVERSEAS_CLOSED
        price = self._order_price(state, side, pricing, tif, ord_dvsn, price)
        reserve = Decimal(0)
        if side is Side.BUY:
            basis = price if pricing is Pricing.LIMIT else state.upper
            reserve = self.buy_reservation(inst, basis, qty)
            available = self.krw_available(acct) if inst.domestic else self.usd_available(acct)
            if reserve > available:
                raise Rejects.NO_CASH
        elif qty > self.sellable(acct, inst.symbol):
            raise Rejects.NO_QTY
        now = self.clock.now()
        order = SimOrder(
            odno=self._next_odno(acct.env),
            branch="00950" if acct.env == "virtual" else "91252",
            env=acct.env,
            account_key=acct.key,
            appkey=appkey,
            inst=inst,
            side=side,
            ord_dvsn=ord_dvsn,
            pricing=pricing,
            tif=tif,
            qty=qty,
            price=price if pricing is Pricing.LIMIT else Decimal(0),
            created=now,
            reserved_cash=reserve,
            exchange_code=exchange_code,
        )
        self._orders[(acct.env, order.odno)] = order
        self._emit(OrderEvent("accepted", order, acct, now))
        self._match_incoming(order, acct)
        return order

    def _classify(
        self, inst: Instrument, env: Env, side: Side, ord_dvsn: str
    ) -> tuple[Pricing, str]:
        if inst.domestic:
            spec = DOMESTIC_ORD_DVSN.get(ord_dvsn)
            if spec is None or (env == "virtual" and not spec[2]):
                raise Rejects.BAD_ORD_DVSN
            return spec[0], spec[1]
        allowed = OVERSEAS_ORD_DVSN[side]
        if ord_dvsn not in allowed or (env == "virtual" and ord_dvsn != "00"):
            raise Rejects.BAD_ORD_DVSN
        return allowed[ord_dvsn], ""

    def _order_price(
        self,
        state: PriceState,
        side: Side,
        pricing: Pricing,
        tif: str,
        ord_dvsn: str,
        price: Decimal,
    ) -> Decimal:
        inst = state.inst
        if pricing is Pricing.MARKET:
            return Decimal(0)
        if tif in ("best", "IOC-best", "FOK-best"):
            book = self.book(inst.symbol)
            return book.asks[0].price if side is Side.BUY else book.bids[0].price
        if tif == "priority":
            book = self.book(inst.symbol)
            return book.bids[0].price if side is Side.BUY else book.asks[0].price
        if tif == "last":
            return state.prev_close if ord_dvsn == "05" else state.last
        if price <= 0:
            raise Rejects.bad_field("ORD_UNPR")
        if inst.domestic:
            if price % tick_of(inst, price) != 0:
                raise Rejects.OFF_TICK
            if price > state.upper or price < state.lower:
                raise Rejects.OFF_LIMIT
        elif price != price.quantize(Decimal("0.0001"), rounding=ROUND_DOWN):
            raise Rejects.OFF_TICK
        return price

    def _match_incoming(self, order: SimOrder, acct: Account) -> None:
        book = self.book(order.inst.symbol)
        levels = book.asks if order.side is Side.BUY else book.bids
        takeable: list[BookLevel] = []
        for level in levels:
            if level.qty <= 0:
                continue
            if order.pricing is Pricing.LIMIT and (
                (order.side is Side.BUY and level.price > order.price)
                or (order.side is Side.SELL and level.price < order.price)
            ):
                break
            takeable.append(level)
        available = sum(level.qty for level in takeable)
        if order.tif.startswith("FOK") and available < order.qty:
            self._cancel_rest(order, acct)
            return
        for level in takeable:
            want = order.remaining
            if want <= 0:
                break
            qty = min(want, level.qty)
            key = (order.inst.symbol, level.price)
            self._consumed[key] = self._consumed.get(key, 0) + qty
            self._consumed_version += 1
            self._fill(order, acct, qty, level.price)
        if order.remaining and order.tif.startswith("IOC"):
            self._cancel_rest(order, acct)

    def _match_resting(self, state: PriceState, trade_qty: int) -> None:
        liquidity = max(trade_qty, self._depth_unit(state))
        for order in list(self._orders.values()):
            if order.inst is not state.inst or order.status is not OrderStatus.OPEN:
                continue
            if order.kind == "cancel":
                continue
            if order.pricing is Pricing.LIMIT:
                if order.side is Side.BUY and state.last > order.price:
                    continue
                if order.side is Side.SELL and state.last < order.price:
                    continue
                price = order.price
            else:
                price = state.last
            qty = min(order.remaining, liquidity)
            if qty <= 0:
                continue
            acct = self._accounts[order.account_key]
            self._fill(order, acct, qty, price)
            liquidity -= qty

    def _fill(self, order: SimOrder, acct: Account, qty: int, price: Decimal) -> None:
        inst = order.inst
        amount = price * qty
        fee = self._fee(inst, amount)
        tax = self._tax(inst, order.side, amount)
        now = self.clock.now()
        fill = Fill(qty, price, now, fee, tax)
        order.fills.append(fill)
        holding = acct.holding(inst.symbol)
        totals = (
            acct.days.setdefault((now.date(), inst.currency), DayTotals()),
            acct.symbol_days.setdefault((now.date(), inst.symbol), DayTotals()),
        )
        if order.side is Side.BUY:
            holding.qty += qty
            holding.cost += amount
            holding.today_buy += qty
            for day in totals:
                day.add_buy(qty, amount, fee, tax)
            if inst.domestic:
                acct.krw_today_buy += amount
            else:
                acct.usd_cash -= amount + fee
                acct.usd_today_buy += amount
            # release the reservation for what filled (the rest stays held)
            order.reserved_cash = (
                self.buy_reservation(inst, order.price, order.remaining)
                if order.pricing is Pricing.LIMIT and order.remaining
                else (
                    self.buy_reservation(inst, self._states[inst.symbol].upper, order.remaining)
                    if order.remaining
                    else Decimal(0)
                )
            )
        else:
            cost = (
                (holding.cost * qty / holding.qty).quantize(
                    Decimal("0.0001"), rounding=ROUND_HALF_UP
                )
                if holding.qty
                else Decimal(0)
            )
            holding.qty -= qty
            holding.cost -= cost
            if holding.qty == 0:
                holding.cost = Decimal(0)
            holding.today_sell += qty
            realized = amount - cost - fee - tax
            for day in totals:
                day.add_sell(qty, amount, fee, tax, cost)
            if inst.domestic:
                acct.krw_today_sell += amount
            else:
                acct.usd_cash += amount - fee
                acct.usd_today_sell += amount
                acct.usd_realized += realized
        if inst.domestic:
            acct.krw_today_fees += fee + tax
        if order.filled_qty >= order.qty:
            order.status = OrderStatus.FILLED
            order.reserved_cash = Decimal(0)
        self._emit(OrderEvent("filled", order, acct, now, fill))

    def _cancel_rest(self, order: SimOrder, acct: Account) -> None:
        order.cancelled_qty += order.remaining
        order.status = OrderStatus.CANCELLED
        order.reserved_cash = Decimal(0)
        self._emit(OrderEvent("cancelled", order, acct, self.clock.now()))

    def modify_order(
        self,
        acct: Account,
        odno: str,
        *,
        ord_dvsn: str,
        qty: int | None,
        price: Decimal,
        appkey: str,
    ) -> SimOrder:
        """Move the remainder (or `qty` of it) of an open order to a new price: a new order
        number linked to the original. `qty=None` means all that remains."""
        original = self._open_original(acct, odno)
        remaining = original.remaining
        qty = remaining if qty is None or qty == 0 else qty
        if qty < 0 or qty > remaining:
            raise Rejects.NOT_MODIFIABLE
        inst = original.inst
        state = self._states[inst.symbol]
        pricing, tif = self._classify(inst, acct.env, original.side, ord_dvsn or original.ord_dvsn)
        new_price = self._order_price(state, original.side, pricing, tif, ord_dvsn, price)
        reserve = Decimal(0)
        if original.side is Side.BUY:
            basis = new_price if pricing is Pricing.LIMIT else state.upper
            reserve = self.buy_reservation(inst, basis, qty)
            freed = original.reserved_cash * qty / remaining if remaining else Decimal(0)
            available = self.krw_available(acct) if inst.domestic else self.usd_available(acct)
            if reserve - freed > available:
                raise Rejects.NO_CASH
        now = self.clock.now()
        # the original keeps what filled; the modified part leaves it
        if qty == remaining:
            original.status = OrderStatus.REPLACED
            original.reserved_cash = Decimal(0)
        else:
            original.qty -= qty
            if original.side is Side.BUY:
                original.reserved_cash = self.buy_reservation(
                    inst,
                    original.price if original.pricing is Pricing.LIMIT else state.upper,
                    original.remaining,
                )
        order = SimOrder(
            odno=self._next_odno(acct.env),
            branch=original.branch,
            env=acct.env,
            account_key=acct.key,
            appkey=appkey,
            inst=inst,
            side=original.side,
            ord_dvsn=ord_dvsn or original.ord_dvsn,
            pricing=pricing,
            tif=tif,
            qty=qty,
            price=new_price if pricing is Pricing.LIMIT else Decimal(0),
            created=now,
            kind="modify",
            original_odno=original.odno,
            reserved_cash=reserve,
            exchange_code=original.exchange_code,
        )
        self._orders[(acct.env, order.odno)] = order
        self._emit(OrderEvent("modified", order, acct, now))
        self._match_incoming(order, acct)
        return order

    def cancel_order(self, acct: Account, odno: str, *, qty: int | None, appkey: str) -> SimOrder:
        """Cancel the remainder (or `qty` of it): a cancel record with a new order number."""
        original = self._open_original(acct, odno)
        remaining = original.remaining
        qty = remaining if qty is None or qty == 0 else qty
        if qty < 0 or qty > remaining:
            raise Rejects.NOT_MODIFIABLE
        now = self.clock.now()
        if qty == remaining:
            original.cancelled_qty += qty
            original.status = OrderStatus.CANCELLED
            original.reserved_cash = Decimal(0)
        else:
            original.qty -= qty
            original.cancelled_qty += qty
            if original.side is Side.BUY:
                state = self._states[original.inst.symbol]
                original.reserved_cash = self.buy_reservation(
                    original.inst,
                    original.price if original.pricing is Pricing.LIMIT else state.upper,
                    original.remaining,
                )
        record = SimOrder(
            odno=self._next_odno(acct.env),
            branch=original.branch,
            env=acct.env,
            account_key=acct.key,
            appkey=appkey,
            inst=original.inst,
            side=original.side,
            ord_dvsn=original.ord_dvsn,
            pricing=original.pricing,
            tif=original.tif,
            qty=qty,
            price=original.price,
            created=now,
            kind="cancel",
            original_odno=original.odno,
            status=OrderStatus.DONE,
            exchange_code=original.exchange_code,
        )
        self._orders[(acct.env, record.odno)] = record
        self._emit(OrderEvent("cancelled", record, acct, now))
        return record

    def reject_order(self, env: Env, odno: str) -> SimOrder:
        """The exchange refuses an open order after the broker accepted it (control API)."""
        order = self.order(env, odno)
        if order is None or order.status is not OrderStatus.OPEN:
            raise Rejects.NO_ORDER
        acct = self._accounts[order.account_key]
        order.rejected_qty = order.remaining
        order.status = OrderStatus.REJECTED
        order.reserved_cash = Decimal(0)
        self._emit(OrderEvent("rejected", order, acct, self.clock.now()))
        return order

    def _open_original(self, acct: Account, odno: str) -> SimOrder:
        original = self.order(acct.env, odno)
        if original is None or original.account_key != acct.key:
            raise Rejects.NO_ORDER
        if original.status is not OrderStatus.OPEN or original.kind == "cancel":
            raise Rejects.NOT_MODIFIABLE
        return original

    # ---------------------------------------------------------------------------------- events

    def _emit(self, event: TickEvent | OrderEvent) -> None:
        for listener in list(self.listeners):
            listener(event)
