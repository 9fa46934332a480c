"""The order ledger, domestic (KRX) and US: KIS's order rows read into orders with statuses.

```python
entries = await read_ledger(kis, domestic=True, start=day, end=day)
working = await read_open(kis, domestic=False)
```

One reader serves both `account.fetch_orders` / `fetch_pending` and `orders.modify_order` /
`cancel_order` / `cancel_all` / `reconcile`. Each `LedgerEntry` is the domain `Order` plus what
a modify or cancel must echo: its ORD_DVSN code, its venue (EXCG_ID_DVSN_CD, or the 4-letter
OVRS_EXCG_CD) and its kind (new, modify or cancel record). The branch (KRX_FWDG_ORD_ORGNO) is
`Order.branch`. Wire names follow ../shared/kis-reference.md §4.2.5, §4.2.8, §4.4.4, §4.4.5.

Choices where the reference leaves one:
- Kind. A domestic row is a cancel record when `cncl_yn` is "Y" or its class name says 취소, a
  modify record when it names an original (`orgn_odno`), else new. A US row is a cancel when
  `rvse_cncl_dvsn(_cd)` is 02, a modify when it names an original and is not 00, else new.
- A cancel record is an order of its own: CANCELLED, `cancelled=True`, `qty` the quantity
  cancelled, nothing filled or remaining. Any other row: rejected (`rjct_qty` > 0; US: a 거부
  status or a reason) → REJECTED with nothing remaining; something remaining → OPEN or
  PARTIAL; all filled → FILLED. What is left ended by the last record that names the order
  (by placement): a modify makes it REPLACED; a cancel, or none (an IOC/FOK remainder KIS
  dropped), CANCELLED.
- Links: order numbers are compared without their leading zeros (KIS pads them to 10 digits
  in some answers and not in others); "" or all zeros means no original.
- Averages: `avg_prvs` / `ft_ccld_unpr3`, else the filled amount over the filled quantity,
  rounded half up to the won (KRW) or to 1/10,000 dollar.
- Dates: KRX orders by Korean date, US orders by New York date (as KIS files them). US times
  prefer the Korean date and time KIS also gives (`dmst_ord_dt`, `thco_ord_tmd`). Orders older
  than three calendar months come from the long-range TR.
- Open orders: on a real account the modifiable-order inquiries (psbl-rvsecncl, nccs); on a
  virtual one today's ledger for KRX (there is no psbl-rvsecncl) and nccs for the US, falling
  back to today's ledger should the server not offer it (reference §3.7).
"""

from __future__ import annotations

import calendar
import functools
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Final, Literal

from kisbot.domain.models import Instrument, Market, Order, OrderStatus, Side, Symbol
from kisbot.domain.time import KST, NEW_YORK
from kisbot.kis import client as kis_client
from kisbot.kis import schemas
from kisbot.kis.endpoints import endpoint
from kisbot.kis.errors import KisNoService
from kisbot.kis.schemas import Row

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from kisbot.kis.client import KisClient

__all__ = [
    "FK200",
    "KRX_VENUE",
    "US_ALL",
    "Kind",
    "LedgerEntry",
    "account_params",
    "offered",
    "placement",
    "read_ledger",
    "read_open",
    "same_number",
    "today",
    "us_markets",
    "zone",
]

logger = logging.getLogger(__name__)

Kind = Literal["new", "modify", "cancel"]

SIDES: Final = {"01": Side.SELL, "02": Side.BUY}
SIDE_CODES: Final = {side: code for code, side in SIDES.items()}
KRX_VENUE: Final = "KRX"
KRX_VENUES: Final = frozenset({KRX_VENUE, "NXT", "SOR"})
US_ALL: Final = "NASD"  # OVRS_EXCG_CD for all of the US on the account TRs
FK200: Final = {"fk": "CTX_AREA_FK200", "nk": "CTX_AREA_NK200"}
AVERAGE_PLACES: Final = {"KRW": Decimal(1), "USD": Decimal("0.0001")}
RECENT_MONTHS: Final = 3  # inquire-daily-ccld's short-range TR covers three months


# ------------------------------------------------------------------- shared account plumbing


def account_params(kis: KisClient) -> dict[str, str]:
    """CANO and ACNT_PRDT_CD, which every account TR takes."""
    return {"CANO": kis.cano, "ACNT_PRDT_CD": kis.product}


def offered(kis: KisClient, name: str) -> bool:
    """Whether this server (real or virtual) offers the TR `name`."""
    return endpoint(name).tr_id(kis.env) is not None


