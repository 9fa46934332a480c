"""Account reads, domestic (KRX) and US, on real (실전) and virtual (모의투자) accounts.

```python
balance = await fetch_balance(kis)
orders = await fetch_orders(kis, symbol="005930")
power = await fetch_buying_power(kis, await kis.instrument("AAPL"), Decimal("180"))
```

Where the reference (../shared/kis-reference.md §4.2, §4.4) leaves a choice, this module takes
one and says so:

- Balance. KRW cash: `deposit` is 예수금 (`dnca_tot_amt`), `settled` the D+2 figure
  (`prvs_rcdl_excc_amt`), `orderable` the 주문가능현금 of 매수가능조회 (`ord_psbl_cash`, asked
  without a stock), which also subtracts what open buy orders hold; should KIS refuse that
  inquiry, `settled` stands in. USD cash comes from the execution-based present balance in
  dollars (`WCRC_FRCR_DVSN_CD` 02): `deposit` and `settled` are `frcr_dncl_amt_2` (execution
  based, so already net of today's trades) and `orderable` is the withdrawable
  `frcr_drwg_psbl_amt_1`, the conservative figure (it excludes what open orders hold). The
  rate is the USD row's `frst_bltn_exrt`, else a position's `bass_exrt`. Totals count KRW cash
  at the D+2 figure, as KIS's own `tot_evlu_amt` does, and USD at `deposit`; KRW conversions
  are rounded once, half up, to the won. Lines sold out (quantity 0) are left out.
- Profit. KIS offers period profit on real accounts only; a virtual account raises
  `KisNoService` (an exact fallback is not possible: the cost of shares sold out today and the
  broker's fee rates are not in any virtual answer). US rows (per day and stock) are summed per
  day; their `buy_amount` is the cost of the shares sold (KIS reports no day's buys there) and
  all selling costs count as `fees` (tax 0).
- Orders. A date range is read in each market's own calendar: KRX orders by Korean date, US
  orders by New York date (the session's date, as KIS files them); without dates, each
  market's today. Orders older than three calendar months come from the long-range TR.
  Statuses: a cancel record (`cncl_yn` "Y" or a 취소 class name; US `rvse_cncl_dvsn` 02) is
  itself an order with status CANCELLED and `cancelled=True`, its `qty` the quantity cancelled
  and `original_no` the order it cancels; a modify record (it names an original and is not a
  cancel) is a live order of its own. For the rest: rejected (`rjct_qty` > 0; US: a 거부 status
  or a reason) → REJECTED; something remaining → OPEN or PARTIAL; all filled → FILLED; else
  REPLACED when a modify record in the same answer names it, otherwise CANCELLED. US order
  times prefer the Korean date and time KIS also gives (`dmst_ord_dt`, `thco_ord_tmd`), else
  `ord_dt`/`ord_tmd` as New York time.
- Buying power. Priced order types ask at their price with ORD_DVSN 00; market-type ones with
  01 (what KIS advises for a quantity that reflects margin rates). Without a price, priced
  types use the current price. The quantity is the no-미수 one (`nrcvb_buy_qty`; US
  `ord_psbl_qty`, dollars only, no automatic exchange).
"""

from __future__ import annotations

import calendar
import functools
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Final, Literal

from kisbot.domain.errors import InputError
from kisbot.domain.models import (
    Balance,
    BuyingPower,
    Cash,
    Instrument,
    Market,
    Order,
    OrderStatus,
    OrderType,
    Position,
    ProfitDay,
    ProfitReport,
    Side,
    Symbol,
)
from kisbot.domain.time import KST, NEW_YORK
from kisbot.kis import client as kis_client
from kisbot.kis import schemas
from kisbot.kis.endpoints import endpoint
from kisbot.kis.errors import KisNoService, KisRejected

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from kisbot.kis.client import KisClient

__all__ = [
    "fetch_balance",
    "fetch_buying_power",
    "fetch_orders",
    "fetch_pending",
    "fetch_profit",
    "fetch_sellable",
]

logger = logging.getLogger(__name__)

Row = Mapping[str, Any]
Kind = Literal["new", "modify", "cancel"]

