"""The simulator's instruments: real codes and names, made-up but plausible numbers.

Reference prices are the starting points of the seeded random walk, not market data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Final

__all__ = ["UNIVERSE", "Instrument", "Venue", "find_instrument"]


class Venue(StrEnum):
    """Where an instrument trades; the values are the simulator's own labels."""

    KOSPI = "KOSPI"
    KOSDAQ = "KOSDAQ"
    NASDAQ = "NASD"
    NYSE = "NYSE"
    AMEX = "AMEX"

    @property
    def domestic(self) -> bool:
        return self in (Venue.KOSPI, Venue.KOSDAQ)

    @property
    def quote_code(self) -> str:
        """The 3-letter EXCD used by overseas quotations (NAS/NYS/AMS)."""
        return {"NASD": "NAS", "NYSE": "NYS", "AMEX": "AMS"}.get(self.value, "")

    @property
    def product_type(self) -> str:
        """PRDT_TYPE_CD: 300 for domestic stocks/ETFs, 512/513/529 for US exchanges."""
        return {"NASD": "512", "NYSE": "513", "AMEX": "529"}.get(self.value, "300")


@dataclass(frozen=True, slots=True)
class Instrument:
    """One tradable product of the simulated exchange."""

    symbol: str
    name_kr: str
    name_en: str
    venue: Venue
    reference_price: Decimal
    listed_shares: int
    sector: str
    etf: bool = False
    isin: str = ""
    domestic: bool = field(init=False)  # read on every tick: a field, not a property chain

    def __post_init__(self) -> None:
        object.__setattr__(self, "domestic", self.venue.domestic)

    @property
    def currency(self) -> str:
        return "KRW" if self.domestic else "USD"


def _kr(
    symbol: str,
    kr: str,
    en: str,
    price: int,
    shares_m: int,
    sector: str,
    *,
    venue: Venue = Venue.KOSPI,
    etf: bool = False,
) -> Instrument:
    isin = f"KR7{symbol}00{(int(symbol) % 10)}" if symbol.isdigit() else ""
    return Instrument(
        symbol, kr, en, venue, Decimal(price), shares_m * 1_000_000, sector, etf=etf, isin=isin
    )


def _us(
    symbol: str, kr: str, en: str, price: str, shares_m: int, sector: str, venue: Venue
) -> Instrument:
    return Instrument(
        symbol, kr, en, venue, Decimal(price), shares_m * 1_000_000, sector, etf=sector == "ETF"
    )


