"""KIS protocol constants: hosts, rate limits and token rules (../shared/kis-reference.md §1-§3).

One place, as python-kis keeps them in `__env__.py`; settings take their defaults from here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final, Literal

__all__ = [
    "DEFAULT_TOKEN_DIR",
    "REAL_RATE_PER_SECOND",
    "REAL_REST_URL",
    "REAL_WS_URL",
    "TOKEN_ISSUE_WINDOW",
    "TOKEN_REFRESH_MARGIN",
    "VIRTUAL_RATE_PER_SECOND",
    "VIRTUAL_REST_URL",
    "VIRTUAL_WS_URL",
    "Env",
    "default_rate",
    "default_rest_url",
    "default_ws_url",
]

Env = Literal["real", "virtual"]
"""실전투자 ("real") or 모의투자 ("virtual"): separate hosts, app keys and TR IDs."""

# §1 Domains (✅ official samples and python-kis agree)
REAL_REST_URL: Final = "https://openapi.koreainvestment.com:9443"
VIRTUAL_REST_URL: Final = "https://openapivts.koreainvestment.com:29443"
REAL_WS_URL: Final = "ws://ops.koreainvestment.com:21000"
VIRTUAL_WS_URL: Final = "ws://ops.koreainvestment.com:31000"

# §3.5 Rate limits per app key (🟡: python-kis, the official samples' sleeps, user reports)
REAL_RATE_PER_SECOND: Final = 20.0
VIRTUAL_RATE_PER_SECOND: Final = 2.0

# §2.1 Token rules: one issue per minute per app key (403 EGW00133); python-kis renews a token
# when less than ten minutes remain.
TOKEN_ISSUE_WINDOW: Final = 60.0
TOKEN_REFRESH_MARGIN: Final = 600.0

# Where tokens outlive the process (one file per environment and app key).
DEFAULT_TOKEN_DIR: Final = Path("~/.kisbot/tokens")


def default_rest_url(env: Env) -> str:
    """KIS's REST host for `env`."""
    return REAL_REST_URL if env == "real" else VIRTUAL_REST_URL


def default_ws_url(env: Env) -> str:
    """KIS's websocket host for `env` (plain ws://, no TLS)."""
    return REAL_WS_URL if env == "real" else VIRTUAL_WS_URL


def default_rate(env: Env) -> float:
    """KIS's documented requests per second per app key for `env`."""
    return REAL_RATE_PER_SECOND if env == "real" else VIRTUAL_RATE_PER_SECOND
