"""kisbot.kis.frames: realtime frames written by hand from the reference layouts (§6.5, §6.8)."""

from __future__ import annotations

import base64
from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from kisbot.domain.models import Market, OrderbookLevel, OrderType, Side, Symbol
from kisbot.domain.realtime import (
    ExecutionNotice,
    NoticeKind,
    OrderbookUpdate,
    PriceSign,
    PriceTick,
    TradingSession,
    Venue,
)
from kisbot.domain.time import KST
from kisbot.kis import frames
from kisbot.kis.frames import FrameError, RawFrame, parse_frame, parse_realtime, records

V = TypeVar("V", PriceTick, OrderbookUpdate, ExecutionNotice)

TODAY = date(2026, 1, 5)
KEY = "iuheqrmvfxoceaxeyqgjwesozgizmmgx"  # 32 chars: AES-256
IV = "d59d91fcf9fd0044"  # 16 chars
KEYS = {"H0STCNI0": (KEY, IV), "H0STCNI9": (KEY, IV), "H0GSCNI0": (KEY, IV)}

# H0STCNT0, 46 fields.
KR_TICK = (
    "005930^093015^71500^2^500^0.70^"  # 0-5 code, time, price, sign, change, change %
    "71400.5^71000^71800^70900^71600^71500^"  # 6-11 vwap, open, high, low, ask 1, bid 1
    "10^1234567^88000000000^"  # 12-14 trade qty, day volume, day turnover
    "100^120^20^105.50^5000^6000^"  # 15-20 counts, strength, sold at bid, bought at ask
    "1^55.00^80.10^"  # 21-23
    "090000^2^500^101010^5^-300^090500^2^600^"  # 24-32 open/high/low times and diffs
    "20260105^20^N^1500^2300^150000^160000^"  # 33-39 date, session, halt, best qtys, totals
    "0.12^1000000^110.00^0^0^71000"  # 40-45
)

# HDFSCNT0, 26 fields: a down move whose DIFF comes unsigned.
US_TICK = (
    "DNASAAPL^AAPL^4^20260105^20260105^103015^20260106^003015^"  # 0-7 keys, dates, times
    "184.2000^186.0000^183.5000^185.1200^5^1.2300^-0.66^"  # 8-14 OHLC, sign, diff, rate
    "185.1100^185.1300^300^250^"  # 15-18 bid, ask, bid qty, ask qty
    "15^1234567^228000000.5000^600000^634567^105.76^1"  # 19-25
)

# HDFSASP0 one level, 17 fields.
US_BOOK_L1 = (
    "DNASAAPL^AAPL^4^20260105^103015^20260106^003015^"  # 0-6
    "1000^1200^10^-20^"  # 7-10 total bid, total ask, their changes
    "185.1100^185.1300^300^250^5^-5"  # 11-16 bid, ask, bid qty, ask qty, changes
)

# H0STCNI0, 2025 layout (26 fields): a buy fill of 7 of 10 shares.
KR_FILL_26 = (
    "htsuser^5012345601^0000012345^^02^0^00^0^005930^"  # 0-8 ids, side, class, kind, code
    "7^71500^093015^0^2^2^06010^10^"  # 9-16 qty, price, time, refused, fill, accept, branch
    "홍길동^0^1^Y^^10^^삼성전자^71600"  # 17-25 name, cond price, venue, …, issue, order price
)

# H0STCNI0, pre-2025 layout (23 fields): receipt of a sell order for 5 shares at 120,000.
KR_RECEIPT_23 = (
    "htsuser^5012345601^0000012346^^01^0^00^0^000660^"  # 0-8
    "5^120000^100001^0^1^1^06010^5^"  # 9-16
    "홍길동^SK하이닉스^10^^SK하이닉스^120000"  # 17-22 name, issue, credit, loan, issue40, price
)

