"""Overseas (US) account and order endpoints over the wire."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from kisbot.sim.app import Simulator
from tests.kisraw import RawKis

TRADING = "/uapi/overseas-stock/v1/trading"
ORDER = f"{TRADING}/order"
RVSECNCL = f"{TRADING}/order-rvsecncl"
BALANCE = f"{TRADING}/inquire-balance"
PRESENT = f"{TRADING}/inquire-present-balance"
CCNL = f"{TRADING}/inquire-ccnl"
NCCS = f"{TRADING}/inquire-nccs"
PSAMOUNT = f"{TRADING}/inquire-psamount"

COMMISSION = Decimal("0.0025")
USD_KRW = Decimal("1380.50")
START_USD = Decimal(100_000)
CENT = Decimal("0.01")


def fee(amount: Decimal) -> Decimal:
    return (amount * COMMISSION).quantize(CENT, rounding=ROUND_DOWN)


def won(usd: Decimal) -> str:
    return str((usd * USD_KRW).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def tr(kis: RawKis, real_id: str) -> str:
    return "V" + real_id[1:] if kis.env == "virtual" else real_id


def sell_tr(kis: RawKis) -> str:
    return "VTTT1001U" if kis.env == "virtual" else "TTTT1006U"


def order_body(
    kis: RawKis, pdno: str, qty: int, price: str, excg: str = "NASD", **extra: str
) -> dict[str, str]:
    fields = {
        "OVRS_EXCG_CD": excg,
        "PDNO": pdno,
        "ORD_QTY": str(qty),
        "OVRS_ORD_UNPR": price,
        "CTAC_TLNO": "",
        "MGCO_APTM_ODNO": "",
        "SLL_TYPE": "",
        "ORD_SVR_DVSN_CD": "0",
        "ORD_DVSN": "00",
    }
    return kis.acct(**{**fields, **extra})


async def place(kis: RawKis, tr_id: str, pdno: str, qty: int, price: str, **extra: str) -> str:
    """An order that must be accepted; returns its ODNO."""
    data = await kis.post_ok(ORDER, tr_id, order_body(kis, pdno, qty, price, **extra))
    odno = str(data["output"]["ODNO"])
    assert len(odno) == 10
    return odno


async def revise(
    kis: RawKis, odno: str, *, cancel: bool, qty: int = 0, price: str = "0"
) -> dict[str, Any]:
    body = kis.acct(
        OVRS_EXCG_CD="NASD",
        PDNO="AAPL",
        ORGN_ODNO=odno,
        RVSE_CNCL_DVSN_CD="02" if cancel else "01",
        ORD_QTY=str(qty),
        OVRS_ORD_UNPR=price,
        MGCO_APTM_ODNO="",
        ORD_SVR_DVSN_CD="0",
    )
    return await kis.post_ok(RVSECNCL, tr(kis, "TTTT1004U"), body)


async def present(kis: RawKis, currency: str = "02") -> dict[str, Any]:
    params = kis.acct(WCRC_FRCR_DVSN_CD=currency, NATN_CD="000", TR_MKET_CD="00", INQR_DVSN_CD="00")
    return await kis.ok(PRESENT, tr(kis, "CTRP6504R"), params)


async def holdings(kis: RawKis, excg: str = "NASD") -> list[dict[str, str]]:
    params = kis.acct(OVRS_EXCG_CD=excg, TR_CRCY_CD="USD", CTX_AREA_FK200="", CTX_AREA_NK200="")
    body = await kis.ok(BALANCE, tr(kis, "TTTS3012R"), params)
    assert len(body["ctx_area_nk200"]) == 200
    rows: list[dict[str, str]] = body["output1"]
    return rows


async def open_orders(kis: RawKis) -> list[dict[str, str]]:
    params = kis.acct(OVRS_EXCG_CD="NASD", SORT_SQN="DS", CTX_AREA_FK200="", CTX_AREA_NK200="")
    rows: list[dict[str, str]] = (await kis.ok(NCCS, tr(kis, "TTTS3018R"), params))["output"]
    return rows


async def executions(kis: RawKis) -> list[dict[str, str]]:
    params = kis.acct(
        PDNO="",
        ORD_STRT_DT="20000101",
        ORD_END_DT="29991231",
        SLL_BUY_DVSN="00",
        CCLD_NCCS_DVSN="00",
        OVRS_EXCG_CD="",
        SORT_SQN="DS",
        ORD_DT="",
        ORD_GNO_BRNO="",
        ODNO="",
        CTX_AREA_NK200="",
        CTX_AREA_FK200="",
    )
    rows: list[dict[str, str]] = (await kis.ok(CCNL, tr(kis, "TTTS3035R"), params))["output"]
    return rows


async def psamount(kis: RawKis, price: str) -> dict[str, str]:
    params = kis.acct(OVRS_EXCG_CD="NASD", OVRS_ORD_UNPR=price, ITEM_CD="AAPL")
    out: dict[str, str] = (await kis.ok(PSAMOUNT, tr(kis, "TTTS3007R"), params))["output"]
    return out


def assert_refused(data: dict[str, Any], msg_cd: str) -> None:
    assert (data["rt_cd"], data["msg_cd"]) == ("1", msg_cd), data


# ------------------------------------------------------------------------------------ tests


async def test_aapl_buy_moves_usd_cash_by_amount_plus_commission(
    virtual: RawKis, sim: Simulator
) -> None:
    sim.exchange.trade("AAPL", Decimal("200.00"))
    assert (await present(virtual))["output2"][0]["frcr_dncl_amt_2"] == "100000.00"
    placed = await virtual.post_ok(ORDER, "VTTT1002U", order_body(virtual, "AAPL", 10, "200.01"))
    assert (placed["msg_cd"], placed["msg1"]) == (
        "40600000",
        "모의투자 매수주문이 완료 되었습니다.",
    )
    amount = Decimal("200.01") * 10
    cash = START_USD - amount - fee(amount)
    assert cash == Decimal("97994.90")

    body = await present(virtual)
    [stock], [usd] = body["output1"], body["output2"]
    assert (usd["crcy_cd"], usd["frcr_dncl_amt_2"], usd["frcr_drwg_psbl_amt_1"]) == (
        "USD",
        "97994.90",
        "97994.90",
    )
    assert (stock["pdno"], stock["ccld_qty_smtl1"], stock["ord_psbl_qty1"]) == (
        "AAPL",
        "10.00000000",
        "10.00000000",
    )
    assert (stock["frcr_pchs_amt"], stock["avg_unpr3"], stock["ovrs_excg_cd"]) == (
        "2000.10000",
        "200.0100",
        "NASD",
    )
    krw = await present(virtual, "01")
    assert krw["output1"][0]["frcr_pchs_amt"] == f"{amount * USD_KRW:.5f}"
    totals = krw["output3"]
    assert (totals["pchs_amt_smtl"], totals["evlu_amt_smtl"]) == (
        won(amount),
        won(Decimal(2000)),
    )
    assert totals["frcr_evlu_tota"] == won(cash)
    assert totals["dncl_amt"] == "100000000"

    [row] = await holdings(virtual)
    assert (row["ovrs_pdno"], row["ovrs_cblc_qty"], row["ord_psbl_qty"]) == ("AAPL", "10", "10")
    assert (row["pchs_avg_pric"], row["now_pric2"], row["frcr_pchs_amt1"]) == (
        "200.0100",
        "200.000000",
        "2000.10000",
    )
    assert row["frcr_evlu_pfls_amt"] == "-0.100000"
    assert (await psamount(virtual, "200.01"))["ord_psbl_frcr_amt"] == "97994.90"


async def test_virtual_us_sell_is_vttt1001u(virtual: RawKis, sim: Simulator) -> None:
    sim.exchange.trade("AAPL", Decimal("200.00"))
    await place(virtual, "VTTT1002U", "AAPL", 10, "200.01")
    refused = await virtual.post(ORDER, "VTTT1006U", order_body(virtual, "AAPL", 4, "200.00"))
    assert (refused.status_code, refused.json()["msg_cd"]) == (500, "OPSQ0002")

    sold = await virtual.post_ok(ORDER, "VTTT1001U", order_body(virtual, "AAPL", 4, "200.00"))
    assert sold["msg_cd"] == "40590000"
    cash = START_USD - Decimal("2000.10") - fee(Decimal("2000.10"))
    cash += Decimal("800.00") - fee(Decimal("800.00"))
    assert (await present(virtual))["output2"][0]["frcr_dncl_amt_2"] == str(cash)
    [row] = await holdings(virtual)
    assert row["ovrs_cblc_qty"] == "6"
    rows = await executions(virtual)
    assert [(r["sll_buy_dvsn_cd"], r["ft_ccld_qty"], r["prcs_stat_name"]) for r in rows] == [
        ("02", "10", "완료"),
        ("01", "4", "완료"),
    ]
    assert rows[1]["ft_ccld_amt3"] == "800.00000"


async def test_the_exchange_code_must_be_the_instrument_venue(
    virtual: RawKis, sim: Simulator
) -> None:
    refused = await virtual.post(
        ORDER, "VTTT1002U", order_body(virtual, "AAPL", 1, "200.00", "NYSE")
    )
    assert_refused(refused.json(), "APBK0656")
    refused = await virtual.post(ORDER, "VTTT1002U", order_body(virtual, "CPNG", 1, "24.00"))
    assert_refused(refused.json(), "APBK0656")
    await place(virtual, "VTTT1002U", "CPNG", 1, "24.00", OVRS_EXCG_CD="NYSE")
    assert [o.inst.symbol for o in sim.exchange.orders()] == ["CPNG"]


async def test_nasd_is_all_of_the_us_on_real_and_nasdaq_on_virtual(
    real: RawKis, virtual: RawKis, sim: Simulator
) -> None:
    sim.exchange.trade("CPNG", Decimal("24.00"))
    sim.exchange.trade("AAPL", Decimal("200.00"))
    for kis in (real, virtual):
        buy = tr(kis, "TTTT1002U")
        await place(kis, buy, "AAPL", 1, "200.01")
        await place(kis, buy, "CPNG", 2, "24.01", OVRS_EXCG_CD="NYSE")
    assert [r["ovrs_pdno"] for r in await holdings(real)] == ["AAPL", "CPNG"]
    assert [r["ovrs_pdno"] for r in await holdings(virtual)] == ["AAPL"]
    assert [r["ovrs_pdno"] for r in await holdings(virtual, "NYSE")] == ["CPNG"]
    assert await holdings(real, "SEHK") == []


async def test_modify_and_cancel_show_in_nccs_and_ccnl(virtual: RawKis, sim: Simulator) -> None:
    sim.exchange.trade("AAPL", Decimal("200.00"))
    first = await place(virtual, "VTTT1002U", "AAPL", 5, "190.00")
    [row] = await open_orders(virtual)
    assert (row["odno"], row["nccs_qty"], row["ft_ord_unpr3"]) == (first, "5", "190.00000000")
    free = START_USD - Decimal(950) - fee(Decimal(950))
    assert (await psamount(virtual, "190"))["ord_psbl_frcr_amt"] == str(free)

    modified = await revise(virtual, first, cancel=False, qty=5, price="191.00")
    assert modified["msg_cd"] == "40610000"
    second = modified["output"]["ODNO"]
    [row] = await open_orders(virtual)
    assert (row["odno"], row["orgn_odno"], row["rvse_cncl_dvsn_cd"]) == (second, first, "01")
    assert row["ft_ord_unpr3"] == "191.00000000"

    cancelled = await revise(virtual, second, cancel=True)
    third = cancelled["output"]["ODNO"]
    assert await open_orders(virtual) == []
    rows = await executions(virtual)
    assert [(r["odno"], r["orgn_odno"], r["rvse_cncl_dvsn"]) for r in rows] == [
        (first, "", "00"),
        (second, first, "01"),
        (third, second, "02"),
    ]
    assert (await psamount(virtual, "190"))["ord_psbl_frcr_amt"] == "100000.00"


async def test_bad_overseas_requests_change_nothing(virtual: RawKis, sim: Simulator) -> None:
    cases: list[tuple[dict[str, str], str]] = [
        ({"OVRS_ORD_UNPR": "abc"}, "OPSQ2002"),
        ({"OVRS_ORD_UNPR": "200.015"}, "APBK0506"),  # sub-penny above $1
        ({"OVRS_ORD_UNPR": "-200"}, "OPSQ2002"),
        ({"ORD_QTY": "1.5"}, "OPSQ2002"),
        ({"ORD_QTY": "0"}, "APBK0510"),
        ({"ORD_DVSN": "32"}, "APBK0511"),  # LOO is real-only
        ({"ORD_DVSN": "01"}, "APBK0511"),  # no plain market order abroad
        ({"PDNO": "ZZZZ"}, "APBK0656"),
        ({"PDNO": "005930"}, "APBK0656"),
        ({"OVRS_EXCG_CD": ""}, "OPSQ2001"),
    ]
    for change, msg_cd in cases:
        body = {**order_body(virtual, "AAPL", 1, "200.00"), **change}
        assert_refused((await virtual.post(ORDER, "VTTT1002U", body)).json(), msg_cd)
    unknown = await virtual.post(
        RVSECNCL,
        "VTTT1004U",
        virtual.acct(
            OVRS_EXCG_CD="NASD",
            PDNO="AAPL",
            ORGN_ODNO="0000099999",
            RVSE_CNCL_DVSN_CD="02",
            ORD_QTY="0",
            OVRS_ORD_UNPR="0",
        ),
    )
    assert_refused(unknown.json(), "APBK0656")
    assert sim.exchange.orders() == []


async def test_buying_power_and_period_profit(real: RawKis, sim: Simulator) -> None:
    sim.exchange.trade("AAPL", Decimal("200.00"))
    power = await psamount(real, "200.01")
    # 498 shares and their commission fit in $100,000; 499 would not
    assert (power["max_ord_psbl_qty"], power["ord_psbl_qty"]) == ("498", "498")
    assert power["exrt"] == "1380.5000000000"

    await place(real, "TTTT1002U", "AAPL", 10, "200.01")
    sim.exchange.trade("AAPL", Decimal("210.00"))
    sold = await real.post_ok(ORDER, "TTTT1006U", order_body(real, "AAPL", 10, "210.00"))
    assert sold["msg_cd"] == "APBK0013"
    gain = Decimal("2100.00") - Decimal("2000.10") - fee(Decimal("2100.00"))
    day = sim.clock.now().strftime("%Y%m%d")
    params = real.acct(
        OVRS_EXCG_CD="NASD",
        NATN_CD="",
        CRCY_CD="USD",
        PDNO="",
        INQR_STRT_DT=day,
        INQR_END_DT=day,
        WCRC_FRCR_DVSN_CD="01",
        CTX_AREA_FK200="",
        CTX_AREA_NK200="",
    )
    body = await real.ok(f"{TRADING}/inquire-period-profit", "TTTS3039R", params)
    [row] = body["output1"]
    assert (row["ovrs_pdno"], row["slcl_qty"], row["ovrs_rlzt_pfls_amt"]) == (
        "AAPL",
        "10",
        str(gain),
    )
    assert (row["pchs_avg_pric"], row["avg_sll_unpr"]) == ("200.0100", "210.0000")
    assert body["output2"]["ovrs_rlzt_pfls_tot_amt"] == str(gain)
    params["WCRC_FRCR_DVSN_CD"] = "02"
    body = await real.ok(f"{TRADING}/inquire-period-profit", "TTTS3039R", params)
    assert body["output2"]["ovrs_rlzt_pfls_tot_amt"] == won(gain)
