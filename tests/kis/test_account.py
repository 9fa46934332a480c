"""Account reads (kisbot.kis.account) against the simulator, on virtual and real accounts.

Holdings and orders are arranged directly on the simulated exchange (what another terminal
would have done); expected figures come from the exchange's own state, and the limits of
buying power are checked by raw KIS requests, not by our client.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest
from pydantic import SecretStr

from kisbot.config import KisSettings
from kisbot.domain.errors import InputError
from kisbot.domain.models import Instrument, Market, OrderStatus, OrderType, Side, Symbol
from kisbot.domain.time import KST
from kisbot.kis.account import (
    fetch_balance,
    fetch_buying_power,
    fetch_orders,
    fetch_pending,
    fetch_profit,
    fetch_sellable,
)
from kisbot.kis.client import KisClient
from kisbot.kis.endpoints import endpoint
from kisbot.kis.errors import KisNoService
from kisbot.sim import exchange as ex
from kisbot.sim.app import Simulator
from kisbot.sim.universe import UNIVERSE
from tests.fakes import FakeClock
from tests.kis.conftest import SIM_URL, VTS_URL, Keys, SimControl, sim_client
from tests.kisraw import RawKis

Env = Literal["virtual", "real"]
CANO: dict[Env, str] = {"virtual": "50000000", "real": "60000000"}
SAMSUNG = Instrument(Symbol("005930"), Market.KRX, "삼성전자")
HYNIX = Instrument(Symbol("000660"), Market.KRX, "SK하이닉스")
APPLE = Instrument(Symbol("AAPL"), Market.NASDAQ, "애플")


@pytest.fixture
def clock(sim: Simulator) -> FakeClock:
    """Our clock starts where the simulator's is, so "today" is the same day on both sides."""
    return FakeClock(sim.clock.now(), on_sleep=sim.clock.advance)


@pytest.fixture(params=["virtual", "real"])
def env(request: pytest.FixtureRequest) -> Env:
    value: Env = request.param
    return value


@pytest.fixture
async def kis(
    sim: Simulator, env: Env, keys: Keys, tmp_path: Path, clock: FakeClock
) -> AsyncIterator[KisClient]:
    settings = KisSettings(
        env=env,
        app_key=SecretStr(keys.app_key),
        app_secret=SecretStr(keys.app_secret),
        account=f"{CANO[env]}-01",
        rest_url=VTS_URL if env == "virtual" else SIM_URL,
        token_dir=tmp_path / "tokens",
        rate_limit=1000,
    )
    async with (
        sim_client(sim, SIM_URL) as http,
        KisClient(http, settings, clock=clock) as client,
    ):
        yield client


@dataclass
class Desk:
    """Orders placed straight on the simulated exchange for the test's account."""

    sim: Simulator
    env: Env
    appkey: str

    @property
    def acct(self) -> ex.Account:
        return self.sim.exchange.account(self.env, CANO[self.env], "01")

    def _place(self, symbol: str, side: ex.Side, qty: int, price: Decimal | None) -> ex.SimOrder:
        domestic = len(symbol) == 6
        code = "KRX" if domestic else self.sim.exchange.state(symbol).inst.venue.value
        dvsn = "01" if price is None else "00"
        return self.sim.exchange.place_order(
            self.acct,
            symbol,
            side,
            dvsn,
            qty,
            price or Decimal(0),
            appkey=self.appkey,
            exchange_code=code,
        )

    def buy(self, symbol: str, qty: int) -> ex.SimOrder:
        """Filled at once: a market order (KRX) or a limit through the asks (US)."""
        book = self.sim.exchange.book(symbol)
        price = None if len(symbol) == 6 else book.asks[2].price
        order = self._place(symbol, ex.Side.BUY, qty, price)
        assert order.status is ex.OrderStatus.FILLED
        return order

    def sell(self, symbol: str, qty: int) -> ex.SimOrder:
        book = self.sim.exchange.book(symbol)
        price = None if len(symbol) == 6 else book.bids[2].price
        order = self._place(symbol, ex.Side.SELL, qty, price)
        assert order.status is ex.OrderStatus.FILLED
        return order

    def bid(self, symbol: str, qty: int, level: int = 3) -> ex.SimOrder:
        """A buy resting below the market."""
        return self._place(
            symbol, ex.Side.BUY, qty, self.sim.exchange.book(symbol).bids[level].price
        )

    def offer(self, symbol: str, qty: int, level: int = 5) -> ex.SimOrder:
        """A sell resting above the market."""
        return self._place(
            symbol, ex.Side.SELL, qty, self.sim.exchange.book(symbol).asks[level].price
        )


