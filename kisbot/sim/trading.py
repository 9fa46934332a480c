"""Account and order endpoints (domestic and overseas): balances, orders, modify, cancel.

Field names, TR IDs and paging follow ../shared/kis-reference.md §4.2, §4.4 and §8. Where the
reference is silent the simulator decides, and says so here:

- Messages: virtual modify/cancel answer `40610000`/`40620000` (the simulator's own codes, in
  the family of the seen virtual buy/sell codes); real orders answer `APBK0013`.
- Cash: `dnca_tot_amt` is the start-of-day deposit; `nxdy_excc_amt` and `prvs_rcdl_excc_amt`
  are the account once today's trades settle; `ord_psbl_cash` is that minus cash held for
  open buy orders. The simulator has no margin (미수), so `max_buy_*` equals `nrcvb_buy_*`.
- Buying power for a market-type ORD_DVSN is computed at the upper limit, the price the
  exchange reserves for such an order, so the quantity answered can be ordered.
- Period profit rows are per day (`inquire-period-profit`) or per day and stock
  (`inquire-period-trade-profit`, overseas `inquire-period-profit`); realized P&L is the sale
  minus the average cost of the shares sold minus the sale's fee and tax.
- The old (≤3 months) and long-range daily-execution TRs read the same order ledger.
- US prices must sit on the tick (one cent from $1): KIS refuses sub-penny prices there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Final, Literal

from kisbot.domain.time import KST, NEW_YORK
from kisbot.sim.errors import Rejects
from kisbot.sim.exchange import (
    DOMESTIC_ORD_DVSN,
    DOMESTIC_ORD_DVSN_NAMES,
    Account,
    DayTotals,
    Exchange,
    Holding,
    OrderStatus,
    PriceState,
    Pricing,
    Side,
    SimOrder,
)
from kisbot.sim.history import tick_of, trading_days_back
from kisbot.sim.rest import Call, Endpoint, Reply, Tr, fmt_money, page
from kisbot.sim.universe import Instrument, Venue, find_instrument

__all__ = ["ENDPOINTS"]

DOMESTIC: Final = "/uapi/domestic-stock/v1/trading"
OVERSEAS: Final = "/uapi/overseas-stock/v1/trading"

DOMESTIC_BUY_TRS: Final = frozenset({"TTTC0012U", "VTTC0012U", "TTTC0802U", "VTTC0802U"})
US_BUY_TRS: Final = frozenset({"TTTT1002U", "VTTT1002U"})

Verb = Literal["buy", "sell", "modify", "cancel"]
VIRTUAL_ORDER_MESSAGES: Final[dict[Verb, tuple[str, str]]] = {
    "buy": ("40600000", "모의투자 매수주문이 완료 되었습니다."),
    "sell": ("40590000", "모의투자 매도주문이 완료 되었습니다."),
    "modify": ("40610000", "모의투자 정정주문이 완료 되었습니다."),  # sim's own code
    "cancel": ("40620000", "모의투자 취소주문이 완료 되었습니다."),  # sim's own code
}
REAL_ORDER_MESSAGE: Final = ("APBK0013", "주문 전송 완료 되었습니다.")

US_VENUES: Final = frozenset({Venue.NASDAQ, Venue.NYSE, Venue.AMEX})
ASIA_EXCHANGES: Final = frozenset({"SEHK", "SHAA", "SZAA", "TKSE", "HASE", "VNSE"})
US_MARKET_NAMES: Final = {Venue.NASDAQ: "나스닥", Venue.NYSE: "뉴욕거래소", Venue.AMEX: "아멕스"}
US_MARKET_CODES: Final = {"01": Venue.NASDAQ, "02": Venue.NYSE, "05": Venue.AMEX}
KRX_VENUE_NAMES: Final = {"KRX": "한국거래소", "NXT": "넥스트레이드", "SOR": "SOR"}
SUBSTITUTE_RATE: Final = Decimal("0.70")  # 대용가: the simulator's own flat haircut

_INT = re.compile(r"[+-]?\d+", re.ASCII)
_UNSIGNED = re.compile(r"\d+", re.ASCII)
_DECIMAL = re.compile(r"\d+(?:\.\d+)?", re.ASCII)

Row = dict[str, str]


# ---------------------------------------------------------------------------------- formatting


def _fixed(value: Decimal | int, places: int) -> str:
    return fmt_money(value, places)


def _won(value: Decimal | int) -> str:
    return _fixed(value, 0)


def _pct(part: Decimal | int, whole: Decimal | int, places: int = 2) -> str:
    """`part / whole` in percent, or zero when there is no base."""
    if not whole:
        return _fixed(0, places)
    return _fixed(Decimal(part) / Decimal(whole) * 100, places)


def _zeros(*names: str) -> Row:
    return dict.fromkeys(names, "0")


def _blanks(*names: str) -> Row:
    return dict.fromkeys(names, "")


def _ymd(when: date) -> str:
    return when.strftime("%Y%m%d")


def _hms(when: datetime) -> str:
    return when.astimezone(KST).strftime("%H%M%S")


def _floor(value: Decimal, unit: Decimal) -> Decimal:
    return value.quantize(unit, rounding=ROUND_DOWN)


# ----------------------------------------------------------------------------- request fields


def _int_field(call: Call, name: str) -> int:
    raw = call.need(name)
    if not _INT.fullmatch(raw):
        raise Rejects.bad_field(name)
    return int(raw)


def _order_qty(call: Call, *, zero_ok: bool = False) -> int:
    """ORD_QTY: an integer string; negative (or zero for a new order) is a bad quantity."""
    qty = _int_field(call, "ORD_QTY")
    if qty < 0 or (qty == 0 and not zero_ok):
        raise Rejects.BAD_QTY
    return qty


def _krw_price(call: Call, name: str = "ORD_UNPR") -> Decimal:
    """A won price: digits only; blank means 0 (market-type orders)."""
    raw = call.get(name).strip()
    if not raw:
        return Decimal(0)
    if not _UNSIGNED.fullmatch(raw):
        raise Rejects.bad_field(name)
    return Decimal(raw)


def _usd_price(call: Call, name: str) -> Decimal:
    raw = call.need(name)
    if not _DECIMAL.fullmatch(raw):
        raise Rejects.bad_field(name)
    return Decimal(raw)


def _choice(call: Call, name: str, allowed: Collection[str], default: str | None = None) -> str:
    """A coded field: one of `allowed`; blank means `default`, or is missing when required."""
    value = call.get(name).strip().upper()
    if not value:
        if default is None:
            raise Rejects.missing_field(name)
        value = default
    if value not in allowed:
        raise Rejects.bad_field(name)
    return value


def _side_filter(call: Call, name: str, *, every: str = "00") -> Side | None:
    code = _choice(call, name, (every, Side.SELL.value, Side.BUY.value), every)
    return None if code == every else Side(code)


def _date_field(call: Call, name: str) -> date:
    raw = call.need(name)
    if not (len(raw) == 8 and _UNSIGNED.fullmatch(raw)):
        raise Rejects.bad_field(name)
    try:
        return datetime.strptime(raw, "%Y%m%d").date()
    except ValueError:
        raise Rejects.bad_field(name) from None


def _date_range(call: Call, start: str, end: str) -> tuple[date, date]:
    return _date_field(call, start), _date_field(call, end)


def _domestic_instrument(symbol: str) -> Instrument:
    inst = find_instrument(symbol)
    if inst is None or not inst.domestic:
        raise Rejects.NO_SYMBOL
    return inst


def _us_instrument(symbol: str, exchange_code: str) -> Instrument:
    """The US instrument `symbol`, which must trade on `exchange_code` (NASD/NYSE/AMEX)."""
    inst = find_instrument(symbol)
    if inst is None or inst.domestic or inst.venue.value != exchange_code.strip().upper():
        raise Rejects.NO_SYMBOL
    return inst


def _us_venues(
    call: Call, name: str, *, nasd_all: bool, blank_all: bool = False
) -> frozenset[Venue]:
    """The US venues an OVRS_EXCG_CD selects: NASD is all of the US where KIS says so."""
    code = call.get(name).strip().upper()
    if blank_all and code in ("", "%"):
        return US_VENUES
    if code == "NASD":
        return US_VENUES if nasd_all else frozenset({Venue.NASDAQ})
    if code == "NAS":
        return frozenset({Venue.NASDAQ})
    if code in ("NYSE", "AMEX"):
        return frozenset({Venue(code)})
    if code in ASIA_EXCHANGES:
        return frozenset()  # no Asian instruments in the universe
    if not code:
        raise Rejects.missing_field(name)
    raise Rejects.bad_field(name)


def _own_order(call: Call, acct: Account, odno: str, *, domestic: bool) -> SimOrder:
    order = call.exchange.order(call.env, odno) if _UNSIGNED.fullmatch(odno) else None
    if order is None or order.account_key != acct.key or order.inst.domestic != domestic:
        raise Rejects.NO_ORDER
    return order


def _paged(
    rows: Sequence[Row], call: Call, size: int, width: int = 100
) -> tuple[list[Row], dict[str, str], str]:
    """This call's page of `rows`, the ctx fields (100 domestic, 200 overseas) and tr_cont."""
    chunk, ctx, tr_cont = page(
        rows, call, size=size, fk=f"CTX_AREA_FK{width}", nk=f"CTX_AREA_NK{width}", width=width
    )
    return list(chunk), ctx, tr_cont


