"""Serving the simulator on sockets: REST (uvicorn) on one port, the websocket on another.

```python
async with SimServer(SimSettings(seed=7)) as server:
    server.rest_url        # "http://127.0.0.1:PORT"        (real)
    server.vts_rest_url    # "http://127.0.0.1:PORT/vts"    (virtual, 모의투자)
    server.ws_url          # "ws://127.0.0.1:WSPORT"        (real; /tryitout also accepted)
    server.vts_ws_url      # "ws://127.0.0.1:WSPORT/vts"
```
Ports 0 mean "any free port". The random walk and the PINGPONG heartbeat run as tasks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Generator
from types import TracebackType
from typing import Self

import uvicorn
from websockets.asyncio.server import Server, serve

from kisbot.sim.app import Simulator
from kisbot.sim.clock import SimClock
from kisbot.sim.config import SimSettings

__all__ = ["SimServer"]

logger = logging.getLogger(__name__)

STARTUP_TIMEOUT = 10.0


class SimServer:
    """The simulator on real sockets, as an async context manager."""

    def __init__(self, settings: SimSettings | None = None, clock: SimClock | None = None) -> None:
        self.settings = settings or SimSettings()
        self.sim = Simulator(self.settings, clock)
        self._uvicorn: uvicorn.Server | None = None
        self._ws_server: Server | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.port = 0
        self.ws_port = 0

    @property
    def host(self) -> str:
        return self.settings.host

    @property
    def rest_url(self) -> str:
        return f"http://{_url_host(self.host)}:{self.port}"

    @property
    def vts_rest_url(self) -> str:
        return f"{self.rest_url}/vts"

    @property
    def ws_url(self) -> str:
        return f"ws://{_url_host(self.host)}:{self.ws_port}"

    @property
    def vts_ws_url(self) -> str:
        return f"{self.ws_url}/vts"

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        config = uvicorn.Config(
            self.sim.app,
            host=self.host,
            port=self.settings.port,
            lifespan="off",
            log_level="warning",
            access_log=False,
            ws="none",
        )
        server = _EmbeddedServer(config)
        self._uvicorn = server
        self._tasks.append(asyncio.create_task(server.serve(), name="sim-rest"))
        async with asyncio.timeout(STARTUP_TIMEOUT):
            while not server.started:
                if self._tasks[0].done():
                    self._tasks[0].result()
                    raise RuntimeError("the simulator's REST server stopped while starting")
                await asyncio.sleep(0.01)
        self.port = server.servers[0].sockets[0].getsockname()[1]
        self._ws_server = await serve(
            self.sim.ws.handler,
            self.host,
            self.settings.ws_port,
            process_request=self.sim.ws.process_request,
            ping_interval=None,
            max_size=2**20,
        )
        self.ws_port = next(iter(self._ws_server.sockets)).getsockname()[1]
        self._tasks.append(asyncio.create_task(self._walk(), name="sim-walk"))
        self._tasks.append(asyncio.create_task(self.sim.ws.ping_forever(), name="sim-ping"))

    async def stop(self) -> None:
        for task in self._tasks[1:]:
            task.cancel()
        for task in self._tasks[1:]:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._ws_server is not None:
            await self.sim.ws.drop_all()
            self._ws_server.close()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(5):
                    await self._ws_server.wait_closed()
        if self._uvicorn is not None:
            self._uvicorn.should_exit = True
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(5):
                    await self._tasks[0]
        self._tasks.clear()

    async def _walk(self) -> None:
        interval = self.settings.tick_interval
        if interval <= 0:
            return
        ex = self.sim.exchange
        while True:
            await asyncio.sleep(interval)
            if not ex.walk_paused:
                ex.step(1)

    async def serve_forever(self) -> None:
        """Run until cancelled (the CLI)."""
        async with self:
            await asyncio.Event().wait()


class _EmbeddedServer(uvicorn.Server):
    """uvicorn without its signal handlers: the embedding program owns SIGINT/SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
