"""Pacing requests per app key, so that KIS's per-second limit (EGW00201) is rarely met.

KIS counts an app key's requests per second (about 20 real, 2 virtual; reference §3.5), and the
simulator counts them over a sliding one-second window. aiolimiter's `AsyncLimiter(rate, 1)` is
a leaky bucket that admits a burst of `rate` at once and then `rate` per second, so a cold burst
can put up to `2 * rate - 1` requests into one second: over the limit. Here the bucket holds a
single request (`AsyncLimiter(1, 1 / rate)`): requests leave at least `1 / rate` apart, and any
one-second window holds at most `rate` of them. `rate` is the KIS limit times a safety factor
(0.9 by default) because the server sees arrival times, and the network moves requests closer
together than they left.

```python
limiters = Limiters()
limiter = limiters.get(app_key, per_second=2.0)   # shared by every client of that key
async with limiter:
    ...  # send one request
```
"""

from __future__ import annotations

import asyncio
import hashlib
from types import TracebackType
from typing import Final

from aiolimiter import AsyncLimiter

__all__ = ["DEFAULT_SAFETY", "Limiters", "RateLimiter"]

DEFAULT_SAFETY: Final = 0.9


class RateLimiter:
    """Paces one app key: at most `per_second * safety` requests a second, never in bursts."""

    def __init__(self, per_second: float, *, safety: float = DEFAULT_SAFETY) -> None:
        if per_second <= 0:
            raise ValueError("per_second must be positive")
        if not 0 < safety <= 1:
            raise ValueError("safety must be in (0, 1]")
        self.per_second = per_second
        self.rate = per_second * safety
        self._bucket = AsyncLimiter(1, 1 / self.rate)
        self._waiting = 0
        self._last: float | None = None

    @property
    def waiting(self) -> int:
        """How many requests are queued behind the pace right now."""
        return self._waiting

    @property
    def free(self) -> float:
        """The share of one request slot free now: 1.0 means a request may leave at once."""
        if self._waiting:
            return 0.0
        if self._last is None:
            return 1.0
        elapsed = asyncio.get_running_loop().time() - self._last
        return min(1.0, max(0.0, elapsed * self.rate))

    async def acquire(self) -> None:
        """Wait until one more request may leave."""
        self._waiting += 1
        try:
            await self._bucket.acquire()
        finally:
            self._waiting -= 1
        self._last = asyncio.get_running_loop().time()

    async def __aenter__(self) -> None:
        await self.acquire()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def __repr__(self) -> str:
        return f"RateLimiter(per_second={self.per_second}, rate={self.rate:.2f})"


class Limiters:
    """One `RateLimiter` per app key, so that every client of a key shares its pace.

    Keys are held as hashes. Create one per event loop (aiolimiter binds to its loop).
    """

    def __init__(self, *, safety: float = DEFAULT_SAFETY) -> None:
        self._safety = safety
        self._by_key: dict[str, RateLimiter] = {}

    def get(self, app_key: str, per_second: float) -> RateLimiter:
        """The limiter of `app_key`, created at `per_second` on first use."""
        key_id = hashlib.sha256(app_key.encode()).hexdigest()
        limiter = self._by_key.get(key_id)
        if limiter is None:
            limiter = self._by_key[key_id] = RateLimiter(per_second, safety=self._safety)
        elif limiter.per_second != per_second:
            raise ValueError(
                f"this app key is already paced at {limiter.per_second}/s, not {per_second}/s"
            )
        return limiter
