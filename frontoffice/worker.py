"""The Celery app: tasks run inside a Flask app context. Queue names and beat live here."""

from __future__ import annotations

from celery import Celery, Task
from flask import Flask

celery_app = Celery("frontoffice")

QUEUE_DEFAULT = "default"


def init_app(app: Flask) -> Celery:
    class AppContextTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app.Task = AppContextTask
    config = dict(app.config["CELERY"])
    celery_app.conf.update(
        broker_url=config["broker_url"],
        result_backend=config["result_backend"],
        task_always_eager=config["task_always_eager"],
        broker_transport_options=config["broker_transport_options"],
        task_default_queue=QUEUE_DEFAULT,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=config["result_backend"] is None,
        broker_connection_retry_on_startup=True,
        beat_schedule={
            "heartbeat": {"task": "frontoffice.heartbeat", "schedule": 60.0},
        },
        include=["frontoffice.tasks"],
    )
    app.extensions["celery"] = celery_app
    return celery_app
