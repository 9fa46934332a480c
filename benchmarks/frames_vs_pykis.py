"""How fast kisbot.kis.frames reads realtime frames, against python-kis 2.1.6 in the same run.

Run: `.venv/bin/python benchmarks/frames_vs_pykis.py [--frames 20000] [--repeat 5]`

python-kis is a benchmark-only dependency: `.venv/bin/pip install -e '.[bench]'` (the `bench`
extra pins `python-kis==2.1.6`). It installs here with its own dependencies (requests,
urllib3, charset-normalizer, websocket-client, colorlog) and changes none of kisbot's pins
(httpx, websockets, cryptography… stay as they were); nothing of kisbot imports it.

Both sides start from the same frame text and end with typed objects:
- kisbot: `parse_realtime(text, keys, today=…)`, frame header to frozen dataclasses;
- python-kis: what `KisWebsocketClient._handle_event` does with a message, minus its network
  parts: `message.split("|", 3)`, `int(count)`, the TR's class from `WEBSOCKET_RESPONSES_MAP`,
  then `KisWebsocketResponse.parse(body, count=…, response_type=…)` drained into a list (its
  descriptor-driven field conversion, `__pre_init__`/`__post_init__`). Left out of python-kis:
  `kis_object_init` (it binds each object to a logged-in `PyKis` and builds order handles) and
  the event dispatch, so the baseline is, if anything, flattered.

Notices: python-kis 2.1.6 only reads the pre-2025 23-field H0STCNI0 layout (it requires the
field count to be a multiple of 23), so both sides get 23-field notices. The main notice row
times already-decrypted frames (`0|H0STCNI0|001|<plain>`); a second row times decrypt + parse of
the same notices encrypted (python-kis with its own `KisWebsocketEncryptionKey`). Each row is
the best of `--repeat` runs over `--frames` distinct frames, timed with `time.perf_counter`.
It is a script, not a test: the test suite never waits on it.
"""

from __future__ import annotations

import argparse
import base64
import random
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from kisbot.domain.realtime import ExecutionNotice, OrderbookUpdate, PriceTick
from kisbot.kis.frames import parse_realtime

try:
    from pykis.api.websocket import WEBSOCKET_RESPONSES_MAP
    from pykis.client.messaging import KisWebsocketEncryptionKey
    from pykis.responses.websocket import KisWebsocketResponse
except ImportError:  # pragma: no cover - depends on the environment
    sys.exit("python-kis is not installed: .venv/bin/pip install -e '.[bench]'")

KEY = "iuheqrmvfxoceaxeyqgjwesozgizmmgx"
IV = "d59d91fcf9fd0044"
KEYS = {"H0STCNI0": (KEY, IV)}
TODAY = date(2026, 1, 5)
SYMBOLS = [f"{n:06d}" for n in range(5930, 5930 + 20 * 1117, 1117)]


def _hms(second: int) -> str:
    second += 9 * 3600
    return f"{second // 3600:02d}{second // 60 % 60:02d}{second % 60:02d}"


