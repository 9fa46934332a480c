"""The per-key limiter: a burst stays inside KIS's (and the simulator's) sliding second."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from aiolimiter import AsyncLimiter

from kisbot.kis.auth import KisAuth
from kisbot.kis.limiter import Limiters, RateLimiter
from kisbot.sim.app import Simulator
from tests.kis.conftest import Keys, SimControl, get_price, quiet_settings, sim_client

# KIS's virtual limit is 2/s: 100 quotes would take ~55 s. The simulator and the limiter both
# scale, so the test runs at 50/s (~2.2 s); the property checked (no EGW00201) is the same.
RATE = 50.0


def most_in_one_second(times: list[float]) -> int:
    """The largest number of `times` inside any half-open one-second window."""
    ordered = sorted(times)
    best, start = 0, 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


async def admissions(acquire: Callable[[], Awaitable[None]], count: int) -> list[float]:
    loop = asyncio.get_running_loop()
    times: list[float] = []

    async def one() -> None:
        await acquire()
        times.append(loop.time())

    await asyncio.gather(*(one() for _ in range(count)))
    return times


async def test_100_concurrent_virtual_quotes_meet_no_rate_limit() -> None:
    sim = Simulator(quiet_settings(rate_virtual=RATE))
    keys = Keys()
    async with sim_client(sim) as vts, sim_client(sim, "http://sim.test") as root:
        auth = KisAuth(
            vts,
            env="virtual",
            app_key=keys.app_key,
            app_secret=keys.app_secret,
            limiter=Limiters().get(keys.app_key, RATE),
        )
        async with asyncio.timeout(10):
            responses = await asyncio.gather(*(get_price(vts, auth) for _ in range(100)))
        stats = await SimControl(root).stats(keys.app_key)
    assert [r.status_code for r in responses] == [200] * 100
    assert (stats["rate_limited"], stats["requests"]) == (0, 100)


async def test_requests_leave_evenly_never_more_than_the_rate_in_a_second() -> None:
    limiter = RateLimiter(200)
    async with asyncio.timeout(5):
        times = await admissions(limiter.acquire, 250)
    assert most_in_one_second(times) <= 180  # 200/s with the 0.9 safety factor
    assert 249 / 180 <= max(times) - min(times) < 2 * 249 / 180  # paced, yet not stalled


async def test_a_plain_leaky_bucket_would_burst_past_the_limit() -> None:
    """Why the bucket holds one request: AsyncLimiter(rate, 1) lets ~2x rate into a second."""
    bucket = AsyncLimiter(200, 1)
    async with asyncio.timeout(5):
        times = await admissions(bucket.acquire, 250)
    assert most_in_one_second(times) > 200


async def test_free_and_waiting_describe_the_queue() -> None:
    limiter = RateLimiter(10)
    assert (limiter.free, limiter.waiting) == (1.0, 0)
    await limiter.acquire()
    assert limiter.free < 0.5
    queued = asyncio.gather(limiter.acquire(), limiter.acquire())
    await asyncio.sleep(0)
    assert (limiter.free, limiter.waiting) == (0.0, 2)
    async with asyncio.timeout(2):
        await queued
    assert limiter.waiting == 0


def test_one_limiter_per_app_key() -> None:
    limiters = Limiters()
    first = limiters.get("A" * 36, 2)
    assert limiters.get("A" * 36, 2) is first
    assert limiters.get("B" * 36, 2) is not first
    with pytest.raises(ValueError, match="already paced"):
        limiters.get("A" * 36, 20)
    assert "A" * 8 not in repr(first)


def test_bad_rates_are_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        RateLimiter(0)
    with pytest.raises(ValueError, match="safety"):
        RateLimiter(2, safety=1.5)
