"""The symbol master: the simulator's master files in KIS's formats, lookup by name, the cache."""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path

import httpx
import pytest

from kisbot.domain.errors import InputError
from kisbot.domain.models import Country, Market
from kisbot.domain.time import KST
from kisbot.kis.client import KisClient
from kisbot.kis.errors import KisUnavailable
from kisbot.kis.market import fetch_product
from kisbot.kis.master import SymbolMaster, load_master, parse_domestic, parse_overseas
from kisbot.sim.app import Simulator
from kisbot.sim.clock import SimClock
from tests.kis.conftest import SIM_URL, SimControl, quiet_settings
from tests.kis.test_market import client_settings, sim_clock

MASTER_URL = f"{SIM_URL}/common/master"
TODAY = date(2026, 11, 24)
FILES = 5  # kospi, kosdaq, nas, nys, ams


@pytest.fixture
def sim() -> Simulator:
    return Simulator(quiet_settings(), SimClock(datetime(2026, 11, 24, 10, 0, tzinfo=KST)))


class Counted:
    """An AsyncClient on the simulator that counts its master-file downloads."""

    def __init__(self, sim: Simulator) -> None:
        self.downloads: list[str] = []
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=sim.app),
            base_url=SIM_URL,
            timeout=10,
            event_hooks={"request": [self._seen]},
        )

    async def _seen(self, request: httpx.Request) -> None:
        if "/common/master/" in request.url.path:
            self.downloads.append(request.url.path.rsplit("/", 1)[-1])


@pytest.fixture
async def counted(sim: Simulator) -> AsyncIterator[Counted]:
    wrapper = Counted(sim)
    async with wrapper.http:
        yield wrapper


async def load(counted: Counted, cache: Path, day: date = TODAY, **options: str) -> SymbolMaster:
    return await SymbolMaster.load(
        counted.http, cache, today=day, base_url=options.get("base_url", MASTER_URL)
    )


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


async def member(http: httpx.AsyncClient, name: str) -> bytes:
    response = await http.get(f"/common/master/{name}.zip")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.namelist() == [name]
        return archive.read(name)


# ------------------------------------------------------------------- the files, as KIS's


async def test_domestic_files_slice_as_the_official_samples_do(http: httpx.AsyncClient) -> None:
    for name, trailer, count in (("kospi_code.mst", 228, 37), ("kosdaq_code.mst", 222, 8)):
        rows = (await member(http, name)).decode("cp949").splitlines(keepends=True)
        assert len(rows) == count
        for row in rows:  # the samples' slicing: row[0:len(row) - trailer], row[-trailer:]
            head, tail = row[: len(row) - trailer], row[-trailer:]
            assert len(tail) == trailer
            assert tail.endswith("\n")
            assert head[:9].rstrip().isdigit()
            assert len(head[9:21].rstrip()) == 12
            assert tail[:2] in ("ST", "EF")
        by_code = {row[:9].rstrip(): row for row in rows}
        if name == "kospi_code.mst":
            samsung = by_code["005930"]
            assert samsung[21 : len(samsung) - trailer].strip() == "삼성전자"
            assert by_code["069500"][-trailer:][:2] == "EF"
            assert len(samsung.encode("cp949")) == 9 + 12 + 40 + trailer


async def test_overseas_files_are_24_tab_separated_columns(http: httpx.AsyncClient) -> None:
    rows = (await member(http, "nasmst.cod")).decode("cp949").splitlines()
    apple = next(r.split("\t") for r in rows if r.split("\t")[4] == "AAPL")
    assert len(apple) == 24
    assert apple[:9] == [
        "US",
        apple[1],
        "NAS",
        "NASDAQ",
        "AAPL",
        "DNASAAPL",
        "애플",
        "APPLE INC",
        "2",
    ]
    assert apple[9] == "USD"
    assert all(len(r.split("\t")) == 24 for r in rows)
    assert await member(http, "tsemst.cod") == b""  # the simulator lists nothing in Tokyo
    assert (await http.get("/common/master/nosuch.zip")).status_code == 404


def test_parsers_read_kis_lines_and_skip_what_they_cannot() -> None:
    name = "에코프로비엠".encode("cp949").ljust(40)
    kosdaq = b"247540   KR7247540008" + name + b"ST" + b"0" * 219 + b"\r\n" + b"short line\n"
    assert [(i.symbol, i.name, i.kind) for i in parse_domestic(kosdaq, 221)] == [
        ("247540", "에코프로비엠", "stock")
    ]
    cod = (
        "National code\tExchange id\tExchange code\tExchange name\tSymbol\n"
        "US\t22\tNAS\tNASDAQ\tQQQ\tDNASQQQ\t인베스코 QQQ\tINVESCO QQQ TRUST\t3\tUSD\n"
        "JP\t30\tTSE\tTOKYO\t7203\tDTSE7203\t\tTOYOTA MOTOR\t2\tJPY\n"
        "XX\t1\tXYZ\tELSEWHERE\tABC\tABC\tabc\tABC\t2\tUSD\n"
    ).encode("cp949")
    parsed = [(i.symbol, i.market, i.name, i.name_en, i.kind) for i in parse_overseas(cod)]
    assert parsed == [
        ("QQQ", Market.NASDAQ, "인베스코 QQQ", "INVESCO QQQ TRUST", "etf"),
        ("7203", Market.TOKYO, "TOYOTA MOTOR", "TOYOTA MOTOR", "stock"),
    ]


