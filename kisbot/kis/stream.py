"""`KisStream`: the KIS realtime websocket of one app key (../shared/kis-reference.md §6).

```python
async with KisStream(kis.auth, settings.ws_url, hts_id=settings.hts_id) as stream:
    async with stream.events() as events:         # StreamEvent: connected, lost, restored, closed
        ...
    async with stream.subscribe(Price("005930")) as ticks:
        async for tick in ticks:                   # PriceTick, until the block or the stream ends
            ...
```

Keys and what they register (tr_id, tr_key) on the session:

| Key | Values | Registrations: tr_id tr_key |
|---|---|---|
| `Price(symbol, market=KRX)` | `PriceTick` | H0STCNT0 code; US: HDFSCNT0 `D`+EXCD+symbol |
| `Book(symbol, market=KRX)` | `OrderbookUpdate` | H0STASP0 code; US: HDFSASP0 (`DNASAAPL`) |
| `Notices()` | `ExecutionNotice` | H0STCNI0/9 and H0GSCNI0/9 (real/virtual), HTS ID |

How it behaves:
- **One websocket** per stream; KIS keeps one live session per app key (a second is refused
  with `OPSP8996`), so an application opens one `KisStream` per app key.
- **Ref-counted registrations.** Subscribers of the same registration share it; the first one
  sends the subscribe (`tr_type` "1"), the last one leaving sends the unsubscribe ("2").
  Entering `subscribe()` waits for KIS's acknowledgement (OPSP0000; OPSP0002 "already" is as
  good) at most `ack_timeout`; a refusal raises its `KisError` (OPSP0008 →
  `KisSubscriptionLimit`, others `KisRejected` with the code). While the stream is
  reconnecting it waits for the restored session within the same bound, then returns anyway:
  the registration stays wanted and is sent when the connection is back.
- **The cap** (41 registrations per session, §6.1) is checked before anything is sent:
  `KisSubscriptionLimit("41/41 realtime slots in use; …")`. `slots_used` counts what the
  session holds or is about to hold; `slots_free` the rest.
- **Each subscriber has its own queue.** Market data (`Price`, `Book`) keeps the newest
  `queue_size` values and drops the oldest for a slow consumer (`Feed.dropped` counts them);
  notices are never dropped (unbounded queue: they are few, and each is an order's fate).
- **PINGPONG** is echoed back as the same JSON text (python-kis does; the official sample
  sends a pong frame; both are reported to work, §6.4). Client keepalive pings are off
  (`ping_interval=None`, §6.1).
- **Watchdog.** No message at all (PINGPONG counts) for `silence_timeout` seconds means the
  link is dead: it is aborted and reconnected. KIS's PINGPONG period is not documented (one
  report says ~110 s; the simulator's default is 100 s), so the default is 150 s.
- **Reconnect** after a loss, a silence or a server close: exponential backoff with jitter
  (`Backoff`, on the injected clock), a fresh approval key if KIS did not know the old one
  (`OPSP0011`), and patience for `OPSP8996` (the old session still holds the app key, §6.9).
  On every new session each wanted registration is sent exactly once (the wanted set against
  what the session acknowledged, python-kis's two sets); the AES keys of the new acks replace
  the old ones. Values of the gap are lost (KIS replays nothing): reconcile orders over REST
  after `restored`.
- **Events**: `connected` (first session up and every wanted registration acknowledged),
  `lost` (an announced session ended; `reason` says why), `restored` (a later session up and
  re-registered), `closed`. `state` and `last_message_at` are there for a health check.
- **Closing** ends every feed (`async for` stops), cancels the supervisor task and closes the
  socket; the session's registrations die with it, so no unsubscribe is sent.

Choices where the reference is silent:
- `Notices()` registers both the domestic and the overseas notice TR (2 of the 41 slots): an
  account's orders can be on either side; `Notices(overseas=False)` takes one slot.
- KIS binds a session to its app key on the first request, not on connect, so a duplicate
  session is found out (OPSP8996) only when something is registered.
- Timeouts of the socket itself (connect, acknowledgements, the watchdog) run on the event
  loop's monotonic clock; the injected `Clock` paces the backoff and stamps events and
  `last_message_at`.
- An acknowledgement that does not come within `ack_timeout` on an open link means the link is
  broken: it is aborted and reconnected.
- Session-level refusals (`OPSP8996`, `OPSP0011`, `OPSP0010`) end the link and keep every
  registration wanted; any other refusal ends the refused registration and is raised to its
  subscribers.

Secrets: the approval key travels in every request and never appears in a log line, an error
or a repr; the websockets library logs frames at DEBUG, so its logger here is held at INFO.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from types import TracebackType
from typing import Any, Final, Generic, NamedTuple, Self, TypeVar, overload

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException

from kisbot.domain.errors import ConfigError, InputError
from kisbot.domain.models import Market
from kisbot.domain.realtime import ExecutionNotice, OrderbookUpdate, PriceTick
from kisbot.domain.time import KST, Clock, SystemClock
from kisbot.kis.auth import KisAuth
from kisbot.kis.errors import KIS_ERROR_CODES, KisError, KisRejected, KisSubscriptionLimit
from kisbot.kis.frames import FrameError, convert, is_data_frame, parse_frame
from kisbot.kis.hosts import Env, default_ws_url
from kisbot.kis.params import US_QUOTE_CODES

__all__ = [
    "MAX_REGISTRATIONS",
    "Backoff",
    "Book",
    "EventKind",
    "Feed",
    "KisStream",
    "Notices",
    "Price",
    "StreamEvent",
    "StreamKey",
    "StreamState",
]

logger = logging.getLogger(__name__)

# The websockets library logs every frame at DEBUG, approval keys included: keep it above that.
_WIRE_LOGGER: Final = logging.getLogger(f"{__name__}.wire")
_WIRE_LOGGER.setLevel(logging.INFO)

T = TypeVar("T")

MAX_REGISTRATIONS: Final = 41  # §6.1: the 42nd is refused with OPSP0008 (measured)
TRYITOUT: Final = "/tryitout"
MAX_MESSAGE: Final = 2**22  # bytes; frames are small, a burst of records is not
CLOSE_TIMEOUT: Final = 2.0
EVENT_QUEUE: Final = 64
ENDPOINT: Final = "websocket"

# §6.3/§6.7 control codes
SUBSCRIBED: Final = frozenset({"OPSP0000", "OPSP0002"})  # success; already subscribed
UNSUBSCRIBED: Final = frozenset({"OPSP0001", "OPSP0003"})  # success; was not subscribed
IN_USE: Final = "OPSP8996"  # another live session holds the app key: wait and retry
APPROVAL_REFUSED: Final = frozenset({"OPSP0011", "OPSP0010"})  # unknown approval key / app key

_TRADE_TRS: Final = {True: "H0STCNT0", False: "HDFSCNT0"}  # by Market.domestic
_BOOK_TRS: Final = {True: "H0STASP0", False: "HDFSASP0"}
_NOTICE_TRS: Final[dict[Env, tuple[str, str]]] = {  # (domestic, overseas)
    "real": ("H0STCNI0", "H0GSCNI0"),
    "virtual": ("H0STCNI9", "H0GSCNI9"),
}


# ------------------------------------------------------------------------------------- keys


@dataclass(frozen=True, slots=True)
class Price:
    """Trades (체결) of one instrument, as `PriceTick`s: KRX by default, or a US market."""

    symbol: str
    market: Market = Market.KRX


@dataclass(frozen=True, slots=True)
class Book:
    """The order book (호가) of one instrument, as `OrderbookUpdate`s (US: one level, free)."""

    symbol: str
    market: Market = Market.KRX


@dataclass(frozen=True, slots=True)
class Notices:
    """The account's execution notices (체결통보), as `ExecutionNotice`s; keyed by HTS ID."""

    domestic: bool = True
    overseas: bool = True


