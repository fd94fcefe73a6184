"""The rate limits' storage, FRONTOFFICE_RATELIMIT_STORAGE_URL: Redis, shared by every web
process, for the staff sign-in limit (Flask-Limiter) and the resident pages' limits
(public/guard.py); or memory, where the sign-in limit counts in ours (ThreadSafeMemoryStorage)
and the resident pages in their own windows (guard.InProcessWindows)."""

from __future__ import annotations

import threading
from typing import Any

from limits.storage import MemoryStorage

SCHEME = "frontoffice-memory"


class ThreadSafeMemoryStorage(MemoryStorage):
    """limits' in-memory storage starts its expiry timer without a lock: two threads of one
    gunicorn worker could both find it stopped and start the same new timer twice
    (RuntimeError: a sign-in answered 500). Here the calls
    that may start it take turns."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any):
        self._turns = threading.RLock()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        with self._turns:
            return super().incr(key, expiry, amount)

    def decr(self, key: str, amount: int = 1) -> int:
        with self._turns:
            return super().decr(key, amount)

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        with self._turns:
            return super().acquire_entry(key, limit, expiry, amount)


def storage_uri(url: str | None) -> str:
    """What Flask-Limiter and the guard are given for a storage URL: memory is ours."""
    if not url or url.partition("://")[0] == "memory":
        return f"{SCHEME}://"
    return url
