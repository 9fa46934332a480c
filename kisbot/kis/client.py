"""`KisClient`: KIS REST operations returning domain values.

```python
async with httpx.AsyncClient(timeout=settings.timeout) as http:
    async with KisClient(http, settings) as kis:
        quote = await kis.fetch_quote("005930")
```

The `httpx.AsyncClient` comes from outside (tests and the demo aim it at the simulator through
`rest_url`). Tokens, pacing and the EGW00123 re-send live in `KisAuth`; this module adds:
- the endpoint's TR ID for the environment, and the real side for market data the virtual
  server lacks (when real keys are configured);
- bounded retries with jittered backoff, for reads only (`KisUnavailable`, incl. EGW00201);
- `OrderStateUnknown` when an order may have reached KIS but no answer came back: never an
  automatic re-send;
- `tr_cont` paging.
"""

from __future__ import annotations

import logging
import random
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Self

import httpx

from kisbot.domain.errors import OrderStateUnknown, SentOrder
from kisbot.domain.models import (
    Balance,
    Bar,
    BarPeriod,
    BuyingPower,
    Instrument,
    Market,
    Order,
    OrderAck,
    Orderbook,
    OrderRequest,
    OrderType,
    ProfitReport,
    Quote,
    Side,
    Symbol,
    TradingHours,
)
from kisbot.domain.time import NEW_YORK, Clock, SystemClock
from kisbot.kis import account as _account
from kisbot.kis import market as _market
from kisbot.kis import master as _master
from kisbot.kis import orders as _orders
from kisbot.kis import schemas
from kisbot.kis.auth import RESEND_OK, KisAuth, TokenStore
from kisbot.kis.endpoints import Endpoint, endpoint
from kisbot.kis.errors import (
    KisConnectError,
    KisNoService,
    KisNotFound,
    KisUnavailable,
    map_httpx_exceptions,
    raise_for_kis,
)
from kisbot.kis.hosts import Env
from kisbot.kis.limiter import Limiters
from kisbot.kis.params import MAX_PAGES, US_ORDER_CODES, US_QUOTE_CODES, kr_params, us_params
from kisbot.kis.redact import RedactSecrets

if TYPE_CHECKING:
    from pydantic import SecretStr

    from kisbot.config import KisSettings
    from kisbot.kis.master import SymbolMaster

__all__ = ["US_ORDER_CODES", "US_QUOTE_CODES", "KisClient", "KisReply"]

logger = logging.getLogger(__name__)

READ_ATTEMPTS: Final = 3
BACKOFF: Final = (0.25, 1.0)


class _State(Enum):
    UNOPENED = 1
    OPENED = 2
    CLOSED = 3


@dataclass(frozen=True, slots=True)
class KisReply:
    """A successful answer: its JSON body and the `tr_cont` response header."""

    body: dict[str, Any]
    tr_cont: str

    @property
    def more(self) -> bool:
        return self.tr_cont in ("F", "M")


@dataclass(frozen=True, slots=True)
class _Side:
    """One environment's way in: where its REST host is and who signs for it."""

    env: Env
    base: str
    auth: KisAuth


