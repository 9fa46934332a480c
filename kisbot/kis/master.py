"""KIS's stock master files (종목마스터): every listed code with its names, to find by name.

```python
master = await SymbolMaster.load(http, cache_dir, today=kis.now().date())
master.find("삼성전자")        # [Instrument(005930, KRX, "삼성전자", kind="stock"), …]
master.find("apple")           # [Instrument(AAPL, NASDAQ, "애플", "APPLE INC", "stock"), …]
master.name_of("069500")       # "KODEX 200"
```

The files (../shared/kis-reference.md §5) are zips on KIS's download host, `MASTER_URL`
(`KisSettings.master_url`; point it at the simulator's `http://HOST:PORT/common/master` to use
the simulated universe). They are fetched without credentials, kept under `cache_dir/YYYYMMDD/`
and fetched again on the next (Korean) day; when a download fails the newest earlier copy is
used, and when a file was never fetched its market is simply missing (with a warning).

Formats:
- `kospi_code.mst`, `kosdaq_code.mst`: cp949 lines of short code `[0:9]`, ISIN `[9:21]`,
  Korean name `[21:-227]` (KOSPI) or `[21:-221]` (KOSDAQ), then a fixed-width trailer whose
  first two characters are the group code (`ST` 주권, `EF` ETF, `DR`, `FE`, `FS`, … as listed in
  the official samples' `stocks_info/종목마스터정보(코스피).h`). These files have no English names.
- `{nas,nys,ams,…}mst.cod`: cp949, tab-separated, 24 columns: national code, exchange id,
  exchange code (`NAS`, `NYS`, `AMS`, `TSE`, `HKS`, …), exchange name, symbol, realtime symbol,
  Korean name, English name, security type (1 index, 2 stock, 3 ETP, 4 warrant), … A header
  line, if a file has one, is skipped.

English names of KRX products come only from KIS's product info (`fetch_product`, which calls
`learn()`): the master then finds them by those names too, and keeps them in the cache.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import shutil
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Final

import httpx

from kisbot.domain.errors import InputError
from kisbot.domain.models import Country, Instrument, Market, Symbol
from kisbot.kis.errors import KisUnavailable, map_httpx_exceptions

if TYPE_CHECKING:
    from kisbot.kis.client import KisClient

__all__ = [
    "DEFAULT_FILES",
    "MASTER_URL",
    "MasterFile",
    "SymbolMaster",
    "load_master",
    "parse_domestic",
    "parse_overseas",
]

logger = logging.getLogger(__name__)

MASTER_URL: Final = "https://new.real.download.dws.co.kr/common/master"
ENCODING: Final = "cp949"
KOSPI_TRAILER: Final = 227  # 70 fixed-width fields after the name (newline not counted)
KOSDAQ_TRAILER: Final = 221  # 64 fields
DOWNLOAD_TIMEOUT: Final = 60.0  # seconds per file; the real files are a few MB at most
MAX_FILE_BYTES: Final = 64 * 1024 * 1024
LEARNED_FILE: Final = "names_en.json"
DEFAULT_LIMIT: Final = 20

# group code (증권그룹구분코드) -> kind, per the official samples' header files
_GROUP_KIND: Final = {
    "ST": "stock",
    "DR": "stock",  # 주식예탁증서
    "FS": "stock",  # 외국주권
    "EF": "etf",
    "FE": "etf",  # 해외ETF
    "EW": "elw",
    "SW": "warrant",
    "SR": "warrant",
    "MF": "fund",
    "RT": "reit",
    "SC": "fund",
    "IF": "fund",
    "BC": "fund",
}
# exchange code column of the overseas files -> market
_EXCHANGES: Final = {
    "NAS": Market.NASDAQ,
    "NYS": Market.NYSE,
    "AMS": Market.AMEX,
    "TSE": Market.TOKYO,
    "HKS": Market.HONG_KONG,
    "SHS": Market.SHANGHAI,
    "SZS": Market.SHENZHEN,
    "HNX": Market.HANOI,
    "HSX": Market.HO_CHI_MINH,
}
_SECURITY_KIND: Final = {"1": "index", "2": "stock", "3": "etf", "4": "warrant"}
_COUNTRY_ORDER: Final = {country: rank for rank, country in enumerate(Country)}
_MARKET_ORDER: Final = {market: rank for rank, market in enumerate(Market)}


def _lines(raw: bytes) -> Iterator[str]:
    for line in raw.decode(ENCODING, errors="replace").split("\n"):
        line = line.rstrip("\r")
        if line.strip():
            yield line


def parse_domestic(raw: bytes, trailer: int) -> list[Instrument]:
    """`kospi_code.mst` (trailer 227) or `kosdaq_code.mst` (221) as KRX instruments."""
    found: list[Instrument] = []
    for line in _lines(raw):
        if len(line) <= 21 + trailer:
            continue
        code = line[:9].strip()
        name = line[21 : len(line) - trailer].strip()
        group = line[len(line) - trailer :][:2]
        if code and name:
            found.append(
                Instrument(Symbol(code), Market.KRX, name, kind=_GROUP_KIND.get(group, ""))
            )
    return found


def parse_overseas(raw: bytes) -> list[Instrument]:
    """A `…mst.cod` file as instruments of the exchanges it names (other rows are skipped)."""
    found: list[Instrument] = []
    for line in _lines(raw):
        cols = [col.strip() for col in line.split("\t")]
        if len(cols) < 9:
            continue
        market = _EXCHANGES.get(cols[2].upper())
        symbol = cols[4]
        if market is None or not symbol:
            continue  # a header line, or an exchange kisbot does not know
        korean, english = cols[6], cols[7]
        found.append(
            Instrument(
                Symbol(symbol),
                market,
                korean or english or symbol,
                english,
                _SECURITY_KIND.get(cols[8], ""),
            )
        )
    return found


@dataclass(frozen=True, slots=True)
class MasterFile:
    """One downloadable master: its zip name, the member inside, and its parser."""

    name: str
    member: str
    parse: Callable[[bytes], list[Instrument]]

    def read(self, archive: bytes) -> list[Instrument]:
        """The instruments in a downloaded zip (its named member, or its only one)."""
        with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
            infos = zipped.infolist()
            info = next((i for i in infos if i.filename.lower() == self.member), None)
            if info is None and len(infos) == 1:
                info = infos[0]
            if info is None:
                raise ValueError(f"{self.name} holds no {self.member}")
            if info.file_size > MAX_FILE_BYTES:
                raise ValueError(f"{self.name}: {self.member} is implausibly large")
            return self.parse(zipped.read(info))


def _overseas_file(stem: str) -> MasterFile:
    return MasterFile(f"{stem}mst.cod.zip", f"{stem}mst.cod", parse_overseas)


KOSPI: Final = MasterFile(
    "kospi_code.mst.zip", "kospi_code.mst", lambda raw: parse_domestic(raw, KOSPI_TRAILER)
)
KOSDAQ: Final = MasterFile(
    "kosdaq_code.mst.zip", "kosdaq_code.mst", lambda raw: parse_domestic(raw, KOSDAQ_TRAILER)
)
# KRX and the US exchanges kisbot trades; add `_overseas_file("tse")` etc. for other markets.
DEFAULT_FILES: Final[tuple[MasterFile, ...]] = (
    KOSPI,
    KOSDAQ,
    *(_overseas_file(stem) for stem in ("nas", "nys", "ams")),
)


# ------------------------------------------------------------------------------ the master


def _name_key(text: str) -> str:
    """Names compare case-insensitively and without spaces ("KODEX 200" = "kodex200")."""
    return "".join(text.split()).casefold()


def _code_key(text: str) -> str:
    """Codes compare case-insensitively; "BRK.B" finds "BRK/B"."""
    return text.strip().casefold().replace(".", "/")


@dataclass(frozen=True, slots=True)
class _Entry:
    instrument: Instrument
    code: str
    names: tuple[str, ...]


def _entry(inst: Instrument) -> _Entry:
    names = tuple(dict.fromkeys(k for k in (_name_key(inst.name), _name_key(inst.name_en)) if k))
    return _Entry(inst, _code_key(inst.symbol), names)


class SymbolMaster:
    """Instruments by code and by name (see the module docstring).

    `find` ranks exact codes first, then exact names, then names that start with the query,
    then names that contain it; within a rank Korea comes first, then the US, Japan, Hong Kong,
    China and Vietnam (a `market_hint` moves its market or country to the front), then shorter
    names.
    """

    def __init__(
        self,
        instruments: Iterable[Instrument],
        *,
        day: date | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.day = day
        self._cache_dir = cache_dir
        self._entries: dict[tuple[Market, str], _Entry] = {}
        self._by_code: dict[str, list[tuple[Market, str]]] = {}
        for inst in instruments:
            key = (inst.market, inst.symbol)
            if key not in self._entries:
                entry = _entry(inst)
                self._entries[key] = entry
                self._by_code.setdefault(entry.code, []).append(key)
        self._learned: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"SymbolMaster({len(self)} instruments, day={self.day})"

    # ---------------------------------------------------------------------------- loading

    @classmethod
    async def load(
        cls,
        http: httpx.AsyncClient,
        cache_dir: Path,
        *,
        today: date,
        base_url: str = MASTER_URL,
        files: Sequence[MasterFile] = DEFAULT_FILES,
        seconds_per_file: float = DOWNLOAD_TIMEOUT,
    ) -> SymbolMaster:
        """Today's master: each file from `cache_dir/YYYYMMDD/` or downloaded once for today.

        Raises `KisUnavailable` only when no file at all could be had (fresh or cached).
        """
        instruments: list[Instrument] = []
        loaded = 0
        for master_file in files:
            archive = await _fetch(http, base_url, master_file, cache_dir, today, seconds_per_file)
            if archive is None:
                continue
            try:
                instruments.extend(await asyncio.to_thread(master_file.read, archive))
            except (zipfile.BadZipFile, ValueError) as exc:
                logger.warning("symbol master %s unreadable: %s", master_file.name, exc)
                continue
            loaded += 1
        if not loaded:
            raise KisUnavailable(
                f"no symbol master file could be fetched from {base_url}", endpoint="master"
            )
        master = cls(instruments, day=today, cache_dir=cache_dir)
        learned = await asyncio.to_thread(_read_learned, cache_dir / LEARNED_FILE)
        master._apply_learned(learned)
        return master

    # ---------------------------------------------------------------------------- lookups

    def get(self, symbol: str, market: Market | None = None) -> Instrument | None:
        """The instrument with exactly this code or ticker (on `market`, if given)."""
        matches = [
            self._entries[key]
            for key in self._by_code.get(_code_key(symbol), ())
            if market is None or key[0] is market
        ]
        return self._ranked(matches, None)[0].instrument if matches else None

    def name_of(self, symbol: str, market: Market | None = None) -> str | None:
        """The Korean name of `symbol` (English where KIS lists no Korean one), or None."""
        found = self.get(symbol, market)
        return found.name if found is not None else None

    def find(
        self,
        query: str,
        market_hint: Market | Country | None = None,
        *,
        limit: int = DEFAULT_LIMIT,
    ) -> list[Instrument]:
        """Instruments whose code or name matches `query`, best first (see the class doc)."""
        key = _name_key(query)
        if not key:
            raise InputError("type a stock name or code to search for")
        code = _code_key(query)
        tiers: list[list[_Entry]] = [[], [], [], []]
        for entry in self._entries.values():
            if entry.code == code:
                tiers[0].append(entry)
            elif key in entry.names:
                tiers[1].append(entry)
            elif any(name.startswith(key) for name in entry.names):
                tiers[2].append(entry)
            elif any(key in name for name in entry.names):
                tiers[3].append(entry)
        found: list[Instrument] = []
        for tier in tiers:
            found.extend(e.instrument for e in self._ranked(tier, market_hint))
            if len(found) >= limit:
                break
        return found[:limit]

    @staticmethod
    def _ranked(entries: list[_Entry], hint: Market | Country | None) -> list[_Entry]:
        def rank(entry: _Entry) -> tuple[int, int, int, int, str]:
            market = entry.instrument.market
            hinted = hint is not None and hint in (market, market.country)
            return (
                0 if hinted else 1,
                _COUNTRY_ORDER[market.country],
                _MARKET_ORDER[market],
                min((len(n) for n in entry.names), default=0),
                entry.instrument.symbol,
            )

        return sorted(entries, key=rank)

    # --------------------------------------------------------------------------- learning

    async def learn(self, instrument: Instrument) -> None:
        """Remember `instrument`'s English name (from product info) so later finds see it; it
        is kept in the cache directory and outlives the day's files."""
        entry = self._entries.get((instrument.market, instrument.symbol))
        if entry is None or not instrument.name_en or entry.instrument.name_en:
            return
        key = f"{instrument.market}:{instrument.symbol}"
        self._apply_learned({key: instrument.name_en})
        if self._cache_dir is not None:
            await asyncio.to_thread(
                _write_learned, self._cache_dir / LEARNED_FILE, dict(self._learned)
            )

    def _apply_learned(self, learned: dict[str, str]) -> None:
        for key, name_en in learned.items():
            market_text, _, symbol = key.partition(":")
            try:
                market = Market(market_text)
            except ValueError:
                continue
            entry = self._entries.get((market, symbol))
            if entry is None or entry.instrument.name_en:
                continue
            self._entries[(market, symbol)] = _entry(replace(entry.instrument, name_en=name_en))
            self._learned[key] = name_en


