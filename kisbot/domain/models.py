"""Domain values: what kisbot knows about markets, accounts and orders, free of KIS field names.

Frozen, slotted dataclasses; money is `Decimal`, share quantities are `int`, times are aware.
`None` means "unknown", never zero and never NaN.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Final, NewType

__all__ = [
    "ACTIVE",
    "DONE",
    "Balance",
    "Bar",
    "BarPeriod",
    "BuyingPower",
    "Cash",
    "Country",
    "Instrument",
    "Market",
    "Order",
    "OrderAck",
    "OrderRequest",
    "OrderStatus",
    "OrderType",
    "Orderbook",
    "OrderbookLevel",
    "Position",
    "ProfitDay",
    "ProfitReport",
    "Quote",
    "Side",
    "Symbol",
    "TradingHours",
]

Symbol = NewType("Symbol", str)


class Country(StrEnum):
    KR = "KR"
    US = "US"
    JP = "JP"
    HK = "HK"
    CN = "CN"
    VN = "VN"


class Market(StrEnum):
    """Where an instrument trades (values are kisbot's own names)."""

    KRX = "KRX"
    NASDAQ = "NASDAQ"
    NYSE = "NYSE"
    AMEX = "AMEX"
    TOKYO = "TOKYO"
    HONG_KONG = "HONG_KONG"
    SHANGHAI = "SHANGHAI"
    SHENZHEN = "SHENZHEN"
    HANOI = "HANOI"
    HO_CHI_MINH = "HO_CHI_MINH"

    @property
    def country(self) -> Country:
        return _COUNTRY[self]

    @property
    def currency(self) -> str:
        return _CURRENCY[self.country]

    @property
    def domestic(self) -> bool:
        return self is Market.KRX


_COUNTRY: Final = {
    Market.KRX: Country.KR,
    Market.NASDAQ: Country.US,
    Market.NYSE: Country.US,
    Market.AMEX: Country.US,
    Market.TOKYO: Country.JP,
    Market.HONG_KONG: Country.HK,
    Market.SHANGHAI: Country.CN,
    Market.SHENZHEN: Country.CN,
    Market.HANOI: Country.VN,
    Market.HO_CHI_MINH: Country.VN,
}
_CURRENCY: Final = {
    Country.KR: "KRW",
    Country.US: "USD",
    Country.JP: "JPY",
    Country.HK: "HKD",
    Country.CN: "CNY",
    Country.VN: "VND",
}


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"


class OrderType(StrEnum):
    """Order conditions a KIS user can choose (the broker adapter maps them to codes)."""

    LIMIT = "limit"  # 지정가
    MARKET = "market"  # 시장가
    CONDITIONAL = "conditional"  # 조건부지정가
    BEST = "best"  # 최유리지정가
    PRIORITY = "priority"  # 최우선지정가
    PRE_MARKET = "pre_market"  # 장전 시간외
    AFTER_MARKET = "after_market"  # 장후 시간외
    AFTER_HOURS_SINGLE = "after_hours_single"  # 시간외 단일가
    IOC_LIMIT = "ioc_limit"
    FOK_LIMIT = "fok_limit"
    IOC_MARKET = "ioc_market"
    FOK_MARKET = "fok_market"
    IOC_BEST = "ioc_best"
    FOK_BEST = "fok_best"
    LOO = "loo"  # US: limit on open
    LOC = "loc"  # US: limit on close
    MOO = "moo"  # US: market on open
    MOC = "moc"  # US: market on close

    @property
    def priced(self) -> bool:
        """Whether the order carries a price the user chose."""
        return self in _PRICED


_PRICED: Final = frozenset(
    {
        OrderType.LIMIT,
        OrderType.CONDITIONAL,
        OrderType.AFTER_HOURS_SINGLE,
        OrderType.IOC_LIMIT,
        OrderType.FOK_LIMIT,
        OrderType.LOO,
        OrderType.LOC,
    }
)


class OrderStatus(StrEnum):
    OPEN = "open"  # accepted, nothing filled yet
    PARTIAL = "partial"  # partly filled, the rest still working
    FILLED = "filled"
    CANCELLED = "cancelled"  # cancelled (possibly after partial fills)
    REPLACED = "replaced"  # its remainder moved to a modify order
    REJECTED = "rejected"


DONE: Final = frozenset(
    {OrderStatus.FILLED, OrderStatus.CANCELLED, OrderStatus.REPLACED, OrderStatus.REJECTED}
)
ACTIVE: Final = frozenset({OrderStatus.OPEN, OrderStatus.PARTIAL})


class BarPeriod(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"
    MINUTE = "minute"


@dataclass(frozen=True, slots=True)
class Instrument:
    """A tradable product: code or ticker, market and names."""

    symbol: Symbol
    market: Market
    name: str
    name_en: str = ""
    kind: str = ""  # "stock", "etf", … as far as known

    @property
    def currency(self) -> str:
        return self.market.currency


@dataclass(frozen=True, slots=True)
class Quote:
    """The current price of an instrument with its day and valuation figures."""

    instrument: Instrument
    price: Decimal
    change: Decimal
    change_rate: Decimal  # percent
    prev_close: Decimal
    open: Decimal | None = None
    high: Decimal | None = None
    low: Decimal | None = None
    volume: int | None = None
    turnover: Decimal | None = None
    upper_limit: Decimal | None = None
    lower_limit: Decimal | None = None
    tick: Decimal | None = None
    eps: Decimal | None = None
    bps: Decimal | None = None
    per: Decimal | None = None
    pbr: Decimal | None = None
    high_52w: Decimal | None = None
    high_52w_date: date | None = None
    low_52w: Decimal | None = None
    low_52w_date: date | None = None
    market_cap: Decimal | None = None  # in the instrument's currency
    halted: bool = False


@dataclass(frozen=True, slots=True)
class Bar:
    """One OHLCV bar; `start` is the period's first day (KST midnight or local) or minute."""

    start: datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: int
    turnover: Decimal | None = None


@dataclass(frozen=True, slots=True)
class OrderbookLevel:
    price: Decimal
    qty: int


@dataclass(frozen=True, slots=True)
class Orderbook:
    """Best first on both sides: `asks[0]` is the lowest ask, `bids[0]` the highest bid."""

    instrument: Instrument
    time: datetime | None
    asks: tuple[OrderbookLevel, ...]
    bids: tuple[OrderbookLevel, ...]
    total_ask_qty: int
    total_bid_qty: int


@dataclass(frozen=True, slots=True)
class TradingHours:
    """A market's regular session on one day, in the market's and in Korean time."""

    market: Market
    day: date
    open: datetime
    close: datetime
    trading_day: bool

    def is_open(self, now: datetime) -> bool:
        return self.trading_day and self.open <= now < self.close


@dataclass(frozen=True, slots=True)
class Cash:
    """Cash in one currency."""

    currency: str
    deposit: Decimal  # 예수금 now
    settled: Decimal  # after pending settlements (D+2 for KRW)
    orderable: Decimal  # what buy orders may use now


@dataclass(frozen=True, slots=True)
class Position:
    instrument: Instrument
    qty: int
    sellable_qty: int
    avg_price: Decimal
    cost: Decimal  # purchase amount
    price: Decimal  # current price
    value: Decimal  # evaluation
    pnl: Decimal
    pnl_rate: Decimal  # percent

    @property
    def currency(self) -> str:
        return self.instrument.currency


@dataclass(frozen=True, slots=True)
class Balance:
    """An integrated view of the account: cash per currency, positions, totals in KRW."""

    cash: tuple[Cash, ...]
    positions: tuple[Position, ...]
    total_value_krw: Decimal  # cash plus securities, KRW-converted
    securities_value_krw: Decimal
    pnl_krw: Decimal
    usd_krw: Decimal | None = None  # the exchange rate used, where known

    def cash_in(self, currency: str) -> Cash | None:
        return next((c for c in self.cash if c.currency == currency), None)


@dataclass(frozen=True, slots=True)
class ProfitDay:
    day: date
    currency: str
    buy_amount: Decimal
    sell_amount: Decimal
    realized: Decimal
    fees: Decimal
    tax: Decimal


@dataclass(frozen=True, slots=True)
class ProfitReport:
    start: date
    end: date
    days: tuple[ProfitDay, ...]
    realized: dict[str, Decimal] = field(default_factory=dict)  # per currency


@dataclass(frozen=True, slots=True)
class BuyingPower:
    instrument: Instrument
    price: Decimal
    cash: Decimal  # orderable cash in the instrument's currency
    max_qty: int


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """What a user asked to trade."""

    instrument: Instrument
    side: Side
    qty: int
    order_type: OrderType = OrderType.LIMIT
    price: Decimal | None = None  # required for priced types


@dataclass(frozen=True, slots=True)
class OrderAck:
    """The broker accepted an order (or a modify/cancel) and numbered it."""

    order_no: str
    branch: str
    time: datetime
    original_no: str = ""


@dataclass(frozen=True, slots=True)
class Order:
    """One order as the broker's ledger reports it."""

    order_no: str
    original_no: str
    branch: str
    instrument: Instrument
    side: Side
    qty: int
    price: Decimal | None
    filled_qty: int
    avg_fill_price: Decimal | None
    remaining_qty: int
    status: OrderStatus
    time: datetime
    order_type_name: str = ""
    cancelled: bool = False
    rejected_qty: int = 0

    @property
    def done(self) -> bool:
        return self.status in DONE