# ---------------------------------------------------------------------------------- positions


@dataclass(frozen=True, slots=True)
class _Position:
    """A holding with its price: what every balance view evaluates."""

    inst: Instrument
    holding: Holding
    state: PriceState
    sellable: int

    @property
    def qty(self) -> int:
        return self.holding.qty

    @property
    def cost(self) -> Decimal:
        if self.inst.domestic:
            return self.holding.cost.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return self.holding.cost

    @property
    def value(self) -> Decimal:
        return self.state.last * self.holding.qty

    @property
    def pnl(self) -> Decimal:
        return self.value - self.cost


def _positions(
    ex: Exchange, acct: Account, *, domestic: bool, venues: Collection[Venue] | None = None
) -> list[_Position]:
    """Holdings by code; a line sold out today stays (with quantity 0) like KIS shows it."""
    found: list[_Position] = []
    for symbol, holding in sorted(acct.holdings.items()):
        inst = find_instrument(symbol)
        if inst is None or inst.domestic != domestic:
            continue
        if venues is not None and inst.venue not in venues:
            continue
        if not (holding.qty or holding.today_buy or holding.today_sell):
            continue
        sellable = max(0, ex.sellable(acct, symbol))
        found.append(_Position(inst, holding, ex.state(symbol), sellable))
    return found


def _total(values: Iterable[Decimal]) -> Decimal:
    return sum(values, Decimal(0))


def _per_share(amount: Decimal, qty: int) -> Decimal:
    return amount / qty if qty else Decimal(0)


def _summed(items: Iterable[DayTotals]) -> DayTotals:
    total = DayTotals()
    for item in items:
        for f in fields(DayTotals):
            setattr(total, f.name, getattr(total, f.name) + getattr(item, f.name))
    return total


def _max_qty(ex: Exchange, inst: Instrument, price: Decimal, available: Decimal) -> int:
    """The most shares a buy at `price` can reserve (amount plus commission) from `available`."""
    if price <= 0 or available <= 0:
        return 0
    rate = ex.settings.commission_krx if inst.domestic else ex.settings.commission_us
    qty = int(_floor(available / (price * (1 + rate)), Decimal(1)))
    while ex.buy_reservation(inst, price, qty + 1) <= available:
        qty += 1
    while qty > 0 and ex.buy_reservation(inst, price, qty) > available:
        qty -= 1
    return qty


def _order_reply(call: Call, order: SimOrder, verb: Verb) -> Reply:
    msg_cd, msg1 = VIRTUAL_ORDER_MESSAGES[verb] if call.virtual else REAL_ORDER_MESSAGE
    output = {
        "KRX_FWDG_ORD_ORGNO": order.branch,
        "ODNO": order.odno,
        "ORD_TMD": _hms(order.created),
    }
    return Reply({"output": output}, msg_cd=msg_cd, msg1=msg1)


def _revise(
    call: Call,
    acct: Account,
    original: SimOrder,
    *,
    cancel: bool,
    qty: int | None,
    ord_dvsn: str,
    price: Decimal,
) -> Reply:
    """Modify or cancel `original` (its remainder when `qty` is None): a new order number."""
    ex = call.exchange
    if cancel:
        record = ex.cancel_order(acct, original.odno, qty=qty, appkey=call.appkey)
        return _order_reply(call, record, "cancel")
    order = ex.modify_order(
        acct, original.odno, ord_dvsn=ord_dvsn, qty=qty, price=price, appkey=call.appkey
    )
    return _order_reply(call, order, "modify")


# ========================================================================== domestic: balance

BALANCE_ONLY_FIELDS: Final = ("item_mgna_rt_name", "grta_rt_name", "sbst_pric")


def _previous_day_qty(ex: Exchange, acct: Account) -> dict[tuple[str, Side], int]:
    """Shares bought and sold on the previous KRX trading day, per (code, side)."""
    before = trading_days_back(True, acct.business_day, 1)[0]
    counts: dict[tuple[str, Side], int] = {}
    for order in ex.account_orders(acct):
        for fill in order.fills:
            if fill.time.astimezone(KST).date() == before:
                key = (order.inst.symbol, order.side)
                counts[key] = counts.get(key, 0) + fill.qty
    return counts


def _balance_row(pos: _Position, previous: Mapping[tuple[str, Side], int]) -> Row:
    inst, holding, state = pos.inst, pos.holding, pos.state
    substitute = _floor(state.prev_close * SUBSTITUTE_RATE, Decimal(1))
    return {
        "pdno": inst.symbol,
        "prdt_name": inst.name_kr,
        "trad_dvsn_name": "현금",
        "bfdy_buy_qty": str(previous.get((inst.symbol, Side.BUY), 0)),
        "bfdy_sll_qty": str(previous.get((inst.symbol, Side.SELL), 0)),
        "thdt_buyqty": str(holding.today_buy),
        "thdt_sll_qty": str(holding.today_sell),
        "hldg_qty": str(holding.qty),
        "ord_psbl_qty": str(pos.sellable),
        "pchs_avg_pric": _fixed(holding.avg_price, 4),
        "pchs_amt": _won(pos.cost),
        "prpr": _won(state.last),
        "evlu_amt": _won(pos.value),
        "evlu_pfls_amt": _won(pos.pnl),
        "evlu_pfls_rt": _pct(pos.pnl, pos.cost),
        "evlu_erng_rt": _pct(pos.pnl, pos.cost, 8),
        "loan_dt": "",
        "loan_amt": "0",
        "stln_slng_chgs": "0",
        "expd_dt": "",
        "fltt_rt": _pct(state.change, state.prev_close, 8),
        "bfdy_cprs_icdc": _won(state.change),
        "item_mgna_rt_name": "20%",
        "grta_rt_name": "",
        "sbst_pric": _won(substitute),
        "stck_loan_unpr": "0",
    }


