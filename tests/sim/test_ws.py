"""The simulator's websocket over loopback sockets, spoken by hand (reference §6).

Field indexes below are the reference's §6.8 tables, not kisbot's column tuples, so a layout
mistake in the simulator cannot hide behind the same mistake in a shared constant.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from decimal import Decimal

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, ConnectionClosedError, InvalidStatus

from kisbot.sim import trading
from kisbot.sim.config import AccountConfig, SimSettings
from kisbot.sim.exchange import Account, Exchange, Side
from kisbot.sim.history import step_price
from kisbot.sim.server import SimServer
from kisbot.sim.universe import UNIVERSE
from kisbot.sim.ws import route_env
from tests.kisraw import RawKis, new_appkey, new_appsecret
from tests.wsraw import WAIT, Frame, ask, recv_frame, recv_json, recv_text, request, subscribe

ORDER_CASH = "/uapi/domestic-stock/v1/trading/order-cash"

# H0STCNI0/9 (26 fields) and H0GSCNI0/9 (25 fields) indexes used below, from §6.8
CUST_ID, ACNT_NO, ODER_NO, OODER_NO, SELN_BYOV_CLS, RCTF_CLS = 0, 1, 2, 3, 4, 5
KR_CNTG_QTY, KR_CNTG_UNPR, KR_RFUS_YN, KR_CNTG_YN, KR_ACPT_YN, KR_ODER_QTY = 9, 10, 12, 13, 14, 16
KR_ISNM40, KR_ODER_PRC = 24, 25
US_CNTG_QTY, US_CNTG_UNPR, US_CNTG_YN, US_CNTG_UNPR12 = 8, 9, 12, 24


@pytest.fixture
async def rest(sim_server: SimServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sim_server.rest_url, timeout=10) as client:
        yield client


async def approved(rest: httpx.AsyncClient, env: str = "real") -> tuple[RawKis, str]:
    """A fresh app key of `env` and a websocket approval key for it."""
    kis = RawKis(rest, env="real" if env == "real" else "virtual")
    return kis, await kis.approval_key()


def url(server: SimServer, env: str = "real", path: str = "/tryitout") -> str:
    return (server.ws_url if env == "real" else server.vts_ws_url) + path


def open_ws(address: str) -> connect:
    # the official sample disables client keepalive pings (§6.1)
    return connect(address, ping_interval=None, open_timeout=WAIT)


def near(ex: Exchange, symbol: str, ticks: int = 1) -> Decimal:
    """A price `ticks` ticks from the last one, inside the daily limits."""
    state = ex.state(symbol)
    up = step_price(state.inst, state.last, ticks)
    return up if up <= state.upper else step_price(state.inst, state.last, -ticks)


# ------------------------------------------------------------------------------ paths


@pytest.mark.parametrize(
    ("path", "env"),
    [
        ("", "real"),
        ("/", "real"),
        ("/tryitout", "real"),
        ("/tryitout/", "real"),
        ("/tryitout/H0STCNT0", "real"),
        ("/tryitout?x=1", "real"),
        ("/vts", "virtual"),
        ("/vts/", "virtual"),
        ("/vts/tryitout", "virtual"),
        ("/vts/tryitout/H0STCNI9", "virtual"),
        ("/nope", None),
        ("/vts/nope", None),
        ("/tryitout/../admin", None),
        ("/vtsx/tryitout", None),
    ],
)
def test_paths_map_to_environments(path: str, env: str | None) -> None:
    assert route_env(path) == env


async def test_every_kis_path_serves_and_others_are_refused(
    sim_server: SimServer, rest: httpx.AsyncClient
) -> None:
    _, key = await approved(rest)
    for path in ("", "/", "/tryitout", "/tryitout/H0STASP0"):
        async with open_ws(url(sim_server, path=path)) as ws:
            await subscribe(ws, key, "H0STCNT0", "005930")
    with pytest.raises((InvalidStatus, ConnectionClosed)):
        async with open_ws(url(sim_server, path="/nope")) as ws:
            await recv_text(ws)


# ------------------------------------------------------------------------- subscribing


async def test_subscribe_ack_has_key_and_iv(sim_server: SimServer, rest: httpx.AsyncClient) -> None:
    _, key = await approved(rest)
    async with open_ws(url(sim_server)) as ws:
        reply = await ask(ws, key, "H0STCNT0", "005930")
    assert reply["header"] == {"tr_id": "H0STCNT0", "tr_key": "005930", "encrypt": "N"}
    body = reply["body"]
    assert (body["rt_cd"], body["msg_cd"], body["msg1"]) == ("0", "OPSP0000", "SUBSCRIBE SUCCESS")
    assert len(body["output"]["key"]) == 32
    assert len(body["output"]["iv"]) == 16
    assert body["output"]["key"].isascii()
    assert body["output"]["iv"].isascii()


async def test_duplicate_unsubscribe_and_unknown_unsubscribe(
    sim_server: SimServer, rest: httpx.AsyncClient
) -> None:
    _, key = await approved(rest)
    async with open_ws(url(sim_server)) as ws:
        first_key, first_iv = await subscribe(ws, key, "H0STASP0", "005930")
        again = await ask(ws, key, "H0STASP0", "005930")
        assert again["body"]["rt_cd"] == "1"
        assert (again["body"]["msg_cd"], again["body"]["msg1"]) == (
            "OPSP0002",
            "ALREADY IN SUBSCRIBE",
        )
        assert again["body"]["output"] == {"iv": first_iv, "key": first_key}
        gone = await ask(ws, key, "H0STASP0", "005930", tr_type="2")
        assert (gone["body"]["rt_cd"], gone["body"]["msg_cd"]) == ("0", "OPSP0001")
        assert gone["body"]["msg1"] == "UNSUBSCRIBE SUCCESS"
        missing = await ask(ws, key, "H0STASP0", "005930", tr_type="2")
        assert (missing["body"]["rt_cd"], missing["body"]["msg_cd"]) == ("1", "OPSP0003")
        assert missing["body"]["msg1"] == "UNSUBSCRIBE ERROR(not found!)"


async def test_refusals_answer_with_opsp_codes_and_keep_the_session(
    sim_server: SimServer, rest: httpx.AsyncClient
) -> None:
    _, key = await approved(rest)
    _, virtual_key = await approved(rest, "virtual")
    _, other_key = await approved(rest)  # another real app key

    def altered(header: dict[str, str | None], given: dict[str, str] | None = None) -> str:
        data = json.loads(request(key, "H0STCNT0", "005930"))
        data["header"].update(header)
        data["header"] = {k: v for k, v in data["header"].items() if v is not None}
        data["body"]["input"].update(given or {})
        return json.dumps(data)

    cases = [
        ("not json", "OPSP9999"),
        ("[1, 2]", "OPSP9999"),
        ('{"body": {}}', "OPSP9998"),
        (altered({"approval_key": None}), "OPSP9996"),
        (altered({"custtype": None}), "OPSP9997"),
        (json.dumps({"header": json.loads(request(key, "H0STCNT0", "1"))["header"]}), "OPSP9992"),
        (altered({}, {"tr_key": ""}), "OPSP9990"),
        (altered({"approval_key": "not-issued"}), "OPSP0011"),
        (altered({"approval_key": virtual_key}), "OPSP0011"),  # the other environment's key
        (altered({"tr_type": "3"}), "OPSP8997"),
        (altered({"custtype": "X"}), "OPSP8998"),
        (altered({}, {"tr_id": "H0XXXXX0"}), "OPSP8991"),
        (altered({}, {"tr_id": "H0STCNI9", "tr_key": "someone"}), "OPSP8991"),  # virtual only
        (altered({}, {"tr_key": "999999"}), "OPSP8992"),
        (altered({}, {"tr_key": "AAPL"}), "OPSP8992"),
        (altered({}, {"tr_id": "HDFSCNT0", "tr_key": "DNYSAAPL"}), "OPSP8992"),
        (altered({}, {"tr_id": "HDFSCNT0", "tr_key": "AAPL"}), "OPSP8992"),
        (altered({}, {"tr_id": "HDFSCNT0", "tr_key": "D005930"}), "OPSP8992"),
        # the session is bound to `key` by now (approval is checked before tr_type and tr_id)
        (altered({"approval_key": other_key}), "OPSP0010"),
    ]
    async with open_ws(url(sim_server)) as ws:
        for message, code in cases:
            await ws.send(message)
            reply = await recv_json(ws)
            assert (reply["body"]["rt_cd"], reply["body"]["msg_cd"]) == ("1", code), message
            assert "output" not in reply["body"]
            assert reply["header"]["encrypt"] == "N"
        await subscribe(ws, key, "HDFSCNT0", "RBAQAAPL")  # US daytime key
        await subscribe(ws, key, "H0STCNI0", "anyone")  # auto mode: any HTS ID


async def test_41_registrations_then_max_subscribe_over(
    sim_server: SimServer, rest: httpx.AsyncClient
) -> None:
    kis, key = await approved(rest)
    codes = [inst.symbol for inst in UNIVERSE if inst.domestic]
    pairs = [(tr_id, code) for code in codes for tr_id in ("H0STCNT0", "H0STASP0")][:42]
    async with open_ws(url(sim_server)) as ws:
        for tr_id, code in pairs:
            await ws.send(request(key, tr_id, code))
        replies = [await recv_json(ws) for _ in pairs]
        assert [r["body"]["msg_cd"] for r in replies[:41]] == ["OPSP0000"] * 41
        last = replies[41]["body"]
        assert (last["rt_cd"], last["msg_cd"], last["msg1"]) == (
            "1",
            "OPSP0008",
            "MAX SUBSCRIBE OVER",
        )
        stats = sim_server.sim.ws.stats()
        assert stats["registrations"] == 41
        assert stats["by_session"] == [
            {
                "appkey": f"{kis.appkey[:6]}…{kis.appkey[-4:]}",
                "env": "real",
                "registrations": 41,
                "dropped_records": 0,
            }
        ]
        # a slot freed is a slot usable
        assert (await ask(ws, key, *pairs[0], tr_type="2"))["body"]["msg_cd"] == "OPSP0001"
        await subscribe(ws, key, *pairs[41])


async def test_one_session_per_appkey(sim_server: SimServer, rest: httpx.AsyncClient) -> None:
    kis, key = await approved(rest)
    second_key = await kis.approval_key()  # another approval key of the same app key
    async with open_ws(url(sim_server)) as first:
        await subscribe(first, key, "H0STCNT0", "005930")
        async with open_ws(url(sim_server)) as second:
            reply = await ask(second, second_key, "H0STCNT0", "000660")
            body = reply["body"]
            assert (body["rt_cd"], body["msg_cd"], body["msg1"]) == (
                "1",
                "OPSP8996",
                "ALREADY IN USE appkey",
            )
            with pytest.raises(ConnectionClosed):
                await recv_text(second)
        await subscribe(first, second_key, "H0STCNT0", "000660")
    # the session ended with the connection: the app key can connect again at once
    async with open_ws(url(sim_server)) as again:
        await subscribe(again, key, "H0STCNT0", "005930")


async def test_strict_mode_checks_the_hts_id(sim_settings: SimSettings) -> None:
    appkey, secret = new_appkey(), new_appsecret()
    pinned = AccountConfig("virtual", appkey, secret, "50123456-01", hts_id="demo")
    async with (
        SimServer(replace(sim_settings, accounts=(pinned,))) as server,
        httpx.AsyncClient(base_url=server.rest_url, timeout=10) as http,
    ):
        key = await RawKis(http, env="virtual", appkey=appkey, appsecret=secret).approval_key()
        async with open_ws(url(server, "virtual")) as ws:
            reply = await ask(ws, key, "H0STCNI9", "someone")
            assert reply["body"]["msg_cd"] == "OPSP8992"
            await subscribe(ws, key, "H0STCNI9", "demo")


# ------------------------------------------------------------------------- market data


@asynccontextmanager
async def feed(
    sim_server: SimServer, rest: httpx.AsyncClient, *registrations: tuple[str, str]
) -> AsyncIterator[ClientConnection]:
    """A session on the real path subscribed to `registrations`."""
    _, key = await approved(rest)
    async with open_ws(url(sim_server)) as ws:
        for tr_id, tr_key in registrations:
            await subscribe(ws, key, tr_id, tr_key)
        yield ws


async def test_trade_sends_h0stcnt0_with_46_fields(
    sim_server: SimServer, rest: httpx.AsyncClient
) -> None:
    ex = sim_server.sim.exchange
    async with feed(sim_server, rest, ("H0STCNT0", "005930")) as ws:
        price = near(ex, "005930")
        state = ex.state("005930")
        book_before = ex.book("005930")
        ex.trade("005930", price, 37)
        frame = await recv_frame(ws)
    assert (frame.encrypted, frame.tr_id, frame.count) == (False, "H0STCNT0", "001")
    fields = frame.fields
    assert len(fields) == 46
    assert fields[0] == "005930"
    assert fields[2] == str(price)
    assert fields[3] == state.sign
    assert fields[4] == str(price - state.prev_close)
    assert fields[12] == "37"
    assert fields[13] == str(state.volume)
    assert fields[11] == str(price)  # bid1 is the last price, ask1 one tick up
    assert Decimal(fields[10]) > price
    assert fields[21] == ("1" if price >= book_before.bids[0].price else "5")
    assert len(fields[1]) == 6  # STCK_CNTG_HOUR
    assert len(fields[33]) == 8  # BSOP_DATE


async def test_orderbook_h0stasp0_has_59_fields(
    sim_server: SimServer, rest: httpx.AsyncClient
) -> None:
    ex = sim_server.sim.exchange
    async with feed(sim_server, rest, ("H0STASP0", "000660")) as ws:
        price = near(ex, "000660")
        ex.trade("000660", price, 5)
        frame = await recv_frame(ws)
    fields = frame.fields
    assert (frame.tr_id, frame.count, len(fields)) == ("H0STASP0", "001", 59)
    book = ex.book("000660")
    assert fields[3:13] == [str(level.price) for level in book.asks]  # ASKP1..10
    assert fields[13:23] == [str(level.price) for level in book.bids]  # BIDP1..10
    assert fields[13] == str(price)
    assert fields[43] == str(sum(level.qty for level in book.asks))  # TOTAL_ASKP_RSQN


async def test_us_trades_and_book(sim_server: SimServer, rest: httpx.AsyncClient) -> None:
    ex = sim_server.sim.exchange
    async with feed(sim_server, rest, ("HDFSCNT0", "DNASAAPL"), ("HDFSASP0", "DNASAAPL")) as ws:
        price = near(ex, "AAPL", 3)
        ex.trade("AAPL", price, 12)
        trade, book = await recv_frame(ws), await recv_frame(ws)
        sim_server.sim.ws.us_book_levels = 10
        ex.trade("AAPL", price, 1)
        await recv_frame(ws)
        deep = await recv_frame(ws)
    fields = trade.fields
    assert (trade.tr_id, len(fields)) == ("HDFSCNT0", 26)
    assert fields[:3] == ["DNASAAPL", "AAPL", "4"]
    assert fields[11] == f"{price:.4f}"  # LAST
    assert fields[19] == "12"  # EVOL
    assert (len(fields[5]), len(fields[7])) == (6, 6)  # XHMS, KHMS
    assert (book.tr_id, len(book.fields)) == ("HDFSASP0", 17)
    assert book.fields[11] == f"{price:.4f}"  # PBID1
    assert (deep.tr_id, len(deep.fields)) == ("HDFSASP0", 71)


async def test_ticks_pending_together_leave_in_one_frame(
    sim_server: SimServer, rest: httpx.AsyncClient
) -> None:
    ex = sim_server.sim.exchange
    async with feed(sim_server, rest, ("H0STCNT0", "005930")) as ws:
        prices = [near(ex, "005930", n) for n in (1, 2, 3)]
        for price in prices:  # no await in between: the writer sees all three at once
            ex.trade("005930", price, 10)
        frame = await recv_frame(ws)
    assert frame.count == "003"
    records = frame.records(46)
    assert [r[2] for r in records] == [str(p) for p in prices]
    assert [r[13] for r in records] == sorted(r[13] for r in records)  # cumulative volume


async def test_a_slow_client_loses_the_oldest_ticks_first(
    sim_server: SimServer, rest: httpx.AsyncClient
) -> None:
    ex = sim_server.sim.exchange
    price = near(ex, "005930")
    async with feed(sim_server, rest, ("H0STCNT0", "005930")) as ws:
        for qty in range(1, 301):
            ex.trade("005930", price, qty)
        frame = await recv_frame(ws)
        stats = sim_server.sim.ws.stats()
    records = frame.records(46)
    assert frame.count == "256"
    assert [r[12] for r in records] == [str(q) for q in range(45, 301)]  # CNTG_VOL
    by_session = stats["by_session"]
    assert isinstance(by_session, list)
    assert by_session[0]["dropped_records"] == 44


async def test_unsubscribe_stops_the_feed(sim_server: SimServer, rest: httpx.AsyncClient) -> None:
    ex = sim_server.sim.exchange
    _, key = await approved(rest)
    async with open_ws(url(sim_server)) as ws:
        await subscribe(ws, key, "H0STCNT0", "005930")
        await subscribe(ws, key, "H0STCNT0", "000660")
        ex.trade("005930", near(ex, "005930"), 3)
        assert (await recv_frame(ws)).fields[0] == "005930"
        gone = await ask(ws, key, "H0STCNT0", "005930", tr_type="2")
        assert gone["body"]["msg_cd"] == "OPSP0001"
        ex.trade("005930", near(ex, "005930"), 3)
        ex.trade("000660", near(ex, "000660"), 3)
        # had 005930 still been subscribed, its frame would have come first
        frame = await recv_frame(ws)
    assert frame.fields[0] == "000660"
    assert frame.count == "001"


# ------------------------------------------------------------------------------ notices


@dataclass
class Notices:
    """A virtual session subscribed to one notice TR, with the ack's AES key and iv."""

    ws: ClientConnection
    kis: RawKis
    acct: Account
    aes: tuple[str, str]

    async def next(self) -> list[str]:
        frame = await recv_frame(self.ws)
        assert (frame.encrypted, frame.count) == (True, "001")
        return frame.notice(*self.aes)