# --------------------------------------------------------------------------------- lookups


async def test_find_by_korean_or_english_name(counted: Counted, tmp_path: Path) -> None:
    master = await load(counted, tmp_path)
    assert len(master) == 61
    samsung = master.find("삼성전자")[0]
    assert (samsung.symbol, samsung.market, samsung.kind) == ("005930", Market.KRX, "stock")
    apple = master.find("apple")[0]
    assert (apple.symbol, apple.market, apple.name, apple.name_en) == (
        "AAPL",
        Market.NASDAQ,
        "애플",
        "APPLE INC",
    )
    kodex = master.find("KODEX 200")[0]
    assert (kodex.symbol, kodex.kind) == ("069500", "etf")
    assert master.find("kodex200")[0].symbol == "069500"  # spaces and case do not matter
    assert [i.symbol for i in master.find("kodex")][:2] == ["069500", "122630"]  # shortest first
    assert master.find("005930")[0].name == "삼성전자"
    assert master.find("brk.b")[0].symbol == "BRK/B"
    assert master.name_of("069500") == "KODEX 200"
    assert master.name_of("aapl") == "애플"
    assert master.name_of("NOSUCH") is None
    assert master.find("zzzz") == []


async def test_korea_first_unless_hinted(counted: Counted, tmp_path: Path) -> None:
    master = await load(counted, tmp_path)
    plain = master.find("s")
    assert plain[0].market is Market.KRX
    assert master.find("s", market_hint=Market.AMEX)[0].symbol == "SPY"
    assert master.find("s", market_hint=Country.US)[0].market.country is Country.US
    assert len(master.find("s", limit=3)) == 3
    with pytest.raises(InputError, match="stock name or code"):
        master.find("  ")


# ----------------------------------------------------------------------------------- cache


async def test_downloaded_once_a_day(counted: Counted, tmp_path: Path) -> None:
    await load(counted, tmp_path)
    assert sorted(counted.downloads) == sorted(
        [
            "kospi_code.mst.zip",
            "kosdaq_code.mst.zip",
            "nasmst.cod.zip",
            "nysmst.cod.zip",
            "amsmst.cod.zip",
        ]
    )
    again = await load(counted, tmp_path)  # a second master on the same cache: no request
    assert len(counted.downloads) == FILES
    assert again.find("삼성전자")[0].symbol == "005930"
    await load(counted, tmp_path, date(2026, 11, 25))  # the next day: fetched anew
    assert len(counted.downloads) == 2 * FILES
    assert listing(tmp_path) == ["20261125"]  # the old day's copies are gone


async def test_an_unreachable_host_falls_back_to_the_last_copy(
    counted: Counted, tmp_path: Path
) -> None:
    with pytest.raises(KisUnavailable, match="no symbol master"):
        await load(counted, tmp_path, base_url=f"{SIM_URL}/nowhere")
    await load(counted, tmp_path)
    stale = await load(counted, tmp_path, date(2026, 11, 26), base_url=f"{SIM_URL}/nowhere")
    assert stale.find("apple")[0].symbol == "AAPL"
    assert (tmp_path / "20261124").is_dir()


# ------------------------------------------------------------------------- with the client


async def test_the_client_names_instruments_from_the_master(
    sim: Simulator, counted: Counted, tmp_path: Path, control: SimControl
) -> None:
    settings = client_settings(tmp_path, master_url=MASTER_URL)
    async with KisClient(counted.http, settings, clock=sim_clock(sim)) as kis:
        plain = await kis.instrument("005930")
        assert plain.name == "005930"  # no master: codes only, as before
        master = await load_master(kis)
        assert kis.master is master
        assert master.day == TODAY
        assert (tmp_path / "master" / "20261124" / "kospi_code.mst.zip").is_file()
        samsung = await kis.instrument("005930")
        assert (samsung.name, samsung.kind) == ("삼성전자", "stock")
        apple = await kis.instrument("aapl")
        assert (apple.market, apple.name, apple.name_en) == (Market.NASDAQ, "애플", "APPLE INC")
        assert await control.requests_by_tr("HHDFS00000300") == 0  # no exchange probing

        # KRX master files carry no English names; product info teaches them
        assert "005930" not in [i.symbol for i in master.find("samsung")]
        product = await fetch_product(kis, "005930")
        assert product.name_en == "Samsung Electronics"
        assert "005930" in [i.symbol for i in master.find("samsung")]

    again = await SymbolMaster.load(counted.http, tmp_path / "master", today=TODAY)
    assert "005930" in [i.symbol for i in again.find("samsung electronics")]
    assert len(counted.downloads) == FILES


async def test_product_info_without_the_real_side_comes_from_the_master(
    sim: Simulator, counted: Counted, tmp_path: Path
) -> None:
    settings = client_settings(tmp_path, "virtual", master_url=MASTER_URL)
    async with KisClient(counted.http, settings, clock=sim_clock(sim)) as kis:
        await load_master(kis, tmp_path / "cache")
        product = await fetch_product(kis, "069500")
    assert (product.name, product.kind) == ("KODEX 200", "etf")
