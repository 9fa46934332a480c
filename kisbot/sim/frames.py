"""Pure builders of the simulator's websocket wire text (KIS reference §6).

Nothing here does I/O or keeps state: each function turns exchange facts into the strings KIS
sends. `ws.py` decides who gets them and when.

- Control replies (§6.3) are JSON: `{"header": {tr_id, tr_key, encrypt}, "body": {rt_cd,
  msg_cd, msg1, output: {iv, key}}}`; `PINGPONG` (§6.4) is `{"header": {tr_id, datetime}}`.
- Data frames (§6.5) are `0|TR|NNN|f1^f2^…` with NNN records of the TR's fields concatenated by
  `^`; encrypted ones are `1|TR|001|<base64 AES-256-CBC of the ^ string>` with the key and iv of
  the subscription's ack (their UTF-8 bytes), PKCS#7 padded.
- Each TR's field names are a tuple below, numbered like the reference tables; every record
  builder fills a dict by name and `_ordered` lays it out in that order, so a field can neither
  go missing nor move.

Choices where the reference is silent (the simulator's own, so clients must not rely on them
beyond the layout):
- HDFSASP0 (US orderbook): 17 fields, one level, as the official samples say free US quotes
  are; `hdfsasp0_record(levels=10)` gives python-kis's 71-field ten-level layout.
- Overseas notice prices (H0GSCNI0/9 CNTG_UNPR): US implied 4 decimals, zero-padded to 9
  characters (148.01 → `001480100`); CNTG_UNPR12 is the same number padded to 12.
- Notice ACNT_NO is CANO + ACNT_PRDT_CD (10 digits); STCK_CNTG_HOUR is KST for both notices.
- ACPT_YN: `1` for a new order's receipt and for rejections, `2` for fills and for modify /
  cancel confirmations, `3` when IOC/FOK cancels the unfilled rest.
- H0STCNT0: CTTR (체결강도) = buy volume / sell volume × 100 and `0.00` while nothing sold;
  PRDY_SMNS_HOUR_ACML_VOL is yesterday's volume × the elapsed share of the 390-minute session;
  VI_STND_PRC is the open; expected-execution (ANTC_*) and change (ICDC, DBID/DASK) fields are
  zero because the simulator has no auction phase and keeps no previous book.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from kisbot.domain.time import KST
from kisbot.sim.exchange import Book, BookLevel, OrderEvent, PriceState, Pricing, Side, TickEvent
from kisbot.sim.history import local_zone
from kisbot.sim.rest import fmt_money
from kisbot.sim.universe import Instrument

__all__ = [
    "H0GSCNI_FIELDS",
    "H0STASP0_FIELDS",
    "H0STCNI_FIELDS",
    "H0STCNT0_FIELDS",
    "HDFSASP0_FIELDS",
    "HDFSASP0_FIELDS_10",
    "HDFSCNT0_FIELDS",
    "MAX_RECORDS",
    "aes_encrypt",
    "control_reply",
    "data_frame",
    "encrypted_frame",
    "h0gscni_record",
    "h0stasp0_record",
    "h0stcni_record",
    "h0stcnt0_record",
    "hdfsasp0_fields",
    "hdfsasp0_record",
    "hdfscnt0_record",
    "implied_decimals",
    "pingpong",
]

MAX_RECORDS: Final = 999  # the count field has three digits
_LEVELS: Final = range(1, 11)

# H0STCNT0 (and its aliases H0UNCNT0 / H0NXCNT0): domestic executions, 46 fields.
H0STCNT0_FIELDS: Final[tuple[str, ...]] = (
    "MKSC_SHRN_ISCD",  # 0 code
    "STCK_CNTG_HOUR",  # 1 execution time HHMMSS (KST)
    "STCK_PRPR",  # 2 price
    "PRDY_VRSS_SIGN",  # 3 sign 1-5 (§8.2)
    "PRDY_VRSS",  # 4 change vs previous close
    "PRDY_CTRT",  # 5 change %
    "WGHN_AVRG_STCK_PRC",  # 6 VWAP
    "STCK_OPRC",  # 7 open
    "STCK_HGPR",  # 8 high
    "STCK_LWPR",  # 9 low
    "ASKP1",  # 10 best ask
    "BIDP1",  # 11 best bid
    "CNTG_VOL",  # 12 trade qty
    "ACML_VOL",  # 13 cumulative volume
    "ACML_TR_PBMN",  # 14 cumulative turnover
    "SELN_CNTG_CSNU",  # 15 sell trade count
    "SHNU_CNTG_CSNU",  # 16 buy trade count
    "NTBY_CNTG_CSNU",  # 17 net buy count
    "CTTR",  # 18 체결강도
    "SELN_CNTG_SMTN",  # 19 total sell qty
    "SHNU_CNTG_SMTN",  # 20 total buy qty
    "CCLD_DVSN",  # 21 1 buy(+), 3 pre-open, 5 sell(-)
    "SHNU_RATE",  # 22 buy ratio
    "PRDY_VOL_VRSS_ACML_VOL_RATE",  # 23 volume vs previous day %
    "OPRC_HOUR",  # 24 open time
    "OPRC_VRSS_PRPR_SIGN",  # 25
    "OPRC_VRSS_PRPR",  # 26 price - open
    "HGPR_HOUR",  # 27 high time
    "HGPR_VRSS_PRPR_SIGN",  # 28
    "HGPR_VRSS_PRPR",  # 29 price - high
    "LWPR_HOUR",  # 30 low time
    "LWPR_VRSS_PRPR_SIGN",  # 31
    "LWPR_VRSS_PRPR",  # 32 price - low
    "BSOP_DATE",  # 33 business date YYYYMMDD
    "NEW_MKOP_CLS_CODE",  # 34 session code (2x = regular)
    "TRHT_YN",  # 35 halted Y/N
    "ASKP_RSQN1",  # 36 ask qty 1
    "BIDP_RSQN1",  # 37 bid qty 1
    "TOTAL_ASKP_RSQN",  # 38
    "TOTAL_BIDP_RSQN",  # 39
    "VOL_TNRT",  # 40 turnover ratio (volume / listed shares %)
    "PRDY_SMNS_HOUR_ACML_VOL",  # 41 previous day's volume at the same time
    "PRDY_SMNS_HOUR_ACML_VOL_RATE",  # 42
    "HOUR_CLS_CODE",  # 43 0 = 장중
    "MRKT_TRTM_CLS_CODE",  # 44 임의종료
    "VI_STND_PRC",  # 45 static VI base price
)

# H0STASP0: domestic orderbook, 59 fields.
H0STASP0_FIELDS: Final[tuple[str, ...]] = (
    "MKSC_SHRN_ISCD",  # 0
    "BSOP_HOUR",  # 1 HHMMSS
    "HOUR_CLS_CODE",  # 2 0 = regular
    *(f"ASKP{n}" for n in _LEVELS),  # 3-12
    *(f"BIDP{n}" for n in _LEVELS),  # 13-22
    *(f"ASKP_RSQN{n}" for n in _LEVELS),  # 23-32
    *(f"BIDP_RSQN{n}" for n in _LEVELS),  # 33-42
    "TOTAL_ASKP_RSQN",  # 43
    "TOTAL_BIDP_RSQN",  # 44
    "OVTM_TOTAL_ASKP_RSQN",  # 45
    "OVTM_TOTAL_BIDP_RSQN",  # 46
    "ANTC_CNPR",  # 47 expected price
    "ANTC_CNQN",  # 48
    "ANTC_VOL",  # 49
    "ANTC_CNTG_VRSS",  # 50
    "ANTC_CNTG_VRSS_SIGN",  # 51
    "ANTC_CNTG_PRDY_CTRT",  # 52
    "ACML_VOL",  # 53
    "TOTAL_ASKP_RSQN_ICDC",  # 54
    "TOTAL_BIDP_RSQN_ICDC",  # 55
    "OVTM_TOTAL_ASKP_ICDC",  # 56
    "OVTM_TOTAL_BIDP_ICDC",  # 57
    "STCK_DEAL_CLS_CODE",  # 58
)

# H0STCNI0 (real) / H0STCNI9 (virtual): domestic execution notices, 26 fields, encrypted.
H0STCNI_FIELDS: Final[tuple[str, ...]] = (
    "CUST_ID",  # 0 HTS ID
    "ACNT_NO",  # 1 account
    "ODER_NO",  # 2 order no.
    "OODER_NO",  # 3 original order no. (modify / cancel)
    "SELN_BYOV_CLS",  # 4 01 sell, 02 buy
    "RCTF_CLS",  # 5 0 new, 1 modify, 2 cancel
    "ODER_KIND",  # 6 ORD_DVSN
    "ODER_COND",  # 7
    "STCK_SHRN_ISCD",  # 8 code
    "CNTG_QTY",  # 9 filled qty (receipts: order qty)
    "CNTG_UNPR",  # 10 fill price (receipts: order price)
    "STCK_CNTG_HOUR",  # 11 HHMMSS
    "RFUS_YN",  # 12 0 accepted, 1 rejected
    "CNTG_YN",  # 13 1 receipt, 2 execution
    "ACPT_YN",  # 14 1 received, 2 confirmed, 3 cancelled (IOC/FOK)
    "BRNC_NO",  # 15 branch
    "ODER_QTY",  # 16 order qty
    "ACNT_NAME",  # 17
    "ORD_COND_PRC",  # 18 stop-limit condition price
    "ORD_EXG_GB",  # 19 1 KRX, 2 NXT, 3 SOR-KRX, 4 SOR-NXT
    "POPUP_YN",  # 20
    "FILLER",  # 21
    "CRDT_CLS",  # 22
    "CRDT_LOAN_DATE",  # 23
    "CNTG_ISNM40",  # 24 issue name
    "ODER_PRC",  # 25 order price
)

# HDFSCNT0: overseas trades, 26 fields.
HDFSCNT0_FIELDS: Final[tuple[str, ...]] = (
    "RSYM",  # 0 realtime symbol, e.g. DNASAAPL
    "SYMB",  # 1 ticker
    "ZDIV",  # 2 decimals
    "TYMD",  # 3 local business date
    "XYMD",  # 4 local date
    "XHMS",  # 5 local time
    "KYMD",  # 6 KST date
    "KHMS",  # 7 KST time
    "OPEN",  # 8
    "HIGH",  # 9
    "LOW",  # 10
    "LAST",  # 11
    "SIGN",  # 12
    "DIFF",  # 13
    "RATE",  # 14
    "PBID",  # 15 best bid
    "PASK",  # 16 best ask
    "VBID",  # 17 bid qty
    "VASK",  # 18 ask qty
    "EVOL",  # 19 trade qty
    "TVOL",  # 20 cumulative volume
    "TAMT",  # 21 cumulative amount
    "BIVL",  # 22 매도체결량 (sell-initiated volume)
    "ASVL",  # 23 매수체결량 (buy-initiated volume)
    "STRN",  # 24 체결강도
    "MTYP",  # 25 1 regular, 2 pre, 3 post
)

# HDFSASP0: overseas orderbook; 0-10 header, then per level PBID, PASK, VBID, VASK, DBID, DASK.
_HDFSASP0_HEADER: Final = (
    "RSYM",  # 0
    "SYMB",  # 1
    "ZDIV",  # 2
    "XYMD",  # 3
    "XHMS",  # 4
    "KYMD",  # 5
    "KHMS",  # 6
    "BVOL",  # 7 total bid qty
    "AVOL",  # 8 total ask qty
    "BDVL",  # 9 bid qty change
    "ADVL",  # 10 ask qty change
)
_HDFSASP0_LEVEL: Final = ("PBID", "PASK", "VBID", "VASK", "DBID", "DASK")


def hdfsasp0_fields(levels: int) -> tuple[str, ...]:
    """HDFSASP0 field names for `levels` book levels: 11 + 6 × levels (17 or 71)."""
    per_level = (f"{name}{n}" for n in range(1, levels + 1) for name in _HDFSASP0_LEVEL)
    return (*_HDFSASP0_HEADER, *per_level)


HDFSASP0_FIELDS: Final = hdfsasp0_fields(1)  # 17: 11 PBID1 … 16 DASK1
HDFSASP0_FIELDS_10: Final = hdfsasp0_fields(10)  # 71: ten levels from index 11

# H0GSCNI0 (real) / H0GSCNI9 (virtual): overseas execution notices, 25 fields, encrypted.
H0GSCNI_FIELDS: Final[tuple[str, ...]] = (
    "CUST_ID",  # 0
    "ACNT_NO",  # 1
    "ODER_NO",  # 2
    "OODER_NO",  # 3
    "SELN_BYOV_CLS",  # 4 01 sell, 02 buy
    "RCTF_CLS",  # 5 0 normal, 1 modify, 2 cancel
    "ODER_KIND2",  # 6 1 market, 2 limit, A MOO, B LOO, C MOC, D LOC
    "STCK_SHRN_ISCD",  # 7 ticker
    "CNTG_QTY",  # 8 (receipts: order qty)
    "CNTG_UNPR",  # 9 implied decimals (US 4), width 9
    "STCK_CNTG_HOUR",  # 10
    "RFUS_YN",  # 11
    "CNTG_YN",  # 12 2 = execution
    "ACPT_YN",  # 13
    "BRNC_NO",  # 14
    "ODER_QTY",  # 15 blank on receipts
    "ACNT_NAME",  # 16
    "CNTG_ISNM",  # 17
    "ODER_COND",  # 18 해외종목구분: 6 NASDAQ, 7 NYSE, 8 AMEX
    "DEBT_GB",  # 19 10 cash
    "DEBT_DATE",  # 20
    "START_TM",  # 21
    "END_TM",  # 22
    "TM_DIV_TP",  # 23
    "CNTG_UNPR12",  # 24 fill price, 12 characters
)

_US_PLACES: Final = 4
_OVERSEAS_KIND: Final = {"31": "A", "32": "B", "33": "C", "34": "D"}  # MOO, LOO, MOC, LOC
_OVERSEAS_COND: Final = {"NASD": "6", "NYSE": "7", "AMEX": "8"}
_EXCHANGE_GB: Final = {"KRX": "1", "NXT": "2", "SOR": "3"}
_SESSION_MINUTES: Final = 390  # KRX 09:00-15:30
_HUNDRED: Final = Decimal(100)
_CENT: Final = Decimal("0.01")


# ----------------------------------------------------------------------------------- framing


def data_frame(tr_id: str, records: Sequence[Sequence[str]]) -> str:
    """A plain realtime frame: `0|TR|NNN|` and every record's fields joined by `^`."""
    count = len(records)
    if not 1 <= count <= MAX_RECORDS:
        raise ValueError(f"a frame carries 1..{MAX_RECORDS} records, not {count}")
    payload = "^".join(value for record in records for value in record)
    return f"0|{tr_id}|{count:03d}|{payload}"


