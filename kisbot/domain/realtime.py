"""Realtime values: trades, order books and execution notices as the websocket reports them.

Frozen, slotted dataclasses free of KIS column names (`kisbot/kis/frames.py` builds them from
the wire). Money is `Decimal`, share quantities are `int`, times are aware (KST). `None` means
the frame did not say.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from kisbot.domain.models import Market, OrderbookLevel, OrderType, Side, Symbol

__all__ = [
    "ExecutionNotice",
    "NoticeKind",
    "OrderbookUpdate",
    "PriceSign",
    "PriceTick",
    "RealtimeValue",
    "TradingSession",
    "Venue",
]


class PriceSign(StrEnum):
    """Where the price stands against the previous close (KIS 대비부호)."""

    LIMIT_UP = "limit_up"  # 상한
    UP = "up"  # 상승
    FLAT = "flat"  # 보합
    DOWN = "down"  # 하락
    LIMIT_DOWN = "limit_down"  # 하한

    @property
    def negative(self) -> bool:
        return self is PriceSign.DOWN or self is PriceSign.LIMIT_DOWN


class TradingSession(StrEnum):
    """The part of the trading day a tick or book belongs to."""

    PRE_MARKET = "pre_market"  # 장전 (domestic off-hours, US pre-market)
    REGULAR = "regular"  # 정규장
    POST_MARKET = "post_market"  # 장후 (domestic off-hours, US after-hours)
    AFTER_HOURS_SINGLE = "after_hours_single"  # 시간외 단일가 (domestic)


class Venue(StrEnum):
    """Which domestic venue a feed or an order fill comes from."""

    KRX = "KRX"  # 한국거래소
    NXT = "NXT"  # 넥스트레이드 (대체거래소)
    INTEGRATED = "KRX+NXT"  # 통합 feed of both


class NoticeKind(StrEnum):
    """What an execution notice (체결통보) reports."""

    RECEIPT = "receipt"  # a new order was accepted (접수)
    MODIFY = "modify"  # a modify order was accepted or confirmed (정정)
    CANCEL = "cancel"  # a cancel was accepted or confirmed, or IOC/FOK left a remainder
    FILL = "fill"  # shares traded (체결)
    REJECT = "reject"  # the order, modify or cancel was refused (거부)


@dataclass(frozen=True, slots=True)
class PriceTick:
    """One trade and the day's running figures after it.

    `trade_qty` is this trade's size; `volume` and `turnover` are the day's totals so far (as in
    `Quote`). `change` and `change_rate` (percent) are signed against the previous close.
    """

    symbol: Symbol
    market: Market
    time: datetime
    price: Decimal
    change: Decimal
    change_rate: Decimal
    sign: PriceSign
    open: Decimal
    high: Decimal
    low: Decimal
    trade_qty: int
    volume: int
    turnover: Decimal
    best_ask: Decimal
    best_bid: Decimal
    best_ask_qty: int | None = None
    best_bid_qty: int | None = None
    buy_volume: int | None = None  # day's shares traded at the ask (매수체결량)
    sell_volume: int | None = None  # day's shares traded at the bid (매도체결량)
    strength: Decimal | None = None  # 체결강도: buy volume / sell volume x 100
    session: TradingSession | None = None
    venue: Venue | None = None  # domestic feeds only
    halted: bool = False

    @property
    def prev_close(self) -> Decimal:
        return self.price - self.change


@dataclass(frozen=True, slots=True)
class OrderbookUpdate:
    """The visible book after an update; best first (`asks[0]` lowest, `bids[0]` highest).

    Empty levels (price 0) are left out, so a thin book has fewer than its feed's depth.
    """

    symbol: Symbol
    market: Market
    time: datetime
    asks: tuple[OrderbookLevel, ...]
    bids: tuple[OrderbookLevel, ...]
    total_ask_qty: int
    total_bid_qty: int
    session: TradingSession | None = None
    venue: Venue | None = None
    expected_price: Decimal | None = None  # auction: expected execution price (예상체결가)
    expected_qty: int | None = None  # auction: expected execution quantity

    @property
    def best_ask(self) -> OrderbookLevel | None:
        return self.asks[0] if self.asks else None

    @property
    def best_bid(self) -> OrderbookLevel | None:
        return self.bids[0] if self.bids else None


@dataclass(frozen=True, slots=True)
class ExecutionNotice:
    """One execution notice (체결통보) for the account: receipt, fill, modify, cancel or reject.

    A fill carries `filled_qty` and `fill_price` for that fill alone (not cumulative). Other
    kinds have `filled_qty` 0 and no fill price; their `order_qty`/`order_price` describe the
    order as accepted. `order_price` is `None` for market-type orders. `confirmed` is set on the
    broker's confirmation (확인) of a modify or cancel, as opposed to its receipt.
    """

    account: str
    order_no: str
    original_order_no: str  # "" for a new order
    branch: str
    side: Side
    kind: NoticeKind
    symbol: Symbol
    name: str
    market: Market
    order_type: OrderType | None
    order_qty: int | None
    order_price: Decimal | None
    filled_qty: int
    fill_price: Decimal | None
    time: datetime | None  # None when KIS leaves it blank (some overseas exchanges)
    confirmed: bool = False
    venue: Venue | None = None  # domestic notices of the 2025 layout only
    sor: bool = False  # routed by the smart order router (domestic)

    @property
    def rejected(self) -> bool:
        return self.kind is NoticeKind.REJECT

    @property
    def is_fill(self) -> bool:
        return self.kind is NoticeKind.FILL


RealtimeValue = PriceTick | OrderbookUpdate | ExecutionNotice
