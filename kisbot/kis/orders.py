"""Orders: place, modify, cancel, cancel everything, and reconcile an order of unknown fate.

```python
ack = await place_order(kis, OrderRequest(inst, Side.BUY, 10, OrderType.LIMIT, Decimal(70_000)))
moved = await modify_order(kis, ack.order_no, price=Decimal(70_100))
gone = await cancel_order(kis, moved.order_no)
```

Every function checks its input before anything is sent and raises `InputError` with a clear
message (no request at all for malformed values; only reads to look an order up). KIS field
names follow ../shared/kis-reference.md §4.2.5, §4.2.8-10, §4.4.4-8 and §4.5.

Choices where the reference is silent or unsure:
- Domestic prices must sit on the KRX tick ladder. When the instrument's kind is unknown and a
  price is valid for ETFs (5-won ticks) but not for stocks, the quote decides (an ETF by its
  sector name, or a tick `aspr_unit` off the stock ladder); that is the only time placing an
  order reads a quote.
- Best/priority types (03, 04, 15, 16), market types and pre/post-market (05, 06) carry no
  price: `ORD_UNPR` is "0" and a price given for them is refused rather than ignored.
- A US MARKET order is emulated, as python-kis does, by a limit at the day's band (buy at
  `uplp`, sell at `dnlp`), or ±50% of the last price when the band is unknown (price-detail is
  real-only). MOO/MOC are sell-only on KIS and are refused for buys (use LOO/LOC with a
  price). A virtual account takes only limit orders (and so the emulated market order).
- The order to modify or cancel is looked up by number among the open orders
  (`kisbot.kis.ledger.read_open`: inquire-psbl-rvsecncl / inquire-nccs, or today's ledger
  where the virtual server lacks them), then in the ledger since yesterday to tell why not.
  A finished order is an `InputError`, a number KIS does not know is `KisNotFound`; both
  before anything is sent.
- `cancel_all` goes on after a failure and raises `CancelAllError` (an `ExceptionGroup` of the
  failures that also carries the acks of what was cancelled) when anything failed.
- `reconcile` takes the earliest matching order placed at or after `sent_at - skew`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING, Final, Self

from kisbot.domain.errors import InputError, KisbotError, OrderStateUnknown, SentOrder
from kisbot.domain.models import (
    Instrument,
    Market,
    Order,
    OrderAck,
    OrderRequest,
    OrderType,
    Side,
)
from kisbot.domain.money import is_on_tick, krx_tick, round_to_tick, us_tick
from kisbot.domain.time import KST
from kisbot.kis import client as kis_client
from kisbot.kis import schemas
from kisbot.kis.endpoints import endpoint
from kisbot.kis.errors import KisNotFound
from kisbot.kis.ledger import (
    KRX_VENUE,
    LedgerEntry,
    account_params,
    placement,
    read_ledger,
    read_open,
    same_number,
    today,
    us_markets,
    zone,
)

if TYPE_CHECKING:
    from kisbot.kis.client import KisClient, KisReply

__all__ = [
    "KRX_ORD_DVSN",
    "KRX_VIRTUAL_ORD_DVSN",
    "RECONCILE_SKEW",
    "US_ORD_DVSN",
    "CancelAllError",
    "cancel_all",
    "cancel_order",
    "modify_order",
    "place_order",
    "reconcile",
]

logger = logging.getLogger(__name__)

# Domestic ORD_DVSN (reference §4.5.1); the virtual server takes 00-04 only.
KRX_ORD_DVSN: Final[Mapping[OrderType, str]] = {
    OrderType.LIMIT: "00",
    OrderType.MARKET: "01",
    OrderType.CONDITIONAL: "02",
    OrderType.BEST: "03",
    OrderType.PRIORITY: "04",
    OrderType.PRE_MARKET: "05",
    OrderType.AFTER_MARKET: "06",
    OrderType.AFTER_HOURS_SINGLE: "07",
    OrderType.IOC_LIMIT: "11",
    OrderType.FOK_LIMIT: "12",
    OrderType.IOC_MARKET: "13",
    OrderType.FOK_MARKET: "14",
    OrderType.IOC_BEST: "15",
    OrderType.FOK_BEST: "16",
}
KRX_VIRTUAL_ORD_DVSN: Final = frozenset({"00", "01", "02", "03", "04"})

# US ORD_DVSN (reference §4.5.2): MOO/MOC for sells only; the virtual server takes 00 only.
US_ORD_DVSN: Final[Mapping[OrderType, str]] = {
    OrderType.LIMIT: "00",
    OrderType.MOO: "31",
    OrderType.LOO: "32",
    OrderType.MOC: "33",
    OrderType.LOC: "34",
}
US_SELL_ONLY: Final = frozenset({OrderType.MOO, OrderType.MOC})
US_MARKET_COLLAR: Final = Decimal("0.5")  # ±50% of last when KIS's band is unknown

RECONCILE_SKEW: Final = timedelta(seconds=60)


class CancelAllError(ExceptionGroup[KisbotError]):
    """Some cancels (or the listing of open orders) failed; `cancelled` holds the acks of the
    cancels that went through. Catch it with `except* BrokerError` or as an ExceptionGroup."""

    cancelled: tuple[OrderAck, ...]

    def __new__(
        cls, message: str, errors: Sequence[KisbotError], cancelled: Sequence[OrderAck] = ()
    ) -> Self:
        group = super().__new__(cls, message, errors)
        group.cancelled = tuple(cancelled)
        return group

    def __init__(
        self, message: str, errors: Sequence[KisbotError], cancelled: Sequence[OrderAck] = ()
    ) -> None:
        super().__init__(message, errors)

    def derive(self, excs: Sequence[KisbotError]) -> CancelAllError:  # type: ignore[override]
        return CancelAllError(self.message, excs, self.cancelled)


# ====================================================================================== place


async def place_order(kis: KisClient, request: OrderRequest) -> OrderAck:
    """Send a new order once. Raises `InputError` for a malformed request (nothing sent),
    KIS's typed refusals, or `OrderStateUnknown` (carrying the `SentOrder`) when the outcome
    is unknown: reconcile it, never re-send."""
    _check_qty(request.qty)
    inst = request.instrument
    if inst.market is Market.KRX:
        name, body, sent = await _domestic_order(kis, request)
    elif inst.market in kis_client.US_ORDER_CODES:
        name, body, sent = await _us_order(kis, request)
    else:
        raise InputError(f"{inst.market} orders are not supported (KRX and US only)")
    ack = _ack(kis, await kis.send_order(name, body, sent), sent)
    logger.info("%s %s x%d: order %s", name, inst.symbol, request.qty, ack.order_no)
    return ack


async def _domestic_order(
    kis: KisClient, request: OrderRequest
) -> tuple[str, dict[str, str], SentOrder]:
    code = _krx_code(kis, request.order_type)
    price = _checked_price(request.order_type, request.price)
    if price is not None:
        await _check_krx_tick(kis, request.instrument, price)
    name = "buy" if request.side is Side.BUY else "sell"
    body = {
        **account_params(kis),
        "PDNO": request.instrument.symbol,
        "ORD_DVSN": code,
        "ORD_QTY": str(request.qty),
        "ORD_UNPR": _won(price),
        "EXCG_ID_DVSN_CD": KRX_VENUE,
        "SLL_TYPE": "01" if request.side is Side.SELL else "",
        "CNDT_PRIC": "",
    }
    sent = _sent(kis, name, request.instrument.symbol, request.side, request.qty, price, code)
    return name, body, sent


async def _us_order(kis: KisClient, request: OrderRequest) -> tuple[str, dict[str, str], SentOrder]:
    inst, side, kind = request.instrument, request.side, request.order_type
    price: Decimal | None
    if kind is OrderType.MARKET:
        if request.price is not None:
            raise InputError("a market order takes no price")
        code, price = "00", await _us_market_price(kis, inst, side)
    else:
        code = _us_code(kis, kind, side)
        price = _checked_price(kind, request.price)
        if price is not None:
            _check_us_tick(price)
    name = "us_buy" if side is Side.BUY else "us_sell"
    venue = kis_client.US_ORDER_CODES[inst.market]
    body = {
        **account_params(kis),
        "OVRS_EXCG_CD": venue,
        "PDNO": inst.symbol,
        "ORD_QTY": str(request.qty),
        "OVRS_ORD_UNPR": _usd(price),
        "CTAC_TLNO": "",
        "MGCO_APTM_ODNO": "",
        "SLL_TYPE": "00" if side is Side.SELL else "",
        "ORD_SVR_DVSN_CD": "0",
        "ORD_DVSN": code,
    }
    sent = _sent(kis, name, inst.symbol, side, request.qty, price, code, venue)
    return name, body, sent


def _krx_code(kis: KisClient, kind: OrderType) -> str:
    code = KRX_ORD_DVSN.get(kind)
    if code is None:
        raise InputError(f"{kind} orders are for US stocks, not KRX")
    if kis.env == "virtual" and code not in KRX_VIRTUAL_ORD_DVSN:
        raise InputError(
            f"{kind} orders are not offered on a virtual (모의투자) account; "
            "use limit, market, conditional, best or priority"
        )
    return code


def _us_code(kis: KisClient, kind: OrderType, side: Side) -> str:
    code = US_ORD_DVSN.get(kind)
    if code is None:
        raise InputError(
            f"{kind} orders are for KRX stocks; US orders are limit, LOO, LOC, MOO, MOC"
        )
    if kind in US_SELL_ONLY and side is Side.BUY:
        raise InputError(f"KIS takes {kind.upper()} for sells only; buy with LOO/LOC and a price")
    if kis.env == "virtual" and code != "00":
        raise InputError(f"{kind.upper()} orders are not offered on a virtual account; use limit")
    return code


async def _us_market_price(kis: KisClient, inst: Instrument, side: Side) -> Decimal:
    """The limit a US market order is sent at: the day's band, or ±50% of the last price."""
    quote = await kis.fetch_quote(inst.symbol, inst.market)
    if side is Side.BUY:
        band = quote.upper_limit or quote.price * (1 + US_MARKET_COLLAR)
        return round_to_tick(band, us_tick(band))
    band = quote.lower_limit or quote.price * (1 - US_MARKET_COLLAR)
    return round_to_tick(band, us_tick(band), up=True)


