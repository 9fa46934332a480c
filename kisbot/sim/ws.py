"""The websocket side of the simulator (KIS reference §6).

Paths: `/`, `/tryitout` and `/tryitout/<TR>` are the real server; the same under `/vts` are the
virtual (모의투자) one. Anything else is refused (`process_request` answers 404 when the server
passes it to `serve`; otherwise the handler closes with 1008).

A session is one connection. Its first request with a known approval key binds it to that
key's app key; KIS allows one live session per app key, so another connection of the same app
key is answered `OPSP8996` and closed. Subscriptions are (tr_id, tr_key) registrations, at
most `settings.max_ws_registrations` (41) per session; each ack carries a fresh AES key and iv.

Exchange events arrive synchronously from inside exchange calls, so the listener only builds
frames and queues them; a writer task per session sends. Ticks of one (tr_id, tr_key) that
pile up before the writer runs leave as one multi-record frame (`0|TR|003|…`). A client that
cannot keep up loses its oldest market-data records past 256 pending; acks, notices and
PINGPONG are never dropped (a client with 1,000 of them unsent is cut off).

Answers where the reference is silent (the simulator's choices):
- every refusal has `rt_cd "1"` (KIS has been seen sending "1" and "9") and no `output`,
  except `OPSP0002`, which repeats the subscription's key and iv (as `OPSP0001` does);
- an approval key of the other environment is `OPSP0011` (the real servers are different
  hosts, so one never heard of the other's keys);
- H0STCNI0/H0GSCNI0 are real-only and H0STCNI9/H0GSCNI9 virtual-only (`OPSP8991` elsewhere);
  H0UNCNT0 and H0NXCNT0 carry the H0STCNT0 feed under their own TR ID;
- a request of a session bound to another app key is `OPSP0010`;
- idle sessions are not closed when they ignore PINGPONG (the KIS timeout is unknown).
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import string
from collections import deque
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Final, Literal

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.frames import CloseCode
from websockets.http11 import Request, Response
from websockets.protocol import State

from kisbot.sim import frames
from kisbot.sim.config import Env
from kisbot.sim.exchange import Book, OrderEvent, TickEvent
from kisbot.sim.rest import SimState
from kisbot.sim.universe import find_instrument

__all__ = ["CATALOGUE", "Opsp", "TrSpec", "WsHub", "route_env"]

logger = logging.getLogger(__name__)

MAX_PENDING_RECORDS: Final = 256  # market-data records queued per session before dropping
MAX_PENDING_TEXTS: Final = 1_000  # acks/notices/pings queued before the client is cut off
FLUSH_SECONDS: Final = 5.0  # how long a closing session may take to send what it queued
_VIRTUAL_PREFIX: Final = "/vts"
_TRYITOUT: Final = "/tryitout"
_DAYTIME_CODES: Final = {"NAS": "BAQ", "NYS": "BAY", "AMS": "BAA"}  # US daytime (주간거래)


@dataclass(frozen=True, slots=True)
class TrSpec:
    """One realtime TR the simulator serves."""

    tr_id: str
    feed: Literal["trade", "book", "notice"]
    domestic: bool
    env: Env | None = None  # None: served on both environments

    @property
    def encrypted(self) -> bool:
        return self.feed == "notice"


CATALOGUE: Final[dict[str, TrSpec]] = {
    spec.tr_id: spec
    for spec in (
        TrSpec("H0STCNT0", "trade", domestic=True),
        TrSpec("H0UNCNT0", "trade", domestic=True),
        TrSpec("H0NXCNT0", "trade", domestic=True),
        TrSpec("H0STASP0", "book", domestic=True),
        TrSpec("HDFSCNT0", "trade", domestic=False),
        TrSpec("HDFSASP0", "book", domestic=False),
        TrSpec("H0STCNI0", "notice", domestic=True, env="real"),
        TrSpec("H0STCNI9", "notice", domestic=True, env="virtual"),
        TrSpec("H0GSCNI0", "notice", domestic=False, env="real"),
        TrSpec("H0GSCNI9", "notice", domestic=False, env="virtual"),
    )
}


@dataclass(frozen=True, slots=True)
class Opsp:
    """A websocket control answer: `msg_cd`, `msg1` and `rt_cd` (§6.7)."""

    msg_cd: str
    msg1: str
    rt_cd: str = "1"


class Replies:
    """The OPSP answers the simulator gives (texts as KIS lists them, §6.7)."""

    SUBSCRIBED: Final = Opsp("OPSP0000", "SUBSCRIBE SUCCESS", "0")
    UNSUBSCRIBED: Final = Opsp("OPSP0001", "UNSUBSCRIBE SUCCESS", "0")
    ALREADY: Final = Opsp("OPSP0002", "ALREADY IN SUBSCRIBE")
    NOT_SUBSCRIBED: Final = Opsp("OPSP0003", "UNSUBSCRIBE ERROR(not found!)")
    MAX_OVER: Final = Opsp("OPSP0008", "MAX SUBSCRIBE OVER")
    OTHER_APPKEY: Final = Opsp("OPSP0010", "SUBSCRIBE WARNING : invalid appkey")
    NO_APPROVAL: Final = Opsp("OPSP0011", "invalid approval : NOT FOUND")
    BAD_TR_ID: Final = Opsp("OPSP8991", "SUBSCRIBE ERROR : invalid tr_id")
    BAD_TR_KEY: Final = Opsp("OPSP8992", "SUBSCRIBE ERROR : invalid tr_key")
    IN_USE: Final = Opsp("OPSP8996", "ALREADY IN USE appkey")
    BAD_TR_TYPE: Final = Opsp("OPSP8997", "JSON PARSING ERROR : invalid tr_type")
    BAD_CUSTTYPE: Final = Opsp("OPSP8998", "JSON PARSING ERROR : invalid custtype")
    NO_TR_KEY: Final = Opsp("OPSP9990", "JSON PARSING ERROR : invalid tr_key")
    NO_INPUT: Final = Opsp("OPSP9991", "JSON PARSING ERROR : input not found")
    NO_BODY: Final = Opsp("OPSP9992", "JSON PARSING ERROR : body not found")
    NO_APPKEY: Final = Opsp("OPSP9996", "JSON PARSING ERROR : appkey not found")
    NO_CUSTTYPE: Final = Opsp("OPSP9997", "JSON PARSING ERROR : custtype not found")
    NO_HEADER: Final = Opsp("OPSP9998", "JSON PARSING ERROR : header not found")
    BAD_JSON: Final = Opsp("OPSP9999", "JSON PARSING ERROR : invalid json format")


class _Refused(Exception):
    """A request the server answers with an error; `fatal` closes the session after it."""

    def __init__(self, reply: Opsp, tr_id: str = "", tr_key: str = "", *, fatal: bool = False):
        super().__init__(reply.msg_cd)
        self.reply = reply
        self.tr_id = tr_id
        self.tr_key = tr_key
        self.fatal = fatal

    def text(self) -> str:
        return _reply(self.reply, self.tr_id, self.tr_key)


def _reply(opsp: Opsp, tr_id: str, tr_key: str, sub: Subscription | None = None) -> str:
    """A control answer; with `sub`, its encrypt flag and its key and iv."""
    return frames.control_reply(
        tr_id,
        tr_key,
        rt_cd=opsp.rt_cd,
        msg_cd=opsp.msg_cd,
        msg1=opsp.msg1,
        encrypt=sub is not None and sub.spec.encrypted,
        key_iv=(sub.key, sub.iv) if sub is not None else None,
    )


def route_env(path: str) -> Env | None:
    """The environment a websocket path serves, or None when the path is not one of KIS's."""
    path = path.split("?", 1)[0].rstrip("/")
    env: Env = "real"
    if path == _VIRTUAL_PREFIX or path.startswith(_VIRTUAL_PREFIX + "/"):
        env, path = "virtual", path[len(_VIRTUAL_PREFIX) :]
    if path in ("", _TRYITOUT):
        return env
    tr_id = path.removeprefix(_TRYITOUT + "/")
    if tr_id != path and len(tr_id) == 8 and tr_id.isalnum() and tr_id.isupper():
        return env  # the portal's per-TR URLs: every TR is multiplexed anyway
    return None


