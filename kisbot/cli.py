"""The `kisbot` command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kisbot import __version__
from kisbot.domain.models import Market

if TYPE_CHECKING:
    from kisbot.domain.models import Quote
    from kisbot.kis.client import KisClient

__all__ = ["CheckReport", "build_parser", "check_command", "format_quote", "main", "quote_command"]

_QUOTE_MARKETS = (Market.KRX, Market.NASDAQ, Market.NYSE, Market.AMEX)


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value.is_finite() or value < 0:
        raise argparse.ArgumentTypeError(f"must be a non-negative number: {text!r}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 0..65535 (0 = any free port): {text}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("seconds must not be negative")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kisbot",
        description="Telegram trading assistant for Korea Investment & Securities (KIS) accounts.",
    )
    parser.add_argument("--version", action="version", version=f"kisbot {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sim = sub.add_parser(
        "sim",
        help="run the KIS Open API simulator (REST + websocket) until interrupted",
        description=(
            "Serve a wire-faithful KIS Open API simulator: the same REST paths, TR IDs, fields "
            "and websocket frames as KIS, over a small exchange with moving prices, order "
            "matching and funded accounts. Real KIS is served at the root of both ports, the "
            "virtual (모의투자) server under /vts. Any app key of 36 characters and secret of "
            "180 opens a funded account on first use, unless --config pins accounts."
        ),
    )
    sim.add_argument(
        "--host", default=None, help="interface to listen on (default 127.0.0.1, loopback only)"
    )
    sim.add_argument(
        "--port", type=_port, default=None, help="REST port (default 9443; 0 = any free port)"
    )
    sim.add_argument(
        "--ws-port",
        type=_port,
        default=None,
        help="websocket port (default 21000; 0 = any free port)",
    )
    sim.add_argument(
        "--seed",
        type=int,
        default=None,
        help="seed of the price history and random walk (default 20240101)",
    )
    sim.add_argument(
        "--config",
        type=Path,
        default=None,
        metavar="FILE",
        help="TOML file with a [sim] table; [[sim.accounts]] entries switch on strict mode",
    )
    sim.add_argument(
        "--market-hours",
        choices=("always", "real"),
        default=None,
        help="'always' open (default), or follow the real KRX and US sessions and refuse "
        "orders outside them (APBK0919 / APBK1664)",
    )
    sim.add_argument(
        "--rate-real",
        type=float,
        default=None,
        metavar="N",
        help="requests per second per app key on the real side (default 20; 0 = unlimited)",
    )
    sim.add_argument(
        "--rate-virtual",
        type=float,
        default=None,
        metavar="N",
        help="requests per second per app key on the virtual side (default 2; 0 = unlimited)",
    )
    sim.add_argument(
        "--token-window",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="minimum time between two token issues per app key, else 403 EGW00133 (default 60)",
    )
    sim.add_argument(
        "--ping-interval",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="websocket PINGPONG heartbeat interval (default 100)",
    )
    sim.add_argument(
        "--tick-interval",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="seconds between random-walk rounds (default 1; 0 = prices move only on demand)",
    )
    sim.add_argument(
        "--no-walk",
        action="store_true",
        help="start with the random walk paused (POST /sim/walk resumes it)",
    )
    sim.add_argument(
        "--krw",
        type=_decimal,
        default=None,
        metavar="AMOUNT",
        help="KRW deposit of a newly opened account (default 100000000)",
    )
    sim.add_argument(
        "--usd",
        type=_decimal,
        default=None,
        metavar="AMOUNT",
        help="USD deposit of a newly opened account (default 100000)",
    )
    sim.add_argument(
        "--log-level",
        choices=("debug", "info", "warning", "error"),
        default="warning",
        help="logging level (default warning)",
    )

    quote = sub.add_parser(
        "quote",
        help="print the current price of a symbol",
        description="Print a quote through the KIS client, as configured in the [kis] table.",
    )
    quote.add_argument("symbol", help='KRX code ("005930") or US ticker ("AAPL")')
    quote.add_argument(
        "--market",
        choices=[m.value for m in _QUOTE_MARKETS],
        default=None,
        help="where the symbol trades (default: 6-digit codes are KRX, tickers are US)",
    )
    _config_flag(quote)

    check = sub.add_parser(
        "check",
        help="check the configuration against KIS: token, quote, balance, websocket",
        description=(
            "What a new user runs first: reads the settings, issues or reuses the access token, "
            "fetches a quote and the balance, opens the websocket, and reports what works and "
            "what to fix. Secrets are never printed."
        ),
    )
    check.add_argument(
        "--symbol", default="005930", help="symbol to quote and subscribe (default 005930)"
    )
    _config_flag(check)
    return parser


def _config_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        default=Path("config.toml"),
        metavar="FILE",
        help="settings file with a [kis] table (default ./config.toml; KISBOT_* environment "
        "variables override it; see config.example.toml)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "sim":
        return _run_sim(parser, args)
    if args.command == "quote":
        return _run(quote_command(args.config, args.symbol, args.market))
    if args.command == "check":
        report = asyncio.run(check_command(args.config, args.symbol))
        print(report.text())
        return 0 if report.ok else 1
    parser.print_help()
    return 2


def _run(command: Coroutine[Any, Any, str]) -> int:
    """Run a client command: print its report, or a one-line error (never a traceback)."""
    from kisbot.domain.errors import KisbotError

    try:
        print(asyncio.run(command))
    except KisbotError as exc:
        print(f"kisbot: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


async def quote_command(config: Path, symbol: str, market: str | None) -> str:
    """`kisbot quote`: one quote as text."""
    import httpx

    from kisbot.config import Settings
    from kisbot.domain.errors import KisbotError
    from kisbot.kis.client import KisClient

    settings = Settings.from_toml(config).kis
    async with (
        httpx.AsyncClient(timeout=settings.timeout) as http,
        KisClient(http, settings) as kis,
    ):
        try:
            await kis.load_master()  # names; downloaded once a day into a cache
        except KisbotError as exc:
            logging.getLogger(__name__).warning("no symbol names: %s", exc)
        quote = await kis.fetch_quote(symbol, Market(market) if market else None)
    return format_quote(quote)


@dataclass
class CheckReport:
    """`kisbot check`'s findings: one line per step, with what to fix when it failed."""

    lines: list[str] = field(default_factory=list)
    ok: bool = True

    def good(self, step: str, detail: str) -> None:
        self.lines.append(f"  ✓ {step}: {detail}")

    def bad(self, step: str, problem: str, fix: str) -> None:
        self.ok = False
        self.lines.append(f"  ✗ {step}: {problem}\n      → {fix}")

    def text(self) -> str:
        verdict = "everything works" if self.ok else "something needs fixing (see ✗)"
        return "\n".join(["kisbot check", *self.lines, verdict])


