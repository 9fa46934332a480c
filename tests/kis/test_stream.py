"""KisStream against the simulator's websocket on loopback sockets.

Every test gets its own simulator (`Rig`) and a fresh virtual app key. Backoff waits go through
a `FakeClock`, so reconnecting takes no waiting beyond the sockets themselves; each wait on the
network is bounded by `WAIT`.
"""

from __future__ import annotations

import asyncio
import logging
import random
import socket
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from kisbot.domain.errors import ConfigError, InputError
from kisbot.domain.models import Market, Side
from kisbot.domain.realtime import NoticeKind, PriceTick
from kisbot.kis.auth import KisAuth, TokenStore
from kisbot.kis.errors import KisRejected, KisSubscriptionLimit
from kisbot.kis.stream import (
    Backoff,
    Book,
    EventKind,
    Feed,
    KisStream,
    Notices,
    Price,
    StreamEvent,
    StreamState,
)
from kisbot.sim.config import SimSettings
from kisbot.sim.history import step_price
from kisbot.sim.server import SimServer
from kisbot.sim.universe import UNIVERSE
from tests.fakes import FakeClock
from tests.kis.conftest import Keys, post_buy, quiet_settings

T = TypeVar("T")

WAIT = 5.0  # seconds any single wait on the network may take
HTS_ID = "kisbot01"
SAMSUNG = "005930"
HYNIX = "000660"


@dataclass
class Rig:
    """A simulator on sockets, a virtual app key logged in on it, and the streams of a test."""

    server: SimServer
    http: httpx.AsyncClient  # the virtual REST side
    control: httpx.AsyncClient  # the simulator's /sim/ API
    auth: KisAuth
    keys: Keys
    clock: FakeClock
    stack: AsyncExitStack

    def stream(self, url: str = "", **overrides: Any) -> KisStream:
        options: dict[str, Any] = {
            "hts_id": HTS_ID,
            "clock": self.clock,
            "backoff": Backoff(jitter=0),
            "rng": random.Random(7),
            **overrides,
        }
        return KisStream(self.auth, url or self.server.vts_ws_url, **options)

    async def open(self, **overrides: Any) -> KisStream:
        """A stream entered for the rest of the test."""
        return await self.stack.enter_async_context(self.stream(**overrides))

    def price(self, symbol: str, ticks: int = 1) -> Decimal:
        """A price `ticks` ticks above the last one (inside the daily limits)."""
        state = self.server.sim.exchange.state(symbol)
        return step_price(state.inst, state.last, ticks)

    def trade(self, symbol: str, price: Decimal) -> None:
        self.server.sim.exchange.trade(symbol, price)

    def ws(self) -> dict[str, Any]:
        """The simulator's websocket counters: sessions and registrations."""
        stats: dict[str, Any] = self.server.sim.ws.stats()
        return stats

    async def drop(self) -> None:
        response = await self.control.post("/sim/ws/drop")
        assert response.json() == {"ok": True, "dropped": 1}


@asynccontextmanager
async def open_rig(settings: SimSettings, tmp_path: Path) -> AsyncIterator[Rig]:
    keys = Keys()
    clock = FakeClock()
    async with AsyncExitStack() as stack:
        server = await stack.enter_async_context(SimServer(settings))
        http = await stack.enter_async_context(
            httpx.AsyncClient(base_url=server.vts_rest_url, timeout=WAIT)
        )
        control = await stack.enter_async_context(
            httpx.AsyncClient(base_url=server.rest_url, timeout=WAIT)
        )
        auth = KisAuth(
            http,
            env="virtual",
            app_key=keys.app_key,
            app_secret=keys.app_secret,
            store=TokenStore(tmp_path / "tokens"),
            clock=clock,
        )
        yield Rig(server, http, control, auth, keys, clock, stack)


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    async with open_rig(quiet_settings(), tmp_path) as opened:
        yield opened


async def take(feed: Feed[T], count: int = 1) -> list[T]:
    async with asyncio.timeout(WAIT):
        return [await anext(feed) for _ in range(count)]


async def next_event(events: Feed[StreamEvent], kind: EventKind) -> StreamEvent:
    [event] = await take(events)
    assert event.kind is kind, event
    return event


# ------------------------------------------------------------------------ market data