def _balance_summary(ex: Exchange, acct: Account, positions: Sequence[_Position]) -> Row:
    purchase = _total(p.cost for p in positions)
    value = _total(p.value for p in positions)
    settled = acct.krw_settled
    total = value + settled
    yesterday = acct.krw_deposit + _total(
        ex.state(symbol).prev_close * h.prev_qty
        for symbol, h in acct.holdings.items()
        if h.prev_qty and ex.state(symbol).inst.domestic
    )
    return {
        "dnca_tot_amt": _won(acct.krw_deposit),
        "nxdy_excc_amt": _won(settled),
        "prvs_rcdl_excc_amt": _won(settled),
        "cma_evlu_amt": "0",
        "bfdy_buy_amt": _won(acct.krw_prev_buy),
        "thdt_buy_amt": _won(acct.krw_today_buy),
        "nxdy_auto_rdpt_amt": "0",
        "bfdy_sll_amt": _won(acct.krw_prev_sell),
        "thdt_sll_amt": _won(acct.krw_today_sell),
        "d2_auto_rdpt_amt": "0",
        "bfdy_tlex_amt": _won(acct.krw_prev_fees),
        "thdt_tlex_amt": _won(acct.krw_today_fees),
        "tot_loan_amt": "0",
        "scts_evlu_amt": _won(value),
        "tot_evlu_amt": _won(total),
        "nass_amt": _won(total),
        "fncg_gld_auto_rdpt_yn": "N",
        "pchs_amt_smtl_amt": _won(purchase),
        "evlu_amt_smtl_amt": _won(value),
        "evlu_pfls_smtl_amt": _won(value - purchase),
        "tot_stln_slng_chgs": "0",
        "bfdy_tot_asst_evlu_amt": _won(yesterday),
        "asst_icdc_amt": _won(total - yesterday),
        "asst_icdc_erng_rt": _pct(total - yesterday, yesterday, 8),
    }


def _realized_fields(acct: Account, positions: Sequence[_Position], *, with_costs: bool) -> Row:
    """inquire-balance-rlz-pl extras: today's realized P&L (net of the sale's fee and tax
    when COST_ICLD_YN=Y) and the open positions' P&L."""
    today = acct.days.get((acct.business_day, "KRW"), DayTotals())
    realized = today.realized if with_costs else today.sell_amt - today.sold_cost
    purchase = _total(p.cost for p in positions)
    unrealized = _total(p.pnl for p in positions)
    return {
        "rlzt_pfls": _won(realized),
        "rlzt_erng_rt": _pct(realized, today.sold_cost, 8),
        "real_evlu_pfls": _won(unrealized),
        "real_evlu_pfls_erng_rt": _pct(unrealized, purchase, 8),
    }


def _balance(call: Call, *, realized: bool) -> Reply:
    ex, acct = call.exchange, call.account()
    positions = _positions(ex, acct, domestic=True)
    previous = _previous_day_qty(ex, acct)
    rows = [_balance_row(p, previous) for p in positions]
    if realized:
        rows = [{k: v for k, v in row.items() if k not in BALANCE_ONLY_FIELDS} for row in rows]
    chunk, ctx, tr_cont = _paged(rows, call, 20 if call.virtual else 50)
    summary = _balance_summary(ex, acct, positions)
    if realized:
        with_costs = call.get("COST_ICLD_YN").strip().upper() == "Y"
        summary |= _realized_fields(acct, positions, with_costs=with_costs)
    return Reply({**ctx, "output1": chunk, "output2": [summary]}, tr_cont)


def inquire_balance(call: Call) -> Reply:
    return _balance(call, realized=False)


def inquire_balance_rlz_pl(call: Call) -> Reply:
    return _balance(call, realized=True)


def inquire_account_balance(call: Call) -> Reply:
    """투자계좌자산현황: the 20 asset-class rows KIS prints, then the totals."""
    ex, acct = call.exchange, call.account()
    rate = ex.settings.usd_krw
    home = _positions(ex, acct, domestic=True)
    abroad = _positions(ex, acct, domestic=False)
    stock = (_total(p.cost for p in home), _total(p.value for p in home))
    us = (
        _total(p.cost * rate for p in abroad),
        _total(p.value * rate for p in abroad),
    )
    fx_cash = acct.usd_cash * rate
    deposit = acct.krw_settled
    classes: dict[int, tuple[Decimal, Decimal]] = {
        1: stock,  # 주식
        9: us,  # 해외주식
        17: (fx_cash, fx_cash),  # 외화
        18: (deposit, deposit),  # 예수금
    }
    total_cost = _total(c for c, _ in classes.values())
    total_value = _total(v for _, v in classes.values())
    classes[20] = (total_cost, total_value)  # 합계

    def asset_row(index: int) -> Row:
        cost, value = classes.get(index, (Decimal(0), Decimal(0)))
        return {
            "pchs_amt": _won(cost),
            "evlu_amt": _won(value),
            "evlu_pfls_amt": _won(value - cost),
            "crdt_lnd_amt": "0",
            "real_nass_amt": _won(value),
            "whol_weit_rt": _pct(value, total_value, 8),
        }

    securities_cost, securities_value = stock[0] + us[0], stock[1] + us[1]
    cash = deposit + fx_cash
    totals = {
        "pchs_amt_smtl": _won(securities_cost),
        "nass_tot_amt": _won(securities_value + cash),
        "loan_amt_smtl": "0",
        "evlu_pfls_amt_smtl": _won(securities_value - securities_cost),
        "evlu_amt_smtl": _won(securities_value),
        "tot_asst_amt": _won(securities_value + cash),
        "frcr_evlu_tota": _won(fx_cash),
        "tot_dncl_amt": _won(cash),
        "dncl_amt": _won(deposit),
        "ovrs_stck_evlu_amt1": _won(us[1]),
        **_zeros(
            "tot_lnda_tot_ulst_lnda",
            "cma_auto_loan_amt",
            "tot_mgln_amt",
            "stln_evlu_amt",
            "crdt_fncg_amt",
            "ocl_apl_loan_amt",
            "pldg_stup_amt",
            "cma_evlu_amt",
            "tot_sbst_amt",
            "thdt_rcvb_amt",
            "ovrs_bond_evlu_amt",
            "mmf_cma_mgge_loan_amt",
            "sbsc_dncl_amt",
            "pbst_sbsc_fnds_loan_use_amt",
            "etpr_crdt_grnt_loan_amt",
        ),
    }
    return Reply({"output1": [asset_row(i) for i in range(1, 21)], "output2": totals})


# ===================================================================== domestic: period profit


def _period_days(call: Call) -> tuple[date, date, bool]:
    """INQR_STRT_DT, INQR_END_DT and whether the newest day comes first (SORT_DVSN)."""
    start, end = _date_range(call, "INQR_STRT_DT", "INQR_END_DT")
    newest_first = _choice(call, "SORT_DVSN", ("00", "01", "02"), "00") != "01"
    return start, end, newest_first


def _day_items(
    book: Mapping[tuple[date, str], DayTotals],
    start: date,
    end: date,
    keep: Callable[[str], bool],
    newest_first: bool,
) -> list[tuple[date, str, DayTotals]]:
    items = [(d, key, t) for (d, key), t in book.items() if start <= d <= end and keep(key)]
    items.sort(key=lambda item: (item[0], item[1]), reverse=newest_first)
    return items


def _is_domestic(symbol: str) -> bool:
    inst = find_instrument(symbol)
    return inst is not None and inst.domestic


def _domestic_period_sums(total: DayTotals) -> Row:
    sell_settled = total.sell_amt - total.sell_fee - total.tax
    buy_settled = total.buy_amt + total.buy_fee
    return {
        "sll_qty_smtl": str(total.sell_qty),
        "sll_tr_amt_smtl": _won(total.sell_amt),
        "sll_fee_smtl": _won(total.sell_fee),
        "sll_tltx_smtl": _won(total.tax),
        "sll_excc_amt_smtl": _won(sell_settled),
        "buy_qty_smtl": str(total.buy_qty),
        "buy_tr_amt_smtl": _won(total.buy_amt),
        "buy_fee_smtl": _won(total.buy_fee),
        "buy_tax_smtl": "0",
        "buy_excc_amt_smtl": _won(buy_settled),
        "tot_qty": str(total.sell_qty + total.buy_qty),
        "tot_tr_amt": _won(total.sell_amt + total.buy_amt),
        "tot_fee": _won(total.fee),
        "tot_tltx": _won(total.tax),
        "tot_excc_amt": _won(sell_settled + buy_settled),
        "tot_rlzt_pfls": _won(total.realized),
        "loan_int": "0",
    }