StreamKey = Price | Book | Notices


class _Reg(NamedTuple):
    """One registration on the session: what a subscribe request names."""

    tr_id: str
    tr_key: str


def _market_tr_key(market: Market, symbol: str) -> str | None:
    """The realtime key of an instrument (§6.6): the code, or `D` + EXCD + symbol for the US."""
    if market is Market.KRX:
        return symbol
    code = US_QUOTE_CODES.get(market)
    return None if code is None else f"D{code}{symbol.upper()}"


# ----------------------------------------------------------------------------------- values


class StreamState(StrEnum):
    UNOPENED = "unopened"
    CONNECTING = "connecting"  # the first session is being opened
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"  # a session was lost; values resume after `restored`
    CLOSED = "closed"


class EventKind(StrEnum):
    CONNECTED = "connected"
    LOST = "lost"
    RESTORED = "restored"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class StreamEvent:
    """A change of the stream's connection that the rest of the app may act on."""

    kind: EventKind
    at: datetime
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Backoff:
    """Waits between connection attempts: `initial` × `factor`ⁿ up to `maximum`, each shortened
    by a random fraction of at most `jitter` so that many clients do not retry in step."""

    initial: float = 0.5
    maximum: float = 30.0
    factor: float = 2.0
    jitter: float = 0.2

    def __post_init__(self) -> None:
        if not 0 < self.initial <= self.maximum:
            raise ValueError("Backoff needs 0 < initial <= maximum")
        if self.factor < 1 or not 0 <= self.jitter < 1:
            raise ValueError("Backoff needs factor >= 1 and 0 <= jitter < 1")

    def delay(self, failures: int, rng: random.Random) -> float:
        """The wait after `failures` failed attempts in a row (0: after a lost session)."""
        base = min(self.maximum, self.initial * self.factor ** min(failures, 64))
        return base * (1 - self.jitter * rng.random())