async def check_command(config: Path, symbol: str) -> CheckReport:
    """`kisbot check`: config, token, quote, balance and websocket, each reported."""
    import httpx

    from kisbot.config import Settings
    from kisbot.domain.errors import KisbotError
    from kisbot.kis.auth import TokenStore
    from kisbot.kis.client import KisClient

    report = CheckReport()
    try:
        settings = Settings.from_toml(config).kis
    except KisbotError as exc:
        report.bad("settings", str(exc), f"copy config.example.toml to {config} and fill [kis]")
        return report
    side = "실전 (real)" if settings.env == "real" else "모의 (virtual)"
    report.good(
        "settings",
        f"{config}: {side} account ****{settings.account[-5:]}, "
        f"REST {settings.rest_url}, websocket {settings.ws_url}",
    )
    key = settings.app_key.get_secret_value()
    cached = TokenStore(settings.token_dir).load(settings.env, key)
    async with (
        httpx.AsyncClient(timeout=settings.timeout) as http,
        KisClient(http, settings) as kis,
    ):
        steps: list[tuple[str, Callable[[], Awaitable[str]], str]] = [
            (
                "token",
                lambda: _check_token(kis, cached is not None),
                "check app_key/app_secret and that they belong to this env (real vs virtual)",
            ),
            (
                "quote",
                lambda: _check_quote(kis, symbol),
                "check rest_url; a virtual key may not read real-only data",
            ),
            (
                "balance",
                lambda: _check_balance(kis),
                "check account (CANO-ACNT_PRDT_CD) and that the key is issued for it",
            ),
            (
                "websocket",
                lambda: _check_stream(kis, settings.ws_url, settings.hts_id, symbol),
                "check ws_url; KIS allows one websocket session per app key",
            ),
        ]
        for name, run, fix in steps:
            try:
                report.good(name, await run())
            except KisbotError as exc:
                report.bad(name, str(exc), fix)
                if name == "token":
                    break
    return report


async def _check_token(kis: KisClient, cached: bool) -> str:
    await kis.auth.access_token()
    return "reused the cached token" if cached else "issued a new token (cached for next time)"


async def _check_quote(kis: KisClient, symbol: str) -> str:
    quote = await kis.fetch_quote(symbol)
    return f"{quote.instrument.symbol} {quote.price:,} ({quote.change_rate:+.2f}%)"