def inquire_period_profit(call: Call) -> Reply:
    """기간별손익일별합산: one row per day (all stocks, or the PDNO given)."""
    acct = call.account()
    start, end, newest_first = _period_days(call)
    symbol = call.get("PDNO").strip()
    if symbol:
        _domestic_instrument(symbol)
        items = _day_items(acct.symbol_days, start, end, lambda key: key == symbol, newest_first)
    else:
        items = _day_items(acct.days, start, end, lambda key: key == "KRW", newest_first)
    rows = [
        {
            "trad_dt": _ymd(day),
            "buy_amt": _won(t.buy_amt),
            "sll_amt": _won(t.sell_amt),
            "rlzt_pfls": _won(t.realized),
            "fee": _won(t.fee),
            "loan_int": "0",
            "tl_tax": _won(t.tax),
            "pfls_rt": _pct(t.realized, t.sold_cost, 8),
            "sll_qty1": str(t.sell_qty),
            "buy_qty1": str(t.buy_qty),
        }
        for day, _, t in items
    ]
    chunk, ctx, tr_cont = _paged(rows, call, 100)
    sums = _domestic_period_sums(_summed(t for _, _, t in items))
    return Reply({**ctx, "output1": chunk, "output2": sums}, tr_cont)


def inquire_period_trade_profit(call: Call) -> Reply:
    """기간별매매손익현황: one row per day and stock."""
    ex, acct = call.exchange, call.account()
    start, end, newest_first = _period_days(call)
    wanted = call.get("PDNO").strip()

    def keep(symbol: str) -> bool:
        return _is_domestic(symbol) and (not wanted or symbol == wanted)

    items = _day_items(acct.symbol_days, start, end, keep, newest_first)
    rows: list[Row] = []
    for day, symbol, t in items:
        inst = ex.state(symbol).inst
        rows.append(
            {
                "trad_dt": _ymd(day),
                "pdno": symbol,
                "prdt_name": inst.name_kr,
                "trad_dvsn_name": "현금",
                "loan_dt": "",
                "hldg_qty": str(acct.holdings.get(symbol, Holding()).qty),
                "pchs_unpr": _fixed(_per_share(t.sold_cost, t.sell_qty), 4),
                "buy_qty": str(t.buy_qty),
                "buy_amt": _won(t.buy_amt),
                "sll_pric": _fixed(_per_share(t.sell_amt, t.sell_qty), 4),
                "sll_qty": str(t.sell_qty),
                "sll_amt": _won(t.sell_amt),
                "rlzt_pfls": _won(t.realized),
                "pfls_rt": _pct(t.realized, t.sold_cost, 8),
                "fee": _won(t.fee),
                "tl_tax": _won(t.tax),
                "loan_int": "0",
            }
        )
    chunk, ctx, tr_cont = _paged(rows, call, 100)
    total = _summed(t for _, _, t in items)
    sums = _domestic_period_sums(total)
    sums["buyqty_smtl"] = sums.pop("buy_qty_smtl")  # this TR spells it so
    sums["tot_pftrt"] = _pct(total.realized, total.sold_cost, 8)
    return Reply({**ctx, "output1": chunk, "output2": sums}, tr_cont)


# ======================================================================== domestic: the ledger


def _excg_dvsn(inst: Instrument) -> str:
    """거래소구분코드: 02 for KOSPI listings, 03 for KOSDAQ (the simulator's mapping)."""
    return "03" if inst.venue is Venue.KOSDAQ else "02"


def _kind_name(order: SimOrder) -> str:
    """KIS-style order class names: 현금매수, 매도정정*, 매수취소*, 매수거부."""
    side = "매수" if order.side is Side.BUY else "매도"
    if order.kind == "modify":
        return f"{side}정정*"
    if order.kind == "cancel":
        return f"{side}취소*"
    if order.status is OrderStatus.REJECTED:
        return f"{side}거부"
    return f"현금{side}"


def _domestic_order_core(order: SimOrder) -> Row:
    """The fields the execution ledger and the cancellable-order list share."""
    return {
        "ord_gno_brno": order.branch,
        "odno": order.odno,
        "orgn_odno": order.original_odno,
        "ord_dvsn_name": DOMESTIC_ORD_DVSN_NAMES.get(order.ord_dvsn, ""),
        "pdno": order.inst.symbol,
        "prdt_name": order.inst.name_kr,
        "ord_qty": str(order.qty),
        "ord_unpr": _won(order.price),
        "ord_tmd": _hms(order.created),
        "tot_ccld_qty": str(order.filled_qty),
        "tot_ccld_amt": _won(order.filled_amount),
        "sll_buy_dvsn_cd": order.side.value,
        "ord_dvsn_cd": order.ord_dvsn,
        "excg_dvsn_cd": _excg_dvsn(order.inst),
        "excg_id_dvsn_cd": order.exchange_code,
        "stpm_cndt_pric": "0",
    }


def _ccld_row(order: SimOrder) -> Row:
    cancelled = order.qty if order.kind == "cancel" else order.cancelled_qty
    tif = order.tif.split("-")[0]
    return {
        "ord_dt": _ymd(order.order_date),
        **_domestic_order_core(order),
        "sll_buy_dvsn_cd_name": _kind_name(order),
        "avg_prvs": _won(order.avg_price),
        "cncl_yn": "Y" if order.kind == "cancel" else "N",
        "loan_dt": "",
        "ordr_empno": "OpenAPI",
        "cnc_cfrm_qty": str(cancelled),
        "cncl_cfrm_qty": str(cancelled),  # the name a captured reply uses for the same field
        "rmn_qty": str(order.remaining),
        "rjct_qty": str(order.rejected_qty),
        "ccld_cndt_name": tif if tif in ("IOC", "FOK") else "없음",
        "prdt_type_cd": order.inst.venue.product_type,
        "ord_orgno": order.branch,
        "stpm_efct_occr_dtmd": "",
        **_blanks(
            "inqr_ip_addr",
            "cpbc_ordp_ord_rcit_dvsn_cd",
            "cpbc_ordp_infm_mthd_dvsn_cd",
            "infm_tmd",
            "ctac_tlno",
            "cpbc_ordp_mtrl_dvsn_cd",
            "rsvn_ord_end_dt",
        ),
    }


def _ccld_filter(call: Call) -> Callable[[SimOrder], bool]:
    start, end = _date_range(call, "INQR_STRT_DT", "INQR_END_DT")
    side = _side_filter(call, "SLL_BUY_DVSN_CD")
    ccld = _choice(call, "CCLD_DVSN", ("00", "01", "02"), "00")
    venue = _choice(call, "EXCG_ID_DVSN_CD", ("KRX", "NXT", "SOR", "ALL"), "ALL")
    symbol = call.get("PDNO").strip()
    odno = call.get("ODNO").strip()
    branch = call.get("ORD_GNO_BRNO").strip()

    def keep(order: SimOrder) -> bool:
        return (
            order.inst.domestic
            and start <= order.order_date <= end
            and (side is None or order.side is side)
            and (ccld != "01" or order.filled_qty > 0)
            and (ccld != "02" or order.remaining > 0)
            and venue in ("ALL", order.exchange_code)
            and symbol in ("", order.inst.symbol)
            and (not odno or odno.zfill(10) == order.odno)
            and branch in ("", order.branch)
        )

    return keep