def tick_frames(count: int, rng: random.Random) -> list[str]:
    """H0STCNT0 frames (46 fields) for 20 symbols, about ten a second."""
    frames = []
    price = {symbol: rng.randrange(10_000, 200_000, 100) for symbol in SYMBOLS}
    volume = dict.fromkeys(SYMBOLS, 0)
    for n in range(count):
        symbol = SYMBOLS[n % len(SYMBOLS)]
        price[symbol] += rng.choice((-100, 0, 100))
        qty = rng.randrange(1, 500)
        volume[symbol] += qty
        last, prev = price[symbol], 100_000
        change = last - prev
        sign = "2" if change > 0 else "5" if change < 0 else "3"
        hms = _hms(n // 10)
        record = [
            symbol, hms, str(last), sign, str(change), f"{change / prev * 100:.2f}",
            str(last), str(prev), str(last + 500), str(last - 500), str(last + 100), str(last),
            str(qty), str(volume[symbol]), str(volume[symbol] * last),
            "100", "120", "20", "105.50", "5000", "6000", "1", "55.00", "80.10",
            "090000", "2", "500", "101010", "5", "-300", "090500", "2", "600",
            "20260105", "20", "N", "1500", "2300", "150000", "160000",
            "0.12", "1000000", "110.00", "0", "0", str(prev),
        ]  # fmt: skip
        frames.append(f"0|H0STCNT0|001|{'^'.join(record)}")
    return frames


def book_frames(count: int, rng: random.Random) -> list[str]:
    """H0STASP0 frames (59 fields): ten levels a side around a moving mid."""
    frames = []
    for n in range(count):
        mid = rng.randrange(10_000, 200_000, 100)
        asks = [str(mid + 100 * (level + 1)) for level in range(10)]
        bids = [str(mid - 100 * level) for level in range(10)]
        qtys = [str(rng.randrange(1, 5_000)) for _ in range(20)]
        tail = ["55000", "60500", "0", "0", "0", "0", "0", "0", "3", "0.00", "1234567"]
        record = [SYMBOLS[n % len(SYMBOLS)], _hms(n // 10), "0", *asks, *bids, *qtys, *tail]
        frames.append(f"0|H0STASP0|001|{'^'.join([*record, '0', '0', '0', '0', '01'])}")
    return frames


def notice_payloads(count: int, rng: random.Random) -> list[str]:
    """Decrypted H0STCNI0 payloads in the 23-field layout: receipts and fills."""
    payloads = []
    for n in range(count):
        fill = n % 2 == 1
        qty, price = rng.randrange(1, 100), rng.randrange(10_000, 200_000, 100)
        flag = "2" if fill else "1"
        record = [
            "htsuser", "5012345601", f"{n // 2 + 1:010d}", "", rng.choice(("01", "02")), "0",
            "00", "0", SYMBOLS[n % len(SYMBOLS)], str(qty), str(price), _hms(n // 10),
            "0", flag, flag, "06010", str(qty),
            "홍길동", "삼성전자", "10", "", "삼성전자", str(price),
        ]  # fmt: skip
        payloads.append("^".join(record))
    return payloads


def encrypt(text: str) -> str:
    padder = padding.PKCS7(128).padder()
    padded = padder.update(text.encode("utf-8")) + padder.finalize()
    encryptor = Cipher(algorithms.AES(KEY.encode()), modes.CBC(IV.encode())).encryptor()
    return base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode("ascii")


def ours(text: str) -> list[Any]:
    return parse_realtime(text, KEYS, today=TODAY)


PYKIS_KEY = KisWebsocketEncryptionKey(iv=IV.encode("utf-8"), key=KEY.encode("utf-8"))


def theirs(message: str) -> list[Any]:
    """python-kis's `_handle_event` up to the parsed objects."""
    encrypted, tr_id, count, body = message.split("|", 3)
    if encrypted == "1":
        body = PYKIS_KEY.decrypt(base64.b64decode(body)).decode("utf-8")
    return list(
        KisWebsocketResponse.parse(
            body, count=int(count), response_type=WEBSOCKET_RESPONSES_MAP[tr_id]
        )
    )


def best_rate(parse: Callable[[str], list[Any]], frames: Sequence[str], repeat: int) -> float:
    """Frames per second, the best of `repeat` passes."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for text in frames:
            parse(text)
        best = min(best, time.perf_counter() - start)
    return len(frames) / best


def check_agreement(ticks: Sequence[str], books: Sequence[str], notices: Sequence[str]) -> None:
    """Both parsers read the same numbers from the same frames (a fair race, not two races)."""
    for text in ticks[:50]:
        (mine,), (their,) = ours(text), theirs(text)
        assert isinstance(mine, PriceTick)
        assert (mine.symbol, mine.price, mine.volume, mine.time) == (
            their.symbol,
            their.price,
            their.volume,
            their.time,
        ), text
        assert (mine.best_ask, mine.best_bid, mine.change) == (their.ask, their.bid, their.change)
    for text in books[:50]:
        (mine,), (their,) = ours(text), theirs(text)
        assert isinstance(mine, OrderbookUpdate)
        assert [(level.price, level.qty) for level in mine.asks + mine.bids] == [
            (level.price, level.volume) for level in their.asks + their.bids
        ], text
    for text in notices[:50]:
        (mine,), (their,) = ours(text), theirs(text)
        assert isinstance(mine, ExecutionNotice)
        assert mine.time is not None  # python-kis dates notices with its own clock: compare times
        assert (mine.symbol, mine.time.time()) == (their.symbol, their.time.time()), text
        if mine.is_fill:
            assert (mine.filled_qty, mine.fill_price) == (their.executed_quantity, their.price)
        assert Decimal(mine.order_qty or 0) == their.quantity, text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    rng = random.Random(7)
    ticks = tick_frames(args.frames, rng)
    books = book_frames(args.frames, rng)
    payloads = notice_payloads(args.frames, rng)
    plain_notices = [f"0|H0STCNI0|001|{payload}" for payload in payloads]
    encrypted_notices = [f"1|H0STCNI0|001|{encrypt(payload)}" for payload in payloads]
    check_agreement(ticks, books, plain_notices)

    rows = [
        ("H0STCNT0 ticks", ticks),
        ("H0STASP0 order books", books),
        ("H0STCNI0 notices, decrypted", plain_notices),
        ("H0STCNI0 notices, decrypt+parse", encrypted_notices),
    ]
    print(f"{args.frames:,} distinct frames per pass, best of {args.repeat}; frames/s")
    print(f"{'':34}{'kisbot':>12}{'python-kis':>12}{'ratio':>8}")
    for label, frames in rows:
        mine = best_rate(ours, frames, args.repeat)
        their = best_rate(theirs, frames, args.repeat)
        print(f"{label:34}{mine:>12,.0f}{their:>12,.0f}{mine / their:>7.1f}x")


if __name__ == "__main__":
    main()