@pytest.fixture
def desk(sim: Simulator, env: Env, keys: Keys) -> Desk:
    return Desk(sim, env, keys.app_key)


def krw(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)


# -------------------------------------------------------------------------------- balance


async def test_balance_equals_the_account(kis: KisClient, desk: Desk, sim: Simulator) -> None:
    desk.buy("005930", 10)
    desk.buy("000660", 3)
    desk.buy("035420", 2)
    desk.sell("035420", 2)  # sold out today: KIS still lists it, with quantity 0
    desk.buy("AAPL", 5)
    desk.buy("CPNG", 7)
    desk.offer("005930", 4)  # holds 4 shares back from selling
    desk.bid("000660", 2)  # holds cash back from buying
    desk.bid("AAPL", 3)  # and dollars

    balance = await fetch_balance(kis)

    acct, exchange = desk.acct, sim.exchange
    rate = sim.settings.usd_krw
    won, usd = balance.cash_in("KRW"), balance.cash_in("USD")
    assert won is not None
    assert usd is not None
    assert (won.deposit, won.settled) == (acct.krw_deposit, acct.krw_settled)
    assert won.orderable == exchange.krw_available(acct) < won.settled
    assert usd.deposit == usd.settled == acct.usd_cash
    assert usd.orderable == exchange.usd_available(acct) < usd.deposit
    assert balance.usd_krw == rate

    held = {p.instrument.symbol: p for p in balance.positions}
    assert set(held) == {"005930", "000660", "AAPL", "CPNG"}
    for symbol, position in held.items():
        holding = acct.holdings[symbol]
        last = exchange.state(symbol).last
        assert (position.qty, position.avg_price) == (holding.qty, holding.avg_price)
        assert (position.price, position.value) == (last, last * holding.qty)
        assert position.pnl == position.value - position.cost
    assert held["005930"].sellable_qty == 6
    assert held["000660"].sellable_qty == 3
    assert (held["AAPL"].instrument.market, held["CPNG"].instrument.market) == (
        Market.NASDAQ,
        Market.NYSE,
    )
    assert held["AAPL"].instrument.currency == "USD"
    assert held["AAPL"].cost == acct.holdings["AAPL"].cost

    home = sum((p.value for p in held.values() if p.currency == "KRW"), Decimal(0))
    abroad = sum((p.value for p in held.values() if p.currency == "USD"), Decimal(0))
    assert balance.securities_value_krw == krw(home + abroad * rate)
    assert balance.total_value_krw == krw(acct.krw_settled + home + (acct.usd_cash + abroad) * rate)
    pnl = sum((p.pnl * (rate if p.currency == "USD" else 1) for p in held.values()), Decimal(0))
    assert balance.pnl_krw == krw(pnl)


@pytest.mark.parametrize("env", ["virtual"])
async def test_balance_reads_every_page(kis: KisClient, desk: Desk, control: SimControl) -> None:
    codes = [inst.symbol for inst in UNIVERSE if inst.domestic][:25]
    for code in codes:
        desk.buy(code, 1)
    balance = await fetch_balance(kis)
    assert sorted(p.instrument.symbol for p in balance.positions) == sorted(codes)
    assert await control.requests_by_tr("VTTC8434R") == 2  # 20 lines a page on 모의투자


# --------------------------------------------------------------------------------- orders