def inquire_daily_ccld(call: Call) -> Reply:
    """주식일별주문체결: the order ledger, modify/cancel records linked by orgn_odno."""
    ex, acct = call.exchange, call.account()
    keep = _ccld_filter(call)
    forward = _choice(call, "INQR_DVSN", ("00", "01"), "00") == "01"
    orders = [o for o in ex.account_orders(acct) if keep(o)]
    if not forward:
        orders.reverse()
    chunk, ctx, tr_cont = _paged([_ccld_row(o) for o in orders], call, 15 if call.virtual else 100)
    placed = [o for o in orders if o.kind != "cancel"]
    filled_qty = sum(o.filled_qty for o in placed)
    filled_amt = _total(o.filled_amount for o in placed)
    costs = _total(f.fee + f.tax for o in placed for f in o.fills)
    totals = {
        "tot_ord_qty": str(sum(o.qty for o in placed)),
        "tot_ccld_qty": str(filled_qty),
        "tot_ccld_amt": _won(filled_amt),
        "pchs_avg_pric": _fixed(_per_share(filled_amt, filled_qty), 4),
        "prsm_tlex_smtl": _won(costs),
    }
    return Reply({**ctx, "output1": chunk, "output2": totals}, tr_cont)


def inquire_psbl_rvsecncl(call: Call) -> Reply:
    """정정취소가능주문: open orders with what can still be modified or cancelled."""
    ex, acct = call.exchange, call.account()
    by_symbol = _choice(call, "INQR_DVSN_1", ("0", "1", "2"), "0") != "0"
    side = _side_filter(call, "INQR_DVSN_2", every="0")
    orders = [
        o
        for o in ex.account_orders(acct)
        if o.inst.domestic and o.remaining > 0 and (side is None or o.side is side)
    ]
    if by_symbol:
        orders.sort(key=lambda o: (o.inst.symbol, o.odno))
    rows = [
        {
            **_domestic_order_core(o),
            "rvse_cncl_dvsn_name": _kind_name(o) if o.kind != "new" else "",
            "psbl_qty": str(o.remaining),
            "mgco_aptm_odno": "",
            "excg_id_dvsn_name": KRX_VENUE_NAMES.get(o.exchange_code, o.exchange_code),
            "stpm_efct_occr_yn": "N",
        }
        for o in orders
    ]
    chunk, ctx, tr_cont = _paged(rows, call, 50)
    return Reply({**ctx, "output": chunk}, tr_cont)


# =================================================================== domestic: buying, selling


def _psbl_price(ex: Exchange, inst: Instrument, ord_dvsn: str, price: Decimal) -> Decimal:
    """The unit price buying power is counted at: the upper limit for market-type orders
    (what the exchange reserves), else ORD_UNPR, else the current price."""
    state = ex.state(inst.symbol)
    spec = DOMESTIC_ORD_DVSN.get(ord_dvsn)
    if spec is not None and spec[0] is Pricing.MARKET:
        return state.upper
    return price if price > 0 else state.last


def inquire_psbl_order(call: Call) -> Reply:
    """매수가능조회: cash an order can use and the quantity it buys at a price."""
    ex, acct = call.exchange, call.account()
    ord_dvsn = call.need("ORD_DVSN")
    asked = _krw_price(call)
    symbol = call.get("PDNO").strip()
    available = max(ex.krw_available(acct), Decimal(0))
    usable = _floor(available / (1 + ex.settings.commission_krx), Decimal(1))
    price, qty = asked, 0
    if symbol:
        inst = _domestic_instrument(symbol)
        price = _psbl_price(ex, inst, ord_dvsn, asked)
        qty = _max_qty(ex, inst, price, available)
    foreign = Decimal(0)
    if call.get("OVRS_ICLD_YN").strip().upper() == "Y":
        foreign = max(ex.usd_available(acct), Decimal(0)) * ex.settings.usd_krw
    output = {
        "ord_psbl_cash": _won(available),
        "ord_psbl_sbst": "0",
        "ruse_psbl_amt": "0",
        "fund_rpch_chgs": "0",
        "psbl_qty_calc_unpr": _won(price),
        "nrcvb_buy_amt": _won(usable),
        "nrcvb_buy_qty": str(qty),
        "max_buy_amt": _won(usable),
        "max_buy_qty": str(qty),
        "cma_evlu_amt": "0",
        "ovrs_re_use_amt_wcrc": "0",
        "ord_psbl_frcr_amt_wcrc": _won(_floor(foreign, Decimal(1))),
    }
    return Reply({"output": output})


def inquire_psbl_sell(call: Call) -> Reply:
    """매도가능수량: one stock's holding and what of it can be sold."""
    ex, acct = call.exchange, call.account()
    inst = _domestic_instrument(call.need("PDNO"))
    holding = acct.holdings.get(inst.symbol, Holding())
    pos = _Position(inst, holding, ex.state(inst.symbol), max(0, ex.sellable(acct, inst.symbol)))
    output = {
        "pdno": inst.symbol,
        "prdt_name": inst.name_kr,
        "buy_qty": str(holding.today_buy),
        "sll_qty": str(holding.today_sell),
        "cblc_qty": str(holding.qty),
        "nsvg_qty": "0",
        "ord_psbl_qty": str(pos.sellable),
        "pchs_avg_pric": _fixed(holding.avg_price, 4),
        "pchs_amt": _won(pos.cost),
        "now_pric": _won(pos.state.last),
        "evlu_amt": _won(pos.value),
        "evlu_pfls_amt": _won(pos.pnl),
        "evlu_pfls_rt": _pct(pos.pnl, pos.cost),
    }
    return Reply({"output": output})


def _krx_exchange_code(call: Call) -> str:
    """EXCG_ID_DVSN_CD: KRX by default; NXT and SOR exist on the real side only."""
    code = _choice(call, "EXCG_ID_DVSN_CD", ("KRX", "NXT", "SOR"), "KRX")
    if call.virtual and code != "KRX":
        raise Rejects.bad_field("EXCG_ID_DVSN_CD")
    return code


def order_cash(call: Call) -> Reply:
    """주식주문(현금): the TR decides the side (buy 0012U/0802U, sell 0011U/0801U)."""
    side = Side.BUY if call.tr_id in DOMESTIC_BUY_TRS else Side.SELL
    ex, acct = call.exchange, call.account()
    inst = _domestic_instrument(call.need("PDNO"))
    ord_dvsn = call.need("ORD_DVSN")
    qty = _order_qty(call)
    price = _krw_price(call)
    venue = _krx_exchange_code(call)
    if side is Side.SELL:
        _choice(call, "SLL_TYPE", ("01", "02", "05"), "01")
    order = ex.place_order(
        acct, inst.symbol, side, ord_dvsn, qty, price, appkey=call.appkey, exchange_code=venue
    )
    return _order_reply(call, order, "buy" if side is Side.BUY else "sell")


def order_rvsecncl(call: Call) -> Reply:
    """주식주문(정정취소): RVSE_CNCL_DVSN_CD 01 modify / 02 cancel, all or part."""
    acct = call.account()
    original = _own_order(call, acct, call.need("ORGN_ODNO"), domestic=True)
    branch = call.get("KRX_FWDG_ORD_ORGNO").strip()
    if branch and branch.zfill(5) != original.branch:
        raise Rejects.NO_ORDER
    cancel = _choice(call, "RVSE_CNCL_DVSN_CD", ("01", "02")) == "02"
    everything = _choice(call, "QTY_ALL_ORD_YN", ("Y", "N")) == "Y"
    qty = _order_qty(call, zero_ok=everything)
    ord_dvsn = original.ord_dvsn if cancel else call.need("ORD_DVSN")
    price = Decimal(0) if cancel else _krw_price(call)
    _krx_exchange_code(call)
    return _revise(
        call,
        acct,
        original,
        cancel=cancel,
        qty=None if everything else qty,
        ord_dvsn=ord_dvsn,
        price=price,
    )