# H0GSCNI0, 25 fields: a NASDAQ buy fill of 3 at 148.0100 (implied decimals).
US_FILL = (
    "htsuser^5012345601^0030012345^^02^0^2^AAPL^"  # 0-7
    "3^001480100^233015^0^2^2^06010^10^"  # 8-15 qty, price, time, refused, fill, accept, …
    "홍길동^애플^6^10^^^^^"  # 16-24 name, issue, exchange, debt, …, CNTG_UNPR12 blank
)


def fields(record: str, **changes: str) -> str:
    """`record` with fields replaced by index: fields(R, f2="100")."""
    items = record.split("^")
    for name, value in changes.items():
        items[int(name[1:])] = value
    return "^".join(items)


def frame(tr_id: str, *recs: str) -> str:
    return f"0|{tr_id}|{len(recs):03d}|{'^'.join(recs)}"


def encrypt(text: str, key: str = KEY, iv: str = IV) -> str:
    padder = padding.PKCS7(128).padder()
    padded = padder.update(text.encode("utf-8")) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key.encode()), modes.CBC(iv.encode())).encryptor()
    return base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode("ascii")


def encrypted_frame(tr_id: str, *recs: str) -> str:
    return f"1|{tr_id}|{len(recs):03d}|{encrypt('^'.join(recs))}"


def kst(hms: str, day: date = TODAY) -> datetime:
    return datetime(day.year, day.month, day.day, int(hms[:2]), int(hms[2:4]), int(hms[4:]), 0, KST)


def one(text: str, kind: type[V]) -> V:
    """The single value a frame holds, checked to be of `kind`."""
    (value,) = parse_realtime(text, KEYS, today=TODAY)
    assert isinstance(value, kind)
    return value


def tick(text: str) -> PriceTick:
    return one(text, PriceTick)


def book(text: str) -> OrderbookUpdate:
    return one(text, OrderbookUpdate)


def notice(text: str) -> ExecutionNotice:
    return one(text, ExecutionNotice)


# --- layouts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("columns", "length"),
    [
        (frames.H0STCNT0_FIELDS, 46),
        (frames.H0STASP0_FIELDS, 59),
        (frames.H0UNASP0_FIELDS, 65),
        (frames.H0STCNI0_FIELDS, 26),
        (frames.H0STCNI0_FIELDS_2024, 23),
        (frames.HDFSCNT0_FIELDS, 26),
        (frames.HDFSASP0_FIELDS_L1, 17),
        (frames.HDFSASP0_FIELDS, 71),
        (frames.H0GSCNI0_FIELDS, 25),
    ],
)
def test_layouts_have_the_reference_lengths(columns: tuple[str, ...], length: int) -> None:
    assert len(columns) == length
    assert len(set(columns)) == length


@pytest.mark.parametrize(
    ("record", "length"),
    [
        (KR_TICK, 46),
        (US_TICK, 26),
        (US_BOOK_L1, 17),
        (KR_FILL_26, 26),
        (KR_RECEIPT_23, 23),
        (US_FILL, 25),
    ],
)
def test_the_hand_written_records_have_their_layout_lengths(record: str, length: int) -> None:
    assert len(record.split("^")) == length


def test_layouts_name_columns_where_the_reference_puts_them() -> None:
    assert frames.H0STCNT0_FIELDS[33] == "BSOP_DATE"
    assert frames.H0STASP0_FIELDS[23] == "ASKP_RSQN1"
    assert frames.H0STCNI0_FIELDS[24] == "CNTG_ISNM40"
    assert frames.H0STCNI0_FIELDS_2024[22] == "ODER_PRC"
    assert frames.HDFSASP0_FIELDS[65:71] == (
        "PBID10",
        "PASK10",
        "VBID10",
        "VASK10",
        "DBID10",
        "DASK10",
    )
    assert frames.H0GSCNI0_FIELDS[24] == "CNTG_UNPR12"
    assert set(frames.LAYOUTS) >= frames.ENCRYPTED_TRS


# --- frame header ---------------------------------------------------------------------------