def encrypted_frame(tr_id: str, record: Sequence[str], key: str, iv: str) -> str:
    """An encrypted one-record frame (execution notices): `1|TR|001|<base64>`."""
    return f"1|{tr_id}|001|{aes_encrypt('^'.join(record), key, iv)}"


def aes_encrypt(plain: str, key: str, iv: str) -> str:
    """AES-256-CBC with the UTF-8 bytes of a 32-char key and 16-char iv, PKCS#7, base64."""
    padder = padding.PKCS7(algorithms.AES.block_size).padder()
    data = padder.update(plain.encode("utf-8")) + padder.finalize()
    encryptor = Cipher(
        algorithms.AES(key.encode("utf-8")), modes.CBC(iv.encode("utf-8"))
    ).encryptor()
    return base64.b64encode(encryptor.update(data) + encryptor.finalize()).decode("ascii")


def control_reply(
    tr_id: str,
    tr_key: str,
    *,
    rt_cd: str,
    msg_cd: str,
    msg1: str,
    encrypt: bool = False,
    key_iv: tuple[str, str] | None = None,
) -> str:
    """A subscribe/unsubscribe answer (§6.3); `key_iv` adds `output: {iv, key}`."""
    body: dict[str, object] = {"rt_cd": rt_cd, "msg_cd": msg_cd, "msg1": msg1}
    if key_iv is not None:
        key, iv = key_iv
        body["output"] = {"iv": iv, "key": key}
    header = {"tr_id": tr_id, "tr_key": tr_key, "encrypt": "Y" if encrypt else "N"}
    return _json({"header": header, "body": body})


