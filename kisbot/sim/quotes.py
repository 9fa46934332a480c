"""Quotation endpoints (reference §4.1, §4.3): prices, bars, orderbooks, product info, calendars.

Simulator choices where the reference is silent:
- week/month/year bars are dated by their first trading day (weeks start Monday) and a period
  is returned whole when that date lies in the requested range, so "oldest date - 1 day" paging
  never overlaps;
- past-day minute bars are generated from (seed, symbol, date) to match that day's daily bar;
- `wday_dvsn_cd` is "01" Sunday .. "07" Saturday;
- overseas `dailyprice` and minute bars also continue on `tr_cont: N` with unchanged inputs.
"""

from __future__ import annotations

import random
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from functools import lru_cache, partial
from itertools import accumulate
from typing import Any, Final, Generic, NamedTuple, TypeVar
from weakref import WeakKeyDictionary

import holidays

from kisbot.domain.money import krx_price_limits
from kisbot.domain.time import KST, NEW_YORK
from kisbot.sim.errors import Rejects, SimReject
from kisbot.sim.exchange import BookLevel, Exchange, PriceState
from kisbot.sim.history import Bar, is_trading_day, local_zone, step_price
from kisbot.sim.rest import Call, Endpoint, Reply, Tr, fmt_money
from kisbot.sim.universe import Instrument, Venue

__all__ = ["ENDPOINTS"]

Row = dict[str, str]
V = TypeVar("V")

DOMESTIC: Final = "/uapi/domestic-stock/v1/quotations"
OVERSEAS: Final = "/uapi/overseas-price/v1/quotations"
NOT_FOUND: Final = SimReject("KIOK0560", "조회할 내용이 없습니다", 200, rt_cd="7")
CHART_ROWS: Final = 100
RECENT_ROWS: Final = 30
TODAY_MINUTES: Final = 30
PAST_MINUTES: Final = 120
HOLIDAY_PAGE: Final = 24
REFERENCE_DOMESTIC: Final = "005930"
REFERENCE_OVERSEAS: Final = "AAPL"
US_T_PLUS_ONE: Final = date(2024, 5, 28)  # US settlement moved from T+2 to T+1

_MARKETS: Final = frozenset({"J", "NX", "UN"})
# quote EXCD (daytime codes included) -> the instrument's exchange; other markets list nothing
_EXCD: Final = {"NAS": "NAS", "NYS": "NYS", "AMS": "AMS", "BAQ": "NAS", "BAY": "NYS", "BAA": "AMS"}
_EMPTY_EXCD: Final = frozenset({"HKS", "TSE", "SHS", "SZS", "SHI", "SZI", "HSX", "HNX"})
_US_MARKETS: Final = {  # PRDT_TYPE_CD -> (venue, market code, Korean market name)
    "512": (Venue.NASDAQ, "01", "나스닥"),
    "513": (Venue.NYSE, "02", "뉴욕"),
    "529": (Venue.AMEX, "03", "아멕스"),
}
# every PRDT_TYPE_CD of §7 (domestic 300-306, overseas 5xx); the sim lists 300 and US only
_DOMESTIC_TYPES: Final = ("300", "301", "302", "306")
_OVERSEAS_TYPES: Final = (
    "512",
    "513",
    "529",
    "515",
    "501",
    "543",
    "558",
    "507",
    "508",
    "551",
    "552",
)
_PRODUCT_TYPES: Final = frozenset((*_DOMESTIC_TYPES, *_OVERSEAS_TYPES))
_BOOK_ZEROES: Final = (
    "total_askp_rsqn_icdc",
    "total_bidp_rsqn_icdc",
    "ovtm_total_askp_icdc",
    "ovtm_total_bidp_icdc",
    "ovtm_total_askp_rsqn",
    "ovtm_total_bidp_rsqn",
)


# ------------------------------------------------------------------------------- formatting


def _num(value: Decimal | int, places: int = 0) -> str:
    return fmt_money(value, places)


def _usd(value: Decimal) -> str:
    return _num(value, 4)


def _pct(part: Decimal | int, whole: Decimal | int) -> Decimal:
    return Decimal(part) * 100 / Decimal(whole) if whole else Decimal(0)


def _rate(part: Decimal | int, whole: Decimal | int) -> str:
    return _num(_pct(part, whole), 2)


def _xrate(part: Decimal, whole: Decimal) -> str:
    """Overseas rates carry an explicit sign: "+1.44", "-0.52", " 0.00"."""
    text = _rate(part, whole)
    if text.startswith("-"):
        return text
    return ("+" if Decimal(text) else " ") + text


def _ymd(day: date) -> str:
    return day.strftime("%Y%m%d")


def _hms(moment: datetime | time) -> str:
    return moment.strftime("%H%M%S")


def _yn(flag: bool) -> str:
    return "Y" if flag else "N"


def _is_etf(inst: Instrument) -> bool:
    return inst.etf


def _sign(inst: Instrument, close: Decimal, prev: Decimal, *, limits: bool = False) -> str:
    """Sign code (§8.2) of `close` against `prev`; limit codes only for domestic daily bars."""
    # a limit is at least 29.8% away (±30% rounded inward by under one tick)
    if limits and inst.domestic and abs(close - prev) * 100 >= prev * 29:
        upper, lower = krx_price_limits(prev, etf=inst.etf)
        if close >= upper:
            return "1"
        if close <= lower:
            return "4"
    return "2" if close > prev else "5" if close < prev else "3"


_NOT_NUMBERS: Final = ("_date", "_dt", "_code", "_cd", "iscd", "_yn", "_month", "_cnnm", "_name")


def _blank_like(template: Row) -> Row:
    """An unknown symbol's answer (§8.3): numbers "0"; codes, dates and text blank."""

    def blank(key: str, value: str) -> str:
        digits = value.strip().lstrip("+-").replace(".", "", 1)
        return "0" if digits.isdigit() and not key.endswith(_NOT_NUMBERS) else ""

    return {key: blank(key, value) for key, value in template.items()}


def _reference(ex: Exchange, domestic: bool) -> Instrument:
    inst = ex.instrument(REFERENCE_DOMESTIC if domestic else REFERENCE_OVERSEAS)
    assert inst is not None
    return inst


# ---------------------------------------------------------------------------- request inputs


def _bad(name: str) -> SimReject:
    return Rejects.bad_field(name.upper())


def _date_param(call: Call, name: str, default: date) -> date:
    return _parse_date(call.get(name).strip(), name, default)


def _parse_date(text: str, name: str, default: date) -> date:
    """A YYYYMMDD input; blank gives `default`, year 0 ("00000101") the earliest date."""
    if not text:
        return default
    if len(text) != 8 or not text.isdigit():
        raise _bad(name)
    if int(text[:4]) == 0:
        return date.min
    try:
        return datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise _bad(name) from None


def _hour_param(call: Call, name: str, cap: str) -> str:
    """An HHMMSS input, at most `cap` (a future time means now); blank or "000000" mean `cap`
    (python-kis sends "000000" for "the latest bars")."""
    text = call.get(name).strip()
    if text in ("", "000000"):
        return cap
    if len(text) != 6 or not text.isdigit():
        raise _bad(name)
    return min(text, cap)


def _int_param(call: Call, name: str, default: int, top: int) -> int:
    """A positive integer input, at most `top`."""
    text = call.get(name).strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise _bad(name)
    return min(int(text), top)


def _choice(call: Call, name: str, allowed: Iterable[str], default: str | None = None) -> str:
    text = call.get(name).strip().upper()
    if not text and default is not None:
        return default
    if text not in allowed:
        raise _bad(name)
    return text


def _domestic(call: Call) -> Instrument | None:
    """The domestic instrument asked for, or None (unknown answers per §8.3)."""
    if call.need("FID_COND_MRKT_DIV_CODE").upper() not in _MARKETS:
        raise _bad("FID_COND_MRKT_DIV_CODE")
    inst = call.exchange.instrument(call.need("FID_INPUT_ISCD"))
    return inst if inst is not None and inst.domestic else None


