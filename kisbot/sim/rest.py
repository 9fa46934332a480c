"""The REST side of the simulator: KIS paths, TR IDs, envelopes, auth, limits, faults.

Each endpoint module (`quotes.py`, `trading.py`) declares `Endpoint`s: a method, a path, the
TR IDs it answers (with the environments each is valid in) and a handler. A handler receives a
`Call` (the parsed request plus the exchange) and returns a `Reply` or raises `SimReject`.

Real KIS is served at the root (`http://HOST:PORT/uapi/...`); the virtual (모의투자) server is
the same tree under `/vts` (`http://HOST:PORT/vts/uapi/...`). An app key belongs to the
environment it first asked a token from.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final, Literal

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from kisbot.sim.auth import AppKeys, TokenThrottled
from kisbot.sim.config import Env
from kisbot.sim.errors import Rejects, SimReject
from kisbot.sim.exchange import Account, Exchange

__all__ = [
    "VIRTUAL_PREFIX",
    "Call",
    "Endpoint",
    "Fault",
    "Reply",
    "SimState",
    "Tr",
    "build_rest_app",
    "fmt_int",
    "fmt_money",
    "fmt_rate",
    "page",
]

logger = logging.getLogger(__name__)

VIRTUAL_PREFIX: Final = "/vts"
JSON_TYPE: Final = "application/json; charset=utf-8"

Which = Literal["real", "virtual", "both"]


@dataclass(frozen=True, slots=True)
class Tr:
    """One TR ID an endpoint answers, and where it is valid."""

    tr_id: str
    env: Which = "both"


@dataclass(slots=True)
class Reply:
    """A successful answer: the body's payload keys and the `tr_cont` response header."""

    payload: dict[str, Any]
    tr_cont: str = ""
    msg_cd: str | None = None
    msg1: str | None = None


@dataclass(slots=True)
class Call:
    """One parsed KIS request."""

    env: Env
    tr_id: str
    appkey: str
    params: dict[str, str]  # query (GET) or JSON body (POST), keys upper-cased
    tr_cont: str
    exchange: Exchange
    state: SimState

    def get(self, name: str, default: str = "") -> str:
        value = self.params.get(name.upper())
        return default if value is None else str(value)

    def need(self, name: str) -> str:
        """A required, non-blank parameter, or the KIS-shaped refusal."""
        value = self.params.get(name.upper())
        if value is None or str(value).strip() == "":
            raise Rejects.missing_field(name.upper())
        return str(value).strip()

    def account(self) -> Account:
        cano = self.need("CANO")
        product = self.need("ACNT_PRDT_CD")
        return self.exchange.account(self.env, cano, product)

    @property
    def virtual(self) -> bool:
        return self.env == "virtual"


Handler = Callable[[Call], Reply]


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: Literal["GET", "POST"]
    path: str
    trs: tuple[Tr, ...]
    handler: Handler
    kind: Literal["quote", "inquiry", "order"] = "quote"

    def tr(self, tr_id: str) -> Tr | None:
        for tr in self.trs:
            if tr.tr_id == tr_id:
                return tr
        return None


@dataclass(slots=True)
class Fault:
    """Make the next `count` requests of `tr_id` (or of every TR with "*") fail."""

    tr_id: str
    count: int
    status: int
    msg_cd: str
    msg1: str


@dataclass(slots=True)
class SimState:
    """What every request handler can reach: the exchange, the key book, faults, latency."""

    exchange: Exchange
    keys: AppKeys
    faults: list[Fault] = field(default_factory=list)
    latency: float = 0.0
    tr_latency: dict[str, float] = field(default_factory=dict)
    requests_by_tr: dict[str, int] = field(default_factory=dict)

    def take_fault(self, tr_id: str) -> Fault | None:
        for fault in self.faults:
            if fault.tr_id in (tr_id, "*") and fault.count > 0:
                fault.count -= 1
                if fault.count == 0:
                    self.faults.remove(fault)
                return fault
        return None


# ---------------------------------------------------------------------------------- formatting


def fmt_int(value: int | Any) -> str:
    return str(int(value))


def fmt_money(value: Any, places: int = 0) -> str:
    """KIS number text: plain notation with `places` decimals ("215500", "-6725", "0.00000000"),
    rounded half-up, never "-0"."""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if not rounded:
        rounded = rounded.copy_abs()
    return format(rounded, "f")


def fmt_rate(value: Any, places: int = 2) -> str:
    return fmt_money(value, places)


