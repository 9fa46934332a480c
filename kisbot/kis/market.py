"""Market data beyond the quote: today's minute bars, the order book, product names and hours.

Module functions taking the client first (`KisClient` methods wrap them):

```python
bars = await fetch_minute_bars(kis, "005930", interval_minutes=5)
book = await fetch_orderbook(kis, "AAPL")
product = await fetch_product(kis, "069500")      # names in Korean and English, kind
hours = await fetch_trading_hours(kis, Market.NYSE, date(2026, 3, 9))
```

Minute bars (../shared/kis-reference.md §4.1.4, §4.3.5):
- KRX: FHKST03010200 gives today's 1-minute bars, 30 a call, newest first, at or before
  `FID_INPUT_HOUR_1`; we page back with (oldest − 1 minute) until a short page. Its
  `acml_tr_pbmn` is the day's running turnover, so a bar's turnover is the difference (unknown
  for the oldest bar when paging stopped early at `since`). KIS's newest bar may carry the
  previous minute's volume until the minute's first trade (a documented KIS quirk).
- US: HHDFS76950200 (real side only) gives NMIN-minute bars, up to 120 a call, newest first;
  `PINC=1` (needed for further pages) adds the previous session, which we cut off: the result
  is the latest session on record, in New York time. We ask for NMIN = gcd(N, 30) minutes, a
  width on which clock-aligned and session-aligned bars coincide, and widen them ourselves.
- Every interval is aligned to the session's first minute (09:00 KST, 09:30 New York), so
  hourly US bars read 09:30, 10:30, …

Trading hours: KIS has no endpoint for stock session times (§4.1.7), so the regular sessions
here are general knowledge, not KIS data, and can be replaced per call (`session=`): KRX
09:00–15:30 KST, NASDAQ/NYSE/AMEX 09:30–16:00 New York time. Shortened days (the KRX's late
first-day open, US half days) are not modelled. Whether a day trades comes from KIS's
chk-holiday (CTCA0903R, `opnd_yn`; real side only) for KRX when it answers, else from the
`holidays` package's XKRX and NYSE calendars. KIS asks that chk-holiday be called about once a
day: pass a `calendar` dict to keep the 24 days each answer covers.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from functools import lru_cache
from math import gcd
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

import holidays

from kisbot.domain.bars import resample_minutes
from kisbot.domain.errors import InputError
from kisbot.domain.models import (
    Bar,
    Instrument,
    Market,
    Orderbook,
    OrderbookLevel,
    TradingHours,
)
from kisbot.domain.ranges import MAX_INTRADAY_MINUTES
from kisbot.domain.time import KST, NEW_YORK
from kisbot.kis.endpoints import endpoint
from kisbot.kis.errors import KisNoService, KisNotFound, KisUnavailable
from kisbot.kis.params import MAX_PAGES, US_QUOTE_CODES, kr_params, us_params
from kisbot.kis.schemas import dec, dec0, int0, integer, moment, text

if TYPE_CHECKING:
    from kisbot.kis.client import KisClient

__all__ = [
    "SESSIONS",
    "US_PRODUCT_TYPES",
    "Session",
    "fetch_minute_bars",
    "fetch_orderbook",
    "fetch_product",
    "fetch_trading_hours",
]

logger = logging.getLogger(__name__)

Row = Mapping[str, Any]

# PRDT_TYPE_CD of the US exchanges for search-info (§4.1.8, §7)
US_PRODUCT_TYPES: Final[Mapping[Market, str]] = MappingProxyType(
    {Market.NASDAQ: "512", Market.NYSE: "513", Market.AMEX: "529"}
)
DOMESTIC_PRODUCT_TYPE: Final = "300"
US_ALIGNMENT: Final = 30  # minutes from a clock hour to the US open (09:30)
BOOK_DEPTH: Final = 10


@dataclass(frozen=True, slots=True)
class Session:
    """A regular trading session: its first and last minute in the market's time zone."""

    open: time
    close: time
    zone: tzinfo


_KRX_SESSION: Final = Session(time(9, 0), time(15, 30), KST)
_US_SESSION: Final = Session(time(9, 30), time(16, 0), NEW_YORK)
SESSIONS: Final[Mapping[Market, Session]] = MappingProxyType(
    {
        Market.KRX: _KRX_SESSION,
        Market.NASDAQ: _US_SESSION,
        Market.NYSE: _US_SESSION,
        Market.AMEX: _US_SESSION,
    }
)
_CALENDARS: Final = {Market.KRX: "XKRX", **dict.fromkeys(US_QUOTE_CODES, "NYSE")}