def pingpong(now: datetime) -> str:
    """The server heartbeat (§6.4), stamped in KST."""
    return _json(
        {"header": {"tr_id": "PINGPONG", "datetime": now.astimezone(KST).strftime("%Y%m%d%H%M%S")}}
    )


def _json(obj: Mapping[str, object]) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _ordered(names: tuple[str, ...], values: Mapping[str, str]) -> list[str]:
    """`values` laid out in the TR's field order; a missing or unknown name is a bug here."""
    if len(values) != len(names):
        unknown = sorted(set(values) - set(names))
        missing = [n for n in names if n not in values]
        raise ValueError(f"fields do not match the layout: missing {missing}, unknown {unknown}")
    return [values[name] for name in names]


# ------------------------------------------------------------------------------- formatting


def _hms(when: datetime) -> str:
    return when.strftime("%H%M%S")


def _ymd(when: datetime) -> str:
    return when.strftime("%Y%m%d")


def _price(inst: Instrument, value: Decimal) -> str:
    """Domestic prices in whole won, US prices with four decimals (§8.1)."""
    return fmt_money(value, 0 if inst.domestic else _US_PLACES)


def _percent(part: int, whole: int) -> str:
    """part / whole × 100 with two decimals; `0.00` when `whole` is zero."""
    if not whole:
        return "0.00"
    return str((Decimal(part) * _HUNDRED / whole).quantize(_CENT, rounding=ROUND_HALF_UP))