def page(
    rows: Sequence[Any],
    call: Call,
    *,
    size: int,
    fk: str = "CTX_AREA_FK100",
    nk: str = "CTX_AREA_NK100",
    width: int = 100,
) -> tuple[Sequence[Any], dict[str, str], str]:
    """Slice `rows` for this call by the KIS continuation cursor.

    Returns the rows of this page, the `ctx_area_fk*`/`ctx_area_nk*` body fields (lower-case,
    right-padded to `width` like KIS), and the `tr_cont` header (`M` more, `D` last).
    """
    offset = 0
    if call.tr_cont.upper() == "N":
        cursor = call.get(nk).strip()
        if cursor.startswith("SIM") and cursor[3:].isdigit():
            offset = int(cursor[3:])
    chunk = rows[offset : offset + size]
    more = offset + size < len(rows)
    fk_value = f"{call.get('CANO')}^{call.get('ACNT_PRDT_CD')}^" if more else ""
    nk_value = f"SIM{offset + size}" if more else ""
    ctx = {fk.lower(): fk_value.ljust(width), nk.lower(): nk_value.ljust(width)}
    return chunk, ctx, ("M" if more else "D")


# ------------------------------------------------------------------------------------ envelopes


def kis_json(
    body: Mapping[str, Any],
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status_code=status,
        media_type=JSON_TYPE,
        headers=dict(headers or {}),
    )


def reject_response(reject: SimReject, tr_id: str = "") -> Response:
    body = {"rt_cd": reject.rt_cd, "msg_cd": reject.msg_cd, "msg1": reject.msg1}
    headers = {"tr_id": tr_id, "tr_cont": "", "gt_uid": _gt_uid()} if tr_id else {}
    return kis_json(body, reject.http_status, headers)


def _gt_uid() -> str:
    return secrets.token_hex(16)


def _success_message(endpoint: Endpoint, call: Call) -> tuple[str, str]:
    if endpoint.kind == "quote":
        return "MCA00000", "정상처리 되었습니다."
    if endpoint.kind == "inquiry":
        if call.virtual:
            return "20310000", "모의투자 조회가 완료되었습니다.".ljust(40)
        return "KIOK0510", "조회가 완료되었습니다".ljust(40)
    if call.virtual:
        return "40600000", "모의투자 주문이 완료 되었습니다."
    return "APBK0013", "주문 전송 완료 되었습니다."


# ------------------------------------------------------------------------------------- the app


def _endpoint_route(state: SimState, endpoint: Endpoint, env: Env) -> Route:
    async def handle(request: Request) -> Response:
        tr_id = request.headers.get("tr_id", "").strip()
        try:
            return await _serve(state, endpoint, env, request, tr_id)
        except SimReject as reject:
            return reject_response(reject, tr_id)

    prefix = VIRTUAL_PREFIX if env == "virtual" else ""
    return Route(prefix + endpoint.path, handle, methods=[endpoint.method])


async def _serve(
    state: SimState, endpoint: Endpoint, env: Env, request: Request, tr_id: str
) -> Response:
    headers = request.headers
    appkey = headers.get("appkey", "").strip()
    state.keys.check_credentials(env, appkey, headers.get("appsecret", "").strip())
    state.keys.check_token(env, appkey, headers.get("authorization", ""))
    if not tr_id:
        raise Rejects.NO_TR_ID
    tr = endpoint.tr(tr_id)
    if tr is None or tr.env not in ("both", env):
        raise Rejects.NO_SERVICE
    over = state.keys.admit(env, appkey)
    if over is not None:
        raise over
    state.requests_by_tr[tr_id] = state.requests_by_tr.get(tr_id, 0) + 1
    delay = state.latency + state.tr_latency.get(tr_id, 0.0)
    if delay > 0:
        await asyncio.sleep(delay)
    fault = state.take_fault(tr_id)
    if fault is not None:
        raise SimReject(fault.msg_cd, fault.msg1, fault.status)
    params = await _params(request, endpoint.method)
    call = Call(
        env=env,
        tr_id=tr_id,
        appkey=appkey,
        params=params,
        tr_cont=headers.get("tr_cont", "").strip(),
        exchange=state.exchange,
        state=state,
    )
    reply = endpoint.handler(call)
    msg_cd, msg1 = _success_message(endpoint, call)
    body: dict[str, Any] = {
        "rt_cd": "0",
        "msg_cd": reply.msg_cd or msg_cd,
        "msg1": reply.msg1 or msg1,
    }
    body.update(reply.payload)
    return kis_json(body, 200, {"tr_id": tr_id, "tr_cont": reply.tr_cont, "gt_uid": _gt_uid()})