@asynccontextmanager
async def notices(
    sim_server: SimServer, rest: httpx.AsyncClient, tr_id: str
) -> AsyncIterator[Notices]:
    kis, key = await approved(rest, "virtual")
    acct = sim_server.sim.exchange.account("virtual", kis.cano, kis.product)
    async with open_ws(url(sim_server, "virtual")) as ws:
        reply = await ask(ws, key, tr_id, "myhtsid")
        assert reply["header"] == {"tr_id": tr_id, "tr_key": "myhtsid", "encrypt": "Y"}
        assert reply["body"]["msg_cd"] == "OPSP0000"
        output = reply["body"]["output"]
        yield Notices(ws, kis, acct, (output["key"], output["iv"]))


def below(ex: Exchange, symbol: str, ticks: int) -> Decimal:
    state = ex.state(symbol)
    return step_price(state.inst, state.last, -ticks)


async def test_domestic_notices_receipt_fill_and_only_for_the_ordering_key(
    sim_server: SimServer, rest: httpx.AsyncClient
) -> None:
    ex = sim_server.sim.exchange
    stranger, _ = await approved(rest, "virtual")
    price = below(ex, "005930", 5)
    async with notices(sim_server, rest, "H0STCNI9") as box:
        # another app key's order on the same account notifies nobody here
        ex.place_order(box.acct, "005930", Side.BUY, "00", 1, price, appkey=stranger.appkey)
        order = ex.place_order(box.acct, "005930", Side.BUY, "00", 10, price, appkey=box.kis.appkey)
        got = await box.next()
        ex.trade("005930", price, 500)
        filled = await box.next()
    assert len(got) == 26
    assert got[CUST_ID] == "myhtsid"
    assert got[ACNT_NO].startswith(box.kis.cano)
    assert got[ODER_NO] == order.odno
    assert (got[SELN_BYOV_CLS], got[RCTF_CLS]) == ("02", "0")
    assert (got[KR_CNTG_YN], got[KR_RFUS_YN], got[KR_ACPT_YN]) == ("1", "0", "1")
    assert (got[KR_CNTG_QTY], got[KR_CNTG_UNPR]) == ("10", str(price))  # receipt: the order
    assert (got[KR_ODER_QTY], got[KR_ODER_PRC]) == ("10", str(price))
    assert got[KR_ISNM40] == "삼성전자"
    assert len(filled) == 26
    assert filled[ODER_NO] == order.odno
    assert (filled[KR_CNTG_YN], filled[KR_CNTG_QTY], filled[KR_CNTG_UNPR]) == (
        "2",
        "10",
        str(price),
    )


