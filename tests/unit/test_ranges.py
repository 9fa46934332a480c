"""Range and interval expressions: calendar arithmetic, units, and the errors users see."""

from __future__ import annotations

from datetime import date

import pytest

from kisbot.domain.errors import InputError
from kisbot.domain.models import BarPeriod
from kisbot.domain.ranges import Interval, Span, parse_interval, parse_range, range_start


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("3d", Span(days=3)),
        ("2w", Span(weeks=2)),
        ("6M", Span(months=6)),
        ("1y", Span(years=1)),
        ("1y6M", Span(years=1, months=6)),
        ("90d", Span(days=90)),
        (" 1y 2M 3w 4d ", Span(1, 2, 3, 4)),
        ("2W3D", Span(weeks=2, days=3)),
        ("d", Span(days=1)),
        ("1년 6개월", Span(years=1, months=6)),
        ("3달", Span(months=3)),
        ("2주", Span(weeks=2)),
        ("10일", Span(days=10)),
    ],
)
def test_ranges_parse(text: str, span: Span) -> None:
    assert parse_range(text) == span


@pytest.mark.parametrize(
    ("text", "end", "start"),
    [
        ("1M", date(2026, 3, 31), date(2026, 2, 28)),
        ("1M", date(2024, 3, 31), date(2024, 2, 29)),
        ("1y", date(2024, 2, 29), date(2023, 2, 28)),
        ("6M", date(2026, 8, 31), date(2026, 2, 28)),
        ("1y6M", date(2026, 11, 24), date(2025, 5, 24)),
        ("13M", date(2026, 1, 15), date(2024, 12, 15)),
        ("3d", date(2026, 3, 1), date(2026, 2, 26)),
        ("2w", date(2026, 1, 5), date(2025, 12, 22)),
        ("90d", date(2026, 11, 24), date(2026, 8, 26)),
        ("1M1d", date(2026, 3, 31), date(2026, 2, 27)),
    ],
)
def test_range_start_moves_the_calendar_and_clamps_month_ends(
    text: str, end: date, start: date
) -> None:
    assert range_start(text, end) == start


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty range"),
        ("   ", "empty range"),
        ("3", "without a unit"),
        ("1y3", "without a unit"),
        ("6m", "lower-case m means minutes"),
        ("5분", "lower-case m means minutes"),
        ("3x", "unknown unit 'x'"),
        ("-3d", "unknown unit '-'"),
        ("1.5y", "unknown unit '.'"),
        ("1d1d", "appears twice"),
        ("6M1y", "larger units first"),
        ("0d", "is empty"),
        ("99999d", "too large"),
    ],
)
def test_bad_ranges_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_range(text)


def test_a_range_before_year_one_is_refused() -> None:
    with pytest.raises(InputError, match="before year 1"):
        range_start("9999y", date(2026, 1, 1))
    with pytest.raises(InputError, match="before year 1"):
        range_start("10000d", date(1, 2, 1))


@pytest.mark.parametrize(
    ("text", "interval"),
    [
        ("1m", Interval(BarPeriod.MINUTE, 1)),
        ("m", Interval(BarPeriod.MINUTE, 1)),
        ("5m", Interval(BarPeriod.MINUTE, 5)),
        ("30m", Interval(BarPeriod.MINUTE, 30)),
        ("1h", Interval(BarPeriod.MINUTE, 60)),
        ("2H", Interval(BarPeriod.MINUTE, 120)),
        ("390m", Interval(BarPeriod.MINUTE, 390)),
        ("15분", Interval(BarPeriod.MINUTE, 15)),
        ("1시간", Interval(BarPeriod.MINUTE, 60)),
        ("1d", Interval(BarPeriod.DAY)),
        ("D", Interval(BarPeriod.DAY)),
        ("1w", Interval(BarPeriod.WEEK)),
        ("1M", Interval(BarPeriod.MONTH)),
        ("월", Interval(BarPeriod.MONTH)),
        ("1y", Interval(BarPeriod.YEAR)),
    ],
)
def test_intervals_parse(text: str, interval: Interval) -> None:
    parsed = parse_interval(text)
    assert parsed == interval
    period, minutes = parsed
    assert (period, minutes) == (interval.period, interval.minutes)
    assert parsed.intraday == (period is BarPeriod.MINUTE)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty interval"),
        ("5", "without a unit"),
        ("0m", "at least 1"),
        ("391m", "longer than a session"),
        ("7h", "longer than a session"),
        ("2d", "one period each"),
        ("3M", "one period each"),
        ("1h30m", "one number and one unit"),
        ("5s", "unknown unit 's'"),
    ],
)
def test_bad_intervals_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_interval(text)