class Feed(Generic[T]):
    """An async iterator over one subscription's values (or the stream's events).

    Values wait in the feed's own queue; past `limit` the oldest is dropped and counted in
    `dropped`. Iteration ends when the subscription's block exits or the stream closes, and
    raises the `KisError` of a registration KIS refused (e.g. on restore).
    """

    def __init__(self, key: StreamKey | None, limit: int | None) -> None:
        self.key = key
        self.limit = limit
        self.dropped = 0
        self._items: deque[T] = deque()
        self._ready = asyncio.Event()
        self._ended = False
        self._error: BaseException | None = None

    def __repr__(self) -> str:
        return f"Feed({self.key!r}, pending={len(self._items)}, dropped={self.dropped})"

    @property
    def pending(self) -> int:
        """Values received and not yet taken."""
        return len(self._items)

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> T:
        items = self._items
        while not items:
            if self._ended:
                error, self._error = self._error, None
                if error is not None:
                    raise error
                raise StopAsyncIteration
            self._ready.clear()
            await self._ready.wait()
        return items.popleft()

    def _put(self, value: T) -> None:
        if self._ended:
            return
        if self.limit is not None and len(self._items) >= self.limit:
            self._items.popleft()
            self.dropped += 1
        self._items.append(value)
        self._ready.set()

    def _finish(self, error: BaseException | None = None) -> None:
        if not self._ended:
            self._ended = True
            self._error = error
            self._ready.set()


# ------------------------------------------------------------------------------------ links


class _Link:
    """One websocket session and what the server acknowledged on it."""

    def __init__(self, ws: ClientConnection, approval: str, now: float) -> None:
        self.ws = ws
        self.approval = approval
        self.acked: set[_Reg] = set()
        self.subscribing: set[_Reg] = set()
        self.unsubscribing: set[_Reg] = set()
        self.keys: dict[str, tuple[str, str]] = {}  # AES (key, iv) per tr_id, from the acks
        self.last_seen = now  # event-loop time of the last message
        self.open = True
        self.announced = False  # connected/restored was emitted for it
        self.failure = ""  # why the link must end, when a control reply said so
        self.abort = False  # end it without a close handshake (silent or unresponsive)

    def end(self, reason: str, *, abort: bool = True) -> None:
        """Make the reader stop: record why and cut the connection."""
        if not self.failure:
            self.failure = reason
        if abort:
            self.abort = True
            self.ws.transport.abort()

    def occupied(self) -> set[_Reg]:
        return self.acked | self.subscribing | self.unsubscribing


def _closed_reason(exc: ConnectionClosed) -> str:
    frame = exc.rcvd
    if frame is None:
        return "connection lost (no close frame)"
    return f"server closed the connection ({f'{frame.code} {frame.reason}'.strip()})"


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