async def test_cancel_notice_names_the_original(
    sim_server: SimServer, rest: httpx.AsyncClient
) -> None:
    ex = sim_server.sim.exchange
    async with notices(sim_server, rest, "H0STCNI9") as box:
        appkey = box.kis.appkey
        order = ex.place_order(
            box.acct, "000660", Side.BUY, "00", 4, below(ex, "000660", 3), appkey=appkey
        )
        await box.next()
        record = ex.cancel_order(box.acct, order.odno, qty=None, appkey=appkey)
        cancel = await box.next()
    assert cancel[RCTF_CLS] == "2"
    assert (cancel[ODER_NO], cancel[OODER_NO]) == (record.odno, order.odno)
    assert (cancel[KR_CNTG_YN], cancel[KR_CNTG_QTY]) == ("1", "4")


async def test_overseas_notice_has_25_fields_and_implied_decimals(
    sim_server: SimServer, rest: httpx.AsyncClient
) -> None:
    ex = sim_server.sim.exchange
    price = below(ex, "AAPL", 7)
    async with notices(sim_server, rest, "H0GSCNI9") as box:
        order = ex.place_order(box.acct, "AAPL", Side.BUY, "00", 3, price, appkey=box.kis.appkey)
        receipt = await box.next()
        ex.trade("AAPL", price, 100)
        fill = await box.next()
    implied = str(int(price * 10_000))
    assert len(receipt) == 25
    assert receipt[ODER_NO] == order.odno
    assert (receipt[US_CNTG_QTY], receipt[US_CNTG_UNPR]) == ("3", implied.zfill(9))
    assert (fill[US_CNTG_YN], fill[US_CNTG_QTY]) == ("2", "3")
    assert (fill[US_CNTG_UNPR], fill[US_CNTG_UNPR12]) == (implied.zfill(9), implied.zfill(12))


