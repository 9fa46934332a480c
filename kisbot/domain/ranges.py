"""What users type for "how far back" and "how wide a bar": `3d`, `6M`, `1y6M`; `5m`, `1h`, `1d`.

Ranges (`parse_range`, `range_start`) count back from an end date in calendar terms:

| Unit | Means | Korean also |
|---|---|---|
| `y` (or `Y`) | years | `년` |
| `M` | months (upper case: lower-case `m` is minutes) | `개월`, `달` |
| `w` (or `W`) | weeks | `주` |
| `d` (or `D`) | days | `일` |

Parts combine largest first, each unit once: `1y6M`, `2w3d`, `1년 6개월`. Years and months move
the calendar and clamp to the month's end (2026-03-31 minus `1M` is 2026-02-28; 2024-02-29
minus `1y` is 2023-02-28); weeks and days are then counted as days.

Intervals (`parse_interval`) name a bar width: `1m` .. `390m` and `1h` .. `6h` are intraday
minute bars (lower-case `m`, or `분`; `h`, or `시간`), `1d`/`1w`/`1M`/`1y` (or `일`, `주`, `월`,
`년`) are daily, weekly, monthly and yearly bars. A missing number means 1 (`d` = `1d`).

Bad input raises `InputError` with a message that says what is accepted.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from typing import Final, NamedTuple

from kisbot.domain.errors import InputError
from kisbot.domain.models import BarPeriod

__all__ = [
    "MAX_INTRADAY_MINUTES",
    "Interval",
    "Span",
    "parse_interval",
    "parse_range",
    "range_start",
]

MAX_INTRADAY_MINUTES: Final = 390  # one full US regular session
_MAX_COUNT: Final = 10_000

_PART: Final = re.compile(r"\s*(\d*)\s*([^\d\s]+)")

# range units, largest first (their order is the order parts must come in)
_RANGE_UNITS: Final[dict[str, str]] = {
    "y": "y",
    "Y": "y",
    "년": "y",
    "M": "M",
    "개월": "M",
    "달": "M",
    "w": "w",
    "W": "w",
    "주": "w",
    "d": "d",
    "D": "d",
    "일": "d",
}
_RANGE_ORDER: Final = "yMwd"
_RANGE_HELP: Final = "use a number and y, M, w or d, e.g. 3d, 2w, 6M, 1y, 1y6M"

# interval units: minutes per unit for intraday bars, or the bar period
_INTERVAL_MINUTES: Final[dict[str, int]] = {"m": 1, "분": 1, "h": 60, "H": 60, "시간": 60}
_INTERVAL_PERIODS: Final[dict[str, BarPeriod]] = {
    "d": BarPeriod.DAY,
    "D": BarPeriod.DAY,
    "일": BarPeriod.DAY,
    "w": BarPeriod.WEEK,
    "W": BarPeriod.WEEK,
    "주": BarPeriod.WEEK,
    "M": BarPeriod.MONTH,
    "월": BarPeriod.MONTH,
    "y": BarPeriod.YEAR,
    "Y": BarPeriod.YEAR,
    "년": BarPeriod.YEAR,
}
_INTERVAL_HELP: Final = "use e.g. 1m, 5m, 30m, 1h for minute bars or 1d, 1w, 1M, 1y"


class Span(NamedTuple):
    """A calendar distance: years and months move the calendar, weeks and days count days."""

    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0

    def before(self, end: date) -> date:
        """The date this span before `end` (month ends clamp)."""
        total = end.year * 12 + (end.month - 1) - (self.years * 12 + self.months)
        year, month = divmod(total, 12)
        if year < 1:
            raise InputError("that range reaches back before year 1")
        month += 1
        day = min(end.day, calendar.monthrange(year, month)[1])
        try:
            return date(year, month, day) - timedelta(days=self.weeks * 7 + self.days)
        except OverflowError:
            raise InputError("that range reaches back before year 1") from None


class Interval(NamedTuple):
    """A bar width: `period`, and for minute bars their length in minutes (else 0)."""

    period: BarPeriod
    minutes: int = 0

    @property
    def intraday(self) -> bool:
        return self.period is BarPeriod.MINUTE


def _parts(text: str, what: str, help_text: str) -> list[tuple[int, str]]:
    """`text` as (count, unit) pairs; a missing count is 1."""
    body = text.strip()
    if not body:
        raise InputError(f"empty {what}: {help_text}")
    parts: list[tuple[int, str]] = []
    pos = 0
    while pos < len(body):
        match = _PART.match(body, pos)
        if match is None:
            raise InputError(f"{what} {text!r} ends with a number without a unit: {help_text}")
        digits, unit = match.groups()
        count = int(digits) if digits else 1
        if count > _MAX_COUNT:
            raise InputError(f"{what} {text!r}: {count} is too large")
        parts.append((count, unit))
        pos = match.end()
        while pos < len(body) and body[pos].isspace():
            pos += 1
    return parts


def parse_range(text: str) -> Span:
    """`"1y6M"` → `Span(years=1, months=6)`; see the module docstring for the units."""
    counts: dict[str, int] = {}
    last = -1
    for count, unit in _parts(text, "range", _RANGE_HELP):
        key = _RANGE_UNITS.get(unit)
        if key is None:
            if unit in ("m", "분"):
                raise InputError(
                    f"range {text!r}: lower-case m means minutes, for bar intervals only; "
                    "write M for months (6M)"
                )
            raise InputError(f"range {text!r}: unknown unit {unit!r}; {_RANGE_HELP}")
        rank = _RANGE_ORDER.index(key)
        if key in counts:
            raise InputError(f"range {text!r}: {unit!r} appears twice")
        if rank < last:
            raise InputError(f"range {text!r}: write the larger units first (1y6M, not 6M1y)")
        last = rank
        counts[key] = count
    span = Span(counts.get("y", 0), counts.get("M", 0), counts.get("w", 0), counts.get("d", 0))
    if not any(span):
        raise InputError(f"range {text!r} is empty: {_RANGE_HELP}")
    return span


def range_start(text: str, end: date) -> date:
    """The first day of the range `text` ending on `end` (`range_start("1M", 2026-03-31)` is
    2026-02-28). The range includes both days; `end` itself is not moved."""
    return parse_range(text).before(end)


def parse_interval(text: str) -> Interval:
    """`"5m"` → `Interval(MINUTE, 5)`, `"1h"` → `Interval(MINUTE, 60)`, `"1d"` →
    `Interval(DAY)`; see the module docstring."""
    parts = _parts(text, "interval", _INTERVAL_HELP)
    if len(parts) != 1:
        raise InputError(f"interval {text!r}: give one number and one unit; {_INTERVAL_HELP}")
    count, unit = parts[0]
    if count < 1:
        raise InputError(f"interval {text!r} must be at least 1")
    per = _INTERVAL_MINUTES.get(unit)
    if per is not None:
        minutes = count * per
        if minutes > MAX_INTRADAY_MINUTES:
            raise InputError(
                f"interval {text!r} is longer than a session ({MAX_INTRADAY_MINUTES}m); use 1d"
            )
        return Interval(BarPeriod.MINUTE, minutes)
    period = _INTERVAL_PERIODS.get(unit)
    if period is None:
        raise InputError(f"interval {text!r}: unknown unit {unit!r}; {_INTERVAL_HELP}")
    if count != 1:
        raise InputError(
            f"interval {text!r}: daily and longer bars come one period each (1d, 1w, 1M, 1y)"
        )
    return Interval(period)
