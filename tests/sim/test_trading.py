"""Domestic account and order endpoints over the wire: orders, ledger, balances, profit."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

import httpx

from kisbot.sim.app import Simulator
from kisbot.sim.universe import UNIVERSE
from tests.kisraw import RawKis

TRADING = "/uapi/domestic-stock/v1/trading"
ORDER_CASH = f"{TRADING}/order-cash"
RVSECNCL = f"{TRADING}/order-rvsecncl"
BALANCE = f"{TRADING}/inquire-balance"
CCLD = f"{TRADING}/inquire-daily-ccld"
PSBL_ORDER = f"{TRADING}/inquire-psbl-order"
PSBL_RVSECNCL = f"{TRADING}/inquire-psbl-rvsecncl"

COMMISSION = Decimal("0.00015")
SELL_TAX = Decimal("0.0020")
START_KRW = 100_000_000

BALANCE_ROW_KEYS = {
    "pdno", "prdt_name", "trad_dvsn_name", "bfdy_buy_qty", "bfdy_sll_qty", "thdt_buyqty",
    "thdt_sll_qty", "hldg_qty", "ord_psbl_qty", "pchs_avg_pric", "pchs_amt", "prpr", "evlu_amt",
    "evlu_pfls_amt", "evlu_pfls_rt", "evlu_erng_rt", "loan_dt", "loan_amt", "stln_slng_chgs",
    "expd_dt", "fltt_rt", "bfdy_cprs_icdc", "item_mgna_rt_name", "grta_rt_name", "sbst_pric",
    "stck_loan_unpr",
}  # fmt: skip
BALANCE_SUMMARY_KEYS = {
    "dnca_tot_amt", "nxdy_excc_amt", "prvs_rcdl_excc_amt", "cma_evlu_amt", "bfdy_buy_amt",
    "thdt_buy_amt", "nxdy_auto_rdpt_amt", "bfdy_sll_amt", "thdt_sll_amt", "d2_auto_rdpt_amt",
    "bfdy_tlex_amt", "thdt_tlex_amt", "tot_loan_amt", "scts_evlu_amt", "tot_evlu_amt", "nass_amt",
    "fncg_gld_auto_rdpt_yn", "pchs_amt_smtl_amt", "evlu_amt_smtl_amt", "evlu_pfls_smtl_amt",
    "tot_stln_slng_chgs", "bfdy_tot_asst_evlu_amt", "asst_icdc_amt", "asst_icdc_erng_rt",
}  # fmt: skip


def tr(kis: RawKis, real_id: str) -> str:
    """The TR ID for the client's environment (V-prefixed on virtual)."""
    return "V" + real_id[1:] if kis.env == "virtual" else real_id


def fee(amount: int) -> int:
    return int((amount * COMMISSION).quantize(Decimal(1), rounding=ROUND_DOWN))


def tax(amount: int) -> int:
    return int((amount * SELL_TAX).quantize(Decimal(1), rounding=ROUND_DOWN))


def today(sim: Simulator) -> str:
    return sim.clock.now().strftime("%Y%m%d")


def order_body(kis: RawKis, pdno: str, qty: int, price: int = 0, **extra: str) -> dict[str, str]:
    """An order-cash body: market when no price, limit (00) otherwise."""
    fields = {
        "PDNO": pdno,
        "ORD_DVSN": "00" if price else "01",
        "ORD_QTY": str(qty),
        "ORD_UNPR": str(price),
        "EXCG_ID_DVSN_CD": "KRX",
        "SLL_TYPE": "",
        "CNDT_PRIC": "",
    }
    return kis.acct(**{**fields, **extra})


async def buy(kis: RawKis, pdno: str, qty: int, price: int = 0, tr_id: str = "") -> str:
    """Place a buy that must be accepted; returns its ODNO."""
    body = order_body(kis, pdno, qty, price)
    data = await kis.post_ok(ORDER_CASH, tr_id or tr(kis, "TTTC0012U"), body)
    return str(data["output"]["ODNO"])