def _session(market: Market) -> Session:
    found = SESSIONS.get(market)
    if found is None:
        raise KisNoService(f"{market} sessions are not supported yet", endpoint="sessions")
    return found


# ------------------------------------------------------------------------------ minute bars


async def fetch_minute_bars(
    kis: KisClient,
    symbol: str,
    *,
    interval_minutes: int = 1,
    market: Market | None = None,
    since: datetime | None = None,
) -> list[Bar]:
    """Today's bars of `interval_minutes` minutes (the latest session for US markets), oldest
    first, aligned to the session's first minute; only bars starting at or after `since`."""
    if not 1 <= interval_minutes <= MAX_INTRADAY_MINUTES:
        raise InputError(f"minute bars are 1 to {MAX_INTRADAY_MINUTES} minutes wide")
    if since is not None and since.tzinfo is None:
        raise ValueError("since must be timezone-aware")
    inst = await kis.instrument(symbol, market)
    session = _session(inst.market)
    if inst.market is Market.KRX:
        minutes = await _kr_minutes(kis, inst, since)
    else:
        minutes = await _us_minutes(kis, inst, gcd(interval_minutes, US_ALIGNMENT), since)
    bars = resample_minutes(minutes, interval_minutes, session.open)
    return [b for b in bars if since is None or b.start >= since]


def _ohlcv(
    row: Row, when: datetime | None, keys: tuple[str, str, str, str, str], paid: str = ""
) -> Bar | None:
    """A bar from `row`'s open, high, low, close and volume fields (and turnover field `paid`,
    if named); None for a blank row."""
    close = dec(row, keys[3])
    if when is None or close is None:
        return None
    return Bar(
        when,
        dec0(row, keys[0]),
        dec0(row, keys[1]),
        dec0(row, keys[2]),
        close,
        int0(row, keys[4]),
        dec(row, paid) if paid else None,
    )


_KR_MINUTE: Final = ("stck_oprc", "stck_hgpr", "stck_lwpr", "stck_prpr", "cntg_vol")
_US_MINUTE: Final = ("open", "high", "low", "last", "evol")


async def _kr_minutes(kis: KisClient, inst: Instrument, since: datetime | None) -> list[Bar]:
    page = endpoint("minute_chart").page_size_real
    hour = kis.now().astimezone(KST).strftime("%H%M") + "59"  # through this whole minute
    found: dict[datetime, tuple[Bar, Decimal | None]] = {}
    whole_day = False
    for number in range(MAX_PAGES):
        body = (
            await kis.call(
                "minute_chart",
                {
                    "FID_ETC_CLS_CODE": "",
                    **kr_params(inst.symbol),
                    "FID_INPUT_HOUR_1": hour,
                    "FID_PW_DATA_INCU_YN": "N",
                },
            )
        ).body
        if number == 0 and dec(body.get("output1") or {}, "stck_prpr") in (None, 0):
            raise KisNotFound(f"no instrument {inst.symbol!r}", endpoint="minute_chart")
        rows = [row for row in body.get("output2") or [] if row]
        fresh = 0
        for row in rows:
            when = moment(text(row, "stck_bsop_date"), text(row, "stck_cntg_hour"))
            bar = _ohlcv(row, when, _KR_MINUTE)
            if bar is not None and bar.start not in found:
                found[bar.start] = (bar, dec(row, "acml_tr_pbmn"))
                fresh += 1
        if len(rows) < page or not fresh:
            whole_day = True
            break
        oldest = min(found)
        before = oldest - timedelta(minutes=1)
        if before.date() != oldest.date():
            whole_day = True
            break
        if since is not None and oldest <= since:
            break
        hour = before.strftime("%H%M%S")
    return _with_turnover(found, whole_day=whole_day)


