"""Rate limits for the resident pages, per address and per case reference.

Tracking a request is a guess at two secrets, so failed guesses count twice: against the
address that made them and against the reference tried. A few failures make the resident
wait (SLOW), more are refused for the hour (REFUSE). Submissions are limited per address.

The counters are moving windows in the storage of the app's other limits
(frontoffice.rate_limits, FRONTOFFICE_RATELIMIT_STORAGE_URL): Redis, shared by every web
process, through the `limits` library that Flask-Limiter is built on; or, with memory (the
default), each process's own (InProcessWindows). They apply whatever RATELIMIT_ENABLED says,
since they are part of what the pages promise.
"""

from __future__ import annotations

import functools
import os
import threading
import time
from collections import deque
from collections.abc import Callable

from flask import current_app, request
from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from frontoffice import rate_limits

DEFAULTS = {
    "submit": "10 per minute;100 per day",
    "track": "30 per minute;300 per day",
    "guess_slow": "3 per minute",
    "guess_refuse": "10 per hour",
}
KEY = "frontoffice.public_limits"


class InProcessWindows:
    """Moving windows counted in this process, for the in-memory storage (the default): as
    limits' MovingWindowRateLimiter counts on its MemoryStorage, without that storage's
    expiry timer (a new thread started on most hits more than 10 ms apart: 0.2 to 0.6 ms of
    CPU a post) and with one lock for every count (that storage raced starting its timer: a
    resident's "Send request" answered 500). A window idle for its whole length is dropped
    now and then. `now`: seconds on a clock that never goes back (tests set it)."""

    SWEEP_SECONDS = 60.0

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._lock = threading.Lock()
        # window key -> (its length in seconds, its hits' times, the newest last)
        self._windows: dict[str, tuple[int, deque[float]]] = {}
        self._swept = now()

    def _hits(self, item: RateLimitItem, identifiers: tuple[str, ...], now: float, keep=True):
        """The window's hits still inside it; a window is made only for a hit (`keep`), so
        looking (test) never adds one."""
        seconds, key = item.get_expiry(), item.key_for(*identifiers)
        if keep:
            _, hits = self._windows.setdefault(key, (seconds, deque()))
        else:
            _, hits = self._windows.get(key, (seconds, deque()))
        while hits and hits[0] <= now - seconds:
            hits.popleft()
        return hits

    def test(self, item: RateLimitItem, *identifiers: str) -> bool:
        """Would one more fit?"""
        with self._lock:
            return len(self._hits(item, identifiers, self._now(), keep=False)) < item.amount

    def hit(self, item: RateLimitItem, *identifiers: str) -> bool:
        """Counts one unless the window is full; False when it was."""
        with self._lock:
            now = self._now()
            self._sweep(now)
            hits = self._hits(item, identifiers, now)
            if len(hits) >= item.amount:
                return False
            hits.append(now)
            return True

    def _sweep(self, now: float) -> None:
        if now - self._swept < self.SWEEP_SECONDS:
            return
        self._swept = now
        idle = [k for k, (s, hits) in self._windows.items() if not hits or hits[-1] <= now - s]
        for key in idle:
            del self._windows[key]

    def __len__(self) -> int:
        return len(self._windows)

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()


def _limiter() -> MovingWindowRateLimiter | InProcessWindows:
    app = current_app
    if KEY not in app.extensions:
        uri = rate_limits.storage_uri(app.config.get("RATELIMIT_STORAGE_URI"))
        if uri == rate_limits.storage_uri(None):
            app.extensions[KEY] = InProcessWindows()
        else:
            app.extensions[KEY] = MovingWindowRateLimiter(storage_from_string(uri))
    return app.extensions[KEY]


def _items(name: str) -> list[RateLimitItem]:
    text = current_app.config.get(f"PUBLIC_LIMIT_{name.upper()}") or os.environ.get(
        f"FRONTOFFICE_PUBLIC_LIMIT_{name.upper()}", DEFAULTS[name]
    )
    return _parsed(text)


@functools.lru_cache(maxsize=64)
def _parsed(text: str) -> list[RateLimitItem]:
    return parse_many(text)


def address() -> str:
    return f"ip:{request.remote_addr or 'unknown'}"


def allowed(name: str, *keys: str) -> bool:
    limiter = _limiter()
    return all(limiter.test(item, name, key) for item in _items(name) for key in keys)


def hit(name: str, *keys: str) -> bool:
    """Counts one; False when that went past a limit."""
    limiter = _limiter()
    return all([limiter.hit(item, name, key) for item in _items(name) for key in keys])


def reset() -> None:
    """Forgets every count (tests)."""
    limiter = _limiter()
    if isinstance(limiter, InProcessWindows):
        limiter.reset()
    else:
        limiter.storage.reset()
