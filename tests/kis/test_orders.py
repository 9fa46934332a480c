"""Orders against the simulator: every order type, modify/cancel by number, cancel_all, bad
input refused before anything is sent, and reconciling an order whose fate is unknown."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from kisbot.domain.errors import InputError, OrderStateUnknown, SentOrder
from kisbot.domain.models import (
    Instrument,
    Market,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    Symbol,
)
from kisbot.domain.money import krx_tick, round_to_tick
from kisbot.kis.client import KisClient
from kisbot.kis.errors import KisNotFound
from kisbot.kis.orders import (
    CancelAllError,
    cancel_all,
    cancel_order,
    modify_order,
    place_order,
    reconcile,
)
from kisbot.sim.app import Simulator
from kisbot.sim.exchange import Side as SimSide
from tests.fakes import FakeClock
from tests.kis.conftest import SIM_URL, Keys, SimControl, sim_client
from tests.kis.test_client import kis_settings

SAMSUNG = Instrument(Symbol("005930"), Market.KRX, "삼성전자", kind="stock")
HYNIX = Instrument(Symbol("000660"), Market.KRX, "SK하이닉스", kind="stock")
UNKNOWN_KIND = Instrument(Symbol("005930"), Market.KRX, "")  # a stock, as its quote says
KODEX = Instrument(Symbol("069500"), Market.KRX, "KODEX 200")  # kind unknown: an ETF
AAPL = Instrument(Symbol("AAPL"), Market.NASDAQ, "APPLE INC")
VIRTUAL = ("virtual", "50000000", "01")
REAL = ("real", "60000000", "01")


@pytest.fixture
def clock(sim: Simulator) -> FakeClock:
    """Our clock and the simulator's agree, so "today" and order times line up."""
    return FakeClock(sim.clock.now(), on_sleep=sim.clock.advance)


async def _client(sim: Simulator, clock: FakeClock, settings: Any) -> AsyncIterator[KisClient]:
    async with sim_client(sim, SIM_URL) as http, KisClient(http, settings, clock=clock) as kis:
        yield kis


@pytest.fixture
async def kis(
    sim: Simulator, keys: Keys, tmp_path: Path, clock: FakeClock
) -> AsyncIterator[KisClient]:
    async for client in _client(sim, clock, kis_settings(keys, tmp_path)):
        yield client


@pytest.fixture
async def real_kis(sim: Simulator, tmp_path: Path, clock: FakeClock) -> AsyncIterator[KisClient]:
    settings = kis_settings(
        Keys(),
        tmp_path,
        env="real",
        account="-".join(REAL[1:]),
        rest_url=SIM_URL,
        token_dir=tmp_path / "real",
    )
    async for client in _client(sim, clock, settings):
        yield client


def resting(sim: Simulator, symbol: str, below: str = "0.9") -> Decimal:
    """A buy price on the ladder under the market, so the order rests."""
    state = sim.exchange.state(symbol)
    raw = state.last * Decimal(below)
    if state.inst.domestic:
        return round_to_tick(raw, krx_tick(raw, etf=state.inst.etf))
    return round_to_tick(raw, Decimal("0.01"))


def hold(sim: Simulator, account: tuple[str, str, str], symbol: str, qty: int) -> None:
    """Give the account `qty` shares of `symbol` to sell."""
    holding = sim.exchange.account(*account).holding(symbol)  # type: ignore[arg-type]
    holding.qty += qty
    holding.cost += sim.exchange.state(symbol).last * qty


async def sim_order(control: SimControl, odno: str, env: str = "virtual") -> dict[str, Any]:
    found = [o for o in await control.orders(env) if o["odno"].lstrip("0") == odno.lstrip("0")]
    assert len(found) == 1, odno
    return found[0]


def buy(inst: Instrument, qty: int, kind: OrderType, price: Decimal | None = None) -> OrderRequest:
    return OrderRequest(inst, Side.BUY, qty, kind, price)