def _diff_sign(diff: Decimal) -> str:
    return "2" if diff > 0 else "5" if diff < 0 else "3"


def implied_decimals(value: Decimal, places: int = _US_PLACES, width: int = 9) -> str:
    """A price as digits with `places` implied decimals, zero-padded: 148.01 → `001480100`."""
    digits = value.scaleb(places).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return str(int(digits)).zfill(width)


def _side_levels(
    values: dict[str, str], inst: Instrument, names: tuple[str, str], levels: Iterable[BookLevel]
) -> None:
    """Fill `PRICEn` / `QTYn` for one side of the book."""
    price_name, qty_name = names
    for n, level in enumerate(levels, 1):
        values[f"{price_name}{n}"] = _price(inst, level.price)
        values[f"{qty_name}{n}"] = str(level.qty)


def _total(levels: Iterable[BookLevel]) -> str:
    return str(sum(level.qty for level in levels))


# ---------------------------------------------------------------------------- market data


def _versus(
    prefix: str, state: PriceState, ref: Decimal, when: datetime | None, fallback: datetime
) -> dict[str, str]:
    """The H0STCNT0 triple `<prefix>_HOUR`, `…_VRSS_PRPR_SIGN`, `…_VRSS_PRPR`."""
    diff = state.last - ref
    return {
        f"{prefix}_HOUR": _hms((when or fallback).astimezone(KST)),
        f"{prefix}_VRSS_PRPR_SIGN": _diff_sign(diff),
        f"{prefix}_VRSS_PRPR": _price(state.inst, diff),
    }


