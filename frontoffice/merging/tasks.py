"""The duplicate sweep as a periodic task (beat runs it; see worker.py)."""

from __future__ import annotations

import os

from frontoffice.extensions import db
from frontoffice.merging import sweep as duplicate_sweep
from frontoffice.worker import celery_app


@celery_app.task(name="frontoffice.merging.sweep")
def sweep() -> str:
    limit = int(os.environ.get("FRONTOFFICE_DUPLICATE_SWEEP_LIMIT", duplicate_sweep.DEFAULT_LIMIT))
    try:
        result = duplicate_sweep.sweep(db.session, limit=limit)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result.line()