# ------------------------------------------------------------------------------ the cache


def _day_dir(cache_dir: Path, day: date) -> Path:
    return cache_dir / day.strftime("%Y%m%d")


def _cached(cache_dir: Path, name: str, day: date) -> bytes | None:
    path = _day_dir(cache_dir, day) / name
    return path.read_bytes() if path.is_file() else None


def _newest_older(cache_dir: Path, name: str, day: date) -> bytes | None:
    """The newest copy of `name` from an earlier day, if any."""
    if not cache_dir.is_dir():
        return None
    today = day.strftime("%Y%m%d")
    days = sorted(
        (p for p in cache_dir.iterdir() if p.is_dir() and p.name.isdigit() and p.name < today),
        reverse=True,
    )
    for folder in days:
        path = folder / name
        if path.is_file():
            return path.read_bytes()
    return None


def _store(cache_dir: Path, name: str, day: date, content: bytes) -> None:
    """Keep today's copy (written whole, then renamed) and drop earlier days' copies."""
    folder = _day_dir(cache_dir, day)
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / (name + ".part")
    partial.write_bytes(content)
    partial.replace(folder / name)
    for old in cache_dir.iterdir():
        if old.is_dir() and old.name.isdigit() and old.name < folder.name:
            (old / name).unlink(missing_ok=True)
            if not any(old.iterdir()):
                shutil.rmtree(old, ignore_errors=True)


