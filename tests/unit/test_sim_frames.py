"""The simulator's websocket frame builders, without sockets (reference §6.5, §6.8)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from kisbot.domain.time import KST, NEW_YORK
from kisbot.sim import frames
from kisbot.sim.config import SimSettings
from kisbot.sim.exchange import Exchange, OrderEvent, Side, TickEvent
from kisbot.sim.history import step_price
from tests.wsraw import Frame, decrypt

APPKEY = "PS" + "1" * 34


@pytest.fixture
def exchange() -> Exchange:
    return Exchange(SimSettings(seed=7, walk=False))


@pytest.fixture
def events(exchange: Exchange) -> list[TickEvent | OrderEvent]:
    seen: list[TickEvent | OrderEvent] = []
    exchange.listeners.append(seen.append)
    return seen


def ticks(events: list[TickEvent | OrderEvent]) -> list[TickEvent]:
    return [e for e in events if isinstance(e, TickEvent)]


def orders(events: list[TickEvent | OrderEvent]) -> list[OrderEvent]:
    return [e for e in events if isinstance(e, OrderEvent)]


def named(names: tuple[str, ...], record: list[str]) -> dict[str, str]:
    assert len(record) == len(names)
    return dict(zip(names, record, strict=True))


# ------------------------------------------------------------------------------- layouts


@pytest.mark.parametrize(
    ("names", "count", "spots"),
    [
        (
            frames.H0STCNT0_FIELDS,
            46,
            {2: "STCK_PRPR", 18: "CTTR", 33: "BSOP_DATE", 45: "VI_STND_PRC"},
        ),
        (
            frames.H0STASP0_FIELDS,
            59,
            {3: "ASKP1", 13: "BIDP1", 23: "ASKP_RSQN1", 42: "BIDP_RSQN10"},
        ),
        (
            frames.H0STCNI_FIELDS,
            26,
            {9: "CNTG_QTY", 13: "CNTG_YN", 24: "CNTG_ISNM40", 25: "ODER_PRC"},
        ),
        (frames.HDFSCNT0_FIELDS, 26, {0: "RSYM", 11: "LAST", 24: "STRN", 25: "MTYP"}),
        (frames.HDFSASP0_FIELDS, 17, {7: "BVOL", 11: "PBID1", 16: "DASK1"}),
        (frames.HDFSASP0_FIELDS_10, 71, {11: "PBID1", 17: "PBID2", 70: "DASK10"}),
        (frames.H0GSCNI_FIELDS, 25, {6: "ODER_KIND2", 9: "CNTG_UNPR", 24: "CNTG_UNPR12"}),
    ],
)
def test_layouts_match_the_reference(
    names: tuple[str, ...], count: int, spots: dict[int, str]
) -> None:
    assert len(names) == count
    assert len(set(names)) == count
    for index, name in spots.items():
        assert names[index] == name


# ------------------------------------------------------------------------------- framing


def test_data_frame_pads_the_count_and_joins_records() -> None:
    assert frames.data_frame("H0STCNT0", [["a", "b"], ["c", ""]]) == "0|H0STCNT0|002|a^b^c^"
    with pytest.raises(ValueError, match=r"1\.\.999"):
        frames.data_frame("H0STCNT0", [])
    with pytest.raises(ValueError, match=r"1\.\.999"):
        frames.data_frame("H0STCNT0", [["x"]] * 1000)


def test_encrypted_frame_decrypts_with_the_key_and_iv() -> None:
    key, iv = "iuheqrmvfxoceaxeyqgjwesozgizmmgx", "d59d91fcf9fd0044"
    text = frames.encrypted_frame("H0STCNI9", ["kisbot", "삼성전자", "7"], key, iv)
    frame = Frame.parse(text)
    assert (frame.encrypted, frame.tr_id, frame.count) == (True, "H0STCNI9", "001")
    assert decrypt(frame.payload, key, iv) == "kisbot^삼성전자^7"
    # a whole block of plaintext still gets a block of padding (PKCS#7)
    block = frames.aes_encrypt("x" * 16, key, iv)
    assert len(block) == len("A" * 44)  # base64 of 32 bytes


def test_control_reply_shapes() -> None:
    ack = json.loads(
        frames.control_reply(
            "H0STCNI9",
            "hts",
            rt_cd="0",
            msg_cd="OPSP0000",
            msg1="SUBSCRIBE SUCCESS",
            encrypt=True,
            key_iv=("k" * 32, "i" * 16),
        )
    )
    assert ack == {
        "header": {"tr_id": "H0STCNI9", "tr_key": "hts", "encrypt": "Y"},
        "body": {
            "rt_cd": "0",
            "msg_cd": "OPSP0000",
            "msg1": "SUBSCRIBE SUCCESS",
            "output": {"iv": "i" * 16, "key": "k" * 32},
        },
    }
    refusal = json.loads(frames.control_reply("", "", rt_cd="1", msg_cd="OPSP9999", msg1="x"))
    assert refusal["header"]["encrypt"] == "N"
    assert "output" not in refusal["body"]


def test_pingpong_is_stamped_in_kst() -> None:
    assert (
        frames.pingpong(datetime(2026, 1, 2, 3, 4, 5, tzinfo=KST))
        == '{"header":{"tr_id":"PINGPONG","datetime":"20260102030405"}}'
    )
    stamped = json.loads(frames.pingpong(datetime(2026, 1, 2, 15, 0, 0, tzinfo=UTC)))
    assert stamped["header"]["datetime"] == "20260103000000"


@pytest.mark.parametrize(
    ("price", "width", "text"),
    [
        (Decimal("148.01"), 9, "001480100"),
        (Decimal("148.0100"), 12, "000001480100"),
        (Decimal("0.5"), 9, "000005000"),
        (Decimal("1.00005"), 9, "000010001"),  # half-up at the fourth place
    ],
)
def test_implied_decimals(price: Decimal, width: int, text: str) -> None:
    assert frames.implied_decimals(price, width=width) == text


# --------------------------------------------------------------------------- market data


def test_h0stcnt0_record_counts_buy_and_sell_pressure(
    exchange: Exchange, events: list[TickEvent | OrderEvent]
) -> None:
    state = exchange.state("005930")
    up = step_price(state.inst, state.last, 1)
    exchange.trade("005930", up, 30)  # at or above the last: a buy
    first = named(
        frames.H0STCNT0_FIELDS, frames.h0stcnt0_record(ticks(events)[0], exchange.book("005930"))
    )
    assert first["CTTR"] == "0.00"  # nothing sold yet
    down = step_price(state.inst, up, -2)
    exchange.trade("005930", down, 20)
    tick = ticks(events)[1]
    book = exchange.book("005930")
    row = named(frames.H0STCNT0_FIELDS, frames.h0stcnt0_record(tick, book))
    assert row["STCK_PRPR"] == str(down)
    assert row["PRDY_VRSS"] == str(down - state.prev_close)
    assert row["CNTG_VOL"] == "20"
    assert row["CCLD_DVSN"] == "5"
    assert (row["SHNU_CNTG_SMTN"], row["SELN_CNTG_SMTN"]) == ("30", "20")
    assert (row["SHNU_CNTG_CSNU"], row["SELN_CNTG_CSNU"], row["NTBY_CNTG_CSNU"]) == ("1", "1", "0")
    assert row["CTTR"] == "150.00"
    assert row["SHNU_RATE"] == "60.00"
    assert (row["ASKP1"], row["BIDP1"]) == (str(book.asks[0].price), str(down))
    assert row["TOTAL_BIDP_RSQN"] == str(sum(level.qty for level in book.bids))
    assert row["HGPR_VRSS_PRPR"] == str(down - state.high)
    assert row["HGPR_VRSS_PRPR_SIGN"] == ("5" if down < state.high else "3")
    assert row["BSOP_DATE"] == tick.time.astimezone(KST).strftime("%Y%m%d")
    assert row["TRHT_YN"] == "N"


def test_h0stasp0_record_lays_out_ten_levels(
    exchange: Exchange, events: list[TickEvent | OrderEvent]
) -> None:
    state = exchange.state("000660")
    book = exchange.book("000660")
    row = frames.h0stasp0_record(state, book)
    assert len(row) == 59
    assert row[3:13] == [str(level.price) for level in book.asks]
    assert row[33:43] == [str(level.qty) for level in book.bids]
    assert row[53] == str(state.volume)


@pytest.mark.parametrize(("hour", "mtyp"), [(8, "2"), (12, "1"), (17, "3")])
def test_hdfscnt0_record_times_and_session(exchange: Exchange, hour: int, mtyp: str) -> None:
    state = exchange.state("AAPL")
    when = datetime(2026, 3, 2, hour, 15, 30, tzinfo=NEW_YORK)
    record = frames.hdfscnt0_record(
        "DNASAAPL", TickEvent(state, 5, when, Side.BUY), exchange.book("AAPL")
    )
    row = named(frames.HDFSCNT0_FIELDS, record)
    kst = when.astimezone(KST)
    assert (row["RSYM"], row["SYMB"], row["ZDIV"]) == ("DNASAAPL", "AAPL", "4")
    assert (row["XYMD"], row["XHMS"]) == ("20260302", f"{hour:02d}1530")
    assert (row["KYMD"], row["KHMS"]) == (kst.strftime("%Y%m%d"), kst.strftime("%H%M%S"))
    assert row["LAST"] == f"{state.last:.4f}"
    assert row["MTYP"] == mtyp


def test_hdfsasp0_record_depths(exchange: Exchange) -> None:
    state = exchange.state("AAPL")
    book = exchange.book("AAPL")
    one = named(frames.HDFSASP0_FIELDS, frames.hdfsasp0_record("DNASAAPL", state, book))
    assert (one["PBID1"], one["VBID1"]) == (f"{book.bids[0].price:.4f}", str(book.bids[0].qty))
    assert one["BVOL"] == str(book.bids[0].qty)
    ten = named(frames.HDFSASP0_FIELDS_10, frames.hdfsasp0_record("DNASAAPL", state, book, 10))
    assert ten["PASK10"] == f"{book.asks[9].price:.4f}"
    assert ten["AVOL"] == str(sum(level.qty for level in book.asks))


# ------------------------------------------------------------------------------- notices


def test_domestic_notices_for_receipt_modify_and_reject(
    exchange: Exchange, events: list[TickEvent | OrderEvent]
) -> None:
    acct = exchange.account("virtual", "50000000", "01")
    state = exchange.state("005930")
    price = step_price(state.inst, state.last, -5)
    order = exchange.place_order(acct, "005930", Side.BUY, "00", 7, price, appkey=APPKEY)
    moved_to = step_price(state.inst, price, -1)
    modified = exchange.modify_order(
        acct, order.odno, ord_dvsn="00", qty=None, price=moved_to, appkey=APPKEY
    )
    exchange.reject_order("virtual", modified.odno)
    receipt, modify, reject = (
        named(frames.H0STCNI_FIELDS, frames.h0stcni_record(event, "hts"))
        for event in orders(events)
    )
    assert receipt["CUST_ID"] == "hts"
    assert receipt["ACNT_NO"] == "5000000001"
    assert (receipt["RCTF_CLS"], receipt["CNTG_YN"], receipt["ACPT_YN"]) == ("0", "1", "1")
    assert (receipt["CNTG_QTY"], receipt["CNTG_UNPR"], receipt["ODER_KIND"]) == (
        "7",
        str(price),
        "00",
    )
    assert (receipt["OODER_NO"], receipt["BRNC_NO"], receipt["ACNT_NAME"]) == (
        "",
        "00950",
        "모의고객",
    )
    assert (modify["RCTF_CLS"], modify["ODER_NO"], modify["OODER_NO"]) == (
        "1",
        modified.odno,
        order.odno,
    )
    assert (modify["ACPT_YN"], modify["CNTG_UNPR"], modify["ODER_PRC"]) == (
        "2",
        str(moved_to),
        str(moved_to),
    )
    assert (reject["RFUS_YN"], reject["CNTG_YN"], reject["CNTG_QTY"]) == ("1", "1", "7")


def test_ioc_rest_is_a_cancel_notice_with_acpt_3(
    exchange: Exchange, events: list[TickEvent | OrderEvent]
) -> None:
    acct = exchange.account("real", "60000000", "01")
    state = exchange.state("005930")
    price = step_price(state.inst, state.last, -5)  # below every ask: nothing fills
    exchange.place_order(acct, "005930", Side.BUY, "11", 3, price, appkey=APPKEY)
    cancelled = named(frames.H0STCNI_FIELDS, frames.h0stcni_record(orders(events)[-1], "hts"))
    assert (cancelled["RCTF_CLS"], cancelled["ACPT_YN"], cancelled["CNTG_QTY"]) == ("0", "3", "3")


def test_overseas_notices(exchange: Exchange, events: list[TickEvent | OrderEvent]) -> None:
    acct = exchange.account("virtual", "50000000", "01")
    state = exchange.state("AAPL")
    price = step_price(state.inst, state.last, -3)
    order = exchange.place_order(acct, "AAPL", Side.BUY, "00", 2, price, appkey=APPKEY)
    exchange.trade("AAPL", price, 50)
    receipt, fill = (
        named(frames.H0GSCNI_FIELDS, frames.h0gscni_record(event, "hts"))
        for event in orders(events)
    )
    digits = str(int(price * 10_000))
    assert (receipt["ODER_NO"], receipt["ODER_KIND2"], receipt["ODER_COND"]) == (
        order.odno,
        "2",
        "6",
    )
    assert (receipt["CNTG_QTY"], receipt["CNTG_UNPR"], receipt["ODER_QTY"]) == (
        "2",
        digits.zfill(9),
        "",
    )
    assert (receipt["CNTG_ISNM"], receipt["DEBT_GB"]) == ("애플", "10")
    assert (fill["CNTG_YN"], fill["ODER_QTY"], fill["CNTG_UNPR12"]) == ("2", "2", digits.zfill(12))