async def _check_balance(kis: KisClient) -> str:
    balance = await kis.fetch_balance()
    cash = ", ".join(f"{c.currency} {c.orderable:,}" for c in balance.cash)
    return f"{len(balance.positions)} position(s); orderable {cash}"


async def _check_stream(kis: KisClient, ws_url: str, hts_id: str, symbol: str) -> str:
    from kisbot.kis.stream import KisStream, Price

    inst = await kis.instrument(symbol)
    stream = KisStream(kis.auth, ws_url, hts_id=hts_id)
    async with stream, stream.subscribe(Price(inst.symbol, inst.market)):
        used = stream.slots_used
    notices = "" if hts_id else " (set hts_id to receive execution notices)"
    return f"subscribed to {inst.symbol} prices ({used}/41 slots){notices}"


def format_quote(quote: Quote) -> str:
    inst = quote.instrument
    places = 0 if inst.market.domestic else 2
    unit = "원" if inst.market.domestic else " USD"

    def money(value: Decimal | None) -> str:
        return "-" if value is None else f"{value:,.{places}f}"

    arrow = "▲" if quote.change > 0 else "▼" if quote.change < 0 else "-"
    lines = [
        f"{inst.name} ({inst.symbol}, {inst.market.value})",
        f"  {money(quote.price)}{unit}  {arrow}{money(abs(quote.change))} "
        f"({quote.change_rate:+.2f}%)",
        f"  open {money(quote.open)}  high {money(quote.high)}  low {money(quote.low)}  "
        f"volume {'-' if quote.volume is None else f'{quote.volume:,}'}",
    ]
    if quote.high_52w is not None and quote.low_52w is not None:
        lines.append(
            f"  52w high {money(quote.high_52w)} ({quote.high_52w_date or '-'})  "
            f"low {money(quote.low_52w)} ({quote.low_52w_date or '-'})"
        )
    ratios = [
        (n, v)
        for n, v in (("PER", quote.per), ("PBR", quote.pbr), ("EPS", quote.eps), ("BPS", quote.bps))
        if v is not None
    ]
    if ratios:
        lines.append("  " + "  ".join(f"{n} {v:,}" for n, v in ratios))
    return "\n".join(lines)


def _run_sim(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from kisbot.sim.config import (
        DEMO_ACCOUNT,
        DEMO_APPKEY,
        DEMO_APPSECRET,
        DEMO_HTS_ID,
        SimSettings,
    )
    from kisbot.sim.server import SimServer

    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # websockets logs frame excerpts at DEBUG: approval keys and AES keys among them
    logging.getLogger("websockets").setLevel(max(logging.INFO, logging.getLogger().level))
    try:
        base = SimSettings.from_toml(args.config) if args.config else SimSettings()
    except (OSError, ValueError) as exc:
        parser.error(f"--config: {exc}")
    if args.config is None or args.port is not None:
        base = base.with_overrides(port=args.port if args.port is not None else 9443)
    if args.config is None or args.ws_port is not None:
        base = base.with_overrides(ws_port=args.ws_port if args.ws_port is not None else 21000)
    settings = base.with_overrides(
        host=args.host,
        seed=args.seed,
        market_hours=args.market_hours,
        rate_real=args.rate_real,
        rate_virtual=args.rate_virtual,
        token_issue_window=args.token_window,
        ping_interval=args.ping_interval,
        tick_interval=args.tick_interval,
        walk=False if args.no_walk else None,
        initial_krw=args.krw,
        initial_usd=args.usd,
    )

    async def run() -> None:
        async with SimServer(settings) as server:
            lines = [
                "KIS Open API simulator is running (Ctrl+C stops it).",
                f"  real    REST {server.rest_url}      websocket {server.ws_url}",
                f"  virtual REST {server.vts_rest_url}  websocket {server.vts_ws_url}",
                f"  control {server.rest_url}/sim/  (see README: Control API)",
            ]
            if settings.strict:
                lines.append(f"  strict mode: {len(settings.accounts)} pinned account(s)")
            else:
                lines += [
                    "  any 36-char app key + 180-char secret opens a funded account; demo ones:",
                    f"    appkey    {DEMO_APPKEY}",
                    f"    appsecret {DEMO_APPSECRET}",
                    f"    account   {DEMO_ACCOUNT}   HTS ID {DEMO_HTS_ID}",
                ]
            print("\n".join(lines), flush=True)
            await asyncio.Event().wait()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        print("simulator stopped", file=sys.stderr)
    except OSError as exc:
        print(f"kisbot sim: cannot listen: {exc}", file=sys.stderr)
        return 1
    return 0
