"""App keys, access tokens, websocket approval keys and the per-key request limiter.

Time for tokens comes from the simulator clock, so tests move it instead of waiting.
Rate limiting is measured on the monotonic clock over a sliding one-second window.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from kisbot.sim.clock import SimClock
from kisbot.sim.config import Env, SimSettings
from kisbot.sim.errors import Rejects, SimReject

__all__ = ["AppKeys", "IssuedToken", "TokenThrottled"]

APPKEY_LENGTH = 36
APPSECRET_LENGTH = 180


class TokenThrottled(Exception):
    """A second token request inside the issue window (KIS answers 403 EGW00133)."""


@dataclass(slots=True)
class IssuedToken:
    token: str
    appkey: str
    env: Env
    issued: datetime
    expires: datetime
    revoked: bool = False


@dataclass(slots=True)
class KeyStats:
    """What the control API reports per app key."""

    token_requests: int = 0  # /oauth2/tokenP calls that returned a token
    tokens_minted: int = 0  # distinct tokens created
    throttled: int = 0  # 403 EGW00133 answers
    approvals: int = 0
    rate_limited: int = 0  # EGW00201 answers
    requests: int = 0


@dataclass(slots=True)
class AppKeys:
    """The simulator's credential book."""

    settings: SimSettings
    clock: SimClock
    envs: dict[str, Env] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, IssuedToken] = field(default_factory=dict)
    approvals: dict[str, tuple[Env, str]] = field(default_factory=dict)
    last_issue: dict[str, datetime] = field(default_factory=dict)
    current: dict[str, IssuedToken] = field(default_factory=dict)
    stats: defaultdict[str, KeyStats] = field(default_factory=lambda: defaultdict(KeyStats))
    _windows: defaultdict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    def __post_init__(self) -> None:
        for acct in self.settings.accounts:
            self.envs[acct.appkey] = acct.env
            self.secrets[acct.appkey] = acct.appsecret

    # ------------------------------------------------------------------------- credentials

    def check_credentials(self, env: Env, appkey: str, appsecret: str) -> None:
        """Raise `SimReject` unless (appkey, appsecret) may be used on `env`."""
        if not appkey or (not self.settings.strict and len(appkey) != APPKEY_LENGTH):
            raise Rejects.BAD_APPKEY
        if self.settings.strict and appkey not in self.secrets:
            raise Rejects.BAD_APPKEY
        known_secret = self.secrets.get(appkey)
        if not appsecret or (known_secret is None and len(appsecret) != APPSECRET_LENGTH):
            raise Rejects.BAD_SECRET
        if known_secret is not None and known_secret != appsecret:
            raise Rejects.BAD_SECRET
        bound = self.envs.get(appkey)
        if bound is not None and bound != env:
            raise Rejects.WRONG_DOMAIN
        # first sight: the key belongs to the environment it was first used on
        self.envs.setdefault(appkey, env)
        self.secrets.setdefault(appkey, appsecret)

    # ------------------------------------------------------------------------------ tokens

    def issue_token(self, env: Env, appkey: str, appsecret: str) -> IssuedToken:
        """Issue (or, within the reuse window, return again) the key's access token."""
        self.check_credentials(env, appkey, appsecret)
        now = self.clock.now()
        stats = self.stats[appkey]
        last = self.last_issue.get(appkey)
        window = timedelta(seconds=self.settings.token_issue_window)
        if last is not None and now - last < window:
            stats.throttled += 1
            raise TokenThrottled
        self.last_issue[appkey] = now
        stats.token_requests += 1
        current = self.current.get(appkey)
        reuse = timedelta(seconds=self.settings.token_reuse)
        if (
            current is not None
            and not current.revoked
            and now - current.issued < reuse
            and current.expires > now
        ):
            return current
        token = IssuedToken(
            token=_jwt_like(appkey, now),
            appkey=appkey,
            env=env,
            issued=now,
            expires=now + timedelta(seconds=self.settings.token_lifetime),
        )
        self.tokens[token.token] = token
        self.current[appkey] = token
        stats.tokens_minted += 1
        return token

    def revoke(self, appkey: str, appsecret: str, token: str) -> bool:
        found = self.tokens.get(token)
        if found is None or found.appkey != appkey or self.secrets.get(appkey) != appsecret:
            return False
        found.revoked = True
        if self.current.get(appkey) is found:
            del self.current[appkey]
        return True

    def check_token(self, env: Env, appkey: str, authorization: str) -> IssuedToken:
        """The token behind an `authorization: Bearer …` header, or the KIS refusal."""
        scheme, _, value = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not value:
            raise Rejects.TOKEN_INVALID
        token = self.tokens.get(value.strip())
        if token is None or token.revoked or token.appkey != appkey:
            raise Rejects.TOKEN_INVALID
        if token.env != env:
            raise Rejects.WRONG_DOMAIN
        if token.expires <= self.clock.now():
            raise Rejects.TOKEN_EXPIRED
        return token

    # ---------------------------------------------------------------------- approval keys

    def approve(self, env: Env, appkey: str, secretkey: str) -> str:
        self.check_credentials(env, appkey, secretkey)
        key = str(uuid.uuid4())
        self.approvals[key] = (env, appkey)
        self.stats[appkey].approvals += 1
        return key

    def approval(self, key: str) -> tuple[Env, str] | None:
        return self.approvals.get(key)

    # ------------------------------------------------------------------------ rate limits

    def admit(self, env: Env, appkey: str) -> SimReject | None:
        """Count one request; the EGW00201 refusal when the key is over its per-second rate."""
        limit = self.settings.rate_real if env == "real" else self.settings.rate_virtual
        stats = self.stats[appkey]
        if limit <= 0:
            stats.requests += 1
            return None
        now = time.monotonic()
        window = self._windows[appkey]
        while window and now - window[0] >= 1.0:
            window.popleft()
        if len(window) >= limit:
            stats.rate_limited += 1
            return Rejects.RATE_LIMIT
        window.append(now)
        stats.requests += 1
        return None


def _jwt_like(appkey: str, now: datetime) -> str:
    """A token shaped like KIS's (a JWT): opaque to clients, unguessable."""

    def part(obj: dict[str, object]) -> str:
        raw = json.dumps(obj, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    header = part({"typ": "JWT", "alg": "HS512"})
    payload = part(
        {
            "sub": "tokenP",
            "aud": hashlib.sha256(appkey.encode()).hexdigest()[:36],
            "prdt_cd": "",
            "iss": "unogw",
            "exp": int(now.timestamp()) + 86_400,
            "iat": int(now.timestamp()),
            "jti": secrets.token_hex(16),
        }
    )
    signature = base64.urlsafe_b64encode(secrets.token_bytes(64)).rstrip(b"=").decode()
    return f"{header}.{payload}.{signature}"