def test_parse_frame_splits_the_header_and_keeps_the_payload() -> None:
    raw = parse_frame(frame("H0STCNT0", KR_TICK))
    assert raw == RawFrame(False, "H0STCNT0", 1, KR_TICK)
    assert parse_frame("1|H0STCNI0|001|abc|def=") == RawFrame(True, "H0STCNI0", 1, "abc|def=")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "1 '|'-separated parts"),
        ("0|H0STCNT0|001", "3 '|'-separated parts"),
        ('{"header": {"tr_id": "PINGPONG"}}', "1 '|'-separated parts"),
        ("2|H0STCNT0|001|a^b", "encryption flag"),
        ("0||001|a^b", "empty TR id"),
        ("0|H0STCNT0|x1|a^b", "record count"),
        ("0|H0STCNT0|000|a^b", "record count"),
        ("0|H0STCNT0|001|", "empty payload"),
    ],
)
def test_malformed_headers_raise_frame_error(text: str, message: str) -> None:
    with pytest.raises(FrameError, match=message):
        parse_frame(text)


def test_is_data_frame_tells_frames_from_control_messages() -> None:
    assert frames.is_data_frame(frame("H0STCNT0", KR_TICK))
    assert frames.is_data_frame("1|H0STCNI0|001|xyz")
    assert not frames.is_data_frame('{"header":{"tr_id":"PINGPONG"}}')


# --- records --------------------------------------------------------------------------------


def test_records_splits_by_count() -> None:
    text = frame("H0STCNT0", KR_TICK, fields(KR_TICK, f0="000660"), fields(KR_TICK, f0="035420"))
    rows = records(parse_frame(text), frames.H0STCNT0_FIELDS)
    assert [len(row) for row in rows] == [46, 46, 46]
    assert [row[0] for row in rows] == ["005930", "000660", "035420"]


def test_records_keep_extra_trailing_fields() -> None:
    extended = KR_TICK + "^NEW1^NEW2"
    rows = records(parse_frame(frame("H0STCNT0", extended, extended)), 46)
    assert [len(row) for row in rows] == [48, 48]
    assert rows[1][46:] == ["NEW1", "NEW2"]


# --- H0STCNT0 -------------------------------------------------------------------------------


def test_domestic_tick_single_record() -> None:
    value = tick(frame("H0STCNT0", KR_TICK))
    assert value == PriceTick(
        symbol=Symbol("005930"),
        market=Market.KRX,
        time=kst("093015"),
        price=Decimal("71500"),
        change=Decimal("500"),
        change_rate=Decimal("0.70"),
        sign=PriceSign.UP,
        open=Decimal("71000"),
        high=Decimal("71800"),
        low=Decimal("70900"),
        trade_qty=10,
        volume=1234567,
        turnover=Decimal("88000000000"),
        best_ask=Decimal("71600"),
        best_bid=Decimal("71500"),
        best_ask_qty=1500,
        best_bid_qty=2300,
        buy_volume=6000,
        sell_volume=5000,
        strength=Decimal("105.50"),
        session=TradingSession.REGULAR,
        venue=Venue.KRX,
        halted=False,
    )
    assert value.prev_close == Decimal("71000")


def test_domestic_tick_three_records() -> None:
    text = frame(
        "H0STCNT0",
        KR_TICK,
        fields(KR_TICK, f0="000660", f1="093016", f2="120000", f12="3"),
        fields(KR_TICK, f0="035420", f1="093017", f2="180500", f3="5", f4="-1500", f5="-0.82"),
    )
    values = parse_realtime(text, today=TODAY)
    assert [(v.symbol, v.price) for v in values if isinstance(v, PriceTick)] == [
        ("005930", Decimal("71500")),
        ("000660", Decimal("120000")),
        ("035420", Decimal("180500")),
    ]
    last = values[2]
    assert isinstance(last, PriceTick)
    assert (last.sign, last.change, last.change_rate) == (
        PriceSign.DOWN,
        Decimal("-1500"),
        Decimal("-0.82"),
    )
    assert last.time == kst("093017")


