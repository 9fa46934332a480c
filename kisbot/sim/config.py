"""Simulator settings: defaults that make any KIS client work, and a TOML file to pin things.

```toml
[sim]
seed = 7
market_hours = "real"        # or "always" (the default)
rate_real = 20               # requests per second per app key
rate_virtual = 2

[[sim.accounts]]             # any entry here switches to strict mode
env = "virtual"
appkey = "PS...36 chars"
appsecret = "...180 chars"
account = "50123456-01"
hts_id = "demo"
krw = "100000000"
usd = "100000"
```
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "DEMO_ACCOUNT",
    "DEMO_APPKEY",
    "DEMO_APPSECRET",
    "DEMO_HTS_ID",
    "AccountConfig",
    "Env",
    "SimSettings",
]

Env = Literal["real", "virtual"]

# Credentials printed by `kisbot sim` and used by `kisbot demo`: the real lengths (36/180).
DEMO_APPKEY = "PSDEMO" + "0" * 30
DEMO_APPSECRET = "demo" + "0" * 176
DEMO_ACCOUNT = "50000000-01"
DEMO_HTS_ID = "kisbotdemo"


@dataclass(frozen=True, slots=True)
class AccountConfig:
    """One pinned account (strict mode): the only key and account the simulator accepts."""

    env: Env
    appkey: str
    appsecret: str
    account: str  # "CANO-ACNT_PRDT_CD", e.g. "50123456-01"
    hts_id: str = ""
    krw: Decimal | None = None
    usd: Decimal | None = None

    @property
    def cano(self) -> str:
        return self.account.split("-")[0]

    @property
    def product(self) -> str:
        parts = self.account.split("-")
        return parts[1] if len(parts) > 1 else "01"


@dataclass(frozen=True, slots=True)
class SimSettings:
    """Everything the simulator can be told. Defaults follow KIS where KIS is known."""

    host: str = "127.0.0.1"
    port: int = 0
    ws_port: int = 0
    seed: int = 20240101
    market_hours: Literal["always", "real"] = "always"
    rate_real: float = 20.0
    rate_virtual: float = 2.0
    token_issue_window: float = 60.0
    token_lifetime: float = 86_400.0
    token_reuse: float = 6 * 3600.0
    ping_interval: float = 100.0
    tick_interval: float = 1.0
    walk: bool = True
    history_years: int = 5
    initial_krw: Decimal = Decimal(100_000_000)
    initial_usd: Decimal = Decimal(100_000)
    commission_krx: Decimal = Decimal("0.00015")
    tax_krx_sell: Decimal = Decimal("0.0020")
    commission_us: Decimal = Decimal("0.0025")
    usd_krw: Decimal = Decimal("1380.50")
    max_ws_registrations: int = 41
    accounts: tuple[AccountConfig, ...] = field(default_factory=tuple)

    @property
    def strict(self) -> bool:
        return bool(self.accounts)

    def with_overrides(self, **changes: Any) -> SimSettings:
        """A copy with the non-None `changes` applied (for CLI flags over a file)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    @classmethod
    def from_toml(cls, path: Path) -> SimSettings:
        """Read the `[sim]` table of a TOML file; unknown keys are an error, not a surprise."""
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        table = dict(data.get("sim", {}))
        accounts = tuple(_account(a) for a in table.pop("accounts", []))
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(table) - set(known))
        if unknown:
            raise ValueError(f"{path}: unknown [sim] keys: {', '.join(unknown)}")
        values: dict[str, Any] = {}
        for key, raw in table.items():
            default = getattr(cls(), key)
            values[key] = Decimal(str(raw)) if isinstance(default, Decimal) else raw
        return cls(**values, accounts=accounts)


def _account(raw: dict[str, Any]) -> AccountConfig:
    env = raw.get("env", "virtual")
    if env not in ("real", "virtual"):
        raise ValueError(f"account env must be 'real' or 'virtual', not {env!r}")
    for key in ("appkey", "appsecret", "account"):
        if not raw.get(key):
            raise ValueError(f"[[sim.accounts]] needs {key}")
    return AccountConfig(
        env=env,
        appkey=str(raw["appkey"]),
        appsecret=str(raw["appsecret"]),
        account=str(raw["account"]),
        hts_id=str(raw.get("hts_id", "")),
        krw=Decimal(str(raw["krw"])) if "krw" in raw else None,
        usd=Decimal(str(raw["usd"])) if "usd" in raw else None,
    )