def sell(inst: Instrument, qty: int, kind: OrderType, price: Decimal | None = None) -> OrderRequest:
    return OrderRequest(inst, Side.SELL, qty, kind, price)


# ======================================================================================= place


async def test_every_virtual_domestic_order_type(
    kis: KisClient, sim: Simulator, control: SimControl
) -> None:
    limit = resting(sim, "005930")
    cases = [
        (OrderType.LIMIT, "00", limit),
        (OrderType.MARKET, "01", None),
        (OrderType.CONDITIONAL, "02", limit),
        (OrderType.BEST, "03", None),
        (OrderType.PRIORITY, "04", None),
    ]
    for qty, (kind, code, price) in enumerate(cases, start=1):
        book = sim.exchange.book("005930")
        expected = {
            OrderType.MARKET: Decimal(0),
            OrderType.BEST: book.asks[0].price,  # 최유리: the best opposite level
            OrderType.PRIORITY: book.bids[0].price,  # 최우선: the best same-side level
        }.get(kind, price)
        ack = await place_order(kis, buy(SAMSUNG, qty, kind, price))
        order = await sim_order(control, ack.order_no)
        assert (order["ord_dvsn"], order["qty"], order["side"]) == (code, qty, "buy")
        assert Decimal(order["price"]) == expected
        assert ack.branch == "00950"
        assert ack.time == datetime.fromisoformat(order["created"]).replace(microsecond=0)
        assert ack.original_no == ""
    assert await control.requests_by_tr("VTTC0012U") == len(cases)


async def test_a_domestic_sell_and_an_etf_price_on_five_won_ticks(
    kis: KisClient, sim: Simulator, control: SimControl
) -> None:
    hold(sim, VIRTUAL, "005930", 5)
    price = sim.exchange.state("005930").upper  # on the ladder, above the market: rests
    ack = await place_order(kis, sell(SAMSUNG, 5, OrderType.LIMIT, price))
    order = await sim_order(control, ack.order_no)
    assert (order["side"], order["qty"], Decimal(order["price"])) == ("sell", 5, price)
    assert await control.requests_by_tr("VTTC0011U") == 1
    # 35,125 is off the stock ladder (50-won ticks) but on the ETF one; the quote says ETF
    etf_price = Decimal(35_125)
    sim.exchange.trade("069500", Decimal(35_200))
    ack = await place_order(kis, buy(KODEX, 2, OrderType.LIMIT, etf_price))
    assert Decimal((await sim_order(control, ack.order_no))["price"]) == etf_price


async def test_real_only_domestic_order_types_on_a_real_account(
    real_kis: KisClient, sim: Simulator, control: SimControl
) -> None:
    state = sim.exchange.state("005930")
    limit = resting(sim, "005930")
    cases = [
        (OrderType.PRE_MARKET, "05", None, state.prev_close),
        (OrderType.AFTER_MARKET, "06", None, state.last),
        (OrderType.AFTER_HOURS_SINGLE, "07", limit, limit),
        (OrderType.IOC_LIMIT, "11", limit, limit),
        (OrderType.FOK_LIMIT, "12", limit, limit),
        (OrderType.IOC_MARKET, "13", None, Decimal(0)),
        (OrderType.FOK_MARKET, "14", None, Decimal(0)),
        (OrderType.IOC_BEST, "15", None, None),
        (OrderType.FOK_BEST, "16", None, None),
    ]
    for qty, (kind, code, price, expected) in enumerate(cases, start=1):
        best_ask = sim.exchange.book("005930").asks[0].price
        ack = await place_order(real_kis, buy(SAMSUNG, qty, kind, price))
        order = await sim_order(control, ack.order_no, "real")
        assert (order["ord_dvsn"], order["qty"]) == (code, qty), kind
        assert Decimal(order["price"]) == (best_ask if expected is None else expected), kind
        assert ack.branch == "91252"
    assert await control.requests_by_tr("TTTC0012U") == len(cases)