class KisClient:
    """KIS REST operations for one account (see the module docstring)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        settings: KisSettings,
        *,
        clock: Clock | None = None,
        limiters: Limiters | None = None,
        redactor: RedactSecrets | None = None,
        rng: random.Random | None = None,
        master: SymbolMaster | None = None,
    ) -> None:
        self._http = http
        self._settings = settings
        self._clock: Clock = clock or SystemClock()
        self._rng = rng or random.Random()
        limiters = limiters or Limiters()
        store = TokenStore(settings.token_dir)
        self.env: Env = settings.env
        self.cano: str = settings.cano
        self.product: str = settings.product

        def side(env: Env, base: str, key: SecretStr, secret: SecretStr, rate: float) -> _Side:
            app_key = key.get_secret_value()
            auth = KisAuth(
                http,
                env=env,
                app_key=app_key,
                app_secret=secret.get_secret_value(),
                base_url=base,
                store=store,
                clock=self._clock,
                limiter=limiters.get(app_key, rate),
                redactor=redactor,
                refresh_margin=settings.token_refresh_margin,
                issue_window=settings.token_issue_window,
            )
            return _Side(env, base.rstrip("/"), auth)

        self._main = side(
            settings.env,
            settings.rest_url,
            settings.app_key,
            settings.app_secret,
            settings.rate_limit,
        )
        # market data the virtual server lacks comes from a real-side key, when configured
        self._data: _Side | None = None
        if settings.real_app_key is not None and settings.real_app_secret is not None:
            self._data = side(
                "real",
                settings.real_rest_url,
                settings.real_app_key,
                settings.real_app_secret,
                settings.real_rate_limit,
            )
        self._state = _State.UNOPENED
        self._us_markets: dict[str, Market] = {}
        # names by code (kisbot.kis.master.load_master sets it); None: codes only
        self.master: SymbolMaster | None = master

    def __repr__(self) -> str:
        return f"KisClient(env={self.env!r}, account=****{self.cano[-2:]})"

    @property
    def auth(self) -> KisAuth:
        return self._main.auth

    async def __aenter__(self) -> Self:
        if self._state is _State.CLOSED:
            raise RuntimeError("a KisClient cannot be reopened once closed")
        self._state = _State.OPENED
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._state = _State.CLOSED

    # ------------------------------------------------------------------------------ transport

    def _side_for(self, ep: Endpoint) -> tuple[_Side, str]:
        tr_id = ep.tr_id(self._main.env)
        if tr_id is not None:
            return self._main, tr_id
        if ep.kind == "quote" and self._data is not None:
            return self._data, ep.real
        raise KisNoService(
            f"{ep.name} is not offered on the virtual (모의투자) server"
            + (
                "; set real_app_key/real_app_secret to read it from the real side"
                if ep.kind == "quote"
                else ""
            ),
            tr_id=ep.real,
            endpoint=ep.name,
        )

    async def call(self, name: str, params: Mapping[str, str], *, tr_cont: str = "") -> KisReply:
        """One read: GET the endpoint `name` with `params`, retried on transient failures."""
        if self._state is not _State.OPENED:
            raise RuntimeError("use KisClient inside `async with`")
        ep = endpoint(name)
        side, tr_id = self._side_for(ep)
        headers = {"tr_id": tr_id, "tr_cont": tr_cont, "custtype": "P"}
        url = side.base + ep.path
        for attempt in range(READ_ATTEMPTS):
            try:
                with map_httpx_exceptions(tr_id=tr_id, endpoint=ep.name):
                    response = await self._http.get(
                        url, params=params, headers=headers, auth=side.auth
                    )
                body = raise_for_kis(response, tr_id=tr_id, endpoint=ep.name)
                return KisReply(body, response.headers.get("tr_cont", "").strip())
            except KisUnavailable as exc:
                if attempt + 1 >= READ_ATTEMPTS:
                    raise
                delay = BACKOFF[min(attempt, len(BACKOFF) - 1)] * (0.5 + self._rng.random())
                logger.warning(
                    "%s failed (%s); retrying in %.2fs",
                    ep.name,
                    exc.msg_cd or type(exc).__name__,
                    delay,
                )
                await self._clock.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    async def pages(
        self,
        name: str,
        params: Mapping[str, str],
        *,
        fk: str = "CTX_AREA_FK100",
        nk: str = "CTX_AREA_NK100",
    ) -> AsyncIterator[dict[str, Any]]:
        """Every page of a cursor-paged read (`tr_cont` + `ctx_area_fk*`/`ctx_area_nk*`)."""
        query = {**params, fk: "", nk: ""}
        reply = await self.call(name, query)
        yield reply.body
        for _ in range(MAX_PAGES - 1):
            if not reply.more:
                return
            query = {
                **query,
                fk: str(reply.body.get(fk.lower(), "")).strip(),
                nk: str(reply.body.get(nk.lower(), "")).strip(),
            }
            reply = await self.call(name, query, tr_cont="N")
            yield reply.body
        logger.warning("%s: stopped after %d pages", name, MAX_PAGES)

    async def send_order(self, name: str, body: Mapping[str, str], sent: SentOrder) -> KisReply:
        """POST an order-type request once. If it may have reached KIS without an answer,
        raise `OrderStateUnknown` carrying `sent`; KIS's refusals raise their typed errors."""
        if self._state is not _State.OPENED:
            raise RuntimeError("use KisClient inside `async with`")
        ep = endpoint(name)
        side, tr_id = self._side_for(ep)
        headers = {"tr_id": tr_id, "custtype": "P"}
        try:
            with map_httpx_exceptions(tr_id=tr_id, endpoint=ep.name):
                response = await self._http.post(
                    side.base + ep.path,
                    json=dict(body),
                    headers=headers,
                    auth=side.auth,
                    extensions={RESEND_OK: False},
                )
        except KisConnectError:
            raise  # never left this machine: safe to report as a plain failure
        except KisUnavailable as exc:
            raise OrderStateUnknown(
                f"{ep.name}: no answer from KIS ({exc}); check today's orders before retrying",
                order=sent,
            ) from exc
        try:
            data = raise_for_kis(response, tr_id=tr_id, endpoint=ep.name)
        except KisUnavailable as exc:
            if exc.msg_cd:  # KIS itself refused (e.g. EGW00201): nothing was placed
                raise
            raise OrderStateUnknown(
                f"{ep.name}: KIS answered HTTP {response.status_code} without a verdict",
                order=sent,
            ) from exc
        return KisReply(data, response.headers.get("tr_cont", "").strip())

    def now(self) -> datetime:
        return self._clock.now()

    # ---------------------------------------------------------------------------- instruments

    async def instrument(self, symbol: str, market: Market | None = None) -> Instrument:
        """Which market `symbol` trades on: 6-character codes are KRX; tickers are looked up on
        the US exchanges (NASDAQ, NYSE, AMEX) unless `market` says. With a symbol master
        loaded, what it lists comes with names and kind and without a request."""
        code = symbol.strip().upper()
        if not code:
            raise KisNotFound("empty symbol", endpoint="instrument")
        if market is None and (len(code) == 6 and code[:5].isdigit()):
            market = Market.KRX
        listed = self.master.get(code, market) if self.master is not None else None
        if listed is not None:
            return listed
        if market is Market.KRX:
            return Instrument(Symbol(code), Market.KRX, code)
        if market is not None and market not in US_QUOTE_CODES:
            raise KisNoService(f"{market} quotes are not supported yet", endpoint="instrument")
        found = self._us_markets.get(code) if market is None else market
        candidates = [found] if found else list(US_QUOTE_CODES)
        for candidate in candidates:
            out = (await self.call("us_price", us_params(candidate, code))).body.get("output")
            if isinstance(out, dict) and schemas.text(out, "last"):
                self._us_markets[code] = candidate
                return Instrument(Symbol(code), candidate, code)
        raise KisNotFound(f"no instrument {code!r}", endpoint="instrument")

    # ---------------------------------------------------------------------------------- quotes

    async def fetch_quote(self, symbol: str, market: Market | None = None) -> Quote:
        """The current price with its day figures and indicators (EPS, BPS, PER, PBR, 52-week
        range). Raises `KisNotFound` for an unknown symbol."""
        inst = await self.instrument(symbol, market)
        if inst.market is Market.KRX:
            body = (await self.call("price", kr_params(inst.symbol))).body
            out = body.get("output") or {}
            if schemas.dec(out, "stck_prpr") in (None, 0):
                raise KisNotFound(f"no instrument {inst.symbol!r}", endpoint="price")
            name = schemas.text(out, "hts_kor_isnm") or inst.name
            named = Instrument(
                inst.symbol, inst.market, name, inst.name_en, inst.kind or _kind(out)
            )
            return schemas.domestic_quote(named, out)
        out = (await self.call("us_price", us_params(inst.market, inst.symbol))).body["output"]
        detail: dict[str, Any] | None = None
        try:
            detail = (
                await self.call("us_price_detail", us_params(inst.market, inst.symbol))
            ).body.get("output")
        except KisNoService:
            detail = None  # virtual without real keys: price without the detail figures
        return schemas.overseas_quote(inst, out, detail)

    # ------------------------------------------------------------------------------------ bars

    async def fetch_bars(
        self,
        symbol: str,
        period: BarPeriod = BarPeriod.DAY,
        *,
        start: date | None = None,
        end: date | None = None,
        market: Market | None = None,
        limit: int = 5_000,
    ) -> list[Bar]:
        """Daily, weekly, monthly or yearly bars from `start` to `end` (inclusive), oldest
        first, paging back through KIS's 100-row answers."""
        if period is BarPeriod.MINUTE:
            raise ValueError("use fetch_minute_bars for minute bars")
        inst = await self.instrument(symbol, market)
        end = end or self.now().date()
        start = start or end - timedelta(days=365)
        if start > end:
            raise ValueError("start is after end")
        if inst.market is Market.KRX:
            bars = await self._kr_bars(inst, period, start, end, limit)
        else:
            bars = await self._us_bars(inst, period, start, end, limit)
        bars.sort(key=lambda b: b.start)
        return bars[-limit:]

    async def _kr_bars(
        self, inst: Instrument, period: BarPeriod, start: date, end: date, limit: int
    ) -> list[Bar]:
        code = {BarPeriod.DAY: "D", BarPeriod.WEEK: "W", BarPeriod.MONTH: "M", BarPeriod.YEAR: "Y"}[
            period
        ]
        bars: dict[date, Bar] = {}
        upto = end
        for _ in range(MAX_PAGES):
            body = (
                await self.call(
                    "daily_chart",
                    {
                        **kr_params(inst.symbol),
                        "FID_INPUT_DATE_1": start.strftime("%Y%m%d"),
                        "FID_INPUT_DATE_2": upto.strftime("%Y%m%d"),
                        "FID_PERIOD_DIV_CODE": code,
                        "FID_ORG_ADJ_PRC": "0",
                    },
                )
            ).body
            rows = [bar for row in body.get("output2") or [] if (bar := schemas.domestic_bar(row))]
            fresh = [b for b in rows if b.start.date() not in bars]
            for bar in fresh:
                bars[bar.start.date()] = bar
            if not fresh or len(bars) >= limit:
                break
            upto = min(b.start.date() for b in fresh) - timedelta(days=1)
            if upto < start:
                break
        return [b for b in bars.values() if start <= b.start.date() <= end]

    async def _us_bars(
        self, inst: Instrument, period: BarPeriod, start: date, end: date, limit: int
    ) -> list[Bar]:
        gubn = {BarPeriod.DAY: "0", BarPeriod.WEEK: "1", BarPeriod.MONTH: "2"}.get(period)
        if gubn is None:
            raise ValueError("KIS serves US bars by day, week or month")
        bars: dict[date, Bar] = {}
        upto = end
        for _ in range(MAX_PAGES):
            body = (
                await self.call(
                    "us_daily_chart",
                    {
                        **us_params(inst.market, inst.symbol),
                        "GUBN": gubn,
                        "BYMD": upto.strftime("%Y%m%d"),
                        "MODP": "1",
                    },
                )
            ).body
            nrec = schemas.integer(body.get("output1") or {}, "nrec")
            rows = (body.get("output2") or [])[: nrec if nrec is not None else None]
            parsed = [bar for row in rows if (bar := schemas.overseas_bar(row, NEW_YORK))]
            fresh = [b for b in parsed if b.start.date() not in bars]
            for bar in fresh:
                bars[bar.start.date()] = bar
            oldest = min((b.start.date() for b in fresh), default=None)
            if oldest is None or oldest <= start or len(bars) >= limit:
                break
            upto = oldest - timedelta(days=1)
        return [b for b in bars.values() if start <= b.start.date() <= end]

    # ------------------------------------------------------------------- market data (market.py)

    async def fetch_minute_bars(
        self,
        symbol: str,
        *,
        interval_minutes: int = 1,
        market: Market | None = None,
        since: datetime | None = None,
    ) -> list[Bar]:
        """Today's bars of `interval_minutes` minutes, aligned to the session open, oldest first."""
        return await _market.fetch_minute_bars(
            self, symbol, interval_minutes=interval_minutes, market=market, since=since
        )

    async def fetch_orderbook(self, symbol: str, market: Market | None = None) -> Orderbook:
        """The 10-level order book, best level first on each side."""
        return await _market.fetch_orderbook(self, symbol, market)

    async def fetch_product(self, symbol: str, market: Market | None = None) -> Instrument:
        """Korean and English names and the kind of an instrument."""
        return await _market.fetch_product(self, symbol, market)

    async def fetch_trading_hours(self, market: Market, day: date | None = None) -> TradingHours:
        """The regular session of `market` on `day` (today by default), in KST."""
        return await _market.fetch_trading_hours(self, market, day)

    async def load_master(self, cache_dir: Path | None = None) -> SymbolMaster:
        """Load (once a day, cached on disk) KIS's symbol master files for name lookup."""
        return await _master.load_master(self, cache_dir)

    async def find_instruments(
        self, query: str, market_hint: Market | None = None
    ) -> list[Instrument]:
        """Instruments matching a code or a Korean or English name, best first (KR, then US…)."""
        found = self.master or await self.load_master()
        return found.find(query, market_hint)

    # --------------------------------------------------------------------- account (account.py)

    async def fetch_balance(self) -> Balance:
        """KRW and USD cash, domestic and US positions, totals in KRW."""
        return await _account.fetch_balance(self)

    async def fetch_profit(self, start: date, end: date) -> ProfitReport:
        """Realized profit per day (real accounts only)."""
        return await _account.fetch_profit(self, start, end)

    async def fetch_orders(
        self,
        start: date | None = None,
        end: date | None = None,
        *,
        symbol: str | None = None,
        side: Side | None = None,
        open_only: bool = False,
    ) -> list[Order]:
        """Orders and executions of a period (today by default), newest first."""
        return await _account.fetch_orders(
            self, start, end, symbol=symbol, side=side, open_only=open_only
        )

    async def fetch_pending(self) -> list[Order]:
        """Orders with something left to fill."""
        return await _account.fetch_pending(self)

    async def fetch_buying_power(
        self,
        instrument: Instrument,
        price: Decimal | None = None,
        order_type: OrderType = OrderType.LIMIT,
    ) -> BuyingPower:
        """Orderable cash and the largest quantity at `price`."""
        return await _account.fetch_buying_power(self, instrument, price, order_type)

    async def fetch_sellable(self, instrument: Instrument) -> int:
        """Shares of `instrument` a sell order may offer now."""
        return await _account.fetch_sellable(self, instrument)

    # ------------------------------------------------------------------------ orders (orders.py)

    async def place_order(self, request: OrderRequest) -> OrderAck:
        """Send an order once (`OrderStateUnknown` when its fate is unknown: reconcile)."""
        return await _orders.place_order(self, request)

    async def modify_order(
        self,
        order_no: str,
        *,
        price: Decimal | None = None,
        qty: int | None = None,
        order_type: OrderType = OrderType.LIMIT,
        instrument: Instrument | None = None,
    ) -> OrderAck:
        """Move an open order (or `qty` of it) to a new price: a new order number."""
        return await _orders.modify_order(
            self, order_no, price=price, qty=qty, order_type=order_type, instrument=instrument
        )

    async def cancel_order(
        self, order_no: str, *, qty: int | None = None, instrument: Instrument | None = None
    ) -> OrderAck:
        """Cancel an open order's remainder, or `qty` of it."""
        return await _orders.cancel_order(self, order_no, qty=qty, instrument=instrument)

    async def cancel_all(self, *, symbol: str | None = None) -> list[OrderAck]:
        """Cancel every open order (of `symbol` when given)."""
        return await _orders.cancel_all(self, symbol=symbol)

    async def reconcile(self, sent: SentOrder) -> Order | None:
        """The order KIS made of an order whose outcome was unknown, or None."""
        return await _orders.reconcile(self, sent)


def _kind(out: Mapping[str, Any]) -> str:
    return "etf" if "ETF" in schemas.text(out, "bstp_kor_isnm").upper() else "stock"