WON: Final = Decimal(1)
PERCENT: Final = Decimal("0.01")
AVERAGE_PLACES: Final = {"KRW": WON, "USD": Decimal("0.0001")}
US_PRICE_PLACES: Final = 4
RECENT_MONTHS: Final = 3  # inquire-daily-ccld's short-range TR covers three months

SIDES: Final = {"01": Side.SELL, "02": Side.BUY}
SIDE_CODES: Final = {side: code for code, side in SIDES.items()}

# inquire-balance (§4.2.1): by stock, include the previous day's trades.
BALANCE_QUERY: Final = {
    "AFHR_FLPR_YN": "N",
    "OFL_YN": "",
    "INQR_DVSN": "02",
    "UNPR_DVSN": "01",
    "FUND_STTL_ICLD_YN": "N",
    "FNCG_AMT_AUTO_RDPT_YN": "N",
    "PRCS_DVSN": "00",
}
# inquire-present-balance (§4.4.2): dollars, every US market, ordinary shares.
PRESENT_QUERY: Final = {
    "WCRC_FRCR_DVSN_CD": "02",
    "NATN_CD": "840",
    "TR_MKET_CD": "00",
    "INQR_DVSN_CD": "00",
}
US_ALL: Final = "NASD"  # OVRS_EXCG_CD for all of the US on the account TRs
FK200: Final = {"fk": "CTX_AREA_FK200", "nk": "CTX_AREA_NK200"}


@functools.cache
def _us_markets() -> dict[str, Market]:
    """Both code families (NASD, NAS, …) to markets: account answers use either."""
    found: dict[str, Market] = {}
    for table in (kis_client.US_ORDER_CODES, kis_client.US_QUOTE_CODES):
        found.update({code: market for market, code in table.items()})
    return found


# ------------------------------------------------------------------------------------ helpers


def _account(kis: KisClient) -> dict[str, str]:
    return {"CANO": kis.cano, "ACNT_PRDT_CD": kis.product}


def _offered(kis: KisClient, name: str) -> bool:
    return endpoint(name).tr_id(kis.env) is not None


def _rows(body: Row, key: str) -> list[Row]:
    """The non-empty objects under `key`, whether KIS sent a list or a single object."""
    value = body.get(key)
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, Mapping) and item]


def _ymd(day: date) -> str:
    return day.strftime("%Y%m%d")


def _order_no(row: Row, key: str) -> str:
    """An order number, "" for blank or all-zero (KIS's "no original")."""
    value = schemas.text(row, key)
    return value if value.strip("0") else ""


def _krw(amount: Decimal) -> Decimal:
    return amount.quantize(WON, rounding=ROUND_HALF_UP)


def _rate(part: Decimal, whole: Decimal) -> Decimal:
    if not whole:
        return Decimal(0)
    return (part / whole * 100).quantize(PERCENT, rounding=ROUND_HALF_UP)


def _plain(value: Decimal) -> str:
    """A price as KIS wants it: plain digits, no exponent."""
    return format(value, "f")


def _is_domestic_code(symbol: str) -> bool:
    return len(symbol) == 6 and symbol[:5].isdigit()


def _today(kis: KisClient, zone: ZoneInfo) -> date:
    return kis.now().astimezone(zone).date()


# ------------------------------------------------------------------------------------ balance


@dataclass(frozen=True, slots=True)
class _PositionFields:
    """Where one balance answer keeps a position's figures."""

    symbol: str
    name: str
    qty: str
    sellable: str
    avg_price: str
    cost: str
    price: str
    value: str
    pnl: str
    pnl_rate: str


DOMESTIC_POSITION: Final = _PositionFields(
    "pdno",
    "prdt_name",
    "hldg_qty",
    "ord_psbl_qty",
    "pchs_avg_pric",
    "pchs_amt",
    "prpr",
    "evlu_amt",
    "evlu_pfls_amt",
    "evlu_pfls_rt",
)
US_POSITION: Final = _PositionFields(
    "pdno",
    "prdt_name",
    "ccld_qty_smtl1",
    "ord_psbl_qty1",
    "avg_unpr3",
    "frcr_pchs_amt",
    "ovrs_now_pric1",
    "frcr_evlu_amt2",
    "evlu_pfls_amt2",
    "evlu_pfls_rt1",
)