# ============================================================================ modify / cancel


async def modify_order(
    kis: KisClient,
    order_no: str,
    *,
    price: Decimal | None = None,
    qty: int | None = None,
    order_type: OrderType = OrderType.LIMIT,
    instrument: Instrument | None = None,
) -> OrderAck:
    """Move an open order (all of its remainder, or `qty` of it) to `price` / `order_type`.

    Only the order number is needed; `instrument` narrows the search to its market. KIS gives
    the modify a new number (`OrderAck.order_no`), linked to `OrderAck.original_no`. A US
    modify keeps the order's type, so only LIMIT is accepted there.
    """
    number = _order_number(order_no)
    if qty is not None:
        _check_qty(qty)
    new_price = _checked_price(order_type, price)
    entry = await _find_open(kis, number, instrument)
    _check_revise_qty(entry, qty)
    if entry.domestic:
        code = _krx_code(kis, order_type)
        if new_price is not None:
            await _check_krx_tick(kis, instrument or entry.order.instrument, new_price)
        name, body = "revise", _krx_revise(kis, entry, cancel=False, code=code, qty=qty)
        body["ORD_UNPR"] = _won(new_price)
    else:
        if order_type is not OrderType.LIMIT:
            raise InputError("a US modify keeps the order's type: only a new limit price")
        assert new_price is not None  # LIMIT is priced
        _check_us_tick(new_price)
        code = entry.code
        name, body = "us_revise", _us_revise(kis, entry, cancel=False, qty=qty)
        body["OVRS_ORD_UNPR"] = _usd(new_price)
    return await _send_revise(kis, name, body, entry, qty, new_price, code)