async def sell(kis: RawKis, pdno: str, qty: int, price: int = 0, tr_id: str = "") -> str:
    body = order_body(kis, pdno, qty, price, SLL_TYPE="01")
    data = await kis.post_ok(ORDER_CASH, tr_id or tr(kis, "TTTC0011U"), body)
    return str(data["output"]["ODNO"])


async def revise(
    kis: RawKis, odno: str, *, cancel: bool, price: int = 0, tr_id: str = ""
) -> dict[str, Any]:
    body = kis.acct(
        KRX_FWDG_ORD_ORGNO="",
        ORGN_ODNO=odno,
        ORD_DVSN="00",
        RVSE_CNCL_DVSN_CD="02" if cancel else "01",
        ORD_QTY="0",
        ORD_UNPR=str(price),
        QTY_ALL_ORD_YN="Y",
        EXCG_ID_DVSN_CD="KRX",
    )
    response = await kis.post(RVSECNCL, tr_id or tr(kis, "TTTC0013U"), body)
    data: dict[str, Any] = response.json()
    return data


async def balance(kis: RawKis, path: str = BALANCE, tr_id: str = "") -> dict[str, Any]:
    return await kis.ok(path, tr_id or tr(kis, "TTTC8434R"), kis.balance_params())


def ledger_params(kis: RawKis, sim: Simulator, **extra: str) -> dict[str, str]:
    """inquire-daily-ccld parameters for today, everything, newest first."""
    params = kis.acct(
        INQR_STRT_DT=today(sim),
        INQR_END_DT=today(sim),
        SLL_BUY_DVSN_CD="00",
        INQR_DVSN="00",
        PDNO="",
        CCLD_DVSN="00",
        ORD_GNO_BRNO="",
        ODNO="",
        INQR_DVSN_3="00",
        INQR_DVSN_1="",
        EXCG_ID_DVSN_CD="KRX",
        CTX_AREA_FK100="",
        CTX_AREA_NK100="",
    )
    params.update(extra)
    return params


async def ledger(kis: RawKis, sim: Simulator, tr_id: str = "", **extra: str) -> dict[str, Any]:
    return await kis.ok(CCLD, tr_id or tr(kis, "TTTC0081R"), ledger_params(kis, sim, **extra))


async def order_cash_left(kis: RawKis, pdno: str = "005930") -> str:
    params = kis.acct(
        PDNO=pdno, ORD_UNPR="0", ORD_DVSN="00", CMA_EVLU_AMT_ICLD_YN="N", OVRS_ICLD_YN="N"
    )
    data = await kis.ok(PSBL_ORDER, tr(kis, "TTTC8908R"), params)
    return str(data["output"]["ord_psbl_cash"])


async def pending(kis: RawKis) -> list[dict[str, str]]:
    params = kis.acct(CTX_AREA_FK100="", CTX_AREA_NK100="", INQR_DVSN_1="0", INQR_DVSN_2="0")
    data = await kis.ok(PSBL_RVSECNCL, "TTTC0084R", params)
    rows: list[dict[str, str]] = data["output"]
    return rows


def assert_refused(response: httpx.Response, msg_cd: str) -> None:
    body = response.json()
    assert response.status_code == 200, body
    assert body["rt_cd"] == "1", body
    assert body["msg_cd"] == msg_cd, body


# --------------------------------------------------------------------------- order lifecycle


