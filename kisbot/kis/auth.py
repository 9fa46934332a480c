"""KIS authentication: access tokens (issue, cache, renew) and the websocket approval key.

`KisAuth` is an `httpx.Auth` flow, so no endpoint method ever thinks about tokens:

```python
http = httpx.AsyncClient(base_url=settings.rest_url, timeout=10)
auth = KisAuth(
    http, env="virtual", app_key=key, app_secret=secret,
    store=TokenStore(settings.token_dir), limiter=limiters.get(key, 2.0),
)
response = await http.get(path, params=..., headers={"tr_id": tr_id}, auth=auth)
```

What the flow does for each request:

1. obtains a token, once for all concurrent callers (an `asyncio.Lock`): from memory, else
   from the `TokenStore` file, else from `/oauth2/tokenP`. A token is reused until less than
   `refresh_margin` (10 minutes) of its day remains.
2. adds `authorization: Bearer …`, `appkey`, `appsecret` and `custtype: P`;
3. waits for the app key's `RateLimiter`, so pacing happens where requests leave;
4. on a refused token (HTTP 500 `EGW00123` expired, `EGW00121` unknown) renews the token and
   re-sends the request once, if it is safe to: GET, or a request built with
   `extensions={RESEND_OK: True}`. Orders are never re-sent; their refusal is returned as is.

KIS issues at most one token a minute per app key and answers a second issue with 403
`EGW00133` (reference §2.1). `KisAuth` never asks twice inside the window it knows of (issue
times are kept with the token, across restarts); when KIS still refuses (another process, a
token cache deleted), it waits on the injected clock with backoff instead of failing.

Secrets (app key, app secret, token, approval key) are private attributes: no repr, str,
exception or log line of this module shows them.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import AsyncGenerator, Generator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final, Protocol

import httpx

from kisbot.domain.time import KST, Clock, SystemClock
from kisbot.kis.errors import (
    KisAuthError,
    KisError,
    KisTokenExpired,
    KisTokenInvalid,
    KisTokenThrottled,
    map_httpx_exceptions,
    raise_for_kis,
)
from kisbot.kis.hosts import DEFAULT_TOKEN_DIR, TOKEN_ISSUE_WINDOW, TOKEN_REFRESH_MARGIN, Env
from kisbot.kis.limiter import RateLimiter
from kisbot.kis.redact import RedactSecrets

__all__ = [
    "RESEND_OK",
    "AccessToken",
    "KisAuth",
    "TokenCache",
    "TokenStore",
]

logger = logging.getLogger(__name__)

RESEND_OK: Final = "kisbot.resend_ok"
"""Request extension: `True` lets `KisAuth` re-send the request after renewing the token."""

TOKEN_PATH: Final = "/oauth2/tokenP"
REVOKE_PATH: Final = "/oauth2/revokeP"
APPROVAL_PATH: Final = "/oauth2/Approval"
DEFAULT_LIFETIME: Final = 86_400.0  # seconds; used only if KIS's answer names no expiry
EXPIRY_FORMAT: Final = "%Y-%m-%d %H:%M:%S"  # access_token_token_expired, KST
NO_AUTH: Final = httpx.Auth()  # passes requests through untouched
FILE_MODE: Final = 0o600
DIR_MODE: Final = 0o700


@dataclass(frozen=True, slots=True)
class AccessToken:
    """An access token and its lifetime; `value` stays out of repr."""

    value: str = field(repr=False)
    expires_at: datetime
    issued_at: datetime

    def remaining(self, now: datetime) -> timedelta:
        return self.expires_at - now


class TokenCache(Protocol):
    """Where tokens outlive the process (a directory here; SQLite later, maybe)."""

    def load(self, env: Env, app_key: str) -> AccessToken | None: ...

    def save(self, env: Env, app_key: str, token: AccessToken) -> None: ...

    def discard(self, env: Env, app_key: str) -> None: ...


class TokenStore:
    """Tokens on disk: one JSON file per environment and app key, readable by the owner only.

    The file is named `{env}-{sha256(app key)[:16]}.json` and holds the token, its expiry and
    its issue time. Writes are atomic (a 0600 temporary file, then `os.replace`). An unreadable
    file is reported (without its content) and treated as absent.
    """

    def __init__(self, directory: Path | str = DEFAULT_TOKEN_DIR) -> None:
        self.directory = Path(directory).expanduser()

    def path(self, env: Env, app_key: str) -> Path:
        digest = hashlib.sha256(app_key.encode()).hexdigest()[:16]
        return self.directory / f"{env}-{digest}.json"

    def load(self, env: Env, app_key: str) -> AccessToken | None:
        path = self.path(env, app_key)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            logger.warning("cannot read token cache %s (%s); ignoring it", path, exc.strerror)
            return None
        try:
            return _token_from_json(json.loads(raw))
        except (ValueError, TypeError, KeyError):
            logger.warning("token cache %s is corrupt; ignoring it", path)
            return None

    def save(self, env: Env, app_key: str, token: AccessToken) -> None:
        path = self.path(env, app_key)
        self.directory.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        data = json.dumps(_token_to_json(token)).encode()
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".token-", suffix=".tmp")
        try:
            os.fchmod(fd, FILE_MODE)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def discard(self, env: Env, app_key: str) -> None:
        self.path(env, app_key).unlink(missing_ok=True)

    def __repr__(self) -> str:
        return f"TokenStore({str(self.directory)!r})"


def _token_to_json(token: AccessToken) -> dict[str, str]:
    return {
        "access_token": token.value,
        "expires_at": token.expires_at.isoformat(),
        "issued_at": token.issued_at.isoformat(),
    }


def _token_from_json(data: Mapping[str, Any]) -> AccessToken:
    value = data["access_token"]
    if not isinstance(value, str) or not value:
        raise ValueError("access_token")
    return AccessToken(
        value=value,
        expires_at=_aware(datetime.fromisoformat(data["expires_at"])),
        issued_at=_aware(datetime.fromisoformat(data["issued_at"])),
    )


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment


class KisAuth(httpx.Auth):
    """The KIS request flow for one app key on one environment; see the module docstring.

    `http` sends the oauth requests (never through this flow). `base_url` is where the oauth
    paths live; by default the client's own `base_url`.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        env: Env,
        app_key: str,
        app_secret: str,
        base_url: str | None = None,
        store: TokenCache | None = None,
        clock: Clock | None = None,
        limiter: RateLimiter | None = None,
        redactor: RedactSecrets | None = None,
        refresh_margin: float = TOKEN_REFRESH_MARGIN,
        issue_window: float = TOKEN_ISSUE_WINDOW,
        custtype: str = "P",
    ) -> None:
        if not app_key or not app_secret:
            raise ValueError("KisAuth needs an app key and an app secret")
        if base_url is None and not str(http.base_url):
            raise ValueError("give KisAuth a base_url, or an AsyncClient with one")
        self.env: Env = env
        self._http = http
        self._app_key = app_key
        self._app_secret = app_secret
        self._base_url = base_url.rstrip("/") if base_url else ""
        self._store = store
        self._clock: Clock = clock or SystemClock()
        self._limiter = limiter
        self._redactor = redactor
        self._refresh_margin = timedelta(seconds=refresh_margin)
        self._issue_window = issue_window
        self._custtype = custtype
        self._lock = asyncio.Lock()
        self._approval_lock = asyncio.Lock()
        self._token: AccessToken | None = None
        self._approval: str | None = None
        self._last_issue: datetime | None = None
        self.key_id = hashlib.sha256(app_key.encode()).hexdigest()[:8]
        if redactor is not None:
            redactor.add(app_key)
            redactor.add(app_secret)

    def __repr__(self) -> str:
        return f"KisAuth(env={self.env!r}, key_id={self.key_id!r})"

    # ----------------------------------------------------------------------------- the flow

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("KisAuth is async-only: use it with httpx.AsyncClient")

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        resend_ok = bool(request.extensions.get(RESEND_OK, request.method in ("GET", "HEAD")))
        token = await self._valid_token()
        self._sign(request, token)
        await self._pace()
        response = yield request
        refusal = await _token_refusal(response)
        if refusal is None:
            return
        if not resend_ok:
            logger.warning(
                "%s refused the access token (%s); not re-sending a request that is not a read",
                request.headers.get("tr_id", "KIS"),
                refusal,
            )
            await self._forget(token)
            return
        logger.info("KIS refused the access token (%s); renewing it", refusal)
        renewed = await self._renewed(token)
        if renewed.value == token.value:
            logger.warning("KIS gave back the token it refused (%s); not re-sending", refusal)
            return
        self._sign(request, renewed)
        await self._pace()
        yield request

    def _sign(self, request: httpx.Request, token: AccessToken) -> None:
        headers = request.headers
        headers["authorization"] = f"Bearer {token.value}"
        headers["appkey"] = self._app_key
        headers["appsecret"] = self._app_secret
        headers.setdefault("custtype", self._custtype)

    async def _pace(self) -> None:
        """Wait for the app key's limiter: here, because this is where requests leave."""
        if self._limiter is not None:
            await self._limiter.acquire()

    # ------------------------------------------------------------------------------ tokens

    async def access_token(self) -> str:
        """A token valid for at least `refresh_margin`, obtained if need be (e.g. at startup)."""
        return (await self._valid_token()).value

    async def _valid_token(self) -> AccessToken:
        token = self._token
        if token is not None and self._fresh(token):
            return token
        async with self._lock:
            token = self._token
            if token is not None and self._fresh(token):
                return token
            return await self._obtain(refused=None)

    async def _renewed(self, refused: AccessToken) -> AccessToken:
        """A token other than `refused`, unless KIS insists on it; one issue for all callers."""
        async with self._lock:
            token = self._token
            if token is not None and token.value != refused.value and self._fresh(token):
                return token
            self._token = None
            return await self._obtain(refused=refused.value)

    async def _forget(self, refused: AccessToken) -> None:
        async with self._lock:
            if self._token is not None and self._token.value == refused.value:
                self._token = None
            await self._discard_stored(refused.value)

    async def _discard_stored(self, value: str) -> None:
        store = self._store
        if store is None:
            return
        stored = await asyncio.to_thread(store.load, self.env, self._app_key)
        if stored is not None and stored.value == value:
            self._note_issue(stored.issued_at)
            await asyncio.to_thread(store.discard, self.env, self._app_key)

    def _fresh(self, token: AccessToken) -> bool:
        return token.remaining(self._clock.now()) > self._refresh_margin

    async def _obtain(self, *, refused: str | None) -> AccessToken:
        """With the lock held: the stored token if usable, else a newly issued one."""
        store = self._store
        if store is not None:
            stored = await asyncio.to_thread(store.load, self.env, self._app_key)
            if stored is not None:
                self._note_issue(stored.issued_at)
                if stored.value != refused and self._fresh(stored):
                    self._remember(stored)
                    return stored
        token = await self._issue()
        self._remember(token)
        if store is not None:
            await asyncio.to_thread(store.save, self.env, self._app_key, token)
        return token

    def _remember(self, token: AccessToken) -> None:
        self._token = token
        if self._redactor is not None:
            self._redactor.add(token.value)

    def _note_issue(self, when: datetime) -> None:
        if self._last_issue is None or when > self._last_issue:
            self._last_issue = when

    async def _issue(self) -> AccessToken:
        """A token from /oauth2/tokenP, waiting out KIS's one-issue-a-minute window."""
        if self._last_issue is not None:
            elapsed = (self._clock.now() - self._last_issue).total_seconds()
            wait = self._issue_window - elapsed
            if wait > 0:
                logger.info("waiting %.1f s: KIS issues one token a minute per app key", wait)
                await self._clock.sleep(wait)
        for delay in self._throttle_backoff():
            try:
                return await self._request_token()
            except KisTokenThrottled:
                logger.warning("KIS refused a token issue (EGW00133); trying in %.1f s", delay)
                await self._clock.sleep(delay)
        return await self._request_token()

    def _throttle_backoff(self) -> tuple[float, ...]:
        """Waits between token attempts KIS throttles: 2.75 windows in all, the last two whole
        windows, so that it also succeeds if a refused attempt restarts KIS's minute."""
        window = self._issue_window
        return (window / 4, window / 2, window, window)

    async def _request_token(self) -> AccessToken:
        body = await self._oauth(
            TOKEN_PATH,
            {
                "grant_type": "client_credentials",
                "appkey": self._app_key,
                "appsecret": self._app_secret,
            },
            endpoint="token",
        )
        value = body.get("access_token")
        if not isinstance(value, str) or not value:
            raise KisAuthError("the token answer has no access_token", endpoint="token")
        now = self._clock.now()
        self._note_issue(now)
        return AccessToken(value=value, expires_at=_expiry(body, now), issued_at=now)

    # ---------------------------------------------------------------------- other oauth calls

    async def approval_key(self, *, renew: bool = False) -> str:
        """The websocket approval key (/oauth2/Approval), kept in memory once obtained."""
        async with self._approval_lock:
            if self._approval is None or renew:
                body = await self._oauth(
                    APPROVAL_PATH,
                    {
                        "grant_type": "client_credentials",
                        "appkey": self._app_key,
                        "secretkey": self._app_secret,
                    },
                    endpoint="approval",
                )
                key = body.get("approval_key")
                if not isinstance(key, str) or not key:
                    raise KisAuthError(
                        "the approval answer has no approval_key", endpoint="approval"
                    )
                if self._redactor is not None:
                    self._redactor.add(key)
                self._approval = key
            return self._approval

    async def revoke(self) -> None:
        """Revoke the current token at KIS (/oauth2/revokeP) and forget it here and on disk."""
        async with self._lock:
            token = self._token
            if token is None and self._store is not None:
                token = await asyncio.to_thread(self._store.load, self.env, self._app_key)
            if token is None:
                return
            self._token = None
            await self._discard_stored(token.value)
            await self._oauth(
                REVOKE_PATH,
                {"appkey": self._app_key, "appsecret": self._app_secret, "token": token.value},
                endpoint="revoke",
            )

    async def _oauth(self, path: str, payload: dict[str, str], *, endpoint: str) -> dict[str, Any]:
        """POST an oauth request (outside this flow, whatever the client's default) and read it."""
        with map_httpx_exceptions(endpoint=endpoint):
            response = await self._http.post(self._base_url + path, json=payload, auth=NO_AUTH)
        return raise_for_kis(response, endpoint=endpoint)


async def _token_refusal(response: httpx.Response) -> str | None:
    """The KIS code if `response` refuses the access token (EGW00123, EGW00121), else None."""
    if response.is_success:
        return None
    await response.aread()
    try:
        raise_for_kis(response)
    except (KisTokenExpired, KisTokenInvalid) as refusal:
        return refusal.msg_cd
    except KisError:
        return None
    return None


def _expiry(body: Mapping[str, Any], now: datetime) -> datetime:
    """When a token expires: `expires_in` from now (immune to clock skew), else the KST stamp."""
    try:
        seconds = float(body["expires_in"])
        if seconds > 0:
            return now + timedelta(seconds=seconds)
    except (KeyError, TypeError, ValueError):
        pass
    try:
        stamp = datetime.strptime(str(body["access_token_token_expired"]), EXPIRY_FORMAT)
        return stamp.replace(tzinfo=KST)
    except (KeyError, ValueError):
        logger.warning("the token answer names no expiry; assuming a day")
        return now + timedelta(seconds=DEFAULT_LIFETIME)
