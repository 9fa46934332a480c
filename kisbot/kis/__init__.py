"""The async KIS client: the only code that knows KIS JSON, TR IDs and msg_cd codes."""

from __future__ import annotations

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
    KisTokenExpired,
    KisTokenInvalid,
    KisTokenThrottled,
    KisUnavailable,
)

__all__ = [
    "KisAuthError",
    "KisConnectError",
    "KisError",
    "KisInsufficientFunds",
    "KisInvalidOrder",
    "KisMarketClosed",
    "KisNoService",
    "KisNotFound",
    "KisRateLimited",
    "KisRejected",
    "KisTokenExpired",
    "KisTokenInvalid",
    "KisTokenThrottled",
    "KisUnavailable",
]