# ========================================================================= overseas: balances


def _usd(value: Decimal | int, places: int = 2) -> str:
    return _fixed(value, places)


def _today(book: Mapping[tuple[date, str], DayTotals], acct: Account, key: str) -> DayTotals:
    """Today's sums of `key` (a currency in `Account.days`, a code in `symbol_days`)."""
    return book.get((acct.business_day, key)) or DayTotals()


def overseas_balance(call: Call) -> Reply:
    """해외주식 잔고: US holdings of the exchange asked (NASD = all of the US on real)."""
    ex, acct = call.exchange, call.account()
    venues = _us_venues(call, "OVRS_EXCG_CD", nasd_all=not call.virtual)
    currency = _choice(call, "TR_CRCY_CD", ("USD", "HKD", "CNY", "JPY", "VND"))
    if currency != "USD":
        venues = frozenset()
    positions = _positions(ex, acct, domestic=False, venues=venues)
    rows = [
        {
            "cano": acct.cano,
            "acnt_prdt_cd": acct.product,
            "prdt_type_cd": p.inst.venue.product_type,
            "ovrs_pdno": p.inst.symbol,
            "ovrs_item_name": p.inst.name_kr,
            "frcr_evlu_pfls_amt": _usd(p.pnl, 6),
            "evlu_pfls_rt": _pct(p.pnl, p.cost),
            "pchs_avg_pric": _usd(p.holding.avg_price, 4),
            "ovrs_cblc_qty": str(p.qty),
            "ord_psbl_qty": str(p.sellable),
            "frcr_pchs_amt1": _usd(p.cost, 5),
            "ovrs_stck_evlu_amt": _usd(p.value, 8),
            "now_pric2": _usd(p.state.last, 6),
            "tr_crcy_cd": "USD",
            "ovrs_excg_cd": p.inst.venue.value,
            "loan_type_cd": "10",
            "loan_dt": "",
            "expd_dt": "",
        }
        for p in positions
    ]
    chunk, ctx, tr_cont = _paged(rows, call, 100, 200)
    rate = ex.settings.usd_krw
    today = _today(acct.days, acct, "USD")
    purchase = _total(p.cost for p in positions)
    unrealized = _total(p.pnl for p in positions)
    summary = {
        "frcr_pchs_amt1": _usd(purchase, 5),
        "ovrs_rlzt_pfls_amt": _usd(today.realized, 5),
        "ovrs_tot_pfls": _usd(today.realized + unrealized, 5),
        "rlzt_erng_rt": _pct(today.realized, today.sold_cost, 8),
        "tot_evlu_pfls_amt": _usd(unrealized, 8),
        "tot_pftrt": _pct(unrealized, purchase, 8),
        "frcr_buy_amt_smtl1": _usd(today.buy_amt, 6),
        "ovrs_rlzt_pfls_amt2": _usd(today.realized * rate, 5),
        "frcr_buy_amt_smtl2": _usd(today.buy_amt * rate, 6),
    }
    return Reply({**ctx, "output1": chunk, "output2": summary}, tr_cont)


def _present_venues(call: Call) -> frozenset[Venue]:
    """NATN_CD / TR_MKET_CD / INQR_DVSN_CD of the present balance, as US venues."""
    nation = call.get("NATN_CD").strip() or "000"
    market = call.get("TR_MKET_CD").strip() or "00"
    if call.get("INQR_DVSN_CD").strip() == "02":  # 미니스탁: none here
        return frozenset()
    if nation == "000" or (nation == "840" and market == "00"):
        return US_VENUES
    if nation == "840":
        venue = US_MARKET_CODES.get(market)
        return frozenset({venue}) if venue else frozenset()
    if nation in ("344", "156", "392", "704"):
        return frozenset()
    raise Rejects.bad_field("NATN_CD")


def present_balance(call: Call) -> Reply:
    """해외주식 체결기준현재잔고: per stock (in KRW with 01, USD with 02), per currency, totals
    in KRW."""
    ex, acct = call.exchange, call.account()
    in_krw = _choice(call, "WCRC_FRCR_DVSN_CD", ("01", "02")) == "01"
    rate = ex.settings.usd_krw
    unit = rate if in_krw else Decimal(1)
    positions = _positions(ex, acct, domestic=False, venues=_present_venues(call))
    stocks = []
    for p in positions:
        today = _today(acct.symbol_days, acct, p.inst.symbol)
        stocks.append(
            {
                "prdt_name": p.inst.name_kr,
                "cblc_qty13": _fixed(p.qty, 8),
                "thdt_buy_ccld_qty1": _fixed(p.holding.today_buy, 8),
                "thdt_sll_ccld_qty1": _fixed(p.holding.today_sell, 8),
                "ccld_qty_smtl1": _fixed(p.qty, 8),
                "ord_psbl_qty1": _fixed(p.sellable, 8),
                "frcr_pchs_amt": _usd(p.cost * unit, 5),
                "frcr_evlu_amt2": _usd(p.value * unit, 6),
                "evlu_pfls_amt2": _usd(p.pnl * unit, 5),
                "evlu_pfls_rt1": _pct(p.pnl, p.cost, 8),
                "pdno": p.inst.symbol,
                "bass_exrt": _fixed(rate, 8),
                "buy_crcy_cd": "USD",
                "ovrs_now_pric1": _usd(p.state.last * unit, 5),
                "avg_unpr3": _usd(p.holding.avg_price * unit, 4),
                "tr_mket_name": US_MARKET_NAMES[p.inst.venue],
                "natn_kor_name": "미국",
                "pchs_rmnd_wcrc_amt": _won(p.cost * rate),
                "thdt_buy_ccld_frcr_amt": _usd(today.buy_amt, 6),
                "thdt_sll_ccld_frcr_amt": _usd(today.sell_amt, 6),
                "unit_amt": "1",
                "std_pdno": p.inst.isin,
                "prdt_type_cd": p.inst.venue.product_type,
                "scts_dvsn_name": "현금",
                "loan_rmnd": "0",
                "loan_dt": "",
                "loan_expd_dt": "",
                "ovrs_excg_cd": p.inst.venue.value,
                "item_lnkg_excg_cd": p.inst.venue.quote_code,
            }
        )
    usd_free = max(ex.usd_available(acct), Decimal(0))
    usd_held = ex.reserved_cash(acct, False)
    currency = {
        "crcy_cd": "USD",
        "crcy_cd_name": "미국 달러",
        "frcr_buy_amt_smtl": _usd(acct.usd_today_buy),
        "frcr_sll_amt_smtl": _usd(acct.usd_today_sell),
        "frcr_dncl_amt_2": _usd(acct.usd_cash),
        "frst_bltn_exrt": _fixed(rate, 8),
        "frcr_buy_mgn_amt": _usd(usd_held),
        "frcr_etc_mgna": "0.00",
        "frcr_drwg_psbl_amt_1": _usd(usd_free),
        "frcr_evlu_amt2": _won(usd_free * rate),
        "acpl_cstd_crcy_yn": "N",
        "nxdy_frcr_drwg_psbl_amt": _usd(usd_free),
    }
    purchase = _total(p.cost * rate for p in positions)
    value = _total(p.value * rate for p in positions)
    deposits = acct.krw_settled + acct.usd_cash * rate
    totals = {
        "pchs_amt_smtl": _won(purchase),
        "evlu_amt_smtl": _won(value),
        "evlu_pfls_amt_smtl": _won(value - purchase),
        "dncl_amt": _won(acct.krw_settled),
        "cma_evlu_amt": "0",
        "tot_dncl_amt": _won(deposits),
        "etc_mgna": "0",
        "wdrw_psbl_tot_amt": _won(max(ex.krw_available(acct), Decimal(0)) + usd_free * rate),
        "frcr_evlu_tota": _won(acct.usd_cash * rate),
        "evlu_erng_rt1": _pct(value - purchase, purchase, 8),
        "pchs_amt_smtl_amt": _won(purchase),
        "evlu_amt_smtl_amt": _won(value),
        "tot_evlu_pfls_amt": _won(value - purchase),
        "tot_asst_amt": _won(value + deposits),
        "buy_mgn_amt": _won(usd_held * rate),
        "mgna_tota": _won(usd_held * rate),
        "frcr_use_psbl_amt": _usd(usd_free),
        "ustl_sll_amt_smtl": _won(acct.usd_today_sell * rate),
        "ustl_buy_amt_smtl": _won(acct.usd_today_buy * rate),
        "tot_frcr_cblc_smtl": _usd(acct.usd_cash),
        "tot_loan_amt": "0",
    }
    return Reply({"output1": stocks, "output2": [currency], "output3": totals})


