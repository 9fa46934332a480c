"""Minute bars, order books, product info and trading hours against the simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import holidays
import pytest
from pydantic import SecretStr

from kisbot.config import KisSettings
from kisbot.domain.bars import resample_minutes
from kisbot.domain.errors import InputError
from kisbot.domain.models import Bar, Market
from kisbot.domain.time import KST, NEW_YORK
from kisbot.kis.client import KisClient
from kisbot.kis.errors import KisNoService, KisNotFound
from kisbot.kis.hosts import Env
from kisbot.kis.market import (
    Session,
    fetch_minute_bars,
    fetch_orderbook,
    fetch_product,
    fetch_trading_hours,
)
from kisbot.sim.app import Simulator
from kisbot.sim.clock import SimClock
from tests.fakes import FakeClock
from tests.kis.conftest import SIM_URL, VTS_URL, Keys, SimControl, quiet_settings, sim_client

KRX_AFTERNOON = datetime(2026, 11, 24, 14, 0, tzinfo=KST)  # a Tuesday, mid-session
NEW_YORK_AFTERNOON = datetime(2026, 11, 24, 14, 0, tzinfo=NEW_YORK)

Connect = Callable[..., AbstractAsyncContextManager[KisClient]]


def simulator_at(when: datetime) -> Simulator:
    return Simulator(quiet_settings(), SimClock(when))


@pytest.fixture
def sim() -> Simulator:
    return simulator_at(KRX_AFTERNOON)


def client_settings(tmp_path: Path, env: Env = "real", **changes: Any) -> KisSettings:
    """Settings for a fresh key on the simulator's real side (or its virtual side)."""
    keys = Keys()
    options: dict[str, Any] = {
        "env": env,
        "app_key": SecretStr(keys.app_key),
        "app_secret": SecretStr(keys.app_secret),
        "account": "60000000-01" if env == "real" else "50000000-01",
        "rest_url": SIM_URL if env == "real" else VTS_URL,
        "token_dir": tmp_path / "tokens",
        "rate_limit": 1000,
    }
    return KisSettings(**{**options, **changes})


def sim_clock(sim: Simulator) -> FakeClock:
    """Our clock, starting at the simulator's now and moving it along."""
    return FakeClock(sim.clock.now(), on_sleep=sim.clock.advance)


@pytest.fixture
def connect(tmp_path: Path) -> Connect:
    """`async with connect(sim, env="real") as kis`: a client whose clock agrees with `sim`."""

    @asynccontextmanager
    async def open_client(sim: Simulator, env: Env = "real") -> AsyncIterator[KisClient]:
        settings = client_settings(tmp_path, env)
        async with (
            sim_client(sim, SIM_URL) as http,
            KisClient(http, settings, clock=sim_clock(sim)) as kis,
        ):
            yield kis

    return open_client


def domain_bars(sim: Simulator, symbol: str) -> list[Bar]:
    return [
        Bar(b.start, b.open, b.high, b.low, b.close, b.volume, b.turnover)
        for b in sim.exchange.state(symbol).minutes
    ]


def ohlcv(bars: list[Bar]) -> list[tuple[Any, ...]]:
    return [(b.start, b.open, b.high, b.low, b.close, b.volume) for b in bars]


# ------------------------------------------------------------------------------ minute bars


@pytest.mark.parametrize("minutes", [1, 5, 30])
async def test_krx_minute_bars_are_the_exchange_minutes_widened(
    sim: Simulator, connect: Connect, minutes: int
) -> None:
    async with connect(sim, env="virtual") as kis:
        bars = await fetch_minute_bars(kis, "005930", interval_minutes=minutes)
    expected = resample_minutes(domain_bars(sim, "005930"), minutes, time(9, 0))
    assert bars == expected  # OHLC, summed volume and turnover, oldest first
    assert all(b.turnover is not None and b.turnover > 0 for b in bars)
    assert len(bars) == {1: 390, 5: 78, 30: 13}[minutes]
    if minutes == 30:  # the sim's day starts 07:30: buckets count back from 09:00
        assert [b.start.strftime("%H:%M") for b in bars[:4]] == ["07:30", "08:00", "08:30", "09:00"]


