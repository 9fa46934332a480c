"""Every error kisbot raises on purpose, grouped by who is at fault and what to do about it.

```
KisbotError                      every error we raise on purpose
├── ConfigError                  bad or missing settings; fatal at startup
├── InputError                   the user asked for something malformed (qty ≤ 0, bad symbol)
├── DomainRuleError              our rules said no
│   ├── RiskLimitExceeded        an order over a configured limit
│   └── PreviewExpired           an order confirmation came after its preview expired
└── BrokerError                  the broker side (KIS or the simulator)
    ├── BrokerUnavailable        transport failures, timeouts, 5xx, maintenance   [retryable]
    │   └── RateLimited          too many requests (KIS EGW00201)                 [retryable]
    ├── AuthError                bad app key or secret, or a token that could not be renewed
    ├── OrderStateUnknown        order sent, outcome unknown (timeout after send) → reconcile
    └── BrokerRejected           the broker answered "no"; carries its code and message
        ├── MarketClosed         the market is not open for this order
        ├── NotFound             no such symbol or order
        ├── InsufficientFunds    not enough cash, or not enough sellable shares
        └── InvalidOrder         tick, lot, price-limit or order-type violations
```

Programmer errors stay built-in (`TypeError`, `RuntimeError`, `AssertionError`), so
`except KisbotError` never hides a bug. Each class has a stable `code` that adapters map to
words (`telegram/format.py`); services raise, they never format. `retryable` says whether a
read may be tried again as it is. The broker adapter (`kisbot/kis/errors.py`) subclasses these
with its own details; services catch the names here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import ClassVar, Literal

__all__ = [
    "AuthError",
    "BrokerError",
    "BrokerRejected",
    "BrokerUnavailable",
    "ConfigError",
    "DomainRuleError",
    "InputError",
    "InsufficientFunds",
    "InvalidOrder",
    "KisbotError",
    "MarketClosed",
    "NotFound",
    "OrderStateUnknown",
    "PreviewExpired",
    "RateLimited",
    "RiskLimitExceeded",
    "SentOrder",
]


class KisbotError(Exception):
    """Base of every error kisbot raises on purpose."""

    code: ClassVar[str] = "error"
    retryable: ClassVar[bool] = False


class ConfigError(KisbotError):
    """Settings are missing or invalid; raised at startup, and the message names the field."""

    code = "config"


class InputError(KisbotError):
    """The user asked for something malformed: a quantity ≤ 0, a symbol that cannot exist."""

    code = "input"


class DomainRuleError(KisbotError):
    """One of kisbot's own rules refused the request before anything reached the broker."""

    code = "rule"


class RiskLimitExceeded(DomainRuleError):
    """An order would exceed a configured risk limit (amount, share of the account, …)."""

    code = "risk_limit"


class PreviewExpired(DomainRuleError):
    """An order was confirmed after its preview had expired; the user must preview again."""

    code = "preview_expired"


class BrokerError(KisbotError):
    """Raised when the broker side fails or refuses; `broker_code`/`broker_message` say how."""

    code = "broker"

    def __init__(
        self, message: str = "", *, broker_code: str = "", broker_message: str = ""
    ) -> None:
        super().__init__(message)
        self.broker_code = broker_code
        self.broker_message = broker_message


class BrokerUnavailable(BrokerError):
    """The broker could not be reached or failed on its side (transport, timeout, 5xx)."""

    code = "broker_unavailable"
    retryable = True


class RateLimited(BrokerUnavailable):
    """The broker refused a request for exceeding its rate; wait and try again."""

    code = "rate_limited"


class AuthError(BrokerError):
    """The broker refused our credentials, or an access token could not be obtained."""

    code = "auth"


@dataclass(frozen=True, slots=True)
class SentOrder:
    """An order as it was sent: enough to find it among today's orders when its fate is unknown.

    `side` is "buy" or "sell"; `price` is `None` for a market order; `venue` is the exchange
    code the order went to ("KRX", "NASD", …); `order_type` the broker's order-type code;
    `tr_id` the broker transaction that carried it; `account` the account number it was for;
    `original_no` the order a modify or cancel was for ("" for a new order).
    """

    symbol: str
    side: Literal["buy", "sell"]
    qty: int
    price: Decimal | None
    sent_at: datetime
    venue: str = ""
    order_type: str = ""
    tr_id: str = ""
    account: str = ""
    original_no: str = ""


class OrderStateUnknown(BrokerError):
    """An order may have reached the broker but no answer came back: reconcile, never re-send."""

    code = "order_state_unknown"

    def __init__(self, message: str = "", *, order: SentOrder) -> None:
        super().__init__(message)
        self.order = order


class BrokerRejected(BrokerError):
    """The broker answered and said no; `broker_code` and `broker_message` carry its reason."""

    code = "rejected"


class MarketClosed(BrokerRejected):
    """The market this order is for is not open now."""

    code = "market_closed"


class NotFound(BrokerRejected):
    """The broker knows no such symbol or order."""

    code = "not_found"


class InsufficientFunds(BrokerRejected):
    """Not enough cash for a buy, or not enough sellable shares for a sell."""

    code = "insufficient_funds"


class InvalidOrder(BrokerRejected):
    """The order breaks a market rule: tick size, lot, daily price limit or order type."""

    code = "invalid_order"
