"""Every KIS endpoint the client calls: one row each, with its TR IDs and where it was read.

TR IDs follow ../shared/kis-reference.md (§4, checked 2026-11-24 against the official samples
and python-kis). `virtual=None` means the virtual (모의투자) server does not offer the TR: the
client then reads it from the real side when real keys are configured (market data), or
says so (account data).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

__all__ = ["ENDPOINTS", "Endpoint", "endpoint"]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One KIS REST operation."""

    name: str
    method: Literal["GET", "POST"]
    path: str
    real: str
    virtual: str | None
    doc: str
    kind: Literal["quote", "account", "order"] = "quote"
    page_size_real: int = 0
    page_size_virtual: int = 0

    def tr_id(self, env: Literal["real", "virtual"]) -> str | None:
        return self.real if env == "real" else self.virtual

    @property
    def safe_to_resend(self) -> bool:
        """Reads may be retried and re-sent after a token refresh; orders never are."""
        return self.kind != "order"


_D = "/uapi/domestic-stock/v1"
_O = "/uapi/overseas-price/v1/quotations"
_T = "/uapi/overseas-stock/v1"

_ROWS: Final[tuple[Endpoint, ...]] = (
    # domestic quotations (§4.1)
    Endpoint(
        "price",
        "GET",
        f"{_D}/quotations/inquire-price",
        "FHKST01010100",
        "FHKST01010100",
        "v1_국내주식-008",
    ),
    Endpoint(
        "daily_chart",
        "GET",
        f"{_D}/quotations/inquire-daily-itemchartprice",
        "FHKST03010100",
        "FHKST03010100",
        "v1_국내주식-016",
        page_size_real=100,
        page_size_virtual=100,
    ),
    Endpoint(
        "minute_chart",
        "GET",
        f"{_D}/quotations/inquire-time-itemchartprice",
        "FHKST03010200",
        "FHKST03010200",
        "v1_국내주식-022",
        page_size_real=30,
        page_size_virtual=30,
    ),
    Endpoint(
        "orderbook",
        "GET",
        f"{_D}/quotations/inquire-asking-price-exp-ccn",
        "FHKST01010200",
        "FHKST01010200",
        "v1_국내주식-011",
    ),
    Endpoint(
        "search_info", "GET", f"{_D}/quotations/search-info", "CTPF1604R", None, "v1_국내주식-029"
    ),
    Endpoint(
        "stock_info",
        "GET",
        f"{_D}/quotations/search-stock-info",
        "CTPF1002R",
        None,
        "v1_국내주식-067",
    ),
    Endpoint("holidays", "GET", f"{_D}/quotations/chk-holiday", "CTCA0903R", None, "국내주식-040"),
    # domestic account and orders (§4.2)
    Endpoint(
        "balance",
        "GET",
        f"{_D}/trading/inquire-balance",
        "TTTC8434R",
        "VTTC8434R",
        "v1_국내주식-006",
        "account",
        50,
        20,
    ),
    Endpoint(
        "period_profit",
        "GET",
        f"{_D}/trading/inquire-period-profit",
        "TTTC8708R",
        None,
        "v1_국내주식-052",
        "account",
        100,
        0,
    ),
    Endpoint(
        "daily_orders",
        "GET",
        f"{_D}/trading/inquire-daily-ccld",
        "TTTC0081R",
        "VTTC0081R",
        "v1_국내주식-005",
        "account",
        100,
        15,
    ),
    # the same ledger for orders older than three months (reference §4.2.5)
    Endpoint(
        "daily_orders_old",
        "GET",
        f"{_D}/trading/inquire-daily-ccld",
        "CTSC9215R",
        "VTSC9215R",
        "v1_국내주식-005",
        "account",
        100,
        15,
    ),
    Endpoint(
        "buying_power",
        "GET",
        f"{_D}/trading/inquire-psbl-order",
        "TTTC8908R",
        "VTTC8908R",
        "v1_국내주식-007",
        "account",
    ),
    Endpoint(
        "sellable",
        "GET",
        f"{_D}/trading/inquire-psbl-sell",
        "TTTC8408R",
        None,
        "국내주식-165",
        "account",
    ),
    Endpoint(
        "pending",
        "GET",
        f"{_D}/trading/inquire-psbl-rvsecncl",
        "TTTC0084R",
        None,
        "v1_국내주식-004",
        "account",
        50,
        0,
    ),
    Endpoint(
        "buy",
        "POST",
        f"{_D}/trading/order-cash",
        "TTTC0012U",
        "VTTC0012U",
        "v1_국내주식-001",
        "order",
    ),
    Endpoint(
        "sell",
        "POST",
        f"{_D}/trading/order-cash",
        "TTTC0011U",
        "VTTC0011U",
        "v1_국내주식-001",
        "order",
    ),
    Endpoint(
        "revise",
        "POST",
        f"{_D}/trading/order-rvsecncl",
        "TTTC0013U",
        "VTTC0013U",
        "v1_국내주식-003",
        "order",
    ),
    # overseas quotations (§4.3)
    Endpoint("us_price", "GET", f"{_O}/price", "HHDFS00000300", "HHDFS00000300", "v1_해외주식-009"),
    Endpoint(
        "us_price_detail", "GET", f"{_O}/price-detail", "HHDFS76200200", None, "v1_해외주식-029"
    ),
    Endpoint(
        "us_daily_chart",
        "GET",
        f"{_O}/dailyprice",
        "HHDFS76240000",
        "HHDFS76240000",
        "v1_해외주식-010",
        page_size_real=100,
        page_size_virtual=100,
    ),
    Endpoint(
        "us_minute_chart",
        "GET",
        f"{_O}/inquire-time-itemchartprice",
        "HHDFS76950200",
        None,
        "v1_해외주식-030",
        page_size_real=120,
    ),
    Endpoint(
        "us_orderbook", "GET", f"{_O}/inquire-asking-price", "HHDFS76200100", None, "해외주식-033"
    ),
    Endpoint("us_search_info", "GET", f"{_O}/search-info", "CTPF1702R", None, "v1_해외주식-034"),
    # overseas account and orders (§4.4)
    Endpoint(
        "us_balance",
        "GET",
        f"{_T}/trading/inquire-balance",
        "TTTS3012R",
        "VTTS3012R",
        "v1_해외주식-006",
        "account",
    ),
    Endpoint(
        "us_present_balance",
        "GET",
        f"{_T}/trading/inquire-present-balance",
        "CTRP6504R",
        "VTRP6504R",
        "v1_해외주식-008",
        "account",
    ),
    Endpoint(
        "us_period_profit",
        "GET",
        f"{_T}/trading/inquire-period-profit",
        "TTTS3039R",
        None,
        "v1_해외주식-032",
        "account",
    ),
    Endpoint(
        "us_orders",
        "GET",
        f"{_T}/trading/inquire-ccnl",
        "TTTS3035R",
        "VTTS3035R",
        "v1_해외주식-007",
        "account",
    ),
    Endpoint(
        "us_pending",
        "GET",
        f"{_T}/trading/inquire-nccs",
        "TTTS3018R",
        "VTTS3018R",
        "v1_해외주식-005",
        "account",
    ),
    Endpoint(
        "us_buying_power",
        "GET",
        f"{_T}/trading/inquire-psamount",
        "TTTS3007R",
        "VTTS3007R",
        "v1_해외주식-014",
        "account",
    ),
    Endpoint(
        "us_buy",
        "POST",
        f"{_T}/trading/order",
        "TTTT1002U",
        "VTTT1002U",
        "v1_해외주식-001",
        "order",
    ),
    # the virtual US sell is VTTT1001U, not the V-prefixed real ID (reference §3.4)
    Endpoint(
        "us_sell",
        "POST",
        f"{_T}/trading/order",
        "TTTT1006U",
        "VTTT1001U",
        "v1_해외주식-001",
        "order",
    ),
    Endpoint(
        "us_revise",
        "POST",
        f"{_T}/trading/order-rvsecncl",
        "TTTT1004U",
        "VTTT1004U",
        "v1_해외주식-003",
        "order",
    ),
)

ENDPOINTS: Final[dict[str, Endpoint]] = {row.name: row for row in _ROWS}


def endpoint(name: str) -> Endpoint:
    """The row called `name` (a programmer error if there is none)."""
    return ENDPOINTS[name]