async def test_krx_minute_bars_since_stop_paging_early(
    sim: Simulator, connect: Connect, control: SimControl
) -> None:
    since = KRX_AFTERNOON - timedelta(minutes=45)
    async with connect(sim, env="virtual") as kis:
        bars = await fetch_minute_bars(kis, "005930", interval_minutes=15, since=since)
    expected = resample_minutes(domain_bars(sim, "005930"), 15, time(9, 0))
    assert bars == [b for b in expected if b.start >= since]
    assert [b.start.strftime("%H:%M") for b in bars] == ["13:15", "13:30", "13:45"]
    assert await control.requests_by_tr("FHKST03010200") == 2


@pytest.mark.parametrize("minutes", [1, 5, 60])
async def test_us_minute_bars_are_the_latest_session_aligned_to_the_open(
    connect: Connect, minutes: int
) -> None:
    sim = simulator_at(NEW_YORK_AFTERNOON)
    async with connect(sim) as kis:
        bars = await fetch_minute_bars(kis, "AAPL", interval_minutes=minutes)
    expected = resample_minutes(domain_bars(sim, "AAPL"), minutes, time(9, 30))
    assert ohlcv(bars) == ohlcv(expected)
    assert bars[0].start == datetime(2026, 11, 24, 7, 30, tzinfo=NEW_YORK)  # the sim's first
    if minutes == 60:  # hourly bars read 09:30, 10:30, …
        assert [b.start.strftime("%H:%M") for b in bars][2:] == [
            "09:30",
            "10:30",
            "11:30",
            "12:30",
            "13:30",
        ]


async def test_minute_bars_refuse_bad_input_and_unknown_symbols(
    sim: Simulator, connect: Connect
) -> None:
    async with connect(sim) as kis:
        with pytest.raises(InputError, match="1 to 390"):
            await fetch_minute_bars(kis, "005930", interval_minutes=0)
        with pytest.raises(ValueError, match="timezone-aware"):
            await fetch_minute_bars(kis, "005930", since=datetime(2026, 11, 24, 9, 0))
        with pytest.raises(KisNotFound):
            await fetch_minute_bars(kis, "999999")
    async with connect(sim, env="virtual") as kis:
        with pytest.raises(KisNoService, match="real_app_key"):
            await fetch_minute_bars(kis, "AAPL")


# ------------------------------------------------------------------------------ order books


@pytest.mark.parametrize("symbol", ["005930", "AAPL"])
async def test_order_book_levels_are_the_exchange_book(
    sim: Simulator, connect: Connect, symbol: str
) -> None:
    async with connect(sim) as kis:
        book = await fetch_orderbook(kis, symbol)
    want = sim.exchange.book(symbol)
    assert [(lv.price, lv.qty) for lv in book.asks] == [(lv.price, lv.qty) for lv in want.asks]
    assert [(lv.price, lv.qty) for lv in book.bids] == [(lv.price, lv.qty) for lv in want.bids]
    assert len(book.asks) == len(book.bids) == 10
    assert book.asks[0].price > book.bids[0].price  # best first on both sides
    assert book.bids[0].price == sim.exchange.state(symbol).last
    assert book.total_ask_qty == sum(lv.qty for lv in want.asks)
    assert book.total_bid_qty == sum(lv.qty for lv in want.bids)
    assert book.time == want.time.replace(microsecond=0)  # KIS sends HHMMSS


async def test_order_book_of_an_unknown_code_is_not_found(sim: Simulator, connect: Connect) -> None:
    async with connect(sim) as kis:
        with pytest.raises(KisNotFound):
            await fetch_orderbook(kis, "999999")


# ---------------------------------------------------------------------------------- products


@pytest.mark.parametrize(
    ("symbol", "market", "name", "name_en", "kind"),
    [
        ("005930", Market.KRX, "삼성전자", "Samsung Electronics", "stock"),
        ("069500", Market.KRX, "KODEX 200", "KODEX 200", "etf"),
        ("aapl", Market.NASDAQ, "애플", "APPLE INC", "stock"),
        ("SPY", Market.AMEX, "SPDR S&P500 ETF", "SPDR S&P 500 ETF TRUST", "etf"),
    ],
)
async def test_product_info_names_in_korean_and_english(
    sim: Simulator,
    connect: Connect,
    symbol: str,
    market: Market,
    name: str,
    name_en: str,
    kind: str,
) -> None:
    async with connect(sim) as kis:
        product = await fetch_product(kis, symbol)
    assert (product.symbol, product.market) == (symbol.upper(), market)
    assert (product.name, product.name_en, product.kind) == (name, name_en, kind)