def test_domestic_tick_with_two_extra_fields_per_record() -> None:
    extended = KR_TICK + "^1^Z"
    values = parse_realtime(frame("H0STCNT0", extended, fields(extended, f2="71600")), today=TODAY)
    assert [v.price for v in values if isinstance(v, PriceTick)] == [
        Decimal("71500"),
        Decimal("71600"),
    ]


def test_domestic_tick_uses_the_business_date_over_today() -> None:
    value = tick(frame("H0STCNT0", fields(KR_TICK, f33="20260102")))
    assert value.time == kst("093015", date(2026, 1, 2))


def test_domestic_tick_without_business_date_takes_today() -> None:
    assert tick(frame("H0STCNT0", fields(KR_TICK, f33=""))).time == kst("093015")


def test_domestic_tick_venue_follows_the_tr() -> None:
    assert tick(frame("H0NXCNT0", KR_TICK)).venue is Venue.NXT
    assert tick(frame("H0UNCNT0", KR_TICK)).venue is Venue.INTEGRATED


def test_domestic_tick_limit_down_unsigned_change_comes_out_negative() -> None:
    value = tick(frame("H0STCNT0", fields(KR_TICK, f3="4", f4="21450", f5="30.00", f35="Y")))
    assert (value.sign, value.change, value.change_rate) == (
        PriceSign.LIMIT_DOWN,
        Decimal("-21450"),
        Decimal("-30.00"),
    )
    assert value.halted


def test_domestic_tick_unknown_sign_code_follows_the_change() -> None:
    value = tick(frame("H0STCNT0", fields(KR_TICK, f3="9", f4="-100", f5="-0.14")))
    assert (value.sign, value.change) == (PriceSign.DOWN, Decimal("-100"))


def test_domestic_tick_session_code() -> None:
    assert tick(frame("H0STCNT0", fields(KR_TICK, f34="10"))).session is TradingSession.PRE_MARKET
    assert tick(frame("H0STCNT0", fields(KR_TICK, f34="4A"))).session is (
        TradingSession.AFTER_HOURS_SINGLE
    )


# --- H0STASP0 -------------------------------------------------------------------------------


def kr_book(ask10: str = "72000") -> str:
    asks = [str(71100 + 100 * n) for n in range(9)] + [ask10]  # 3-12
    bids = [str(71000 - 100 * n) for n in range(10)]  # 13-22
    ask_qtys = [str(100 * (n + 1)) for n in range(10)]  # 23-32
    bid_qtys = [str(110 * (n + 1)) for n in range(10)]  # 33-42
    tail = "5500^6050^0^0^71050^300^300^50^2^0.07^1234567^10^-10^0^0^00"  # 43-58
    return "^".join(["005930", "093015", "0", *asks, *bids, *ask_qtys, *bid_qtys, tail])


def test_domestic_orderbook_levels() -> None:
    value = book(frame("H0STASP0", kr_book()))
    assert value.symbol == "005930"
    assert value.market is Market.KRX
    assert value.time == kst("093015")
    assert len(value.asks) == len(value.bids) == 10
    assert value.asks[0] == OrderbookLevel(Decimal("71100"), 100)
    assert value.asks[9] == OrderbookLevel(Decimal("72000"), 1000)
    assert value.bids[0] == OrderbookLevel(Decimal("71000"), 110)
    assert value.bids[9] == OrderbookLevel(Decimal("70100"), 1100)
    assert (value.total_ask_qty, value.total_bid_qty) == (5500, 6050)
    assert (value.expected_price, value.expected_qty) == (Decimal("71050"), 300)
    assert value.session is TradingSession.REGULAR
    assert value.venue is Venue.KRX
    assert value.best_ask == value.asks[0]


def test_domestic_orderbook_leaves_out_empty_levels() -> None:
    value = book(frame("H0STASP0", kr_book(ask10="0")))
    assert len(value.asks) == 9


def test_domestic_orderbook_without_today_uses_the_current_kst_date() -> None:
    (value,) = parse_realtime(frame("H0STASP0", kr_book()))
    assert isinstance(value, OrderbookUpdate)
    assert value.time.tzinfo is KST
    assert value.time.date() in {datetime.now(KST).date(), TODAY}