def _same_time_volume(state: PriceState, when: datetime) -> int:
    """Yesterday's volume scaled to the share of today's session elapsed at `when` (KST)."""
    elapsed = when.hour * 60 + when.minute - 9 * 60
    elapsed = min(max(elapsed, 0), _SESSION_MINUTES)
    return state.prev_volume * elapsed // _SESSION_MINUTES


def h0stcnt0_record(tick: TickEvent, book: Book) -> list[str]:
    """One H0STCNT0 record for a printed domestic trade (the state is after the trade)."""
    state = tick.state
    inst = state.inst
    when = tick.time.astimezone(KST)
    ask, bid = book.asks[0], book.bids[0]
    opened = state.minutes[0].start if state.minutes else when
    same_time = _same_time_volume(state, when)
    values = {
        "MKSC_SHRN_ISCD": inst.symbol,
        "STCK_CNTG_HOUR": _hms(when),
        "STCK_PRPR": _price(inst, state.last),
        "PRDY_VRSS_SIGN": state.sign,
        "PRDY_VRSS": _price(inst, state.change),
        "PRDY_CTRT": fmt_money(state.change_rate, 2),
        "WGHN_AVRG_STCK_PRC": fmt_money(state.vwap, 2),
        "STCK_OPRC": _price(inst, state.open),
        "STCK_HGPR": _price(inst, state.high),
        "STCK_LWPR": _price(inst, state.low),
        "ASKP1": _price(inst, ask.price),
        "BIDP1": _price(inst, bid.price),
        "CNTG_VOL": str(tick.qty),
        "ACML_VOL": str(state.volume),
        "ACML_TR_PBMN": _price(inst, state.turnover),
        "SELN_CNTG_CSNU": str(state.sell_count),
        "SHNU_CNTG_CSNU": str(state.buy_count),
        "NTBY_CNTG_CSNU": str(state.buy_count - state.sell_count),
        "CTTR": _percent(state.buy_volume, state.sell_volume),
        "SELN_CNTG_SMTN": str(state.sell_volume),
        "SHNU_CNTG_SMTN": str(state.buy_volume),
        "CCLD_DVSN": "1" if tick.side is Side.BUY else "5",
        "SHNU_RATE": _percent(state.buy_volume, state.buy_volume + state.sell_volume),
        "PRDY_VOL_VRSS_ACML_VOL_RATE": _percent(state.volume, state.prev_volume),
        **_versus("OPRC", state, state.open, opened, when),
        **_versus("HGPR", state, state.high, state.high_time, when),
        **_versus("LWPR", state, state.low, state.low_time, when),
        "BSOP_DATE": _ymd(when),
        "NEW_MKOP_CLS_CODE": "20",
        "TRHT_YN": "Y" if state.halted else "N",
        "ASKP_RSQN1": str(ask.qty),
        "BIDP_RSQN1": str(bid.qty),
        "TOTAL_ASKP_RSQN": _total(book.asks),
        "TOTAL_BIDP_RSQN": _total(book.bids),
        "VOL_TNRT": _percent(state.volume, inst.listed_shares),
        "PRDY_SMNS_HOUR_ACML_VOL": str(same_time),
        "PRDY_SMNS_HOUR_ACML_VOL_RATE": _percent(state.volume, same_time),
        "HOUR_CLS_CODE": "0",
        "MRKT_TRTM_CLS_CODE": "",
        "VI_STND_PRC": _price(inst, state.open),
    }
    return _ordered(H0STCNT0_FIELDS, values)


