"""Quotation endpoints (domestic and overseas): prices, bars, orderbooks, product info."""

from __future__ import annotations

from kisbot.sim.rest import Endpoint

__all__ = ["ENDPOINTS"]

ENDPOINTS: list[Endpoint] = []
