"""Time zones and the clock port. Datetimes are always timezone-aware."""

from __future__ import annotations

from datetime import datetime
from typing import Final, Protocol
from zoneinfo import ZoneInfo

__all__ = ["KST", "NEW_YORK", "Clock", "SystemClock"]

KST: Final = ZoneInfo("Asia/Seoul")
NEW_YORK: Final = ZoneInfo("America/New_York")


class Clock(Protocol):
    """Where code that needs "now" gets it, so tests can move time instead of waiting."""

    def now(self) -> datetime: ...


class SystemClock:
    """The wall clock, in KST."""

    def now(self) -> datetime:
        return datetime.now(KST)