def h0stasp0_record(state: PriceState, book: Book) -> list[str]:
    """One H0STASP0 record: the ten-level domestic book."""
    inst = state.inst
    values = {
        "MKSC_SHRN_ISCD": inst.symbol,
        "BSOP_HOUR": _hms(book.time.astimezone(KST)),
        "HOUR_CLS_CODE": "0",
        "TOTAL_ASKP_RSQN": _total(book.asks),
        "TOTAL_BIDP_RSQN": _total(book.bids),
        "OVTM_TOTAL_ASKP_RSQN": "0",
        "OVTM_TOTAL_BIDP_RSQN": "0",
        "ANTC_CNPR": "0",
        "ANTC_CNQN": "0",
        "ANTC_VOL": "0",
        "ANTC_CNTG_VRSS": "0",
        "ANTC_CNTG_VRSS_SIGN": "3",
        "ANTC_CNTG_PRDY_CTRT": "0.00",
        "ACML_VOL": str(state.volume),
        "TOTAL_ASKP_RSQN_ICDC": "0",
        "TOTAL_BIDP_RSQN_ICDC": "0",
        "OVTM_TOTAL_ASKP_ICDC": "0",
        "OVTM_TOTAL_BIDP_ICDC": "0",
        "STCK_DEAL_CLS_CODE": "0",
    }
    _side_levels(values, inst, ("ASKP", "ASKP_RSQN"), book.asks)
    _side_levels(values, inst, ("BIDP", "BIDP_RSQN"), book.bids)
    return _ordered(H0STASP0_FIELDS, values)