def test_merged_orderbook_has_the_mid_price_fields_too() -> None:
    value = book(frame("H0UNASP0", kr_book() + "^71050^100^1^71040^50^1"))
    assert value.venue is Venue.INTEGRATED
    assert value.asks[0].price == Decimal("71100")


# --- HDFSCNT0 -------------------------------------------------------------------------------


def test_overseas_tick() -> None:
    value = tick(frame("HDFSCNT0", US_TICK))
    assert value.symbol == "AAPL"
    assert value.market is Market.NASDAQ
    assert value.time == kst("003015", date(2026, 1, 6))
    assert value.price == Decimal("185.1200")
    assert (value.sign, value.change, value.change_rate) == (
        PriceSign.DOWN,
        Decimal("-1.2300"),
        Decimal("-0.66"),
    )
    assert (value.open, value.high, value.low) == (
        Decimal("184.2000"),
        Decimal("186.0000"),
        Decimal("183.5000"),
    )
    assert (value.best_bid, value.best_ask) == (Decimal("185.1100"), Decimal("185.1300"))
    assert (value.best_bid_qty, value.best_ask_qty) == (300, 250)
    assert (value.trade_qty, value.volume) == (15, 1234567)
    assert value.turnover == Decimal("228000000.5000")
    assert (value.sell_volume, value.buy_volume) == (600000, 634567)
    assert value.session is TradingSession.REGULAR
    assert value.venue is None


@pytest.mark.parametrize(
    ("key", "market"),
    [("RBAQAAPL", Market.NASDAQ), ("DNYSKO", Market.NYSE), ("DHKS00700", Market.HONG_KONG)],
)
def test_overseas_tick_market_from_the_realtime_key(key: str, market: Market) -> None:
    assert tick(frame("HDFSCNT0", fields(US_TICK, f0=key))).market is market


# --- HDFSASP0 -------------------------------------------------------------------------------


def test_overseas_orderbook_one_level() -> None:
    value = book(frame("HDFSASP0", US_BOOK_L1))
    assert value.asks == (OrderbookLevel(Decimal("185.1300"), 250),)
    assert value.bids == (OrderbookLevel(Decimal("185.1100"), 300),)
    assert (value.total_bid_qty, value.total_ask_qty) == (1000, 1200)
    assert value.time == kst("003015", date(2026, 1, 6))


def test_overseas_orderbook_ten_levels() -> None:
    levels = [
        f"{Decimal('185.11') - Decimal('0.01') * n}^{Decimal('185.13') + Decimal('0.01') * n}"
        f"^{100 * (n + 1)}^{90 * (n + 1)}^0^0"
        for n in range(10)
    ]  # 11-70: PBIDn, PASKn, VBIDn, VASKn, DBIDn, DASKn
    record = "^".join([*US_BOOK_L1.split("^")[:11], *levels])
    value = book(frame("HDFSASP0", record))
    assert len(value.asks) == len(value.bids) == 10
    assert value.bids[9] == OrderbookLevel(Decimal("185.02"), 1000)
    assert value.asks[9] == OrderbookLevel(Decimal("185.22"), 900)


# --- H0STCNI0 / H0STCNI9 --------------------------------------------------------------------


def test_domestic_fill_notice_26_fields_encrypted() -> None:
    value = notice(encrypted_frame("H0STCNI0", KR_FILL_26))
    assert value == ExecutionNotice(
        account="5012345601",
        order_no="0000012345",
        original_order_no="",
        branch="06010",
        side=Side.BUY,
        kind=NoticeKind.FILL,
        symbol=Symbol("005930"),
        name="삼성전자",
        market=Market.KRX,
        order_type=OrderType.LIMIT,
        order_qty=10,
        order_price=Decimal("71600"),
        filled_qty=7,
        fill_price=Decimal("71500"),
        time=kst("093015"),
        confirmed=True,
        venue=Venue.KRX,
        sor=False,
    )
    assert value.is_fill
    assert not value.rejected


