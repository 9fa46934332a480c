"""The simulator's clock: the wall clock plus an offset that tests and demos can move."""

from __future__ import annotations

from datetime import datetime, timedelta

from kisbot.domain.time import KST

__all__ = ["SimClock"]


class SimClock:
    """`now()` in KST. `advance()` and `set()` move simulated time without waiting."""

    def __init__(self, start: datetime | None = None) -> None:
        self._offset = timedelta(0)
        if start is not None:
            self.set(start)

    def now(self) -> datetime:
        return datetime.now(KST) + self._offset

    def advance(self, seconds: float) -> datetime:
        self._offset += timedelta(seconds=seconds)
        return self.now()

    def set(self, when: datetime) -> datetime:
        if when.tzinfo is None:
            raise ValueError("the simulator clock takes timezone-aware datetimes")
        self._offset = when - datetime.now(KST)
        return self.now()