def _overseas_stamps(inst: Instrument, when: datetime) -> dict[str, str]:
    """XYMD/XHMS (exchange-local) and KYMD/KHMS (KST)."""
    local = when.astimezone(local_zone(inst))
    kst = when.astimezone(KST)
    return {"XYMD": _ymd(local), "XHMS": _hms(local), "KYMD": _ymd(kst), "KHMS": _hms(kst)}


def _us_session(when: datetime) -> str:
    """MTYP: 2 before 09:30 New York time, 3 from 16:00, else 1 (regular)."""
    hhmm = when.hour * 100 + when.minute
    return "2" if hhmm < 930 else "3" if hhmm >= 1600 else "1"


def hdfscnt0_record(rsym: str, tick: TickEvent, book: Book) -> list[str]:
    """One HDFSCNT0 record for a printed US trade; `rsym` is the subscribed key (DNASAAPL)."""
    state = tick.state
    inst = state.inst
    stamps = _overseas_stamps(inst, tick.time)
    ask, bid = book.asks[0], book.bids[0]
    values = {
        "RSYM": rsym,
        "SYMB": inst.symbol,
        "ZDIV": str(_US_PLACES),
        "TYMD": stamps["XYMD"],
        **stamps,
        "OPEN": _price(inst, state.open),
        "HIGH": _price(inst, state.high),
        "LOW": _price(inst, state.low),
        "LAST": _price(inst, state.last),
        "SIGN": state.sign,
        "DIFF": _price(inst, state.change),
        "RATE": fmt_money(state.change_rate, 2),
        "PBID": _price(inst, bid.price),
        "PASK": _price(inst, ask.price),
        "VBID": str(bid.qty),
        "VASK": str(ask.qty),
        "EVOL": str(tick.qty),
        "TVOL": str(state.volume),
        "TAMT": fmt_money(state.turnover, _US_PLACES),
        "BIVL": str(state.sell_volume),
        "ASVL": str(state.buy_volume),
        "STRN": _percent(state.buy_volume, state.sell_volume),
        "MTYP": _us_session(tick.time.astimezone(local_zone(inst))),
    }
    return _ordered(HDFSCNT0_FIELDS, values)


def hdfsasp0_record(rsym: str, state: PriceState, book: Book, levels: int = 1) -> list[str]:
    """One HDFSASP0 record with `levels` levels (1 → 17 fields, 10 → 71 fields)."""
    inst = state.inst
    asks, bids = book.asks[:levels], book.bids[:levels]
    values = {
        "RSYM": rsym,
        "SYMB": inst.symbol,
        "ZDIV": str(_US_PLACES),
        **_overseas_stamps(inst, book.time),
        "BVOL": _total(bids),
        "AVOL": _total(asks),
        "BDVL": "0",
        "ADVL": "0",
    }
    _side_levels(values, inst, ("PBID", "VBID"), bids)
    _side_levels(values, inst, ("PASK", "VASK"), asks)
    for n in range(1, levels + 1):
        values[f"DBID{n}"] = values[f"DASK{n}"] = "0"
    return _ordered(hdfsasp0_fields(levels), values)


# ------------------------------------------------------------------------------- notices


