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
- Orders are read by kisbot.kis.ledger, which says how rows become orders, their statuses
  and links. A date range is read in each market's own calendar (KRX by Korean date, US by
  New York date); without dates, each market's today. Modify and cancel records are orders
  of their own.
- Buying power. Priced order types ask at their price with ORD_DVSN 00; market-type ones with
  01 (what KIS advises for a quantity that reflects margin rates). Without a price, priced
  types use the current price. The quantity is the no-미수 one (`nrcvb_buy_qty`; US
  `ord_psbl_qty`, dollars only, no automatic exchange).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Final

from kisbot.domain.errors import InputError
from kisbot.domain.models import (
    Balance,
    BuyingPower,
    Cash,
    Instrument,
    Market,
    Order,
    OrderType,
    Position,
    ProfitDay,
    ProfitReport,
    Side,
    Symbol,
)
from kisbot.kis import client as kis_client
from kisbot.kis import schemas
from kisbot.kis.endpoints import endpoint
from kisbot.kis.errors import KisNoService, KisRejected
from kisbot.kis.ledger import (
    FK200,
    US_ALL,
    account_params,
    offered,
    read_ledger,
    read_open,
    today,
    us_markets,
)
from kisbot.kis.schemas import Row

if TYPE_CHECKING:
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

WON: Final = Decimal(1)
PERCENT: Final = Decimal("0.01")
US_PRICE_PLACES: Final = 4

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


# ------------------------------------------------------------------------------------ helpers


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
    async for page in kis.pages("balance", {**account_params(kis), **BALANCE_QUERY}):
        holdings += schemas.rows(page, "output1")
        summary = summary or next(iter(schemas.rows(page, "output2")), {})
    return holdings, summary


async def _present_balance(kis: KisClient) -> Row:
    """inquire-present-balance for the US, in dollars."""
    return (await kis.call("us_present_balance", {**account_params(kis), **PRESENT_QUERY})).body


def _us_positions(body: Row) -> list[Position]:
    markets = us_markets()
    found: list[Position] = []
    for row in schemas.rows(body, "output1"):
        market = markets.get(schemas.text(row, "ovrs_excg_cd").upper())
        if market is None:
            logger.debug("present balance: skipping a line outside the US markets")
            continue
        position = _position(row, US_POSITION, market)
        if position is not None:
            found.append(position)
    return found


def _usd_rate(body: Row, usd: Row) -> Decimal | None:
    rate = schemas.positive(schemas.dec(usd, "frst_bltn_exrt"))
    for row in schemas.rows(body, "output1"):
        rate = rate or schemas.positive(schemas.dec(row, "bass_exrt"))
    return rate


async def _krw_orderable(kis: KisClient, settled: Decimal) -> Decimal:
    """주문가능현금 (what buy orders may use now), asked without a stock."""
    params = {
        **account_params(kis),
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
        (r for r in schemas.rows(present, "output2") if schemas.text(r, "crcy_cd") == "USD"), None
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
    return {
        **account_params(kis),
        "INQR_STRT_DT": schemas.ymd(start),
        "INQR_END_DT": schemas.ymd(end),
    }


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
        for row in schemas.rows(page, "output1"):
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
        for row in schemas.rows(page, "output1"):
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
        if not offered(kis, name):
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
    for domestic in (True, False):
        if code and _is_domestic_code(code) is not domestic:
            continue
        now = today(kis, domestic=domestic)
        last = end if end is not None else max(start or now, now)
        read = await read_ledger(kis, domestic=domestic, start=start or last, end=last, **filters)
        orders += (entry.order for entry in read)
    return _select(orders, **filters)


async def fetch_pending(kis: KisClient) -> list[Order]:
    """Open orders (something left to fill) of KRX and the US, newest first."""
    entries = [*await read_open(kis, domestic=True), *await read_open(kis, domestic=False)]
    return _select((e.order for e in entries), symbol="", side=None, open_only=True)


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
        **account_params(kis),
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
        **account_params(kis),
        "PDNO": instrument.symbol,
        "ORD_UNPR": _plain(price) if price is not None else "0",
        "ORD_DVSN": "00" if order_type.priced else "01",
        "CMA_EVLU_AMT_ICLD_YN": "N",
        "OVRS_ICLD_YN": "N",
    }
    out = (await kis.call("buying_power", params)).body.get("output") or {}
    counted = schemas.positive(schemas.dec(out, "psbl_qty_calc_unpr"))
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
        rows = schemas.rows(await _present_balance(kis), "output1")
        return _sellable_in(rows, symbol, US_POSITION)
    if not offered(kis, "sellable"):  # virtual: inquire-balance's ord_psbl_qty (§4.2.7)
        holdings, _ = await _domestic_balance(kis)
        return _sellable_in(holdings, symbol, DOMESTIC_POSITION)
    body = (await kis.call("sellable", {**account_params(kis), "PDNO": symbol})).body
    return schemas.int0(body.get("output") or {}, "ord_psbl_qty")