# ---------------------------------------------------------------------------------- requests


@dataclass(frozen=True, slots=True)
class WsRequest:
    approval_key: str
    custtype: str
    tr_type: str
    tr_id: str
    tr_key: str


def _field(obj: object, name: str) -> str:
    if not isinstance(obj, dict):
        return ""
    value = obj.get(name)
    return "" if value is None else str(value).strip()


def parse_request(text: str) -> WsRequest | None:
    """The subscribe/unsubscribe request in `text`; None for a PINGPONG echo. Raises
    `_Refused` with the OPSP999x/89xx answer when a part is missing."""
    try:
        data: Any = json.loads(text)
    except ValueError:
        raise _Refused(Replies.BAD_JSON) from None
    if not isinstance(data, dict):
        raise _Refused(Replies.BAD_JSON)
    header = data.get("header")
    if not isinstance(header, dict):
        raise _Refused(Replies.NO_HEADER)
    if _field(header, "tr_id") == "PINGPONG":
        return None
    body = data.get("body")
    given = body.get("input") if isinstance(body, dict) else None
    tr_id, tr_key = _field(given, "tr_id"), _field(given, "tr_key")
    checks = (
        (_field(header, "approval_key"), Replies.NO_APPKEY),
        (_field(header, "custtype"), Replies.NO_CUSTTYPE),
        (isinstance(body, dict), Replies.NO_BODY),
        (isinstance(given, dict), Replies.NO_INPUT),
        (tr_id, Replies.BAD_TR_ID),
        (tr_key, Replies.NO_TR_KEY),
    )
    for present, refusal in checks:
        if not present:
            raise _Refused(refusal, tr_id, tr_key)
    return WsRequest(
        approval_key=_field(header, "approval_key"),
        custtype=_field(header, "custtype"),
        tr_type=_field(header, "tr_type"),
        tr_id=tr_id,
        tr_key=tr_key,
    )


