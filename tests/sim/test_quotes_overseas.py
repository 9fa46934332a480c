"""Overseas quotation endpoints over the wire (reference §4.3, §7, §8)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from kisbot.domain.time import KST, NEW_YORK
from kisbot.sim.app import Simulator
from tests.kisraw import RawKis
from tests.sim import test_quotes as domestic
from tests.sim.test_quotes import NOW, assert_fields, fields, ymd

sim = domestic.sim  # the same pinned-clock simulator fixture

QUOTES = "/uapi/overseas-price/v1/quotations"
PRICE = f"{QUOTES}/price"
DETAIL = f"{QUOTES}/price-detail"
DAILY = f"{QUOTES}/dailyprice"
MINUTES = f"{QUOTES}/inquire-time-itemchartprice"
BOOK = f"{QUOTES}/inquire-asking-price"
US_PRICE = re.compile(r"^-?\d+\.\d{4}$")
SIGNED_RATE = re.compile(r"^[+\- ]\d+\.\d{2}$")

PRICE_FIELDS = fields("rsym zdiv base pvol last sign diff rate tvol tamt ordy")
DETAIL_FIELDS = fields("""
rsym pvol open high low last base tomv pamt uplp dnlp h52p h52d l52p l52d perx pbrx epsx bpsx
shar mcap curr zdiv vnit t_xprc t_xdif t_xrat p_xprc p_xdif p_xrat t_rate p_rate t_xsgn p_xsng
e_ordyn e_hogau e_icod e_parp tvol tamt etyp_nm
""")
DAILY_ROW_FIELDS = fields("xymd clos sign diff rate open high low tvol tamt pbid vbid pask vask")
MINUTE_HEAD_FIELDS = fields("rsym zdiv stim etim sktm ektm next more nrec")
MINUTE_ROW_FIELDS = fields("tymd xymd xhms kymd khms open high low last evol eamt")
BOOK_HEAD_FIELDS = fields("""
rsym zdiv curr base open high low last dymd dhms bvol avol bdvl advl code ropen rhigh rlow rclose
""")
INFO_FIELDS = fields("""
std_pdno prdt_eng_name natn_cd natn_name tr_mket_cd tr_mket_name ovrs_excg_cd ovrs_excg_name
tr_crcy_cd ovrs_papr crcy_name ovrs_stck_dvsn_cd prdt_clsf_cd prdt_clsf_name sll_unit_qty
buy_unit_qty tr_unit_amt lstg_stck_num lstg_dt ovrs_stck_tr_stop_dvsn_cd lstg_abol_item_yn
ovrs_stck_prdt_grp_no lstg_yn tax_levy_yn ovrs_stck_erlm_rosn_cd ovrs_stck_hist_rght_dvsn_cd
chng_bf_pdno prdt_type_cd_2 ovrs_item_name sedol_no blbg_tckr_text ovrs_stck_etf_risk_drtp_cd
etp_chas_erng_rt_dbnb istt_usge_isin_cd mint_svc_yn mint_svc_yn_chng_dt prdt_name lei_cd
ovrs_stck_stop_rson_cd lstg_abol_dt mini_stk_tr_stat_dvsn_cd mint_frst_svc_erlm_dt
mint_dcpt_trad_psbl_yn mint_fnum_trad_psbl_yn mint_cblc_cvsn_ipsb_yn ptp_item_yn
ptp_item_trfx_exmt_yn ptp_item_trfx_exmt_strt_dt ptp_item_trfx_exmt_end_dt dtm_tr_psbl_yn
sdrf_stop_ecls_yn sdrf_stop_ecls_erlm_dt memo_text1 ovrs_now_pric1 last_rcvg_dtime
""")


def us(symbol: str = "AAPL", excd: str = "NAS", **extra: str) -> dict[str, str]:
    return {"AUTH": "", "EXCD": excd, "SYMB": symbol, **extra}


def usd(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.0001")))


def daily(bymd: str = "", gubn: str = "0") -> dict[str, str]:
    return us(GUBN=gubn, BYMD=bymd, MODP="0")


def minutes(nmin: str = "1", keyb: str = "", pinc: str = "1") -> dict[str, str]:
    more = "1" if keyb else ""
    return us(NMIN=nmin, PINC=pinc, NEXT=more, NREC="120", FILL="", KEYB=keyb)


# ------------------------------------------------------------------------------- prices


async def test_price_has_four_decimals_and_the_realtime_symbol(
    virtual: RawKis, sim: Simulator
) -> None:
    out = (await virtual.ok(PRICE, "HHDFS00000300", us()))["output"]
    state = sim.exchange.state("AAPL")
    assert_fields(out, PRICE_FIELDS)
    assert (out["rsym"], out["zdiv"]) == ("DNASAAPL", "4")
    assert out["last"] == usd(state.last)
    assert out["base"] == usd(state.prev_close)
    assert out["diff"] == usd(state.last - state.prev_close)
    assert all(US_PRICE.match(out[key]) for key in ("last", "base", "diff"))
    assert SIGNED_RATE.match(out["rate"])
    assert out["sign"] == state.sign
    assert out["tvol"] == str(state.volume)


@pytest.mark.parametrize(("symbol", "excd"), [("AAPL", "NYS"), ("ZZZZ", "NAS"), ("AAPL", "HKS")])
async def test_price_of_an_unknown_symbol_has_an_empty_last(
    real: RawKis, symbol: str, excd: str
) -> None:
    out = (await real.ok(PRICE, "HHDFS00000300", us(symbol, excd)))["output"]
    assert_fields(out, PRICE_FIELDS)
    assert out["last"] == out["rsym"] == ""


async def test_daytime_exchange_code_is_the_same_listing(real: RawKis, sim: Simulator) -> None:
    out = (await real.ok(PRICE, "HHDFS00000300", us("SPY", "BAA")))["output"]
    assert out["rsym"] == "RBAASPY"
    assert out["last"] == usd(sim.exchange.state("SPY").last)


async def test_price_refusals(real: RawKis) -> None:
    missing = (await real.get(PRICE, "HHDFS00000300", {"AUTH": "", "EXCD": "NAS"})).json()
    assert (missing["rt_cd"], missing["msg_cd"]) == ("1", "OPSQ2001")
    wrong = (await real.get(PRICE, "HHDFS00000300", us(excd="NASD"))).json()
    assert (wrong["rt_cd"], wrong["msg_cd"]) == ("1", "OPSQ2002")


async def test_price_detail_converts_to_won(real: RawKis, sim: Simulator) -> None:
    out = (await real.ok(DETAIL, "HHDFS76200200", us("NVDA")))["output"]
    state = sim.exchange.state("NVDA")
    fx = sim.settings.usd_krw
    assert_fields(out, DETAIL_FIELDS)
    assert out["last"] == usd(state.last)
    assert (out["e_hogau"], out["vnit"], out["curr"]) == ("0.0100", "1", "USD")
    assert out["t_rate"] == str(fx)
    assert out["t_xprc"] == str((state.last * fx).quantize(Decimal(1)))
    assert out["t_xdif"] == str((abs(state.change) * fx).quantize(Decimal(1)))
    assert SIGNED_RATE.match(out["t_xrat"])
    assert SIGNED_RATE.match(out["p_xrat"])
    assert out["t_xsgn"] == state.sign
    assert int(out["tomv"]) == int(state.last * state.inst.listed_shares)
    year = [
        b
        for b in sim.exchange.daily_bars("NVDA")
        if b.start.date() > NOW.date() - timedelta(weeks=52)
    ]
    assert out["h52p"] == usd(max(b.high for b in year))
    assert out["l52p"] == usd(min(b.low for b in year))


async def test_price_detail_of_an_unknown_symbol_is_blank(real: RawKis) -> None:
    out = (await real.ok(DETAIL, "HHDFS76200200", us("AAPL", "AMS")))["output"]
    assert out["last"] == ""


# -------------------------------------------------------------------------- daily chart


async def test_dailyprice_pages_back_two_years_by_date(virtual: RawKis, sim: Simulator) -> None:
    closes = {ymd(b.start.date()): usd(b.close) for b in sim.exchange.daily_bars("AAPL")}
    seen: list[str] = []
    bymd = ""
    while len(seen) < 500:
        response = await virtual.get(DAILY, "HHDFS76240000", daily(bymd))
        body = response.json()
        rows = body["output2"]
        assert len(rows) == int(body["output1"]["nrec"]) == 100
        assert response.headers["tr_cont"] == "M"
        assert all(closes[row["xymd"]] == row["clos"] for row in rows)
        seen.extend(row["xymd"] for row in rows)
        oldest = datetime.strptime(seen[-1], "%Y%m%d").date()
        bymd = ymd(oldest - timedelta(days=1))
    assert_fields(body["output2"][0], DAILY_ROW_FIELDS)
    assert len(seen) == len(set(seen)) >= 480
    assert seen == sorted(seen, reverse=True)
    assert seen[0] == ymd(NOW.date())


async def test_dailyprice_continues_on_tr_cont_n_alone(real: RawKis) -> None:
    """OTA's sample repeats the same inputs with `tr_cont: N` while the answer says M."""
    first = await real.get(DAILY, "HHDFS76240000", daily("20261118"))
    again = await real.get(DAILY, "HHDFS76240000", daily("20261118"), tr_cont="N")
    third = await real.get(DAILY, "HHDFS76240000", daily("20261118"), tr_cont="N")
    dates = [r["xymd"] for page in (first, again, third) for r in page.json()["output2"]]
    assert len(dates) == len(set(dates)) == 300
    assert dates == sorted(dates, reverse=True)


