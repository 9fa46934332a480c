"""The simulator assembled: exchange, key book, REST app with the control API, websocket hub."""

from __future__ import annotations

from starlette.applications import Starlette

from kisbot.sim import quotes, trading
from kisbot.sim.auth import AppKeys
from kisbot.sim.clock import SimClock
from kisbot.sim.config import SimSettings
from kisbot.sim.control import control_routes
from kisbot.sim.exchange import Exchange
from kisbot.sim.master import master_routes
from kisbot.sim.rest import SimState, build_rest_app
from kisbot.sim.ws import WsHub

__all__ = ["Simulator"]


class Simulator:
    """Everything but the sockets: usable in-process through `httpx.ASGITransport(app=sim.app)`."""

    def __init__(self, settings: SimSettings | None = None, clock: SimClock | None = None) -> None:
        self.settings = settings or SimSettings()
        self.clock = clock or SimClock()
        self.exchange = Exchange(self.settings, self.clock)
        self.keys = AppKeys(self.settings, self.clock)
        self.state = SimState(self.exchange, self.keys)
        self.ws = WsHub(self.state)
        self.app: Starlette = build_rest_app(
            self.state,
            [*quotes.ENDPOINTS, *trading.ENDPOINTS],
            [*control_routes(self), *master_routes(self)],
        )