# ----------------------------------------------------------------------------------- sessions


@dataclass(frozen=True, slots=True)
class Subscription:
    spec: TrSpec
    tr_key: str
    symbol: str | None  # None for notices (keyed by HTS ID)
    key: str
    iv: str


def _new_key_iv() -> tuple[str, str]:
    """A 32-letter AES key and a 16-hex-digit iv, like the captured acks."""
    key = "".join(secrets.choice(string.ascii_lowercase) for _ in range(32))
    return key, secrets.token_hex(8)


class Outbox:
    """What one session still has to send, and the writer that sends it.

    Control text (acks, notices, PINGPONG) is kept in order and never dropped. Market-data
    records wait grouped by (tr_id, tr_key): each group leaves as one frame. Past
    `max_records` pending records the oldest record is dropped.
    """

    def __init__(
        self, max_records: int = MAX_PENDING_RECORDS, max_texts: int = MAX_PENDING_TEXTS
    ) -> None:
        if not 1 <= max_records <= frames.MAX_RECORDS:
            raise ValueError("max_records must fit the 3-digit count field")
        self.max_records = max_records
        self.max_texts = max_texts
        self.dropped = 0
        self._texts: deque[str] = deque()
        self._groups: dict[tuple[str, str], deque[tuple[int, list[str]]]] = {}
        self._pending = 0
        self._seq = 0
        self._wake = asyncio.Event()
        self._closing = False

    def put_text(self, text: str) -> bool:
        """Queue a control text; False when the client has stopped reading (too many)."""
        if len(self._texts) >= self.max_texts:
            return False
        self._texts.append(text)
        self._wake.set()
        return True

    def put_record(self, tr_id: str, tr_key: str, record: list[str]) -> None:
        if self._closing:
            return
        if self._pending >= self.max_records:
            self._drop_oldest()
        self._seq += 1
        self._groups.setdefault((tr_id, tr_key), deque()).append((self._seq, record))
        self._pending += 1
        self._wake.set()

    def _drop_oldest(self) -> None:
        key = min(self._groups, key=lambda k: self._groups[k][0][0])
        group = self._groups[key]
        group.popleft()
        if not group:
            del self._groups[key]
        self._pending -= 1
        self.dropped += 1

    def purge(self, tr_id: str, tr_key: str) -> None:
        """Forget the queued records of a registration that just ended."""
        group = self._groups.pop((tr_id, tr_key), None)
        if group:
            self._pending -= len(group)

    def close(self) -> None:
        """Stop taking market data; the writer sends the queued texts, then ends."""
        self._closing = True
        self._groups.clear()
        self._pending = 0
        self._wake.set()

    async def run(self, connection: ServerConnection) -> None:
        """The writer: texts first, then one frame per pending (tr_id, tr_key) group."""
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                while self._texts or self._groups:
                    while self._texts:
                        await connection.send(self._texts.popleft())
                    groups, self._groups, self._pending = self._groups, {}, 0
                    for (tr_id, _), records in groups.items():
                        await connection.send(frames.data_frame(tr_id, [r for _, r in records]))
                if self._closing:
                    return
        except ConnectionClosed:
            return