async def test_a_trade_arrives_as_a_price_tick(rig: Rig) -> None:
    stream = await rig.open()
    price = rig.price(SAMSUNG, 2)
    async with stream.subscribe(Price(SAMSUNG)) as ticks:
        assert (stream.slots_used, stream.slots_free, rig.ws()["registrations"]) == (1, 40, 1)
        rig.trade(SAMSUNG, price)
        [tick] = await take(ticks)
    assert (tick.symbol, tick.market, tick.price) == (SAMSUNG, Market.KRX, price)
    assert stream.state is StreamState.CONNECTED
    assert stream.last_message_at == rig.clock.now()
    assert (stream.slots_used, rig.ws()["registrations"]) == (0, 0)


async def test_two_subscribers_share_one_registration(rig: Rig) -> None:
    stream = await rig.open()
    price = rig.price(SAMSUNG)
    async with stream.subscribe(Price(SAMSUNG)) as first:
        async with stream.subscribe(Price(SAMSUNG)) as second:
            assert (stream.slots_used, rig.ws()["registrations"]) == (1, 1)
            rig.trade(SAMSUNG, price)
            [one], [other] = await take(first), await take(second)
            assert one.price == other.price == price
        assert (stream.slots_used, rig.ws()["registrations"]) == (1, 1)
        assert [tick async for tick in second] == []  # its block ended: so did its iteration
    assert (stream.slots_used, rig.ws()["registrations"]) == (0, 0)


async def test_a_book_update_shows_the_levels(rig: Rig) -> None:
    stream = await rig.open()
    price = rig.price(SAMSUNG, -3)
    async with stream.subscribe(Book(SAMSUNG)) as books:
        rig.trade(SAMSUNG, price)
        [book] = await take(books)
    assert (book.symbol, book.market) == (SAMSUNG, Market.KRX)
    assert book.best_bid is not None
    assert book.best_ask is not None
    assert (book.best_bid.price, book.best_ask.price) == (price, price + 100)  # bid1 = last
    assert len(book.asks) == len(book.bids) == 10


async def test_us_trades_and_book(rig: Rig) -> None:
    stream = await rig.open()
    price = rig.price("AAPL", 5)
    async with (
        stream.subscribe(Price("aapl", Market.NASDAQ)) as ticks,
        stream.subscribe(Book("AAPL", Market.NASDAQ)) as books,
    ):
        rig.trade("AAPL", price)
        [tick], [book] = await take(ticks), await take(books)
    assert (tick.symbol, tick.market, tick.price) == ("AAPL", Market.NASDAQ, price)
    assert (book.symbol, book.market) == ("AAPL", Market.NASDAQ)
    assert book.best_bid is not None
    assert book.best_bid.price == price


async def test_a_slow_consumer_loses_the_oldest_ticks(rig: Rig) -> None:
    stream = await rig.open(queue_size=4)
    prices = [rig.price(SAMSUNG, n) for n in range(1, 11)]
    async with (
        stream.subscribe(Price(SAMSUNG)) as slow,
        stream.subscribe(Price(SAMSUNG), queue_size=64) as fast,
    ):
        for price in prices:
            rig.trade(SAMSUNG, price)
        assert [tick.price for tick in await take(fast, 10)] == prices  # all of them arrived
        assert (slow.pending, slow.dropped, fast.dropped) == (4, 6, 0)
        assert [tick.price for tick in await take(slow, 4)] == prices[-4:]


# --------------------------------------------------------------------------- notices


async def test_notices_report_the_receipt_and_the_fill(rig: Rig) -> None:
    stream = await rig.open()
    async with stream.subscribe(Notices()) as notices:
        assert (stream.slots_used, rig.ws()["registrations"]) == (2, 2)  # domestic and overseas
        response = await post_buy(rig.http, rig.auth)  # one share at 70,000: it rests
        assert response.status_code == 200, response.text
        order_no = response.json()["output"]["ODNO"]
        [receipt] = await take(notices)
        rig.trade(SAMSUNG, Decimal(70_000))  # reaches the resting buy
        [fill] = await take(notices)
    price = Decimal(70_000)
    assert (receipt.kind, receipt.order_no, receipt.side) == (
        NoticeKind.RECEIPT,
        order_no,
        Side.BUY,
    )
    assert (receipt.symbol, receipt.order_qty, receipt.order_price) == (SAMSUNG, 1, price)
    assert (fill.kind, fill.order_no, fill.filled_qty, fill.fill_price) == (
        NoticeKind.FILL,
        order_no,
        1,
        price,
    )