UNIVERSE: Final[tuple[Instrument, ...]] = (
    # KOSPI stocks
    _kr("005930", "삼성전자", "Samsung Electronics", 71_000, 5_969, "전기·전자"),
    _kr("000660", "SK하이닉스", "SK hynix", 198_000, 728, "전기·전자"),
    _kr("035420", "NAVER", "NAVER", 187_000, 158, "서비스업"),
    _kr("005380", "현대차", "Hyundai Motor", 214_500, 209, "운수장비"),
    _kr("000270", "기아", "Kia", 98_300, 397, "운수장비"),
    _kr("035720", "카카오", "Kakao", 41_250, 442, "서비스업"),
    _kr("051910", "LG화학", "LG Chem", 312_000, 70, "화학"),
    _kr("006400", "삼성SDI", "Samsung SDI", 289_500, 68, "전기·전자"),
    _kr("207940", "삼성바이오로직스", "SAMSUNG BIOLOGICS", 1_012_000, 71, "의약품"),
    _kr("068270", "셀트리온", "Celltrion", 178_400, 216, "의약품"),
    _kr("005490", "POSCO홀딩스", "POSCO Holdings", 352_000, 84, "철강금속"),
    _kr("105560", "KB금융", "KB Financial Group", 81_200, 393, "금융업"),
    _kr("055550", "신한지주", "Shinhan Financial Group", 50_600, 509, "금융업"),
    _kr("012330", "현대모비스", "Hyundai Mobis", 241_000, 92, "운수장비"),
    _kr("028260", "삼성물산", "SAMSUNG C&T", 128_900, 169, "유통업"),
    _kr("066570", "LG전자", "LG Electronics", 88_400, 163, "전기·전자"),
    _kr("003550", "LG", "LG Corp", 74_300, 157, "기타금융"),
    _kr("017670", "SK텔레콤", "SK Telecom", 52_100, 214, "통신업"),
    _kr("015760", "한국전력", "KEPCO", 21_850, 641, "전기가스업"),
    _kr("034730", "SK", "SK Inc", 163_200, 72, "기타금융"),
    _kr("032830", "삼성생명", "Samsung Life", 89_900, 200, "보험"),
    _kr("096770", "SK이노베이션", "SK innovation", 113_700, 97, "화학"),
    _kr("010130", "고려아연", "Korea Zinc", 498_000, 21, "철강금속"),
    _kr("259960", "크래프톤", "KRAFTON", 312_500, 48, "서비스업"),
    _kr("373220", "LG에너지솔루션", "LG Energy Solution", 381_000, 234, "전기·전자"),
    _kr("003490", "대한항공", "Korean Air", 22_450, 368, "운수창고업"),
    _kr("030200", "KT", "KT", 41_900, 257, "통신업"),
    _kr("010950", "S-Oil", "S-Oil", 58_700, 112, "화학"),
    _kr("042660", "한화오션", "Hanwha Ocean", 68_900, 306, "운수장비"),
    _kr("009830", "한화솔루션", "Hanwha Solutions", 27_350, 171, "화학"),
    # KOSDAQ stocks
    _kr("247540", "에코프로비엠", "ECOPRO BM", 142_300, 97, "일반전기전자", venue=Venue.KOSDAQ),
    _kr("086520", "에코프로", "ECOPRO", 86_700, 133, "금융", venue=Venue.KOSDAQ),
    _kr("196170", "알테오젠", "Alteogen", 351_500, 53, "제약", venue=Venue.KOSDAQ),
    _kr("263750", "펄어비스", "Pearl Abyss", 38_450, 64, "디지털컨텐츠", venue=Venue.KOSDAQ),
    _kr("293490", "카카오게임즈", "Kakao Games", 17_480, 82, "디지털컨텐츠", venue=Venue.KOSDAQ),
    _kr("041510", "에스엠", "SM Entertainment", 78_600, 23, "오락·문화", venue=Venue.KOSDAQ),
    _kr("028300", "HLB", "HLB", 63_200, 131, "유통", venue=Venue.KOSDAQ),
    _kr("403870", "HPSP", "HPSP", 1_985, 82, "반도체", venue=Venue.KOSDAQ),
    # ETFs
    _kr("069500", "KODEX 200", "KODEX 200", 35_125, 130, "ETF", etf=True),
    _kr("102110", "TIGER 200", "TIGER 200", 35_180, 60, "ETF", etf=True),
    _kr("229200", "KODEX 코스닥150", "KODEX KOSDAQ150", 11_235, 150, "ETF", etf=True),
    _kr("122630", "KODEX 레버리지", "KODEX Leverage", 17_890, 210, "ETF", etf=True),
    _kr(
        "252670",
        "KODEX 200선물인버스2X",
        "KODEX 200 Futures Inverse 2X",
        1_887,
        900,
        "ETF",
        etf=True,
    ),
    _kr("360750", "TIGER 미국S&P500", "TIGER US S&P500", 19_975, 220, "ETF", etf=True),
    _kr("133690", "TIGER 미국나스닥100", "TIGER US NASDAQ100", 126_440, 40, "ETF", etf=True),
    # US stocks
    _us("AAPL", "애플", "APPLE INC", "228.5200", 15_204, "Technology", Venue.NASDAQ),
    _us("NVDA", "엔비디아", "NVIDIA CORP", "138.8500", 24_490, "Semiconductors", Venue.NASDAQ),
    _us("TSLA", "테슬라", "TESLA INC", "248.5000", 3_207, "Automobiles", Venue.NASDAQ),
    _us("MSFT", "마이크로소프트", "MICROSOFT CORP", "415.2600", 7_433, "Software", Venue.NASDAQ),
    _us("AMZN", "아마존닷컴", "AMAZON.COM INC", "186.4300", 10_510, "Retail", Venue.NASDAQ),
    _us("GOOGL", "알파벳 A", "ALPHABET INC-CL A", "167.0600", 5_840, "Internet", Venue.NASDAQ),
    _us("META", "메타 플랫폼스", "META PLATFORMS INC", "567.3600", 2_180, "Internet", Venue.NASDAQ),
    _us("AMD", "AMD", "ADVANCED MICRO DEVICES", "152.3000", 1_620, "Semiconductors", Venue.NASDAQ),
    _us("NFLX", "넷플릭스", "NETFLIX INC", "712.9100", 428, "Entertainment", Venue.NASDAQ),
    _us("QQQ", "인베스코 QQQ", "INVESCO QQQ TRUST SERIES 1", "487.1100", 570, "ETF", Venue.NASDAQ),
    _us("CPNG", "쿠팡", "COUPANG INC", "24.1800", 1_790, "Retail", Venue.NYSE),
    _us("JPM", "JP모간체이스", "JPMORGAN CHASE & CO", "208.4400", 2_840, "Banks", Venue.NYSE),
    _us("KO", "코카콜라", "COCA-COLA CO", "69.8700", 4_310, "Beverages", Venue.NYSE),
    _us(
        "BRK/B",
        "버크셔해서웨이 B",
        "BERKSHIRE HATHAWAY INC-CL B",
        "452.1600",
        1_310,
        "Insurance",
        Venue.NYSE,
    ),
    _us("SPY", "SPDR S&P500 ETF", "SPDR S&P 500 ETF TRUST", "573.7600", 920, "ETF", Venue.AMEX),
    _us(
        "SOXL",
        "디렉시온 반도체 3배",
        "DIREXION DAILY SEMICONDUCTOR BULL 3X",
        "31.4500",
        760,
        "ETF",
        Venue.AMEX,
    ),
)

_BY_SYMBOL: Final = {inst.symbol: inst for inst in UNIVERSE}


def find_instrument(symbol: str) -> Instrument | None:
    """The instrument with this code or ticker (case-insensitive for tickers), or None."""
    return _BY_SYMBOL.get(symbol.strip().upper())