@dataclass(eq=False, slots=True)
class Session:
    connection: ServerConnection
    env: Env
    appkey: str | None = None
    subs: dict[tuple[str, str], Subscription] = field(default_factory=dict)
    outbox: Outbox = field(default_factory=Outbox)

    @property
    def alive(self) -> bool:
        return self.connection.state is State.OPEN


def _mask(appkey: str | None) -> str:
    if not appkey:
        return ""
    return f"{appkey[:6]}…{appkey[-4:]}" if len(appkey) > 12 else "…"


# ----------------------------------------------------------------------------------------- hub


class WsHub:
    """Serves KIS websocket sessions on top of the shared simulator state."""

    us_book_levels: int = 1  # HDFSASP0 depth: 1 (17 fields, the official samples) or 10 (71)

    def __init__(self, state: SimState) -> None:
        self.state = state
        self._sessions: set[Session] = set()
        self._by_appkey: dict[str, Session] = {}
        state.exchange.listeners.append(self._on_event)

    # ------------------------------------------------------------------------- connections

    def process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        """`serve(process_request=…)` hook: 404 before the upgrade for paths KIS has not."""
        if route_env(request.path) is None:
            return connection.respond(HTTPStatus.NOT_FOUND, "unknown websocket path\n")
        return None

    async def handler(self, connection: ServerConnection) -> None:
        """Serve one websocket connection (websockets.asyncio.server handler)."""
        request = connection.request
        env = route_env(request.path if request is not None else "/")
        if env is None:
            await connection.close(CloseCode.POLICY_VIOLATION, "unknown websocket path")
            return
        session = Session(connection, env)
        self._sessions.add(session)
        writer = asyncio.create_task(session.outbox.run(connection), name="sim-ws-writer")
        try:
            async for message in connection:
                text = message if isinstance(message, str) else message.decode("utf-8", "replace")
                if not self._on_text(session, text):
                    break
        except ConnectionClosed:
            pass
        finally:
            self._release(session)
            try:
                await asyncio.wait([writer], timeout=FLUSH_SECONDS)
            finally:
                writer.cancel()

    async def drop_all(self) -> int:
        """Abort every open session (the client sees 1006); returns how many."""
        sessions = list(self._sessions)
        for session in sessions:
            self._drop(session)
        return len(sessions)

    async def ping_forever(self) -> None:
        """Send PINGPONG to every session every `ping_interval` seconds (never when ≤ 0)."""
        interval = self.state.exchange.settings.ping_interval
        if interval <= 0:
            return
        while True:
            await asyncio.sleep(interval)
            text = frames.pingpong(self.state.exchange.clock.now())
            for session in list(self._sessions):
                self._send(session, text)

    def stats(self) -> dict[str, object]:
        sessions = list(self._sessions)
        return {
            "sessions": len(sessions),
            "registrations": sum(len(s.subs) for s in sessions),
            "by_session": [
                {
                    "appkey": _mask(s.appkey),
                    "env": s.env,
                    "registrations": len(s.subs),
                    "dropped_records": s.outbox.dropped,
                }
                for s in sessions
            ],
        }

    def _release(self, session: Session) -> None:
        """Forget a session and its registrations (idempotent)."""
        self._sessions.discard(session)
        if session.appkey is not None and self._by_appkey.get(session.appkey) is session:
            del self._by_appkey[session.appkey]
        session.subs.clear()
        session.outbox.close()

    def _drop(self, session: Session) -> None:
        self._release(session)
        session.connection.transport.abort()

    def _send(self, session: Session, text: str) -> None:
        if not session.outbox.put_text(text):
            logger.warning("websocket client stopped reading; dropping its session")
            self._drop(session)

    # ---------------------------------------------------------------------------- requests

    def _on_text(self, session: Session, text: str) -> bool:
        """Answer one client message; False when the session must close."""
        try:
            request = parse_request(text)
            if request is not None:
                self._serve(session, request)
        except _Refused as refused:
            self._send(session, refused.text())
            return not refused.fatal
        return True

    def _serve(self, session: Session, req: WsRequest) -> None:
        ctx = (req.tr_id, req.tr_key)
        grant = self.state.keys.approval(req.approval_key)
        if grant is None or grant[0] != session.env:
            raise _Refused(Replies.NO_APPROVAL, *ctx)
        self._bind(session, grant[1], req)
        if req.custtype not in ("P", "B"):
            raise _Refused(Replies.BAD_CUSTTYPE, *ctx)
        if req.tr_type not in ("1", "2"):
            raise _Refused(Replies.BAD_TR_TYPE, *ctx)
        spec = CATALOGUE.get(req.tr_id)
        if spec is None or spec.env not in (None, session.env):
            raise _Refused(Replies.BAD_TR_ID, *ctx)
        if req.tr_type == "2":
            self._unsubscribe(session, spec, req.tr_key)
        else:
            self._subscribe(session, spec, req.tr_key, self._symbol(session, spec, req.tr_key))

    def _bind(self, session: Session, appkey: str, req: WsRequest) -> None:
        """Tie the session to `appkey` on its first request: one live session per app key."""
        if session.appkey == appkey:
            return
        if session.appkey is not None:
            raise _Refused(Replies.OTHER_APPKEY, req.tr_id, req.tr_key)
        other = self._by_appkey.get(appkey)
        if other is not None:
            if other.alive:
                raise _Refused(Replies.IN_USE, req.tr_id, req.tr_key, fatal=True)
            self._release(other)
        session.appkey = appkey
        self._by_appkey[appkey] = session

    def _symbol(self, session: Session, spec: TrSpec, tr_key: str) -> str | None:
        """The instrument `tr_key` names for `spec` (None for notices), or OPSP8992."""
        refused = _Refused(Replies.BAD_TR_KEY, spec.tr_id, tr_key)
        if spec.feed == "notice":
            expected = {
                acct.hts_id
                for acct in self.state.exchange.settings.accounts
                if acct.appkey == session.appkey and acct.hts_id
            }
            if expected and tr_key not in expected:
                raise refused
            return None
        if spec.domestic:
            inst = find_instrument(tr_key)
        else:
            # D + EXCD + symbol (DNASAAPL), or R + daytime code + symbol (RBAQAAPL)
            prefix, code, ticker = tr_key[:1], tr_key[1:4], tr_key[4:]
            inst = find_instrument(ticker) if ticker else None
            if inst is not None and not inst.domestic:
                quote = inst.venue.quote_code
                if (prefix, code) not in (("D", quote), ("R", _DAYTIME_CODES.get(quote))):
                    inst = None
        if inst is None or inst.domestic != spec.domestic:
            raise refused
        return inst.symbol

    def _subscribe(self, session: Session, spec: TrSpec, tr_key: str, symbol: str | None) -> None:
        registration = (spec.tr_id, tr_key)
        existing = session.subs.get(registration)
        if existing is not None:
            self._send(session, _reply(Replies.ALREADY, *registration, sub=existing))
            return
        if len(session.subs) >= self.state.exchange.settings.max_ws_registrations:
            raise _Refused(Replies.MAX_OVER, *registration)
        key, iv = _new_key_iv()
        sub = Subscription(spec, tr_key, symbol, key, iv)
        session.subs[registration] = sub
        self._send(session, _reply(Replies.SUBSCRIBED, *registration, sub=sub))

    def _unsubscribe(self, session: Session, spec: TrSpec, tr_key: str) -> None:
        registration = (spec.tr_id, tr_key)
        sub = session.subs.pop(registration, None)
        if sub is None:
            raise _Refused(Replies.NOT_SUBSCRIBED, *registration)
        session.outbox.purge(*registration)
        self._send(session, _reply(Replies.UNSUBSCRIBED, *registration, sub=sub))

    # ------------------------------------------------------------------------------ events

    def _on_event(self, event: TickEvent | OrderEvent) -> None:
        """Exchange listener: called synchronously inside exchange calls, so it only queues."""
        try:
            if isinstance(event, TickEvent):
                self._on_tick(event)
            else:
                self._on_order(event)
        except Exception:
            # a frame bug must not break the exchange call that printed the event
            logger.exception("building websocket frames failed")

    def _on_tick(self, tick: TickEvent) -> None:
        symbol = tick.state.inst.symbol
        book: Book | None = None
        records: dict[tuple[str, str], list[str]] = {}
        for session in list(self._sessions):
            for sub in session.subs.values():
                if sub.symbol != symbol:
                    continue
                cached = (sub.spec.feed, sub.tr_key)
                record = records.get(cached)
                if record is None:
                    if book is None:
                        book = self.state.exchange.book(symbol)
                    record = records[cached] = self._market_record(sub, tick, book)
                session.outbox.put_record(sub.spec.tr_id, sub.tr_key, record)

    def _market_record(self, sub: Subscription, tick: TickEvent, book: Book) -> list[str]:
        if sub.spec.domestic:
            if sub.spec.feed == "trade":
                return frames.h0stcnt0_record(tick, book)
            return frames.h0stasp0_record(tick.state, book)
        if sub.spec.feed == "trade":
            return frames.hdfscnt0_record(sub.tr_key, tick, book)
        return frames.hdfsasp0_record(sub.tr_key, tick.state, book, self.us_book_levels)

    def _on_order(self, event: OrderEvent) -> None:
        """Encrypted notices to the sessions of the app key that placed the order."""
        order = event.order
        for session in list(self._sessions):
            if session.env != order.env or session.appkey != order.appkey:
                continue
            for sub in list(session.subs.values()):
                if sub.spec.feed != "notice" or sub.spec.domestic != order.inst.domestic:
                    continue
                build = frames.h0stcni_record if order.inst.domestic else frames.h0gscni_record
                record = build(event, sub.tr_key)
                self._send(session, frames.encrypted_frame(sub.spec.tr_id, record, sub.key, sub.iv))