async def test_dailyprice_weeks_start_on_monday(real: RawKis, sim: Simulator) -> None:
    rows = (await real.ok(DAILY, "HHDFS76240000", daily(gubn="1")))["output2"]
    bars = sim.exchange.daily_bars("AAPL")
    for row in rows[:20]:
        start = datetime.strptime(row["xymd"], "%Y%m%d").date()
        week = [b for b in bars if b.start.date().isocalendar()[:2] == start.isocalendar()[:2]]
        assert start == week[0].start.date()
        assert row["high"] == usd(max(b.high for b in week))
        assert row["tvol"] == str(sum(b.volume for b in week))


async def test_dailyprice_of_an_unknown_symbol_has_no_records(real: RawKis) -> None:
    body = await real.ok(DAILY, "HHDFS76240000", us("NOPE", GUBN="0", BYMD="", MODP="0"))
    assert body["output1"]["nrec"] == ""
    assert body["output2"] == []


# -------------------------------------------------------------------------- minute bars


async def test_minute_bars_page_back_with_keyb(real: RawKis, sim: Simulator) -> None:
    state = sim.exchange.state("AAPL")
    today = [b for b in state.minutes if b.start.date() == NOW.astimezone(NEW_YORK).date()]
    seen: list[str] = []
    keyb = ""
    while True:
        response = await real.get(MINUTES, "HHDFS76950200", minutes(keyb=keyb, pinc="0"))
        body = response.json()
        rows = body["output2"]
        assert len(rows) == int(body["output1"]["nrec"]) <= 120
        seen.extend(row["xymd"] + row["xhms"] for row in rows)
        if body["output1"]["next"] != "1":
            assert response.headers["tr_cont"] == "D"
            break
        last = datetime.strptime(seen[-1], "%Y%m%d%H%M%S")
        keyb = (last - timedelta(minutes=1)).strftime("%Y%m%d%H%M%S")
    assert len(seen) == len(set(seen)) == len(today) > 240
    assert seen == sorted(seen, reverse=True)
    assert_fields(body["output1"], MINUTE_HEAD_FIELDS)
    assert_fields(body["output2"][0], MINUTE_ROW_FIELDS)
    assert (body["output1"]["stim"], body["output1"]["etim"]) == ("093000", "160000")
    assert (body["output1"]["sktm"], body["output1"]["ektm"]) == ("233000", "060000")