def _position(row: Row, fields: _PositionFields, market: Market) -> Position | None:
    """One holding, or None for a line sold out (KIS keeps those with quantity 0)."""
    qty = schemas.int0(row, fields.qty)
    symbol = schemas.text(row, fields.symbol).upper()
    if qty <= 0 or not symbol:
        return None
    cost = schemas.dec0(row, fields.cost)
    value = schemas.dec0(row, fields.value)
    pnl = schemas.dec(row, fields.pnl)
    pnl = value - cost if pnl is None else pnl
    pnl_rate = schemas.dec(row, fields.pnl_rate)
    return Position(
        instrument=Instrument(Symbol(symbol), market, schemas.text(row, fields.name)),
        qty=qty,
        sellable_qty=schemas.int0(row, fields.sellable),
        avg_price=schemas.dec0(row, fields.avg_price),
        cost=cost,
        price=schemas.dec0(row, fields.price),
        value=value,
        pnl=pnl,
        pnl_rate=_rate(pnl, cost) if pnl_rate is None else pnl_rate,
    )


async def _domestic_balance(kis: KisClient) -> tuple[list[Row], Row]:
    """inquire-balance, every page: the holding rows and the deposits summary."""
    holdings: list[Row] = []
    summary: Row = {}
    async for page in kis.pages("balance", {**_account(kis), **BALANCE_QUERY}):
        holdings += _rows(page, "output1")
        summary = summary or next(iter(_rows(page, "output2")), {})
    return holdings, summary


async def _present_balance(kis: KisClient) -> Row:
    """inquire-present-balance for the US, in dollars."""
    return (await kis.call("us_present_balance", {**_account(kis), **PRESENT_QUERY})).body


def _us_positions(body: Row) -> list[Position]:
    markets = _us_markets()
    found: list[Position] = []
    for row in _rows(body, "output1"):
        market = markets.get(schemas.text(row, "ovrs_excg_cd").upper())
        if market is None:
            logger.debug("present balance: skipping a line outside the US markets")
            continue
        position = _position(row, US_POSITION, market)
        if position is not None:
            found.append(position)
    return found


def _positive(value: Decimal | None) -> Decimal | None:
    return value if value is not None and value > 0 else None


def _usd_rate(body: Row, usd: Row) -> Decimal | None:
    rate = _positive(schemas.dec(usd, "frst_bltn_exrt"))
    for row in _rows(body, "output1"):
        rate = rate or _positive(schemas.dec(row, "bass_exrt"))
    return rate


async def _krw_orderable(kis: KisClient, settled: Decimal) -> Decimal:
    """주문가능현금 (what buy orders may use now), asked without a stock."""
    params = {
        **_account(kis),
        "PDNO": "",
        "ORD_UNPR": "",
        "ORD_DVSN": "01",
        "CMA_EVLU_AMT_ICLD_YN": "N",
        "OVRS_ICLD_YN": "N",
    }
    try:
        out = (await kis.call("buying_power", params)).body.get("output") or {}
    except KisRejected as exc:
        logger.warning("orderable cash unavailable (%s); using the settled figure", exc.msg_cd)
        return settled
    orderable = schemas.dec(out, "ord_psbl_cash")
    return settled if orderable is None else orderable