async def test_limit_order_modify_and_cancel_are_linked_in_the_ledger(
    real: RawKis, sim: Simulator
) -> None:
    sim.exchange.trade("005930", Decimal(70_000))
    placed = await real.post_ok(ORDER_CASH, "TTTC0012U", order_body(real, "005930", 10, 65_000))
    assert placed["msg_cd"] == "APBK0013"
    assert set(placed["output"]) == {"KRX_FWDG_ORD_ORGNO", "ODNO", "ORD_TMD"}
    first = placed["output"]["ODNO"]
    assert len(first) == 10
    assert first.isdigit()
    assert len(placed["output"]["ORD_TMD"]) == 6
    assert await order_cash_left(real) == str(START_KRW - 650_000 - fee(650_000))

    open_rows = (await ledger(real, sim, CCLD_DVSN="02"))["output1"]
    assert [(r["odno"], r["rmn_qty"], r["ord_unpr"], r["tot_ccld_qty"]) for r in open_rows] == [
        (first, "10", "65000", "0")
    ]

    modified = await revise(real, first, cancel=False, price=66_000)
    assert modified["rt_cd"] == "0", modified
    second = modified["output"]["ODNO"]
    assert second != first
    [row] = await pending(real)
    assert (row["odno"], row["orgn_odno"], row["psbl_qty"], row["ord_unpr"]) == (
        second,
        first,
        "10",
        "66000",
    )
    assert row["rvse_cncl_dvsn_name"] == "매수정정*"

    cancelled = await revise(real, second, cancel=True)
    assert cancelled["rt_cd"] == "0", cancelled
    third = cancelled["output"]["ODNO"]
    rows = (await ledger(real, sim))["output1"]
    assert [(r["odno"], r["orgn_odno"], r["cncl_yn"], r["rmn_qty"]) for r in rows] == [
        (third, second, "Y", "0"),
        (second, first, "N", "0"),
        (first, "", "N", "0"),
    ]
    assert rows[1]["cnc_cfrm_qty"] == "10"
    assert (await ledger(real, sim, CCLD_DVSN="02"))["output1"] == []
    assert await pending(real) == []
    assert await order_cash_left(real) == str(START_KRW)
    assert_refused(
        await real.post(RVSECNCL, "TTTC0013U", {**real.acct(), "ORGN_ODNO": second}), "OPSQ2001"
    )
    again = await revise(real, second, cancel=True)
    assert again["msg_cd"] == "APBK0512"


