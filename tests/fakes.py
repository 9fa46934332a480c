"""Test doubles that are not the simulator: a clock that moves only when told."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

from kisbot.domain.time import KST

__all__ = ["FakeClock"]


class FakeClock:
    """A `Clock` whose `sleep` returns at once after moving `now` (and calling `on_sleep`).

    `on_sleep` lets one sleep move other clocks too, e.g. the simulator's
    (`FakeClock(on_sleep=sim.clock.advance)`), so both sides see the same time pass.
    """

    def __init__(
        self,
        start: datetime | None = None,
        *,
        on_sleep: Callable[[float], object] | None = None,
    ) -> None:
        self._now = start or datetime(2026, 11, 24, 10, 0, tzinfo=KST)
        self._on_sleep = on_sleep
        self.slept: list[float] = []

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(seconds)
        if self._on_sleep is not None:
            self._on_sleep(seconds)
        await asyncio.sleep(0)