@dataclass(frozen=True, slots=True)
class _Notice:
    """What both notice layouts say about one order event."""

    qty: int  # CNTG_QTY
    price: Decimal  # CNTG_UNPR
    rctf: str  # RCTF_CLS
    rfus: str  # RFUS_YN
    cntg: str  # CNTG_YN
    acpt: str  # ACPT_YN


def _notice(event: OrderEvent) -> _Notice:
    order = event.order
    rctf = {"new": "0", "modify": "1", "cancel": "2"}[order.kind]
    if event.fill is not None:
        return _Notice(event.fill.qty, event.fill.price, rctf, "0", "2", "2")
    if event.kind == "rejected":
        return _Notice(order.rejected_qty, order.price, rctf, "1", "1", "1")
    if event.kind == "cancelled" and order.kind != "cancel":
        # IOC/FOK: the exchange cancelled the unfilled rest of this very order
        return _Notice(order.cancelled_qty, order.price, rctf, "0", "1", "3")
    acpt = "1" if event.kind == "accepted" else "2"
    return _Notice(order.qty, order.price, rctf, "0", "1", acpt)


def _notice_head(event: OrderEvent, cust_id: str, facts: _Notice) -> dict[str, str]:
    """CUST_ID … RCTF_CLS, the fields both layouts open with."""
    order, acct = event.order, event.account
    return {
        "CUST_ID": cust_id,
        "ACNT_NO": acct.cano + acct.product,
        "ODER_NO": order.odno,
        "OODER_NO": order.original_odno,
        "SELN_BYOV_CLS": order.side.value,
        "RCTF_CLS": facts.rctf,
        "RFUS_YN": facts.rfus,
        "CNTG_YN": facts.cntg,
        "ACPT_YN": facts.acpt,
        "BRNC_NO": order.branch,
        "ACNT_NAME": acct.name,
        "STCK_SHRN_ISCD": order.inst.symbol,
        "CNTG_QTY": str(facts.qty),
        "STCK_CNTG_HOUR": _hms(event.time.astimezone(KST)),
    }


def h0stcni_record(event: OrderEvent, cust_id: str) -> list[str]:
    """One H0STCNI0/H0STCNI9 record (26 fields) for a domestic order event."""
    order = event.order
    inst = order.inst
    facts = _notice(event)
    values = {
        **_notice_head(event, cust_id, facts),
        "ODER_KIND": order.ord_dvsn,
        "ODER_COND": "0",
        "CNTG_UNPR": _price(inst, facts.price),
        "ODER_QTY": str(order.qty),
        "ORD_COND_PRC": "",
        "ORD_EXG_GB": _EXCHANGE_GB.get(order.exchange_code, "1"),
        "POPUP_YN": "Y",
        "FILLER": "",
        "CRDT_CLS": "10",
        "CRDT_LOAN_DATE": "",
        "CNTG_ISNM40": inst.name_kr,
        "ODER_PRC": _price(inst, order.price),
    }
    return _ordered(H0STCNI_FIELDS, values)


def h0gscni_record(event: OrderEvent, cust_id: str) -> list[str]:
    """One H0GSCNI0/H0GSCNI9 record (25 fields) for an overseas order event."""
    order = event.order
    inst = order.inst
    facts = _notice(event)
    kind = _OVERSEAS_KIND.get(order.ord_dvsn, "1" if order.pricing is Pricing.MARKET else "2")
    values = {
        **_notice_head(event, cust_id, facts),
        "ODER_KIND2": kind,
        "CNTG_UNPR": implied_decimals(facts.price),
        "ODER_QTY": str(order.qty) if event.fill is not None else "",
        "CNTG_ISNM": inst.name_kr,
        "ODER_COND": _OVERSEAS_COND.get(inst.venue.value, ""),
        "DEBT_GB": "10",
        "DEBT_DATE": "",
        "START_TM": "",
        "END_TM": "",
        "TM_DIV_TP": "",
        "CNTG_UNPR12": implied_decimals(facts.price, width=12),
    }
    return _ordered(H0GSCNI_FIELDS, values)