async def test_market_buy_moves_holdings_and_cash_by_fill_plus_commission(
    virtual: RawKis, sim: Simulator
) -> None:
    sim.exchange.trade("005930", Decimal(70_000))
    ask = int(sim.exchange.book("005930").asks[0].price)
    before = await balance(virtual)
    assert before["output1"] == []
    assert before["output2"][0]["prvs_rcdl_excc_amt"] == str(START_KRW)

    placed = await virtual.post_ok(ORDER_CASH, "VTTC0012U", order_body(virtual, "005930", 10))
    assert (placed["msg_cd"], placed["msg1"]) == (
        "40600000",
        "모의투자 매수주문이 완료 되었습니다.",
    )
    amount = ask * 10
    left = START_KRW - amount - fee(amount)

    body = await balance(virtual)
    assert len(body["ctx_area_fk100"]) == len(body["ctx_area_nk100"]) == 100
    [row] = body["output1"]
    assert set(row) == BALANCE_ROW_KEYS
    assert isinstance(body["output2"], list)
    assert len(body["output2"]) == 1
    summary = body["output2"][0]
    assert set(summary) == BALANCE_SUMMARY_KEYS
    assert all(isinstance(v, str) for v in [*row.values(), *summary.values()])
    assert (row["pdno"], row["prdt_name"], row["hldg_qty"], row["ord_psbl_qty"]) == (
        "005930",
        "삼성전자",
        "10",
        "10",
    )
    assert (row["pchs_avg_pric"], row["pchs_amt"], row["thdt_buyqty"]) == (
        f"{ask}.0000",
        str(amount),
        "10",
    )
    assert (row["prpr"], row["evlu_amt"], row["evlu_pfls_amt"]) == (
        "70000",
        "700000",
        str(700_000 - amount),
    )
    assert summary["dnca_tot_amt"] == str(START_KRW)
    assert summary["nxdy_excc_amt"] == summary["prvs_rcdl_excc_amt"] == str(left)
    assert (summary["thdt_buy_amt"], summary["thdt_tlex_amt"]) == (str(amount), str(fee(amount)))
    assert summary["tot_evlu_amt"] == str(left + 700_000)
    assert await order_cash_left(virtual) == str(left)

    # evaluation follows the price
    sim.exchange.trade("005930", Decimal(72_000))
    [row] = (await balance(virtual))["output1"]
    pnl = 720_000 - amount
    assert (row["prpr"], row["evlu_amt"], row["evlu_pfls_amt"]) == ("72000", "720000", str(pnl))
    expected_rate = (Decimal(pnl) / amount * 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert row["evlu_pfls_rt"] == str(expected_rate)
    prev_close = sim.exchange.state("005930").prev_close
    assert int(row["bfdy_cprs_icdc"]) == 72_000 - int(prev_close)


async def test_sell_pays_tax_except_etfs_and_books_realized_profit(
    real: RawKis, sim: Simulator
) -> None:
    trades = {"005930": (70_000, 75_000), "069500": (35_000, 35_500)}
    bought: dict[str, int] = {}
    for pdno, (low, high) in trades.items():
        sim.exchange.trade(pdno, Decimal(low))
        bought[pdno] = int(sim.exchange.book(pdno).asks[0].price) * 10
        await buy(real, pdno, 10)
        sim.exchange.trade(pdno, Decimal(high))
        await sell(real, pdno, 10)  # a market sell takes the best bid: the last price

    stock_sale, etf_sale = 75_000 * 10, 35_500 * 10
    stock_gain = stock_sale - bought["005930"] - fee(stock_sale) - tax(stock_sale)
    etf_gain = etf_sale - bought["069500"] - fee(etf_sale)
    params = real.acct(
        INQR_STRT_DT=today(sim),
        INQR_END_DT=today(sim),
        SORT_DVSN="00",
        INQR_DVSN="00",
        CBLC_DVSN="00",
        PDNO="",
        CTX_AREA_FK100="",
        CTX_AREA_NK100="",
    )
    per_stock = await real.ok(f"{TRADING}/inquire-period-trade-profit", "TTTC8715R", params)
    rows = {r["pdno"]: r for r in per_stock["output1"]}
    assert (rows["005930"]["tl_tax"], rows["069500"]["tl_tax"]) == (str(tax(stock_sale)), "0")
    assert rows["005930"]["rlzt_pfls"] == str(stock_gain)
    assert rows["069500"]["rlzt_pfls"] == str(etf_gain)
    assert (rows["005930"]["sll_amt"], rows["005930"]["hldg_qty"]) == (str(stock_sale), "0")
    assert per_stock["output2"]["buyqty_smtl"] == "20"

    daily = await real.ok(f"{TRADING}/inquire-period-profit", "TTTC8708R", params)
    [day] = daily["output1"]
    fees = sum(fee(x) for x in (*bought.values(), stock_sale, etf_sale))
    assert (day["trad_dt"], day["rlzt_pfls"], day["tl_tax"], day["fee"]) == (
        today(sim),
        str(stock_gain + etf_gain),
        str(tax(stock_sale)),
        str(fees),
    )
    assert (day["sll_qty1"], day["buy_qty1"]) == ("20", "20")
    assert daily["output2"]["tot_rlzt_pfls"] == str(stock_gain + etf_gain)
    sold = stock_sale + etf_sale
    assert daily["output2"]["sll_excc_amt_smtl"] == str(
        sold - fee(stock_sale) - fee(etf_sale) - tax(stock_sale)
    )

    summary = (await balance(real))["output2"][0]
    costs = fees + tax(stock_sale)
    assert summary["prvs_rcdl_excc_amt"] == str(START_KRW + sold - sum(bought.values()) - costs)
    assert summary["thdt_tlex_amt"] == str(costs)
    rlz = await balance(real, f"{TRADING}/inquire-balance-rlz-pl", "TTTC8494R")
    assert {r["pdno"]: r["hldg_qty"] for r in rlz["output1"]} == {"005930": "0", "069500": "0"}
    assert rlz["output2"][0]["rlzt_pfls"] == str(sold - sum(bought.values()))


# ---------------------------------------------------------------------------------- refusals


async def test_no_cash_is_apbk0952_and_nothing_is_recorded(virtual: RawKis, sim: Simulator) -> None:
    for price in (0, 1_000_000):
        body = order_body(virtual, "207940", 1_000, price)
        assert_refused(await virtual.post(ORDER_CASH, "VTTC0012U", body), "APBK0952")
    assert sim.exchange.orders() == []
    assert (await ledger(virtual, sim))["output1"] == []
    assert await order_cash_left(virtual) == str(START_KRW)


async def test_selling_more_than_held_is_apbk0400(virtual: RawKis, sim: Simulator) -> None:
    body = order_body(virtual, "005930", 1, SLL_TYPE="01")
    assert_refused(await virtual.post(ORDER_CASH, "VTTC0011U", body), "APBK0400")
    await buy(virtual, "005930", 5)
    body = order_body(virtual, "005930", 6, SLL_TYPE="01")
    assert_refused(await virtual.post(ORDER_CASH, "VTTC0011U", body), "APBK0400")
    assert len(sim.exchange.orders()) == 1


BAD_ORDERS: list[tuple[dict[str, str | None], str]] = [
    ({"CANO": None}, "OPSQ2001"),
    ({"PDNO": None}, "OPSQ2001"),
    ({"ORD_QTY": "abc"}, "OPSQ2002"),
    ({"ORD_QTY": "1.5"}, "OPSQ2002"),
    ({"ORD_QTY": "0"}, "APBK0510"),
    ({"ORD_QTY": "-5"}, "APBK0510"),
    ({"ORD_DVSN": "00", "ORD_UNPR": "70050"}, "APBK0506"),
    ({"ORD_DVSN": "00", "ORD_UNPR": "7e4"}, "OPSQ2002"),
    ({"ORD_DVSN": "00", "ORD_UNPR": "-70000"}, "OPSQ2002"),
    ({"PDNO": "999999"}, "APBK0656"),
    ({"PDNO": "AAPL"}, "APBK0656"),
    ({"ORD_DVSN": "99"}, "APBK0511"),
    ({"ORD_DVSN": "11"}, "APBK0511"),  # IOC is real-only
    ({"EXCG_ID_DVSN_CD": "NXT"}, "OPSQ2002"),  # NXT is real-only
    ({"EXCG_ID_DVSN_CD": "XYZ"}, "OPSQ2002"),
]


async def test_bad_orders_are_refused_kis_style_and_change_nothing(
    virtual: RawKis, sim: Simulator
) -> None:
    sim.exchange.trade("005930", Decimal(70_000))
    for change, msg_cd in BAD_ORDERS:
        body: dict[str, str] = order_body(virtual, "005930", 1)
        for key, value in change.items():
            if value is None:
                del body[key]
            else:
                body[key] = value
        assert_refused(await virtual.post(ORDER_CASH, "VTTC0012U", body), msg_cd)
    assert sim.exchange.orders() == []


async def test_modify_of_unknown_order_is_apbk0656(virtual: RawKis, sim: Simulator) -> None:
    answer = await revise(virtual, "0000099999", cancel=True)
    assert (answer["rt_cd"], answer["msg_cd"]) == ("1", "APBK0656")
    odno = await buy(virtual, "005930", 1, 60_000)
    answer = await revise(virtual, odno, cancel=False, price=60_050)
    assert (answer["rt_cd"], answer["msg_cd"]) == ("1", "APBK0506")
    assert [o.odno for o in sim.exchange.orders()] == [odno]


# ---------------------------------------------------------------------------------- TR rules


async def test_legacy_tr_ids_are_accepted(virtual: RawKis, sim: Simulator) -> None:
    resting = await buy(virtual, "005930", 2, 60_000, tr_id="VTTC0802U")
    await buy(virtual, "000660", 3, tr_id="VTTC0802U")
    await sell(virtual, "000660", 1, tr_id="VTTC0801U")
    cancelled = await revise(virtual, resting, cancel=True, tr_id="VTTC0803U")
    assert (cancelled["msg_cd"], cancelled["msg1"]) == (
        "40620000",
        "모의투자 취소주문이 완료 되었습니다.",
    )
    for tr_id in ("VTTC8001R", "VTTC0081R", "VTSC9115R", "VTSC9215R"):
        rows = (await ledger(virtual, sim, tr_id=tr_id))["output1"]
        assert [(r["pdno"], r["sll_buy_dvsn_cd"]) for r in rows] == [
            ("005930", "02"),
            ("000660", "01"),
            ("000660", "02"),
            ("005930", "02"),
        ]


async def test_the_tr_decides_the_side(virtual: RawKis, sim: Simulator) -> None:
    await buy(virtual, "035420", 3)
    sold = await virtual.post_ok(
        ORDER_CASH, "VTTC0011U", order_body(virtual, "035420", 1, SLL_TYPE="01")
    )
    assert sold["msg_cd"] == "40590000"
    rows = (await ledger(virtual, sim, INQR_DVSN="01"))["output1"]
    assert [(r["sll_buy_dvsn_cd"], r["sll_buy_dvsn_cd_name"]) for r in rows] == [
        ("02", "현금매수"),
        ("01", "현금매도"),
    ]
    [row] = (await balance(virtual))["output1"]
    assert (row["hldg_qty"], row["thdt_buyqty"], row["thdt_sll_qty"]) == ("2", "3", "1")


REAL_ONLY: list[tuple[str, str]] = [
    (f"{TRADING}/inquire-psbl-rvsecncl", "TTTC0084R"),
    (f"{TRADING}/inquire-psbl-rvsecncl", "VTTC0084R"),
    (f"{TRADING}/inquire-psbl-rvsecncl", "TTTC8036R"),
    (f"{TRADING}/inquire-psbl-sell", "TTTC8408R"),
    (f"{TRADING}/inquire-balance-rlz-pl", "TTTC8494R"),
    (f"{TRADING}/inquire-account-balance", "CTRP6548R"),
    (f"{TRADING}/inquire-period-profit", "TTTC8708R"),
    (f"{TRADING}/inquire-period-trade-profit", "TTTC8715R"),
    (BALANCE, "TTTC8434R"),  # the real twin of a TR virtual does have
]


async def test_real_only_trs_are_opsq0002_on_virtual(virtual: RawKis) -> None:
    for path, tr_id in REAL_ONLY:
        response = await virtual.get(path, tr_id, virtual.acct(PDNO="005930"))
        assert response.status_code == 500, (path, tr_id)
        assert response.json()["msg_cd"] == "OPSQ0002"


# ------------------------------------------------------------------------------------ paging


async def test_virtual_balance_pages_by_20(virtual: RawKis, sim: Simulator) -> None:
    codes = [inst.symbol for inst in UNIVERSE if inst.domestic][:25]
    for code in codes:
        await buy(virtual, code, 1)
    first = await virtual.get(BALANCE, "VTTC8434R", virtual.balance_params())
    body = first.json()
    assert (first.headers["tr_cont"], len(body["output1"])) == ("M", 20)
    assert len(body["ctx_area_nk100"]) == 100
    assert body["ctx_area_nk100"].strip()
    params = virtual.balance_params(
        CTX_AREA_FK100=body["ctx_area_fk100"], CTX_AREA_NK100=body["ctx_area_nk100"]
    )
    second = await virtual.get(BALANCE, "VTTC8434R", params, tr_cont="N")
    rest = second.json()
    assert (second.headers["tr_cont"], len(rest["output1"])) == ("D", 5)
    assert rest["ctx_area_nk100"].strip() == ""
    assert sorted(r["pdno"] for r in body["output1"] + rest["output1"]) == sorted(codes)
    assert rest["output2"] == body["output2"]


async def test_virtual_daily_ccld_pages_by_15(virtual: RawKis, sim: Simulator) -> None:
    sim.exchange.trade("005930", Decimal(70_000))
    placed = [await buy(virtual, "005930", 1, 60_000 + 100 * i) for i in range(16)]
    first = await virtual.get(CCLD, "VTTC0081R", ledger_params(virtual, sim))
    assert (first.headers["tr_cont"], len(first.json()["output1"])) == ("M", 15)
    body = first.json()
    params = ledger_params(
        virtual, sim, CTX_AREA_FK100=body["ctx_area_fk100"], CTX_AREA_NK100=body["ctx_area_nk100"]
    )
    second = await virtual.get(CCLD, "VTTC0081R", params, tr_cont="N")
    assert second.headers["tr_cont"] == "D"
    seen = [r["odno"] for r in body["output1"] + second.json()["output1"]]
    assert seen == placed[::-1]
    assert second.json()["output2"]["tot_ord_qty"] == "16"


# ----------------------------------------------------------------------------- buying power


async def test_buying_power_is_what_an_order_can_reserve(virtual: RawKis, sim: Simulator) -> None:
    sim.exchange.trade("005930", Decimal(70_000))
    params = virtual.acct(
        PDNO="005930", ORD_UNPR="70000", ORD_DVSN="00", CMA_EVLU_AMT_ICLD_YN="N", OVRS_ICLD_YN="N"
    )
    limit = (await virtual.ok(PSBL_ORDER, "VTTC8908R", params))["output"]
    # 1428 * 70000 + its commission fits in 100,000,000; 1429 shares would not
    assert (limit["nrcvb_buy_qty"], limit["psbl_qty_calc_unpr"]) == ("1428", "70000")
    assert limit["ord_psbl_cash"] == str(START_KRW)

    params.update(ORD_DVSN="01", ORD_UNPR="")
    market = (await virtual.ok(PSBL_ORDER, "VTTC8908R", params))["output"]
    assert market["psbl_qty_calc_unpr"] == str(sim.exchange.state("005930").upper)
    most = int(market["max_buy_qty"])
    assert_refused(
        await virtual.post(ORDER_CASH, "VTTC0012U", order_body(virtual, "005930", most + 1)),
        "APBK0952",
    )
    await buy(virtual, "005930", most)


async def test_sellable_and_asset_views(real: RawKis, sim: Simulator) -> None:
    sim.exchange.trade("005930", Decimal(70_000))
    await buy(real, "005930", 10)
    await sell(real, "005930", 4, 90_000)  # rests: holds back 4 shares
    answer = await real.ok(f"{TRADING}/inquire-psbl-sell", "TTTC8408R", real.acct(PDNO="005930"))
    out = answer["output"]
    assert (out["cblc_qty"], out["ord_psbl_qty"], out["buy_qty"]) == ("10", "6", "10")
    assert out["pchs_avg_pric"] == "70100.0000"

    assets = await real.ok(
        f"{TRADING}/inquire-account-balance",
        "CTRP6548R",
        real.acct(INQR_DVSN_1="", BSPR_BF_DT_APLY_YN=""),
    )
    rows, totals = assets["output1"], assets["output2"]
    assert len(rows) == 20
    assert (rows[0]["pchs_amt"], rows[0]["evlu_amt"]) == ("701000", "700000")
    deposit = START_KRW - 701_000 - fee(701_000)
    assert rows[17]["evlu_amt"] == totals["dncl_amt"] == str(deposit)
    usd_krw = sim.settings.initial_usd * sim.settings.usd_krw
    assert totals["tot_asst_amt"] == str(int(700_000 + deposit + usd_krw))
