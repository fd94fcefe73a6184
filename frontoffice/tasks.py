"""Tasks that belong to no feature. Feature tasks live in their own packages."""

from __future__ import annotations

from frontoffice import clock
from frontoffice.worker import celery_app


@celery_app.task(name="frontoffice.heartbeat")
def heartbeat() -> str:
    """Beat's proof of life: the worker and beat are running and can reach each other."""
    return clock.now().isoformat()