async def test_us_limit_buy_and_sell_on_virtual(
    kis: KisClient, sim: Simulator, control: SimControl
) -> None:
    price = resting(sim, "AAPL")
    bought = await place_order(kis, buy(AAPL, 3, OrderType.LIMIT, price))
    hold(sim, VIRTUAL, "AAPL", 2)
    high = (sim.exchange.state("AAPL").last * Decimal("1.2")).quantize(Decimal("0.01"))
    sold = await place_order(kis, sell(AAPL, 2, OrderType.LIMIT, high))
    order_b, order_s = (
        await sim_order(control, bought.order_no),
        await sim_order(control, sold.order_no),
    )
    assert (order_b["side"], order_b["qty"], Decimal(order_b["price"])) == ("buy", 3, price)
    assert (order_s["side"], order_s["qty"], Decimal(order_s["price"])) == ("sell", 2, high)
    assert order_b["ord_dvsn"] == order_s["ord_dvsn"] == "00"
    assert await control.requests_by_tr("VTTT1002U") == 1
    assert await control.requests_by_tr("VTTT1001U") == 1  # not the V-prefixed VTTT1006U
    assert await control.requests_by_tr("VTTT1006U") == 0


async def test_us_on_open_and_on_close_orders_on_real(
    real_kis: KisClient, sim: Simulator, control: SimControl
) -> None:
    hold(sim, REAL, "AAPL", 10)
    price = resting(sim, "AAPL")
    cases = [
        (buy(AAPL, 1, OrderType.LOO, price), "32", price),
        (buy(AAPL, 2, OrderType.LOC, price), "34", price),
        (sell(AAPL, 3, OrderType.MOO), "31", Decimal(0)),
        (sell(AAPL, 4, OrderType.MOC), "33", Decimal(0)),
        (sell(AAPL, 1, OrderType.LOC, price * 2), "34", price * 2),
    ]
    for request, code, expected in cases:
        ack = await place_order(real_kis, request)
        order = await sim_order(control, ack.order_no, "real")
        assert (order["ord_dvsn"], order["qty"], order["side"]) == (
            code,
            request.qty,
            request.side.value,
        )
        assert Decimal(order["price"]) == expected
    assert await control.requests_by_tr("TTTT1002U") == 2
    assert await control.requests_by_tr("TTTT1006U") == 3


async def test_a_us_market_order_is_a_limit_at_the_band(
    kis: KisClient, sim: Simulator, control: SimControl
) -> None:
    last = sim.exchange.state("AAPL").last
    ack = await place_order(kis, buy(AAPL, 1, OrderType.MARKET))
    order = await sim_order(control, ack.order_no)
    # no real key: no price-detail band, so the emulated market buy is a limit at last + 50%
    assert order["ord_dvsn"] == "00"
    assert Decimal(order["price"]) == round_to_tick(last * Decimal("1.5"), Decimal("0.01"))
    assert order["filled_qty"] == 1  # marketable: it filled against the book


Wire = list[tuple[str, dict[str, str]]]


@pytest.fixture
async def wire(
    sim: Simulator, keys: Keys, tmp_path: Path, clock: FakeClock
) -> AsyncIterator[tuple[KisClient, Wire]]:
    """A virtual client and the (TR ID, JSON body) of every POST it sends."""
    seen: Wire = []

    async def record(request: httpx.Request) -> None:
        if request.method == "POST" and request.headers.get("tr_id"):
            seen.append((request.headers["tr_id"], json.loads(request.content)))

    async with (
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=sim.app),
            base_url=SIM_URL,
            timeout=10,
            event_hooks={"request": [record]},
        ) as http,
        KisClient(http, kis_settings(keys, tmp_path), clock=clock) as kis,
    ):
        yield kis, seen