def _overseas(call: Call) -> Instrument | None:
    """The US instrument asked for; an EXCD of another exchange finds nothing."""
    excd = call.need("EXCD").upper()
    if excd not in _EXCD and excd not in _EMPTY_EXCD:
        raise _bad("EXCD")
    inst = call.exchange.instrument(call.need("SYMB"))
    if inst is None or inst.domestic or inst.venue.quote_code != _EXCD.get(excd):
        return None
    return inst


def _rsym(call: Call, inst: Instrument) -> str:
    excd = call.get("EXCD").strip().upper()
    return ("R" if excd.startswith("BA") else "D") + excd + inst.symbol


# ------------------------------------------------------------------------- continuations

_RESUME: WeakKeyDictionary[Exchange, dict[tuple[str, ...], str]] = WeakKeyDictionary()


def _resume_key(call: Call) -> tuple[str, ...]:
    params = sorted(f"{k}={v}" for k, v in call.params.items())
    return (call.env, call.appkey, call.tr_id, *params)


def _cursor(call: Call, name: str) -> str:
    """The cursor input `name`; on `tr_cont: N` repeating the last request unchanged, the
    point where that request stopped (clients that only flip `tr_cont`, like OTA's loops)."""
    if call.tr_cont.upper() == "N":
        saved = _RESUME.get(call.exchange, {}).get(_resume_key(call))
        if saved is not None:
            return saved
    return call.get(name).strip()


def _leave_off(call: Call, cursor: str | None) -> str:
    """Remember where this request stopped; the `tr_cont` header (M more, D last)."""
    store = _RESUME.setdefault(call.exchange, {})
    key = _resume_key(call)
    if cursor is None:
        store.pop(key, None)
        return "D"
    if len(store) >= 1024:
        del store[next(iter(store))]
    store[key] = cursor
    return "M"


# ------------------------------------------------------------------------------- caches


class _Memo(Generic[V]):
    """A small bounded cache for values derived from deterministic history."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._data: dict[Hashable, V] = {}

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        found = self._data.get(key)
        if found is None:
            found = make()
            if len(self._data) >= self._size:
                del self._data[next(iter(self._data))]
            self._data[key] = found
        return found


@dataclass(frozen=True, slots=True)
class _Profile:
    """Made-up but stable fundamentals of one instrument."""

    eps: Decimal
    bps: Decimal
    par: int
    foreign_rate: Decimal
    loan_rate: Decimal
    listed: date


@lru_cache(maxsize=256)
def _profile(seed: int, inst: Instrument) -> _Profile:
    rng = random.Random(f"{seed}:{inst.symbol}:profile")
    per = Decimal(rng.randint(600, 4000)) / 100
    pbr = Decimal(rng.randint(40, 400)) / 100
    unit = Decimal("0.01") if not inst.domestic else Decimal(1)
    fund = _is_etf(inst)
    eps = (
        Decimal(0) if fund else (inst.reference_price / per).quantize(unit, rounding=ROUND_HALF_UP)
    )
    bps = (
        Decimal(0) if fund else (inst.reference_price / pbr).quantize(unit, rounding=ROUND_HALF_UP)
    )
    par = 0 if fund or not inst.domestic else rng.choice((100, 500, 1000, 5000))
    return _Profile(
        eps=eps,
        bps=bps,
        par=par,
        foreign_rate=Decimal(rng.randint(500, 6000)) / 100,
        loan_rate=Decimal(rng.randint(1, 300)) / 100,
        listed=date(rng.randint(1976, 2016), rng.randint(1, 12), rng.randint(1, 28)),
    )


# ------------------------------------------------------------------------------ bar series


def _period_key(day: date, period: str) -> tuple[int, int]:
    if period == "W":
        iso = day.isocalendar()
        return (iso.year, iso.week)
    if period == "M":
        return (day.year, day.month)
    if period == "Y":
        return (day.year, 0)
    return (day.toordinal(), 0)


def _merge(first: Bar, then: Bar) -> Bar:
    return Bar(
        first.start,
        first.open,
        max(first.high, then.high),
        min(first.low, then.low),
        then.close,
        first.volume + then.volume,
        first.turnover + then.turnover,
    )


def _aggregate(bars: Iterable[Bar], period: str) -> tuple[Bar, ...]:
    """Daily bars into periods dated by their first bar (D: unchanged)."""
    out: list[Bar] = []
    last: tuple[int, int] | None = None
    for bar in bars:
        key = _period_key(bar.start.date(), period)
        if out and key == last:
            out[-1] = _merge(out[-1], bar)
        else:
            out.append(bar)
        last = key
    return tuple(out)


@dataclass(frozen=True, slots=True)
class _Series:
    """Bars oldest first, the live period last; `key` names the completed part."""

    key: tuple[Hashable, ...]
    bars: tuple[Bar, ...]
    days: tuple[int, ...]

    def index(self, day: date) -> int:
        """The first bar dated on or after `day`."""
        return bisect_left(self.days, day.toordinal())

    def upto(self, day: date) -> int:
        """How many bars are dated on or before `day`."""
        return bisect_right(self.days, day.toordinal())

    def prev_close(self, i: int) -> Decimal:
        return self.bars[i - 1].close if i > 0 else self.bars[i].open

    def previous(self) -> Bar:
        """The bar before the live one (the live one when there is none)."""
        return self.bars[-2] if len(self.bars) > 1 else self.bars[-1]

    def newest_first(self, first: date, last: date, limit: int) -> range:
        """Indices of at most `limit` bars dated in [first, last], newest first."""
        hi = self.upto(last)
        return range(hi - 1, max(self.index(first), hi - limit) - 1, -1)


_BASES: _Memo[tuple[tuple[Bar, ...], tuple[int, ...]]] = _Memo(512)


def _series(ex: Exchange, inst: Instrument, period: str = "D") -> _Series:
    raw = ex.daily_bars(inst.symbol)
    live = raw[-1]
    today = live.start.date()
    end = len(raw) - 1
    while end and raw[end - 1].start.date() >= today:  # history must stop before today
        end -= 1
    key = (ex.settings.seed, inst.symbol, period, end, raw[0].start, raw[end - 1].start)

    def build() -> tuple[tuple[Bar, ...], tuple[int, ...]]:
        bars = _aggregate(raw[:end], period)
        return bars, tuple(b.start.toordinal() for b in bars)

    bars, days = _BASES.get(key, build)
    if bars and _period_key(bars[-1].start.date(), period) == _period_key(today, period):
        return _Series(key, (*bars[:-1], _merge(bars[-1], live)), days)
    return _Series(key, (*bars, live), (*days, live.start.toordinal()))


class _Range(NamedTuple):
    high: Decimal
    high_day: date
    low: Decimal
    low_day: date


_RANGES: _Memo[_Range] = _Memo(1024)


def _range_since(series: _Series, first: int) -> _Range:
    """Highest high and lowest low of the daily series from bar `first` to today."""
    first = max(0, first)

    def completed() -> _Range:
        done = series.bars[first:-1] or series.bars[-1:]
        top = max(done, key=lambda b: b.high)
        bottom = min(done, key=lambda b: b.low)
        return _Range(top.high, top.start.date(), bottom.low, bottom.start.date())

    found = _RANGES.get((series.key, first), completed)
    live = series.bars[-1]
    if live.high > found.high:
        found = found._replace(high=live.high, high_day=live.start.date())
    if live.low < found.low:
        found = found._replace(low=live.low, low_day=live.start.date())
    return found


_ROWS: _Memo[Row] = _Memo(16_384)


def _rows(
    series: _Series, picked: Iterable[int], shape: str, make: Callable[[int], Row]
) -> list[Row]:
    """`make(i)` for each picked bar; rows of completed bars never change, so they are kept."""
    live = len(series.bars) - 1
    return [
        make(i) if i == live else _ROWS.get((series.key, shape, i), partial(make, i))
        for i in picked
    ]


# ------------------------------------------------------------------------- minute bars


def _session(inst: Instrument, day: date) -> tuple[datetime, ...]:
    """Regular-session minutes: KRX 09:00-15:19 plus the 15:30 close; US 09:30-15:59."""
    zone = local_zone(inst)
    spans = ((time(9, 0), 380), (time(15, 30), 1)) if inst.domestic else ((time(9, 30), 390),)
    minutes: list[datetime] = []
    for start, count in spans:
        first = datetime.combine(day, start, tzinfo=zone)
        minutes.extend(first + timedelta(minutes=i) for i in range(count))
    return tuple(minutes)


def _bridge(rng: random.Random, count: int, start: int, end: int, top: int) -> list[int]:
    """Ladder indices of `count` closes from `start` to `end`, touching `top` and 0 once."""
    t_high, t_low = rng.sample(range(count - 1), 2)
    goals = sorted(((t_high, top), (t_low, 0), (count - 1, end)))
    sigma = max(1.0, top / 30)
    closes: list[int] = []
    cur = start
    for t, goal in goals:
        while len(closes) <= t:
            left = t - len(closes) + 1
            if left == 1:
                cur = goal
            else:
                drift = (goal - cur) / left + rng.gauss(0.0, sigma)
                cur = min(top, max(0, cur + round(drift)))
            closes.append(cur)
    return closes


@lru_cache(maxsize=128)
def _past_minutes(seed: int, inst: Instrument, day: Bar) -> tuple[Bar, ...]:
    """A past session's minute bars, consistent with its daily bar and the same every time."""
    minutes = _session(inst, day.start.date())
    rng = random.Random(f"{seed}:{inst.symbol}:{day.start.date().isoformat()}:minutes")
    ladder = [day.low]
    while ladder[-1] < day.high:
        ladder.append(step_price(inst, ladder[-1], 1))
    top = len(ladder) - 1

    def at(price: Decimal) -> int:
        return min(bisect_left(ladder, price), top)

    closes = _bridge(rng, len(minutes), at(day.open), at(day.close), top)
    weights = [rng.uniform(0.4, 1.6) for _ in minutes]
    total = sum(weights)
    volumes = [int(day.volume * w / total) for w in weights]
    volumes[-1] += day.volume - sum(volumes)
    shape: list[tuple[int, int, int, int]] = []  # ladder indices: open, high, low, close
    prev = at(day.open)
    for close in closes:
        high = min(top, max(prev, close) + rng.choice((0, 0, 1)))
        low = max(0, min(prev, close) - rng.choice((0, 0, 1)))
        shape.append((prev, high, low, close))
        prev = close
    # turnover at each bar's mid price, scaled so the day's total is exact
    raw = [
        (ladder[h] + ladder[lo]) / 2 * v for (_, h, lo, _), v in zip(shape, volumes, strict=True)
    ]
    total_raw = sum(raw, Decimal(0))
    scale = day.turnover / total_raw if total_raw else Decimal(0)
    paid = [(r * scale).to_integral_value(rounding=ROUND_DOWN) for r in raw]
    paid[-1] += day.turnover - sum(paid)
    return tuple(
        Bar(minute, ladder[o], ladder[h], ladder[lo], ladder[c], volume, turnover)
        for minute, (o, h, lo, c), volume, turnover in zip(
            minutes, shape, volumes, paid, strict=True
        )
    )