async def test_orders_show_new_modified_and_cancelled(
    kis: KisClient, desk: Desk, sim: Simulator
) -> None:
    exchange = sim.exchange
    filled = desk.buy("035420", 3)
    moved = desk.bid("005930", 10)
    modify = exchange.modify_order(
        desk.acct,
        moved.odno,
        ord_dvsn="00",
        qty=None,
        price=exchange.book("005930").bids[4].price,
        appkey=desk.appkey,
    )
    dropped = desk.bid("000660", 5)
    cancel = exchange.cancel_order(desk.acct, dropped.odno, qty=None, appkey=desk.appkey)
    ask = exchange.book("005930").asks[0]
    partial = desk._place("005930", ex.Side.BUY, ask.qty + 5, ask.price)
    refused = desk.bid("035720", 4)
    exchange.reject_order(desk.env, refused.odno)
    us_open = desk.bid("AAPL", 2)
    us_dropped = desk.bid("NVDA", 6)
    us_cancel = exchange.cancel_order(desk.acct, us_dropped.odno, qty=None, appkey=desk.appkey)

    orders = await fetch_orders(kis)

    numbers = [o.order_no for o in orders]
    assert numbers == sorted(numbers, reverse=True)  # newest first
    by_no = {o.order_no: o for o in orders}
    placed = (filled, moved, modify, dropped, cancel, partial, refused, us_open, us_dropped)
    assert set(by_no) == {o.odno for o in (*placed, us_cancel)}
    got = by_no[filled.odno]
    assert (got.status, got.filled_qty, got.remaining_qty) == (OrderStatus.FILLED, 3, 0)
    assert got.avg_fill_price == filled.avg_price
    assert got.side is Side.BUY
    assert got.instrument == Instrument(Symbol("035420"), Market.KRX, "NAVER")
    assert got.order_type_name == "시장가"
    assert got.time.tzinfo is not None
    assert got.time.astimezone(KST).date() == sim.clock.now().date()
    assert by_no[moved.odno].status is OrderStatus.REPLACED
    new = by_no[modify.odno]
    assert (new.status, new.original_no, new.price) == (OrderStatus.OPEN, moved.odno, modify.price)
    assert by_no[dropped.odno].status is OrderStatus.CANCELLED
    assert not by_no[dropped.odno].cancelled
    record = by_no[cancel.odno]
    assert (record.status, record.cancelled, record.original_no, record.qty) == (
        OrderStatus.CANCELLED,
        True,
        dropped.odno,
        5,
    )
    part = by_no[partial.odno]
    assert (part.status, part.filled_qty, part.remaining_qty) == (
        OrderStatus.PARTIAL,
        ask.qty,
        5,
    )
    assert by_no[refused.odno].status is OrderStatus.REJECTED
    assert by_no[refused.odno].rejected_qty == 4
    assert by_no[refused.odno].branch == refused.branch
    us = by_no[us_open.odno]
    assert (us.status, us.instrument.market, us.qty, us.price) == (
        OrderStatus.OPEN,
        Market.NASDAQ,
        2,
        us_open.price,
    )
    assert by_no[us_dropped.odno].status is OrderStatus.CANCELLED
    assert by_no[us_cancel.odno].cancelled
    assert by_no[us_cancel.odno].original_no == us_dropped.odno

    only_hynix = await fetch_orders(kis, symbol="000660")
    assert [o.order_no for o in only_hynix] == [cancel.odno, dropped.odno]
    working = await fetch_orders(kis, open_only=True)
    assert {o.order_no for o in working} == {modify.odno, partial.odno, us_open.odno}
    assert await fetch_orders(kis, side=Side.SELL) == []


@pytest.mark.parametrize("env", ["virtual"])
async def test_orders_older_than_three_months_come_from_the_long_range_tr(
    kis: KisClient, desk: Desk, sim: Simulator, control: SimControl
) -> None:
    days = 120
    sim.clock.advance(-days * 86_400)
    old = desk.buy("005930", 1)
    sim.clock.advance(days * 86_400)
    new = desk.buy("005930", 2)
    today = sim.clock.now().date()
    orders = await fetch_orders(kis, today - timedelta(days=days + 5), today, symbol="005930")
    assert [o.order_no for o in orders] == [new.odno, old.odno]
    assert orders[1].time.date() == today - timedelta(days=days)
    assert await control.requests_by_tr("VTSC9215R") == 1
    assert await control.requests_by_tr("VTTC0081R") == 1


async def test_orders_refuse_a_backwards_period(kis: KisClient, control: SimControl) -> None:
    with pytest.raises(InputError):
        await fetch_orders(kis, date(2026, 11, 24), date(2026, 11, 23))
    with pytest.raises(InputError):
        await fetch_profit(kis, date(2026, 11, 24), date(2026, 11, 23))
    assert (await control.http.get("/sim/stats")).json()["requests_by_tr"] == {}


# -------------------------------------------------------------------------------- pending


