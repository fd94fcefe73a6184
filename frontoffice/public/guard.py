"""Rate limits for the resident pages, per address and per case reference.

Tracking a request is a guess at two secrets, so failed guesses count twice: against the
address that made them and against the reference tried. A few failures make the resident
wait (SLOW), more are refused for the hour (REFUSE). Submissions are limited per address.

The counters live in the same storage as the app's other limits
(FRONTOFFICE_RATELIMIT_STORAGE_URL: memory, or Redis shared by every web process), through
the `limits` library that Flask-Limiter is built on; they apply whatever RATELIMIT_ENABLED
says, since they are part of what the pages promise.
"""

from __future__ import annotations

import contextlib
import os
import threading

from flask import current_app, request
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

DEFAULTS = {
    "submit": "10 per minute;100 per day",
    "track": "30 per minute;300 per day",
    "guess_slow": "3 per minute",
    "guess_refuse": "10 per hour",
}
KEY = "frontoffice.public_limits"
# limits' in-memory storage starts its expiry timer without a lock: two threads of one
# gunicorn worker could both find it stopped and start the same new timer twice
# (RuntimeError: a resident's "Send request" answered 500). One count at a time there.
_MEMORY = threading.Lock()


def _limiter() -> MovingWindowRateLimiter:
    app = current_app
    if KEY not in app.extensions:
        storage = storage_from_string(app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
        app.extensions[KEY] = MovingWindowRateLimiter(storage)
    return app.extensions[KEY]


def _items(name: str) -> list[RateLimitItem]:
    text = current_app.config.get(f"PUBLIC_LIMIT_{name.upper()}") or os.environ.get(
        f"FRONTOFFICE_PUBLIC_LIMIT_{name.upper()}", DEFAULTS[name]
    )
    return parse_many(text)


def address() -> str:
    return f"ip:{request.remote_addr or 'unknown'}"


def _one_at_a_time(limiter: MovingWindowRateLimiter) -> contextlib.AbstractContextManager:
    if isinstance(limiter.storage, MemoryStorage):
        return _MEMORY
    return contextlib.nullcontext()


def allowed(name: str, *keys: str) -> bool:
    limiter = _limiter()
    with _one_at_a_time(limiter):
        return all(limiter.test(item, name, key) for item in _items(name) for key in keys)


def hit(name: str, *keys: str) -> bool:
    """Counts one; False when that went past a limit."""
    limiter = _limiter()
    with _one_at_a_time(limiter):
        return all([limiter.hit(item, name, key) for item in _items(name) for key in keys])


def reset() -> None:
    """Forgets every count (tests)."""
    _limiter().storage.reset()
