"""Reading KIS JSON: tolerant field readers and the row → domain conversions.

KIS sends every value as a string, `""` for unknown, signed changes with "-" only, dates as
YYYYMMDD and times as HHMMSS. Readers return `None` for blanks and never go through float.
Unknown extra fields are ignored, so KIS adding a column breaks nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from kisbot.domain.models import Bar, Instrument, Quote
from kisbot.domain.time import KST

__all__ = [
    "day",
    "dec",
    "domestic_bar",
    "domestic_quote",
    "integer",
    "moment",
    "overseas_bar",
    "overseas_quote",
    "positive",
    "rows",
    "text",
    "ymd",
]

Row = Mapping[str, Any]


def text(row: Row, key: str) -> str:
    value = row.get(key)
    return "" if value is None else str(value).strip()


def dec(row: Row, key: str) -> Decimal | None:
    """A decimal field, or None when blank or absent ("+1.44" and "-6725" both read)."""
    raw = text(row, key).replace(",", "")
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def dec0(row: Row, key: str) -> Decimal:
    """A decimal field that KIS always fills (zero when blank)."""
    value = dec(row, key)
    return Decimal(0) if value is None else value


def integer(row: Row, key: str) -> int | None:
    value = dec(row, key)
    return None if value is None else int(value)


def int0(row: Row, key: str) -> int:
    value = integer(row, key)
    return 0 if value is None else value


def positive(value: Decimal | None) -> Decimal | None:
    """`value` when above zero, else None (KIS writes "0" for a figure it does not have)."""
    return value if value is not None and value > 0 else None


def rows(body: Row, key: str) -> list[Row]:
    """The non-empty objects under `key`, whether KIS sent a list or a single object."""
    value = body.get(key)
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, Mapping) and item]


def day(row: Row, key: str) -> date | None:
    raw = text(row, key)
    if len(raw) != 8 or not raw.isdigit() or raw == "00000000":
        return None
    try:
        return date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    except ValueError:
        return None


def ymd(value: date) -> str:
    """A date as KIS writes it: YYYYMMDD."""
    return value.strftime("%Y%m%d")


def moment(ymd: str, hms: str, zone: Any = KST) -> datetime | None:
    """An aware datetime from YYYYMMDD and HHMMSS strings."""
    if len(ymd) != 8 or not ymd.isdigit():
        return None
    hms = (hms or "000000").ljust(6, "0")
    try:
        return datetime(
            int(ymd[:4]),
            int(ymd[4:6]),
            int(ymd[6:]),
            int(hms[:2]),
            int(hms[2:4]),
            int(hms[4:6]),
            tzinfo=zone,
        )
    except ValueError:
        return None


def domestic_quote(instrument: Instrument, out: Row) -> Quote:
    """inquire-price `output` (FHKST01010100)."""
    return Quote(
        instrument=instrument,
        price=dec0(out, "stck_prpr"),
        change=dec0(out, "prdy_vrss"),
        change_rate=dec0(out, "prdy_ctrt"),
        prev_close=dec0(out, "stck_sdpr"),
        open=dec(out, "stck_oprc"),
        high=dec(out, "stck_hgpr"),
        low=dec(out, "stck_lwpr"),
        volume=integer(out, "acml_vol"),
        turnover=dec(out, "acml_tr_pbmn"),
        upper_limit=dec(out, "stck_mxpr"),
        lower_limit=dec(out, "stck_llam"),
        tick=dec(out, "aspr_unit"),
        eps=dec(out, "eps"),
        bps=dec(out, "bps"),
        per=dec(out, "per"),
        pbr=dec(out, "pbr"),
        high_52w=dec(out, "w52_hgpr"),
        high_52w_date=day(out, "w52_hgpr_date"),
        low_52w=dec(out, "w52_lwpr"),
        low_52w_date=day(out, "w52_lwpr_date"),
        market_cap=_eok(dec(out, "hts_avls")),
        halted=text(out, "temp_stop_yn") == "Y",
    )


def _eok(value: Decimal | None) -> Decimal | None:
    """KIS gives domestic market caps in 억원 (100 million won)."""
    return None if value is None else value * 100_000_000


def overseas_quote(instrument: Instrument, out: Row, detail: Row | None = None) -> Quote:
    """price `output` (HHDFS00000300), enriched by price-detail (HHDFS76200200) when given."""
    price = dec0(out, "last")
    base = dec0(out, "base")
    detail = detail or {}
    return Quote(
        instrument=instrument,
        price=price,
        change=price - base if base else dec0(out, "diff"),
        change_rate=dec0(out, "rate"),
        prev_close=base,
        open=dec(detail, "open"),
        high=dec(detail, "high"),
        low=dec(detail, "low"),
        volume=integer(out, "tvol"),
        turnover=dec(out, "tamt"),
        upper_limit=positive(dec(detail, "uplp")),
        lower_limit=positive(dec(detail, "dnlp")),
        tick=dec(detail, "e_hogau"),
        eps=dec(detail, "epsx"),
        bps=dec(detail, "bpsx"),
        per=dec(detail, "perx"),
        pbr=dec(detail, "pbrx"),
        high_52w=dec(detail, "h52p"),
        high_52w_date=day(detail, "h52d"),
        low_52w=dec(detail, "l52p"),
        low_52w_date=day(detail, "l52d"),
        market_cap=dec(detail, "tomv"),
    )


def domestic_bar(row: Row) -> Bar | None:
    """One inquire-daily-itemchartprice `output2` row (None for KIS's empty placeholders)."""
    when = moment(text(row, "stck_bsop_date"), "000000")
    close = dec(row, "stck_clpr")
    if when is None or close is None:
        return None
    return Bar(
        when,
        dec0(row, "stck_oprc"),
        dec0(row, "stck_hgpr"),
        dec0(row, "stck_lwpr"),
        close,
        int0(row, "acml_vol"),
        dec(row, "acml_tr_pbmn"),
    )


def overseas_bar(row: Row, zone: Any) -> Bar | None:
    """One dailyprice `output2` row (local exchange dates)."""
    when = moment(text(row, "xymd"), "000000", zone)
    close = dec(row, "clos")
    if when is None or close is None:
        return None
    return Bar(
        when,
        dec0(row, "open"),
        dec0(row, "high"),
        dec0(row, "low"),
        close,
        int0(row, "tvol"),
        dec(row, "tamt"),
    )