async def fetch_balance(kis: KisClient) -> Balance:
    """Cash per currency, domestic and US positions, and KRW totals (see the module notes)."""
    holdings, summary = await _domestic_balance(kis)
    settled = schemas.dec0(summary, "prvs_rcdl_excc_amt")
    krw = Cash(
        "KRW",
        deposit=schemas.dec0(summary, "dnca_tot_amt"),
        settled=settled,
        orderable=await _krw_orderable(kis, settled),
    )
    domestic = [p for row in holdings if (p := _position(row, DOMESTIC_POSITION, Market.KRX))]
    present = await _present_balance(kis)
    usd_row = next(
        (r for r in _rows(present, "output2") if schemas.text(r, "crcy_cd") == "USD"), None
    )
    us = _us_positions(present)
    cash = [krw]
    usd_total = Decimal(0)
    if usd_row is not None:
        usd_total = schemas.dec0(usd_row, "frcr_dncl_amt_2")
        cash.append(
            Cash(
                "USD",
                deposit=usd_total,
                settled=usd_total,
                orderable=schemas.dec0(usd_row, "frcr_drwg_psbl_amt_1"),
            )
        )
    rate = _usd_rate(present, usd_row or {})
    if rate is None and (us or usd_total):
        logger.warning("no USD/KRW rate in the present balance: KRW totals leave out USD")
    fx = rate or Decimal(0)
    dom_value = sum((p.value for p in domestic), Decimal(0))
    us_value = sum((p.value for p in us), Decimal(0))
    pnl = sum((p.pnl for p in domestic), Decimal(0)) + fx * sum((p.pnl for p in us), Decimal(0))
    return Balance(
        cash=tuple(cash),
        positions=(*domestic, *us),
        total_value_krw=_krw(settled + dom_value + fx * (usd_total + us_value)),
        securities_value_krw=_krw(dom_value + fx * us_value),
        pnl_krw=_krw(pnl),
        usd_krw=rate,
    )


# ------------------------------------------------------------------------------------- profit


def _profit_query(kis: KisClient, start: date, end: date) -> dict[str, str]:
    return {**_account(kis), "INQR_STRT_DT": _ymd(start), "INQR_END_DT": _ymd(end)}


async def _domestic_profit(kis: KisClient, start: date, end: date) -> list[ProfitDay]:
    """기간별손익일별합산 (TTTC8708R): one row per day."""
    params = {
        **_profit_query(kis, start, end),
        "SORT_DVSN": "01",  # oldest first
        "INQR_DVSN": "00",
        "CBLC_DVSN": "00",
        "PDNO": "",
    }
    days: list[ProfitDay] = []
    async for page in kis.pages("period_profit", params):
        for row in _rows(page, "output1"):
            day = schemas.day(row, "trad_dt")
            if day is None:
                continue
            days.append(
                ProfitDay(
                    day,
                    "KRW",
                    buy_amount=schemas.dec0(row, "buy_amt"),
                    sell_amount=schemas.dec0(row, "sll_amt"),
                    realized=schemas.dec0(row, "rlzt_pfls"),
                    fees=schemas.dec0(row, "fee"),
                    tax=schemas.dec0(row, "tl_tax"),
                )
            )
    return days


async def _us_profit(kis: KisClient, start: date, end: date) -> list[ProfitDay]:
    """해외주식 기간손익 (TTTS3039R): rows per day and stock, summed per day."""
    params = {
        **_profit_query(kis, start, end),
        "OVRS_EXCG_CD": US_ALL,
        "NATN_CD": "",
        "CRCY_CD": "USD",
        "PDNO": "",
        "WCRC_FRCR_DVSN_CD": "01",  # here 01 is the foreign currency (the reverse of §4.4.2)
    }
    sums: dict[date, list[Decimal]] = {}
    columns = ("frcr_pchs_amt1", "frcr_sll_amt_smtl1", "ovrs_rlzt_pfls_amt", "stck_sll_tlex")
    async for page in kis.pages("us_period_profit", params, **FK200):
        for row in _rows(page, "output1"):
            day = schemas.day(row, "trad_day")
            if day is None:
                continue
            total = sums.setdefault(day, [Decimal(0)] * len(columns))
            for i, column in enumerate(columns):
                total[i] += schemas.dec0(row, column)
    return [
        ProfitDay(day, "USD", bought, sold, realized, fees, Decimal(0))
        for day, (bought, sold, realized, fees) in sorted(sums.items())
    ]


async def fetch_profit(kis: KisClient, start: date, end: date) -> ProfitReport:
    """Realized profit per day from `start` to `end` (inclusive), KRW and USD, oldest first.

    Real accounts only: a virtual account raises `KisNoService` (compute today's figure from
    `fetch_orders` there if needed)."""
    if start > end:
        raise InputError("the profit period starts after it ends")
    for name in ("period_profit", "us_period_profit"):
        if not _offered(kis, name):
            raise KisNoService(
                "period profit (기간별손익) is offered on real accounts only; on a virtual "
                "account work it out from today's orders",
                tr_id=endpoint(name).real,
                endpoint=name,
            )
    days = [*await _domestic_profit(kis, start, end), *await _us_profit(kis, start, end)]
    days.sort(key=lambda d: (d.day, d.currency != "KRW"))
    realized = {
        currency: sum((d.realized for d in days if d.currency == currency), Decimal(0))
        for currency in ("KRW", "USD")
    }
    return ProfitReport(start, end, tuple(days), realized)