async def test_product_info_needs_the_real_side(sim: Simulator, connect: Connect) -> None:
    async with connect(sim, env="virtual") as kis:
        with pytest.raises(KisNoService):
            await fetch_product(kis, "005930")
    async with connect(sim) as kis:
        with pytest.raises(KisNotFound):
            await fetch_product(kis, "999999")


# ----------------------------------------------------------------------------- trading hours


def krx_holiday(year: int) -> date:
    """A weekday the KRX is closed, from the holidays package."""
    closed = holidays.financial_holidays("XKRX", years=year)
    return next(day for day in sorted(closed) if day.weekday() < 5 and day.month >= 9)


@pytest.mark.parametrize("env", ["real", "virtual"])  # KIS's chk-holiday, or the package
async def test_krx_hours_on_a_trading_day_and_a_holiday(
    sim: Simulator, connect: Connect, control: SimControl, env: str
) -> None:
    holiday = krx_holiday(2026)
    calendar: dict[date, bool] = {}
    async with connect(sim, env=env) as kis:
        hours = await fetch_trading_hours(kis, Market.KRX, date(2026, 11, 24), calendar=calendar)
        closed = await fetch_trading_hours(kis, Market.KRX, holiday, calendar=calendar)
        today = await fetch_trading_hours(kis, Market.KRX, calendar=calendar)
    assert hours.trading_day
    assert (hours.open, hours.close) == (
        datetime(2026, 11, 24, 9, 0, tzinfo=KST),
        datetime(2026, 11, 24, 15, 30, tzinfo=KST),
    )
    assert hours.is_open(KRX_AFTERNOON)
    assert not hours.is_open(KRX_AFTERNOON.replace(hour=16))
    assert not closed.trading_day
    assert not closed.is_open(datetime.combine(holiday, time(10), tzinfo=KST))
    assert today.day == date(2026, 11, 24)
    if env == "real":  # one chk-holiday answer covers 24 days; the calendar keeps them
        assert len(calendar) >= 24
        assert await control.requests_by_tr("CTCA0903R") == 2
    else:
        assert calendar == {}
        assert await control.requests_by_tr("CTCA0903R") == 0


async def test_us_hours_in_korean_time_across_daylight_saving(
    sim: Simulator, connect: Connect
) -> None:
    good_friday = next(
        d for d, name in holidays.financial_holidays("NYSE", years=2026).items() if "Good" in name
    )
    async with connect(sim) as kis:
        before = await fetch_trading_hours(kis, Market.NYSE, date(2026, 3, 6))  # EST
        after = await fetch_trading_hours(kis, Market.NASDAQ, date(2026, 3, 9))  # EDT
        closed = await fetch_trading_hours(kis, Market.AMEX, good_friday)
        custom = await fetch_trading_hours(
            kis, Market.KRX, date(2026, 11, 19), session=Session(time(10), time(16, 30), KST)
        )
    assert (before.open, before.close) == (
        datetime(2026, 3, 6, 23, 30, tzinfo=KST),
        datetime(2026, 3, 7, 6, 0, tzinfo=KST),
    )
    assert (after.open, after.close) == (
        datetime(2026, 3, 9, 22, 30, tzinfo=KST),
        datetime(2026, 3, 10, 5, 0, tzinfo=KST),
    )
    assert before.trading_day
    assert after.trading_day
    assert not closed.trading_day
    assert custom.open == datetime(2026, 11, 19, 10, 0, tzinfo=KST)
    assert custom.trading_day


async def test_markets_without_known_sessions_say_so(sim: Simulator, connect: Connect) -> None:
    async with connect(sim) as kis:
        with pytest.raises(KisNoService, match="TOKYO"):
            await fetch_trading_hours(kis, Market.TOKYO, date(2026, 3, 9))
