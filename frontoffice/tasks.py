"""Tasks that belong to no feature. Feature tasks live in their own packages."""

from __future__ import annotations

from functools import lru_cache

from frontoffice import clock
from frontoffice.worker import celery_app


@celery_app.task(name="frontoffice.heartbeat")
def heartbeat() -> str:
    """Beat's proof of life: the worker and beat are running and can reach each other."""
    return clock.now().isoformat()


@celery_app.task(name="frontoffice.noop")
def noop(counter_key: str | None = None) -> None:
    """Does nothing but say it ran: the baseline bench/dispatch.py compares delivery with."""
    if counter_key:
        _redis().incr(counter_key)


@lru_cache(maxsize=1)
def _redis():
    import redis

    return redis.Redis.from_url(celery_app.conf.broker_url)