# ------------------------------------------------------------------------------- slots


def krx_symbols(count: int) -> list[str]:
    symbols = [inst.symbol for inst in UNIVERSE if inst.domestic][:count]
    assert len(symbols) == count
    return symbols


async def fill_slots(stream: KisStream, subs: AsyncExitStack, count: int) -> None:
    """Take `count` registrations: Price and Book of as many KRX symbols as needed."""
    keys = [key for symbol in krx_symbols(21) for key in (Price(symbol), Book(symbol))]
    for key in keys[:count]:
        await subs.enter_async_context(stream.subscribe(key))


async def test_the_42nd_registration_is_refused_before_it_is_sent(rig: Rig) -> None:
    stream = await rig.open()
    async with AsyncExitStack() as subs:
        await fill_slots(stream, subs, 41)
        assert (stream.slots_used, stream.slots_free, rig.ws()["registrations"]) == (41, 0, 41)
        with pytest.raises(KisSubscriptionLimit, match=r"41/41 realtime slots in use") as info:
            await subs.enter_async_context(stream.subscribe(Book(krx_symbols(21)[-1])))
        assert info.value.msg_cd == ""
        assert rig.ws()["registrations"] == 41
        # a registration already held is shared: it needs no slot
        await subs.enter_async_context(stream.subscribe(Price(SAMSUNG)))
        assert stream.slots_used == 41
    assert (stream.slots_used, rig.ws()["registrations"]) == (0, 0)


async def test_kis_refusing_the_42nd_raises_the_same_error(rig: Rig) -> None:
    stream = await rig.open(max_registrations=42)  # more than the server allows
    async with AsyncExitStack() as subs:
        await fill_slots(stream, subs, 41)
        with pytest.raises(KisSubscriptionLimit) as info:
            await subs.enter_async_context(stream.subscribe(Book(krx_symbols(21)[-1])))
        assert (info.value.msg_cd, info.value.tr_id) == ("OPSP0008", "H0STASP0")
        assert stream.slots_used == 41


async def test_a_refused_symbol_raises_with_kis_code(rig: Rig) -> None:
    stream = await rig.open()
    with pytest.raises(KisRejected) as info:
        async with stream.subscribe(Price("999999")):
            pass
    assert (info.value.msg_cd, info.value.tr_id) == ("OPSP8992", "H0STCNT0")
    assert stream.slots_used == 0


async def test_keys_that_cannot_be_subscribed(rig: Rig) -> None:
    with pytest.raises(RuntimeError, match="inside `async with`"):
        async with rig.stream().subscribe(Price(SAMSUNG)):
            pass
    stream = await rig.open(hts_id="")
    with pytest.raises(ConfigError, match="HTS ID"):
        async with stream.subscribe(Notices()):
            pass
    for key in (Price("7203", Market.TOKYO), Book("  ")):
        with pytest.raises(InputError):
            async with stream.subscribe(key):
                pass
    with pytest.raises(ValueError, match="ws://"):
        rig.stream("http://localhost")


# --------------------------------------------------------------------------- reconnect


async def test_a_drop_is_restored_without_duplicates(rig: Rig) -> None:
    stream = rig.stream()
    loop = asyncio.get_running_loop()
    async with (
        stream.events() as events,
        stream,
        stream.subscribe(Price(SAMSUNG)) as ticks,
        stream.subscribe(Book(SAMSUNG)),
        stream.subscribe(Price("AAPL", Market.NASDAQ)),
        stream.subscribe(Notices()) as notices,
    ):
        await next_event(events, EventKind.CONNECTED)
        before, after = rig.price(SAMSUNG, 1), rig.price(SAMSUNG, 2)
        rig.trade(SAMSUNG, before)
        assert [tick.price for tick in await take(ticks)] == [before]
        assert rig.ws()["registrations"] == 5

        dropped_at = loop.time()
        await rig.drop()
        lost = await next_event(events, EventKind.LOST)
        restored = await next_event(events, EventKind.RESTORED)
        took = loop.time() - dropped_at

        assert "connection lost" in lost.reason
        assert restored.reason == "5 registrations active"
        assert rig.ws()["sessions"] == 1
        assert rig.ws()["registrations"] == stream.slots_used == 5  # each restored once
        assert rig.clock.slept == [0.5]  # one backoff wait after a session that was up
        assert took < 2.0  # seconds of real time, the backoff wait excluded (fake clock)
        assert stream.state is StreamState.CONNECTED

        rig.trade(SAMSUNG, after)
        assert [tick.price for tick in await take(ticks)] == [after]  # same iterator, going on
        response = await post_buy(rig.http, rig.auth)
        assert response.status_code == 200, response.text
        [receipt] = await take(notices)  # decrypted with the new session's key
        assert receipt.order_no == response.json()["output"]["ODNO"]