async def test_minute_bars_aggregate_nmin_and_carry_both_clocks(real: RawKis) -> None:
    ones = (await real.ok(MINUTES, "HHDFS76950200", minutes("1")))["output2"]
    fives = (await real.ok(MINUTES, "HHDFS76950200", minutes("5")))["output2"]
    assert len(fives) == 120
    newest = fives[1]  # a whole five minutes (the newest may still be filling)
    parts = [r for r in ones if newest["xhms"] <= r["xhms"] < fives[0]["xhms"]]
    assert len(parts) == 5
    assert newest["evol"] == str(sum(int(r["evol"]) for r in parts))
    assert newest["high"] == max(r["high"] for r in parts)
    assert newest["open"] == parts[-1]["open"]
    assert newest["last"] == parts[0]["last"]
    local = datetime.strptime(newest["xymd"] + newest["xhms"], "%Y%m%d%H%M%S")
    korea = local.replace(tzinfo=NEW_YORK).astimezone(KST)
    assert (newest["kymd"], newest["khms"]) == (ymd(korea.date()), korea.strftime("%H%M%S"))


async def test_minute_bars_with_pinc_include_the_previous_session(real: RawKis) -> None:
    keyb = NOW.astimezone(NEW_YORK).strftime("%Y%m%d") + "000000"
    body = await real.ok(MINUTES, "HHDFS76950200", minutes(keyb=keyb))
    rows = body["output2"]
    assert len(rows) == 120
    assert rows[0]["xhms"] == "155900"  # the previous session's last minute
    assert rows[0]["xymd"] < rows[0]["kymd"]


async def test_minute_chart_continues_on_tr_cont_n_alone(real: RawKis) -> None:
    first = (await real.get(MINUTES, "HHDFS76950200", minutes("1"))).json()["output2"]
    again = await real.get(MINUTES, "HHDFS76950200", minutes("1"), tr_cont="N")
    stamps = [r["xymd"] + r["xhms"] for r in first + again.json()["output2"]]
    assert len(stamps) == len(set(stamps)) == 240


async def test_minute_chart_of_an_unknown_symbol(real: RawKis) -> None:
    body = await real.ok(MINUTES, "HHDFS76950200", us("NOPE", NMIN="1", NREC="120"))
    assert body["output1"]["nrec"] == ""
    assert body["output2"] == []


# ----------------------------------------------------------------------------- orderbook