async def cancel_order(
    kis: KisClient, order_no: str, *, qty: int | None = None, instrument: Instrument | None = None
) -> OrderAck:
    """Cancel an open order's remainder, or `qty` of it. The cancel gets its own number
    (`OrderAck.order_no`), linked to the cancelled order (`OrderAck.original_no`)."""
    number = _order_number(order_no)
    if qty is not None:
        _check_qty(qty)
    entry = await _find_open(kis, number, instrument)
    _check_revise_qty(entry, qty)
    return await _cancel(kis, entry, qty)


async def _cancel(kis: KisClient, entry: LedgerEntry, qty: int | None) -> OrderAck:
    if entry.domestic:
        name = "revise"
        body = _krx_revise(kis, entry, cancel=True, code=entry.code or "00", qty=qty)
        body["ORD_UNPR"] = "0"
    else:
        name, body = "us_revise", _us_revise(kis, entry, cancel=True, qty=qty)
        body["OVRS_ORD_UNPR"] = "0"
    return await _send_revise(kis, name, body, entry, qty, None, entry.code)


def _krx_revise(
    kis: KisClient, entry: LedgerEntry, *, cancel: bool, code: str, qty: int | None
) -> dict[str, str]:
    """order-rvsecncl (domestic) without ORD_UNPR: QTY_ALL_ORD_YN Y sends ORD_QTY "0"."""
    return {
        **account_params(kis),
        "KRX_FWDG_ORD_ORGNO": entry.order.branch,
        "ORGN_ODNO": entry.order.order_no,
        "ORD_DVSN": code,
        "RVSE_CNCL_DVSN_CD": "02" if cancel else "01",
        "ORD_QTY": "0" if qty is None else str(qty),
        "QTY_ALL_ORD_YN": "Y" if qty is None else "N",
        "EXCG_ID_DVSN_CD": entry.venue or KRX_VENUE,
    }


