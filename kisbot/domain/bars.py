"""Bar arithmetic: minute bars into wider bars aligned to the session's first minute."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import time, timedelta

from kisbot.domain.models import Bar

__all__ = ["merge_bars", "resample_minutes"]


def merge_bars(first: Bar, then: Bar) -> Bar:
    """One bar covering `first` and the later `then` (turnover unknown if either's is)."""
    turnover = (
        None if first.turnover is None or then.turnover is None else first.turnover + then.turnover
    )
    return Bar(
        first.start,
        first.open,
        max(first.high, then.high),
        min(first.low, then.low),
        then.close,
        first.volume + then.volume,
        turnover,
    )


def resample_minutes(bars: Iterable[Bar], minutes: int, anchor: time) -> list[Bar]:
    """Minute bars into `minutes`-minute bars, oldest first.

    Buckets are aligned to `anchor`, the session's first minute in the bars' own time zone
    (09:00 for KRX in KST, 09:30 for US markets in New York time): with `minutes=60` a US day
    reads 09:30, 10:30, … 15:30. Minutes before the anchor fall into buckets counted back from
    it. Each bar's `start` is its bucket's first minute.
    """
    if minutes < 1:
        raise ValueError("minutes must be at least 1")
    width = timedelta(minutes=minutes)
    out: list[Bar] = []
    current: Bar | None = None
    for bar in sorted(bars, key=lambda b: b.start):
        opening = bar.start.replace(hour=anchor.hour, minute=anchor.minute, second=0, microsecond=0)
        start = opening + ((bar.start - opening) // width) * width
        if current is not None and current.start == start:
            current = merge_bars(current, bar)
            out[-1] = current
            continue
        current = Bar(start, bar.open, bar.high, bar.low, bar.close, bar.volume, bar.turnover)
        out.append(current)
    return out