# ----------------------------------------------------------------------------------- stream


class KisStream:
    """The realtime websocket of one app key; see the module docstring.

    `auth` supplies the approval key and decides the environment (real or virtual TRs);
    `ws_url` is the websocket host (default KIS's for the environment; `/tryitout` is added);
    `hts_id` keys execution notices.
    """

    def __init__(
        self,
        auth: KisAuth,
        ws_url: str = "",
        *,
        hts_id: str = "",
        clock: Clock | None = None,
        max_registrations: int = MAX_REGISTRATIONS,
        queue_size: int = 256,
        silence_timeout: float | None = 150.0,
        ack_timeout: float = 10.0,
        connect_timeout: float = 10.0,
        backoff: Backoff | None = None,
        rng: random.Random | None = None,
        custtype: str = "P",
    ) -> None:
        if max_registrations < 1 or queue_size < 1:
            raise ValueError("max_registrations and queue_size must be positive")
        if silence_timeout is not None and silence_timeout <= 0:
            raise ValueError("silence_timeout must be positive (or None to disable)")
        self.env: Env = auth.env
        self.url = _endpoint(ws_url or default_ws_url(auth.env))
        self.hts_id = hts_id.strip()
        self.max_registrations = max_registrations
        self.queue_size = queue_size
        self.pings = 0  # PINGPONGs answered
        self._auth = auth
        self._clock: Clock = clock or SystemClock()
        self._silence = silence_timeout
        self._ack_timeout = ack_timeout
        self._connect_timeout = connect_timeout
        self._backoff = backoff or Backoff()
        self._rng = rng or random.Random()
        self._custtype = custtype
        self._notice_trs = frozenset(_NOTICE_TRS[auth.env])
        self._state = StreamState.UNOPENED
        self._wanted: dict[_Reg, set[Feed[Any]]] = {}
        self._link: _Link | None = None
        self._changed = asyncio.Event()
        self._watchers: set[Feed[StreamEvent]] = set()
        self._supervisor: asyncio.Task[None] | None = None
        self._renew_approval = False
        self._last_message_at: datetime | None = None

    def __repr__(self) -> str:
        return (
            f"KisStream(env={self.env!r}, url={self.url!r}, state={self._state.value!r}, "
            f"slots={self.slots_used}/{self.max_registrations})"
        )

    # ---------------------------------------------------------------------------- state

    @property
    def state(self) -> StreamState:
        return self._state

    @property
    def last_message_at(self) -> datetime | None:
        """When the last message of any kind (PINGPONG included) arrived, by the clock."""
        return self._last_message_at

    @property
    def slots_used(self) -> int:
        """Registrations the session holds or is about to hold (wanted, or not yet released)."""
        return len(self._occupied())

    @property
    def slots_free(self) -> int:
        return max(0, self.max_registrations - self.slots_used)

    def _occupied(self) -> set[_Reg]:
        link = self._link
        wanted = set(self._wanted)
        return wanted | link.occupied() if link is not None else wanted

    # ------------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> Self:
        if self._state is not StreamState.UNOPENED:
            raise RuntimeError("a KisStream can be entered once; make a new one")
        self._state = StreamState.CONNECTING
        self._supervisor = asyncio.create_task(self._supervise(), name="kis-stream")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Stop: end every feed, close the socket. Idempotent."""
        task = self._supervisor
        if task is not None:
            task.cancel()
            await asyncio.wait([task])
        self._shut_down("closed", None)

    def _require_open(self) -> None:
        if self._state is StreamState.UNOPENED:
            raise RuntimeError("use KisStream inside `async with`")
        if self._state is StreamState.CLOSED:
            raise RuntimeError("this KisStream is closed")

    # ---------------------------------------------------------------------- subscribing

    @overload
    def subscribe(
        self, key: Price, *, queue_size: int | None = None
    ) -> AbstractAsyncContextManager[Feed[PriceTick]]: ...

    @overload
    def subscribe(
        self, key: Book, *, queue_size: int | None = None
    ) -> AbstractAsyncContextManager[Feed[OrderbookUpdate]]: ...

    @overload
    def subscribe(
        self, key: Notices, *, queue_size: int | None = None
    ) -> AbstractAsyncContextManager[Feed[ExecutionNotice]]: ...

    def subscribe(
        self, key: StreamKey, *, queue_size: int | None = None
    ) -> AbstractAsyncContextManager[Feed[Any]]:
        """Values of `key` while the block runs: `async with stream.subscribe(key) as feed`.

        `queue_size` overrides the stream's for this subscriber (market data only; notices are
        never dropped). Raises `KisSubscriptionLimit` when the slots are all taken, `KisError`
        when KIS refuses, `InputError`/`ConfigError` for a key that cannot be subscribed.
        """
        if queue_size is not None and queue_size < 1:
            raise ValueError("queue_size must be positive")
        return self._subscription(key, queue_size)

    @asynccontextmanager
    async def _subscription(
        self, key: StreamKey, queue_size: int | None
    ) -> AsyncIterator[Feed[Any]]:
        regs = self._registrations(key)
        feed = await self._add(key, regs, queue_size)
        try:
            yield feed
        finally:
            await self._remove(feed, regs)

    def _registrations(self, key: StreamKey) -> tuple[_Reg, ...]:
        if isinstance(key, Notices):
            if not self.hts_id:
                raise ConfigError("execution notices need the HTS ID (kis.hts_id)")
            domestic, overseas = _NOTICE_TRS[self.env]
            trs = (domestic,) * key.domestic + (overseas,) * key.overseas
            if not trs:
                raise InputError("Notices() needs domestic or overseas notices")
            return tuple(_Reg(tr_id, self.hts_id) for tr_id in trs)
        symbol = key.symbol.strip()
        tr_key = _market_tr_key(key.market, symbol) if symbol else None
        if tr_key is None:
            raise InputError(
                f"no realtime feed for {key.symbol!r} on {key.market}: KRX and US only"
                if symbol
                else "a realtime subscription needs a symbol"
            )
        by_side = _TRADE_TRS if isinstance(key, Price) else _BOOK_TRS
        return (_Reg(by_side[key.market.domestic], tr_key),)

    async def _add(
        self, key: StreamKey, regs: tuple[_Reg, ...], queue_size: int | None
    ) -> Feed[Any]:
        self._require_open()
        occupied = self._occupied()
        needed = sum(reg not in occupied for reg in regs)
        if len(occupied) + needed > self.max_registrations:
            raise KisSubscriptionLimit(
                f"{len(occupied)}/{self.max_registrations} realtime slots in use; "
                f"{key!r} needs {needed} more",
                endpoint=ENDPOINT,
            )
        limit = None if isinstance(key, Notices) else queue_size or self.queue_size
        feed: Feed[Any] = Feed(key, limit)
        for reg in regs:
            self._wanted.setdefault(reg, set()).add(feed)
        try:
            await self._sync()
            if not await self._until(lambda: self._registered(regs), self._ack_timeout):
                self._unresponsive(key)
        except BaseException:
            await self._remove(feed, regs)
            raise
        error = feed._error
        if error is not None:  # KIS refused one of the registrations
            await self._remove(feed, regs)
            raise error
        return feed

    def _registered(self, regs: Iterable[_Reg]) -> bool:
        """Every reg acknowledged by the current session, or refused (no longer wanted)."""
        if self._state is StreamState.CLOSED:
            return True
        link = self._link
        return all(
            reg not in self._wanted or (link is not None and reg in link.acked) for reg in regs
        )

    def _unresponsive(self, key: StreamKey) -> None:
        link = self._link
        if link is not None and link.open:
            logger.warning("no acknowledgement for %r in %gs: reconnecting", key, self._ack_timeout)
            link.end(f"no acknowledgement within {self._ack_timeout:g}s")
        else:
            logger.info("%r is registered when the connection is back", key)

    async def _remove(self, feed: Feed[Any], regs: tuple[_Reg, ...]) -> None:
        feed._finish()
        released: list[_Reg] = []
        for reg in regs:
            feeds = self._wanted.get(reg)
            if feeds is not None and feed in feeds:
                feeds.discard(feed)
                if not feeds:
                    del self._wanted[reg]
                    released.append(reg)
        if released and self._link is not None:
            await self._sync()
            if not await self._until(lambda: self._released(released), self._ack_timeout):
                logger.warning("no unsubscribe acknowledgement in %gs", self._ack_timeout)

    def _released(self, regs: Iterable[_Reg]) -> bool:
        link = self._link
        if link is None or self._state is StreamState.CLOSED:
            return True
        occupied = link.occupied()
        return all(reg in self._wanted or reg not in occupied for reg in regs)

    async def _sync(self) -> None:
        """Send what makes the session's registrations converge on the wanted ones.

        A registration with a request in flight waits for its answer (the ack handler syncs
        again), so each is sent once per session whatever the interleaving of callers.
        """
        link = self._link
        if link is None or not link.open:
            return
        busy = link.subscribing | link.unsubscribing
        requests = [(reg, "1") for reg in self._wanted if reg not in link.acked and reg not in busy]
        requests += [
            (reg, "2") for reg in link.acked if reg not in self._wanted and reg not in busy
        ]
        for reg, tr_type in requests:
            (link.subscribing if tr_type == "1" else link.unsubscribing).add(reg)
        for reg, tr_type in requests:
            try:
                await link.ws.send(self._request(link, reg, tr_type))
            except ConnectionClosed:
                return  # the reader sees it too and the supervisor reconnects

    def _request(self, link: _Link, reg: _Reg, tr_type: str) -> str:
        """A subscribe ("1") or unsubscribe ("2") request (§6.2)."""
        return json.dumps(
            {
                "header": {
                    "approval_key": link.approval,
                    "custtype": self._custtype,
                    "tr_type": tr_type,
                    "content-type": "utf-8",
                },
                "body": {"input": {"tr_id": reg.tr_id, "tr_key": reg.tr_key}},
            }
        )

    async def _until(self, done: Callable[[], bool], seconds: float) -> bool:
        """Wait until `done()` (checked whenever the session changes); False after `seconds`."""
        try:
            async with asyncio.timeout(seconds):
                while not done():
                    await self._changed.wait()
        except TimeoutError:
            return done()
        return True

    def _bump(self) -> None:
        """Wake everyone waiting in `_until` to check again."""
        self._changed.set()
        self._changed = asyncio.Event()

    # --------------------------------------------------------------------------- events

    @asynccontextmanager
    async def events(self) -> AsyncIterator[Feed[StreamEvent]]:
        """Connection events while the block runs: `async with stream.events() as events`.

        Usable before the stream is entered (to see `connected`); ends after `closed`. Keeps
        the newest 64 events for a consumer that does not keep up.
        """
        feed: Feed[StreamEvent] = Feed(None, EVENT_QUEUE)
        if self._state is StreamState.CLOSED:
            feed._finish()
        self._watchers.add(feed)
        try:
            yield feed
        finally:
            self._watchers.discard(feed)
            feed._finish()

    def _emit(self, kind: EventKind, reason: str) -> None:
        event = StreamEvent(kind, self._clock.now(), reason)
        logger.info("realtime stream %s: %s", kind.value, reason)
        for feed in self._watchers:
            feed._put(event)

    # ----------------------------------------------------------------------- supervisor

    async def _supervise(self) -> None:
        """Connect, serve, and reconnect with backoff until cancelled; then shut down."""
        reason, error = "closed", None
        try:
            await self._connect_forever()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug: end every feed with it rather than hang them
            logger.exception("the realtime stream failed")
            reason, error = f"failed: {type(exc).__name__}", exc
        finally:
            self._shut_down(reason, error)

    async def _connect_forever(self) -> None:
        failures = 0
        announced = False
        while True:
            link = await self._open()
            if link is not None:
                reason = await self._serve(link, first=not announced)
                if link.announced:
                    announced, failures = True, 0
                    self._state = StreamState.RECONNECTING
                    self._emit(EventKind.LOST, reason)
                else:
                    logger.warning("realtime session ended before it was ready: %s", reason)
            delay = self._backoff.delay(failures, self._rng)
            failures += 1
            logger.info("realtime stream: connecting again in %.2fs", delay)
            await self._clock.sleep(delay)

    async def _open(self) -> _Link | None:
        try:
            approval = await self._auth.approval_key(renew=self._renew_approval)
        except KisError as exc:
            logger.warning("no websocket approval key: %s", exc)
            return None
        self._renew_approval = False
        try:
            ws = await connect(
                self.url,
                ping_interval=None,  # §6.1: KIS drops sessions that send keepalive pings
                max_size=MAX_MESSAGE,
                open_timeout=self._connect_timeout,
                close_timeout=CLOSE_TIMEOUT,
                logger=_WIRE_LOGGER,
            )
        except (OSError, TimeoutError, WebSocketException) as exc:
            logger.warning("cannot open the realtime websocket: %s", exc)
            return None
        return _Link(ws, approval, asyncio.get_running_loop().time())

    async def _serve(self, link: _Link, *, first: bool) -> str:
        """Run one session until it ends; return why it ended."""
        self._link = link
        tasks = [asyncio.create_task(self._read(link), name="kis-stream-read")]
        if self._silence is not None:
            tasks.append(asyncio.create_task(self._watch(link), name="kis-stream-watchdog"))
        restore = asyncio.create_task(self._restore(link, first=first), name="kis-stream-restore")
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            reason = done.pop().result()
        finally:
            link.open = False
            self._link = None
            everything = [*tasks, restore]
            for task in everything:
                task.cancel()
            await asyncio.wait(everything)
            if link.abort:
                link.ws.transport.abort()
            await link.ws.close()
            self._bump()
        if not restore.cancelled() and (failure := restore.exception()) is not None:
            raise failure
        return reason

    async def _restore(self, link: _Link, *, first: bool) -> None:
        """Register every wanted subscription on a new session, then announce it."""
        await self._sync()
        if not await self._until(
            lambda: not link.open or all(reg in link.acked for reg in self._wanted),
            self._ack_timeout,
        ):
            link.end(f"registrations not acknowledged within {self._ack_timeout:g}s")
            return
        if not link.open:
            return
        link.announced = True
        self._state = StreamState.CONNECTED
        count = len(link.acked)
        self._emit(
            EventKind.CONNECTED if first else EventKind.RESTORED,
            f"{count} registration{'s' * (count != 1)} active",
        )

    async def _watch(self, link: _Link) -> str:
        """End the session after `silence_timeout` seconds without any message."""
        assert self._silence is not None
        loop = asyncio.get_running_loop()
        while True:
            remaining = link.last_seen + self._silence - loop.time()
            if remaining <= 0:
                link.abort = True
                return f"no message for {self._silence:g}s"
            await asyncio.sleep(remaining)

    def _shut_down(self, reason: str, error: BaseException | None) -> None:
        if self._state is StreamState.CLOSED:
            return
        self._state = StreamState.CLOSED
        for feeds in self._wanted.values():
            for feed in feeds:
                feed._finish(error)
        self._wanted.clear()
        self._emit(EventKind.CLOSED, reason)
        for watcher in self._watchers:
            watcher._finish()
        self._bump()

    # -------------------------------------------------------------------------- reading

    async def _read(self, link: _Link) -> str:
        ws = link.ws
        loop = asyncio.get_running_loop()
        try:
            while True:
                message = await ws.recv()
                link.last_seen = loop.time()
                now = self._clock.now()
                self._last_message_at = now
                text = message if isinstance(message, str) else message.decode("utf-8", "replace")
                if is_data_frame(text):
                    self._on_data(link, text, now.astimezone(KST).date())
                else:
                    await self._on_control(link, text)
                if link.failure:
                    return link.failure
        except ConnectionClosed as exc:
            return link.failure or _closed_reason(exc)

    def _on_data(self, link: _Link, text: str, today: date) -> None:
        try:
            frame = parse_frame(text)
            if frame.encrypted:
                key = link.keys.get(frame.tr_id)
                if key is None:
                    raise FrameError("encrypted, and no AES key acknowledged", tr_id=frame.tr_id)
                frame = frame.decrypted(*key)
            values = convert(frame, today=today)
        except FrameError as exc:
            logger.warning("dropping a realtime frame: %s", exc)
            return
        tr_id = frame.tr_id
        wanted = self._wanted
        if tr_id in self._notice_trs:
            feeds = wanted.get(_Reg(tr_id, self.hts_id), ())
            for value in values:
                for feed in feeds:
                    feed._put(value)
            return
        for value in values:
            if isinstance(value, ExecutionNotice):
                continue
            tr_key = _market_tr_key(value.market, value.symbol)
            for feed in wanted.get(_Reg(tr_id, tr_key or ""), ()):
                feed._put(value)

    async def _on_control(self, link: _Link, text: str) -> None:
        try:
            data = json.loads(text)
        except ValueError:
            logger.debug("ignoring a websocket message that is neither a frame nor JSON")
            return
        header = data.get("header") if isinstance(data, dict) else None
        if not isinstance(header, dict):
            logger.debug("ignoring a control message without a header")
            return
        tr_id = _text(header.get("tr_id"))
        if tr_id == "PINGPONG":
            self.pings += 1
            with contextlib.suppress(ConnectionClosed):  # the next recv reports it
                await link.ws.send(text)  # §6.4: echo it as text
            return
        body = data.get("body")
        if not isinstance(body, dict):
            logger.debug("ignoring a %s control message without a body", tr_id or "?")
            return
        self._on_reply(link, _Reg(tr_id, _text(header.get("tr_key"))), body)
        self._bump()
        await self._sync()  # the wanted set may have moved while the request was in flight

    def _on_reply(self, link: _Link, reg: _Reg, body: dict[str, Any]) -> None:
        msg_cd, msg1 = _text(body.get("msg_cd")), _text(body.get("msg1"))
        if msg_cd == IN_USE:
            link.end(f"{msg_cd} {msg1}: another session holds this app key", abort=False)
            return
        if msg_cd in APPROVAL_REFUSED:
            self._renew_approval = True
            link.end(f"{msg_cd} {msg1}: renewing the approval key")
            return
        if msg_cd in UNSUBSCRIBED or msg1.upper().startswith("UNSUB"):
            found = _match(link.unsubscribing, reg)
            link.unsubscribing.discard(found)
            link.acked.discard(found)
            return
        if msg_cd in SUBSCRIBED:
            found = _match(link.subscribing, reg)
            link.subscribing.discard(found)
            link.acked.add(found)
            output = body.get("output")
            if isinstance(output, dict):
                key, iv = output.get("key"), output.get("iv")
                if isinstance(key, str) and isinstance(iv, str) and key and iv:
                    link.keys[found.tr_id] = (key, iv)
            return
        found = _match(link.subscribing, reg)
        if found in link.subscribing:
            link.subscribing.discard(found)
            self._refuse(found, msg_cd, msg1)
            return
        logger.debug("control reply %s for %s: not ours", msg_cd or "?", reg.tr_id or "?")

    def _refuse(self, reg: _Reg, msg_cd: str, msg1: str) -> None:
        """KIS refused a registration: stop wanting it and tell its subscribers."""
        cls = KIS_ERROR_CODES.get(msg_cd, KisRejected)
        error = cls(tr_id=reg.tr_id, msg_cd=msg_cd, msg1=msg1, endpoint=ENDPOINT)
        logger.warning("KIS refused a realtime registration: %s", error)
        for feed in self._wanted.pop(reg, ()):
            feed._finish(error)


def _match(pending: set[_Reg], reg: _Reg) -> _Reg:
    """The in-flight registration a control reply answers: itself, or the only one of its TR
    (or the only one at all) when the reply's header leaves the tr_key (or tr_id) out."""
    if reg in pending:
        return reg
    candidates = [r for r in pending if r.tr_id == reg.tr_id] if reg.tr_id else list(pending)
    return candidates[0] if len(candidates) == 1 else reg


def _endpoint(url: str) -> str:
    """The websocket URL with KIS's `/tryitout` path (the simulator takes it too)."""
    base = url.strip().rstrip("/")
    if not base.startswith(("ws://", "wss://")):
        raise ValueError("the websocket URL must start with ws:// or wss://")
    return base if base.endswith(TRYITOUT) else base + TRYITOUT