@functools.cache
def us_markets() -> dict[str, Market]:
    """Both code families (NASD, NAS, …) to markets: account answers use either."""
    found: dict[str, Market] = {}
    for table in (kis_client.US_ORDER_CODES, kis_client.US_QUOTE_CODES):
        found.update({code: market for market, code in table.items()})
    return found


def number_key(number: str) -> str:
    """An order number without padding: KIS pads to 10 digits in some answers only."""
    return number.strip().lstrip("0")


def same_number(a: str, b: str) -> bool:
    return bool(number_key(a)) and number_key(a) == number_key(b)


def _order_no(row: Row, key: str) -> str:
    """An order number as KIS wrote it, "" for blank or all zeros (KIS's "no original")."""
    value = schemas.text(row, key)
    return value if number_key(value) else ""


def zone(*, domestic: bool) -> ZoneInfo:
    """The calendar each market's orders are filed by."""
    return KST if domestic else NEW_YORK


def today(kis: KisClient, *, domestic: bool) -> date:
    return kis.now().astimezone(zone(domestic=domestic)).date()


# --------------------------------------------------------------------------------- entries


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One order row: the domain view plus what a modify or cancel must echo."""

    order: Order
    kind: Kind
    code: str  # ORD_DVSN ("" where the answer does not say, as for US orders)
    venue: str  # EXCG_ID_DVSN_CD (KRX, NXT, SOR) or OVRS_EXCG_CD (NASD, NYSE, AMEX)

    @property
    def domestic(self) -> bool:
        return self.order.instrument.market.domestic


def placement(entry: LedgerEntry) -> tuple[datetime, str]:
    """Order of placement: time, then the order number (KIS numbers them as they come)."""
    return entry.order.time, number_key(entry.order.order_no).zfill(20)


@dataclass(frozen=True, slots=True)
class _Fields:
    """Where one market's order answers keep an order's figures ("" = not in these answers)."""

    qty: str
    filled: str
    remaining: tuple[str, ...]  # the first one the row has
    price: str
    avg_price: str
    amount: str
    rejected: str  # "" = all that did not fill


# inquire-daily-ccld output1 (rmn_qty) and inquire-psbl-rvsecncl output (psbl_qty, no avg_prvs)
DOMESTIC_ORDER: Final = _Fields(
    "ord_qty",
    "tot_ccld_qty",
    ("psbl_qty", "rmn_qty"),
    "ord_unpr",
    "avg_prvs",
    "tot_ccld_amt",
    "rjct_qty",
)
# inquire-ccnl and inquire-nccs output
US_ORDER: Final = _Fields(
    "ft_ord_qty",
    "ft_ccld_qty",
    ("nccs_qty",),
    "ft_ord_unpr3",
    "ft_ccld_unpr3",
    "ft_ccld_amt3",
    "",
)


def _when(row: Row, day: date, tz: ZoneInfo) -> datetime:
    """ord_dt (the inquiry's day where absent, as in psbl-rvsecncl) and ord_tmd in `tz`."""
    ymd = schemas.text(row, "ord_dt") or schemas.ymd(day)
    found = schemas.moment(ymd, schemas.text(row, "ord_tmd"), tz)
    return found or datetime(day.year, day.month, day.day, tzinfo=tz)


def _kind(original_no: str, *, cancel: bool) -> Kind:
    if cancel:
        return "cancel"
    return "modify" if original_no else "new"


def _entry(
    row: Row,
    fields: _Fields,
    instrument: Instrument,
    *,
    kind: Kind,
    refused: bool,
    when: datetime,
    code: str,
    venue: str,
) -> LedgerEntry | None:
    """An entry whose status is still to be settled against the other rows (`_settle`)."""
    side = SIDES.get(schemas.text(row, "sll_buy_dvsn_cd"))
    order_no = _order_no(row, "odno")
    if side is None or not order_no:
        return None
    qty = schemas.int0(row, fields.qty)
    filled = schemas.int0(row, fields.filled)
    remaining = next(
        (n for key in fields.remaining if (n := schemas.integer(row, key)) is not None), 0
    )
    avg = schemas.positive(schemas.dec(row, fields.avg_price))
    if avg is None and filled:
        places = AVERAGE_PLACES[instrument.currency]
        amount = schemas.dec0(row, fields.amount)
        avg = schemas.positive((amount / filled).quantize(places, rounding=ROUND_HALF_UP))
    rejected = 0
    if refused:
        rejected = schemas.int0(row, fields.rejected) if fields.rejected else qty - filled
    cancel = kind == "cancel"
    order = Order(
        order_no=order_no,
        original_no=_order_no(row, "orgn_odno"),
        branch=schemas.text(row, "ord_gno_brno") or schemas.text(row, "ord_orgno"),
        instrument=instrument,
        side=side,
        qty=qty,
        price=schemas.positive(schemas.dec(row, fields.price)),
        filled_qty=0 if cancel else filled,
        avg_fill_price=None if cancel else avg,
        remaining_qty=0 if cancel or refused else remaining,
        status=OrderStatus.OPEN,  # settled in _settle
        time=when,
        order_type_name=schemas.text(row, "ord_dvsn_name"),
        cancelled=cancel,
        rejected_qty=max(rejected, 0),
    )
    return LedgerEntry(order, kind, code, venue)


def _domestic_entry(row: Row, day: date) -> LedgerEntry | None:
    """inquire-daily-ccld `output1` or inquire-psbl-rvsecncl `output`."""
    instrument = Instrument(
        Symbol(schemas.text(row, "pdno")), Market.KRX, schemas.text(row, "prdt_name")
    )
    cancel = schemas.text(row, "cncl_yn") == "Y" or "취소" in schemas.text(
        row, "sll_buy_dvsn_cd_name"
    )
    venue = schemas.text(row, "excg_id_dvsn_cd") or schemas.text(row, "excg_id_dvsn_Cd")
    return _entry(
        row,
        DOMESTIC_ORDER,
        instrument,
        kind=_kind(_order_no(row, "orgn_odno"), cancel=cancel),
        refused=schemas.int0(row, "rjct_qty") > 0,
        when=_when(row, day, KST),
        code=schemas.text(row, "ord_dvsn_cd"),
        venue=venue if venue in KRX_VENUES else KRX_VENUE,
    )


def _us_entry(row: Row, day: date) -> LedgerEntry | None:
    """inquire-ccnl or inquire-nccs `output` (US exchanges only)."""
    market = us_markets().get(schemas.text(row, "ovrs_excg_cd").upper())
    if market is None:
        return None
    symbol = Symbol(schemas.text(row, "pdno").upper())
    revision = schemas.text(row, "rvse_cncl_dvsn") or schemas.text(row, "rvse_cncl_dvsn_cd")
    original = _order_no(row, "orgn_odno")
    korean = schemas.moment(
        schemas.text(row, "dmst_ord_dt"), schemas.text(row, "thco_ord_tmd"), KST
    )
    return _entry(
        row,
        US_ORDER,
        Instrument(symbol, market, schemas.text(row, "prdt_name")),
        kind=_kind(original if revision != "00" else "", cancel=revision == "02"),
        refused=bool(schemas.text(row, "rjct_rson"))
        or schemas.text(row, "prcs_stat_name") == "거부",
        when=korean or _when(row, day, NEW_YORK),
        code="",
        venue=kis_client.US_ORDER_CODES[market],
    )


def _status(entry: LedgerEntry, ended_by: Kind | None) -> OrderStatus:
    order = entry.order
    if entry.kind == "cancel":
        return OrderStatus.CANCELLED
    if order.rejected_qty:
        return OrderStatus.REJECTED
    if order.remaining_qty > 0:
        return OrderStatus.PARTIAL if order.filled_qty else OrderStatus.OPEN
    if order.filled_qty >= order.qty:
        return OrderStatus.FILLED
    return OrderStatus.REPLACED if ended_by == "modify" else OrderStatus.CANCELLED


def _settle(entries: Iterable[LedgerEntry | None]) -> list[LedgerEntry]:
    """Statuses that depend on other rows, oldest first: what is left of an order ended by
    the last modify or cancel record naming it."""
    found = sorted((e for e in entries if e is not None), key=placement)
    ended_by = {
        number_key(e.order.original_no): e.kind
        for e in found
        if e.kind != "new" and e.order.original_no
    }
    settled: list[LedgerEntry] = []
    for entry in found:
        status = _status(entry, ended_by.get(number_key(entry.order.order_no)))
        settled.append(replace(entry, order=replace(entry.order, status=status)))
    return settled


# ---------------------------------------------------------------------------------- reading

_Reader = Callable[[Row, date], LedgerEntry | None]


async def _read(
    pages: AsyncIterator[dict[str, Any]], key: str, read: _Reader, day: date
) -> list[LedgerEntry | None]:
    """Every row under `key` of every page, read (`day`: the date of rows that give none)."""
    return [read(row, day) async for page in pages for row in schemas.rows(page, key)]


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _windows(now: date, start: date, end: date) -> list[tuple[str, date, date]]:
    """Which inquire-daily-ccld TR serves which part of [start, end]."""
    cutoff = _months_before(now, RECENT_MONTHS)
    windows: list[tuple[str, date, date]] = []
    if end >= cutoff:
        windows.append(("daily_orders", max(start, cutoff), end))
    if start < cutoff:
        windows.append(("daily_orders_old", start, min(end, cutoff - timedelta(days=1))))
    return windows


async def _domestic_ledger(
    kis: KisClient, start: date, end: date, symbol: str, side: Side | None, open_only: bool
) -> list[LedgerEntry]:
    """주식일별주문체결 (both tables), every page."""
    now = today(kis, domestic=True)
    entries: list[LedgerEntry | None] = []
    for name, first, last in _windows(now, start, end):
        params = {
            **account_params(kis),
            "INQR_STRT_DT": schemas.ymd(first),
            "INQR_END_DT": schemas.ymd(last),
            "SLL_BUY_DVSN_CD": SIDE_CODES[side] if side else "00",
            "PDNO": symbol,
            "CCLD_DVSN": "02" if open_only else "00",
            "INQR_DVSN": "01",  # oldest first
            "INQR_DVSN_3": "00",
            "ORD_GNO_BRNO": "",
            "ODNO": "",
            "INQR_DVSN_1": "",
            # NXT and SOR orders exist on real accounts only
            "EXCG_ID_DVSN_CD": "ALL" if kis.env == "real" else KRX_VENUE,
        }
        entries += await _read(kis.pages(name, params), "output1", _domestic_entry, now)
    return _settle(entries)


async def _us_ledger(
    kis: KisClient, start: date, end: date, symbol: str, side: Side | None, open_only: bool
) -> list[LedgerEntry]:
    """해외주식 주문체결내역, every page. The virtual server takes no filters (§4.4.4)."""
    real = kis.env == "real"
    params = {
        **account_params(kis),
        "PDNO": (symbol or "%") if real else "",
        "ORD_STRT_DT": schemas.ymd(start),
        "ORD_END_DT": schemas.ymd(end),
        "SLL_BUY_DVSN": (SIDE_CODES[side] if side else "00") if real else "00",
        "CCLD_NCCS_DVSN": "02" if open_only and real else "00",
        "OVRS_EXCG_CD": US_ALL if real else "",
        "SORT_SQN": "DS",
        "ORD_DT": "",
        "ORD_GNO_BRNO": "",
        "ODNO": "",
    }
    pages = kis.pages("us_orders", params, **FK200)
    return _settle(await _read(pages, "output", _us_entry, today(kis, domestic=False)))


async def read_ledger(
    kis: KisClient,
    *,
    domestic: bool,
    start: date,
    end: date,
    symbol: str = "",
    side: Side | None = None,
    open_only: bool = False,
) -> list[LedgerEntry]:
    """The KRX (or US) orders placed from `start` to `end` (that market's dates), oldest
    first. `symbol`, `side` and `open_only` are asked of KIS where the server takes them:
    filter the result again."""
    read = _domestic_ledger if domestic else _us_ledger
    return await read(kis, start, end, symbol, side, open_only)


async def read_open(kis: KisClient, *, domestic: bool) -> list[LedgerEntry]:
    """The KRX (or US) orders with something left to fill, oldest first."""
    now = today(kis, domestic=domestic)
    found: list[LedgerEntry]
    if not domestic:
        found = await _us_open(kis, now)
    elif not offered(kis, "pending"):  # virtual: no psbl-rvsecncl (§4.2.8)
        found = await read_ledger(kis, domestic=True, start=now, end=now, open_only=True)
    else:
        params = {**account_params(kis), "INQR_DVSN_1": "0", "INQR_DVSN_2": "0"}
        found = _settle(await _read(kis.pages("pending", params), "output", _domestic_entry, now))
    return [e for e in found if e.kind != "cancel" and e.order.remaining_qty > 0]


async def _us_open(kis: KisClient, now: date) -> list[LedgerEntry]:
    params = {
        **account_params(kis),
        "OVRS_EXCG_CD": US_ALL,
        "SORT_SQN": "DS" if kis.env == "virtual" else "",
    }
    try:
        entries = await _read(kis.pages("us_pending", params, **FK200), "output", _us_entry, now)
    except KisNoService:
        # inquire-nccs on 모의투자 is doubtful (reference §3.7): read the order ledger instead
        logger.info("us_pending not offered; reading today's US orders instead")
        return await read_ledger(kis, domestic=False, start=now, end=now, open_only=True)
    return _settle(entries)
