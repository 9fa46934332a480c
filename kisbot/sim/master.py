"""KIS's stock master files (종목마스터), served from the simulator's universe.

KIS publishes them at `https://new.real.download.dws.co.kr/common/master/<file>.zip`; the
simulator serves the same names at `GET /common/master/<file>.zip` on its REST port, so a
client whose master URL is `http://HOST:PORT/common/master` finds the simulated instruments by
name. Formats per ../shared/kis-reference.md §5 (and the official samples' `stocks_info/*.h`):

- `kospi_code.mst` / `kosdaq_code.mst` (cp949, one line per issue): short code (9, space
  padded), ISIN (12), Korean name, then a fixed-width trailer of 227 (KOSPI, 70 fields) or 221
  (KOSDAQ, 64 fields) characters whose first field is the group code (`ST` stock, `EF` ETF).
  The name is padded to 40 bytes here (the samples slice it by the trailer, so any width
  reads); trailer fields the simulator has no figure for are zeros.
- `{nas,nys,ams}mst.cod` (cp949, tab-separated, 24 columns, no header line): national code,
  exchange id, exchange code, exchange name, symbol, realtime symbol, Korean name, English name,
  security type (2 stock, 3 ETP), currency, decimals, … The exchange ids are stand-ins.
- Every other market's file (`tsemst.cod`, `hksmst.cod`, `konex_code.mst`, …) is served empty:
  the simulator lists nothing there.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING, Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kisbot.sim.exchange import Exchange
from kisbot.sim.universe import UNIVERSE, Instrument, Venue

if TYPE_CHECKING:
    from kisbot.sim.app import Simulator

__all__ = ["KOSDAQ_FIELDS", "KOSPI_FIELDS", "MASTER_PATH", "master_files", "master_routes"]

MASTER_PATH: Final = "/common/master"
NAME_BYTES: Final = 40
ENCODING: Final = "cp949"

_FLAGS: Final = (
    "krx100",
    "krx_auto",
    "krx_semicon",
    "krx_bio",
    "krx_bank",
    "spac",
    "krx_energy",
    "krx_steel",
    "short_overheat",
    "krx_media",
    "krx_construction",
)
_TAIL: Final = (
    ("base_price", 9),
    ("lot", 5),
    ("after_hours_lot", 5),
    ("halted", 1),
    ("liquidation", 1),
    ("managed", 1),
    ("market_warning", 2),
    ("warning_notice", 1),
    ("unfaithful_disclosure", 1),
    ("backdoor_listing", 1),
    ("ex_right", 2),
    ("par_change", 2),
    ("capital_increase", 2),
    ("margin_rate", 3),
    ("credit_ok", 1),
    ("credit_days", 3),
    ("prev_volume", 12),
    ("par_value", 12),
    ("listed_date", 8),
    ("listed_thousands", 15),
    ("capital", 21),
    ("settlement_month", 2),
    ("ipo_price", 7),
    ("preferred", 1),
    ("short_sale_overheat", 1),
    ("abnormal_rise", 1),
    ("krx300", 1),
)
_FINANCIALS: Final = (
    ("sales", 9),
    ("operating_profit", 9),
    ("ordinary_profit", 9),
    ("net_income", 5),
    ("roe", 9),
    ("base_month", 8),
    ("market_cap_eok", 9),
    ("group_company", 3),
    ("credit_limit_over", 1),
    ("collateral_loan", 1),
    ("stock_lending", 1),
)
_HEAD: Final = (
    ("group", 2),
    ("cap_size", 1),
    ("sector_large", 4),
    ("sector_medium", 4),
    ("sector_small", 4),
)

# 종목마스터정보(코스피).h after the ISIN and name: 70 fields, 227 characters.
KOSPI_FIELDS: Final[tuple[tuple[str, int], ...]] = (
    *_HEAD,
    *(
        (name, 1)
        for name in (
            "manufacturing",
            "low_liquidity",
            "governance_index",
            "kospi200_sector",
            "kospi100",
            "kospi50",
            "krx",
            "etp",
            "elw_issued",
            *_FLAGS,
            "krx_finance_removed",
            "krx_securities",
            "krx_ship",
            "krx_insurance",
            "krx_transport",
            "sri",
        )
    ),
    *_TAIL,
    ("kospi", 1),
    *_FINANCIALS,
)
# 종목마스터정보(코스닥).h: 64 fields, 221 characters.
KOSDAQ_FIELDS: Final[tuple[tuple[str, int], ...]] = (
    *_HEAD,
    *(
        (name, 1)
        for name in (
            "venture",
            "low_liquidity",
            "krx",
            "etp",
            *_FLAGS,
            "investment_caution",
            "krx_securities",
            "krx_ship",
            "krx_insurance",
            "krx_transport",
            "kosdaq150",
        )
    ),
    *_TAIL,
    *_FINANCIALS,
)
# one-character codes whose "nothing" is "0" rather than "N"
_ZERO_CODES: Final = frozenset(
    {"cap_size", "kospi200_sector", "etp", "short_overheat", "preferred", "investment_caution"}
)

# quote EXCD -> (exchange id (a stand-in), exchange name, file stem)
_US_FILES: Final[dict[Venue, tuple[str, str, str, str]]] = {
    Venue.NASDAQ: ("NAS", "22", "NASDAQ", "nas"),
    Venue.NYSE: ("NYS", "21", "NYSE", "nys"),
    Venue.AMEX: ("AMS", "23", "AMEX", "ams"),
}
_EMPTY_FILES: Final = (
    "konex_code.mst",
    *(f"{stem}mst.cod" for stem in ("shs", "shi", "szs", "szi", "tse", "hks", "hnx", "hsx")),
)


def _trailer(fields: Iterable[tuple[str, int]], values: dict[str, str]) -> str:
    """The fixed-width trailer: numbers zero-padded on the left, codes as given."""
    out: list[str] = []
    for name, width in fields:
        value = values.get(name)
        if value is None:
            value = "0" * width if width > 1 or name in _ZERO_CODES else "N"
        text = value.rjust(width, "0") if value.isdigit() else value.ljust(width)
        if len(text) != width:
            raise ValueError(f"{name}: {value!r} does not fit {width} characters")
        out.append(text)
    return "".join(out)


def _name40(name: str) -> str:
    """The Korean name padded (or cut on a character boundary) to 40 cp949 bytes."""
    while len(name.encode(ENCODING)) > NAME_BYTES:
        name = name[:-1]
    return name + " " * (NAME_BYTES - len(name.encode(ENCODING)))


def _domestic_line(ex: Exchange, inst: Instrument, fields: Iterable[tuple[str, int]]) -> str:
    state = ex.state(inst.symbol)
    base = state.prev_close.to_integral_value(rounding=ROUND_DOWN)
    cap = (base * inst.listed_shares / Decimal(100_000_000)).to_integral_value(rounding=ROUND_DOWN)
    values = {
        "group": "EF" if inst.etf else "ST",
        "cap_size": "0" if inst.etf else "1",
        "krx": "Y",
        "etp": "2" if inst.etf else "0",  # 2: 수익증권형 (beneficiary-certificate ETF)
        "base_price": str(base),
        "lot": "1",
        "after_hours_lot": "1",
        "halted": "Y" if state.halted else "N",
        "margin_rate": "40",
        "credit_ok": "Y",
        "prev_volume": str(state.prev_volume),
        "listed_thousands": str(inst.listed_shares // 1000),
        "settlement_month": "12",
        "kospi": "Y",
        "market_cap_eok": str(cap),
    }
    return (
        inst.symbol.ljust(9)
        + inst.isin.ljust(12)
        + _name40(inst.name_kr)
        + _trailer(fields, values)
    )


def _overseas_line(ex: Exchange, inst: Instrument) -> str:
    excd, exid, exchange_name, _ = _US_FILES[inst.venue]
    base = ex.state(inst.symbol).prev_close.quantize(Decimal("0.0001"), rounding=ROUND_DOWN)
    etp = inst.etf
    columns = (
        "US",
        exid,
        excd,
        exchange_name,
        inst.symbol,
        f"D{excd}{inst.symbol}",
        inst.name_kr,
        inst.name_en,
        "3" if etp else "2",
        "USD",
        "4",
        "2",
        format(base, "f"),
        "1",
        "1",
        "0930",
        "1600",
        "N",
        "",
        "",
        "0",
        "1",
        "001" if etp else "",
        "",
    )
    return "\t".join(columns)


def _zipped(member: str, lines: Iterable[str]) -> bytes:
    """A zip holding one cp949 text file; fixed timestamps keep the bytes reproducible."""
    text = "".join(line + "\n" for line in lines)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, text.encode(ENCODING))
    return buffer.getvalue()


def _file(member: str, lines: Callable[[], Iterable[str]]) -> Callable[[], bytes]:
    return lambda: _zipped(member, lines())


def master_files(ex: Exchange) -> dict[str, Callable[[], bytes]]:
    """Every served file name (`kospi_code.mst.zip`, …) and how to build its bytes now."""

    def listed(venue: Venue, line: Callable[[Instrument], str]) -> Callable[[], Iterable[str]]:
        return lambda: (line(inst) for inst in UNIVERSE if inst.venue is venue)

    files = {
        "kospi_code.mst.zip": _file(
            "kospi_code.mst",
            listed(Venue.KOSPI, lambda inst: _domestic_line(ex, inst, KOSPI_FIELDS)),
        ),
        "kosdaq_code.mst.zip": _file(
            "kosdaq_code.mst",
            listed(Venue.KOSDAQ, lambda inst: _domestic_line(ex, inst, KOSDAQ_FIELDS)),
        ),
    }
    for venue, (_, _, _, stem) in _US_FILES.items():
        files[f"{stem}mst.cod.zip"] = _file(
            f"{stem}mst.cod", listed(venue, lambda inst: _overseas_line(ex, inst))
        )
    for member in _EMPTY_FILES:
        files[f"{member}.zip"] = _file(member, tuple)
    return files


def master_routes(sim: Simulator) -> list[Route]:
    """`GET /common/master/{file}`: the zipped master files (404 for names KIS does not use)."""
    files = master_files(sim.exchange)

    async def download(request: Request) -> Response:
        build = files.get(request.path_params["name"])
        if build is None:
            return Response("Not Found", status_code=404, media_type="text/plain")
        return Response(build(), media_type="application/zip")

    return [Route(MASTER_PATH + "/{name}", download, methods=["GET"])]
