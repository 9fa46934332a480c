"""Minute bars widened to N minutes, aligned to the session's first minute."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest

from kisbot.domain.bars import merge_bars, resample_minutes
from kisbot.domain.models import Bar
from kisbot.domain.time import NEW_YORK


def minute(at: datetime, close: int, volume: int = 10, turnover: int | None = 100) -> Bar:
    price = Decimal(close)
    paid = None if turnover is None else Decimal(turnover)
    return Bar(at, price - 1, price + 2, price - 2, price, volume, paid)


def test_hourly_us_bars_start_at_half_past() -> None:
    opening = datetime(2026, 3, 9, 9, 30, tzinfo=NEW_YORK)
    bars = [minute(opening + timedelta(minutes=i), 100 + i) for i in range(90)]
    hourly = resample_minutes(bars, 60, time(9, 30))
    assert [b.start for b in hourly] == [opening, opening + timedelta(hours=1)]
    first = hourly[0]
    assert (first.open, first.close) == (Decimal(99), Decimal(159))
    assert (first.high, first.low) == (Decimal(161), Decimal(98))
    assert (first.volume, first.turnover) == (600, Decimal(6000))
    assert hourly[1].volume == 300


def test_minutes_before_the_open_count_back_from_it() -> None:
    opening = datetime(2026, 3, 9, 9, 30, tzinfo=NEW_YORK)
    early = [minute(opening - timedelta(minutes=m), 50) for m in (7, 6, 1)]
    fives = resample_minutes(early, 5, time(9, 30))
    assert [b.start.time() for b in fives] == [time(9, 20), time(9, 25)]
    assert [b.volume for b in fives] == [20, 10]


def test_turnover_is_unknown_if_any_part_is() -> None:
    start = datetime(2026, 3, 9, 9, 30, tzinfo=NEW_YORK)
    merged = merge_bars(minute(start, 10), minute(start + timedelta(minutes=1), 11, turnover=None))
    assert merged.turnover is None
    assert merged.close == 11


def test_one_minute_is_the_identity_and_zero_is_refused() -> None:
    start = datetime(2026, 3, 9, 9, 30, tzinfo=NEW_YORK)
    bars = [minute(start + timedelta(minutes=i), 10 + i) for i in range(3)]
    assert resample_minutes(reversed(bars), 1, time(9, 30)) == bars
    with pytest.raises(ValueError, match="at least 1"):
        resample_minutes(bars, 0, time(9, 30))
