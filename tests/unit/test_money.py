"""The KRX tick ladder, daily limits and Decimal parsing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kisbot.domain.money import (
    is_on_tick,
    krx_price_limits,
    krx_tick,
    round_to_tick,
    to_decimal,
    us_tick,
)


@pytest.mark.parametrize(
    ("price", "tick"),
    [
        (1_999, 1),
        (2_000, 5),
        (4_995, 5),
        (5_000, 10),
        (19_990, 10),
        (20_000, 50),
        (49_950, 50),
        (50_000, 100),
        (199_900, 100),
        (200_000, 500),
        (499_500, 500),
        (500_000, 1_000),
        (1_012_000, 1_000),
    ],
)
def test_krx_stock_tick_ladder(price: int, tick: int) -> None:
    assert krx_tick(Decimal(price)) == tick


def test_krx_etf_ticks_are_one_then_five() -> None:
    assert krx_tick(Decimal(1_999), etf=True) == 1
    assert krx_tick(Decimal(35_125), etf=True) == 5
    assert krx_tick(Decimal(126_440), etf=True) == 5


def test_us_tick_is_a_cent_from_one_dollar() -> None:
    assert us_tick(Decimal("228.52")) == Decimal("0.01")
    assert us_tick(Decimal("0.5")) == Decimal("0.0001")


def test_round_to_tick_names_its_direction() -> None:
    assert round_to_tick(Decimal(71_050), Decimal(100)) == 71_000
    assert round_to_tick(Decimal(71_050), Decimal(100), up=True) == 71_100


def test_is_on_tick() -> None:
    assert is_on_tick(Decimal(71_000))
    assert not is_on_tick(Decimal(71_050))
    assert not is_on_tick(Decimal(0))
    assert is_on_tick(Decimal(35_125), etf=True)


def test_price_limits_stay_inside_thirty_percent_on_the_ladder() -> None:
    upper, lower = krx_price_limits(Decimal(71_000))
    assert (upper, lower) == (Decimal(92_300), Decimal(49_700))
    assert upper <= Decimal(71_000) * Decimal("1.3")
    assert lower >= Decimal(71_000) * Decimal("0.7")
    assert is_on_tick(upper)
    assert is_on_tick(lower)


def test_to_decimal_accepts_strings_and_ints_but_never_floats() -> None:
    assert to_decimal("71,000") == Decimal(71_000)
    assert to_decimal(5) == Decimal(5)
    with pytest.raises(TypeError):
        to_decimal(1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not a number"):
        to_decimal("abc")
    with pytest.raises(ValueError, match="finite"):
        to_decimal("NaN")
