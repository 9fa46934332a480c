"""Account and order endpoints (domestic and overseas): balances, orders, modify, cancel."""

from __future__ import annotations

from kisbot.sim.rest import Endpoint

__all__ = ["ENDPOINTS"]

ENDPOINTS: list[Endpoint] = []
