"""A logging filter that blanks known secrets: app keys and secrets, tokens, approval keys.

Errors and log calls never include secrets in the first place; this is the second line. Install
it on the handlers (a filter on a logger does not see records of its children):

```python
redact = RedactSecrets([app_key, app_secret, bot_token])
for handler in logging.getLogger().handlers:
    handler.addFilter(redact)
```
`KisAuth` adds the tokens and approval keys it obtains when given the same filter.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Final

__all__ = ["MASK", "RedactSecrets"]

MASK: Final = "***"
MIN_SECRET_LENGTH: Final = 8  # shorter values would blank ordinary words


class RedactSecrets(logging.Filter):
    """Replaces every registered secret in a record's message, traceback and stack with `***`."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._secrets: tuple[str, ...] = ()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        """Redact `secret` from now on (values shorter than 8 characters are ignored)."""
        if len(secret) < MIN_SECRET_LENGTH:
            return
        with self._lock:
            if secret not in self._secrets:
                # longest first, so a secret containing another is blanked whole
                self._secrets = tuple(sorted((*self._secrets, secret), key=len, reverse=True))

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True
