"""The async KIS client: the only code that knows KIS JSON, TR IDs and msg_cd codes."""

from __future__ import annotations

from kisbot.kis.client import KisClient, KisReply
from kisbot.kis.errors import (
    KisAuthError,
    KisConnectError,
    KisError,
    KisInsufficientFunds,
    KisInvalidOrder,
    KisMarketClosed,
    KisNoService,
    KisNotFound,
    KisRateLimited,
    KisRejected,
    KisSubscriptionLimit,
    KisTokenExpired,
    KisTokenInvalid,
    KisTokenThrottled,
    KisUnavailable,
)
from kisbot.kis.stream import Book, KisStream, Notices, Price, StreamEvent

__all__ = [
    "Book",
    "KisAuthError",
    "KisClient",
    "KisConnectError",
    "KisError",
    "KisInsufficientFunds",
    "KisInvalidOrder",
    "KisMarketClosed",
    "KisNoService",
    "KisNotFound",
    "KisRateLimited",
    "KisRejected",
    "KisReply",
    "KisStream",
    "KisSubscriptionLimit",
    "KisTokenExpired",
    "KisTokenInvalid",
    "KisTokenThrottled",
    "KisUnavailable",
    "Notices",
    "Price",
    "StreamEvent",
]
