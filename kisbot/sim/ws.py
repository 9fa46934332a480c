"""The websocket side of the simulator (KIS reference §6). Placeholder until implemented."""

from __future__ import annotations

from kisbot.sim.rest import SimState

__all__ = ["WsHub"]


class WsHub:
    """Serves KIS websocket sessions on top of the shared simulator state."""

    def __init__(self, state: SimState) -> None:
        self.state = state

    async def handler(self, connection: object) -> None:
        """Serve one websocket connection (websockets.asyncio.server handler)."""
        raise NotImplementedError

    async def drop_all(self) -> int:
        """Close every open session; returns how many were closed."""
        return 0

    async def ping_forever(self) -> None:
        """Send PINGPONG to every session every `ping_interval` seconds."""

    def stats(self) -> dict[str, object]:
        return {"sessions": 0, "registrations": 0}