def test_domestic_receipt_notice_23_fields_encrypted() -> None:
    value = notice(encrypted_frame("H0STCNI9", KR_RECEIPT_23))
    assert value.kind is NoticeKind.RECEIPT
    assert value.side is Side.SELL
    assert (value.symbol, value.name) == ("000660", "SK하이닉스")
    assert (value.order_qty, value.order_price) == (5, Decimal("120000"))
    assert (value.filled_qty, value.fill_price) == (0, None)
    assert value.time == kst("100001")
    assert value.venue is None


def test_domestic_notice_with_extra_trailing_fields() -> None:
    value = notice(encrypted_frame("H0STCNI0", KR_FILL_26 + "^X^Y"))
    assert (value.filled_qty, value.order_price) == (7, Decimal("71600"))


@pytest.mark.parametrize(
    ("changes", "kind"),
    [
        ({"f3": "0000012300", "f5": "1", "f13": "1", "f14": "1"}, NoticeKind.MODIFY),
        ({"f3": "0000012300", "f5": "2", "f13": "1", "f14": "2"}, NoticeKind.CANCEL),
        ({"f12": "1", "f13": "1", "f14": "1"}, NoticeKind.REJECT),
        ({"f6": "11", "f13": "1", "f14": "3"}, NoticeKind.CANCEL),
    ],
)
def test_domestic_notice_kinds(changes: dict[str, str], kind: NoticeKind) -> None:
    value = notice(encrypted_frame("H0STCNI0", fields(KR_FILL_26, **changes)))
    assert value.kind is kind
    assert value.filled_qty == 0
    assert value.order_qty == 7  # CNTG_QTY carries the order quantity on non-fills


def test_domestic_notice_sor_venue_and_market_order() -> None:
    value = notice(
        encrypted_frame("H0STCNI0", fields(KR_FILL_26, f6="01", f19="4", f25="0", f13="1"))
    )
    assert (value.venue, value.sor) == (Venue.NXT, True)
    assert value.order_type is OrderType.MARKET
    assert value.order_price == Decimal("71500")  # receipts carry the price in CNTG_UNPR


# --- H0GSCNI0 / H0GSCNI9 --------------------------------------------------------------------


def test_overseas_fill_notice_implied_decimals() -> None:
    value = notice(encrypted_frame("H0GSCNI0", US_FILL))
    assert value.market is Market.NASDAQ
    assert value.fill_price == Decimal("148.0100")
    assert (value.filled_qty, value.order_qty) == (3, 10)
    assert value.order_type is OrderType.LIMIT
    assert (value.symbol, value.name, value.side) == ("AAPL", "애플", Side.BUY)
    assert value.time == kst("233015")


def test_overseas_fill_notice_prefers_the_12_char_price() -> None:
    value = notice(encrypted_frame("H0GSCNI0", fields(US_FILL, f24="148.015")))
    assert value.fill_price == Decimal("148.015")


@pytest.mark.parametrize(
    ("exchange", "raw", "price", "market"),
    [
        ("D", "000014805", Decimal("1480.5"), Market.TOKYO),
        ("4", "000312400", Decimal("312.400"), Market.HONG_KONG),
        ("F", "000025600", Decimal("25600"), Market.HO_CHI_MINH),
    ],
)
def test_overseas_notice_decimals_by_exchange(
    exchange: str, raw: str, price: Decimal, market: Market
) -> None:
    value = notice(encrypted_frame("H0GSCNI0", fields(US_FILL, f9=raw, f18=exchange)))
    assert (value.market, value.fill_price) == (market, price)


def test_overseas_receipt_notice_21_fields_without_time() -> None:
    receipt = fields(US_FILL, f10="", f12="1", f13="1", f15="").split("^")[:21]
    value = notice(encrypted_frame("H0GSCNI0", "^".join(receipt)))
    assert value.kind is NoticeKind.RECEIPT
    assert (value.order_qty, value.order_price) == (3, Decimal("148.0100"))
    assert value.time is None


