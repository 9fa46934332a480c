"""Domestic quotation endpoints over the wire (reference §4.1, §8)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

import httpx
import pytest

from kisbot.domain.time import KST
from kisbot.sim.app import Simulator
from kisbot.sim.clock import SimClock
from kisbot.sim.config import SimSettings
from kisbot.sim.history import Bar, tick_of
from tests.kisraw import RawKis

QUOTES = "/uapi/domestic-stock/v1/quotations"
PRICE = f"{QUOTES}/inquire-price"
CHART = f"{QUOTES}/inquire-daily-itemchartprice"
RECENT = f"{QUOTES}/inquire-daily-price"
MINUTES = f"{QUOTES}/inquire-time-itemchartprice"
DAY_MINUTES = f"{QUOTES}/inquire-time-dailychartprice"
BOOK = f"{QUOTES}/inquire-asking-price-exp-ccn"
# A Wednesday evening in Seoul: the same calendar date in New York, hours of minute bars in both.
NOW = datetime(2026, 11, 18, 23, 30, tzinfo=KST)
SAMSUNG = "005930"


def fields(text: str) -> list[str]:
    """Field names as the reference lists them: separated by white space."""
    return text.split()


# FHKST01010100 output fields (reference §4.1.1: key table and "others", OTA chk mapping).
PRICE_FIELDS = fields("""
iscd_stat_cls_code marg_rate rprs_mrkt_kor_name new_hgpr_lwpr_cls_code bstp_kor_isnm
temp_stop_yn oprc_rang_cont_yn clpr_rang_cont_yn crdt_able_yn grmn_rate_cls_code elw_pblc_yn
stck_prpr prdy_vrss prdy_vrss_sign prdy_ctrt acml_tr_pbmn acml_vol prdy_vrss_vol_rate stck_oprc
stck_hgpr stck_lwpr stck_mxpr stck_llam stck_sdpr wghn_avrg_stck_prc hts_frgn_ehrt frgn_ntby_qty
pgtr_ntby_qty pvt_scnd_dmrs_prc pvt_frst_dmrs_prc pvt_pont_val pvt_frst_dmsp_prc
pvt_scnd_dmsp_prc dmrs_val dmsp_val cpfn rstc_wdth_prc stck_fcam stck_sspr aspr_unit
hts_deal_qty_unit_val lstn_stcn hts_avls per pbr stac_month vol_tnrt eps bps d250_hgpr
d250_hgpr_date d250_hgpr_vrss_prpr_rate d250_lwpr d250_lwpr_date d250_lwpr_vrss_prpr_rate
stck_dryy_hgpr dryy_hgpr_vrss_prpr_rate dryy_hgpr_date stck_dryy_lwpr dryy_lwpr_vrss_prpr_rate
dryy_lwpr_date w52_hgpr w52_hgpr_vrss_prpr_ctrt w52_hgpr_date w52_lwpr w52_lwpr_vrss_prpr_ctrt
w52_lwpr_date whol_loan_rmnd_rate ssts_yn stck_shrn_iscd fcam_cnnm cpfn_cnnm apprch_rate
frgn_hldn_qty vi_cls_code ovtm_vi_cls_code last_ssts_cntg_qty invt_caful_yn mrkt_warn_cls_code
short_over_yn sltr_yn mang_issu_cls_code
""")
CHART_HEAD_FIELDS = fields("""
prdy_vrss prdy_vrss_sign prdy_ctrt stck_prdy_clpr acml_vol acml_tr_pbmn hts_kor_isnm stck_prpr
stck_shrn_iscd prdy_vol stck_mxpr stck_llam stck_oprc stck_hgpr stck_lwpr stck_prdy_oprc
stck_prdy_hgpr stck_prdy_lwpr askp bidp prdy_vrss_vol vol_tnrt stck_fcam lstn_stcn cpfn hts_avls
per eps pbr itewhol_loan_rmnd_ratem
""")
CHART_ROW_FIELDS = fields("""
stck_bsop_date stck_clpr stck_oprc stck_hgpr stck_lwpr acml_vol acml_tr_pbmn flng_cls_code
prtt_rate mod_yn prdy_vrss_sign prdy_vrss revl_issu_reas
""")
RECENT_FIELDS = fields("""
stck_bsop_date stck_oprc stck_hgpr stck_lwpr stck_clpr acml_vol prdy_vrss_vol_rate prdy_vrss
prdy_vrss_sign prdy_ctrt hts_frgn_ehrt frgn_ntby_qty flng_cls_code acml_prtt_rate
""")
MINUTE_HEAD_FIELDS = CHART_HEAD_FIELDS[:8]
MINUTE_ROW_FIELDS = fields("""
stck_bsop_date stck_cntg_hour stck_prpr stck_oprc stck_hgpr stck_lwpr cntg_vol acml_tr_pbmn
""")
BOOK_FIELDS = [
    *(f"{side}{n}" for side in ("askp", "bidp") for n in range(1, 11)),
    *(f"{side}_rsqn{n}" for side in ("askp", "bidp") for n in range(1, 11)),
    *(f"{side}_rsqn_icdc{n}" for side in ("askp", "bidp") for n in range(1, 11)),
    *fields("""
    aspr_acpt_hour total_askp_rsqn total_bidp_rsqn total_askp_rsqn_icdc total_bidp_rsqn_icdc
    ovtm_total_askp_icdc ovtm_total_bidp_icdc ovtm_total_askp_rsqn ovtm_total_bidp_rsqn
    ntby_aspr_rsqn new_mkop_cls_code
    """),
]
EXPECTED_FIELDS = fields("""
antc_mkop_cls_code stck_prpr stck_oprc stck_hgpr stck_lwpr stck_sdpr antc_cnpr
antc_cntg_vrss_sign antc_cntg_vrss antc_cntg_prdy_ctrt antc_vol stck_shrn_iscd vi_cls_code
""")
SEARCH_INFO_FIELDS = fields("""
pdno prdt_type_cd prdt_name prdt_abrv_name prdt_eng_name prdt_eng_abrv_name prdt_name120
prdt_eng_name120 std_pdno shtn_pdno prdt_sale_stat_cd prdt_risk_grad_cd prdt_clsf_cd
prdt_clsf_name sale_strt_dt sale_end_dt wrap_asst_type_cd ivst_prdt_type_cd frst_erlm_dt
""")
STOCK_INFO_FIELDS = fields("""
pdno prdt_type_cd prdt_name prdt_name120 prdt_abrv_name prdt_eng_name prdt_eng_name120
prdt_eng_abrv_name mket_id_cd scty_grp_id_cd excg_dvsn_cd setl_mmdd lstg_stqt lstg_cptl_amt cpta
papr issu_pric kospi200_item_yn scts_mket_lstg_dt scts_mket_lstg_abol_dt kosdaq_mket_lstg_dt
kosdaq_mket_lstg_abol_dt frbd_mket_lstg_dt frbd_mket_lstg_abol_dt reits_kind_cd etf_dvsn_cd
oilf_fund_yn idx_bztp_lcls_cd idx_bztp_mcls_cd idx_bztp_scls_cd idx_bztp_lcls_cd_name
idx_bztp_mcls_cd_name idx_bztp_scls_cd_name stck_kind_cd mfnd_opng_dt mfnd_end_dt
dpsi_erlm_cncl_dt etf_cu_qty std_pdno dpsi_aptm_erlm_yn etf_txtn_type_cd etf_type_cd
lstg_abol_dt nwst_odst_dvsn_cd sbst_pric thco_sbst_pric thco_sbst_pric_chng_dt tr_stop_yn
admn_item_yn thdt_clpr bfdy_clpr clpr_chng_dt std_idst_clsf_cd std_idst_clsf_cd_name ocr_no
crfd_item_yn elec_scty_yn issu_istt_cd etf_chas_erng_rt_dbnb etf_etn_ivst_heed_item_yn
stln_int_rt_dvsn_cd frnr_psnl_lmt_rt lstg_rqsr_issu_istt_cd lstg_rqsr_item_cd
trst_istt_issu_istt_cd cptt_trad_tr_psbl_yn nxt_tr_stop_yn
""")
HOLIDAY_FIELDS = fields("bass_dt wday_dvsn_cd bzdy_yn tr_day_yn opnd_yn sttl_day_yn")


@pytest.fixture(scope="module")
def sim() -> Simulator:
    """One simulator per module, its clock pinned to `NOW` (tests here only read prices)."""
    settings = SimSettings(
        seed=7, walk=False, tick_interval=0, rate_real=0, rate_virtual=0, ping_interval=3600
    )
    return Simulator(settings, SimClock(NOW))


def assert_fields(obj: dict[str, Any], fields: Iterable[str]) -> None:
    """Every listed field is present, and every value of `obj` is a string."""
    missing = [name for name in fields if name not in obj]
    assert not missing, missing
    assert all(isinstance(value, str) for value in obj.values()), obj


def ymd(day: date) -> str:
    return day.strftime("%Y%m%d")


def stock(symbol: str = SAMSUNG, **extra: str) -> dict[str, str]:
    return {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": symbol, **extra}


def chart(symbol: str, period: str, first: str = "", last: str = "") -> dict[str, str]:
    return stock(
        symbol,
        FID_INPUT_DATE_1=first,
        FID_INPUT_DATE_2=last,
        FID_PERIOD_DIV_CODE=period,
        FID_ORG_ADJ_PRC="0",
    )


def history(sim: Simulator, symbol: str = SAMSUNG) -> tuple[Bar, ...]:
    return sim.exchange.daily_bars(symbol)


def week_of(bar: Bar) -> tuple[int, int]:
    iso = bar.start.date().isocalendar()
    return (iso.year, iso.week)


# ------------------------------------------------------------------------- current price


async def test_price_matches_the_exchange(real: RawKis, sim: Simulator) -> None:
    body = await real.ok(PRICE, "FHKST01010100", stock())
    out = body["output"]
    state = sim.exchange.state(SAMSUNG)
    assert body["msg_cd"] == "MCA00000"
    assert_fields(out, PRICE_FIELDS)
    assert out["stck_prpr"] == str(state.last)
    assert out["prdy_vrss"] == str(state.last - state.prev_close)
    assert out["prdy_vrss_sign"] == state.sign
    assert out["prdy_ctrt"] == str(state.change_rate)
    assert out["stck_sdpr"] == str(state.prev_close)
    assert (out["stck_mxpr"], out["stck_llam"]) == (str(state.upper), str(state.lower))
    assert out["stck_hgpr"] == str(state.high)
    assert out["acml_vol"] == str(state.volume)
    assert out["aspr_unit"] == str(state.tick)
    assert out["stck_shrn_iscd"] == SAMSUNG
    assert out["bstp_kor_isnm"] == "전기·전자"
    assert out["rprs_mrkt_kor_name"] == "KOSPI200"
    assert out["temp_stop_yn"] == "N"
    market_cap = int(state.last * state.inst.listed_shares / 100_000_000)
    assert abs(int(out["hts_avls"]) - market_cap) <= 1  # 억원
    assert Decimal(out["per"]) == (state.last / Decimal(out["eps"])).quantize(Decimal("0.01"))


async def test_price_52_week_range_comes_from_the_daily_history(
    real: RawKis, sim: Simulator
) -> None:
    out = (await real.ok(PRICE, "FHKST01010100", stock()))["output"]
    year = [b for b in history(sim) if b.start.date() > NOW.date() - timedelta(weeks=52)]
    top = max(year, key=lambda b: b.high)
    bottom = min(year, key=lambda b: b.low)
    assert out["w52_hgpr"] == str(top.high)
    assert out["w52_hgpr_date"] == ymd(top.start.date())
    assert out["w52_lwpr"] == str(bottom.low)
    assert out["w52_lwpr_date"] == ymd(bottom.start.date())
    last = sim.exchange.state(SAMSUNG).last
    expected = ((last - top.high) * 100 / top.high).quantize(Decimal("0.01"))
    assert Decimal(out["w52_hgpr_vrss_prpr_ctrt"]) == expected


async def test_price_of_an_unknown_code_is_zero_not_an_error(real: RawKis) -> None:
    out = (await real.ok(PRICE, "FHKST01010100", stock("999999")))["output"]
    assert_fields(out, PRICE_FIELDS)
    assert out["stck_prpr"] == "0"
    assert out["acml_vol"] == out["stck_mxpr"] == out["hts_avls"] == "0"
    assert out["stck_shrn_iscd"] == out["w52_hgpr_date"] == out["bstp_kor_isnm"] == ""


async def test_a_us_ticker_is_unknown_to_the_domestic_price(real: RawKis) -> None:
    out = (await real.ok(PRICE, "FHKST01010100", stock("AAPL")))["output"]
    assert out["stck_prpr"] == "0"


async def test_price_is_served_to_virtual_too(virtual: RawKis, sim: Simulator) -> None:
    out = (await virtual.ok(PRICE, "FHKST01010100", stock(FID_COND_MRKT_DIV_CODE="UN")))["output"]
    assert out["stck_prpr"] == str(sim.exchange.state(SAMSUNG).last)


async def test_missing_iscd_is_a_kis_shaped_refusal(real: RawKis) -> None:
    response = await real.get(PRICE, "FHKST01010100", {"FID_COND_MRKT_DIV_CODE": "J"})
    assert response.status_code == 200
    body = response.json()
    assert body["rt_cd"] == "1"
    assert body["msg_cd"] == "OPSQ2001"
    assert "FID_INPUT_ISCD" in body["msg1"]


async def test_unknown_market_division_is_refused(real: RawKis) -> None:
    response = await real.get(PRICE, "FHKST01010100", stock(FID_COND_MRKT_DIV_CODE="Q"))
    assert response.status_code == 200
    assert response.json()["rt_cd"] == "1"
    assert response.json()["msg_cd"] == "OPSQ2002"


# ------------------------------------------------------------------------ period charts


async def test_daily_chart_pages_back_two_years(real: RawKis, sim: Simulator) -> None:
    closes = {ymd(b.start.date()): str(b.close) for b in history(sim)}
    seen: list[str] = []
    cursor = ymd(NOW.date())
    head: dict[str, str] = {}
    while len(seen) < 500:
        body = await real.ok(CHART, "FHKST03010100", chart(SAMSUNG, "D", "20000101", cursor))
        rows = body["output2"]
        head = body["output1"]
        assert 0 < len(rows) <= 100
        dates = [row["stck_bsop_date"] for row in rows]
        assert dates == sorted(dates, reverse=True)
        assert all(closes[row["stck_bsop_date"]] == row["stck_clpr"] for row in rows)
        seen.extend(dates)
        oldest = datetime.strptime(dates[-1], "%Y%m%d").date()
        cursor = ymd(oldest - timedelta(days=1))
    assert len(seen) == len(set(seen)) >= 480
    assert seen[0] == ymd(NOW.date())
    assert_fields(head, CHART_HEAD_FIELDS)
    assert_fields(body["output2"][0], CHART_ROW_FIELDS)
    assert head["stck_prpr"] == str(sim.exchange.state(SAMSUNG).last)
    assert int(head["askp"]) == int(head["bidp"]) + 100


async def test_chart_rows_carry_the_change_against_the_previous_bar(real: RawKis) -> None:
    rows = (await real.ok(CHART, "FHKST03010100", chart(SAMSUNG, "D")))["output2"]
    for newer, older in pairwise(rows):
        change = int(newer["stck_clpr"]) - int(older["stck_clpr"])
        assert newer["prdy_vrss"] == str(change)
        assert newer["prdy_vrss_sign"] == ("2" if change > 0 else "5" if change < 0 else "3")


async def test_weekly_bars_aggregate_the_week(real: RawKis, sim: Simulator) -> None:
    body = await real.ok(CHART, "FHKST03010100", chart(SAMSUNG, "W", "20260101", "20261118"))
    weeks: dict[tuple[int, int], list[Bar]] = {}
    for bar in history(sim):
        weeks.setdefault(week_of(bar), []).append(bar)
    rows = body["output2"]
    assert len(rows) >= 40
    for row in rows:
        start = datetime.strptime(row["stck_bsop_date"], "%Y%m%d").date()
        days = weeks[start.isocalendar()[:2]]
        assert start == days[0].start.date()  # dated by the week's first trading day
        assert row["stck_hgpr"] == str(max(b.high for b in days))
        assert row["stck_lwpr"] == str(min(b.low for b in days))
        assert row["stck_oprc"] == str(days[0].open)
        assert row["stck_clpr"] == str(days[-1].close)
        assert row["acml_vol"] == str(sum(b.volume for b in days))


async def test_weekly_paging_by_date_reaches_the_first_week_once(
    real: RawKis, sim: Simulator
) -> None:
    seen: list[str] = []
    cursor = ymd(NOW.date())
    while True:
        rows = (await real.ok(CHART, "FHKST03010100", chart(SAMSUNG, "W", "", cursor)))["output2"]
        assert len(rows) <= 100
        seen.extend(row["stck_bsop_date"] for row in rows)
        if len(rows) < 100:
            break
        oldest = datetime.strptime(seen[-1], "%Y%m%d").date()
        cursor = ymd(oldest - timedelta(days=1))
    assert len(seen) == len(set(seen)) == len({week_of(b) for b in history(sim)})
    assert seen[-1] == ymd(history(sim)[0].start.date())


@pytest.mark.parametrize(("period", "key"), [("M", lambda d: d.month), ("Y", lambda d: d.year)])
async def test_monthly_and_yearly_bars_start_on_their_first_trading_day(
    real: RawKis, sim: Simulator, period: str, key: Any
) -> None:
    rows = (await real.ok(CHART, "FHKST03010100", chart(SAMSUNG, period)))["output2"]
    days = [b.start.date() for b in history(sim)]
    assert len(rows) >= (5 if period == "Y" else 60)
    for row in rows:
        start = datetime.strptime(row["stck_bsop_date"], "%Y%m%d").date()
        same = [d for d in days if d.year == start.year and key(d) == key(start)]
        assert start == same[0]


async def test_chart_of_an_unknown_code_is_empty(real: RawKis) -> None:
    body = await real.ok(CHART, "FHKST03010100", chart("999999", "D"))
    assert body["output1"]["stck_prpr"] == "0"
    assert body["output2"] == []


async def test_chart_refuses_an_unknown_period(real: RawKis) -> None:
    response = await real.get(CHART, "FHKST03010100", chart(SAMSUNG, "Q"))
    assert response.json()["msg_cd"] == "OPSQ2002"


async def test_recent_30_days_and_weeks(virtual: RawKis, sim: Simulator) -> None:
    params = stock(FID_PERIOD_DIV_CODE="D", FID_ORG_ADJ_PRC="0")
    rows = (await virtual.ok(RECENT, "FHKST01010400", params))["output"]
    daily = history(sim)[-30:][::-1]
    assert len(rows) == 30
    for row in rows:
        assert_fields(row, RECENT_FIELDS)
    assert [row["stck_bsop_date"] for row in rows] == [ymd(b.start.date()) for b in daily]
    assert rows[0]["stck_clpr"] == str(sim.exchange.state(SAMSUNG).last)
    weekly = await virtual.ok(RECENT, "FHKST01010400", {**params, "FID_PERIOD_DIV_CODE": "W"})
    assert len(weekly["output"]) == 30
    starts = [datetime.strptime(r["stck_bsop_date"], "%Y%m%d").date() for r in weekly["output"]]
    assert len({(d.isocalendar().year, d.isocalendar().week) for d in starts}) == 30


# -------------------------------------------------------------------------- minute bars


async def test_minute_bars_page_back_thirty_at_a_time(real: RawKis, sim: Simulator) -> None:
    state = sim.exchange.state(SAMSUNG)
    today = [b for b in state.minutes if b.start.date() == NOW.date()]
    hour = "235959"  # in the future: means now
    seen: list[str] = []
    while True:
        params = stock(FID_INPUT_HOUR_1=hour, FID_PW_DATA_INCU_YN="N", FID_ETC_CLS_CODE="")
        body = await real.ok(MINUTES, "FHKST03010200", params)
        rows = body["output2"]
        if not rows:
            break
        assert len(rows) <= 30
        assert all(row["stck_cntg_hour"] <= hour for row in rows)
        if not seen:
            assert_fields(body["output1"], MINUTE_HEAD_FIELDS)
            assert_fields(rows[0], MINUTE_ROW_FIELDS)
            assert rows[0]["acml_tr_pbmn"] == str(state.turnover)  # cumulative
            assert rows[0]["stck_prpr"] == str(state.last)
        seen.extend(row["stck_cntg_hour"] for row in rows)
        oldest = datetime.strptime(rows[-1]["stck_cntg_hour"], "%H%M%S")
        hour = (oldest - timedelta(minutes=1)).strftime("%H%M%S")
        if len(rows) < 30:
            break
    assert len(seen) == len(set(seen)) == len(today) > 60
    assert seen == sorted(seen, reverse=True)


async def test_minute_bars_stop_at_the_asked_hour(real: RawKis) -> None:
    params = stock(FID_INPUT_HOUR_1="201530", FID_PW_DATA_INCU_YN="N", FID_ETC_CLS_CODE="")
    rows = (await real.ok(MINUTES, "FHKST03010200", params))["output2"]
    assert len(rows) == 30
    assert rows[0]["stck_cntg_hour"] == "201500"
    assert rows[-1]["stck_cntg_hour"] == "194600"


async def test_past_day_minutes_agree_with_that_days_bar(real: RawKis, sim: Simulator) -> None:
    day = history(sim)[-2]
    bars: list[dict[str, str]] = []
    hour = "153000"
    while True:
        params = stock(FID_INPUT_DATE_1=ymd(day.start.date()), FID_INPUT_HOUR_1=hour)
        rows = (await real.ok(DAY_MINUTES, "FHKST03010230", params))["output2"]
        assert len(rows) <= 120
        bars.extend(rows)
        if len(rows) < 120:
            break
        oldest = datetime.strptime(rows[-1]["stck_cntg_hour"], "%H%M%S")
        hour = (oldest - timedelta(minutes=1)).strftime("%H%M%S")
    assert len(bars) == 381  # 09:00-15:19 and the 15:30 closing auction
    assert bars[0]["stck_cntg_hour"] == "153000"
    assert bars[-1]["stck_cntg_hour"] == "090000"
    assert bars[-1]["stck_oprc"] == str(day.open)
    assert bars[0]["stck_prpr"] == str(day.close)
    assert max(Decimal(b["stck_hgpr"]) for b in bars) == day.high
    assert min(Decimal(b["stck_lwpr"]) for b in bars) == day.low
    assert sum(int(b["cntg_vol"]) for b in bars) == day.volume
    assert bars[0]["acml_tr_pbmn"] == str(day.turnover)
    again = await real.ok(DAY_MINUTES, "FHKST03010230", params)
    assert again["output2"] == rows  # generated from (seed, symbol, date): stable


async def test_past_day_minutes_of_today_are_the_live_bars(real: RawKis, sim: Simulator) -> None:
    params = stock(FID_INPUT_DATE_1=ymd(NOW.date()), FID_INPUT_HOUR_1="999999")
    rows = (await real.ok(DAY_MINUTES, "FHKST03010230", params))["output2"]
    assert len(rows) == 120
    assert rows[0]["stck_prpr"] == str(sim.exchange.state(SAMSUNG).last)


# ---------------------------------------------------------------------------- orderbook


async def test_orderbook_levels_sit_on_the_tick_ladder(virtual: RawKis, sim: Simulator) -> None:
    body = await virtual.ok(BOOK, "FHKST01010200", stock())
    book, expected = body["output1"], body["output2"]
    assert_fields(book, BOOK_FIELDS)
    assert_fields(expected, EXPECTED_FIELDS)
    inst = sim.exchange.state(SAMSUNG).inst
    asks = [Decimal(book[f"askp{n}"]) for n in range(1, 11)]
    bids = [Decimal(book[f"bidp{n}"]) for n in range(1, 11)]
    assert asks == sorted(asks)
    assert bids == sorted(bids, reverse=True)
    assert asks[0] > bids[0]
    assert asks[0] - bids[0] == tick_of(inst, bids[0])
    assert all(price % tick_of(inst, price) == 0 for price in asks + bids)
    assert asks[0] == sim.exchange.book(SAMSUNG).asks[0].price
    total = sum(int(book[f"askp_rsqn{n}"]) for n in range(1, 11))
    assert book["total_askp_rsqn"] == str(total)
    assert int(book["ntby_aspr_rsqn"]) == int(book["total_bidp_rsqn"]) - total
    assert expected["antc_cnpr"] == str(sim.exchange.state(SAMSUNG).last)


async def test_orderbook_of_an_unknown_code_is_zero(real: RawKis) -> None:
    body = await real.ok(BOOK, "FHKST01010200", stock("123456"))
    assert body["output1"]["askp1"] == "0"
    assert body["output2"]["stck_prpr"] == "0"


# --------------------------------------------------------------- product info, holidays


async def test_search_info_knows_domestic_and_us_products(real: RawKis) -> None:
    path = f"{QUOTES}/search-info"
    out = (await real.ok(path, "CTPF1604R", {"PDNO": SAMSUNG, "PRDT_TYPE_CD": "300"}))["output"]
    assert_fields(out, SEARCH_INFO_FIELDS)
    assert (out["prdt_abrv_name"], out["shtn_pdno"]) == ("삼성전자", SAMSUNG)
    assert out["std_pdno"].startswith("KR7005930")
    out = (await real.ok(path, "CTPF1604R", {"PDNO": "AAPL", "PRDT_TYPE_CD": "512"}))["output"]
    assert (out["prdt_eng_name"], out["prdt_type_cd"]) == ("APPLE INC", "512")


@pytest.mark.parametrize(("pdno", "kind"), [("999999", "300"), ("AAPL", "300"), ("AAPL", "513")])
async def test_search_info_not_found_is_rt_cd_7(real: RawKis, pdno: str, kind: str) -> None:
    response = await real.get(
        f"{QUOTES}/search-info", "CTPF1604R", {"PDNO": pdno, "PRDT_TYPE_CD": kind}
    )
    assert response.status_code == 200
    assert response.json()["rt_cd"] == "7"
    assert response.json()["msg_cd"] == "KIOK0560"


async def test_search_stock_info(real: RawKis, sim: Simulator) -> None:
    params = {"PDNO": "247540", "PRDT_TYPE_CD": "300"}
    out = (await real.ok(f"{QUOTES}/search-stock-info", "CTPF1002R", params))["output"]
    assert_fields(out, STOCK_INFO_FIELDS)
    state = sim.exchange.state("247540")
    assert out["thdt_clpr"] == str(state.last)
    assert out["bfdy_clpr"] == str(state.prev_close)
    assert (out["mket_id_cd"], out["kospi200_item_yn"]) == ("KSQ", "N")
    assert out["lstg_stqt"] == str(state.inst.listed_shares)
    assert out["kosdaq_mket_lstg_dt"]
    assert not out["scts_mket_lstg_dt"]


async def test_chk_holiday_answers_24_days_a_call(real: RawKis) -> None:
    path = f"{QUOTES}/chk-holiday"
    params = {"BASS_DT": "20261220", "CTX_AREA_FK": "", "CTX_AREA_NK": ""}
    first = await real.get(path, "CTCA0903R", params)
    body = first.json()
    assert first.headers["tr_cont"] == "M"
    assert body["msg_cd"] == "KIOK0500"  # "조회가 계속됩니다..", as captured
    assert len(body["output"]) == 24
    assert (body["ctx_area_fk"], body["ctx_area_nk"]) == (
        "20261220".ljust(20),
        "20270112".ljust(20),
    )
    more = {**params, "CTX_AREA_FK": body["ctx_area_fk"], "CTX_AREA_NK": body["ctx_area_nk"]}
    second = await real.get(path, "CTCA0903R", more, tr_cont="N")
    assert second.headers["tr_cont"] == "D"
    assert second.json()["ctx_area_nk"].strip() == ""
    assert second.json()["output"][0]["bass_dt"] == "20270113"
    days = {row["bass_dt"]: row for row in body["output"] + second.json()["output"]}
    assert len(days) == 48
    assert_fields(days["20261220"], HOLIDAY_FIELDS)
    assert days["20261220"]["wday_dvsn_cd"] == "01"  # Sunday
    assert days["20261226"]["wday_dvsn_cd"] == "07"  # Saturday
    assert days["20261221"]["opnd_yn"] == days["20261221"]["bzdy_yn"] == "Y"
    assert days["20261225"]["opnd_yn"] == days["20261225"]["bzdy_yn"] == "N"  # Christmas
    new_years_eve = days["20261231"]  # KRX closes, banks do not
    assert (new_years_eve["opnd_yn"], new_years_eve["sttl_day_yn"]) == ("N", "N")
    assert new_years_eve["bzdy_yn"] == "Y"
    assert days["20270101"]["opnd_yn"] == "N"


async def test_chk_holiday_refuses_a_bad_date(real: RawKis) -> None:
    response = await real.get(f"{QUOTES}/chk-holiday", "CTCA0903R", {"BASS_DT": "2026-12-20"})
    assert response.json()["msg_cd"] == "OPSQ2002"


@pytest.mark.parametrize(
    ("path", "tr_id", "params"),
    [
        (DAY_MINUTES, "FHKST03010230", stock(FID_INPUT_DATE_1="20261117", FID_INPUT_HOUR_1="1")),
        (f"{QUOTES}/search-info", "CTPF1604R", {"PDNO": SAMSUNG, "PRDT_TYPE_CD": "300"}),
        (f"{QUOTES}/search-stock-info", "CTPF1002R", {"PDNO": SAMSUNG, "PRDT_TYPE_CD": "300"}),
        (f"{QUOTES}/chk-holiday", "CTCA0903R", {"BASS_DT": "20261220"}),
    ],
)
async def test_real_only_trs_are_refused_by_the_virtual_server(
    virtual: RawKis, path: str, tr_id: str, params: dict[str, str]
) -> None:
    response = await virtual.get(path, tr_id, params)
    assert response.status_code == 500
    assert response.json()["msg_cd"] == "OPSQ0002"


async def test_every_quotation_answer_is_strings_only(http: httpx.AsyncClient) -> None:
    kis = await RawKis(http, env="real", account="60000000-01").login()
    checks = [
        (PRICE, "FHKST01010100", stock("069500")),
        (CHART, "FHKST03010100", chart("403870", "M")),
        (BOOK, "FHKST01010200", stock("252670")),
    ]
    for path, tr_id, params in checks:
        body = await kis.ok(path, tr_id, params)
        for key in ("output", "output1", "output2"):
            for obj in body.get(key, []) if isinstance(body.get(key), list) else [body.get(key)]:
                if obj is not None:
                    assert all(isinstance(v, str) for v in obj.values()), (tr_id, obj)