# ------------------------------------------------------------------------------------- orders


@dataclass(frozen=True, slots=True)
class _OrderFields:
    """Where one order answer keeps an order's figures ("" = not in this answer)."""

    qty: str
    filled: str
    remaining: str
    price: str
    avg_price: str
    amount: str
    day: str
    time: str


DAILY_ORDER: Final = _OrderFields(
    "ord_qty",
    "tot_ccld_qty",
    "rmn_qty",
    "ord_unpr",
    "avg_prvs",
    "tot_ccld_amt",
    "ord_dt",
    "ord_tmd",
)
CANCELLABLE_ORDER: Final = _OrderFields(
    "ord_qty", "tot_ccld_qty", "psbl_qty", "ord_unpr", "", "tot_ccld_amt", "", "ord_tmd"
)
US_ORDER: Final = _OrderFields(
    "ft_ord_qty",
    "ft_ccld_qty",
    "nccs_qty",
    "ft_ord_unpr3",
    "ft_ccld_unpr3",
    "ft_ccld_amt3",
    "ord_dt",
    "ord_tmd",
)


@dataclass(frozen=True, slots=True)
class _Draft:
    """An order read from a ledger row, before its status is settled against the others."""

    order: Order
    kind: Kind
    rejected: bool


def _when(row: Row, fields: _OrderFields, zone: ZoneInfo, today: date) -> datetime:
    ymd = schemas.text(row, fields.day) if fields.day else ""
    when = schemas.moment(ymd or _ymd(today), schemas.text(row, fields.time), zone)
    return when or datetime(today.year, today.month, today.day, tzinfo=zone)


def _draft(
    row: Row,
    fields: _OrderFields,
    instrument: Instrument,
    *,
    kind: Kind,
    rejected: bool,
    when: datetime,
    type_name: str = "",
    rejected_qty: int = 0,
) -> _Draft | None:
    side = SIDES.get(schemas.text(row, "sll_buy_dvsn_cd"))
    order_no = _order_no(row, "odno")
    if side is None or not order_no:
        return None
    qty = schemas.int0(row, fields.qty)
    filled = schemas.int0(row, fields.filled)
    avg = _positive(schemas.dec(row, fields.avg_price)) if fields.avg_price else None
    if avg is None and filled:
        places = AVERAGE_PLACES.get(instrument.currency, WON)
        amount = schemas.dec0(row, fields.amount)
        avg = _positive((amount / filled).quantize(places, rounding=ROUND_HALF_UP))
    cancel = kind == "cancel"
    order = Order(
        order_no=order_no,
        original_no=_order_no(row, "orgn_odno"),
        branch=schemas.text(row, "ord_gno_brno"),
        instrument=instrument,
        side=side,
        qty=qty,
        price=_positive(schemas.dec(row, fields.price)),
        filled_qty=0 if cancel else filled,
        avg_fill_price=None if cancel else avg,
        remaining_qty=0 if cancel or rejected else schemas.int0(row, fields.remaining),
        status=OrderStatus.OPEN,  # settled in _settle
        time=when,
        order_type_name=type_name,
        cancelled=cancel,
        rejected_qty=rejected_qty,
    )
    return _Draft(order, kind, rejected)


def _status(draft: _Draft, replaced: bool) -> OrderStatus:
    order = draft.order
    if draft.kind == "cancel":
        return OrderStatus.CANCELLED
    if draft.rejected:
        return OrderStatus.REJECTED
    if order.remaining_qty > 0:
        return OrderStatus.PARTIAL if order.filled_qty else OrderStatus.OPEN
    if order.filled_qty >= order.qty:
        return OrderStatus.FILLED
    return OrderStatus.REPLACED if replaced else OrderStatus.CANCELLED


