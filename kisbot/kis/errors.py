"""KIS errors: the neutral tree of `kisbot.domain.errors`, specialised with KIS's details.

```
KisError (BrokerError)                carries tr_id, msg_cd, msg1 (stripped), endpoint, status
├── KisUnavailable (BrokerUnavailable) transport failure, timeout, 5xx or a body that is not JSON
│   ├── KisConnectError               the request never left: connect failed or timed out
│   └── KisRateLimited (RateLimited)  EGW00201, EGW00215: over the per-second rate
│       └── KisTokenThrottled         EGW00133: a second token issue inside KIS's minute
├── KisAuthError (AuthError)          credentials refused, wrong domain (EGW02004), oauth errors
│   ├── KisTokenExpired               EGW00123: renewed inside KisAuth; escapes if that fails
│   └── KisTokenInvalid               EGW00121: likewise
└── KisRejected (BrokerRejected)      KIS said no; unknown codes land here, code kept
    ├── KisNoService                  OPSQ0002, MCA00124: no such service (real-only TR on 모의)
    ├── KisMarketClosed (MarketClosed)             APBK0919 domestic, APBK1664 overseas
    ├── KisNotFound (NotFound)                     APBK0656, or rt_cd "7" (no data)
    ├── KisInsufficientFunds (InsufficientFunds)   APBK0952 cash, APBK0400 sellable shares
    ├── KisInvalidOrder (InvalidOrder)             no code captured yet
    └── KisSubscriptionLimit          OPSP0008, or kisbot's own check: realtime slots all in use
```

Two boundaries translate foreign answers, in the style of httpx's `map_httpcore_exceptions`:
`raise_for_kis()` is the only interpreter of KIS envelopes (its table is `KIS_ERROR_CODES`), and
`map_httpx_exceptions()` turns httpx's transport errors into `KisUnavailable`. Neither keeps a
request, a response or a header: those carry the app secret and the access token.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import MappingProxyType
from typing import Any, Final

import httpx

from kisbot.domain.errors import (
    AuthError,
    BrokerError,
    BrokerRejected,
    BrokerUnavailable,
    InsufficientFunds,
    InvalidOrder,
    MarketClosed,
    NotFound,
    RateLimited,
)

__all__ = [
    "KIS_ERROR_CODES",
    "KisAuthError",
    "KisConnectError",
    "KisError",
    "KisInsufficientFunds",
    "KisInvalidOrder",
    "KisMarketClosed",
    "KisNoService",
    "KisNotFound",
    "KisRateLimited",
    "KisRejected",
    "KisSubscriptionLimit",
    "KisTokenExpired",
    "KisTokenInvalid",
    "KisTokenThrottled",
    "KisUnavailable",
    "map_httpx_exceptions",
    "raise_for_kis",
]

EXCERPT_LENGTH: Final = 120


class KisError(BrokerError):
    """Base of the KIS adapter's errors; carries KIS's context, never headers or secrets."""

    def __init__(
        self,
        message: str = "",
        *,
        tr_id: str = "",
        msg_cd: str = "",
        msg1: str = "",
        endpoint: str = "",
        status: int | None = None,
    ) -> None:
        self.tr_id = tr_id
        self.msg_cd = msg_cd
        self.msg1 = msg1
        self.endpoint = endpoint
        self.status = status
        text = message or " ".join(part for part in (msg_cd, msg1) if part) or type(self).__name__
        super().__init__(f"{self._where()}: {text}", broker_code=msg_cd, broker_message=msg1)

    def _where(self) -> str:
        where = self.endpoint or "KIS"
        if self.tr_id:
            where += f" [{self.tr_id}]"
        if self.status is not None:
            where += f" HTTP {self.status}"
        return where


class KisUnavailable(KisError, BrokerUnavailable):
    """KIS could not be reached, timed out, failed with a 5xx or answered with no JSON."""


class KisConnectError(KisUnavailable):
    """The request never reached KIS (connection refused or connect timeout): safe to re-send."""


class KisRateLimited(KisUnavailable, RateLimited):
    """KIS refused a request for exceeding the app key's per-second rate (EGW00201, EGW00215)."""


class KisTokenThrottled(KisRateLimited):
    """KIS refused a token issue inside its one-per-minute window (HTTP 403 EGW00133)."""


class KisAuthError(KisError, AuthError):
    """KIS refused the app key, the secret, the domain (EGW02004) or an oauth request."""


class KisTokenExpired(KisAuthError):
    """The access token expired (EGW00123); raised only when renewing it did not help."""


class KisTokenInvalid(KisAuthError):
    """KIS does not know the access token (EGW00121); raised only when renewing did not help."""


class KisRejected(KisError, BrokerRejected):
    """KIS answered and said no; an unknown `msg_cd` ends up here with its code kept."""


class KisNoService(KisRejected):
    """This server does not offer the TR (OPSQ0002, MCA00124), e.g. a real-only TR on 모의투자."""


class KisMarketClosed(KisRejected, MarketClosed):
    """An order outside market hours (APBK0919 domestic, APBK1664 overseas)."""


class KisNotFound(KisRejected, NotFound):
    """No such symbol or order (APBK0656), or no data for the inquiry (rt_cd "7")."""


class KisInsufficientFunds(KisRejected, InsufficientFunds):
    """Not enough orderable cash (APBK0952) or orderable shares (APBK0400)."""


class KisInvalidOrder(KisRejected, InvalidOrder):
    """An order that breaks a market rule; KIS's codes for these are still to be captured."""