def _with_turnover(
    found: Mapping[datetime, tuple[Bar, Decimal | None]], *, whole_day: bool
) -> list[Bar]:
    """Bars oldest first, each with the difference of the running turnover KIS reports (the
    first bar's is unknown unless the whole day was read)."""
    bars: list[Bar] = []
    running: Decimal | None = Decimal(0) if whole_day else None
    for when in sorted(found):
        bar, total = found[when]
        paid = total - running if total is not None and running is not None else None
        bars.append(replace(bar, turnover=paid))
        running = total
    return bars


async def _us_minutes(
    kis: KisClient, inst: Instrument, width: int, since: datetime | None
) -> list[Bar]:
    params = {
        **us_params(inst.market, inst.symbol),
        "NMIN": str(width),
        "PINC": "1",
        "NEXT": "",
        "NREC": str(endpoint("us_minute_chart").page_size_real),
        "FILL": "",
        "KEYB": "",
    }
    found: dict[datetime, Bar] = {}
    session_day: date | None = None
    tr_cont = ""
    for number in range(MAX_PAGES):
        reply = await kis.call("us_minute_chart", params, tr_cont=tr_cont)
        head = reply.body.get("output1") or {}
        if number == 0 and not text(head, "rsym"):
            raise KisNotFound(f"no instrument {inst.symbol!r}", endpoint="us_minute_chart")
        nrec = integer(head, "nrec")
        rows = (reply.body.get("output2") or [])[: nrec if nrec is not None else None]
        bars = [bar for row in rows if row and (bar := _us_minute(row))]
        if not bars:
            break
        if session_day is None:
            session_day = max(b.start for b in bars).date()
        fresh = [b for b in bars if b.start.date() == session_day and b.start not in found]
        found.update((b.start, b) for b in fresh)
        oldest = min(b.start for b in bars)
        more = reply.more or text(head, "next") == "1"
        if not fresh or not more or oldest.date() < session_day:
            break
        if since is not None and oldest <= since:
            break
        keyb = (oldest - timedelta(minutes=1)).strftime("%Y%m%d%H%M%S")
        params = {**params, "NEXT": "1", "KEYB": keyb}
        tr_cont = "N"
    return [found[when] for when in sorted(found)]


def _us_minute(row: Row) -> Bar | None:
    """One HHDFS76950200 `output2` row; `xymd`/`xhms` are the exchange's local time."""
    when = moment(text(row, "xymd"), text(row, "xhms"), NEW_YORK)
    return _ohlcv(row, when, _US_MINUTE, "eamt")


# ---------------------------------------------------------------------------- order book


async def fetch_orderbook(kis: KisClient, symbol: str, market: Market | None = None) -> Orderbook:
    """The order book, best level first on each side: ten levels for KRX (FHKST01010200), and
    what KIS gives for US markets (HHDFS76200100, real side only: one level or ten)."""
    inst = await kis.instrument(symbol, market)
    if inst.market is Market.KRX:
        out = (await kis.call("orderbook", kr_params(inst.symbol))).body.get("output1") or {}
        asks, bids = _levels(out, "askp", "askp_rsqn"), _levels(out, "bidp", "bidp_rsqn")
        if not asks and not bids:
            raise KisNotFound(f"no instrument {inst.symbol!r}", endpoint="orderbook")
        today = kis.now().astimezone(KST).strftime("%Y%m%d")
        return Orderbook(
            inst,
            moment(today, text(out, "aspr_acpt_hour")),
            asks,
            bids,
            int0(out, "total_askp_rsqn"),
            int0(out, "total_bidp_rsqn"),
        )
    body = (await kis.call("us_orderbook", us_params(inst.market, inst.symbol))).body
    head = body.get("output1") or {}
    if not text(head, "rsym"):
        raise KisNotFound(f"no instrument {inst.symbol!r}", endpoint="us_orderbook")
    levels = body.get("output2") or {}
    if isinstance(levels, list):  # tolerate a one-element array
        levels = levels[0] if levels else {}
    return Orderbook(
        inst,
        moment(text(head, "dymd"), text(head, "dhms"), KST),
        _levels(levels, "pask", "vask"),
        _levels(levels, "pbid", "vbid"),
        int0(head, "avol"),
        int0(head, "bvol"),
    )


def _levels(row: Row, price: str, qty: str) -> tuple[OrderbookLevel, ...]:
    """`<price>1..10` with `<qty>1..10`, up to the first blank or zero price."""
    levels: list[OrderbookLevel] = []
    for n in range(1, BOOK_DEPTH + 1):
        value = dec(row, f"{price}{n}")
        if not value or value <= 0:
            break
        levels.append(OrderbookLevel(value, int0(row, f"{qty}{n}")))
    return tuple(levels)


