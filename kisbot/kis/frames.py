"""Pure parsers for KIS websocket realtime frames (reference §6.5, §6.8, §8.2).

A data frame is text, `<flag>|<tr_id>|<count>|<payload>`: flag `0` plain or `1` AES-encrypted,
`count` records in the payload, every field of every record joined by `^`. Encrypted payloads
(execution notices) are base64 of AES-256-CBC with PKCS#7 padding; key and iv are the UTF-8
bytes of the strings the subscribe ack delivered for that TR.

The layouts below are tuples of KIS column names, one per TR, indexed as KIS documents them.
A record may be longer than its layout (KIS appends fields: it did so to H0STCNI0 in 2025), so
the fields per record are `len(fields) // count`, checked against the layout's minimum, and
extra trailing fields are ignored. Layouts that exist in two lengths are told apart by length:
H0STCNI0/9 (26, or 23 before 2025), HDFSASP0 (17 for one level, 71 for ten).

    frame = parse_frame(text)                  # RawFrame; raises FrameError if malformed
    frame = frame.decrypted(key, iv)           # only when frame.encrypted
    values = convert(frame, today=date(...))   # PriceTick | OrderbookUpdate | ExecutionNotice
    values = parse_realtime(text, keys)        # the three steps in one

This is the stream's hot path: converters take the columns they expose with one
`operator.itemgetter` call per record and convert only those, and ticks fill their frozen
dataclass slots directly (`_slot_filler`). Pass `today` (from the stream's clock) so books and
notices need not read the wall clock per frame.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from typing import Final, NamedTuple, ParamSpec, TypeVar, cast

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from kisbot.domain.models import Market, OrderbookLevel, OrderType, Side, Symbol
from kisbot.domain.realtime import (
    ExecutionNotice,
    NoticeKind,
    OrderbookUpdate,
    PriceSign,
    PriceTick,
    RealtimeValue,
    TradingSession,
    Venue,
)
from kisbot.domain.time import KST

__all__ = [
    "ENCRYPTED_TRS",
    "H0GSCNI0_FIELDS",
    "H0STASP0_FIELDS",
    "H0STCNI0_FIELDS",
    "H0STCNI0_FIELDS_2024",
    "H0STCNT0_FIELDS",
    "H0UNASP0_FIELDS",
    "HDFSASP0_FIELDS",
    "HDFSASP0_FIELDS_L1",
    "HDFSCNT0_FIELDS",
    "LAYOUTS",
    "AesKey",
    "FrameError",
    "KeySource",
    "RawFrame",
    "convert",
    "decrypt",
    "is_data_frame",
    "parse_frame",
    "parse_realtime",
    "records",
]

P = ParamSpec("P")
T = TypeVar("T")

AesKey = tuple[str, str]
"""(key, iv) as the subscribe ack's `output.key` (32 chars) and `output.iv` (16 chars)."""

KeySource = Mapping[str, AesKey] | Callable[[str], AesKey | None]
"""Where `parse_realtime` finds the AES key of a TR: a mapping or a lookup function."""