class KisSubscriptionLimit(KisRejected):
    """Every realtime slot of the websocket session is taken (41 per app key): KIS's OPSP0008,
    or `KisStream` refusing before it sends (then `msg_cd` is empty)."""

    code = "subscription_limit"


# Codes from ../shared/kis-reference.md §1, §2.1, §3.6 and the simulator README (seen codes).
# Add a code only with a captured, sanitised answer that shows it.
KIS_ERROR_CODES: Final[Mapping[str, type[KisError]]] = MappingProxyType(
    {
        "EGW00201": KisRateLimited,  # 초당 거래건수를 초과하였습니다 (HTTP 500)
        "EGW00215": KisRateLimited,  # 원장 초당 거래건수 초과 (HTTP 500)
        "EGW00133": KisTokenThrottled,  # 접근토큰 발급 1분당 1회 (HTTP 403, oauth shape)
        "EGW00123": KisTokenExpired,  # 기간이 만료된 token (HTTP 500)
        "EGW00121": KisTokenInvalid,  # 유효하지 않은 token (HTTP 500)
        "EGW02004": KisAuthError,  # 실전 도메인에 모의투자 앱키 (HTTP 500)
        "OPSQ0002": KisNoService,  # 없는 서비스 코드 (real-only TR on 모의투자, HTTP 500)
        "MCA00124": KisNoService,  # 해당 서비스를 찾을수 없습니다
        "APBK0919": KisMarketClosed,  # 장운영시간이 아닙니다 (domestic order)
        "APBK1664": KisMarketClosed,  # 해외주식 주문가능시간이 아닙니다
        "APBK0656": KisNotFound,  # 종목 or 원주문 not found
        "APBK0952": KisInsufficientFunds,  # 주문가능금액을 초과
        "APBK0400": KisInsufficientFunds,  # 주문가능수량을 초과
        "OPSP0008": KisSubscriptionLimit,  # MAX SUBSCRIBE OVER (websocket, 42nd registration)
    }
)

RT_CD_NO_DATA: Final = "7"


def raise_for_kis(
    response: httpx.Response, *, tr_id: str = "", endpoint: str = ""
) -> dict[str, Any]:
    """The parsed JSON body of a successful KIS answer, or the `KisError` it stands for.

    Reads every shape KIS answers with: a non-2xx with a `rt_cd`/`msg_cd`/`msg1` body; a non-2xx
    oauth body with `error_code`/`error_description`; a 200 with `rt_cd` other than "0"; and a
    body that is not a JSON object (→ `KisUnavailable` with a short excerpt). The response must
    have been read.
    """
    status = response.status_code
    body = _json_object(response.content)
    if body is None:
        excerpt = " ".join(response.text.split())[:EXCERPT_LENGTH]
        raise KisUnavailable(
            f"not a KIS JSON answer: {excerpt!r}", tr_id=tr_id, endpoint=endpoint, status=status
        )
    oauth = "error_code" in body
    if oauth:
        msg_cd, msg1 = _text(body.get("error_code")), _text(body.get("error_description"))
    else:
        msg_cd, msg1 = _text(body.get("msg_cd")), _text(body.get("msg1"))
    rt_cd = _text(body.get("rt_cd"))
    if 200 <= status < 300 and not oauth and rt_cd in ("", "0"):
        return body
    cls = _classify(status=status, rt_cd=rt_cd, msg_cd=msg_cd, oauth=oauth)
    raise cls(tr_id=tr_id, msg_cd=msg_cd, msg1=msg1, endpoint=endpoint, status=status)


def _classify(*, status: int, rt_cd: str, msg_cd: str, oauth: bool) -> type[KisError]:
    known = KIS_ERROR_CODES.get(msg_cd)
    if known is not None:
        return known
    if rt_cd == RT_CD_NO_DATA:
        return KisNotFound
    if oauth or status == httpx.codes.UNAUTHORIZED:
        return KisAuthError
    if not msg_cd and status >= httpx.codes.INTERNAL_SERVER_ERROR:
        return KisUnavailable
    return KisRejected


def _json_object(content: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(content)
    except ValueError:  # JSONDecodeError and UnicodeDecodeError
        return None
    return data if isinstance(data, dict) else None


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


# Most specific first: the first matching row wins.
_HTTPX_EXC_MAP: Final[tuple[tuple[type[httpx.RequestError], type[KisUnavailable]], ...]] = (
    (httpx.ConnectError, KisConnectError),
    (httpx.ConnectTimeout, KisConnectError),
    (httpx.PoolTimeout, KisConnectError),
    (httpx.RequestError, KisUnavailable),  # read/write timeouts, protocol errors, decoding
)


@contextmanager
def map_httpx_exceptions(*, tr_id: str = "", endpoint: str = "") -> Iterator[None]:
    """Turn httpx's request errors raised inside the block into `KisUnavailable` (or a subclass).

    The httpx exception is chained as the cause, as httpx chains httpcore's; its message names
    no header. Ours copies its type and message, and keeps no request.
    """
    try:
        yield
    except httpx.RequestError as exc:
        raise _mapped(exc, tr_id=tr_id, endpoint=endpoint) from exc


def _mapped(exc: httpx.RequestError, *, tr_id: str, endpoint: str) -> KisUnavailable:
    cls = next(mapped for source, mapped in _HTTPX_EXC_MAP if isinstance(exc, source))
    detail = " ".join(str(exc).split())[:EXCERPT_LENGTH]
    message = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return cls(message, tr_id=tr_id, endpoint=endpoint)
