"""kisbot: a Telegram trading assistant for KIS accounts, and a KIS Open API simulator.

Importing kisbot has no side effects.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