async def test_order_bodies_carry_every_field_kis_lists(
    wire: tuple[KisClient, Wire], sim: Simulator
) -> None:
    kis, seen = wire
    hold(sim, VIRTUAL, "005930", 1)
    hold(sim, VIRTUAL, "AAPL", 1)
    krw, usd = resting(sim, "005930"), resting(sim, "AAPL")
    kr = await place_order(kis, buy(SAMSUNG, 2, OrderType.LIMIT, krw))
    await place_order(kis, sell(SAMSUNG, 1, OrderType.MARKET))
    us = await place_order(kis, buy(AAPL, 3, OrderType.LIMIT, usd))
    await place_order(kis, sell(AAPL, 1, OrderType.LIMIT, Decimal("0.5")))
    await cancel_order(kis, kr.order_no, qty=1)
    await cancel_order(kis, us.order_no)
    account = {"CANO": "50000000", "ACNT_PRDT_CD": "01"}
    common_kr = {**account, "PDNO": "005930", "EXCG_ID_DVSN_CD": "KRX", "CNDT_PRIC": ""}
    common_us = {**account, "OVRS_EXCG_CD": "NASD", "PDNO": "AAPL", "CTAC_TLNO": ""}
    common_us |= {"MGCO_APTM_ODNO": "", "ORD_SVR_DVSN_CD": "0", "ORD_DVSN": "00"}
    assert seen == [
        (
            "VTTC0012U",
            {**common_kr, "ORD_DVSN": "00", "ORD_QTY": "2", "ORD_UNPR": str(krw), "SLL_TYPE": ""},
        ),
        (
            "VTTC0011U",
            {**common_kr, "ORD_DVSN": "01", "ORD_QTY": "1", "ORD_UNPR": "0", "SLL_TYPE": "01"},
        ),
        (
            "VTTT1002U",
            {**common_us, "ORD_QTY": "3", "OVRS_ORD_UNPR": f"{usd:.2f}", "SLL_TYPE": ""},
        ),
        ("VTTT1001U", {**common_us, "ORD_QTY": "1", "OVRS_ORD_UNPR": "0.5000", "SLL_TYPE": "00"}),
        (
            "VTTC0013U",
            {
                **account,
                "KRX_FWDG_ORD_ORGNO": "00950",
                "ORGN_ODNO": kr.order_no,
                "ORD_DVSN": "00",
                "RVSE_CNCL_DVSN_CD": "02",
                "ORD_QTY": "1",
                "ORD_UNPR": "0",
                "QTY_ALL_ORD_YN": "N",
                "EXCG_ID_DVSN_CD": "KRX",
            },
        ),
        (
            "VTTT1004U",
            {
                **account,
                "OVRS_EXCG_CD": "NASD",
                "PDNO": "AAPL",
                "ORGN_ODNO": us.order_no,
                "RVSE_CNCL_DVSN_CD": "02",
                "ORD_QTY": "3",
                "OVRS_ORD_UNPR": "0",
                "MGCO_APTM_ODNO": "",
                "ORD_SVR_DVSN_CD": "0",
            },
        ),
    ]


# ============================================================================== modify, cancel


async def test_modify_then_cancel_by_order_number_alone(
    kis: KisClient, sim: Simulator, control: SimControl
) -> None:
    price = resting(sim, "005930")
    placed = await place_order(kis, buy(SAMSUNG, 10, OrderType.LIMIT, price))
    lower = price - krx_tick(price)
    moved = await modify_order(kis, placed.order_no, price=lower)
    assert moved.original_no == placed.order_no
    assert moved.order_no != placed.order_no
    new = await sim_order(control, moved.order_no)
    assert (new["kind"], new["original_odno"], new["qty"]) == ("modify", placed.order_no, 10)
    assert Decimal(new["price"]) == lower
    assert (await sim_order(control, placed.order_no))["status"] == "replaced"
    gone = await cancel_order(kis, moved.order_no)
    assert gone.original_no == moved.order_no
    record = await sim_order(control, gone.order_no)
    assert (record["kind"], record["original_odno"], record["qty"]) == (
        "cancel",
        moved.order_no,
        10,
    )
    assert (await sim_order(control, moved.order_no))["status"] == "cancelled"
    assert await control.requests_by_tr("VTTC0013U") == 2
    original = await reconcile(kis, SentOrder("005930", "buy", 10, price, kis.now()))
    assert original is not None
    assert (original.order_no, original.status) == (placed.order_no, OrderStatus.REPLACED)