def _us_revise(
    kis: KisClient, entry: LedgerEntry, *, cancel: bool, qty: int | None
) -> dict[str, str]:
    """order-rvsecncl (overseas) without OVRS_ORD_UNPR; ORD_QTY is the remainder by default."""
    return {
        **account_params(kis),
        "OVRS_EXCG_CD": entry.venue,
        "PDNO": entry.order.instrument.symbol,
        "ORGN_ODNO": entry.order.order_no,
        "RVSE_CNCL_DVSN_CD": "02" if cancel else "01",
        "ORD_QTY": str(entry.order.remaining_qty if qty is None else qty),
        "MGCO_APTM_ODNO": "",
        "ORD_SVR_DVSN_CD": "0",
    }


async def _send_revise(
    kis: KisClient,
    name: str,
    body: Mapping[str, str],
    entry: LedgerEntry,
    qty: int | None,
    price: Decimal | None,
    code: str,
) -> OrderAck:
    order = entry.order
    qty = qty or order.remaining_qty
    sent = _sent(kis, name, order.instrument.symbol, order.side, qty, price, code, entry.venue)
    sent = replace(sent, original_no=order.order_no)
    ack = _ack(kis, await kis.send_order(name, body, sent), sent)
    logger.info("%s %s: order %s → %s", name, order.instrument.symbol, order.order_no, ack.order_no)
    return ack


def _check_revise_qty(entry: LedgerEntry, qty: int | None) -> None:
    if qty is not None and qty > entry.order.remaining_qty:
        raise InputError(
            f"order {entry.order.order_no} has {entry.order.remaining_qty} shares left, "
            f"fewer than {qty}"
        )


# ================================================================================= cancel all