def _settle(drafts: Iterable[_Draft]) -> list[Order]:
    """Statuses that depend on other rows: an original a modify record names is REPLACED."""
    drafts = list(drafts)
    replaced = {d.order.original_no for d in drafts if d.kind == "modify"}
    return [replace(d.order, status=_status(d, d.order.order_no in replaced)) for d in drafts]


def _kind(original_no: str, *, cancel: bool) -> Kind:
    if cancel:
        return "cancel"
    return "modify" if original_no else "new"


def _domestic_draft(row: Row, fields: _OrderFields, today: date) -> _Draft | None:
    symbol = schemas.text(row, "pdno")
    instrument = Instrument(Symbol(symbol), Market.KRX, schemas.text(row, "prdt_name"))
    cancel = schemas.text(row, "cncl_yn") == "Y" or "취소" in schemas.text(
        row, "sll_buy_dvsn_cd_name"
    )
    rejected_qty = schemas.int0(row, "rjct_qty")
    return _draft(
        row,
        fields,
        instrument,
        kind=_kind(_order_no(row, "orgn_odno"), cancel=cancel),
        rejected=rejected_qty > 0,
        when=_when(row, fields, KST, today),
        type_name=schemas.text(row, "ord_dvsn_name"),
        rejected_qty=rejected_qty,
    )


def _us_draft(row: Row, revision_key: str, today: date) -> _Draft | None:
    market = _us_markets().get(schemas.text(row, "ovrs_excg_cd").upper())
    if market is None:
        return None
    symbol = Symbol(schemas.text(row, "pdno").upper())
    instrument = Instrument(symbol, market, schemas.text(row, "prdt_name"))
    revision = schemas.text(row, revision_key)
    original = _order_no(row, "orgn_odno")
    kind = _kind(original if revision != "00" else "", cancel=revision == "02")
    rejected = bool(schemas.text(row, "rjct_rson")) or schemas.text(row, "prcs_stat_name") == "거부"
    korean = schemas.moment(
        schemas.text(row, "dmst_ord_dt"), schemas.text(row, "thco_ord_tmd"), KST
    )
    qty = schemas.int0(row, US_ORDER.qty)
    filled = schemas.int0(row, US_ORDER.filled)
    return _draft(
        row,
        US_ORDER,
        instrument,
        kind=kind,
        rejected=rejected,
        when=korean or _when(row, US_ORDER, NEW_YORK, today),
        rejected_qty=qty - filled if rejected else 0,
    )


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _ledger_windows(today: date, start: date, end: date) -> list[tuple[str, date, date]]:
    """Which inquire-daily-ccld TR serves which part of [start, end]."""
    cutoff = _months_before(today, RECENT_MONTHS)
    windows: list[tuple[str, date, date]] = []
    if end >= cutoff:
        windows.append(("daily_orders", max(start, cutoff), end))
    if start < cutoff:
        windows.append(("daily_orders_old", start, min(end, cutoff - timedelta(days=1))))
    return windows


async def _domestic_orders(
    kis: KisClient,
    start: date,
    end: date,
    *,
    symbol: str = "",
    side: Side | None = None,
    open_only: bool = False,
) -> list[Order]:
    """주식일별주문체결 (both tables), every page."""
    today = _today(kis, KST)
    drafts: list[_Draft] = []
    for name, first, last in _ledger_windows(today, start, end):
        params = {
            **_account(kis),
            "INQR_STRT_DT": _ymd(first),
            "INQR_END_DT": _ymd(last),
            "SLL_BUY_DVSN_CD": SIDE_CODES[side] if side else "00",
            "PDNO": symbol,
            "CCLD_DVSN": "02" if open_only else "00",
            "INQR_DVSN": "00",
            "INQR_DVSN_3": "00",
            "ORD_GNO_BRNO": "",
            "ODNO": "",
            "INQR_DVSN_1": "",
            # NXT and SOR orders exist on real accounts only
            "EXCG_ID_DVSN_CD": "ALL" if kis.env == "real" else "KRX",
        }
        async for page in kis.pages(name, params):
            drafts += filter(
                None, (_domestic_draft(r, DAILY_ORDER, today) for r in _rows(page, "output1"))
            )
    return _settle(drafts)