# ------------------------------------------------------------------------------- products


async def fetch_product(kis: KisClient, symbol: str, market: Market | None = None) -> Instrument:
    """Names in Korean and English and the kind ("stock", "etf") from KIS's product info
    (CTPF1604R for KRX, CTPF1702R for US markets; real side only). Without the real side the
    loaded symbol master's entry is the answer, if it has one. What is learnt goes into the
    master, so English names become searchable."""
    inst = await kis.instrument(symbol, market)
    try:
        if inst.market is Market.KRX:
            params = {"PDNO": inst.symbol, "PRDT_TYPE_CD": DOMESTIC_PRODUCT_TYPE}
            out = (await kis.call("search_info", params)).body.get("output") or {}
            name = text(out, "prdt_abrv_name") or text(out, "prdt_name")
            english = text(out, "prdt_eng_abrv_name") or text(out, "prdt_eng_name")
        else:
            kind_code = US_PRODUCT_TYPES.get(inst.market)
            if kind_code is None:
                raise KisNoService(f"{inst.market} products are not supported yet")
            params = {"PDNO": inst.symbol, "PRDT_TYPE_CD": kind_code}
            out = (await kis.call("us_search_info", params)).body.get("output") or {}
            name = text(out, "prdt_name") or text(out, "ovrs_item_name")
            english = text(out, "prdt_eng_name")
    except KisNoService:
        listed = kis.master.get(inst.symbol, inst.market) if kis.master is not None else None
        if listed is None:
            raise
        return listed
    if not name and not english:
        raise KisNotFound(f"no product {inst.symbol!r}", endpoint="search_info")
    product = Instrument(inst.symbol, inst.market, name or english, english, _kind(out, inst))
    if kis.master is not None:
        await kis.master.learn(product)
    return product


def _kind(out: Row, inst: Instrument) -> str:
    label = text(out, "prdt_clsf_name").upper()
    if "ETF" in label or text(out, "ovrs_stck_dvsn_cd") == "03":
        return "etf"
    if "ETN" in label:
        return "etn"
    return inst.kind or "stock"


# -------------------------------------------------------------------------- trading hours


async def fetch_trading_hours(
    kis: KisClient,
    market: Market,
    day: date | None = None,
    *,
    session: Session | None = None,
    calendar: MutableMapping[date, bool] | None = None,
) -> TradingHours:
    """`market`'s regular session on `day` (its local date; default today there), with open
    and close in Korean time, and whether the market trades that day (see the module doc)."""
    rule = session or _session(market)
    day = day or kis.now().astimezone(rule.zone).date()
    trading = await _trades_on(kis, market, day, calendar if calendar is not None else {})
    return TradingHours(
        market,
        day,
        datetime.combine(day, rule.open, tzinfo=rule.zone).astimezone(KST),
        datetime.combine(day, rule.close, tzinfo=rule.zone).astimezone(KST),
        trading,
    )


async def _trades_on(
    kis: KisClient, market: Market, day: date, calendar: MutableMapping[date, bool]
) -> bool:
    if day in calendar:
        return calendar[day]
    if market is Market.KRX:
        try:
            reply = await kis.call(
                "holidays",
                {"BASS_DT": day.strftime("%Y%m%d"), "CTX_AREA_FK": "", "CTX_AREA_NK": ""},
            )
        except (KisNoService, KisUnavailable) as exc:
            logger.info("KRX calendar from the holidays package (%s)", type(exc).__name__)
        else:
            for row in reply.body.get("output") or []:
                listed = moment(text(row, "bass_dt"), "000000")
                if listed is not None and text(row, "opnd_yn") in ("Y", "N"):
                    calendar[listed.date()] = text(row, "opnd_yn") == "Y"
            if day in calendar:
                return calendar[day]
    code = _CALENDARS.get(market)
    if code is None:
        raise KisNoService(f"no trading calendar for {market}", endpoint="sessions")
    return day.weekday() < 5 and day not in _exchange_holidays(code, day.year)


@lru_cache(maxsize=32)
def _exchange_holidays(code: str, year: int) -> Any:
    return holidays.financial_holidays(code, years=year)
