"""The simulator issue's "done when", end to end over real loopback sockets.

A client that knows only ../shared/kis-reference.md (raw httpx and websockets, no kisbot
client code) can do everything a KIS user does and gets the documented errors.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

import httpx
import pytest
from websockets.asyncio.client import connect

from kisbot.sim.config import SimSettings
from kisbot.sim.server import SimServer
from kisbot.sim.universe import UNIVERSE
from tests.kisraw import RawKis
from tests.wsraw import ask, recv_frame, subscribe

PRICE = "/uapi/domestic-stock/v1/quotations/inquire-price"
US_PRICE = "/uapi/overseas-price/v1/quotations/price"
DAILY = "/uapi/domestic-stock/v1/quotations/inquire-daily-itemchartprice"
ORDER = "/uapi/domestic-stock/v1/trading/order-cash"
REVISE = "/uapi/domestic-stock/v1/trading/order-rvsecncl"
CCLD = "/uapi/domestic-stock/v1/trading/inquire-daily-ccld"
PENDING = "/uapi/domestic-stock/v1/trading/inquire-psbl-rvsecncl"
BALANCE = "/uapi/domestic-stock/v1/trading/inquire-balance"
SAMSUNG = {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"}
FEE = Decimal("0.00015")
TAX = Decimal("0.0020")


@pytest.fixture
async def rest(sim_server: SimServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sim_server.rest_url, timeout=10) as client:
        yield client


def _order_body(kis: RawKis, dvsn: str, qty: int, price: Decimal | int) -> dict[str, str]:
    return kis.acct(
        PDNO="005930",
        ORD_DVSN=dvsn,
        ORD_QTY=str(qty),
        ORD_UNPR=str(price),
        EXCG_ID_DVSN_CD="KRX",
        SLL_TYPE="",
        CNDT_PRIC="",
    )


def _ccld_params(kis: RawKis, ccld: str = "00") -> dict[str, str]:
    today = date.today().strftime("%Y%m%d")
    return kis.acct(
        INQR_STRT_DT=today,
        INQR_END_DT=today,
        SLL_BUY_DVSN_CD="00",
        PDNO="",
        CCLD_DVSN=ccld,
        INQR_DVSN="00",
        INQR_DVSN_3="00",
        ORD_GNO_BRNO="",
        ODNO="",
        INQR_DVSN_1="",
        CTX_AREA_FK100="",
        CTX_AREA_NK100="",
    )


def _revise_body(
    kis: RawKis, orgno: str, odno: str, kind: str, price: Decimal | int
) -> dict[str, str]:
    """order-rvsecncl: kind "01" modifies all that remains to `price`, "02" cancels it."""
    return kis.acct(
        KRX_FWDG_ORD_ORGNO=orgno,
        ORGN_ODNO=odno,
        ORD_DVSN="00",
        RVSE_CNCL_DVSN_CD=kind,
        ORD_QTY="0",
        ORD_UNPR=str(price),
        QTY_ALL_ORD_YN="Y",
        EXCG_ID_DVSN_CD="KRX",
    )


async def test_issue_and_reuse_a_token(rest: httpx.AsyncClient, sim_server: SimServer) -> None:
    kis = await RawKis(rest).login()
    throttled = await kis.issue_token()
    assert throttled.status_code == 403
    assert throttled.json()["error_code"] == "EGW00133"
    sim_server.sim.clock.advance(61)
    again = await kis.issue_token()
    assert again.json()["access_token"] == kis.token


async def test_quote_005930_and_aapl(rest: httpx.AsyncClient, sim_server: SimServer) -> None:
    kis = await RawKis(rest, env="real", account="60000000-01").login()
    ex = sim_server.sim.exchange
    body = await kis.ok(PRICE, "FHKST01010100", SAMSUNG)
    assert body["msg_cd"] == "MCA00000"
    assert body["output"]["stck_prpr"] == str(ex.state("005930").last)
    assert body["output"]["aspr_unit"] == str(ex.state("005930").tick)
    us = await kis.ok(US_PRICE, "HHDFS00000300", {"AUTH": "", "EXCD": "NAS", "SYMB": "AAPL"})
    assert us["output"]["rsym"] == "DNASAAPL"
    assert Decimal(us["output"]["last"]) == ex.state("AAPL").last
    assert len(us["output"]["last"].split(".")[1]) == 4


async def test_page_through_two_years_of_daily_bars(rest: httpx.AsyncClient) -> None:
    kis = await RawKis(rest).login()
    start = date.today() - timedelta(days=730)
    end = date.today()
    seen: list[str] = []
    for _ in range(20):
        body = await kis.ok(
            DAILY,
            "FHKST03010100",
            {
                **SAMSUNG,
                "FID_INPUT_DATE_1": start.strftime("%Y%m%d"),
                "FID_INPUT_DATE_2": end.strftime("%Y%m%d"),
                "FID_PERIOD_DIV_CODE": "D",
                "FID_ORG_ADJ_PRC": "0",
            },
        )
        rows = [r for r in body["output2"] if r]
        assert len(rows) <= 100
        if not rows:
            break
        seen += [r["stck_bsop_date"] for r in rows]
        oldest = date(int(seen[-1][:4]), int(seen[-1][4:6]), int(seen[-1][6:]))
        end = oldest - timedelta(days=1)
    assert len(seen) == len(set(seen))
    assert seen == sorted(seen, reverse=True)
    assert len(seen) >= 480  # about 245 trading days a year
    assert seen[-1] >= start.strftime("%Y%m%d")


async def test_place_modify_cancel_and_see_them_in_pending_and_daily_orders(
    rest: httpx.AsyncClient, sim_server: SimServer
) -> None:
    kis = await RawKis(rest, env="real", account="60000001-01").login()
    last = sim_server.sim.exchange.state("005930").last
    placed = await kis.post_ok(ORDER, "TTTC0012U", _order_body(kis, "00", 3, last - 1_000))
    odno = placed["output"]["ODNO"]
    orgno = placed["output"]["KRX_FWDG_ORD_ORGNO"]
    assert len(odno) == 10
    pending = await kis.ok(
        PENDING,
        "TTTC0084R",
        kis.acct(INQR_DVSN_1="0", INQR_DVSN_2="0", CTX_AREA_FK100="", CTX_AREA_NK100=""),
    )
    assert [(r["odno"], r["psbl_qty"]) for r in pending["output"]] == [(odno, "3")]

    modified = await kis.post_ok(
        REVISE,
        "TTTC0013U",
        _revise_body(kis, orgno, odno, "01", last - 1_500),
    )
    new_odno = modified["output"]["ODNO"]
    assert new_odno != odno
    open_rows = (await kis.ok(CCLD, "TTTC0081R", _ccld_params(kis, "02")))["output1"]
    assert [(r["odno"], r["orgn_odno"], r["ord_unpr"]) for r in open_rows] == [
        (new_odno, odno, str(last - 1_500))
    ]

    cancelled = await kis.post_ok(
        REVISE,
        "TTTC0013U",
        _revise_body(kis, orgno, new_odno, "02", 0),
    )
    cancel_odno = cancelled["output"]["ODNO"]
    rows = (await kis.ok(CCLD, "TTTC0081R", _ccld_params(kis)))["output1"]
    links = {r["odno"]: r["orgn_odno"] for r in rows}
    assert links[new_odno] == odno
    assert links[cancel_odno] == new_odno
    assert (await kis.ok(CCLD, "TTTC0081R", _ccld_params(kis, "02")))["output1"] == []
    controls = (await rest.get("/sim/orders", params={"env": "real"})).json()["orders"]
    assert {o["odno"]: o["status"] for o in controls} == {
        odno: "replaced",
        new_odno: "cancelled",
        cancel_odno: "done",
    }


async def test_market_buy_then_sell_moves_cash_and_holdings_exactly(
    rest: httpx.AsyncClient,
) -> None:
    kis = await RawKis(rest, account="50000002-01").login()
    before = (await kis.ok(BALANCE, "VTTC8434R", kis.balance_params()))["output2"][0]
    settled = Decimal(before["prvs_rcdl_excc_amt"])
    await kis.post_ok(ORDER, "VTTC0012U", _order_body(kis, "01", 7, 0))
    fill = (await kis.ok(CCLD, "VTTC0081R", _ccld_params(kis, "01")))["output1"][0]
    amount = Decimal(fill["tot_ccld_amt"])
    assert fill["tot_ccld_qty"] == "7"
    fee = (amount * FEE).quantize(Decimal(1), rounding=ROUND_DOWN)
    after = await kis.ok(BALANCE, "VTTC8434R", kis.balance_params())
    (holding,) = after["output1"]
    assert (holding["pdno"], holding["hldg_qty"]) == ("005930", "7")
    assert Decimal(holding["pchs_amt"]) == amount
    assert Decimal(after["output2"][0]["prvs_rcdl_excc_amt"]) == settled - amount - fee
    assert after["output2"][0]["dnca_tot_amt"] == before["dnca_tot_amt"]  # D+2: deposit waits

    await kis.post_ok(ORDER, "VTTC0011U", {**_order_body(kis, "01", 7, 0), "SLL_TYPE": "01"})
    rows = (await kis.ok(CCLD, "VTTC0081R", _ccld_params(kis, "01")))["output1"]
    sold = Decimal(next(r for r in rows if r["sll_buy_dvsn_cd"] == "01")["tot_ccld_amt"])
    sell_costs = (sold * FEE).quantize(Decimal(1), rounding=ROUND_DOWN) + (sold * TAX).quantize(
        Decimal(1), rounding=ROUND_DOWN
    )
    final = await kis.ok(BALANCE, "VTTC8434R", kis.balance_params())
    assert Decimal(final["output2"][0]["prvs_rcdl_excc_amt"]) == (
        settled - amount - fee + sold - sell_costs
    )
    assert all(r["hldg_qty"] == "0" for r in final["output1"])


async def test_prices_and_an_encrypted_fill_notice_over_the_websocket(
    rest: httpx.AsyncClient, sim_server: SimServer
) -> None:
    kis = await RawKis(rest, account="50000003-01").login()
    approval = await kis.approval_key()
    async with connect(sim_server.vts_ws_url + "/tryitout", ping_interval=None) as ws:
        await subscribe(ws, approval, "H0STCNT0", "005930")
        key, iv = await subscribe(ws, approval, "H0STCNI9", "myhtsid")
        await rest.post("/sim/price", json={"symbol": "005930", "price": "70500"})
        frame = await recv_frame(ws)
        (record,) = frame.records(46)
        assert (frame.tr_id, record[0], record[2]) == ("H0STCNT0", "005930", "70500")

        placed = await kis.post_ok(ORDER, "VTTC0012U", _order_body(kis, "00", 2, 70_000))
        receipt = await recv_frame(ws)
        fields = receipt.notice(key, iv)
        assert len(fields) == 26
        assert (fields[2], fields[13], fields[9]) == (placed["output"]["ODNO"], "1", "2")
        await rest.post("/sim/price", json={"symbol": "005930", "price": "70000"})
        fill = None
        for _ in range(3):  # the trade's own H0STCNT0 frame comes first
            frame = await recv_frame(ws)
            if frame.tr_id == "H0STCNI9":
                fill = frame.notice(key, iv)
                break
        assert fill is not None
        assert (fill[13], fill[9], fill[10]) == ("2", "2", "70000")


async def test_documented_errors(rest: httpx.AsyncClient, sim_server: SimServer) -> None:
    kis = await RawKis(rest).login()
    bad_token = RawKis(rest, appkey=kis.appkey, appsecret=kis.appsecret, token="nope")
    response = await bad_token.get(PRICE, "FHKST01010100", SAMSUNG)
    assert (response.status_code, response.json()["msg_cd"]) == (500, "EGW00121")
    bad_tr = await kis.get(PRICE, "FHKST99999999", SAMSUNG)
    assert (bad_tr.status_code, bad_tr.json()["msg_cd"]) == (500, "OPSQ0002")
    real_only = await kis.get(
        "/uapi/domestic-stock/v1/trading/inquire-psbl-sell", "TTTC8408R", kis.acct(PDNO="005930")
    )
    assert real_only.json()["msg_cd"] == "OPSQ0002"

    approval = await kis.approval_key()
    async with connect(sim_server.vts_ws_url, ping_interval=None) as ws:
        symbols = [i.symbol for i in UNIVERSE if i.domestic][:21]
        replies = []
        for symbol in symbols:
            replies.append(await ask(ws, approval, "H0STCNT0", symbol))
            replies.append(await ask(ws, approval, "H0STASP0", symbol))
        codes = [r["body"]["msg_cd"] for r in replies]
        assert codes[:41] == ["OPSP0000"] * 41
        assert codes[41] == "OPSP0008"


async def test_the_virtual_rate_limit_is_egw00201() -> None:
    settings = SimSettings(seed=7, walk=False, tick_interval=0, rate_virtual=2)
    async with (
        SimServer(settings) as server,
        httpx.AsyncClient(base_url=server.rest_url, timeout=10) as client,
    ):
        kis = await RawKis(client).login()
        answers = [await kis.get(PRICE, "FHKST01010100", SAMSUNG) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 500]
    assert answers[2].json() == {
        "rt_cd": "1",
        "msg_cd": "EGW00201",
        "msg1": "초당 거래건수를 초과하였습니다.",
    }