def _today_minutes(ex: Exchange, state: PriceState) -> list[Bar]:
    today = ex.clock.now().astimezone(local_zone(state.inst)).date()
    return [b for b in state.minutes if b.start.date() == today]


def _day_minutes(ex: Exchange, inst: Instrument, day: date) -> Sequence[Bar]:
    """Minute bars of a local date: live today, generated for a past trading day."""
    state = ex.state(inst.symbol)
    if day == ex.clock.now().astimezone(local_zone(inst)).date():
        return _today_minutes(ex, state)
    series = _series(ex, inst)
    i = series.index(day)
    if i >= len(series.bars) - 1 or series.days[i] != day.toordinal():
        return ()
    return _past_minutes(ex.settings.seed, inst, series.bars[i])


def _bucket(bars: Sequence[Bar], minutes: int) -> list[Bar]:
    """Minute bars into `minutes`-minute bars, aligned on the clock."""
    if minutes == 1:
        return list(bars)
    out: list[Bar] = []
    last: tuple[date, int] | None = None
    for bar in bars:
        key = (bar.start.date(), (bar.start.hour * 60 + bar.start.minute) // minutes)
        if out and key == last:
            out[-1] = _merge(out[-1], bar)
        else:
            start = bar.start.replace(hour=key[1] * minutes // 60, minute=key[1] * minutes % 60)
            out.append(Bar(start, bar.open, bar.high, bar.low, bar.close, bar.volume, bar.turnover))
        last = key
    return out


# --------------------------------------------------------------------- domestic field groups


def _change(state: PriceState) -> Row:
    return {
        "prdy_vrss": _num(state.change),
        "prdy_vrss_sign": state.sign,
        "prdy_ctrt": _num(state.change_rate, 2),
    }


def _ohlc(state: PriceState) -> Row:
    return {
        "stck_oprc": _num(state.open),
        "stck_hgpr": _num(state.high),
        "stck_lwpr": _num(state.low),
    }


def _brief(inst: Instrument, state: PriceState) -> Row:
    """output1 of the minute charts (and the start of the period chart's)."""
    return {
        **_change(state),
        "stck_prdy_clpr": _num(state.prev_close),
        "acml_vol": str(state.volume),
        "acml_tr_pbmn": _num(state.turnover),
        "hts_kor_isnm": inst.name_kr,
        "stck_prpr": _num(state.last),
    }


def _capital(inst: Instrument, state: PriceState, prof: _Profile) -> Row:
    """Share count, par, capital and market cap (both in 억원), ratios."""
    per = _num(state.last / prof.eps, 2) if prof.eps else "0.00"
    pbr = _num(state.last / prof.bps, 2) if prof.bps else "0.00"
    return {
        "vol_tnrt": _rate(state.volume, inst.listed_shares),
        "stck_fcam": str(prof.par),
        "lstn_stcn": str(inst.listed_shares),
        "cpfn": str(inst.listed_shares * prof.par // 100_000_000),
        "hts_avls": _num(state.last * inst.listed_shares / 100_000_000),
        "per": per,
        "eps": _num(prof.eps, 2),
        "pbr": pbr,
    }


def _substitute(state: PriceState) -> str:
    """대용가: 80% of the base price."""
    return _num((state.prev_close * Decimal("0.8")).to_integral_value(rounding=ROUND_DOWN))


def _market_name(inst: Instrument) -> str:
    if inst.etf:
        return "ETF"
    return "KOSPI200" if inst.venue is Venue.KOSPI else "KOSDAQ"


def _range_fields(prefix: str, span: _Range, last: Decimal, tail: str) -> Row:
    """`<prefix>hgpr`, its date and `last` against it; the same for the low."""
    short = prefix.removeprefix("stck_")
    row: Row = {}
    for side, price, day in (("hgpr", span.high, span.high_day), ("lwpr", span.low, span.low_day)):
        row[f"{prefix}{side}"] = _num(price)
        row[f"{short}{side}_date"] = _ymd(day)
        row[f"{short}{side}_vrss_prpr_{tail}"] = _rate(last - price, price)
    return row


def _price_output(ex: Exchange, inst: Instrument) -> Row:
    """FHKST01010100 `output`: the 82 fields of 주식현재가 시세."""
    st = ex.state(inst.symbol)
    prof = _profile(ex.settings.seed, inst)
    daily = _series(ex, inst)
    today = daily.bars[-1].start.date()
    prev = daily.previous()
    d250 = _range_since(daily, len(daily.bars) - 250)
    dryy = _range_since(daily, daily.index(today.replace(month=1, day=1)))
    w52 = _range_since(daily, daily.index(today - timedelta(days=364)))
    pivot = (prev.high + prev.low + prev.close) / 3
    spread = prev.high - prev.low
    demark = (prev.high + prev.low + 2 * prev.close) / 2
    rich = inst.venue is Venue.KOSPI and not inst.etf
    foreign = (inst.listed_shares * prof.foreign_rate / 100).to_integral_value(rounding=ROUND_DOWN)
    net = (st.buy_volume - st.sell_volume) // 3
    capital = _capital(inst, st, prof)
    return {
        "iscd_stat_cls_code": "55",
        "marg_rate": "20.00" if rich else "40.00",
        "rprs_mrkt_kor_name": _market_name(inst),
        "new_hgpr_lwpr_cls_code": "",
        "bstp_kor_isnm": inst.sector,
        "temp_stop_yn": _yn(st.halted),
        "oprc_rang_cont_yn": "N",
        "clpr_rang_cont_yn": "N",
        "crdt_able_yn": "Y",
        "grmn_rate_cls_code": "40",
        "elw_pblc_yn": _yn(rich),
        "stck_prpr": _num(st.last),
        **_change(st),
        "acml_tr_pbmn": _num(st.turnover),
        "acml_vol": str(st.volume),
        "prdy_vrss_vol_rate": _rate(st.volume, st.prev_volume),
        **_ohlc(st),
        "stck_mxpr": _num(st.upper),
        "stck_llam": _num(st.lower),
        "stck_sdpr": _num(st.prev_close),
        "wghn_avrg_stck_prc": _num(st.vwap, 2),
        "hts_frgn_ehrt": _num(prof.foreign_rate, 2),
        "frgn_ntby_qty": str(net),
        "pgtr_ntby_qty": str(net * 2),
        "pvt_scnd_dmrs_prc": _num(pivot + spread),
        "pvt_frst_dmrs_prc": _num(2 * pivot - prev.low),
        "pvt_pont_val": _num(pivot),
        "pvt_frst_dmsp_prc": _num(2 * pivot - prev.high),
        "pvt_scnd_dmsp_prc": _num(pivot - spread),
        "dmrs_val": _num(demark - prev.low),
        "dmsp_val": _num(demark - prev.high),
        "cpfn": capital["cpfn"],
        "rstc_wdth_prc": _num(st.upper - st.prev_close),
        "stck_fcam": capital["stck_fcam"],
        "stck_sspr": _substitute(st),
        "aspr_unit": _num(st.tick),
        "hts_deal_qty_unit_val": "1",
        "lstn_stcn": capital["lstn_stcn"],
        "hts_avls": capital["hts_avls"],
        "per": capital["per"],
        "pbr": capital["pbr"],
        "stac_month": "12",
        "vol_tnrt": capital["vol_tnrt"],
        "eps": capital["eps"],
        "bps": _num(prof.bps, 2),
        **_range_fields("d250_", d250, st.last, "rate"),
        **_range_fields("stck_dryy_", dryy, st.last, "rate"),
        **_range_fields("w52_", w52, st.last, "ctrt"),
        "whol_loan_rmnd_rate": _num(prof.loan_rate, 2),
        "ssts_yn": "Y",
        "stck_shrn_iscd": inst.symbol,
        "fcam_cnnm": capital["stck_fcam"],
        "cpfn_cnnm": f"{int(capital['cpfn']):,} 억",
        "apprch_rate": _rate(st.last - w52.low, w52.high - w52.low),
        "frgn_hldn_qty": str(foreign),
        "vi_cls_code": "N",
        "ovtm_vi_cls_code": "N",
        "last_ssts_cntg_qty": str(st.sell_volume // 400),
        "invt_caful_yn": "N",
        "mrkt_warn_cls_code": "00",
        "short_over_yn": "N",
        "sltr_yn": "N",
        "mang_issu_cls_code": "N",
    }


def _answer(
    call: Call, inst: Instrument | None, build: Callable[[Instrument], Reply], *, domestic: bool
) -> Reply:
    """`build(inst)`; for an unknown symbol the reference instrument's answer, blanked the
    way KIS answers unknown codes (§8.3: domestic numbers "0", overseas fields "")."""
    if inst is not None:
        return build(inst)
    payload = build(_reference(call.exchange, domestic)).payload
    blank: dict[str, Any] = {}
    for key, value in payload.items():
        if isinstance(value, list):
            blank[key] = []
        elif isinstance(value, dict):
            blank[key] = _blank_like(value) if domestic else dict.fromkeys(value, "")
        else:
            blank[key] = value
    return Reply(blank)


# ---------------------------------------------------------------------- domestic handlers


def _inquire_price(call: Call) -> Reply:
    inst = _domestic(call)
    return _answer(
        call, inst, lambda i: Reply({"output": _price_output(call.exchange, i)}), domestic=True
    )


def _bar_fields(inst: Instrument, series: _Series, i: int, *, limits: bool) -> Row:
    """Date, OHLC, volume and change of bar `i` (domestic period rows)."""
    bar = series.bars[i]
    prev = series.prev_close(i)
    return {
        "stck_bsop_date": _ymd(bar.start.date()),
        "stck_clpr": _num(bar.close),
        "stck_oprc": _num(bar.open),
        "stck_hgpr": _num(bar.high),
        "stck_lwpr": _num(bar.low),
        "acml_vol": str(bar.volume),
        "prdy_vrss": _num(bar.close - prev),
        "prdy_vrss_sign": _sign(inst, bar.close, prev, limits=limits),
    }


def _chart_head(ex: Exchange, inst: Instrument) -> Row:
    """FHKST03010100 `output1`."""
    st = ex.state(inst.symbol)
    prev = _series(ex, inst).previous()
    book = ex.book(inst.symbol)
    loan = _num(_profile(ex.settings.seed, inst).loan_rate, 2)
    return {
        **_brief(inst, st),
        "stck_shrn_iscd": inst.symbol,
        "prdy_vol": str(st.prev_volume),
        "stck_mxpr": _num(st.upper),
        "stck_llam": _num(st.lower),
        **_ohlc(st),
        "stck_prdy_oprc": _num(prev.open),
        "stck_prdy_hgpr": _num(prev.high),
        "stck_prdy_lwpr": _num(prev.low),
        "askp": _num(book.asks[0].price),
        "bidp": _num(book.bids[0].price),
        "prdy_vrss_vol": str(st.volume - st.prev_volume),
        **_capital(inst, st, _profile(ex.settings.seed, inst)),
        "itewhol_loan_rmnd_ratem": loan,
        "itewhol_loan_rmnd_ratem name": loan,  # sic: both spellings are seen
    }


def _period_chart(call: Call) -> Reply:
    """FHKST03010100: up to 100 D/W/M/Y bars in [DATE_1, DATE_2], newest first."""
    inst = _domestic(call)
    period = _choice(call, "FID_PERIOD_DIV_CODE", ("D", "W", "M", "Y"))
    _choice(call, "FID_ORG_ADJ_PRC", ("0", "1"), default="0")  # no corporate actions
    ex = call.exchange
    first = _date_param(call, "FID_INPUT_DATE_1", date.min)
    last = _date_param(call, "FID_INPUT_DATE_2", ex.clock.now().date())

    def build(inst: Instrument) -> Reply:
        series = _series(ex, inst, period)

        def row(i: int) -> Row:
            return {
                **_bar_fields(inst, series, i, limits=period == "D"),
                "acml_tr_pbmn": _num(series.bars[i].turnover),
                "flng_cls_code": "00",
                "prtt_rate": "0.00",
                "mod_yn": "N",
                "revl_issu_reas": "",
            }

        rows = _rows(series, series.newest_first(first, last, CHART_ROWS), "chart", row)
        return Reply({"output1": _chart_head(ex, inst), "output2": rows})

    return _answer(call, inst, build, domestic=True)


def _recent_days(call: Call) -> Reply:
    """FHKST01010400: the last 30 days, weeks or months."""
    inst = _domestic(call)
    period = _choice(call, "FID_PERIOD_DIV_CODE", ("D", "W", "M"))
    _choice(call, "FID_ORG_ADJ_PRC", ("0", "1"), default="0")
    ex = call.exchange

    def row(inst: Instrument, series: _Series, i: int) -> Row:
        bar = series.bars[i]
        prev = series.prev_close(i)
        prev_volume = series.bars[i - 1].volume if i else bar.volume
        return {
            **_bar_fields(inst, series, i, limits=period == "D"),
            "prdy_vrss_vol_rate": _rate(bar.volume - prev_volume, prev_volume),
            "prdy_ctrt": _rate(bar.close - prev, prev),
            "hts_frgn_ehrt": _num(_profile(ex.settings.seed, inst).foreign_rate, 2),
            "frgn_ntby_qty": str(int((bar.close - bar.open) * bar.volume / bar.open / 5)),
            "flng_cls_code": "00",
            "acml_prtt_rate": "0.00",
        }

    def build(inst: Instrument) -> Reply:
        series = _series(ex, inst, period)
        picked = series.newest_first(date.min, date.max, RECENT_ROWS)
        return Reply({"output": _rows(series, picked, "recent", partial(row, inst, series))})

    return _answer(call, inst, build, domestic=True)


def _minute_rows(bars: Sequence[Bar], hour: str, limit: int) -> list[Row]:
    """Up to `limit` bars at or before `hour`, newest first; turnover is cumulative."""
    hi = bisect_right(bars, hour, key=lambda b: _hms(b.start))
    paid = list(accumulate(b.turnover for b in bars[:hi]))
    return [
        {
            "stck_bsop_date": _ymd(bars[i].start.date()),
            "stck_cntg_hour": _hms(bars[i].start),
            "stck_prpr": _num(bars[i].close),
            "stck_oprc": _num(bars[i].open),
            "stck_hgpr": _num(bars[i].high),
            "stck_lwpr": _num(bars[i].low),
            "cntg_vol": str(bars[i].volume),
            "acml_tr_pbmn": _num(paid[i]),
        }
        for i in range(hi - 1, max(0, hi - limit) - 1, -1)
    ]


def _today_chart(call: Call) -> Reply:
    """FHKST03010200: today's minute bars, 30 at or before FID_INPUT_HOUR_1."""
    inst = _domestic(call)
    ex = call.exchange
    hour = _hour_param(call, "FID_INPUT_HOUR_1", _hms(ex.clock.now()))

    def build(inst: Instrument) -> Reply:
        st = ex.state(inst.symbol)
        rows = _minute_rows(_today_minutes(ex, st), hour, TODAY_MINUTES)
        return Reply({"output1": _brief(inst, st), "output2": rows})

    return _answer(call, inst, build, domestic=True)


def _day_chart(call: Call) -> Reply:
    """FHKST03010230: one day's minute bars, 120 at or before FID_INPUT_HOUR_1."""
    inst = _domestic(call)
    ex = call.exchange
    now = ex.clock.now()
    day = _parse_date(call.need("FID_INPUT_DATE_1"), "FID_INPUT_DATE_1", now.date())
    hour = _hour_param(call, "FID_INPUT_HOUR_1", _hms(now) if day == now.date() else "235959")

    def build(inst: Instrument) -> Reply:
        rows = _minute_rows(_day_minutes(ex, inst, day), hour, PAST_MINUTES)
        return Reply({"output1": _brief(inst, ex.state(inst.symbol)), "output2": rows})

    return _answer(call, inst, build, domestic=True)


def _depth(
    levels: Sequence[BookLevel], price: str, qty: str, delta: str, fmt: Callable[[Decimal], str]
) -> Row:
    """`<price>1..10`, `<qty>1..10` and `<delta>1..10` (changes: always "0")."""
    row: Row = {}
    for n, level in enumerate(levels, 1):
        row[f"{price}{n}"] = fmt(level.price)
        row[f"{qty}{n}"] = str(level.qty)
        row[f"{delta}{n}"] = "0"
    return row


def _asking_price(call: Call) -> Reply:
    """FHKST01010200: the 10-level book (askp1 = best ask) and the expected execution."""
    inst = _domestic(call)
    ex = call.exchange

    def build(inst: Instrument) -> Reply:
        st = ex.state(inst.symbol)
        book = ex.book(inst.symbol)
        asks = sum(level.qty for level in book.asks)
        bids = sum(level.qty for level in book.bids)
        book_side: Row = {
            "aspr_acpt_hour": _hms(book.time.astimezone(KST)),
            **_depth(book.asks, "askp", "askp_rsqn", "askp_rsqn_icdc", _num),
            **_depth(book.bids, "bidp", "bidp_rsqn", "bidp_rsqn_icdc", _num),
            "total_askp_rsqn": str(asks),
            "total_bidp_rsqn": str(bids),
            **dict.fromkeys(_BOOK_ZEROES, "0"),
            "ntby_aspr_rsqn": str(bids - asks),
            "new_mkop_cls_code": "20",
        }
        expected: Row = {
            "antc_mkop_cls_code": "112",
            "stck_prpr": _num(st.last),
            **_ohlc(st),
            "stck_sdpr": _num(st.prev_close),
            "antc_cnpr": _num(st.last),
            "antc_cntg_vrss_sign": st.sign,
            "antc_cntg_vrss": _num(st.change),
            "antc_cntg_prdy_ctrt": _num(st.change_rate, 2),
            "antc_vol": str(min(book.asks[0].qty, book.bids[0].qty)),
            "stck_shrn_iscd": inst.symbol,
            "vi_cls_code": "N",
        }
        return Reply({"output1": book_side, "output2": expected})

    return _answer(call, inst, build, domestic=True)


# ------------------------------------------------------------------ product info, calendars


def _names(inst: Instrument) -> Row:
    return {
        "prdt_name": inst.name_kr,
        "prdt_name120": inst.name_kr,
        "prdt_abrv_name": inst.name_kr,
        "prdt_eng_name": inst.name_en,
        "prdt_eng_name120": inst.name_en,
        "prdt_eng_abrv_name": inst.name_en,
    }


def _classify(inst: Instrument) -> tuple[str, str]:
    """(prdt_clsf_cd, prdt_clsf_name): sim codes."""
    if not inst.domestic:
        return ("200020", "ETF") if _is_etf(inst) else ("200010", "주식")
    return ("101820", "ETF") if inst.etf else ("101210", "주권")


def _product(call: Call, allowed: Collection[str]) -> Instrument:
    """The instrument of PDNO whose PRDT_TYPE_CD is one of `allowed`, or rt_cd 7."""
    pdno = call.need("PDNO")
    kind = call.need("PRDT_TYPE_CD")
    if kind not in _PRODUCT_TYPES:
        raise _bad("PRDT_TYPE_CD")
    inst = call.exchange.instrument(pdno)
    if inst is None or kind not in allowed or inst.venue.product_type != kind:
        raise NOT_FOUND
    return inst


def _search_info(call: Call) -> Reply:
    """CTPF1604R 상품기본조회: domestic (300) and US (512/513/529) products."""
    inst = _product(call, _PRODUCT_TYPES)
    code, name = _classify(inst)
    listed = _ymd(_profile(call.exchange.settings.seed, inst).listed)
    return Reply(
        {
            "output": {
                "pdno": inst.symbol,
                "prdt_type_cd": inst.venue.product_type,
                **_names(inst),
                "std_pdno": inst.isin,
                "shtn_pdno": inst.symbol,
                "prdt_sale_stat_cd": "",
                "prdt_risk_grad_cd": "",
                "prdt_clsf_cd": code,
                "prdt_clsf_name": name,
                "sale_strt_dt": "",
                "sale_end_dt": "",
                "wrap_asst_type_cd": "",
                "ivst_prdt_type_cd": "",
                "ivst_prdt_type_cd_name": "",
                "frst_erlm_dt": listed,
            }
        }
    )


def _code(text: str, width: int) -> str:
    """A stable made-up numeric code for a name."""
    rng = random.Random(f"code:{text}")
    return str(rng.randrange(10**width)).zfill(width)


_STOCK_INFO_BLANK: Final = (
    "scts_mket_lstg_abol_dt",
    "kosdaq_mket_lstg_abol_dt",
    "frbd_mket_lstg_dt",
    "frbd_mket_lstg_abol_dt",
    "reits_kind_cd",
    "idx_bztp_scls_cd",
    "idx_bztp_scls_cd_name",
    "mfnd_opng_dt",
    "mfnd_end_dt",
    "dpsi_erlm_cncl_dt",
    "etf_txtn_type_cd",
    "etf_type_cd",
    "lstg_abol_dt",
    "nwst_odst_dvsn_cd",
    "ocr_no",
    "issu_istt_cd",
    "stln_int_rt_dvsn_cd",
    "lstg_rqsr_issu_istt_cd",
    "lstg_rqsr_item_cd",
    "trst_istt_issu_istt_cd",
)


def _search_stock_info(call: Call) -> Reply:
    """CTPF1002R 주식기본조회 (domestic stocks and ETFs only)."""
    inst = _product(call, ("300",))
    ex = call.exchange
    st = ex.state(inst.symbol)
    prof = _profile(ex.settings.seed, inst)
    kospi = inst.venue is Venue.KOSPI
    listed = _ymd(prof.listed)
    today = _ymd(ex.clock.now().date())
    capital = str(inst.listed_shares * prof.par)
    return Reply(
        {
            "output": {
                "pdno": inst.symbol,
                "prdt_type_cd": "300",
                **_names(inst),
                "mket_id_cd": "STK" if kospi else "KSQ",
                "scty_grp_id_cd": "EF" if inst.etf else "ST",
                "excg_dvsn_cd": "02" if kospi else "03",
                "setl_mmdd": "1231",
                "lstg_stqt": str(inst.listed_shares),
                "lstg_cptl_amt": capital,
                "cpta": capital,
                "papr": str(prof.par),
                "issu_pric": str(prof.par),
                "kospi200_item_yn": _yn(kospi and not inst.etf),
                "scts_mket_lstg_dt": listed if kospi else "",
                "kosdaq_mket_lstg_dt": "" if kospi else listed,
                "etf_dvsn_cd": "1" if inst.etf else "0",
                "oilf_fund_yn": "N",
                "idx_bztp_lcls_cd": "001" if kospi else "002",
                "idx_bztp_lcls_cd_name": "KOSPI" if kospi else "KOSDAQ",
                "idx_bztp_mcls_cd": _code(inst.sector, 3),
                "idx_bztp_mcls_cd_name": inst.sector,
                "stck_kind_cd": "" if inst.etf else "101",
                "etf_cu_qty": "100000" if inst.etf else "0",
                "std_pdno": inst.isin,
                "dpsi_aptm_erlm_yn": "Y",
                "sbst_pric": _substitute(st),
                "thco_sbst_pric": _substitute(st),
                "thco_sbst_pric_chng_dt": today,
                "tr_stop_yn": _yn(st.halted),
                "admn_item_yn": "N",
                "thdt_clpr": _num(st.last),
                "bfdy_clpr": _num(st.prev_close),
                "clpr_chng_dt": today,
                "std_idst_clsf_cd": _code(inst.sector, 6),
                "std_idst_clsf_cd_name": inst.sector,
                "crfd_item_yn": "N",
                "elec_scty_yn": "Y",
                "etf_chas_erng_rt_dbnb": "0",
                "etf_etn_ivst_heed_item_yn": "N",
                "frnr_psnl_lmt_rt": "0.00",
                "cptt_trad_tr_psbl_yn": "Y",
                "nxt_tr_stop_yn": "N",
                **dict.fromkeys(_STOCK_INFO_BLANK, ""),
            }
        }
    )


@lru_cache(maxsize=16)
def _public_holidays(year: int) -> Any:
    return holidays.country_holidays("KR", years=year)


def _bank_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def _calendar_date(call: Call, name: str) -> tuple[str, date]:
    """A required calendar date (years 1900-2999) and its text."""
    asked = call.need(name)
    day = _parse_date(asked, name, date.min)
    if not 1900 <= day.year <= 2999:
        raise _bad(name)
    return asked, day


def _chk_holiday(call: Call) -> Reply:
    """CTCA0903R: 24 days from BASS_DT. 영업일/거래일 follow bank days (KR public holidays),
    개장일/결제일 the KRX calendar. As captured, `ctx_area_nk` is the page's last date and
    msg KIOK0500 ("continues"); `tr_cont: N` with that cursor gives a second, last page."""
    asked, start = _calendar_date(call, "BASS_DT")
    first = start
    resume = call.get("CTX_AREA_NK").strip()
    if call.tr_cont.upper() == "N" and resume:
        first = max(start, _parse_date(resume, "CTX_AREA_NK", start) + timedelta(days=1))
    end = start + timedelta(days=2 * HOLIDAY_PAGE - 1)
    days = [first + timedelta(days=n) for n in range(min(HOLIDAY_PAGE, (end - first).days + 1))]
    rows = [
        {
            "bass_dt": _ymd(day),
            "wday_dvsn_cd": f"{day.isoweekday() % 7 + 1:02d}",  # 01 Sunday .. 07 Saturday
            "bzdy_yn": _yn(_bank_day(day)),
            "tr_day_yn": _yn(_bank_day(day)),
            "opnd_yn": _yn(is_trading_day(True, day)),
            "sttl_day_yn": _yn(is_trading_day(True, day)),
        }
        for day in days
    ]
    more = bool(days) and days[-1] < end
    cursor = _ymd(days[-1]) if more else ""
    payload = {"ctx_area_nk": cursor.ljust(20), "ctx_area_fk": asked.ljust(20), "output": rows}
    if not more:
        return Reply(payload, tr_cont="D")
    text = "조회가 계속됩니다..다음버튼을 Click 하십시오."
    text += " " * (80 - len(text.encode("euc-kr")))  # KIS pads msg1 to 80 bytes
    return Reply(payload, tr_cont="M", msg_cd="KIOK0500", msg1=text)


def _next_day(day: date, ok: Callable[[date], bool]) -> date:
    day += timedelta(days=1)
    while not ok(day):
        day += timedelta(days=1)
    return day


def _countries_holiday(call: Call) -> Reply:
    """CTOS5011R: settlement dates of a trade on TRAD_DT, one row per market (US only here):
    T+1 locally (T+2 before 2024-05-28), then the next Korean bank day."""
    asked, trade = _calendar_date(call, "TRAD_DT")

    def us_open(day: date) -> bool:
        return is_trading_day(False, day)

    if not us_open(trade):
        trade = _next_day(trade, us_open)
    local = _next_day(trade, us_open)
    if trade < US_T_PLUS_ONE:
        local = _next_day(local, us_open)
    home = _next_day(local, _bank_day)
    rows = [
        {
            "prdt_type_cd": kind,
            "tr_natn_cd": "840",
            "tr_natn_name": "미국",
            "natn_eng_abrv_cd": "US",
            "tr_mket_cd": code,
            "tr_mket_name": name,
            "acpl_sttl_dt": _ymd(local),
            "dmst_sttl_dt": _ymd(home),
        }
        for kind, (_, code, name) in _US_MARKETS.items()
    ]
    payload = {"ctx_area_fk": asked.ljust(20), "ctx_area_nk": "".ljust(20), "output": rows}
    return Reply(payload, tr_cont="D", msg_cd="KIOK0460", msg1="조회 되었습니다.")  # as captured


# ---------------------------------------------------------------------- overseas handlers


def _us_today(ex: Exchange) -> date:
    return ex.clock.now().astimezone(NEW_YORK).date()


def _overseas_price(call: Call) -> Reply:
    """HHDFS00000300 현재체결가."""
    inst = _overseas(call)

    def build(inst: Instrument) -> Reply:
        st = call.exchange.state(inst.symbol)
        return Reply(
            {
                "output": {
                    "rsym": _rsym(call, inst),
                    "zdiv": "4",
                    "base": _usd(st.prev_close),
                    "pvol": str(st.prev_volume),
                    "last": _usd(st.last),
                    "sign": st.sign,
                    "diff": _usd(st.change),
                    "rate": _xrate(st.change, st.prev_close),
                    "tvol": str(st.volume),
                    "tamt": _num(st.turnover),
                    "ordy": "매수가능",
                }
            }
        )

    return _answer(call, inst, build, domestic=False)


def _krw(inst: Instrument, close: Decimal, prev: Decimal, fx: Decimal, tag: str) -> Row:
    """KRW-converted price, change (unsigned), rate ("+x.xx") and sign: `t_` today, `p_` prev."""
    sign_key = "t_xsgn" if tag == "t" else "p_xsng"  # sic
    return {
        f"{tag}_xprc": _num(close * fx),
        f"{tag}_xdif": _num(abs(close - prev) * fx),
        f"{tag}_xrat": _xrate(close - prev, prev),
        sign_key: _sign(inst, close, prev),
        f"{tag}_rate": _num(fx, 2),
    }


def _price_detail(call: Call) -> Reply:
    """HHDFS76200200 현재가상세."""
    inst = _overseas(call)
    ex = call.exchange

    def build(inst: Instrument) -> Reply:
        st = ex.state(inst.symbol)
        prof = _profile(ex.settings.seed, inst)
        daily = _series(ex, inst)
        w52 = _range_since(daily, daily.index(_us_today(ex) - timedelta(days=364)))
        prev = daily.previous()
        before = daily.prev_close(max(0, len(daily.bars) - 2))  # the close before `prev`
        fx = ex.settings.usd_krw
        return Reply(
            {
                "output": {
                    "rsym": _rsym(call, inst),
                    "pvol": str(st.prev_volume),
                    "open": _usd(st.open),
                    "high": _usd(st.high),
                    "low": _usd(st.low),
                    "last": _usd(st.last),
                    "base": _usd(st.prev_close),
                    "tomv": _num(
                        (st.last * inst.listed_shares).to_integral_value(rounding=ROUND_DOWN)
                    ),
                    "pamt": _num(prev.turnover),
                    "uplp": "0.0000",  # US: no daily limits (as KIS shows them)
                    "dnlp": "0.0000",
                    "h52p": _usd(w52.high),
                    "h52d": _ymd(w52.high_day),
                    "l52p": _usd(w52.low),
                    "l52d": _ymd(w52.low_day),
                    "perx": _num(st.last / prof.eps, 2) if prof.eps else "0.00",
                    "pbrx": _num(st.last / prof.bps, 2) if prof.bps else "0.00",
                    "epsx": _num(prof.eps, 2),
                    "bpsx": _num(prof.bps, 2),
                    "shar": str(inst.listed_shares),
                    "mcap": str(inst.listed_shares // 1000),
                    "curr": "USD",
                    "zdiv": "4",
                    "vnit": "1",
                    **_krw(inst, st.last, st.prev_close, fx, "t"),
                    **_krw(inst, st.prev_close, before, fx, "p"),
                    "e_ordyn": "매매 가능",
                    "e_hogau": _usd(st.tick),
                    "e_icod": inst.sector,
                    "e_parp": "0.0000",
                    "tvol": str(st.volume),
                    "tamt": _num(st.turnover),
                    "etyp_nm": "ETF" if _is_etf(inst) else "",
                }
            }
        )

    return _answer(call, inst, build, domestic=False)


def _overseas_daily(call: Call) -> Reply:
    """HHDFS76240000 기간별시세: 100 D/W/M bars up to BYMD, newest first; `tr_cont` M when
    older bars exist (ask again with BYMD moved back, or with `tr_cont: N`)."""
    inst = _overseas(call)
    period = {"0": "D", "1": "W", "2": "M"}[_choice(call, "GUBN", ("0", "1", "2"))]
    _choice(call, "MODP", ("0", "1"), default="0")
    ex = call.exchange

    def row(inst: Instrument, series: _Series, i: int) -> Row:
        bar = series.bars[i]
        prev = series.prev_close(i)
        return {
            "xymd": _ymd(bar.start.date()),
            "clos": _usd(bar.close),
            "sign": _sign(inst, bar.close, prev),
            "diff": _usd(bar.close - prev),
            "rate": _xrate(bar.close - prev, prev),
            "open": _usd(bar.open),
            "high": _usd(bar.high),
            "low": _usd(bar.low),
            "tvol": str(bar.volume),
            "tamt": _num(bar.turnover),
            "pbid": _usd(bar.close),
            "vbid": str(max(1, bar.volume // 20_000)),
            "pask": _usd(step_price(inst, bar.close, 1)),
            "vask": str(max(1, bar.volume // 30_000)),
        }

    def build(inst: Instrument) -> Reply:
        series = _series(ex, inst, period)
        until = _parse_date(_cursor(call, "BYMD"), "BYMD", _us_today(ex))
        picked = series.newest_first(date.min, until, CHART_ROWS)
        rows = _rows(series, picked, "dailyprice", partial(row, inst, series))
        oldest = picked[-1] if picked else 0
        more = _ymd(series.bars[oldest].start.date() - timedelta(days=1)) if oldest else None
        head = {"rsym": _rsym(call, inst), "zdiv": "4", "nrec": str(len(rows))}
        return Reply({"output1": head, "output2": rows}, tr_cont=_leave_off(call, more))

    return _answer(call, inst, build, domestic=False)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S")


def _overseas_minutes(call: Call) -> Reply:
    """HHDFS76950200 분봉조회: NMIN-minute bars (PINC 1 adds the previous session), NREC <= 120
    newest first; NEXT/KEYB (YYYYMMDDHHMMSS, exchange time) page backwards."""
    inst = _overseas(call)
    span = _int_param(call, "NMIN", 1, 60 * 24)
    with_prev = _choice(call, "PINC", ("0", "1"), default="0") == "1"
    limit = _int_param(call, "NREC", PAST_MINUTES, PAST_MINUTES)
    ex = call.exchange

    def build(inst: Instrument) -> Reply:
        today = _us_today(ex)
        minutes: list[Bar] = []
        if with_prev:
            daily = _series(ex, inst)
            if len(daily.bars) > 1:
                minutes.extend(_past_minutes(ex.settings.seed, inst, daily.previous()))
        minutes.extend(_today_minutes(ex, ex.state(inst.symbol)))
        key = _cursor(call, "KEYB")
        if key:
            if len(key) != 14 or not key.isdigit():
                raise _bad("KEYB")
            stop = datetime.strptime(key, "%Y%m%d%H%M%S").replace(tzinfo=NEW_YORK)
            minutes = [b for b in minutes if b.start <= stop]
        bars = _bucket(minutes, span)
        picked = bars[-limit:][::-1]
        more = len(bars) > len(picked)
        cursor = _stamp(picked[-1].start - timedelta(minutes=1)) if more else None
        session = [datetime.combine(today, t, tzinfo=NEW_YORK) for t in (time(9, 30), time(16))]
        head = {
            "rsym": _rsym(call, inst),
            "zdiv": "4",
            "stim": _hms(session[0]),
            "etim": _hms(session[1]),
            "sktm": _hms(session[0].astimezone(KST)),
            "ektm": _hms(session[1].astimezone(KST)),
            "next": "1" if more else "0",
            "more": "1" if more else "0",
            "nrec": str(len(picked)),
        }
        rows = [
            {
                "tymd": _ymd(bar.start.date()),
                "xymd": _ymd(bar.start.date()),
                "xhms": _hms(bar.start),
                "kymd": _ymd(bar.start.astimezone(KST).date()),
                "khms": _hms(bar.start.astimezone(KST)),
                "open": _usd(bar.open),
                "high": _usd(bar.high),
                "low": _usd(bar.low),
                "last": _usd(bar.close),
                "evol": str(bar.volume),
                "eamt": _num(bar.turnover),
            }
            for bar in picked
        ]
        return Reply({"output1": head, "output2": rows}, tr_cont=_leave_off(call, cursor))

    return _answer(call, inst, build, domestic=False)


def _overseas_book(call: Call) -> Reply:
    """HHDFS76200100 현재가 호가: 10 levels for US markets."""
    inst = _overseas(call)
    ex = call.exchange

    def build(inst: Instrument) -> Reply:
        st = ex.state(inst.symbol)
        book = ex.book(inst.symbol)
        seen = book.time.astimezone(KST)
        head = {
            "rsym": _rsym(call, inst),
            "zdiv": "4",
            "curr": "USD",
            "base": _usd(st.prev_close),
            "open": _usd(st.open),
            "high": _usd(st.high),
            "low": _usd(st.low),
            "last": _usd(st.last),
            "dymd": _ymd(seen.date()),
            "dhms": _hms(seen),
            "bvol": str(sum(level.qty for level in book.bids)),
            "avol": str(sum(level.qty for level in book.asks)),
            "bdvl": "0",
            "advl": "0",
            "code": inst.symbol,
            "ropen": _xrate(st.open - st.prev_close, st.prev_close),
            "rhigh": _xrate(st.high - st.prev_close, st.prev_close),
            "rlow": _xrate(st.low - st.prev_close, st.prev_close),
            "rclose": _xrate(st.change, st.prev_close),
        }
        levels = {
            **_depth(book.bids, "pbid", "vbid", "dbid", _usd),
            **_depth(book.asks, "pask", "vask", "dask", _usd),
        }
        auction = {"vstm": "", "vetm": "", "iev": "0"}
        auction |= dict.fromkeys(("csbp", "cshi", "cslo", "iep"), "0.0000")
        return Reply({"output1": head, "output2": levels, "output3": auction})

    return _answer(call, inst, build, domestic=False)


_OVERSEAS_INFO_BLANK: Final = (
    "ovrs_stck_prdt_grp_no",
    "ovrs_stck_erlm_rosn_cd",
    "ovrs_stck_hist_rght_dvsn_cd",
    "chng_bf_pdno",
    "prdt_type_cd_2",
    "sedol_no",
    "ovrs_stck_etf_risk_drtp_cd",
    "etp_chas_erng_rt_dbnb",
    "mint_svc_yn_chng_dt",
    "lei_cd",
    "ovrs_stck_stop_rson_cd",
    "lstg_abol_dt",
    "mini_stk_tr_stat_dvsn_cd",
    "mint_frst_svc_erlm_dt",
    "ptp_item_trfx_exmt_strt_dt",
    "ptp_item_trfx_exmt_end_dt",
    "sdrf_stop_ecls_erlm_dt",
    "memo_text1",
)


def _overseas_info(call: Call) -> Reply:
    """CTPF1702R 해외주식 상품기본정보 (US markets)."""
    inst = _product(call, _US_MARKETS)
    ex = call.exchange
    st = ex.state(inst.symbol)
    _, market, market_name = _US_MARKETS[inst.venue.product_type]
    code, name = _classify(inst)
    seen = (st.last_time or ex.clock.now()).astimezone(KST)
    return Reply(
        {
            "output": {
                "std_pdno": inst.isin,
                "prdt_eng_name": inst.name_en,
                "natn_cd": "840",
                "natn_name": "미국",
                "tr_mket_cd": market,
                "tr_mket_name": market_name,
                "ovrs_excg_cd": inst.venue.value,
                "ovrs_excg_name": market_name,
                "tr_crcy_cd": "USD",
                "ovrs_papr": "0.00000",
                "crcy_name": "미국달러",
                "ovrs_stck_dvsn_cd": "03" if code == "200020" else "01",
                "prdt_clsf_cd": code,
                "prdt_clsf_name": name,
                "sll_unit_qty": "1",
                "buy_unit_qty": "1",
                "tr_unit_amt": "0",
                "lstg_stck_num": str(inst.listed_shares),
                "lstg_dt": _ymd(_profile(ex.settings.seed, inst).listed),
                "ovrs_stck_tr_stop_dvsn_cd": "01",
                "lstg_abol_item_yn": "N",
                "lstg_yn": "Y",
                "tax_levy_yn": "N",
                "ovrs_item_name": inst.name_kr,
                "blbg_tckr_text": f"{inst.symbol} US Equity",
                "istt_usge_isin_cd": inst.isin,
                "mint_svc_yn": "Y",
                "prdt_name": inst.name_kr,
                "mint_dcpt_trad_psbl_yn": "Y",
                "mint_fnum_trad_psbl_yn": "Y",
                "mint_cblc_cvsn_ipsb_yn": "N",
                "ptp_item_yn": "N",
                "ptp_item_trfx_exmt_yn": "N",
                "dtm_tr_psbl_yn": "Y",
                "sdrf_stop_ecls_yn": "N",
                "ovrs_now_pric1": _num(st.last, 5),
                "last_rcvg_dtime": _stamp(seen),
                **dict.fromkeys(_OVERSEAS_INFO_BLANK, ""),
            }
        }
    )


def _overseas_chart(call: Call) -> Reply:
    """FHKST03030100 종목/지수/환율기간별시세: US stocks under FID_COND_MRKT_DIV_CODE N; the
    sim has no indices, FX, bonds or gold (those codes find nothing)."""
    market = _choice(call, "FID_COND_MRKT_DIV_CODE", ("N", "X", "I", "S"))
    period = _choice(call, "FID_PERIOD_DIV_CODE", ("D", "W", "M", "Y"))
    found = call.exchange.instrument(call.need("FID_INPUT_ISCD"))
    inst = found if found is not None and not found.domestic and market == "N" else None
    ex = call.exchange
    first = _date_param(call, "FID_INPUT_DATE_1", date.min)
    last = _date_param(call, "FID_INPUT_DATE_2", _us_today(ex))

    def build(inst: Instrument) -> Reply:
        st = ex.state(inst.symbol)
        series = _series(ex, inst, period)
        head = {
            "ovrs_nmix_prdy_vrss": _usd(st.change),
            "prdy_vrss_sign": st.sign,
            "prdy_ctrt": _rate(st.change, st.prev_close),
            "ovrs_nmix_prdy_clpr": _usd(st.prev_close),
            "acml_vol": str(st.volume),
            "hts_kor_isnm": inst.name_kr,
            "ovrs_nmix_prpr": _usd(st.last),
            "stck_shrn_iscd": inst.symbol,
            "prdy_vol": str(st.prev_volume),
            "ovrs_prod_oprc": _usd(st.open),
            "ovrs_prod_hgpr": _usd(st.high),
            "ovrs_prod_lwpr": _usd(st.low),
        }

        def row(i: int) -> Row:
            bar = series.bars[i]
            return {
                "stck_bsop_date": _ymd(bar.start.date()),
                "ovrs_nmix_prpr": _usd(bar.close),
                "ovrs_nmix_oprc": _usd(bar.open),
                "ovrs_nmix_hgpr": _usd(bar.high),
                "ovrs_nmix_lwpr": _usd(bar.low),
                "acml_vol": str(bar.volume),
                "mod_yn": "N",
            }

        rows = _rows(series, series.newest_first(first, last, CHART_ROWS), "chartprice", row)
        return Reply({"output1": head, "output2": rows})

    return _answer(call, inst, build, domestic=False)


def _quote(
    path: str, tr_id: str, handler: Callable[[Call], Reply], *, real_only: bool = False
) -> Endpoint:
    return Endpoint("GET", path, (Tr(tr_id, "real" if real_only else "both"),), handler)


def _ledger(path: str, tr_id: str, handler: Callable[[Call], Reply]) -> Endpoint:
    """A real-only C… TR: answered with the ledger's KIOK0000 message."""
    return Endpoint("GET", path, (Tr(tr_id, "real"),), handler, kind="inquiry")


ENDPOINTS: list[Endpoint] = [
    _quote(f"{DOMESTIC}/inquire-price", "FHKST01010100", _inquire_price),
    _quote(f"{DOMESTIC}/inquire-daily-itemchartprice", "FHKST03010100", _period_chart),
    _quote(f"{DOMESTIC}/inquire-daily-price", "FHKST01010400", _recent_days),
    _quote(f"{DOMESTIC}/inquire-time-itemchartprice", "FHKST03010200", _today_chart),
    _quote(f"{DOMESTIC}/inquire-time-dailychartprice", "FHKST03010230", _day_chart, real_only=True),
    _quote(f"{DOMESTIC}/inquire-asking-price-exp-ccn", "FHKST01010200", _asking_price),
    _ledger(f"{DOMESTIC}/search-info", "CTPF1604R", _search_info),
    _ledger(f"{DOMESTIC}/search-stock-info", "CTPF1002R", _search_stock_info),
    _ledger(f"{DOMESTIC}/chk-holiday", "CTCA0903R", _chk_holiday),
    _quote(f"{OVERSEAS}/price", "HHDFS00000300", _overseas_price),
    _quote(f"{OVERSEAS}/price-detail", "HHDFS76200200", _price_detail, real_only=True),
    _quote(f"{OVERSEAS}/dailyprice", "HHDFS76240000", _overseas_daily),
    _quote(
        f"{OVERSEAS}/inquire-time-itemchartprice",
        "HHDFS76950200",
        _overseas_minutes,
        real_only=True,
    ),
    _quote(f"{OVERSEAS}/inquire-asking-price", "HHDFS76200100", _overseas_book, real_only=True),
    _quote(f"{OVERSEAS}/inquire-daily-chartprice", "FHKST03030100", _overseas_chart),
    _ledger(f"{OVERSEAS}/search-info", "CTPF1702R", _overseas_info),
    _ledger(
        "/uapi/overseas-stock/v1/quotations/countries-holiday", "CTOS5011R", _countries_holiday
    ),
]