def overseas_period_profit(call: Call) -> Reply:
    """해외주식 기간손익: per day and stock sold; WCRC_FRCR_DVSN_CD 01 foreign, 02 KRW."""
    ex, acct = call.exchange, call.account()
    start, end = _date_range(call, "INQR_STRT_DT", "INQR_END_DT")
    venues = _us_venues(call, "OVRS_EXCG_CD", nasd_all=True, blank_all=True)
    if _choice(call, "CRCY_CD", ("", "USD", "HKD", "CNY", "JPY", "VND"), "") not in ("", "USD"):
        venues = frozenset()
    in_krw = _choice(call, "WCRC_FRCR_DVSN_CD", ("01", "02"), "01") == "02"
    rate = ex.settings.usd_krw
    wanted = call.get("PDNO").strip().upper()

    def keep(symbol: str) -> bool:
        inst = find_instrument(symbol)
        return inst is not None and inst.venue in venues and wanted in ("", inst.symbol)

    def money(value: Decimal) -> str:
        return _won(value * rate) if in_krw else _usd(value)

    items = [
        item for item in _day_items(acct.symbol_days, start, end, keep, True) if item[2].sell_qty
    ]
    rows = [
        {
            "trad_day": _ymd(day),
            "ovrs_pdno": symbol,
            "ovrs_item_name": ex.state(symbol).inst.name_kr,
            "slcl_qty": str(t.sell_qty),
            "pchs_avg_pric": _usd(_per_share(t.sold_cost, t.sell_qty), 4),
            "frcr_pchs_amt1": _usd(t.sold_cost),
            "avg_sll_unpr": _usd(_per_share(t.sell_amt, t.sell_qty), 4),
            "frcr_sll_amt_smtl1": _usd(t.sell_amt),
            "stck_sll_tlex": _usd(t.sell_fee + t.tax),
            "ovrs_rlzt_pfls_amt": money(t.realized),
            "pftrt": _pct(t.realized, t.sold_cost, 8),
            "exrt": _fixed(rate, 8),
            "ovrs_excg_cd": ex.state(symbol).inst.venue.value,
            "frst_bltn_exrt": _fixed(rate, 8),
        }
        for day, symbol, t in items
    ]
    chunk, ctx, tr_cont = _paged(rows, call, 100, 200)
    total = _summed(t for _, _, t in items)
    summary = {
        "stck_sll_amt_smtl": money(total.sell_amt),
        "stck_buy_amt_smtl": money(total.sold_cost),
        "smtl_fee1": money(total.sell_fee + total.tax),
        "excc_dfrm_amt": money(total.sell_amt - total.sell_fee - total.tax),
        "ovrs_rlzt_pfls_tot_amt": money(total.realized),
        "tot_pftrt": _pct(total.realized, total.sold_cost, 8),
        "bass_dt": _ymd(acct.business_day),
        "exrt": _fixed(rate, 8),
    }
    return Reply({**ctx, "output1": chunk, "output2": summary}, tr_cont)


# ========================================================================== overseas: ledger


def _us_status(order: SimOrder) -> str:
    """처리상태명: 완료, 거부, 전송 (still working)."""
    if order.status is OrderStatus.REJECTED:
        return "거부"
    return "전송" if order.remaining else "완료"


def _revision_code(order: SimOrder) -> tuple[str, str]:
    return {"new": ("00", ""), "modify": ("01", "정정"), "cancel": ("02", "취소")}[order.kind]


def _us_order_core(order: SimOrder) -> Row:
    """The fields the overseas order ledger (inquire-ccnl) and open orders (nccs) share."""
    local = order.created.astimezone(NEW_YORK)
    return {
        "ord_dt": _ymd(local.date()),
        "ord_gno_brno": order.branch,
        "odno": order.odno,
        "orgn_odno": order.original_odno,
        "pdno": order.inst.symbol,
        "prdt_name": order.inst.name_kr,
        "sll_buy_dvsn_cd": order.side.value,
        "sll_buy_dvsn_cd_name": "매수" if order.side is Side.BUY else "매도",
        "rjct_rson": "",
        "rjct_rson_name": "",
        "ord_tmd": local.strftime("%H%M%S"),
        "tr_mket_name": US_MARKET_NAMES[order.inst.venue],
        "tr_crcy_cd": "USD",
        "ft_ord_qty": str(order.qty),
        "ft_ord_unpr3": _usd(order.price, 8),
        "ft_ccld_qty": str(order.filled_qty),
        "ft_ccld_unpr3": _usd(order.avg_price, 8),
        "ft_ccld_amt3": _usd(order.filled_amount, 5),
        "nccs_qty": str(order.remaining),
        "prcs_stat_name": _us_status(order),
        "ovrs_excg_cd": order.inst.venue.value,
        "loan_type_cd": "10",
        "loan_dt": "",
        "usa_amk_exts_rqst_yn": "N",
        "splt_buy_attr_name": "",
    }


def _us_orders(call: Call, acct: Account, venues: Collection[Venue]) -> list[SimOrder]:
    """The account's US orders on `venues`, oldest first, or newest first unless SORT_SQN=DS."""
    orders = [o for o in call.exchange.account_orders(acct) if o.inst.venue in venues]
    if call.get("SORT_SQN").strip().upper() not in ("", "DS"):
        orders.reverse()
    return orders


def overseas_ccnl(call: Call) -> Reply:
    """해외주식 주문체결내역: orders by local (exchange) order date."""
    acct = call.account()
    start, end = _date_range(call, "ORD_STRT_DT", "ORD_END_DT")
    venues = _us_venues(call, "OVRS_EXCG_CD", nasd_all=True, blank_all=True)
    side = _side_filter(call, "SLL_BUY_DVSN")
    state = _choice(call, "CCLD_NCCS_DVSN", ("00", "01", "02"), "00")
    symbol = call.get("PDNO").strip().upper()
    rows: list[Row] = []
    for order in _us_orders(call, acct, venues):
        local_day = order.created.astimezone(NEW_YORK).date()
        if not start <= local_day <= end or symbol not in ("", "%", order.inst.symbol):
            continue
        if side is not None and order.side is not side:
            continue
        if (state == "01" and not order.filled_qty) or (state == "02" and not order.remaining):
            continue
        code, name = _revision_code(order)
        rows.append(
            {
                **_us_order_core(order),
                "rvse_cncl_dvsn": code,
                "rvse_cncl_dvsn_name": name,
                "tr_natn": "840",
                "tr_natn_name": "미국",
                "dmst_ord_dt": _ymd(order.order_date),
                "thco_ord_tmd": _hms(order.created),
                "mdia_dvsn_name": "OpenAPI",
            }
        )
    chunk, ctx, tr_cont = _paged(rows, call, 100, 200)
    return Reply({**ctx, "output": chunk}, tr_cont)


