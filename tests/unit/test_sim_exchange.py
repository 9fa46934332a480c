"""The simulated exchange's rules, without HTTP: history, ticks, matching, cash, fees."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import ROUND_DOWN, Decimal

import pytest

from kisbot.domain.money import is_on_tick, krx_tick
from kisbot.sim.config import SimSettings
from kisbot.sim.errors import SimReject
from kisbot.sim.exchange import Exchange, OrderEvent, OrderStatus, Side, TickEvent
from kisbot.sim.history import daily_history, step_price
from kisbot.sim.universe import UNIVERSE, find_instrument

KEY = "PS" + "k" * 34


@pytest.fixture
def ex() -> Exchange:
    return Exchange(SimSettings(seed=7, walk=False))


def test_universe_has_the_promised_instruments() -> None:
    domestic = [i for i in UNIVERSE if i.domestic]
    us = [i for i in UNIVERSE if not i.domestic]
    assert len(domestic) >= 30
    assert len(us) >= 15
    for code, name in [
        ("005930", "삼성전자"),
        ("000660", "SK하이닉스"),
        ("035420", "NAVER"),
        ("005380", "현대차"),
        ("069500", "KODEX 200"),
    ]:
        inst = find_instrument(code)
        assert inst is not None
        assert inst.name_kr == name
    for ticker in ("AAPL", "NVDA", "TSLA", "MSFT", "CPNG"):
        assert find_instrument(ticker.lower()) is not None


def test_history_is_deterministic_on_the_ladder_and_within_limits() -> None:
    inst = find_instrument("005930")
    assert inst is not None
    a = daily_history(7, inst, date(2026, 11, 24), 3)
    b = daily_history(7, inst, date(2026, 11, 24), 3)
    other = daily_history(8, inst, date(2026, 11, 24), 3)
    assert a == b
    assert a != other
    assert a[-1].close == inst.reference_price
    assert len(a) == 3 * 252
    for prev, bar in itertools.pairwise(a):
        assert bar.start > prev.start
        assert bar.start.weekday() < 5
        assert bar.low <= min(bar.open, bar.close) <= max(bar.open, bar.close) <= bar.high
        assert abs(bar.close - prev.close) <= prev.close * Decimal("0.3")
        assert is_on_tick(bar.close)


def test_step_price_crosses_ladder_boundaries() -> None:
    inst = find_instrument("005930")
    assert inst is not None
    assert step_price(inst, Decimal(49_950), 1) == 50_000
    assert step_price(inst, Decimal(50_000), 1) == 50_100
    assert step_price(inst, Decimal(50_000), -1) == 49_950
    assert step_price(inst, Decimal(49_900), 3) == 50_100


def test_book_is_ten_levels_around_last_on_tick(ex: Exchange) -> None:
    book = ex.book("005930")
    last = ex.state("005930").last
    assert len(book.asks) == len(book.bids) == 10
    assert book.bids[0].price == last
    assert book.asks[0].price == last + krx_tick(last)
    assert all(a.price < b.price for a, b in zip(book.asks, book.asks[1:], strict=False))
    assert all(a.price > b.price for a, b in zip(book.bids, book.bids[1:], strict=False))


def test_market_buy_changes_cash_and_holding_by_exactly_the_fill(ex: Exchange) -> None:
    acct = ex.account("virtual", "50000000", "01")
    before = acct.krw_settled
    order = ex.place_order(acct, "005930", Side.BUY, "01", 10, Decimal(0), appkey=KEY)
    assert order.status is OrderStatus.FILLED
    amount = sum((f.price * f.qty for f in order.fills), Decimal(0))
    fee = (amount * Decimal("0.00015")).quantize(Decimal(1), rounding=ROUND_DOWN)
    assert sum(f.fee for f in order.fills) == fee
    assert acct.krw_settled == before - amount - fee
    assert acct.holdings["005930"].qty == 10
    assert acct.holdings["005930"].cost == amount


def test_sell_pays_transaction_tax_except_on_etfs(ex: Exchange) -> None:
    acct = ex.account("virtual", "50000000", "01")
    ex.place_order(acct, "005930", Side.BUY, "01", 10, Decimal(0), appkey=KEY)
    ex.place_order(acct, "069500", Side.BUY, "01", 10, Decimal(0), appkey=KEY)
    stock = ex.place_order(acct, "005930", Side.SELL, "01", 10, Decimal(0), appkey=KEY)
    etf = ex.place_order(acct, "069500", Side.SELL, "01", 10, Decimal(0), appkey=KEY)
    stock_amount = sum((f.price * f.qty for f in stock.fills), Decimal(0))
    assert sum(f.tax for f in stock.fills) == (stock_amount * Decimal("0.0020")).quantize(
        Decimal(1), rounding=ROUND_DOWN
    )
    assert sum(f.tax for f in etf.fills) == 0
    assert acct.holdings["005930"].qty == 0


def test_limit_order_rests_then_fills_at_its_price_when_crossed(ex: Exchange) -> None:
    acct = ex.account("virtual", "50000000", "01")
    last = ex.state("005930").last
    limit = last - 500
    order = ex.place_order(acct, "005930", Side.BUY, "00", 5, limit, appkey=KEY)
    assert order.status is OrderStatus.OPEN
    assert ex.reserved_cash(acct, True) > 0
    ex.trade("005930", last - 300)
    assert order.filled_qty == 0
    ex.trade("005930", limit - 100)
    assert order.status is OrderStatus.FILLED
    assert [f.price for f in order.fills] == [limit]
    assert ex.reserved_cash(acct, True) == 0


def test_large_limit_order_fills_partially_over_several_trades(ex: Exchange) -> None:
    acct = ex.account("virtual", "50000000", "01")
    state = ex.state("005930")
    limit = state.last - 1_000
    order = ex.place_order(acct, "005930", Side.BUY, "00", 1_000, limit, appkey=KEY)
    ex.trade("005930", limit, qty=10)
    first = order.filled_qty
    assert 0 < first < 1_000
    ex.trade("005930", limit, qty=10)
    assert order.filled_qty > first


def test_fok_and_ioc() -> None:
    ex = Exchange(SimSettings(seed=7, walk=False, initial_krw=Decimal(10) ** 10))
    acct = ex.account("real", "60000000", "01")
    book = ex.book("005930")
    huge = sum(level.qty for level in book.asks) + 1
    fok = ex.place_order(acct, "005930", Side.BUY, "14", huge, Decimal(0), appkey=KEY)
    assert fok.status is OrderStatus.CANCELLED
    assert fok.filled_qty == 0
    ioc = ex.place_order(acct, "005930", Side.BUY, "11", 50, book.asks[0].price, appkey=KEY)
    assert ioc.status in (OrderStatus.FILLED, OrderStatus.CANCELLED)
    assert ioc.filled_qty + ioc.cancelled_qty == 50


def test_refusals_change_nothing(ex: Exchange) -> None:
    acct = ex.account("virtual", "50000000", "01")
    cash = acct.krw_settled
    last = ex.state("005930").last
    cases = [
        (("005930", Side.BUY, "00", 1, last + 50), "APBK0506"),  # off tick
        (("005930", Side.BUY, "00", 1, last * 2), "APBK0507"),  # above the upper limit
        (("005930", Side.BUY, "00", 0, last), "APBK0510"),  # zero quantity
        (("005930", Side.BUY, "00", 100_000, last), "APBK0952"),  # not enough cash
        (("005930", Side.SELL, "00", 1, last), "APBK0400"),  # nothing to sell
        (("999999", Side.BUY, "00", 1, last), "APBK0656"),  # unknown symbol
        (("005930", Side.BUY, "11", 1, last), "APBK0511"),  # IOC is real-only
    ]
    for (symbol, side, dvsn, qty, price), code in cases:
        with pytest.raises(SimReject) as info:
            ex.place_order(acct, symbol, side, dvsn, qty, price, appkey=KEY)
        assert info.value.msg_cd == code
    assert ex.orders() == []
    assert acct.krw_settled == cash


def test_modify_and_cancel_make_linked_order_numbers(ex: Exchange) -> None:
    acct = ex.account("virtual", "50000000", "01")
    last = ex.state("005930").last
    order = ex.place_order(acct, "005930", Side.BUY, "00", 5, last - 500, appkey=KEY)
    modified = ex.modify_order(
        acct, order.odno, ord_dvsn="00", qty=None, price=last - 1_000, appkey=KEY
    )
    assert modified.odno != order.odno
    assert modified.original_odno == order.odno
    assert order.status is OrderStatus.REPLACED
    cancel = ex.cancel_order(acct, modified.odno, qty=None, appkey=KEY)
    assert cancel.original_odno == modified.odno
    assert modified.status is OrderStatus.CANCELLED
    assert ex.reserved_cash(acct, True) == 0
    with pytest.raises(SimReject):
        ex.cancel_order(acct, modified.odno, qty=None, appkey=KEY)


def test_market_hours_refuse_orders_outside_the_session(ex: Exchange) -> None:
    from datetime import datetime

    from kisbot.domain.time import KST

    ex.market_hours = "real"
    ex.clock.set(datetime(2026, 11, 24, 20, 0, tzinfo=KST))  # a Tuesday evening in Seoul
    acct = ex.account("virtual", "50000000", "01")
    with pytest.raises(SimReject) as domestic:
        ex.place_order(acct, "005930", Side.BUY, "01", 1, Decimal(0), appkey=KEY)
    assert domestic.value.msg_cd == "APBK0919"
    ex.clock.set(datetime(2026, 11, 25, 10, 0, tzinfo=KST))  # 20:00 in New York the day before
    with pytest.raises(SimReject) as overseas:
        ex.place_order(acct, "AAPL", Side.BUY, "00", 1, Decimal(200), appkey=KEY)
    assert overseas.value.msg_cd == "APBK1664"
    ok = ex.place_order(acct, "005930", Side.BUY, "01", 1, Decimal(0), appkey=KEY)
    assert ok.status is OrderStatus.FILLED


def test_listeners_see_ticks_and_order_events_in_order(ex: Exchange) -> None:
    seen: list[str] = []
    ex.listeners.append(
        lambda e: (
            seen.append(e.kind if isinstance(e, OrderEvent) else f"tick:{e.state.last}")
            if isinstance(e, OrderEvent | TickEvent)
            else None
        )
    )
    acct = ex.account("virtual", "50000000", "01")
    last = ex.state("005930").last
    ex.place_order(acct, "005930", Side.BUY, "00", 1, last - 500, appkey=KEY)
    ex.trade("005930", last - 500)
    assert seen == ["accepted", f"tick:{last - 500}", "filled"]


def test_overseas_buy_moves_usd_exactly(ex: Exchange) -> None:
    acct = ex.account("virtual", "50000000", "01")
    usd = acct.usd_cash
    ask = ex.book("AAPL").asks[0].price
    order = ex.place_order(acct, "AAPL", Side.BUY, "00", 3, ask, appkey=KEY)
    amount = ask * 3
    fee = (amount * Decimal("0.0025")).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    assert order.status is OrderStatus.FILLED
    assert acct.usd_cash == usd - amount - fee


def test_walk_moves_prices_on_the_ladder_deterministically() -> None:
    a = Exchange(SimSettings(seed=3))
    b = Exchange(SimSettings(seed=3))
    a.step(20)
    b.step(20)
    for inst in UNIVERSE:
        assert a.state(inst.symbol).last == b.state(inst.symbol).last
        state = a.state(inst.symbol)
        if inst.domestic:
            assert state.lower <= state.last <= state.upper
            assert is_on_tick(state.last, etf=inst.etf)