async def test_partial_cancel_and_partial_modify(
    kis: KisClient, sim: Simulator, control: SimControl
) -> None:
    price = resting(sim, "005930")
    placed = await place_order(kis, buy(SAMSUNG, 10, OrderType.LIMIT, price))
    part = await cancel_order(kis, placed.order_no, qty=4)
    assert (await sim_order(control, part.order_no))["qty"] == 4
    original = await sim_order(control, placed.order_no)
    assert (original["cancelled_qty"], original["remaining"]) == (4, 6)
    with pytest.raises(InputError, match="6 shares left"):
        await cancel_order(kis, placed.order_no, qty=7)
    moved = await modify_order(kis, placed.order_no, qty=3, price=price - krx_tick(price))
    assert (await sim_order(control, moved.order_no))["qty"] == 3
    assert (await sim_order(control, placed.order_no))["remaining"] == 3
    assert len(await control.orders()) == 3


async def test_us_modify_and_cancel_on_virtual(
    kis: KisClient, sim: Simulator, control: SimControl
) -> None:
    price = resting(sim, "AAPL")
    placed = await place_order(kis, buy(AAPL, 5, OrderType.LIMIT, price))
    moved = await modify_order(kis, placed.order_no, price=price - Decimal("0.5"))
    new = await sim_order(control, moved.order_no)
    assert (new["original_odno"], Decimal(new["price"])) == (
        placed.order_no,
        price - Decimal("0.5"),
    )
    gone = await cancel_order(kis, moved.order_no, instrument=AAPL)
    assert gone.original_no == moved.order_no
    assert (await sim_order(control, moved.order_no))["status"] == "cancelled"
    assert await control.requests_by_tr("VTTT1004U") == 2


async def test_real_account_finds_orders_among_the_modifiable_ones(
    real_kis: KisClient, sim: Simulator, control: SimControl
) -> None:
    krw, usd = resting(sim, "005930"), resting(sim, "AAPL")
    domestic = await place_order(real_kis, buy(SAMSUNG, 2, OrderType.LIMIT, krw))
    us = await place_order(real_kis, buy(AAPL, 2, OrderType.LIMIT, usd))
    moved = await modify_order(real_kis, domestic.order_no, price=krw - krx_tick(krw))
    assert (await sim_order(control, moved.order_no, "real"))["original_odno"] == domestic.order_no
    cancelled = await cancel_all(real_kis)
    assert sorted(a.original_no for a in cancelled) == sorted([moved.order_no, us.order_no])
    assert all(o["remaining"] == 0 for o in await control.orders("real"))
    assert await control.requests_by_tr("TTTC0084R") >= 1  # inquire-psbl-rvsecncl
    assert await control.requests_by_tr("TTTS3018R") >= 1  # inquire-nccs


async def test_cancel_all_cancels_domestic_and_us_open_orders(
    kis: KisClient, sim: Simulator, control: SimControl
) -> None:
    opened = [
        await place_order(kis, buy(SAMSUNG, 1, OrderType.LIMIT, resting(sim, "005930"))),
        await place_order(kis, buy(HYNIX, 1, OrderType.LIMIT, resting(sim, "000660"))),
        await place_order(kis, buy(AAPL, 1, OrderType.LIMIT, resting(sim, "AAPL"))),
    ]
    filled = await place_order(kis, buy(SAMSUNG, 1, OrderType.MARKET))
    only = await cancel_all(kis, symbol="000660")
    assert [a.original_no for a in only] == [opened[1].order_no]
    rest = await cancel_all(kis)
    assert sorted(a.original_no for a in rest) == sorted([opened[0].order_no, opened[2].order_no])
    assert (await sim_order(control, filled.order_no))["status"] == "filled"
    assert all(o["remaining"] == 0 for o in await control.orders())
    assert await cancel_all(kis) == []