async def _us_orders(
    kis: KisClient,
    start: date,
    end: date,
    *,
    symbol: str = "",
    side: Side | None = None,
    open_only: bool = False,
) -> list[Order]:
    """해외주식 주문체결내역, every page. The virtual server takes no filters (§4.4.4)."""
    real = kis.env == "real"
    params = {
        **_account(kis),
        "PDNO": (symbol or "%") if real else "",
        "ORD_STRT_DT": _ymd(start),
        "ORD_END_DT": _ymd(end),
        "SLL_BUY_DVSN": (SIDE_CODES[side] if side else "00") if real else "00",
        "CCLD_NCCS_DVSN": "02" if open_only and real else "00",
        "OVRS_EXCG_CD": US_ALL if real else "",
        "SORT_SQN": "DS",
        "ORD_DT": "",
        "ORD_GNO_BRNO": "",
        "ODNO": "",
    }
    today = _today(kis, NEW_YORK)
    drafts: list[_Draft] = []
    async for page in kis.pages("us_orders", params, **FK200):
        drafts += filter(
            None, (_us_draft(r, "rvse_cncl_dvsn", today) for r in _rows(page, "output"))
        )
    return _settle(drafts)


def _select(
    orders: Iterable[Order], *, symbol: str, side: Side | None, open_only: bool
) -> list[Order]:
    """Filter (KIS's own filters are not on every server) and put the newest first."""
    kept = [
        o
        for o in orders
        if symbol in ("", o.instrument.symbol)
        and (side is None or o.side is side)
        and (not open_only or o.remaining_qty > 0)
    ]
    kept.sort(key=lambda o: (o.time, o.order_no), reverse=True)
    return kept


async def fetch_orders(
    kis: KisClient,
    start: date | None = None,
    end: date | None = None,
    *,
    symbol: str | None = None,
    side: Side | None = None,
    open_only: bool = False,
) -> list[Order]:
    """Orders of KRX and the US from `start` to `end` (each market's own dates; default its
    today), newest first, with modify and cancel records as orders of their own."""
    if start is not None and end is not None and start > end:
        raise InputError("the order period starts after it ends")
    code = (symbol or "").strip().upper()
    filters: dict[str, Any] = {"symbol": code, "side": side, "open_only": open_only}
    orders: list[Order] = []
    for zone, read, wanted in (
        (KST, _domestic_orders, not code or _is_domestic_code(code)),
        (NEW_YORK, _us_orders, not code or not _is_domestic_code(code)),
    ):
        if not wanted:
            continue
        today = _today(kis, zone)
        last = end if end is not None else max(start or today, today)
        orders += await read(kis, start or last, last, **filters)
    return _select(orders, **filters)


async def _domestic_pending(kis: KisClient) -> list[Order]:
    today = _today(kis, KST)
    if not _offered(kis, "pending"):  # virtual: the ledger's unexecuted orders (§4.2.8)
        return await _domestic_orders(kis, today, today, open_only=True)
    params = {**_account(kis), "INQR_DVSN_1": "0", "INQR_DVSN_2": "0"}
    drafts: list[_Draft] = []
    async for page in kis.pages("pending", params):
        drafts += filter(
            None, (_domestic_draft(r, CANCELLABLE_ORDER, today) for r in _rows(page, "output"))
        )
    return _settle(drafts)


async def _us_pending(kis: KisClient) -> list[Order]:
    today = _today(kis, NEW_YORK)
    params = {
        **_account(kis),
        "OVRS_EXCG_CD": US_ALL,
        "SORT_SQN": "DS" if kis.env == "virtual" else "",
    }
    drafts: list[_Draft] = []
    try:
        async for page in kis.pages("us_pending", params, **FK200):
            drafts += filter(
                None, (_us_draft(r, "rvse_cncl_dvsn_cd", today) for r in _rows(page, "output"))
            )
    except KisNoService:
        # inquire-nccs on 모의투자 is doubtful (reference §3.7): read the order ledger instead
        logger.info("us_pending not offered; reading today's US orders instead")
        return await _us_orders(kis, today, today, open_only=True)
    return _settle(drafts)


