"""The /sim/ control API: prices, orders, walk, faults, latency, clock, hours, stats."""

from __future__ import annotations

import time
from decimal import Decimal

import httpx

from kisbot.sim.app import Simulator
from kisbot.sim.exchange import Side
from tests.kisraw import RawKis

PRICE = "/uapi/domestic-stock/v1/quotations/inquire-price"
SAMSUNG = {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"}


def _mask(appkey: str) -> str:
    return appkey[:6] + "…" + appkey[-4:]


async def test_set_price_prints_a_trade(http: httpx.AsyncClient, sim: Simulator) -> None:
    response = await http.post("/sim/price", json={"symbol": "005930", "price": "71000"})
    assert response.status_code == 200
    assert response.json()["last"] == "71000"
    assert sim.exchange.state("005930").last == Decimal(71_000)


async def test_set_price_triggers_matching_and_orders_show_it(
    http: httpx.AsyncClient, sim: Simulator
) -> None:
    ex = sim.exchange
    acct = ex.account("virtual", "50000000", "01")
    order = ex.place_order(acct, "005930", Side.BUY, "00", 3, Decimal(68_000), appkey="x" * 36)
    await http.post("/sim/price", json={"symbol": "005930", "price": "68000"})
    listed = (await http.get("/sim/orders")).json()["orders"]
    assert len(listed) == 1
    row = listed[0]
    assert row["odno"] == order.odno
    assert (row["symbol"], row["side"], row["qty"], row["price"]) == ("005930", "buy", 3, "68000")
    assert (row["filled_qty"], row["status"]) == (3, "filled")


async def test_bad_control_input_is_a_clear_400(http: httpx.AsyncClient, sim: Simulator) -> None:
    last = sim.exchange.state("005930").last
    for body in ({"symbol": "005930", "price": "-1"}, {"symbol": "005930", "price": "abc"}):
        response = await http.post("/sim/price", json=body)
        assert response.status_code == 400
        assert response.json()["ok"] is False
    unknown = await http.post("/sim/price", json={"symbol": "NOPE", "price": "1"})
    assert unknown.status_code == 404
    assert sim.exchange.state("005930").last == last


async def test_pause_resume_and_step_the_walk(http: httpx.AsyncClient, sim: Simulator) -> None:
    assert (await http.post("/sim/walk", json={"paused": False})).json()["walk_paused"] is False
    assert (await http.post("/sim/walk", json={"paused": True})).json()["walk_paused"] is True
    before = {i: sim.exchange.state(i).last for i in ("005930", "AAPL", "000660", "NVDA")}
    trades = (await http.post("/sim/step", json={"count": 30})).json()["trades"]
    assert trades > 0
    after = {i: sim.exchange.state(i).last for i in before}
    assert after != before
    assert (await http.post("/sim/walk", json={})).status_code == 400


async def test_faults_fail_the_next_n_requests_of_a_tr(
    http: httpx.AsyncClient, virtual: RawKis
) -> None:
    response = await http.post(
        "/sim/faults",
        json={
            "tr_id": "FHKST01010100",
            "count": 2,
            "status": 500,
            "msg_cd": "EGW00201",
            "msg1": "초당 거래건수를 초과하였습니다.",
        },
    )
    assert response.json()["ok"] is True
    for _ in range(2):
        failed = await virtual.get(PRICE, "FHKST01010100", SAMSUNG)
        assert failed.status_code == 500
        assert failed.json() == {
            "rt_cd": "1",
            "msg_cd": "EGW00201",
            "msg1": "초당 거래건수를 초과하였습니다.",
        }
    body = await virtual.ok(PRICE, "FHKST01010100", SAMSUNG)
    assert body["output"]["stck_prpr"] != "0"


async def test_fault_on_every_tr_and_clearing(http: httpx.AsyncClient, virtual: RawKis) -> None:
    await http.post(
        "/sim/faults", json={"tr_id": "*", "count": 5, "status": 503, "msg_cd": "EGW00500"}
    )
    assert (await virtual.get(PRICE, "FHKST01010100", SAMSUNG)).status_code == 503
    await http.delete("/sim/faults")
    assert (await virtual.get(PRICE, "FHKST01010100", SAMSUNG)).status_code == 200


async def test_latency_delays_a_tr(http: httpx.AsyncClient, virtual: RawKis) -> None:
    await http.post("/sim/latency", json={"seconds": 0.05, "tr_id": "FHKST01010100"})
    started = time.monotonic()
    await virtual.ok(PRICE, "FHKST01010100", SAMSUNG)
    assert time.monotonic() - started >= 0.05
    bad = await http.post("/sim/latency", json={"seconds": -1})
    assert bad.status_code == 400


async def test_account_read_shows_cash_and_holdings(
    http: httpx.AsyncClient, sim: Simulator
) -> None:
    ex = sim.exchange
    acct = ex.account("virtual", "51234567", "01")
    order = ex.place_order(acct, "005930", Side.BUY, "01", 2, Decimal(0), appkey="x" * 36)
    body = (await http.get("/sim/accounts/51234567-01", params={"env": "virtual"})).json()
    assert body["account"] == "51234567-01"
    assert body["holdings"] == [
        {
            "symbol": "005930",
            "qty": 2,
            "avg_price": str(acct.holdings["005930"].avg_price),
            "cost": str(order.filled_amount),
            "sellable": 2,
            "last": str(ex.state("005930").last),
        }
    ]
    fee = sum(f.fee for f in order.fills)
    assert Decimal(body["krw"]["settled"]) == Decimal(100_000_000) - order.filled_amount - fee
    assert body["usd"]["cash"] == "100000"


async def test_clock_moves_and_expires_tokens(http: httpx.AsyncClient, virtual: RawKis) -> None:
    moved = await http.post("/sim/clock", json={"advance": 86_401})
    assert moved.json()["ok"] is True
    expired = await virtual.get(PRICE, "FHKST01010100", SAMSUNG)
    assert expired.json()["msg_cd"] == "EGW00123"


async def test_market_hours_mode_switch(http: httpx.AsyncClient, sim: Simulator) -> None:
    response = await http.post("/sim/market-hours", json={"mode": "real"})
    assert response.json()["market_hours"] == "real"
    assert sim.exchange.market_hours == "real"
    assert (await http.post("/sim/market-hours", json={"mode": "sometimes"})).status_code == 400


async def test_stats_count_token_issues_per_key(http: httpx.AsyncClient, sim: Simulator) -> None:
    kis = await RawKis(http).login()
    sim.clock.advance(61)
    await kis.issue_token()  # reissue within 6 h: same token, counted as a request
    await kis.issue_token()  # inside the window: throttled
    stats = (await http.get("/sim/stats")).json()["keys"][_mask(kis.appkey)]
    assert stats["token_requests"] == 2
    assert stats["tokens_minted"] == 1
    assert stats["throttled"] == 1
