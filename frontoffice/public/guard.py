"""Rate limits for the resident pages, per address and per case reference.

Tracking a request is a guess at two secrets, so failed guesses count twice: against the
address that made them and against the reference tried. A few failures make the resident
wait (SLOW), more are refused for the hour (REFUSE). Submissions are limited per address.

The counters live in the same kind of storage as the app's other limits
(frontoffice.rate_limits: memory, or Redis shared by every web process), through the `limits`
library that Flask-Limiter is built on; they apply whatever RATELIMIT_ENABLED says, since they
are part of what the pages promise.
"""

from __future__ import annotations

import os

from flask import current_app, request
from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

DEFAULTS = {
    "submit": "10 per minute;100 per day",
    "track": "30 per minute;300 per day",
    "guess_slow": "3 per minute",
    "guess_refuse": "10 per hour",
}
KEY = "frontoffice.public_limits"


def _limiter() -> MovingWindowRateLimiter:
    app = current_app
    if KEY not in app.extensions:
        storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
        app.extensions[KEY] = MovingWindowRateLimiter(storage)
    return app.extensions[KEY]


def _items(name: str) -> list[RateLimitItem]:
    text = current_app.config.get(f"PUBLIC_LIMIT_{name.upper()}") or os.environ.get(
        f"FRONTOFFICE_PUBLIC_LIMIT_{name.upper()}", DEFAULTS[name]
    )
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
    _limiter().storage.reset()