def test_keys_may_come_from_a_lookup_function() -> None:
    (value,) = parse_realtime(
        encrypted_frame("H0STCNI0", KR_FILL_26), {"H0STCNI0": (KEY, IV)}.get, today=TODAY
    )
    assert isinstance(value, ExecutionNotice)


def test_decrypt_round_trips() -> None:
    assert frames.decrypt(encrypt(KR_FILL_26), KEY, IV) == KR_FILL_26
    raw = parse_frame(encrypted_frame("H0STCNI0", KR_FILL_26)).decrypted(KEY, IV)
    assert raw == RawFrame(False, "H0STCNI0", 1, KR_FILL_26)


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (frame("H0STCNT0", KR_TICK).replace("|001|", "|002|"), "do not split into 2 records"),
        (frame("H0STCNT0", KR_TICK).replace("|001|", "|003|"), "do not split into 3 records"),
        (frame("H0STCNT0", KR_TICK.rsplit("^", 1)[0]), "45 fields, fewer than the 46"),
        (frame("H0STASP0", KR_TICK), "46 fields, fewer than the 59"),
        (frame("H0XXXXX0", KR_TICK), "unknown realtime TR 'H0XXXXX0'"),
        (frame("H0STCNT0", fields(KR_TICK, f2="7l500")), "record 0: bad field value"),
        (frame("H0STCNT0", fields(KR_TICK, f13="1.5")), "record 0: bad field value"),
        (frame("H0STCNT0", fields(KR_TICK, f1="0930")), "record 0: bad field value"),
        (frame("HDFSCNT0", fields(US_TICK, f0="DXXXAAPL")), "unknown exchange"),
    ],
)
def test_bad_plain_frames_raise_frame_error(text: str, message: str) -> None:
    with pytest.raises(FrameError, match=message):
        parse_realtime(text, today=TODAY)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1|H0STCNI0|001|not base64!", "H0STCNI0: encrypted payload is not valid base64"),
        (
            f"1|H0STCNI0|001|{encrypt(KR_FILL_26, key='abcdefghijklmnopqrstuvwxyz012345')}",
            "wrong key",
        ),
        (f"1|H0STCNI0|001|{encrypt(KR_FILL_26)[:-8]}", "cannot decrypt"),
        (f"1|H0GSCNI9|001|{encrypt(US_FILL)}", "no AES key/iv for this TR"),
        (encrypted_frame("H0STCNI0", fields(KR_FILL_26, f4="03")), "SELN_BYOV_CLS '03'"),
        (encrypted_frame("H0GSCNI0", fields(US_FILL, f18="9")), "ODER_COND '9'"),
    ],
)
def test_bad_encrypted_frames_raise_frame_error(text: str, message: str) -> None:
    with pytest.raises(FrameError, match=message):
        parse_realtime(text, KEYS, today=TODAY)


def test_frame_error_is_a_value_error_and_names_the_tr() -> None:
    with pytest.raises(ValueError, match="H0STCNT0") as caught:
        parse_realtime(frame("H0STCNT0", "a^b"), today=TODAY)
    assert isinstance(caught.value, FrameError)
    assert caught.value.tr_id == "H0STCNT0"


def test_a_wrong_aes_key_length_is_reported_without_the_key() -> None:
    with pytest.raises(FrameError, match="got 5 and 16") as caught:
        frames.decrypt(encrypt(KR_FILL_26), "short", IV)
    assert "short" not in str(caught.value)


def test_convert_refuses_a_still_encrypted_frame() -> None:
    with pytest.raises(FrameError, match="still encrypted"):
        frames.convert(parse_frame(encrypted_frame("H0STCNI0", KR_FILL_26)))


def test_the_fast_tick_constructor_refuses_a_short_or_keyword_call() -> None:
    build = frames._slot_filler(OrderbookLevel)
    assert build(Decimal("1"), 2) == OrderbookLevel(Decimal("1"), 2)
    with pytest.raises(TypeError, match="needs all 2 fields"):
        build(Decimal("1"))  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="needs all 2 fields"):
        build(Decimal("1"), qty=2)