async def test_pending_lists_what_is_left_to_fill(
    kis: KisClient, desk: Desk, sim: Simulator, env: Env, control: SimControl
) -> None:
    desk.buy("005930", 10)
    waiting = desk.bid("000660", 5)
    selling = desk.offer("005930", 4)
    dropped = desk.bid("035720", 3)
    sim.exchange.cancel_order(desk.acct, dropped.odno, qty=None, appkey=desk.appkey)
    ask = sim.exchange.book("105560").asks[0]
    partial = desk._place("105560", ex.Side.BUY, ask.qty + 2, ask.price)
    us = desk.bid("AAPL", 3)

    pending = await fetch_pending(kis)

    assert [o.order_no for o in pending] == [us.odno, partial.odno, selling.odno, waiting.odno]
    by_no = {o.order_no: o for o in pending}
    assert (by_no[partial.odno].status, by_no[partial.odno].remaining_qty) == (
        OrderStatus.PARTIAL,
        2,
    )
    assert by_no[partial.odno].avg_fill_price == ask.price
    assert by_no[selling.odno].side is Side.SELL
    assert by_no[waiting.odno].price == waiting.price
    assert (by_no[us.odno].status, by_no[us.odno].remaining_qty) == (OrderStatus.OPEN, 3)
    if env == "real":
        assert await control.requests_by_tr("TTTC0084R") == 1
        assert await control.requests_by_tr("TTTS3018R") == 1
    else:  # 모의투자 has no cancellable-order TR: the ledger's unexecuted orders
        assert await control.requests_by_tr("VTTC0081R") == 1
        assert await control.requests_by_tr("VTTS3018R") == 1


@pytest.mark.parametrize("env", ["virtual"])
async def test_us_pending_falls_back_to_the_ledger(
    kis: KisClient, desk: Desk, control: SimControl
) -> None:
    us = desk.bid("AAPL", 3)
    desk.buy("NVDA", 1)
    await control.fault("VTTS3018R", "OPSQ0002")
    pending = await fetch_pending(kis)
    assert [(o.order_no, o.remaining_qty) for o in pending] == [(us.odno, 3)]
    assert await control.requests_by_tr("VTTS3035R") == 1


# ------------------------------------------------------------------------- buying power


async def raw_buy(
    http: httpx.AsyncClient, env: Env, instrument: Instrument, qty: int, price: Decimal, dvsn: str
) -> dict[str, Any]:
    """A buy sent by hand (not by our client): the simulator's verdict on a quantity."""
    raw = await RawKis(http, env=env, account=f"{CANO[env]}-01").login()
    if instrument.market is Market.KRX:
        name, fields = "buy", {"PDNO": instrument.symbol, "ORD_DVSN": dvsn, "ORD_UNPR": str(price)}
    else:
        name = "us_buy"
        fields = {
            "OVRS_EXCG_CD": "NASD",
            "PDNO": instrument.symbol,
            "OVRS_ORD_UNPR": str(price),
            "ORD_DVSN": "00",
            "ORD_SVR_DVSN_CD": "0",
        }
    tr_id = endpoint(name).tr_id(env)
    assert tr_id is not None
    body = raw.acct(**fields, ORD_QTY=str(qty))
    result: dict[str, Any] = (await raw.post(endpoint(name).path, tr_id, body)).json()
    return result


@pytest.mark.parametrize(
    ("instrument", "order_type", "dvsn"),
    [
        (SAMSUNG, OrderType.LIMIT, "00"),
        (SAMSUNG, OrderType.MARKET, "01"),
        (APPLE, OrderType.LIMIT, "00"),
    ],
)
async def test_buying_power_is_exactly_orderable(
    kis: KisClient,
    http: httpx.AsyncClient,
    sim: Simulator,
    desk: Desk,
    env: Env,
    instrument: Instrument,
    order_type: OrderType,
    dvsn: str,
) -> None:
    desk.bid("000660", 10)  # cash already held back counts against the power
    state = sim.exchange.state(instrument.symbol)
    price = sim.exchange.book(instrument.symbol).bids[3].price
    asked = price if order_type is OrderType.LIMIT else None
    power = await fetch_buying_power(kis, instrument, asked, order_type)
    available = (
        sim.exchange.krw_available(desk.acct)
        if instrument.market is Market.KRX
        else sim.exchange.usd_available(desk.acct)
    )
    assert power.cash == available
    assert power.price == (price if asked else state.upper)
    assert power.max_qty > 0
    sent = price if asked else Decimal(0)
    refused = await raw_buy(http, env, instrument, power.max_qty + 1, sent, dvsn)
    assert refused["msg_cd"] == "APBK0952"
    placed = await raw_buy(http, env, instrument, power.max_qty, sent, dvsn)
    assert placed["rt_cd"] == "0", placed