def overseas_nccs(call: Call) -> Reply:
    """해외주식 미체결내역: open orders (NASD = all of the US)."""
    acct = call.account()
    venues = _us_venues(call, "OVRS_EXCG_CD", nasd_all=True)
    rows: list[Row] = []
    for order in _us_orders(call, acct, venues):
        if not order.remaining:
            continue
        code, name = _revision_code(order)
        rows.append(
            {
                **_us_order_core(order),
                "rvse_cncl_dvsn_cd": code,
                "rvse_cncl_dvsn_cd_name": name,
                "natn_cd": "840",
                "natn_kor_name": "미국",
            }
        )
    chunk, ctx, tr_cont = _paged(rows, call, 100, 200)
    return Reply({**ctx, "output": chunk}, tr_cont)


def overseas_psamount(call: Call) -> Reply:
    """해외주식 매수가능금액: USD buying power and the quantity it buys at a price."""
    ex, acct = call.exchange, call.account()
    inst = _us_instrument(call.need("ITEM_CD"), call.need("OVRS_EXCG_CD"))
    asked = _usd_price(call, "OVRS_ORD_UNPR")
    price = asked if asked > 0 else ex.state(inst.symbol).last
    rate = ex.settings.usd_krw
    usd_free = max(ex.usd_available(acct), Decimal(0))
    krw_as_usd = _floor(max(ex.krw_available(acct), Decimal(0)) / rate, Decimal("0.01"))
    qty = _max_qty(ex, inst, price, usd_free)
    output = {
        "tr_crcy_cd": "USD",
        "ord_psbl_frcr_amt": _usd(usd_free),
        "sll_ruse_psbl_amt": "0.00",
        "ovrs_ord_psbl_amt": _usd(usd_free),
        "max_ord_psbl_qty": str(qty),
        "echm_af_ord_psbl_amt": "0.00",
        "echm_af_ord_psbl_qty": "0",
        "ord_psbl_qty": str(qty),
        "exrt": _fixed(rate, 10),
        "frcr_ord_psbl_amt1": _usd(usd_free + krw_as_usd),
        "ovrs_max_ord_psbl_qty": str(_max_qty(ex, inst, price, usd_free + krw_as_usd)),
    }
    return Reply({"output": output})


# ========================================================================== overseas: orders


def _us_limit_price(call: Call, inst: Instrument) -> Decimal:
    """OVRS_ORD_UNPR, which must sit on the US tick when it is a price at all."""
    price = _usd_price(call, "OVRS_ORD_UNPR")
    if price > 0 and price % tick_of(inst, price):
        raise Rejects.OFF_TICK
    return price


def overseas_order(call: Call) -> Reply:
    """해외주식 주문 (US): buy TTTT1002U/VTTT1002U, sell TTTT1006U/VTTT1001U."""
    side = Side.BUY if call.tr_id in US_BUY_TRS else Side.SELL
    ex, acct = call.exchange, call.account()
    exchange_code = call.need("OVRS_EXCG_CD").upper()
    inst = _us_instrument(call.need("PDNO"), exchange_code)
    qty = _order_qty(call)
    price = _us_limit_price(call, inst)
    ord_dvsn = call.get("ORD_DVSN").strip() or "00"
    order = ex.place_order(
        acct,
        inst.symbol,
        side,
        ord_dvsn,
        qty,
        price,
        appkey=call.appkey,
        exchange_code=exchange_code,
    )
    return _order_reply(call, order, "buy" if side is Side.BUY else "sell")


def overseas_rvsecncl(call: Call) -> Reply:
    """해외주식 정정취소 (US): ORD_QTY of the remainder ("0" or all of it) moves or goes."""
    acct = call.account()
    inst = _us_instrument(call.need("PDNO"), call.need("OVRS_EXCG_CD"))
    original = _own_order(call, acct, call.need("ORGN_ODNO"), domestic=False)
    if original.inst is not inst:
        raise Rejects.NO_ORDER
    cancel = _choice(call, "RVSE_CNCL_DVSN_CD", ("01", "02")) == "02"
    qty = _order_qty(call, zero_ok=True)
    price = Decimal(0) if cancel else _us_limit_price(call, inst)
    return _revise(
        call,
        acct,
        original,
        cancel=cancel,
        qty=qty or None,
        ord_dvsn=original.ord_dvsn,
        price=price,
    )


# ================================================================================== endpoints


def _both(*real_ids: str) -> tuple[Tr, ...]:
    """Each real TR with its virtual twin (the first letter becomes V, §3.4)."""
    trs: list[Tr] = []
    for tr_id in real_ids:
        trs += [Tr(tr_id, "real"), Tr("V" + tr_id[1:], "virtual")]
    return tuple(trs)


def _real(*real_ids: str) -> tuple[Tr, ...]:
    return tuple(Tr(tr_id, "real") for tr_id in real_ids)


def _get(path: str, trs: tuple[Tr, ...], handler: Callable[[Call], Reply]) -> Endpoint:
    return Endpoint("GET", path, trs, handler, kind="inquiry")


def _post(path: str, trs: tuple[Tr, ...], handler: Callable[[Call], Reply]) -> Endpoint:
    return Endpoint("POST", path, trs, handler, kind="order")


ENDPOINTS: list[Endpoint] = [
    # domestic
    _get(f"{DOMESTIC}/inquire-balance", _both("TTTC8434R"), inquire_balance),
    _get(f"{DOMESTIC}/inquire-balance-rlz-pl", _real("TTTC8494R"), inquire_balance_rlz_pl),
    _get(f"{DOMESTIC}/inquire-account-balance", _real("CTRP6548R"), inquire_account_balance),
    _get(f"{DOMESTIC}/inquire-period-profit", _real("TTTC8708R"), inquire_period_profit),
    _get(
        f"{DOMESTIC}/inquire-period-trade-profit",
        _real("TTTC8715R"),
        inquire_period_trade_profit,
    ),
    _get(
        f"{DOMESTIC}/inquire-daily-ccld",
        _both("TTTC0081R", "TTTC8001R", "CTSC9215R", "CTSC9115R"),
        inquire_daily_ccld,
    ),
    _get(f"{DOMESTIC}/inquire-psbl-order", _both("TTTC8908R"), inquire_psbl_order),
    _get(f"{DOMESTIC}/inquire-psbl-sell", _real("TTTC8408R"), inquire_psbl_sell),
    _get(
        f"{DOMESTIC}/inquire-psbl-rvsecncl",
        _real("TTTC0084R", "TTTC8036R"),
        inquire_psbl_rvsecncl,
    ),
    _post(
        f"{DOMESTIC}/order-cash",
        _both("TTTC0012U", "TTTC0802U", "TTTC0011U", "TTTC0801U"),
        order_cash,
    ),
    _post(f"{DOMESTIC}/order-rvsecncl", _both("TTTC0013U", "TTTC0803U"), order_rvsecncl),
    # overseas (US)
    _get(f"{OVERSEAS}/inquire-balance", _both("TTTS3012R"), overseas_balance),
    _get(f"{OVERSEAS}/inquire-present-balance", _both("CTRP6504R"), present_balance),
    _get(f"{OVERSEAS}/inquire-period-profit", _real("TTTS3039R"), overseas_period_profit),
    _get(f"{OVERSEAS}/inquire-ccnl", _both("TTTS3035R"), overseas_ccnl),
    _get(f"{OVERSEAS}/inquire-nccs", _both("TTTS3018R"), overseas_nccs),
    _get(f"{OVERSEAS}/inquire-psamount", _both("TTTS3007R"), overseas_psamount),
    _post(
        f"{OVERSEAS}/order",
        (*_both("TTTT1002U"), Tr("TTTT1006U", "real"), Tr("VTTT1001U", "virtual")),
        overseas_order,
    ),
    _post(f"{OVERSEAS}/order-rvsecncl", _both("TTTT1004U"), overseas_rvsecncl),
]
