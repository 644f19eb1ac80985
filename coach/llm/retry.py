"""Backoff, Retry-After and a shared gate so that one 429 pauses every concurrent request."""

from __future__ import annotations

import asyncio
import random
import time
from email.utils import parsedate_to_datetime
from typing import Any


def backoff_delay(attempt: int, base: float, cap: float) -> float:
    """Exponential backoff with jitter for retry number ``attempt`` (1 for the first retry)."""
    if base <= 0:
        return 0.0
    delay = min(cap, base * 2 ** (attempt - 1))
    return delay * (0.75 + random.random() * 0.5)


def parse_retry_after(headers: Any) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``retry-after`` (seconds or an HTTP date)."""
    if headers is None:
        return None
    try:
        ms = headers.get("retry-after-ms")
        if ms is not None:
            return max(0.0, float(ms) / 1000)
        value = headers.get("retry-after")
    except Exception:  # an odd headers object: no hint
        return None
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, IndexError):
        return None


class RateGate:
    """Requests wait at the gate; a rate-limited reply closes it for everyone until Retry-After has passed."""

    def __init__(self) -> None:
        self._open_at = 0.0

    def block(self, seconds: float) -> None:
        self._open_at = max(self._open_at, time.monotonic() + seconds)

    @property
    def blocked_for(self) -> float:
        return max(0.0, self._open_at - time.monotonic())

    async def wait(self) -> None:
        while (delay := self.blocked_for) > 0:
            await asyncio.sleep(delay)