async def test_cancel_all_goes_on_after_a_failure(
    kis: KisClient, sim: Simulator, control: SimControl
) -> None:
    price = resting(sim, "005930")
    first = await place_order(kis, buy(SAMSUNG, 1, OrderType.LIMIT, price))
    second = await place_order(kis, buy(SAMSUNG, 2, OrderType.LIMIT, price))
    await control.fault("VTTC0013U", "APBK0656", status=200)  # KIS refuses the first cancel
    with pytest.raises(CancelAllError) as info:
        await cancel_all(kis)
    assert [type(e) for e in info.value.exceptions] == [KisNotFound]
    assert [a.original_no for a in info.value.cancelled] == [second.order_no]
    assert (await sim_order(control, first.order_no))["remaining"] == 1


# ================================================================================== bad input


async def test_bad_input_is_refused_before_anything_is_sent(
    kis: KisClient, sim: Simulator, control: SimControl
) -> None:
    price = resting(sim, "005930")
    bad = [
        (buy(SAMSUNG, 0, OrderType.LIMIT, price), "positive"),
        (buy(SAMSUNG, -3, OrderType.LIMIT, price), "positive"),
        (buy(SAMSUNG, 1, OrderType.LIMIT), "needs a price"),
        (buy(SAMSUNG, 1, OrderType.LIMIT, Decimal(-100)), "positive"),
        (buy(SAMSUNG, 1, OrderType.LIMIT, price + 50), "tick ladder"),
        (buy(SAMSUNG, 1, OrderType.LIMIT, Decimal(35_125)), "tick ladder"),
        (buy(UNKNOWN_KIND, 1, OrderType.LIMIT, Decimal(35_125)), "tick 50"),  # the quote says
        (buy(SAMSUNG, 1, OrderType.MARKET, price), "no price"),
        (buy(SAMSUNG, 1, OrderType.IOC_LIMIT, price), "virtual"),
        (buy(SAMSUNG, 1, OrderType.LOO, price), "US"),
        (buy(AAPL, 1, OrderType.LIMIT, Decimal("200.123")), "cents"),
        (buy(AAPL, 1, OrderType.MOO), "sells only"),
        (buy(AAPL, 1, OrderType.LOC, Decimal(200)), "virtual"),
        (buy(AAPL, 1, OrderType.BEST), "KRX"),
    ]
    for request, message in bad:
        with pytest.raises(InputError, match=message):
            await place_order(kis, request)
    assert await control.orders() == []
    assert await control.requests_by_tr("VTTC0012U") == 0
    assert await control.requests_by_tr("VTTT1002U") == 0


async def test_unknown_or_finished_orders_cannot_be_modified(
    kis: KisClient, sim: Simulator, control: SimControl
) -> None:
    with pytest.raises(KisNotFound):
        await cancel_order(kis, "0000099999")
    with pytest.raises(InputError, match="digits"):
        await modify_order(kis, "12a", price=Decimal(70_000))
    filled = await place_order(kis, buy(SAMSUNG, 1, OrderType.MARKET))
    with pytest.raises(InputError, match="filled"):
        await cancel_order(kis, filled.order_no)
    price = resting(sim, "005930")
    placed = await place_order(kis, buy(SAMSUNG, 1, OrderType.LIMIT, price))
    with pytest.raises(InputError, match="needs a price"):
        await modify_order(kis, placed.order_no)
    with pytest.raises(InputError, match="tick ladder"):
        await modify_order(kis, placed.order_no, price=price + 1)
    with pytest.raises(InputError, match="positive"):
        await cancel_order(kis, placed.order_no, qty=0)
    assert len(await control.orders()) == 2
    assert await control.requests_by_tr("VTTC0013U") == 0


# ================================================================================== reconcile


