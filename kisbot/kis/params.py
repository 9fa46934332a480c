"""Request vocabulary shared by every operation module: exchange codes and common params."""

from __future__ import annotations

from typing import Final

from kisbot.domain.models import Market

__all__ = ["MAX_PAGES", "US_ORDER_CODES", "US_QUOTE_CODES", "kr_params", "us_params"]

MAX_PAGES: Final = 50  # a bound on every tr_cont/date paging loop

# Quotation exchange codes (EXCD, 3 letters) per market (reference §7).
US_QUOTE_CODES: Final[dict[Market, str]] = {
    Market.NASDAQ: "NAS",
    Market.NYSE: "NYS",
    Market.AMEX: "AMS",
}
# Trading exchange codes (OVRS_EXCG_CD, 4 letters): a different family, not to be mixed.
US_ORDER_CODES: Final[dict[Market, str]] = {
    Market.NASDAQ: "NASD",
    Market.NYSE: "NYSE",
    Market.AMEX: "AMEX",
}


def kr_params(symbol: str) -> dict[str, str]:
    """The KRX market and code of a domestic quotation request."""
    return {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": symbol}


def us_params(market: Market, symbol: str) -> dict[str, str]:
    """AUTH, EXCD and SYMB of an overseas quotation request."""
    return {"AUTH": "", "EXCD": US_QUOTE_CODES[market], "SYMB": symbol}
