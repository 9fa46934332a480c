"""kisbot's settings: a TOML file, with `KISBOT_*` environment variables over it.

```toml
[kis]
env = "virtual"                       # "real" (실전투자) or "virtual" (모의투자)
app_key = "PS..."                     # or KISBOT_KIS__APP_KEY
app_secret = "..."                    # or KISBOT_KIS__APP_SECRET
account = "50000000-01"               # CANO-ACNT_PRDT_CD
```

```python
settings = Settings.from_toml(Path("config.toml"))   # file, then environment
settings = Settings()                                # environment only
```

Environment variables take the prefix `KISBOT_` and `__` between levels
(`KISBOT_KIS__ENV=real`). Tables this model does not know (such as the simulator's `[sim]`)
are ignored. Bad settings raise `ConfigError`, whose message names the field and never
repeats a value. Only `app.py` imports this module; each component gets its own section.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Final, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from kisbot.domain.errors import ConfigError
from kisbot.kis.hosts import (
    DEFAULT_TOKEN_DIR,
    REAL_RATE_PER_SECOND,
    REAL_REST_URL,
    TOKEN_ISSUE_WINDOW,
    TOKEN_REFRESH_MARGIN,
    Env,
    default_rate,
    default_rest_url,
    default_ws_url,
)
from kisbot.kis.master import MASTER_URL

__all__ = ["KisSettings", "Settings"]

ACCOUNT_PATTERN: Final = re.compile(r"(\d{8})-?(\d{2})")


class KisSettings(BaseModel):
    """The KIS account and how to reach it. Hosts and rates default by `env`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    env: Env = "virtual"
    app_key: SecretStr
    app_secret: SecretStr
    account: str = Field(description='"CANO-ACNT_PRDT_CD", e.g. "50000000-01"')
    hts_id: str = Field(default="", description="HTS ID: the key of execution notices")
    rest_url: str = Field(default="", description="REST host; default KIS's for env")
    ws_url: str = Field(default="", description="websocket host; default KIS's for env")
    # A virtual account's market data the virtual server lacks comes from a real-side key.
    real_app_key: SecretStr | None = None
    real_app_secret: SecretStr | None = None
    real_rest_url: str = REAL_REST_URL
    rate_limit: float = Field(default=0, ge=0, description="requests/s per key; 0 = KIS's")
    real_rate_limit: float = Field(default=REAL_RATE_PER_SECOND, gt=0)
    token_dir: Path = Field(default=DEFAULT_TOKEN_DIR, validate_default=True)
    timeout: float = Field(default=10.0, gt=0, description="seconds per request")
    token_refresh_margin: float = Field(default=TOKEN_REFRESH_MARGIN, ge=0)
    token_issue_window: float = Field(default=TOKEN_ISSUE_WINDOW, ge=0)
    # KIS's symbol master files (종목마스터); the simulator serves them at
    # http://HOST:PORT/common/master
    master_url: str = Field(default=MASTER_URL, description="where the symbol master zips are")

    @field_validator("app_key", "app_secret", "real_app_key", "real_app_secret")
    @classmethod
    def _secret_text(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        text = value.get_secret_value().strip()
        if not text:
            raise ValueError("must not be empty")
        if any(ch.isspace() for ch in text):
            raise ValueError("must not contain spaces")
        return SecretStr(text)

    @field_validator("account")
    @classmethod
    def _account(cls, value: str) -> str:
        match = ACCOUNT_PATTERN.fullmatch(value.strip())
        if match is None:
            raise ValueError('must be 8 digits, a dash and 2 digits, like "50000000-01"')
        return f"{match[1]}-{match[2]}"

    @field_validator("rest_url", "real_rest_url", "master_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return _url(value, ("http://", "https://"))

    @field_validator("ws_url")
    @classmethod
    def _ws_url(cls, value: str) -> str:
        return _url(value, ("ws://", "wss://"))

    @field_validator("token_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @model_validator(mode="after")
    def _defaults_by_env(self) -> Self:
        real_pair = (self.real_app_key is None, self.real_app_secret is None)
        if real_pair[0] != real_pair[1]:
            raise ValueError("real_app_key and real_app_secret go together")
        if self.env == "real" and self.real_app_key is not None:
            raise ValueError("real_app_key is for a virtual account; with env = real drop it")
        # frozen model: fill the env-dependent defaults once, here
        object.__setattr__(self, "rest_url", self.rest_url or default_rest_url(self.env))
        object.__setattr__(self, "ws_url", self.ws_url or default_ws_url(self.env))
        object.__setattr__(self, "rate_limit", self.rate_limit or default_rate(self.env))
        return self

    @property
    def cano(self) -> str:
        """The 8-digit account number (CANO)."""
        return self.account.split("-")[0]

    @property
    def product(self) -> str:
        """The 2-digit product code (ACNT_PRDT_CD), "01" for a stock account."""
        return self.account.split("-")[1]

    @property
    def has_real_data_key(self) -> bool:
        return self.real_app_key is not None


def _url(value: str, schemes: tuple[str, ...]) -> str:
    text = value.strip().rstrip("/")
    if text and not text.startswith(schemes):
        raise ValueError(f"must start with {' or '.join(schemes)}")
    return text


class Settings(BaseSettings):
    """Every section of kisbot's settings."""

    model_config = SettingsConfigDict(
        env_prefix="KISBOT_", env_nested_delimiter="__", extra="ignore", frozen=True
    )

    kis: KisSettings

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            error = ConfigError(_describe(exc))
        else:
            return
        raise error from None  # the ValidationError quotes input values: secrets among them

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # the environment wins over the file (whose values arrive as keyword arguments)
        return env_settings, init_settings

    @classmethod
    def from_toml(cls, path: Path | str) -> Settings:
        """Settings from a TOML file, with `KISBOT_*` environment variables over it."""
        path = Path(path)
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError:
            raise ConfigError(f"{path}: no such settings file") from None
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read it ({exc.strerror})") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc})") from None
        try:
            return cls(**data)
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc}") from None


def _describe(exc: ValidationError) -> str:
    """Which fields are wrong and why, without the values (they may be secrets)."""
    problems = [
        f"{'.'.join(str(part) for part in error['loc']) or 'settings'}: "
        + error["msg"].removeprefix("Value error, ")
        for error in exc.errors(include_url=False, include_input=False, include_context=False)
    ]
    return "invalid settings: " + "; ".join(problems)
