"""The KIS client's foundation against the simulator, in-process (ASGI, no sockets).

`vts` is an AsyncClient aimed at the simulator's virtual (모의투자) side, as a configured
`rest_url` of `http://HOST:PORT/vts` would be; `control` drives the simulator's `/sim/` API;
`clock` is a `FakeClock` whose sleeps move the simulator's clock too, so waiting out KIS's
token window takes no time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from kisbot.kis.auth import KisAuth, TokenStore
from kisbot.kis.endpoints import endpoint
from kisbot.sim.app import Simulator
from kisbot.sim.config import SimSettings
from tests.fakes import FakeClock
from tests.kisraw import new_appkey, new_appsecret

SIM_URL = "http://sim.test"
VTS_URL = f"{SIM_URL}/vts"
PRICE = endpoint("price")
BUY = endpoint("buy")
ACCOUNT = "50000000-01"


def quiet_settings(**changes: Any) -> SimSettings:
    """Deterministic and quick: no random walk, one year of history, no limits unless asked."""
    options: dict[str, Any] = {
        "seed": 7,
        "walk": False,
        "tick_interval": 0,
        "rate_real": 0,
        "rate_virtual": 0,
        "ping_interval": 3600,
        "history_years": 1,
    }
    return SimSettings(**{**options, **changes})


@pytest.fixture
def sim_settings() -> SimSettings:
    return quiet_settings()


def sim_client(sim: Simulator, base_url: str = VTS_URL) -> httpx.AsyncClient:
    """A fresh AsyncClient on the in-process simulator (what a restarted bot would open)."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sim.app), base_url=base_url, timeout=10
    )


@dataclass(frozen=True)
class Keys:
    app_key: str = field(default_factory=new_appkey)
    app_secret: str = field(default_factory=new_appsecret, repr=False)


@dataclass
class SimControl:
    """The simulator's control API (`/sim/…`), as a test sees it."""

    http: httpx.AsyncClient

    async def stats(self, app_key: str) -> dict[str, int]:
        """Per-key counters: token_requests, tokens_minted, throttled, rate_limited, …"""
        body = (await self.http.get("/sim/stats")).json()
        masked = app_key[:6] + "…" + app_key[-4:]
        found: dict[str, int] = body["keys"].get(masked, {})
        return found

    async def requests_by_tr(self, tr_id: str) -> int:
        body = (await self.http.get("/sim/stats")).json()
        count: int = body["requests_by_tr"].get(tr_id, 0)
        return count

    async def advance(self, seconds: float) -> None:
        """Move the simulator's clock only (not ours)."""
        response = await self.http.post("/sim/clock", json={"advance": seconds})
        assert response.status_code == 200, response.text

    async def fault(self, tr_id: str, msg_cd: str, *, status: int = 500, count: int = 1) -> None:
        response = await self.http.post(
            "/sim/faults",
            json={"tr_id": tr_id, "msg_cd": msg_cd, "status": status, "count": count},
        )
        assert response.status_code == 200, response.text

    async def orders(self, env: str = "virtual") -> list[dict[str, Any]]:
        orders: list[dict[str, Any]] = (
            await self.http.get("/sim/orders", params={"env": env})
        ).json()["orders"]
        return orders


@pytest.fixture
def control(http: httpx.AsyncClient) -> SimControl:
    return SimControl(http)


@pytest.fixture
async def vts(sim: Simulator) -> AsyncIterator[httpx.AsyncClient]:
    async with sim_client(sim) as client:
        yield client


@pytest.fixture
def keys() -> Keys:
    return Keys()


@pytest.fixture
def store(tmp_path: Any) -> TokenStore:
    return TokenStore(tmp_path / "tokens")


@pytest.fixture
def clock(sim: Simulator) -> FakeClock:
    return FakeClock(on_sleep=sim.clock.advance)


MakeAuth = Callable[..., KisAuth]


@pytest.fixture
def make_auth(vts: httpx.AsyncClient, keys: Keys, store: TokenStore, clock: FakeClock) -> MakeAuth:
    """A KisAuth for the test's virtual key; keyword arguments replace the defaults."""

    def make(http: httpx.AsyncClient = vts, **overrides: Any) -> KisAuth:
        options: dict[str, Any] = {
            "env": "virtual",
            "app_key": keys.app_key,
            "app_secret": keys.app_secret,
            "store": store,
            "clock": clock,
            **overrides,
        }
        return KisAuth(http, **options)

    return make


async def get_price(
    http: httpx.AsyncClient, auth: KisAuth, symbol: str = "005930"
) -> httpx.Response:
    """GET the domestic current price (FHKST01010100) through `auth`."""
    return await http.get(
        PRICE.path,
        params={"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": symbol},
        headers={"tr_id": PRICE.real},
        auth=auth,
    )


async def post_buy(http: httpx.AsyncClient, auth: KisAuth) -> httpx.Response:
    """POST a one-share limit buy of 005930 (VTTC0012U) through `auth`."""
    cano, product = ACCOUNT.split("-")
    tr_id = BUY.tr_id("virtual")
    assert tr_id is not None
    return await http.post(
        BUY.path,
        json={
            "CANO": cano,
            "ACNT_PRDT_CD": product,
            "PDNO": "005930",
            "ORD_DVSN": "00",
            "ORD_QTY": "1",
            "ORD_UNPR": "70000",
        },
        headers={"tr_id": tr_id},
        auth=auth,
    )