async def test_overseas_orderbook_has_ten_us_levels(real: RawKis, sim: Simulator) -> None:
    body = await real.ok(BOOK, "HHDFS76200100", us("KO", "NYS"))
    head, levels = body["output1"], body["output2"]
    assert_fields(head, BOOK_HEAD_FIELDS)
    assert_fields(
        levels, [f"{k}{n}" for k in ("pbid", "pask", "vbid", "vask") for n in range(1, 11)]
    )
    assert_fields(body["output3"], fields("vstm vetm csbp cshi cslo iep iev"))
    asks = [Decimal(levels[f"pask{n}"]) for n in range(1, 11)]
    bids = [Decimal(levels[f"pbid{n}"]) for n in range(1, 11)]
    assert asks[0] > bids[0]
    assert asks == sorted(asks)
    assert bids == sorted(bids, reverse=True)
    assert all(US_PRICE.match(levels[f"pask{n}"]) for n in range(1, 11))
    assert head["last"] == usd(sim.exchange.state("KO").last)
    assert head["rsym"] == "DNYSKO"
    unknown = await real.ok(BOOK, "HHDFS76200100", us("KO", "NAS"))
    assert unknown["output1"]["rsym"] == ""


# -------------------------------------------------------------- product info, calendars


async def test_overseas_search_info(real: RawKis) -> None:
    path = f"{QUOTES}/search-info"
    out = (await real.ok(path, "CTPF1702R", {"PRDT_TYPE_CD": "529", "PDNO": "SPY"}))["output"]
    assert_fields(out, INFO_FIELDS)
    assert (out["ovrs_excg_cd"], out["tr_crcy_cd"], out["natn_cd"]) == ("AMEX", "USD", "840")
    assert out["prdt_clsf_name"] == "ETF"
    missing = await real.get(path, "CTPF1702R", {"PRDT_TYPE_CD": "512", "PDNO": "SPY"})
    assert missing.json()["rt_cd"] == "7"


async def test_countries_holiday_settles_t_plus_one(real: RawKis) -> None:
    path = "/uapi/overseas-stock/v1/quotations/countries-holiday"
    params = {"TRAD_DT": "20261125", "CTX_AREA_NK": "", "CTX_AREA_FK": ""}
    response = await real.get(path, "CTOS5011R", params)
    rows = response.json()["output"]
    assert response.headers["tr_cont"] == "D"
    assert {row["prdt_type_cd"] for row in rows} == {"512", "513", "529"}
    assert response.json()["msg_cd"] == "KIOK0460"
    assert response.json()["ctx_area_fk"] == "20261125".ljust(20)
    # Thanksgiving (26th) is skipped; Korea settles on its next bank day after the 27th
    assert {(row["acpl_sttl_dt"], row["dmst_sttl_dt"]) for row in rows} == {
        ("20261127", "20261130")
    }
    # before 2024-05-28 the US settled T+2 (as a captured answer for 2022-12-27 shows)
    params["TRAD_DT"] = "20221227"
    old = (await real.ok(path, "CTOS5011R", params))["output"]
    assert (old[0]["acpl_sttl_dt"], old[0]["dmst_sttl_dt"]) == ("20221229", "20221230")


async def test_daily_chartprice_serves_us_stocks(virtual: RawKis, sim: Simulator) -> None:
    params = {
        "FID_COND_MRKT_DIV_CODE": "N",
        "FID_INPUT_ISCD": "MSFT",
        "FID_INPUT_DATE_1": "20250101",
        "FID_INPUT_DATE_2": "20261118",
        "FID_PERIOD_DIV_CODE": "M",
    }
    body = await virtual.ok(f"{QUOTES}/inquire-daily-chartprice", "FHKST03030100", params)
    assert body["output1"]["ovrs_nmix_prpr"] == usd(sim.exchange.state("MSFT").last)
    assert [r["stck_bsop_date"][:6] for r in body["output2"][:2]] == ["202611", "202610"]
    assert len(body["output2"]) == 23


@pytest.mark.parametrize(
    ("path", "tr_id", "params"),
    [
        (DETAIL, "HHDFS76200200", us()),
        (MINUTES, "HHDFS76950200", minutes()),
        (BOOK, "HHDFS76200100", us()),
        (f"{QUOTES}/search-info", "CTPF1702R", {"PRDT_TYPE_CD": "512", "PDNO": "AAPL"}),
        ("/uapi/overseas-stock/v1/quotations/countries-holiday", "CTOS5011R", {"TRAD_DT": "1"}),
    ],
)
async def test_real_only_overseas_trs_are_refused_by_virtual(
    virtual: RawKis, path: str, tr_id: str, params: dict[str, str]
) -> None:
    response = await virtual.get(path, tr_id, params)
    assert response.status_code == 500
    assert response.json()["msg_cd"] == "OPSQ0002"