async def test_buying_power_defaults_to_the_current_price(kis: KisClient, sim: Simulator) -> None:
    for instrument in (APPLE, SAMSUNG):
        power = await fetch_buying_power(kis, instrument)
        inst = sim.exchange.state(instrument.symbol).inst
        assert power.price == sim.exchange.state(instrument.symbol).last
        reserve = sim.exchange.buy_reservation
        assert reserve(inst, power.price, power.max_qty) <= power.cash
        assert reserve(inst, power.price, power.max_qty + 1) > power.cash


@pytest.mark.parametrize("env", ["virtual"])
async def test_buying_power_refuses_bad_prices(kis: KisClient, control: SimControl) -> None:
    for instrument, price in ((SAMSUNG, Decimal(0)), (SAMSUNG, Decimal("70000.5"))):
        with pytest.raises(InputError):
            await fetch_buying_power(kis, instrument, price)
    with pytest.raises(InputError):
        await fetch_buying_power(kis, APPLE, Decimal("180.00001"))
    assert await control.requests_by_tr("VTTC8908R") == 0


# ------------------------------------------------------------------------------- sellable


async def test_sellable_leaves_out_shares_on_offer(
    kis: KisClient, desk: Desk, env: Env, control: SimControl
) -> None:
    desk.buy("005930", 10)
    desk.offer("005930", 4)
    desk.buy("AAPL", 5)
    desk.offer("AAPL", 2)
    assert await fetch_sellable(kis, SAMSUNG) == 6
    assert await fetch_sellable(kis, HYNIX) == 0
    assert await fetch_sellable(kis, APPLE) == 3
    assert await fetch_sellable(kis, Instrument(Symbol("NVDA"), Market.NASDAQ, "")) == 0
    if env == "real":
        assert await control.requests_by_tr("TTTC8408R") == 2
    else:  # 모의투자 lacks 매도가능수량조회: inquire-balance's ord_psbl_qty
        assert await control.requests_by_tr("VTTC8434R") == 2


# --------------------------------------------------------------------------------- profit


def _costs(order: ex.SimOrder, fee_rate: Decimal, tax_rate: Decimal, unit: Decimal) -> Decimal:
    """Commission and tax on each fill, each rounded down (KIS's 절사)."""
    return sum(
        (
            (f.price * f.qty * fee_rate).quantize(unit, rounding=ROUND_DOWN)
            + (f.price * f.qty * tax_rate).quantize(unit, rounding=ROUND_DOWN)
            for f in order.fills
        ),
        Decimal(0),
    )


@pytest.mark.parametrize("env", ["real"])
async def test_profit_after_a_round_trip(kis: KisClient, desk: Desk, sim: Simulator) -> None:
    settings = sim.settings
    bought, sold = desk.buy("005930", 10), desk.sell("005930", 10)
    us_bought, us_sold = desk.buy("AAPL", 4), desk.sell("AAPL", 4)
    today = sim.clock.now().astimezone(KST).date()

    report = await fetch_profit(kis, today - timedelta(days=7), today)

    cent = Decimal("0.01")
    costs = _costs(sold, settings.commission_krx, settings.tax_krx_sell, Decimal(1))
    krw_realized = sold.filled_amount - bought.filled_amount - costs
    us_costs = _costs(us_sold, settings.commission_us, Decimal(0), cent)
    usd_realized = us_sold.filled_amount - us_bought.filled_amount - us_costs
    assert report.realized == {
        "KRW": krw_realized,
        "USD": usd_realized.quantize(cent, rounding=ROUND_HALF_UP),
    }
    assert [(d.day, d.currency) for d in report.days] == [(today, "KRW"), (today, "USD")]
    won, dollar = report.days
    buy_fee = _costs(bought, settings.commission_krx, Decimal(0), Decimal(1))
    assert (won.buy_amount, won.sell_amount) == (bought.filled_amount, sold.filled_amount)
    assert won.tax == sum((f.tax for f in sold.fills), Decimal(0))
    assert won.fees == buy_fee + costs - won.tax
    assert (dollar.sell_amount, dollar.fees) == (us_sold.filled_amount, us_costs)
    assert dollar.buy_amount == us_bought.filled_amount  # the cost of the shares sold


@pytest.mark.parametrize("env", ["virtual"])
async def test_profit_is_real_only(kis: KisClient, control: SimControl) -> None:
    today = kis.now().date()
    with pytest.raises(KisNoService, match="real accounts only"):
        await fetch_profit(kis, today, today)
    assert (await control.http.get("/sim/stats")).json()["requests_by_tr"] == {}