def _numbered(prefix: str, levels: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{n}" for n in range(1, levels + 1))


# H0STCNT0 — domestic executions (KRX), 46 fields. H0NXCNT0 (NXT) and H0UNCNT0 (KRX+NXT) share
# it, with field 21 named CNTG_CLS_CODE.
H0STCNT0_FIELDS: Final[tuple[str, ...]] = (
    "MKSC_SHRN_ISCD",  # 0 code
    "STCK_CNTG_HOUR",  # 1 execution time HHMMSS (KST)
    "STCK_PRPR",  # 2 price
    "PRDY_VRSS_SIGN",  # 3 sign vs previous close, 1-5 (§8.2)
    "PRDY_VRSS",  # 4 change, signed
    "PRDY_CTRT",  # 5 change %, signed
    "WGHN_AVRG_STCK_PRC",  # 6 VWAP
    "STCK_OPRC",  # 7 open
    "STCK_HGPR",  # 8 high
    "STCK_LWPR",  # 9 low
    "ASKP1",  # 10 best ask
    "BIDP1",  # 11 best bid
    "CNTG_VOL",  # 12 this trade's quantity
    "ACML_VOL",  # 13 day's volume
    "ACML_TR_PBMN",  # 14 day's turnover
    "SELN_CNTG_CSNU",  # 15 trades at the bid (count)
    "SHNU_CNTG_CSNU",  # 16 trades at the ask (count)
    "NTBY_CNTG_CSNU",  # 17 net buy trades (count)
    "CTTR",  # 18 체결강도
    "SELN_CNTG_SMTN",  # 19 day's shares sold at the bid
    "SHNU_CNTG_SMTN",  # 20 day's shares bought at the ask
    "CCLD_DVSN",  # 21 1 buy, 3 pre-open, 5 sell
    "SHNU_RATE",  # 22 buy ratio
    "PRDY_VOL_VRSS_ACML_VOL_RATE",  # 23 volume vs previous day %
    "OPRC_HOUR",  # 24 time of the open
    "OPRC_VRSS_PRPR_SIGN",  # 25
    "OPRC_VRSS_PRPR",  # 26 price vs open
    "HGPR_HOUR",  # 27 time of the high
    "HGPR_VRSS_PRPR_SIGN",  # 28
    "HGPR_VRSS_PRPR",  # 29
    "LWPR_HOUR",  # 30 time of the low
    "LWPR_VRSS_PRPR_SIGN",  # 31
    "LWPR_VRSS_PRPR",  # 32
    "BSOP_DATE",  # 33 business date YYYYMMDD
    "NEW_MKOP_CLS_CODE",  # 34 session: 1st char 1 pre, 2 regular, 3 post, 4 after-hours single
    "TRHT_YN",  # 35 halted Y/N
    "ASKP_RSQN1",  # 36 best ask quantity
    "BIDP_RSQN1",  # 37 best bid quantity
    "TOTAL_ASKP_RSQN",  # 38 total ask quantity
    "TOTAL_BIDP_RSQN",  # 39 total bid quantity
    "VOL_TNRT",  # 40 turnover ratio
    "PRDY_SMNS_HOUR_ACML_VOL",  # 41 previous day's volume at this time
    "PRDY_SMNS_HOUR_ACML_VOL_RATE",  # 42
    "HOUR_CLS_CODE",  # 43 time class (0 장중)
    "MRKT_TRTM_CLS_CODE",  # 44 임의종료 code
    "VI_STND_PRC",  # 45 static VI base price
)

# H0STASP0 — domestic order book (KRX), 59 fields; ten levels, best first.
H0STASP0_FIELDS: Final[tuple[str, ...]] = (
    "MKSC_SHRN_ISCD",  # 0 code
    "BSOP_HOUR",  # 1 HHMMSS (KST)
    "HOUR_CLS_CODE",  # 2 0 regular, A post, B pre, C …, D after-hours
    *_numbered("ASKP", 10),  # 3-12 ask prices
    *_numbered("BIDP", 10),  # 13-22 bid prices
    *_numbered("ASKP_RSQN", 10),  # 23-32 ask quantities
    *_numbered("BIDP_RSQN", 10),  # 33-42 bid quantities
    "TOTAL_ASKP_RSQN",  # 43
    "TOTAL_BIDP_RSQN",  # 44
    "OVTM_TOTAL_ASKP_RSQN",  # 45 off-hours totals
    "OVTM_TOTAL_BIDP_RSQN",  # 46
    "ANTC_CNPR",  # 47 expected execution price (auctions)
    "ANTC_CNQN",  # 48 expected execution quantity
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

# H0UNASP0 (KRX+NXT) / H0NXASP0 (NXT): H0STASP0 plus the two venues' mid prices, 65 fields.
H0UNASP0_FIELDS: Final[tuple[str, ...]] = (
    *H0STASP0_FIELDS,
    "KMID_PRC",  # 59 KRX mid price
    "KMID_TOTAL_RSQN",  # 60
    "KMID_CLS_CODE",  # 61
    "NMID_PRC",  # 62 NXT mid price
    "NMID_TOTAL_RSQN",  # 63
    "NMID_CLS_CODE",  # 64
)

# H0STCNI0 (real) / H0STCNI9 (virtual) — domestic execution notices, 26 fields since 2025.
H0STCNI0_FIELDS: Final[tuple[str, ...]] = (
    "CUST_ID",  # 0 HTS ID
    "ACNT_NO",  # 1 account
    "ODER_NO",  # 2 order number
    "OODER_NO",  # 3 original order number (modify/cancel)
    "SELN_BYOV_CLS",  # 4 01 sell, 02 buy
    "RCTF_CLS",  # 5 0 new, 1 modify, 2 cancel
    "ODER_KIND",  # 6 order type (ORD_DVSN codes)
    "ODER_COND",  # 7 order condition
    "STCK_SHRN_ISCD",  # 8 code
    "CNTG_QTY",  # 9 filled quantity; on receipts the order quantity
    "CNTG_UNPR",  # 10 fill price; on receipts the order price
    "STCK_CNTG_HOUR",  # 11 HHMMSS (KST)
    "RFUS_YN",  # 12 0 accepted, 1 rejected
    "CNTG_YN",  # 13 1 order/modify/cancel/reject receipt, 2 execution
    "ACPT_YN",  # 14 1 received, 2 confirmed, 3 cancelled (IOC/FOK)
    "BRNC_NO",  # 15 branch (KRX_FWDG_ORD_ORGNO)
    "ODER_QTY",  # 16 order quantity
    "ACNT_NAME",  # 17 account name
    "ORD_COND_PRC",  # 18 stop-limit condition price
    "ORD_EXG_GB",  # 19 1 KRX, 2 NXT, 3 SOR-KRX, 4 SOR-NXT
    "POPUP_YN",  # 20
    "FILLER",  # 21
    "CRDT_CLS",  # 22 credit class
    "CRDT_LOAN_DATE",  # 23
    "CNTG_ISNM40",  # 24 issue name
    "ODER_PRC",  # 25 order price
)

# The pre-2025 H0STCNI0 layout, 23 fields: 0-17 as above, then these.
H0STCNI0_FIELDS_2024: Final[tuple[str, ...]] = (
    *H0STCNI0_FIELDS[:18],
    "CNTG_ISNM",  # 18 issue name
    "CRDT_CLS",  # 19
    "CRDT_LOAN_DATE",  # 20
    "CNTG_ISNM40",  # 21 issue name (40)
    "ODER_PRC",  # 22 order price
)

# HDFSCNT0 — overseas trades, 26 fields. Prices carry their decimal point.
HDFSCNT0_FIELDS: Final[tuple[str, ...]] = (
    "RSYM",  # 0 realtime key: D or R, exchange code, symbol (DNASAAPL, RBAQAAPL)
    "SYMB",  # 1 symbol
    "ZDIV",  # 2 decimals
    "TYMD",  # 3 local business date
    "XYMD",  # 4 local date
    "XHMS",  # 5 local time
    "KYMD",  # 6 KST date
    "KHMS",  # 7 KST time
    "OPEN",  # 8
    "HIGH",  # 9
    "LOW",  # 10
    "LAST",  # 11 price
    "SIGN",  # 12 sign (§8.2; 0 also flat)
    "DIFF",  # 13 change
    "RATE",  # 14 change %
    "PBID",  # 15 best bid
    "PASK",  # 16 best ask
    "VBID",  # 17 best bid quantity
    "VASK",  # 18 best ask quantity
    "EVOL",  # 19 this trade's quantity
    "TVOL",  # 20 day's volume
    "TAMT",  # 21 day's turnover
    "BIVL",  # 22 day's shares sold at the bid (매도체결량)
    "ASVL",  # 23 day's shares bought at the ask (매수체결량)
    "STRN",  # 24 체결강도
    "MTYP",  # 25 1 regular, 2 pre-market, 3 post-market
)

# HDFSASP0 (US) / HDFSASP1 (Asia, delayed) — overseas order book, one level: 17 fields.
HDFSASP0_FIELDS_L1: Final[tuple[str, ...]] = (
    "RSYM",  # 0
    "SYMB",  # 1
    "ZDIV",  # 2
    "XYMD",  # 3 local date
    "XHMS",  # 4 local time
    "KYMD",  # 5 KST date
    "KHMS",  # 6 KST time
    "BVOL",  # 7 total bid quantity
    "AVOL",  # 8 total ask quantity
    "BDVL",  # 9 total bid change
    "ADVL",  # 10 total ask change
    "PBID1",  # 11 bid price
    "PASK1",  # 12 ask price
    "VBID1",  # 13 bid quantity
    "VASK1",  # 14 ask quantity
    "DBID1",  # 15 bid quantity change
    "DASK1",  # 16 ask quantity change
)

# The ten-level US book (python-kis's layout): the same eleven header fields, then per level
# PBIDn, PASKn, VBIDn, VASKn, DBIDn, DASKn from index 11: 71 fields.
HDFSASP0_FIELDS: Final[tuple[str, ...]] = (
    *HDFSASP0_FIELDS_L1[:11],
    *(
        f"{name}{level}"
        for level in range(1, 11)
        for name in ("PBID", "PASK", "VBID", "VASK", "DBID", "DASK")
    ),
)

# H0GSCNI0 (real) / H0GSCNI9 (virtual) — overseas execution notices, 25 fields (older: 21).
H0GSCNI0_FIELDS: Final[tuple[str, ...]] = (
    "CUST_ID",  # 0
    "ACNT_NO",  # 1
    "ODER_NO",  # 2
    "OODER_NO",  # 3
    "SELN_BYOV_CLS",  # 4 01 sell, 02 buy
    "RCTF_CLS",  # 5 0 new, 1 modify, 2 cancel
    "ODER_KIND2",  # 6 1 market, 2 limit, 6/7 odd-lot market/limit, A MOO, B LOO, C MOC, D LOC
    "STCK_SHRN_ISCD",  # 7 symbol
    "CNTG_QTY",  # 8 filled quantity; on receipts the order quantity
    "CNTG_UNPR",  # 9 price with implied decimals: US 4, JP 1, CN 3, HK 3, VN 0
    "STCK_CNTG_HOUR",  # 10 HHMMSS, blank for some exchanges
    "RFUS_YN",  # 11
    "CNTG_YN",  # 12 2 execution
    "ACPT_YN",  # 13
    "BRNC_NO",  # 14
    "ODER_QTY",  # 15 order quantity, blank on receipts
    "ACNT_NAME",  # 16
    "CNTG_ISNM",  # 17 issue name
    "ODER_COND",  # 18 exchange: 4 HK, 5 SH-B, 6 NASDAQ, 7 NYSE, 8 AMEX, 9 OTCB, A SH-A, …
    "DEBT_GB",  # 19 10 cash, 15 stock-backed loan
    "DEBT_DATE",  # 20
    "START_TM",  # 21 split-order window
    "END_TM",  # 22
    "TM_DIV_TP",  # 23
    "CNTG_UNPR12",  # 24 fill price (12 chars)
)

ENCRYPTED_TRS: Final = frozenset({"H0STCNI0", "H0STCNI9", "H0GSCNI0", "H0GSCNI9"})

_KR_NOTICE_MINIMUM: Final = len(H0STCNI0_FIELDS_2024)
_KR_NOTICE_2025_LENGTH: Final = len(H0STCNI0_FIELDS)
_OVERSEAS_NOTICE_MINIMUM: Final = 21


class FrameError(ValueError):
    """A realtime frame that cannot be read: malformed, unknown TR, or undecryptable.

    Messages describe the frame's shape and name the offending code or number at most; never
    account data (notice payloads hold account numbers) or a control message's text (its acks
    hold AES keys).
    """

    def __init__(self, message: str, *, tr_id: str = "") -> None:
        super().__init__(f"{tr_id}: {message}" if tr_id else message)
        self.tr_id = tr_id
        self.reason = message


class RawFrame(NamedTuple):
    """A data frame split into its header and payload; `payload` is still `^`-joined."""

    encrypted: bool
    tr_id: str
    record_count: int
    payload: str

    def decrypted(self, key: str, iv: str) -> RawFrame:
        """This frame with its payload decrypted (itself if it was plain)."""
        if not self.encrypted:
            return self
        return RawFrame(
            False, self.tr_id, self.record_count, _decrypt(self.tr_id, self.payload, key, iv)
        )


def is_data_frame(text: str) -> bool:
    """Whether `text` looks like a data frame rather than a JSON control message."""
    return text[:2] in ("0|", "1|")


def parse_frame(text: str) -> RawFrame:
    """Split `<0|1>|TR|NNN|payload` into a RawFrame; FrameError says what is wrong."""
    return RawFrame(*_header(text))


def _header(text: str) -> tuple[bool, str, int, str]:
    parts = text.split("|", 3)
    if len(parts) == 4:
        flag, tr_id, count_text, payload = parts
        if count_text.isdigit() and count_text.isascii() and tr_id and payload:
            count = int(count_text)
            if count and (flag == "0" or flag == "1"):
                return flag == "1", tr_id, count, payload
    raise _malformed(parts)


def _malformed(parts: list[str]) -> FrameError:
    """The error for a frame `parse_frame` refused (the slow path, so it can be thorough)."""
    if len(parts) != 4:
        return FrameError(
            f"not a realtime frame: {len(parts)} '|'-separated parts, expected 4 "
            "(flag|tr_id|count|payload)"
        )
    flag, tr_id, count_text, _ = parts
    if flag not in ("0", "1"):
        return FrameError(f"encryption flag must be '0' or '1', not {flag[:8]!r}")
    if not tr_id:
        return FrameError("empty TR id")
    if not (count_text.isdigit() and count_text.isascii() and int(count_text) > 0):
        return FrameError(
            f"record count must be a positive number, not {count_text[:8]!r}", tr_id=tr_id
        )
    return FrameError("empty payload", tr_id=tr_id)


@lru_cache(maxsize=64)
def _cipher(key: str, iv: str) -> Cipher[modes.CBC]:
    return Cipher(algorithms.AES(key.encode("utf-8")), modes.CBC(iv.encode("utf-8")))


def decrypt(payload: str, key: str, iv: str) -> str:
    """Decrypt an encrypted payload: base64, AES-CBC (256 with a 32-char key), PKCS#7, UTF-8."""
    try:
        ciphertext = base64.b64decode(payload, validate=True)
    except binascii.Error as exc:
        raise FrameError("encrypted payload is not valid base64") from exc
    try:
        cipher = _cipher(key, iv)
    except ValueError as exc:
        raise FrameError(
            f"AES key must be 16, 24 or 32 characters and iv 16 (got {len(key)} and {len(iv)})"
        ) from exc
    try:
        decryptor = cipher.decryptor()
        padded = decryptor.update(ciphertext) + decryptor.finalize()
        unpadder = padding.PKCS7(algorithms.AES.block_size).unpadder()
        text = (unpadder.update(padded) + unpadder.finalize()).decode("utf-8")
    except ValueError as exc:  # incl. bad length, bad padding and UnicodeDecodeError
        raise FrameError(
            "cannot decrypt payload: wrong key or iv for this TR, or corrupt ciphertext"
        ) from exc
    return text


def _decrypt(tr_id: str, payload: str, key: str, iv: str) -> str:
    """`decrypt`, with the TR named in its errors."""
    try:
        return decrypt(payload, key, iv)
    except FrameError as exc:
        raise FrameError(exc.reason, tr_id=tr_id) from exc.__cause__


def _split(items: list[str], count: int, minimum: int, tr_id: str) -> list[list[str]]:
    total = len(items)
    if count == 1:
        if total < minimum:
            raise FrameError(f"{total} fields, fewer than the {minimum} of its layout", tr_id=tr_id)
        return [items]
    per, rest = divmod(total, count)
    if rest or per < minimum:
        raise FrameError(
            f"{total} fields do not split into {count} records of at least {minimum} fields",
            tr_id=tr_id,
        )
    return [items[start : start + per] for start in range(0, total, per)]


def records(frame: RawFrame, fields: Sequence[str] | int) -> list[list[str]]:
    """The frame's records as field lists, each `len(items) // count` long.

    `fields` is the TR's layout (its column tuple) or the minimum number of fields a record
    must have; longer records keep their extra trailing fields.
    """
    if frame.encrypted:
        raise FrameError("payload is still encrypted; decrypt it first", tr_id=frame.tr_id)
    minimum = fields if isinstance(fields, int) else len(fields)
    return _split(frame.payload.split("^"), frame.record_count, minimum, frame.tr_id)


# --- shared conversions ----------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _kst(ymd: str, hms: str) -> datetime:
    """YYYYMMDD + HHMMSS (KST) as an aware datetime; ticks share seconds, hence the cache."""
    if len(ymd) != 8 or len(hms) != 6:
        raise ValueError(f"date/time must be YYYYMMDD and HHMMSS, not {ymd!r} {hms!r}")
    return datetime(
        int(ymd[:4]),
        int(ymd[4:6]),
        int(ymd[6:]),
        int(hms[:2]),
        int(hms[2:4]),
        int(hms[4:]),
        tzinfo=KST,
    )


@lru_cache(maxsize=8)
def _ymd(day: date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _today_ymd() -> str:
    return datetime.now(KST).strftime("%Y%m%d")


def _optional_decimal(text: str) -> Decimal | None:
    return Decimal(text) if text.strip() else None


def _optional_int(text: str) -> int | None:
    return int(text) if text.strip() else None


def _nonzero(value: Decimal | None) -> Decimal | None:
    return value if value else None


def _levels(prices: Sequence[str], qtys: Sequence[str]) -> tuple[OrderbookLevel, ...]:
    """Book levels, leaving out empty ones (price blank or zero)."""
    return tuple(
        [
            OrderbookLevel(level_price, int(qty))
            for price, qty in zip(prices, qtys, strict=False)
            if (level_price := Decimal(price or "0"))
        ]
    )


def _slot_filler(cls: Callable[P, T]) -> Callable[P, T]:
    """A positional constructor for a frozen slotted dataclass, for the hot path.

    The dataclass's own `__init__` goes through `object.__setattr__` once per field (that is
    how frozen works); this fills the slots through their descriptors instead, in about half
    the time. The signature (hence mypy's checking) is the class's own, but the arguments must
    be given positionally, every field in declaration order, and no `__post_init__` runs.
    """
    setters = tuple(getattr(cls, field.name).__set__ for field in fields(cast(type, cls)))
    count = len(setters)
    new = object.__new__

    def build(*args: P.args, **kwargs: P.kwargs) -> T:
        if len(args) != count or kwargs:  # a programming error, never a FrameError
            raise TypeError(f"{cls!r} needs all {count} fields, positionally")
        instance: T = new(cast(type, cls))
        for setter, value in zip(setters, args):  # noqa: B905 (lengths checked above)
            setter(instance, value)
        return instance

    return build


def _pick(layout: tuple[str, ...], *names: str) -> Callable[[list[str]], tuple[str, ...]]:
    """One itemgetter for two or more named columns: a tuple of them, in the order given."""
    if len(names) < 2:
        raise TypeError("_pick needs two or more columns (itemgetter of one returns no tuple)")
    return itemgetter(*(layout.index(name) for name in names))


def _span(layout: tuple[str, ...], first: str, last: str) -> slice:
    return slice(layout.index(first), layout.index(last) + 1)


_DOMESTIC_VENUES: Final = {
    "H0STCNT0": Venue.KRX,
    "H0STASP0": Venue.KRX,
    "H0NXCNT0": Venue.NXT,
    "H0NXASP0": Venue.NXT,
    "H0UNCNT0": Venue.INTEGRATED,
    "H0UNASP0": Venue.INTEGRATED,
}

# --- trades: H0STCNT0, H0NXCNT0, H0UNCNT0, HDFSCNT0 ----------------------------------------

# The columns both trade feeds carry, in the order `_tick` unpacks them.
_KR_TICK: Final = _pick(
    H0STCNT0_FIELDS,
    "MKSC_SHRN_ISCD",
    "STCK_CNTG_HOUR",
    "STCK_PRPR",
    "PRDY_VRSS_SIGN",
    "PRDY_VRSS",
    "PRDY_CTRT",
    "STCK_OPRC",
    "STCK_HGPR",
    "STCK_LWPR",
    "ASKP1",
    "BIDP1",
    "ASKP_RSQN1",
    "BIDP_RSQN1",
    "CNTG_VOL",
    "ACML_VOL",
    "ACML_TR_PBMN",
    "SHNU_CNTG_SMTN",
    "SELN_CNTG_SMTN",
    "CTTR",
)
_OVERSEAS_TICK: Final = _pick(
    HDFSCNT0_FIELDS,
    "SYMB",
    "KHMS",
    "LAST",
    "SIGN",
    "DIFF",
    "RATE",
    "OPEN",
    "HIGH",
    "LOW",
    "PASK",
    "PBID",
    "VASK",
    "VBID",
    "EVOL",
    "TVOL",
    "TAMT",
    "ASVL",
    "BIVL",
    "STRN",
)
_KR_TICK_EXTRA: Final = _pick(H0STCNT0_FIELDS, "BSOP_DATE", "NEW_MKOP_CLS_CODE", "TRHT_YN")
_OVERSEAS_TICK_EXTRA: Final = _pick(HDFSCNT0_FIELDS, "RSYM", "KYMD", "MTYP")
_KR_TICK_SESSIONS: Final = {  # first character of NEW_MKOP_CLS_CODE
    "1": TradingSession.PRE_MARKET,
    "2": TradingSession.REGULAR,
    "3": TradingSession.POST_MARKET,
    "4": TradingSession.AFTER_HOURS_SINGLE,
}
_OVERSEAS_SESSIONS: Final = {  # MTYP
    "1": TradingSession.REGULAR,
    "2": TradingSession.PRE_MARKET,
    "3": TradingSession.POST_MARKET,
}
_SIGNS: Final = {
    "1": PriceSign.LIMIT_UP,
    "2": PriceSign.UP,
    "3": PriceSign.FLAT,
    "0": PriceSign.FLAT,
    "4": PriceSign.LIMIT_DOWN,
    "5": PriceSign.DOWN,
}
_new_tick: Final = _slot_filler(PriceTick)


def _tick(
    common: tuple[str, ...],
    ymd: str,
    market: Market,
    session: TradingSession | None,
    venue: Venue | None,
    halted: bool,
) -> PriceTick:
    """A PriceTick from the `_KR_TICK`/`_OVERSEAS_TICK` columns and what the feed adds."""
    (
        symbol,
        hms,
        price,
        sign_code,
        change,
        rate,
        open_,
        high,
        low,
        ask,
        bid,
        ask_qty,
        bid_qty,
        trade_qty,
        volume,
        turnover,
        bought,
        sold,
        strength,
    ) = common
    sign = _SIGNS.get(sign_code)
    signed_change, signed_rate = Decimal(change), Decimal(rate)
    if sign is None:  # an unknown code: trust the number
        sign = (
            PriceSign.UP
            if signed_change > 0
            else PriceSign.DOWN
            if signed_change < 0
            else PriceSign.FLAT
        )
    elif sign is PriceSign.DOWN or sign is PriceSign.LIMIT_DOWN:  # whatever sign KIS sent
        signed_change, signed_rate = -abs(signed_change), -abs(signed_rate)
    return _new_tick(
        Symbol(symbol),  # symbol
        market,  # market
        _kst(ymd, hms),  # time
        Decimal(price),  # price
        signed_change,  # change
        signed_rate,  # change_rate
        sign,  # sign
        Decimal(open_),  # open
        Decimal(high),  # high
        Decimal(low),  # low
        int(trade_qty),  # trade_qty
        int(volume),  # volume
        Decimal(turnover),  # turnover
        Decimal(ask),  # best_ask
        Decimal(bid),  # best_bid
        int(ask_qty) if ask_qty else None,  # best_ask_qty
        int(bid_qty) if bid_qty else None,  # best_bid_qty
        int(bought) if bought else None,  # buy_volume
        int(sold) if sold else None,  # sell_volume
        Decimal(strength) if strength else None,  # strength
        session,  # session
        venue,  # venue
        halted,  # halted
    )


def _domestic_tick(rec: list[str], tr_id: str, ymd: str) -> PriceTick:
    business_date, session, halted = _KR_TICK_EXTRA(rec)
    return _tick(
        _KR_TICK(rec),
        business_date or ymd or _today_ymd(),
        Market.KRX,
        _KR_TICK_SESSIONS.get(session[:1]),
        _DOMESTIC_VENUES.get(tr_id),
        halted == "Y",
    )


def _overseas_tick(rec: list[str], tr_id: str, ymd: str) -> PriceTick:
    realtime_key, kst_date, session = _OVERSEAS_TICK_EXTRA(rec)
    return _tick(
        _OVERSEAS_TICK(rec),
        kst_date,
        _overseas_market(realtime_key),
        _OVERSEAS_SESSIONS.get(session),
        None,
        False,
    )


# --- domestic order book: H0STASP0, H0NXASP0, H0UNASP0 --------------------------------------

_KR_BOOK: Final = _pick(
    H0STASP0_FIELDS,
    "MKSC_SHRN_ISCD",
    "BSOP_HOUR",
    "HOUR_CLS_CODE",
    "TOTAL_ASKP_RSQN",
    "TOTAL_BIDP_RSQN",
    "ANTC_CNPR",
    "ANTC_CNQN",
)
_KR_ASK_PRICES: Final = _span(H0STASP0_FIELDS, "ASKP1", "ASKP10")
_KR_BID_PRICES: Final = _span(H0STASP0_FIELDS, "BIDP1", "BIDP10")
_KR_ASK_QTYS: Final = _span(H0STASP0_FIELDS, "ASKP_RSQN1", "ASKP_RSQN10")
_KR_BID_QTYS: Final = _span(H0STASP0_FIELDS, "BIDP_RSQN1", "BIDP_RSQN10")
_KR_BOOK_SESSIONS: Final = {
    "0": TradingSession.REGULAR,
    "A": TradingSession.POST_MARKET,
    "B": TradingSession.PRE_MARKET,
    "D": TradingSession.AFTER_HOURS_SINGLE,
}


def _domestic_book(rec: list[str], tr_id: str, ymd: str) -> OrderbookUpdate:
    symbol, hms, hour_class, total_ask, total_bid, expected_price, expected_qty = _KR_BOOK(rec)
    return OrderbookUpdate(
        symbol=Symbol(symbol),
        market=Market.KRX,
        time=_kst(ymd or _today_ymd(), hms),
        asks=_levels(rec[_KR_ASK_PRICES], rec[_KR_ASK_QTYS]),
        bids=_levels(rec[_KR_BID_PRICES], rec[_KR_BID_QTYS]),
        total_ask_qty=int(total_ask),
        total_bid_qty=int(total_bid),
        session=_KR_BOOK_SESSIONS.get(hour_class),
        venue=_DOMESTIC_VENUES.get(tr_id),
        expected_price=_nonzero(_optional_decimal(expected_price)),
        expected_qty=_optional_int(expected_qty),
    )


# --- overseas order books: HDFSASP0, HDFSASP1 -------------------------------------------

# The realtime key's exchange part (RSYM[1:4]): `D` + quote EXCD, or `R` + US daytime code.
_EXCD_MARKETS: Final = {
    "NAS": Market.NASDAQ,
    "NYS": Market.NYSE,
    "AMS": Market.AMEX,
    "BAQ": Market.NASDAQ,
    "BAY": Market.NYSE,
    "BAA": Market.AMEX,
    "TSE": Market.TOKYO,
    "HKS": Market.HONG_KONG,
    "SHS": Market.SHANGHAI,
    "SZS": Market.SHENZHEN,
    "HNX": Market.HANOI,
    "HSX": Market.HO_CHI_MINH,
}


def _overseas_market(realtime_key: str) -> Market:
    market = _EXCD_MARKETS.get(realtime_key[1:4])
    if market is None or realtime_key[:1] not in ("D", "R"):
        raise FrameError(f"unknown exchange in realtime key {realtime_key[:5]!r}")
    return market


_OVERSEAS_BOOK: Final = _pick(HDFSASP0_FIELDS_L1, "RSYM", "SYMB", "KYMD", "KHMS", "BVOL", "AVOL")
_OVERSEAS_FIRST_LEVEL: Final = HDFSASP0_FIELDS.index("PBID1")
_OVERSEAS_LEVEL_WIDTH: Final = 6  # PBIDn, PASKn, VBIDn, VASKn, DBIDn, DASKn
_OVERSEAS_BOOK_L10_LENGTH: Final = len(HDFSASP0_FIELDS)


def _overseas_book(rec: list[str], tr_id: str, ymd: str) -> OrderbookUpdate:
    realtime_key, symbol, kst_date, kst_time, total_bid, total_ask = _OVERSEAS_BOOK(rec)
    depth = 10 if len(rec) >= _OVERSEAS_BOOK_L10_LENGTH else 1
    first, step = _OVERSEAS_FIRST_LEVEL, _OVERSEAS_LEVEL_WIDTH
    end = first + depth * step
    return OrderbookUpdate(
        symbol=Symbol(symbol),
        market=_overseas_market(realtime_key),
        time=_kst(kst_date, kst_time),
        asks=_levels(rec[first + 1 : end : step], rec[first + 3 : end : step]),
        bids=_levels(rec[first:end:step], rec[first + 2 : end : step]),
        total_ask_qty=int(total_ask),
        total_bid_qty=int(total_bid),
    )


# --- execution notices: H0STCNI0/9, H0GSCNI0/9 ----------------------------------------------

_SIDES: Final = {"01": Side.SELL, "02": Side.BUY}

_DOMESTIC_ORDER_TYPES: Final = {
    "00": OrderType.LIMIT,
    "01": OrderType.MARKET,
    "02": OrderType.CONDITIONAL,
    "03": OrderType.BEST,
    "04": OrderType.PRIORITY,
    "05": OrderType.PRE_MARKET,
    "06": OrderType.AFTER_MARKET,
    "07": OrderType.AFTER_HOURS_SINGLE,
    "11": OrderType.IOC_LIMIT,
    "12": OrderType.FOK_LIMIT,
    "13": OrderType.IOC_MARKET,
    "14": OrderType.FOK_MARKET,
    "15": OrderType.IOC_BEST,
    "16": OrderType.FOK_BEST,
}
_OVERSEAS_ORDER_TYPES: Final = {
    "1": OrderType.MARKET,
    "2": OrderType.LIMIT,
    "6": OrderType.MARKET,  # odd lot
    "7": OrderType.LIMIT,  # odd lot
    "A": OrderType.MOO,
    "B": OrderType.LOO,
    "C": OrderType.MOC,
    "D": OrderType.LOC,
}
# ODER_COND of overseas notices: the exchange.
_NOTICE_MARKETS: Final = {
    "4": Market.HONG_KONG,
    "5": Market.SHANGHAI,  # B shares, USD
    "6": Market.NASDAQ,
    "7": Market.NYSE,
    "8": Market.AMEX,
    "A": Market.SHANGHAI,
    "B": Market.SHENZHEN,  # B shares, HKD
    "C": Market.HONG_KONG,  # CNY
    "D": Market.TOKYO,
    "E": Market.HANOI,
    "F": Market.HO_CHI_MINH,
}
# Implied decimals of CNTG_UNPR by the exchange's country.
_IMPLIED_DECIMALS: Final = {"US": 4, "JP": 1, "CN": 3, "HK": 3, "VN": 0}
# ORD_EXG_GB of domestic notices: (venue, routed by SOR).
_NOTICE_VENUES: Final = {
    "1": (Venue.KRX, False),
    "2": (Venue.NXT, False),
    "3": (Venue.KRX, True),
    "4": (Venue.NXT, True),
}

# The columns both notice families carry, in one order.
_NOTICE_COMMON: Final = (
    "ACNT_NO",
    "ODER_NO",
    "OODER_NO",
    "BRNC_NO",
    "SELN_BYOV_CLS",
    "RCTF_CLS",
    "RFUS_YN",
    "CNTG_YN",
    "ACPT_YN",
    "CNTG_QTY",
    "ODER_QTY",
    "STCK_CNTG_HOUR",
)
_KR_NOTICE: Final = _pick(
    H0STCNI0_FIELDS, *_NOTICE_COMMON, "ODER_KIND", "STCK_SHRN_ISCD", "CNTG_UNPR"
)
_KR_NOTICE_TAIL: Final = _pick(H0STCNI0_FIELDS, "ORD_EXG_GB", "CNTG_ISNM40", "ODER_PRC")
_KR_NOTICE_TAIL_2024: Final = _pick(H0STCNI0_FIELDS_2024, "CNTG_ISNM", "CNTG_ISNM40", "ODER_PRC")
_OVERSEAS_NOTICE: Final = _pick(
    H0GSCNI0_FIELDS,
    *_NOTICE_COMMON,
    "ODER_KIND2",
    "STCK_SHRN_ISCD",
    "CNTG_UNPR",
    "CNTG_ISNM",
    "ODER_COND",
)
_FILL_PRICE_12: Final = H0GSCNI0_FIELDS.index("CNTG_UNPR12")


def _notice_kind(rejected: str, executed: str, accepted: str, correction: str) -> NoticeKind:
    if rejected == "1":
        return NoticeKind.REJECT
    if executed == "2":
        return NoticeKind.FILL
    if accepted == "3" or correction == "2":
        return NoticeKind.CANCEL
    if correction == "1":
        return NoticeKind.MODIFY
    return NoticeKind.RECEIPT


def _notice(
    common: Sequence[str],
    *,
    symbol: str,
    name: str,
    market: Market,
    order_type: OrderType | None,
    price: Decimal | None,
    order_price: Decimal | None,
    ymd: str,
    venue: Venue | None = None,
    sor: bool = False,
) -> ExecutionNotice:
    """Build a notice from the `_NOTICE_COMMON` columns and what each family adds.

    On a fill, CNTG_QTY/CNTG_UNPR are the fill and ODER_QTY the order; on every other kind,
    CNTG_QTY/CNTG_UNPR are the order's own quantity and price (ODER_QTY may be blank).
    """
    (
        account,
        order_no,
        original_no,
        branch,
        side_code,
        correction,
        rejected,
        executed,
        accepted,
        qty,
        order_qty,
        hms,
    ) = common
    side = _SIDES.get(side_code)
    if side is None:
        raise FrameError(f"unknown SELN_BYOV_CLS {side_code[:4]!r} (expected 01 or 02)")
    kind = _notice_kind(rejected, executed, accepted, correction)
    stated_qty = _optional_int(order_qty)
    if kind is NoticeKind.FILL:
        filled, fill_price, shown_qty, shown_price = int(qty), price, stated_qty, order_price
    else:
        shown_qty = _optional_int(qty) or stated_qty
        filled, fill_price, shown_price = 0, None, _nonzero(price) or order_price
    return ExecutionNotice(
        account=account,
        order_no=order_no,
        original_order_no=original_no.strip(),
        branch=branch,
        side=side,
        kind=kind,
        symbol=Symbol(symbol.strip()),
        name=name.strip(),
        market=market,
        order_type=order_type,
        order_qty=shown_qty,
        order_price=shown_price,
        filled_qty=filled,
        fill_price=fill_price,
        time=_kst(ymd or _today_ymd(), hms) if hms.strip() else None,
        confirmed=accepted == "2",
        venue=venue,
        sor=sor,
    )


def _domestic_notice(rec: list[str], tr_id: str, ymd: str) -> ExecutionNotice:
    *common, order_kind, symbol, price = _KR_NOTICE(rec)
    venue: Venue | None = None
    sor = False
    if len(rec) >= _KR_NOTICE_2025_LENGTH:
        exchange, long_name, order_price = _KR_NOTICE_TAIL(rec)
        name = long_name
        venue, sor = _NOTICE_VENUES.get(exchange, (None, False))
    else:
        short_name, long_name, order_price = _KR_NOTICE_TAIL_2024(rec)
        name = long_name if long_name.strip() else short_name
    return _notice(
        common,
        symbol=symbol,
        name=name,
        market=Market.KRX,
        order_type=_DOMESTIC_ORDER_TYPES.get(order_kind),
        price=_optional_decimal(price),
        order_price=_nonzero(_optional_decimal(order_price)),
        ymd=ymd,
        venue=venue,
        sor=sor,
    )


def _overseas_notice(rec: list[str], tr_id: str, ymd: str) -> ExecutionNotice:
    *common, order_kind, symbol, implied_price, name, exchange = _OVERSEAS_NOTICE(rec)
    market = _NOTICE_MARKETS.get(exchange)
    if market is None:
        raise FrameError(f"unsupported exchange code ODER_COND {exchange[:4]!r}")
    price: Decimal | None = None
    if len(rec) > _FILL_PRICE_12 and "." in rec[_FILL_PRICE_12]:
        price = Decimal(rec[_FILL_PRICE_12])
    elif implied_price.strip():
        price = Decimal(implied_price).scaleb(-_IMPLIED_DECIMALS[market.country])
    return _notice(  # STCK_CNTG_HOUR is read as KST like the domestic one: sources are silent
        common,
        symbol=symbol,
        name=name,
        market=market,
        order_type=_OVERSEAS_ORDER_TYPES.get(order_kind),
        price=price,
        order_price=None,
        ymd=ymd,
    )


# --- dispatch --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Layout:
    columns: tuple[str, ...]
    minimum: int
    convert: Callable[[list[str], str, str], RealtimeValue]


def _layouts() -> dict[str, _Layout]:
    tick = _Layout(H0STCNT0_FIELDS, len(H0STCNT0_FIELDS), _domestic_tick)
    book = _Layout(H0STASP0_FIELDS, len(H0STASP0_FIELDS), _domestic_book)
    merged_book = _Layout(H0UNASP0_FIELDS, len(H0STASP0_FIELDS), _domestic_book)
    overseas_book = _Layout(HDFSASP0_FIELDS, len(HDFSASP0_FIELDS_L1), _overseas_book)
    kr_notice = _Layout(H0STCNI0_FIELDS, _KR_NOTICE_MINIMUM, _domestic_notice)
    os_notice = _Layout(H0GSCNI0_FIELDS, _OVERSEAS_NOTICE_MINIMUM, _overseas_notice)
    return {
        "H0STCNT0": tick,
        "H0NXCNT0": tick,
        "H0UNCNT0": tick,
        "H0STASP0": book,
        "H0NXASP0": merged_book,
        "H0UNASP0": merged_book,
        "HDFSCNT0": _Layout(HDFSCNT0_FIELDS, len(HDFSCNT0_FIELDS), _overseas_tick),
        "HDFSASP0": overseas_book,
        "HDFSASP1": overseas_book,
        "H0STCNI0": kr_notice,
        "H0STCNI9": kr_notice,
        "H0GSCNI0": os_notice,
        "H0GSCNI9": os_notice,
    }


_LAYOUTS: Final = _layouts()

LAYOUTS: Final[Mapping[str, tuple[str, ...]]] = {tr: lay.columns for tr, lay in _LAYOUTS.items()}
"""The TRs this module reads, each with its (longest known) column tuple."""


def convert(frame: RawFrame, *, today: date | None = None) -> list[RealtimeValue]:
    """The domain values of a plain (or decrypted) frame, one per record.

    `today` is the KST date for TRs whose records carry only a time (order books, notices, and
    trades without BSOP_DATE); by default the current KST date.
    """
    if frame.encrypted:
        raise FrameError("payload is still encrypted; decrypt it first", tr_id=frame.tr_id)
    return _values(frame.tr_id, frame.record_count, frame.payload, today)


def _values(tr_id: str, count: int, payload: str, today: date | None) -> list[RealtimeValue]:
    layout = _LAYOUTS.get(tr_id)
    if layout is None:
        raise FrameError(f"unknown realtime TR {tr_id[:16]!r}")
    items = payload.split("^")
    ymd = _ymd(today) if today else ""
    build = layout.convert
    if count == 1 and len(items) >= layout.minimum:  # the usual frame: one record
        try:
            return [build(items, tr_id, ymd)]
        except (ValueError, ArithmeticError) as exc:
            raise _bad_record(exc, 0, tr_id) from exc
    values: list[RealtimeValue] = []
    for index, row in enumerate(_split(items, count, layout.minimum, tr_id)):
        try:
            values.append(build(row, tr_id, ymd))
        except (ValueError, ArithmeticError) as exc:
            raise _bad_record(exc, index, tr_id) from exc
    return values


def _bad_record(exc: ValueError | ArithmeticError, index: int, tr_id: str) -> FrameError:
    if isinstance(exc, FrameError):
        detail = exc.reason
    elif isinstance(exc, ValueError):
        detail = f"bad field value: {str(exc)[:80]}"
    else:
        detail = "bad field value: not a decimal number"
    return FrameError(f"record {index}: {detail}", tr_id=tr_id)


def _key_for(keys: KeySource | None, tr_id: str) -> AesKey:
    if keys is None:
        found = None
    elif isinstance(keys, Mapping):
        found = keys.get(tr_id)
    else:
        found = keys(tr_id)
    if found is None:
        raise FrameError(
            "encrypted frame but no AES key/iv for this TR (subscribe first)", tr_id=tr_id
        )
    return found


def parse_realtime(
    text: str, keys: KeySource | None = None, *, today: date | None = None
) -> list[RealtimeValue]:
    """Parse one data frame into domain values, decrypting it with `keys[tr_id]` if flagged."""
    encrypted, tr_id, count, payload = _header(text)
    if encrypted:
        payload = _decrypt(tr_id, payload, *_key_for(keys, tr_id))
    return _values(tr_id, count, payload, today)