async def test_a_second_session_of_the_key_backs_off_until_the_first_ends(rig: Rig) -> None:
    backoffs = asyncio.Event()

    def on_sleep(_: float) -> None:
        if len(patient_clock.slept) >= 4:
            backoffs.set()

    patient_clock = FakeClock(on_sleep=on_sleep)
    first = rig.stream()
    second = rig.stream(clock=patient_clock, backoff=Backoff(initial=0.5, maximum=2.0, jitter=0))
    async with first, first.subscribe(Price(SAMSUNG)):
        events = await rig.stack.enter_async_context(second.events())
        await rig.stack.enter_async_context(second)
        await next_event(events, EventKind.CONNECTED)  # a session, not yet bound to the key
        waiting = asyncio.create_task(take_one_tick(second, HYNIX))
        lost = await next_event(events, EventKind.LOST)
        assert lost.reason.startswith("OPSP8996 ALREADY IN USE appkey")
        async with asyncio.timeout(WAIT):
            await backoffs.wait()
        assert second.state is StreamState.RECONNECTING
        assert patient_clock.slept[:4] == [0.5, 1.0, 2.0, 2.0]
    await next_event(events, EventKind.RESTORED)
    assert (rig.ws()["sessions"], rig.ws()["registrations"]) == (1, 1)
    price = rig.price(HYNIX)
    rig.trade(HYNIX, price)
    async with asyncio.timeout(WAIT):
        assert (await waiting).price == price


async def take_one_tick(stream: KisStream, symbol: str) -> PriceTick:
    async with stream.subscribe(Price(symbol)) as ticks:
        [tick] = await take(ticks)
    return tick


async def test_an_unknown_approval_key_is_renewed(rig: Rig) -> None:
    stream = rig.stream()
    async with stream.events() as events, stream, stream.subscribe(Price(SAMSUNG)) as ticks:
        await next_event(events, EventKind.CONNECTED)
        rig.server.sim.state.keys.approvals.clear()  # KIS forgot the key (expired, say)
        await rig.drop()
        await next_event(events, EventKind.LOST)
        await next_event(events, EventKind.RESTORED)
        assert rig.server.sim.state.keys.stats[rig.keys.app_key].approvals == 2
        assert rig.clock.slept == [0.5, 1.0]  # the session refused with OPSP0011 was a failure
        price = rig.price(SAMSUNG)
        rig.trade(SAMSUNG, price)
        assert [tick.price for tick in await take(ticks)] == [price]


async def test_the_watchdog_reconnects_a_silent_session(rig: Rig) -> None:
    stream = rig.stream(silence_timeout=0.3)  # the simulator pings once an hour here
    async with stream.events() as events, stream, stream.subscribe(Price(SAMSUNG)) as ticks:
        await next_event(events, EventKind.CONNECTED)
        assert (await next_event(events, EventKind.LOST)).reason == "no message for 0.3s"
        await next_event(events, EventKind.RESTORED)
        assert rig.ws()["registrations"] == 1
        price = rig.price(SAMSUNG)
        rig.trade(SAMSUNG, price)
        assert [tick.price for tick in await take(ticks)] == [price]