async def fetch_pending(kis: KisClient) -> list[Order]:
    """Open orders (something left to fill) of KRX and the US, newest first."""
    orders = [*await _domestic_pending(kis), *await _us_pending(kis)]
    return _select(orders, symbol="", side=None, open_only=True)


# ------------------------------------------------------------------------ buying and selling


def _checked_price(price: Decimal, instrument: Instrument) -> Decimal:
    if not price.is_finite() or price <= 0:
        raise InputError("the price must be a positive amount")
    places = 0 if instrument.market is Market.KRX else US_PRICE_PLACES
    if price != price.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):
        raise InputError(f"a {instrument.currency} price has at most {places} decimal places")
    return price


async def _current_price(kis: KisClient, instrument: Instrument) -> Decimal:
    return (await kis.fetch_quote(instrument.symbol, instrument.market)).price


async def fetch_buying_power(
    kis: KisClient,
    instrument: Instrument,
    price: Decimal | None = None,
    order_type: OrderType = OrderType.LIMIT,
) -> BuyingPower:
    """What a buy of `instrument` may spend now and how many shares that buys at `price`
    (default: the current price; market-type orders are counted the way KIS counts them)."""
    if price is not None:
        price = _checked_price(price, instrument)
    if instrument.market is Market.KRX:
        return await _domestic_buying_power(kis, instrument, price, order_type)
    exchange = kis_client.US_ORDER_CODES.get(instrument.market)
    if exchange is None:
        raise KisNoService(f"{instrument.market} orders are not supported yet", endpoint="account")
    if price is None:
        price = await _current_price(kis, instrument)
    params = {
        **_account(kis),
        "OVRS_EXCG_CD": exchange,
        "OVRS_ORD_UNPR": _plain(price),
        "ITEM_CD": instrument.symbol,
    }
    out = (await kis.call("us_buying_power", params)).body.get("output") or {}
    qty = schemas.integer(out, "ord_psbl_qty")
    return BuyingPower(
        instrument,
        price,
        cash=schemas.dec0(out, "ord_psbl_frcr_amt"),
        max_qty=schemas.int0(out, "max_ord_psbl_qty") if qty is None else qty,
    )


async def _domestic_buying_power(
    kis: KisClient, instrument: Instrument, price: Decimal | None, order_type: OrderType
) -> BuyingPower:
    if order_type.priced and price is None:
        price = await _current_price(kis, instrument)
    params = {
        **_account(kis),
        "PDNO": instrument.symbol,
        "ORD_UNPR": _plain(price) if price is not None else "0",
        "ORD_DVSN": "00" if order_type.priced else "01",
        "CMA_EVLU_AMT_ICLD_YN": "N",
        "OVRS_ICLD_YN": "N",
    }
    out = (await kis.call("buying_power", params)).body.get("output") or {}
    counted = _positive(schemas.dec(out, "psbl_qty_calc_unpr"))
    return BuyingPower(
        instrument,
        counted or price or Decimal(0),
        cash=schemas.dec0(out, "ord_psbl_cash"),
        max_qty=schemas.int0(out, "nrcvb_buy_qty"),
    )


def _sellable_in(rows: Sequence[Row], symbol: str, fields: _PositionFields) -> int:
    return next(
        (
            schemas.int0(row, fields.sellable)
            for row in rows
            if schemas.text(row, fields.symbol).upper() == symbol
        ),
        0,
    )


async def fetch_sellable(kis: KisClient, instrument: Instrument) -> int:
    """How many shares of `instrument` a sell order may offer now (0 when none are held)."""
    symbol = instrument.symbol.upper()
    if instrument.market is not Market.KRX:
        rows = _rows(await _present_balance(kis), "output1")
        return _sellable_in(rows, symbol, US_POSITION)
    if not _offered(kis, "sellable"):  # virtual: inquire-balance's ord_psbl_qty (§4.2.7)
        holdings, _ = await _domestic_balance(kis)
        return _sellable_in(holdings, symbol, DOMESTIC_POSITION)
    body = (await kis.call("sellable", {**_account(kis), "PDNO": symbol})).body
    return schemas.int0(body.get("output") or {}, "ord_psbl_qty")
