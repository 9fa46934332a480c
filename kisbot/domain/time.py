"""Time zones and the clock port. Datetimes are always timezone-aware."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Final, Protocol
from zoneinfo import ZoneInfo

__all__ = ["KST", "NEW_YORK", "Clock", "SystemClock"]

KST: Final = ZoneInfo("Asia/Seoul")
NEW_YORK: Final = ZoneInfo("America/New_York")


class Clock(Protocol):
    """Where code that needs "now", or needs to wait, gets it, so tests move time instead."""

    def now(self) -> datetime: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The wall clock, in KST; `sleep` is `asyncio.sleep`."""

    def now(self) -> datetime:
        return datetime.now(KST)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))
