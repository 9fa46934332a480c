"""Shared fixtures: the simulator in-process (ASGI, no sockets) or on loopback sockets."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from kisbot.sim.app import Simulator
from kisbot.sim.config import SimSettings
from kisbot.sim.server import SimServer
from tests.kisraw import RawKis


@pytest.fixture
def sim_settings() -> SimSettings:
    """Deterministic and quiet: no random walk, no rate limits unless a test asks for them."""
    return SimSettings(
        seed=7, walk=False, tick_interval=0, rate_real=0, rate_virtual=0, ping_interval=3600
    )


@pytest.fixture
def sim(sim_settings: SimSettings) -> Simulator:
    return Simulator(sim_settings)


@pytest.fixture
async def http(sim: Simulator) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=sim.app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://sim.test", timeout=10
    ) as client:
        yield client


@pytest.fixture
async def virtual(http: httpx.AsyncClient) -> RawKis:
    """A logged-in virtual (모의투자) client with a fresh app key and account."""
    return await RawKis(http, env="virtual").login()


@pytest.fixture
async def real(http: httpx.AsyncClient) -> RawKis:
    """A logged-in real (실전) client with a fresh app key and account."""
    return await RawKis(http, env="real", account="60000000-01").login()


@pytest.fixture
async def sim_server(sim_settings: SimSettings) -> AsyncIterator[SimServer]:
    """The simulator on loopback sockets (for websocket tests)."""
    async with SimServer(sim_settings) as server:
        yield server
