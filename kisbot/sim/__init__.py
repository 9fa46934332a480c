"""The KIS Open API simulator: `kisbot sim`, the embedded default of the demo, and every
test's KIS. It follows ../shared/kis-reference.md on its own and never imports `kisbot.kis`."""

from __future__ import annotations

from kisbot.sim.app import Simulator
from kisbot.sim.config import SimSettings
from kisbot.sim.server import SimServer

__all__ = ["SimServer", "SimSettings", "Simulator"]
