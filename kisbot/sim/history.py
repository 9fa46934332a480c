"""Deterministic price history: years of daily bars and today's minute bars per instrument.

Everything is derived from (seed, symbol), so two simulators with the same seed agree on every
historical bar. Moves are whole ticks on the instrument's ladder, drawn with `random.Random`;
floats only ever size a tick count, never a price.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from functools import lru_cache
from typing import Any

import holidays

from kisbot.domain.money import krx_tick, us_tick
from kisbot.domain.time import KST, NEW_YORK
from kisbot.sim.universe import Instrument

__all__ = [
    "Bar",
    "daily_history",
    "is_trading_day",
    "local_zone",
    "step_price",
    "tick_of",
    "trading_days_back",
]


@dataclass(frozen=True, slots=True)
class Bar:
    """One OHLCV bar; `start` is the bar's local date (daily) or minute (intraday)."""

    start: datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: int
    turnover: Decimal


def tick_of(inst: Instrument, price: Decimal) -> Decimal:
    """The tick size of `inst` at `price`."""
    return krx_tick(price, etf=inst.etf) if inst.domestic else us_tick(price)


_KRW_UNIT = Decimal(1)
_USD_UNIT = Decimal("0.0001")


def step_price(inst: Instrument, price: Decimal, ticks: int) -> Decimal:
    """Move `price` by `ticks` ticks on the ladder, crossing ladder boundaries correctly.

    Jumps a whole ladder segment at a time, so large moves cost a few iterations, not one per
    tick. Never goes below one tick.
    """
    unit = _KRW_UNIT if inst.domestic else _USD_UNIT
    if ticks == 1:  # the common case (books, the walk): no segment arithmetic
        return price + tick_of(inst, price)
    if ticks == -1:
        tick = tick_of(inst, price - unit)
        return price - tick if price - tick > 0 else price
    left = abs(ticks)
    while left:
        if ticks > 0:
            tick = tick_of(inst, price)
            edge = _segment_top(inst, price)
            room = int((edge - price) / tick) if edge is not None else left
            take = max(1, min(left, room))
            price += tick * take
        else:
            tick = tick_of(inst, price - unit)
            if price - tick <= 0:
                break
            floor = _segment_bottom(inst, price - unit)
            room = int((price - floor) / tick) if floor is not None else left
            take = max(1, min(left, room))
            if price - tick * take <= 0:
                take = int((price - unit) / tick)
                if take <= 0:
                    break
            price -= tick * take
        left -= take
    return price


def _segment_top(inst: Instrument, price: Decimal) -> Decimal | None:
    """The price where the tick size next changes going up (None: never)."""
    if not inst.domestic:
        return Decimal(1) if price < 1 else None
    ladder = (
        (Decimal(2_000),)
        if inst.etf
        else (
            Decimal(2_000),
            Decimal(5_000),
            Decimal(20_000),
            Decimal(50_000),
            Decimal(200_000),
            Decimal(500_000),
        )
    )
    for edge in ladder:
        if price < edge:
            return edge
    return None


def _segment_bottom(inst: Instrument, price: Decimal) -> Decimal | None:
    """The lowest price with the same tick size as `price` (None: zero)."""
    if not inst.domestic:
        return Decimal(1) if price >= 1 else None
    ladder = (
        (Decimal(2_000),)
        if inst.etf
        else (
            Decimal(500_000),
            Decimal(200_000),
            Decimal(50_000),
            Decimal(20_000),
            Decimal(5_000),
            Decimal(2_000),
        )
    )
    for edge in sorted(ladder, reverse=True):
        if price >= edge:
            return edge
    return None


def local_zone(inst: Instrument) -> Any:
    return KST if inst.domestic else NEW_YORK


@lru_cache(maxsize=16)
def _calendar(domestic: bool, year: int) -> Any:
    return holidays.financial_holidays("XKRX" if domestic else "NYSE", years=year)


def is_trading_day(inst_domestic: bool, day: date) -> bool:
    """True on a weekday that is not an exchange holiday (KRX or NYSE calendar)."""
    return day.weekday() < 5 and day not in _calendar(inst_domestic, day.year)