@pytest.mark.skipif(
    not any(endpoint.path == ORDER_CASH for endpoint in trading.ENDPOINTS),
    reason="the order-cash endpoint is not served yet",
)
async def test_rest_order_sends_a_receipt_notice(
    sim_server: SimServer, rest: httpx.AsyncClient
) -> None:
    price = below(sim_server.sim.exchange, "005930", 4)
    async with notices(sim_server, rest, "H0STCNI9") as box:
        kis = await box.kis.login()
        body = await kis.post_ok(
            ORDER_CASH,
            "VTTC0012U",
            kis.acct(PDNO="005930", ORD_DVSN="00", ORD_QTY="2", ORD_UNPR=str(price)),
        )
        receipt = await box.next()
    assert int(receipt[ODER_NO]) == int(body["output"]["ODNO"])
    assert (receipt[KR_CNTG_YN], receipt[KR_CNTG_QTY]) == ("1", "2")


# ------------------------------------------------------------------------ liveness


async def test_pingpong_arrives_and_both_answers_are_accepted(sim_settings: SimSettings) -> None:
    async with (
        SimServer(replace(sim_settings, ping_interval=0.05)) as server,
        httpx.AsyncClient(base_url=server.rest_url, timeout=10) as http,
    ):
        key = await RawKis(http, env="real").approval_key()
        async with open_ws(url(server)) as ws:
            raw = await recv_text(ws)
            ping = json.loads(raw)
            assert set(ping) == {"header"}
            assert ping["header"]["tr_id"] == "PINGPONG"
            assert len(ping["header"]["datetime"]) == 14
            await ws.send(raw)  # echo as text (python-kis)
            await ws.pong(raw.encode())  # pong control frame (official sample)
            await ws.send(request(key, "H0STCNT0", "005930"))
            async with asyncio.timeout(WAIT):
                reply = await recv_json(ws)
                while reply["header"]["tr_id"] == "PINGPONG":
                    reply = await recv_json(ws)
    assert reply["body"]["msg_cd"] == "OPSP0000"


async def test_drop_all_cuts_sessions_and_the_key_can_come_back(
    sim_server: SimServer, rest: httpx.AsyncClient
) -> None:
    hub = sim_server.sim.ws
    _, key = await approved(rest)
    ws: ClientConnection
    async with open_ws(url(sim_server)) as ws:
        await subscribe(ws, key, "H0STCNT0", "005930")
        assert hub.stats()["sessions"] == 1
        assert await hub.drop_all() == 1
        assert hub.stats() == {"sessions": 0, "registrations": 0, "by_session": []}
        with pytest.raises(ConnectionClosedError) as closed:
            await recv_text(ws)
        assert closed.value.rcvd is None  # no close frame: an abrupt drop (1006)
    async with open_ws(url(sim_server)) as ws:
        await subscribe(ws, key, "H0STCNT0", "005930")
        sim_server.sim.exchange.trade("005930", near(sim_server.sim.exchange, "005930"), 1)
        frame: Frame = await recv_frame(ws)
    assert frame.tr_id == "H0STCNT0"