async def _fetch(
    http: httpx.AsyncClient,
    base_url: str,
    master_file: MasterFile,
    cache_dir: Path,
    today: date,
    seconds_per_file: float,
) -> bytes | None:
    """Today's copy of a master zip: from the cache, else downloaded (and cached), else the
    newest earlier copy, else None."""
    cached = await asyncio.to_thread(_cached, cache_dir, master_file.name, today)
    if cached is not None:
        return cached
    url = f"{base_url.rstrip('/')}/{master_file.name}"
    try:
        with map_httpx_exceptions(endpoint="master"):
            response = await http.get(url, timeout=seconds_per_file)
        if response.status_code != httpx.codes.OK:
            raise KisUnavailable(
                f"{master_file.name}: HTTP {response.status_code}",
                endpoint="master",
                status=response.status_code,
            )
        content = response.content
        if len(content) > MAX_FILE_BYTES or not zipfile.is_zipfile(io.BytesIO(content)):
            raise KisUnavailable(f"{master_file.name}: not a zip file", endpoint="master")
    except KisUnavailable as exc:
        stale = await asyncio.to_thread(_newest_older, cache_dir, master_file.name, today)
        logger.warning(
            "symbol master %s not fetched (%s); %s",
            master_file.name,
            exc,
            "using an earlier copy" if stale is not None else "its market is left out",
        )
        return stale
    await asyncio.to_thread(_store, cache_dir, master_file.name, today, content)
    return content


def _read_learned(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): str(v) for k, v in data.items() if isinstance(v, str) and v.strip()}


def _write_learned(path: Path, learned: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_text(json.dumps(learned, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    partial.replace(path)


async def load_master(kis: KisClient, cache_dir: Path | None = None) -> SymbolMaster:
    """Load today's master for `kis` (its HTTP client, `master_url` setting and clock; the
    cache beside its token directory unless `cache_dir` is given) and attach it as
    `kis.master`, so `kis.instrument()` fills names."""
    settings = kis._settings
    folder = cache_dir if cache_dir is not None else settings.token_dir.parent / "master"
    master = await SymbolMaster.load(
        kis._http, folder, today=kis.now().date(), base_url=settings.master_url
    )
    kis.master = master
    return master