def trading_days_back(domestic: bool, before: date, count: int) -> list[date]:
    """The `count` trading days strictly before `before`, oldest first."""
    days: list[date] = []
    day = before - timedelta(days=1)
    while len(days) < count:
        if is_trading_day(domestic, day):
            days.append(day)
        day -= timedelta(days=1)
    days.reverse()
    return days


def _rng(seed: int, symbol: str, salt: str) -> random.Random:
    return random.Random(f"{seed}:{symbol}:{salt}")


def _volume_base(inst: Instrument) -> int:
    # about 0.3% of listed shares trade a day, at least a few thousand
    return max(5_000, inst.listed_shares // 300)


def _bar_around(
    inst: Instrument,
    rng: random.Random,
    start: datetime,
    open_: Decimal,
    close: Decimal,
    volume: int,
) -> Bar:
    high = max(open_, close)
    low = min(open_, close)
    high = step_price(inst, high, rng.choice((0, 0, 1, 1, 2, 3)))
    low = step_price(inst, low, -rng.choice((0, 0, 1, 1, 2, 3)))
    mid = (high + low) / 2
    turnover = (mid * volume).quantize(Decimal(1), rounding=ROUND_DOWN)
    return Bar(start, open_, high, low, close, volume, turnover)


def _ticks_for(inst: Instrument, price: Decimal, rng: random.Random, vol: float) -> int:
    tick = tick_of(inst, price)
    sigma = float(price) * vol / float(tick)
    return round(rng.gauss(0.0, 1.0) * sigma)


@lru_cache(maxsize=256)
def _history(seed: int, inst: Instrument, end: date, years: int) -> tuple[Bar, ...]:
    domestic = inst.domestic
    days = trading_days_back(domestic, end, max(1, years) * 252)
    rng = _rng(seed, inst.symbol, "daily")
    vol = 0.021 if domestic else 0.018
    # walk backwards from the reference price, which is the last close before `end`
    closes: list[Decimal] = [inst.reference_price]
    for _ in range(len(days) - 1):
        cur = closes[-1]
        ticks = _ticks_for(inst, cur, rng, vol)
        # keep within ±29% a day and within a sane band around the reference
        prev = step_price(inst, cur, -ticks)
        if prev <= inst.reference_price / 6 or prev >= inst.reference_price * 4:
            prev = step_price(inst, cur, ticks)
        if abs(prev - cur) > cur * Decimal("0.29"):
            prev = cur
        closes.append(prev)
    closes.reverse()
    zone = local_zone(inst)
    base_vol = _volume_base(inst)
    bars: list[Bar] = []
    prev_close = closes[0]
    for day, close in zip(days, closes, strict=True):
        open_ = step_price(inst, prev_close, rng.randint(-3, 3))
        volume = max(100, int(base_vol * rng.lognormvariate(0.0, 0.45)))
        start = datetime(day.year, day.month, day.day, tzinfo=zone)
        bars.append(_bar_around(inst, rng, start, open_, close, volume))
        prev_close = close
    return tuple(bars)


def daily_history(seed: int, inst: Instrument, end: date, years: int) -> tuple[Bar, ...]:
    """Daily bars for the `years` years of trading days before `end`, oldest first.

    The last bar's close is the instrument's reference price (the simulator's previous close).
    """
    return _history(seed, inst, end, years)


def minute_path(
    seed: int,
    inst: Instrument,
    start_price: Decimal,
    minutes: list[datetime],
) -> Iterator[Bar]:
    """Seeded minute bars over `minutes`, starting at `start_price`, each moving a few ticks."""
    rng = _rng(seed, inst.symbol, f"minutes:{minutes[0].date() if minutes else ''}")
    price = start_price
    base = max(10, _volume_base(inst) // 390)
    for minute in minutes:
        open_ = price
        close = step_price(inst, price, rng.choice((-2, -1, -1, 0, 0, 0, 1, 1, 2)))
        volume = max(1, int(base * rng.lognormvariate(0.0, 0.6)))
        yield _bar_around(inst, rng, minute, open_, close, volume)
        price = close
