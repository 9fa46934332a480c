"""How fast the simulator serves: REST requests/s and websocket frames/s, on this machine.

Run: `.venv/bin/python benchmarks/sim_throughput.py [--seconds 3] [--concurrency 16]`

Machines here are noisy, so every number is printed next to a baseline measured in the same
run on the same server:
- REST: KIS current-price requests (auth, TR check, rate limiter, envelope, 82 fields) against
  `GET /sim/health` (the same uvicorn, no KIS work);
- websocket: H0STCNT0 frames delivered to a subscribed client against plain text frames pushed
  by a bare `websockets` server on the same loop.
It is a script, not a test: the test suite never waits on it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time

import httpx
from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve

from kisbot.sim.config import SimSettings
from kisbot.sim.server import SimServer

PRICE = "/uapi/domestic-stock/v1/quotations/inquire-price"
APPKEY = "PSBENCH" + "0" * 29
APPSECRET = "b" * 180


async def _login(client: httpx.AsyncClient) -> dict[str, str]:
    """Issue a token on the real side and return the headers a KIS GET needs (minus tr_id)."""
    response = await client.post(
        "/oauth2/tokenP",
        json={"grant_type": "client_credentials", "appkey": APPKEY, "appsecret": APPSECRET},
    )
    response.raise_for_status()
    return {
        "authorization": f"Bearer {response.json()['access_token']}",
        "appkey": APPKEY,
        "appsecret": APPSECRET,
        "custtype": "P",
    }


async def _approval(client: httpx.AsyncClient) -> str:
    response = await client.post(
        "/oauth2/Approval",
        json={"grant_type": "client_credentials", "appkey": APPKEY, "secretkey": APPSECRET},
    )
    response.raise_for_status()
    return str(response.json()["approval_key"])


async def _hammer(
    client: httpx.AsyncClient, make: object, seconds: float, concurrency: int
) -> float:
    deadline = time.perf_counter() + seconds
    done = 0

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            response = await make(client)  # type: ignore[operator]
            assert response.status_code == 200, response.text
            done += 1

    started = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for _ in range(concurrency):
            group.create_task(worker())
    return done / (time.perf_counter() - started)


async def rest(server: SimServer, seconds: float, concurrency: int) -> tuple[float, float]:
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=server.rest_url, limits=limits, timeout=10) as client:
        headers = {**await _login(client), "tr_id": "FHKST01010100"}
        params = {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"}

        async def quote(c: httpx.AsyncClient) -> httpx.Response:
            return await c.get(PRICE, params=params, headers=headers)

        async def health(c: httpx.AsyncClient) -> httpx.Response:
            return await c.get("/sim/health")

        base = await _hammer(client, health, seconds, concurrency)
        kis_rate = await _hammer(client, quote, seconds, concurrency)
    return kis_rate, base


async def websocket_frames(server: SimServer, seconds: float) -> float:
    async with httpx.AsyncClient(base_url=server.rest_url, timeout=10) as client:
        approval = await _approval(client)
    ex = server.sim.exchange
    symbols = [s for s in ("005930", "000660", "035420", "005380", "000270", "035720")]
    received = 0
    async with connect(server.ws_url + "/tryitout", ping_interval=None, max_size=2**22) as ws:
        for symbol in symbols:
            await ws.send(
                json.dumps(
                    {
                        "header": {
                            "approval_key": approval,
                            "custtype": "P",
                            "tr_type": "1",
                            "content-type": "utf-8",
                        },
                        "body": {"input": {"tr_id": "H0STCNT0", "tr_key": symbol}},
                    }
                )
            )
            await ws.recv()
        stop = time.perf_counter() + seconds

        async def produce() -> None:
            price_step = 0
            while time.perf_counter() < stop:
                for symbol in symbols:
                    state = ex.state(symbol)
                    price_step = 1 - price_step
                    ex.trade(symbol, state.last + state.tick * (1 if price_step else -1))
                await asyncio.sleep(0)

        producer = asyncio.create_task(produce())
        started = time.perf_counter()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds + 2):
                while time.perf_counter() < stop or not producer.done():
                    frame = await ws.recv()
                    if isinstance(frame, str) and frame.startswith("0|H0STCNT0|"):
                        received += int(frame.split("|", 3)[2])
        await producer
        elapsed = time.perf_counter() - started
    return received / elapsed


async def bare_websocket_frames(seconds: float) -> float:
    record = "^".join(["005930", "093015", "71000"] + ["0"] * 43)
    frame = f"0|H0STCNT0|001|{record}"

    async def handler(connection: ServerConnection) -> None:
        stop = time.perf_counter() + seconds
        while time.perf_counter() < stop:
            await connection.send(frame)
        await connection.close()

    received = 0
    async with serve(handler, "127.0.0.1", 0, ping_interval=None) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        started = time.perf_counter()
        async with connect(f"ws://127.0.0.1:{port}", ping_interval=None) as ws:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(seconds + 2):
                    async for _ in ws:
                        received += 1
        elapsed = time.perf_counter() - started
    return received / elapsed


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    settings = SimSettings(seed=1, walk=False, tick_interval=0, rate_real=0, rate_virtual=0)
    async with SimServer(settings) as server:
        kis_rate, base = await rest(server, args.seconds, args.concurrency)
        print(
            f"REST  inquire-price   {kis_rate:9.0f} req/s   "
            f"baseline /sim/health {base:9.0f} req/s   ratio {kis_rate / base:.2f}"
        )
        frames = await websocket_frames(server, args.seconds)
    bare = await bare_websocket_frames(args.seconds)
    print(
        f"WS    H0STCNT0 frames {frames:9.0f} rec/s   "
        f"baseline bare server {bare:9.0f} frm/s   ratio {frames / bare:.2f}"
    )


if __name__ == "__main__":
    asyncio.run(main())