async def test_an_order_without_a_verdict_is_not_resent_and_reconciles(
    kis: KisClient, sim: Simulator, control: SimControl, clock: FakeClock
) -> None:
    price = resting(sim, "005930")
    acct = sim.exchange.account(*VIRTUAL)  # type: ignore[arg-type]

    def arrive(qty: int, at: Decimal) -> str:
        """An order reaching the exchange directly (as ours would have, had it got through)."""
        return sim.exchange.place_order(
            acct, "005930", SimSide.BUY, "00", qty, at, appkey="x" * 36
        ).odno

    stale = arrive(7, price)  # the same order, but five minutes before ours
    await clock.sleep(300)  # moves our clock and the simulator's
    await control.fault("VTTC0012U", "", status=502)
    with pytest.raises(OrderStateUnknown) as info:
        await place_order(kis, buy(SAMSUNG, 7, OrderType.LIMIT, price))
    sent = info.value.order
    assert (sent.symbol, sent.side, sent.qty, sent.price) == ("005930", "buy", 7, price)
    assert (sent.venue, sent.order_type, sent.tr_id) == ("KRX", "00", "VTTC0012U")
    assert "50000000" not in repr(sent)
    assert await control.requests_by_tr("VTTC0012U") == 1  # sent once, never again
    assert [o["odno"] for o in await control.orders()] == [stale]
    assert await reconcile(kis, sent) is None  # KIS has no such order since we sent it
    decoys = {arrive(6, price), arrive(7, price - krx_tick(price))}
    reached = arrive(7, price)
    found = await reconcile(kis, sent)
    assert found is not None
    assert found.order_no == reached
    assert found.order_no not in decoys
    assert (found.qty, found.price, found.side, found.status) == (
        7,
        price,
        Side.BUY,
        OrderStatus.OPEN,
    )
    assert found.instrument.symbol == "005930"


async def test_reconcile_us_orders_and_cancels(
    kis: KisClient, sim: Simulator, control: SimControl
) -> None:
    price = resting(sim, "AAPL")
    await control.fault("VTTT1002U", "", status=502)
    with pytest.raises(OrderStateUnknown) as info:
        await place_order(kis, buy(AAPL, 4, OrderType.LIMIT, price))
    assert await reconcile(kis, info.value.order) is None
    placed = await place_order(kis, buy(AAPL, 4, OrderType.LIMIT, price))
    found = await reconcile(kis, info.value.order)
    assert found is not None
    assert (found.order_no, found.remaining_qty, found.instrument.market) == (
        placed.order_no,
        4,
        Market.NASDAQ,
    )
    await control.fault("VTTT1004U", "", status=502)
    with pytest.raises(OrderStateUnknown) as cancel_info:
        await cancel_order(kis, placed.order_no)
    assert cancel_info.value.order.original_no == placed.order_no
    assert await reconcile(kis, cancel_info.value.order) is None
    gone = await cancel_order(kis, placed.order_no)
    record = await reconcile(kis, cancel_info.value.order)
    assert record is not None
    assert (record.order_no, record.original_no) == (gone.order_no, placed.order_no)
    again = await reconcile(kis, info.value.order)
    assert again is not None
    assert again.status is OrderStatus.CANCELLED


async def test_reconcile_reads_a_filled_market_order(
    kis: KisClient, sim: Simulator, control: SimControl
) -> None:
    await control.fault("VTTC0012U", "", status=502)
    with pytest.raises(OrderStateUnknown) as info:
        await place_order(kis, buy(SAMSUNG, 2, OrderType.MARKET))
    sent = info.value.order
    assert (sent.price, sent.order_type) == (None, "01")
    acct = sim.exchange.account(*VIRTUAL)  # type: ignore[arg-type]
    limit = sim.exchange.place_order(
        acct, "005930", SimSide.BUY, "00", 2, resting(sim, "005930"), appkey="x" * 36
    )
    market = sim.exchange.place_order(
        acct, "005930", SimSide.BUY, "01", 2, Decimal(0), appkey="x" * 36
    )
    found = await reconcile(kis, sent)
    assert found is not None
    assert found.order_no == market.odno != limit.odno  # same qty, but not a market order
    assert (found.status, found.filled_qty, found.remaining_qty) == (OrderStatus.FILLED, 2, 0)
    assert found.avg_fill_price == market.avg_price
    assert found.price is None