async def cancel_all(kis: KisClient, *, symbol: str | None = None) -> list[OrderAck]:
    """Cancel every open order, domestic and US (only `symbol`'s when given).

    Returns the cancels' acks. A failure does not stop the others: when anything failed
    (listing or cancelling), raises `CancelAllError` with the failures and, in `.cancelled`,
    the acks of what did go through.
    """
    wanted = symbol.strip().upper() if symbol is not None else None
    errors: list[KisbotError] = []
    entries: list[LedgerEntry] = []
    for domestic in (True, False):
        try:
            entries += await read_open(kis, domestic=domestic)
        except KisbotError as exc:
            errors.append(exc)
    acks: list[OrderAck] = []
    for entry in entries:
        if wanted is not None and entry.order.instrument.symbol.upper() != wanted:
            continue
        try:
            acks.append(await _cancel(kis, entry, None))
        except KisbotError as exc:
            logger.warning("cancel of order %s failed: %s", entry.order.order_no, exc)
            errors.append(exc)
    if errors:
        raise CancelAllError(
            f"cancel_all: {len(errors)} failure(s), {len(acks)} order(s) cancelled", errors, acks
        )
    return acks


# ================================================================================== reconcile


async def reconcile(
    kis: KisClient, sent: SentOrder, *, skew: timedelta = RECONCILE_SKEW
) -> Order | None:
    """The order KIS made of `sent` (from `OrderStateUnknown.order`), or None if it has none.

    Looks through the orders placed since `sent.sent_at - skew` for the same symbol, side,
    quantity, price (when `sent` had one) and order type; for a modify or cancel, for a record
    linked to `sent.original_no`. The earliest match wins.
    """
    if sent.account and sent.account != _account_label(kis):
        raise InputError("this order was sent for another account")
    if sent.venue in ("", KRX_VENUE, "NXT", "SOR"):
        domestic = True
    elif sent.venue in us_markets():
        domestic = False
    else:
        raise InputError(f"cannot reconcile orders on {sent.venue!r}")
    since = sent.sent_at - skew
    found = [
        e for e in await _ledger(kis, domestic=domestic, since=since) if _matches(e, sent, since)
    ]
    return min(found, key=placement).order if found else None


def _matches(entry: LedgerEntry, sent: SentOrder, since: datetime) -> bool:
    order = entry.order
    if order.time < since or order.instrument.symbol.upper() != sent.symbol.upper():
        return False
    if order.side.value != sent.side or order.qty != sent.qty:
        return False
    if sent.original_no:
        return entry.kind != "new" and same_number(order.original_no, sent.original_no)
    if entry.kind != "new":
        return False
    if sent.price is not None and order.price != sent.price:
        return False
    return not (sent.order_type and entry.code and entry.code != sent.order_type)


# ============================================================================= today's orders


async def _find_open(kis: KisClient, number: str, instrument: Instrument | None) -> LedgerEntry:
    """The open order `number`; `InputError` when it is finished, `KisNotFound` when unknown."""
    sides: tuple[bool, ...]
    if instrument is None:
        sides = (True, False)
    elif instrument.market.domestic or instrument.market in kis_client.US_ORDER_CODES:
        sides = (instrument.market.domestic,)
    else:
        raise InputError(f"{instrument.market} orders are not supported (KRX and US only)")
    for domestic in sides:
        hit = _find(await read_open(kis, domestic=domestic), number)
        if hit is not None:
            return hit
    day_ago = kis.now() - timedelta(days=1)
    for domestic in sides:
        hit = _find(await _ledger(kis, domestic=domestic, since=day_ago), number)
        if hit is not None:
            status = "a cancel record" if hit.kind == "cancel" else hit.order.status.value
            raise InputError(f"order {number} is {status}: nothing left to modify or cancel")
    raise KisNotFound(f"no order {number} among today's orders", endpoint="order lookup")


def _find(entries: Iterable[LedgerEntry], number: str) -> LedgerEntry | None:
    return next((e for e in entries if same_number(e.order.order_no, number)), None)


async def _ledger(kis: KisClient, *, domestic: bool, since: datetime) -> list[LedgerEntry]:
    """Orders placed from `since` (its KRX or New York date) to today, oldest first."""
    end = today(kis, domestic=domestic)
    start = min(since.astimezone(zone(domestic=domestic)).date(), end)
    return await read_ledger(kis, domestic=domestic, start=start, end=end)


# ==================================================================================== helpers


