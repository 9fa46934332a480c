"""Money helpers: Decimal parsing, the KRX tick ladder (호가단위) and daily price limits.

Every quantize names its rounding mode. Floats are refused: money is `Decimal | str | int`.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, Decimal, InvalidOperation
from typing import Final

__all__ = [
    "DAILY_LIMIT_RATE",
    "KRX_ETF_TICKS",
    "KRX_STOCK_TICKS",
    "US_CENT",
    "is_on_tick",
    "krx_price_limits",
    "krx_tick",
    "round_to_tick",
    "to_decimal",
]

MoneyLike = Decimal | str | int

# KRX tick ladder for stocks since 2023-01-25 (KOSPI and KOSDAQ share it): (price below, tick).
KRX_STOCK_TICKS: Final[tuple[tuple[Decimal, Decimal], ...]] = (
    (Decimal(2_000), Decimal(1)),
    (Decimal(5_000), Decimal(5)),
    (Decimal(20_000), Decimal(10)),
    (Decimal(50_000), Decimal(50)),
    (Decimal(200_000), Decimal(100)),
    (Decimal(500_000), Decimal(500)),
)
KRX_STOCK_TOP_TICK: Final = Decimal(1_000)
# ETFs and ETNs: 1 won below 2,000, 5 won from there on.
KRX_ETF_TICKS: Final[tuple[tuple[Decimal, Decimal], ...]] = ((Decimal(2_000), Decimal(1)),)
KRX_ETF_TOP_TICK: Final = Decimal(5)
US_CENT: Final = Decimal("0.01")
US_SUB_DOLLAR_TICK: Final = Decimal("0.0001")
DAILY_LIMIT_RATE: Final = Decimal("0.30")


def to_decimal(value: MoneyLike) -> Decimal:
    """Parse money from a Decimal, a string ("71,000" allowed) or an int; never a float."""
    if isinstance(value, bool | float):
        raise TypeError("money must be Decimal, str or int, never float or bool")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    text = value.strip().replace(",", "")
    try:
        result = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None
    if not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return result


def krx_tick(price: Decimal, *, etf: bool = False) -> Decimal:
    """The KRX tick size at `price` (stocks, or ETFs/ETNs with `etf=True`)."""
    ladder, top = (
        (KRX_ETF_TICKS, KRX_ETF_TOP_TICK) if etf else (KRX_STOCK_TICKS, KRX_STOCK_TOP_TICK)
    )
    for below, tick in ladder:
        if price < below:
            return tick
    return top


def us_tick(price: Decimal) -> Decimal:
    """US equities: one cent from $1, 1/100 cent below."""
    return US_CENT if price >= 1 else US_SUB_DOLLAR_TICK


def round_to_tick(price: Decimal, tick: Decimal, *, up: bool = False) -> Decimal:
    """Round `price` down (or up) to a multiple of `tick`."""
    steps = (price / tick).to_integral_value(rounding=ROUND_CEILING if up else ROUND_FLOOR)
    return (steps * tick).quantize(tick, rounding=ROUND_DOWN)


def is_on_tick(price: Decimal, *, etf: bool = False) -> bool:
    """True when `price` is a valid KRX order price (a positive multiple of its tick)."""
    if price <= 0:
        return False
    return price % krx_tick(price, etf=etf) == 0


def krx_price_limits(base: Decimal, *, etf: bool = False) -> tuple[Decimal, Decimal]:
    """Upper and lower daily price limits (상한가, 하한가) from the base price, ±30% on the ladder.

    The upper limit rounds down to its tick and the lower limit up, so both stay inside ±30%.
    """
    raw_up = base * (1 + DAILY_LIMIT_RATE)
    raw_down = base * (1 - DAILY_LIMIT_RATE)
    upper = round_to_tick(raw_up, krx_tick(raw_up, etf=etf))
    lower = round_to_tick(raw_down, krx_tick(raw_down, etf=etf), up=True)
    return upper, max(lower, Decimal(1))
