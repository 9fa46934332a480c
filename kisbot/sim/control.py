"""The control API for tests and demos, under `/sim/` on the REST port (no KIS client uses it).

| Method and path | Body / query | Does |
|---|---|---|
| GET `/sim/health` | | `{"ok": true, ...}` |
| POST `/sim/price` | `{"symbol": "005930", "price": "71000", "qty": 10}` | prints a trade: ticks, matching |
| POST `/sim/step` | `{"count": 5}` | advances the random walk `count` rounds |
| POST `/sim/walk` | `{"paused": true}` | pauses or resumes the random walk |
| GET `/sim/orders` | `?env=virtual` | every order as JSON |
| POST `/sim/orders/{odno}/reject` | `{"env": "virtual"}` | the exchange refuses an open order |
| GET `/sim/accounts/{CANO-PRDT}` | `?env=virtual` | cash and holdings |
| POST `/sim/faults` | `{"tr_id": "FHKST01010100", "count": 2, "status": 500, "msg_cd": "EGW00201", "msg1": "..."}` | the next `count` requests of that TR (or `"*"`) fail |
| DELETE `/sim/faults` | | clears faults |
| POST `/sim/latency` | `{"seconds": 0.2, "tr_id": "..."}` | adds latency (to one TR, or to all) |
| POST `/sim/ws/drop` | | closes every websocket session |
| POST `/sim/clock` | `{"advance": 3600}` or `{"set": "2026-11-24T10:00:00+09:00"}` | moves simulated time |
| POST `/sim/market-hours` | `{"mode": "real"}` | `always` open, or the real KRX/US sessions |
| GET `/sim/stats` | | per app key: token issues, throttles, rate-limit hits; websocket sessions |
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from kisbot.sim.errors import SimReject
from kisbot.sim.exchange import Account, SimOrder
from kisbot.sim.rest import Fault

if TYPE_CHECKING:
    from kisbot.sim.app import Simulator

__all__ = ["control_routes", "order_json"]


def _error(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"ok": False, "error": message}, status_code=status)


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {"__invalid__": True}
    return data if isinstance(data, dict) else {"__invalid__": True}


def _env(value: Any) -> str | None:
    text = str(value or "virtual").lower()
    return text if text in ("real", "virtual") else None


def order_json(order: SimOrder) -> dict[str, Any]:
    """An order as the control API shows it (plain JSON, strings for money)."""
    return {
        "odno": order.odno,
        "env": order.env,
        "account": f"{order.account_key[1]}-{order.account_key[2]}",
        "symbol": order.inst.symbol,
        "side": "buy" if order.side.value == "02" else "sell",
        "ord_dvsn": order.ord_dvsn,
        "kind": order.kind,
        "original_odno": order.original_odno,
        "qty": order.qty,
        "price": str(order.price),
        "filled_qty": order.filled_qty,
        "avg_price": str(order.avg_price),
        "cancelled_qty": order.cancelled_qty,
        "remaining": order.remaining,
        "status": order.status.value,
        "created": order.created.isoformat(),
        "fills": [
            {
                "qty": f.qty,
                "price": str(f.price),
                "fee": str(f.fee),
                "tax": str(f.tax),
                "time": f.time.isoformat(),
            }
            for f in order.fills
        ],
    }


def account_json(sim: Simulator, acct: Account) -> dict[str, Any]:
    ex = sim.exchange
    holdings = []
    for symbol, h in sorted(acct.holdings.items()):
        if h.qty == 0 and h.today_buy == 0 and h.today_sell == 0:
            continue
        holdings.append(
            {
                "symbol": symbol,
                "qty": h.qty,
                "avg_price": str(h.avg_price),
                "cost": str(h.cost),
                "sellable": ex.sellable(acct, symbol),
                "last": str(ex.state(symbol).last),
            }
        )
    return {
        "env": acct.env,
        "account": f"{acct.cano}-{acct.product}",
        "krw": {
            "deposit": str(acct.krw_deposit),
            "settled": str(acct.krw_settled),
            "available": str(ex.krw_available(acct)),
            "today_buy": str(acct.krw_today_buy),
            "today_sell": str(acct.krw_today_sell),
            "today_fees": str(acct.krw_today_fees),
        },
        "usd": {"cash": str(acct.usd_cash), "available": str(ex.usd_available(acct))},
        "holdings": holdings,
    }


def control_routes(sim: Simulator) -> list[Route]:
    ex = sim.exchange
    state = sim.state

    async def health(request: Request) -> Response:
        return JSONResponse(
            {
                "ok": True,
                "walk_paused": ex.walk_paused,
                "market_hours": ex.market_hours,
                "now": ex.clock.now().isoformat(),
            }
        )

    async def price(request: Request) -> Response:
        data = await _body(request)
        symbol = str(data.get("symbol", "")).strip()
        if ex.instrument(symbol) is None:
            return _error(f"unknown symbol {symbol!r}", 404)
        try:
            value = Decimal(str(data.get("price", "")))
            qty = int(data["qty"]) if "qty" in data else None
        except (InvalidOperation, ValueError, TypeError):
            return _error("price must be a decimal string and qty an integer")
        if not value.is_finite() or value <= 0 or (qty is not None and qty <= 0):
            return _error("price and qty must be positive")
        st = ex.trade(symbol, value, qty)
        return JSONResponse(
            {"ok": True, "symbol": st.inst.symbol, "last": str(st.last), "volume": st.volume}
        )

    async def step(request: Request) -> Response:
        data = await _body(request)
        try:
            count = int(data.get("count", 1))
        except (ValueError, TypeError):
            return _error("count must be an integer")
        if not 1 <= count <= 10_000:
            return _error("count must be 1..10000")
        return JSONResponse({"ok": True, "trades": ex.step(count)})

    async def walk(request: Request) -> Response:
        data = await _body(request)
        if not isinstance(data.get("paused"), bool):
            return _error('send {"paused": true} or {"paused": false}')
        ex.walk_paused = data["paused"]
        return JSONResponse({"ok": True, "walk_paused": ex.walk_paused})

    async def orders(request: Request) -> Response:
        env = request.query_params.get("env")
        chosen = ex.orders(env if env in ("real", "virtual") else None)  # type: ignore[arg-type]
        return JSONResponse({"orders": [order_json(o) for o in chosen]})

    async def reject(request: Request) -> Response:
        data = await _body(request)
        env = _env(data.get("env"))
        if env is None:
            return _error("env must be real or virtual")
        try:
            order = ex.reject_order(env, request.path_params["odno"])  # type: ignore[arg-type]
        except SimReject as exc:
            return _error(str(exc), 404)
        return JSONResponse({"ok": True, "order": order_json(order)})

    async def account(request: Request) -> Response:
        env = _env(request.query_params.get("env"))
        number = request.path_params["number"]
        cano, _, product = number.partition("-")
        if env is None:
            return _error("env must be real or virtual")
        try:
            acct = ex.account(env, cano, product or "01")  # type: ignore[arg-type]
        except SimReject as exc:
            return _error(str(exc), 404)
        return JSONResponse(account_json(sim, acct))

    async def faults(request: Request) -> Response:
        if request.method == "DELETE":
            state.faults.clear()
            return JSONResponse({"ok": True})
        data = await _body(request)
        try:
            fault = Fault(
                tr_id=str(data["tr_id"]),
                count=int(data.get("count", 1)),
                status=int(data.get("status", 500)),
                msg_cd=str(data.get("msg_cd", "EGW00500")),
                msg1=str(data.get("msg1", "시뮬레이터가 주입한 오류입니다.")),
            )
        except (KeyError, ValueError, TypeError):
            return _error("send tr_id, and optionally count, status, msg_cd, msg1")
        if fault.count <= 0 or not 200 <= fault.status <= 599:
            return _error("count must be positive and status an HTTP status")
        state.faults.append(fault)
        return JSONResponse({"ok": True, "pending": len(state.faults)})

    async def latency(request: Request) -> Response:
        data = await _body(request)
        try:
            seconds = float(data.get("seconds", 0))
        except (ValueError, TypeError):
            return _error("seconds must be a number")
        if not 0 <= seconds <= 60:
            return _error("seconds must be 0..60")
        tr_id = data.get("tr_id")
        if tr_id:
            state.tr_latency[str(tr_id)] = seconds
        else:
            state.latency = seconds
        return JSONResponse({"ok": True})

    async def drop(request: Request) -> Response:
        return JSONResponse({"ok": True, "dropped": await sim.ws.drop_all()})

    async def clock(request: Request) -> Response:
        data = await _body(request)
        try:
            if "advance" in data:
                now = ex.clock.advance(float(data["advance"]))
            elif "set" in data:
                now = ex.clock.set(datetime.fromisoformat(str(data["set"])))
            else:
                return _error('send {"advance": seconds} or {"set": "ISO-8601 with offset"}')
        except (ValueError, TypeError) as exc:
            return _error(str(exc))
        return JSONResponse({"ok": True, "now": now.isoformat()})

    async def market_hours(request: Request) -> Response:
        data = await _body(request)
        mode = data.get("mode")
        if mode not in ("always", "real"):
            return _error('mode must be "always" or "real"')
        ex.market_hours = mode
        return JSONResponse({"ok": True, "market_hours": mode})

    async def stats(request: Request) -> Response:
        keys = {
            (appkey[:6] + "…" + appkey[-4:]): {
                "token_requests": s.token_requests,
                "tokens_minted": s.tokens_minted,
                "throttled": s.throttled,
                "approvals": s.approvals,
                "rate_limited": s.rate_limited,
                "requests": s.requests,
            }
            for appkey, s in state.keys.stats.items()
        }
        return JSONResponse(
            {"keys": keys, "requests_by_tr": state.requests_by_tr, "websocket": sim.ws.stats()}
        )

    return [
        Route("/sim/health", health, methods=["GET"]),
        Route("/sim/price", price, methods=["POST"]),
        Route("/sim/step", step, methods=["POST"]),
        Route("/sim/walk", walk, methods=["POST"]),
        Route("/sim/orders", orders, methods=["GET"]),
        Route("/sim/orders/{odno}/reject", reject, methods=["POST"]),
        Route("/sim/accounts/{number}", account, methods=["GET"]),
        Route("/sim/faults", faults, methods=["POST", "DELETE"]),
        Route("/sim/latency", latency, methods=["POST"]),
        Route("/sim/ws/drop", drop, methods=["POST"]),
        Route("/sim/clock", clock, methods=["POST"]),
        Route("/sim/market-hours", market_hours, methods=["POST"]),
        Route("/sim/stats", stats, methods=["GET"]),
    ]