async def _params(request: Request, method: str) -> dict[str, str]:
    if method == "GET":
        return {k.upper(): v for k, v in request.query_params.items()}
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise Rejects.bad_field("BODY") from None
    if not isinstance(data, dict):
        raise Rejects.bad_field("BODY")
    return {str(k).upper(): "" if v is None else str(v) for k, v in data.items()}


def _oauth_routes(state: SimState, env: Env) -> list[Route]:
    prefix = VIRTUAL_PREFIX if env == "virtual" else ""
    keys = state.keys

    async def token(request: Request) -> Response:
        data = await _json_body(request)
        if data.get("grant_type") != "client_credentials":
            return kis_json(
                {"error_description": "grant_type 이 올바르지 않습니다.", "error_code": "EGW00102"},
                403,
            )
        try:
            issued = keys.issue_token(
                env, str(data.get("appkey", "")), str(data.get("appsecret", ""))
            )
        except TokenThrottled:
            return kis_json(
                {
                    "error_description": "접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)",
                    "error_code": "EGW00133",
                },
                403,
            )
        except SimReject as reject:
            return kis_json({"error_description": reject.msg1, "error_code": reject.msg_cd}, 403)
        remaining = max(0, round((issued.expires - keys.clock.now()).total_seconds()))
        return kis_json(
            {
                "access_token": issued.token,
                "access_token_token_expired": issued.expires.strftime("%Y-%m-%d %H:%M:%S"),
                "token_type": "Bearer",
                "expires_in": remaining,
            }
        )

    async def revoke(request: Request) -> Response:
        data = await _json_body(request)
        ok = keys.revoke(
            str(data.get("appkey", "")), str(data.get("appsecret", "")), str(data.get("token", ""))
        )
        if ok:
            return kis_json({"code": 200, "message": "접근토큰 폐기에 성공하였습니다"})
        return kis_json(
            {"error_description": "유효하지 않은 token 입니다.", "error_code": "EGW00121"}, 403
        )

    async def approval(request: Request) -> Response:
        data = await _json_body(request)
        try:
            key = keys.approve(env, str(data.get("appkey", "")), str(data.get("secretkey", "")))
        except SimReject as reject:
            return kis_json({"error_description": reject.msg1, "error_code": reject.msg_cd}, 403)
        return kis_json({"approval_key": key})

    async def hashkey(request: Request) -> Response:
        try:
            keys.check_credentials(
                env,
                request.headers.get("appkey", "").strip(),
                request.headers.get("appsecret", "").strip(),
            )
        except SimReject as reject:
            return reject_response(reject)
        raw = await request.body()
        try:
            body = json.loads(raw or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError):
            return reject_response(Rejects.bad_field("BODY"))
        digest = hashlib.sha256(raw).hexdigest()
        return kis_json({"BODY": body, "HASH": digest})

    return [
        Route(prefix + "/oauth2/tokenP", token, methods=["POST"]),
        Route(prefix + "/oauth2/revokeP", revoke, methods=["POST"]),
        Route(prefix + "/oauth2/Approval", approval, methods=["POST"]),
        Route(prefix + "/uapi/hashkey", hashkey, methods=["POST"]),
    ]


async def _json_body(request: Request) -> dict[str, Any]:
    try:
        data = json.loads(await request.body() or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def build_rest_app(
    state: SimState,
    endpoints: Iterable[Endpoint],
    extra_routes: Iterable[BaseRoute] = (),
) -> Starlette:
    """The Starlette app: oauth, every endpoint for real and virtual, and `extra_routes`."""
    routes: list[BaseRoute] = []
    for env in ("real", "virtual"):
        routes.extend(_oauth_routes(state, env))
    for endpoint in endpoints:
        routes.append(_endpoint_route(state, endpoint, "real"))
        routes.append(_endpoint_route(state, endpoint, "virtual"))
    routes.extend(extra_routes)

    async def not_found(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 404
        return kis_json(
            {"rt_cd": "1", "msg_cd": "EGW00202", "msg1": "GW라우팅 중 오류가 발생했습니다."}, status
        )

    async def crashed(request: Request, exc: Exception) -> Response:
        logger.exception("simulator handler failed on %s", request.url.path)
        return kis_json(
            {"rt_cd": "1", "msg_cd": "OPSQ9999", "msg1": "시스템 오류가 발생했습니다."}, 500
        )

    return Starlette(
        routes=routes,
        exception_handlers={
            HTTPException: not_found,
            404: not_found,
            405: not_found,
            Exception: crashed,
        },
    )