async def test_pingpong_is_answered_and_keeps_the_session(tmp_path: Path) -> None:
    settings = replace(quiet_settings(), ping_interval=0.02)
    async with open_rig(settings, tmp_path) as rig:
        stream = rig.stream(silence_timeout=0.25)
        async with stream.events() as events, stream:
            await next_event(events, EventKind.CONNECTED)
            with pytest.raises(TimeoutError):  # twice the silence timeout, and nothing lost
                async with asyncio.timeout(0.5):
                    await anext(events)
            assert stream.pings >= 10
            assert stream.state is StreamState.CONNECTED


# ------------------------------------------------------------------------------ closing


async def test_close_ends_feeds_and_frees_the_session(rig: Rig) -> None:
    stream = rig.stream()
    async with stream.events() as events:
        async with stream:
            async with stream.subscribe(Price(SAMSUNG)) as ticks:
                await stream.close()
                assert [tick async for tick in ticks] == []
            assert stream.state is StreamState.CLOSED
        kinds = [event.kind async for event in events]
    assert kinds == [EventKind.CONNECTED, EventKind.CLOSED]
    with pytest.raises(RuntimeError, match="entered once"):
        async with stream:
            pass
    with pytest.raises(RuntimeError, match="closed"):
        async with stream.subscribe(Price(SAMSUNG)):
            pass
    again = rig.stream()  # the app key is free at once: no OPSP8996
    async with again.events() as events, again, again.subscribe(Price(SAMSUNG)):
        await next_event(events, EventKind.CONNECTED)
        assert (rig.ws()["sessions"], rig.ws()["registrations"]) == (1, 1)
        assert again.state is StreamState.CONNECTED
        assert rig.clock.slept == []  # never backed off


async def test_closing_before_the_first_connection(rig: Rig) -> None:
    stream = rig.stream()
    async with stream.events() as events:
        async with stream:
            pass  # the supervisor never ran
        assert [event.kind async for event in events] == [EventKind.CLOSED]


async def test_an_unreachable_host_is_retried_with_backoff(rig: Rig) -> None:
    retried = asyncio.Event()

    def on_sleep(_: float) -> None:
        if len(clock.slept) >= 3:
            retried.set()

    clock = FakeClock(on_sleep=on_sleep)
    stream = rig.stream(f"ws://127.0.0.1:{unused_port()}", clock=clock, ack_timeout=0.1)
    async with stream.events() as events:
        async with stream:
            async with stream.subscribe(Price(SAMSUNG)) as ticks:  # returns after ack_timeout
                assert (stream.slots_used, ticks.pending) == (1, 0)  # wanted, sent on connect
            async with asyncio.timeout(WAIT):
                await retried.wait()
            assert stream.state is StreamState.CONNECTING
            assert clock.slept[:3] == [0.5, 1.0, 2.0]
        assert [event.kind async for event in events] == [EventKind.CLOSED]


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_secrets_stay_out_of_logs_and_repr(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    approval = await rig.auth.approval_key()
    stream = rig.stream()
    async with stream.events() as events, stream, stream.subscribe(Notices()):
        await next_event(events, EventKind.CONNECTED)
        await rig.drop()
        await next_event(events, EventKind.LOST)
        await next_event(events, EventKind.RESTORED)
    ours = [r.getMessage() for r in caplog.records if not r.name.startswith(SIM_LOGGERS)]
    assert any("realtime stream lost" in line for line in ours)
    text = "\n".join([*ours, repr(stream)])
    # websockets logs frames at DEBUG, cut to ~75 characters: a fragment is a leak too
    for secret in (approval, rig.keys.app_key, rig.keys.app_secret):
        assert secret[:12] not in text


SIM_LOGGERS = ("kisbot.sim", "websockets.server", "uvicorn")


# ------------------------------------------------------------------------------ backoff


def test_backoff_doubles_up_to_its_maximum() -> None:
    plain = Backoff(jitter=0)
    rng = random.Random(1)
    assert [plain.delay(n, rng) for n in range(8)] == [0.5, 1, 2, 4, 8, 16, 30, 30]
    jittered = Backoff(initial=1, maximum=8, jitter=0.25)
    for failures, base in enumerate([1, 2, 4, 8, 8]):
        assert base * 0.75 <= jittered.delay(failures, rng) <= base
    with pytest.raises(ValueError, match="initial"):
        Backoff(initial=0)
    with pytest.raises(ValueError, match="jitter"):
        Backoff(jitter=1)