def _account_label(kis: KisClient) -> str:
    """The account as a `SentOrder` names it: masked like the client's repr."""
    return f"****{kis.cano[-2:]}-{kis.product}"


def _sent(
    kis: KisClient,
    name: str,
    symbol: str,
    side: Side,
    qty: int,
    price: Decimal | None,
    code: str,
    venue: str = KRX_VENUE,
) -> SentOrder:
    return SentOrder(
        symbol=symbol,
        side="buy" if side is Side.BUY else "sell",
        qty=qty,
        price=price,
        sent_at=kis.now(),
        venue=venue,
        order_type=code,
        tr_id=endpoint(name).tr_id(kis.env) or "",
        account=_account_label(kis),
    )


def _ack(kis: KisClient, reply: KisReply, sent: SentOrder) -> OrderAck:
    """KRX_FWDG_ORD_ORGNO, ODNO and ORD_TMD (KST) of an order answer."""
    out = reply.body.get("output")
    out = out if isinstance(out, Mapping) else {}

    def field(name: str) -> str:
        return schemas.text(out, name) or schemas.text(out, name.lower())

    number = field("ODNO")
    if not number:
        raise OrderStateUnknown(
            "KIS accepted the order without an order number; check today's orders", order=sent
        )
    now = kis.now().astimezone(KST)
    when = schemas.moment(schemas.ymd(now), field("ORD_TMD"), KST)
    return OrderAck(number, field("KRX_FWDG_ORD_ORGNO"), when or now, sent.original_no)


def _check_qty(qty: int) -> None:
    if qty <= 0:
        raise InputError(f"quantity must be a positive whole number of shares, not {qty}")


def _checked_price(kind: OrderType, price: Decimal | None) -> Decimal | None:
    """The price a `kind` order carries: required and positive for priced types, else none."""
    if not kind.priced:
        if price is not None:
            raise InputError(f"{kind} orders take no price; the exchange prices them")
        return None
    if price is None:
        raise InputError(f"a {kind} order needs a price")
    if not price.is_finite() or price <= 0:
        raise InputError(f"price must be positive, not {price}")
    return price


async def _check_krx_tick(kis: KisClient, inst: Instrument, price: Decimal) -> None:
    """KRX prices sit on the tick ladder: the stock ladder, the ETF one (5 won from 2,000),
    or, when the kind is unknown and only the ETF ladder fits, the quote's tick."""
    etf = inst.kind == "etf"
    if is_on_tick(price, etf=etf):
        return
    if not inst.kind and is_on_tick(price, etf=True):
        # on the ETF ladder only: the quote says which this is (its sector or its tick)
        quote = await kis.fetch_quote(inst.symbol, Market.KRX)
        if quote.instrument.kind == "etf" or quote.tick not in (None, krx_tick(quote.price)):
            return
    tick = krx_tick(price, etf=etf)
    low = round_to_tick(price, tick)
    raise InputError(
        f"{price:,} is off the KRX tick ladder for {inst.symbol} (tick {tick:,} here); "
        f"try {low:,} or {low + tick:,}"
    )


def _check_us_tick(price: Decimal) -> None:
    tick = us_tick(price)
    if price % tick:
        raise InputError(
            f"{price} is not a valid US price: whole cents from $1, 1/100 cent below"
            f" (try {round_to_tick(price, tick)})"
        )


def _order_number(order_no: str) -> str:
    number = order_no.strip()
    if not number.isdigit():
        raise InputError(f"an order number is digits, not {order_no!r}")
    return number


def _won(price: Decimal | None) -> str:
    """ORD_UNPR: whole won, "0" for unpriced orders."""
    if price is None:
        return "0"
    return format(price.quantize(Decimal(1), rounding=ROUND_DOWN), "f")


def _usd(price: Decimal | None) -> str:
    """OVRS_ORD_UNPR: cents from $1, four decimals below; "0", never blank, when unpriced."""
    if price is None:
        return "0"
    places = Decimal("0.01") if price >= 1 else Decimal("0.0001")
    return format(price.quantize(places, rounding=ROUND_DOWN), "f")
