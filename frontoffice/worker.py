"""The Celery app: tasks run inside a Flask app context. Queue names and beat live here."""

from __future__ import annotations

import os

from celery import Celery, Task
from flask import Flask
from kombu import Exchange, Queue

celery_app = Celery("frontoffice")

QUEUE_DEFAULT = "default"
QUEUE_DISPATCH = "dispatch"  # deliveries to partners, apart from housekeeping


def init_app(app: Flask) -> Celery:
    class AppContextTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app.Task = AppContextTask
    config = dict(app.config["CELERY"])
    prefix = config.get("queue_prefix", "")
    if celery_app.conf.broker_url not in (None, config["broker_url"]):
        _forget_connections()
    sweep_seconds = float(os.environ.get("FRONTOFFICE_SWEEP_SECONDS", "30"))
    celery_app.conf.update(
        broker_url=config["broker_url"],
        result_backend=config["result_backend"],
        task_always_eager=config["task_always_eager"],
        broker_transport_options=config["broker_transport_options"],
        task_default_queue=prefix + QUEUE_DEFAULT,
        task_queues=tuple(
            Queue(prefix + name, Exchange(prefix + name), routing_key=prefix + name)
            for name in (QUEUE_DEFAULT, QUEUE_DISPATCH)
        ),
        task_routes={
            "frontoffice.dispatch.deliver": {"queue": prefix + QUEUE_DISPATCH},
            "frontoffice.dispatch.deliver_batch": {"queue": prefix + QUEUE_DISPATCH},
            "frontoffice.partner_webhooks.deliver": {"queue": prefix + QUEUE_DISPATCH},
            "frontoffice.chasing.send": {"queue": prefix + QUEUE_DISPATCH},
        },
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=config["result_backend"] is None,
        broker_connection_retry_on_startup=True,
        beat_schedule={
            "heartbeat": {"task": "frontoffice.heartbeat", "schedule": 60.0},
            "dispatch-sweep": {
                "task": "frontoffice.dispatch.sweep",
                "schedule": sweep_seconds,
            },
            "messages-sweep": {
                "task": "frontoffice.messages.sweep",
                "schedule": sweep_seconds,
            },
            "intake-sweep": {
                "task": "frontoffice.public.sweep",
                "schedule": sweep_seconds,
            },
            "partner-webhooks-sweep": {
                "task": "frontoffice.partner_webhooks.sweep",
                "schedule": sweep_seconds,
            },
            "acknowledgement-chase": {
                "task": "frontoffice.chasing.chase_overdue",
                "schedule": float(os.environ.get("FRONTOFFICE_CHASE_SECONDS", "3600")),
            },
            "duplicate-sweep": {
                "task": "frontoffice.merging.sweep",
                "schedule": float(os.environ.get("FRONTOFFICE_DUPLICATE_SWEEP_SECONDS", "900")),
            },
            "partner-updates": {
                "task": "frontoffice.dispatch.read_partner_updates",
                "schedule": float(os.environ.get("FRONTOFFICE_PARTNER_UPDATES_SECONDS", "300")),
            },
        },
        include=[
            "frontoffice.tasks",
            "frontoffice.dispatch.tasks",
            "frontoffice.messages.tasks",
            "frontoffice.partner_webhooks.tasks",
            "frontoffice.chasing.tasks",
            "frontoffice.merging.tasks",
            "frontoffice.public.tasks",
        ],
    )
    app.extensions["celery"] = celery_app
    # Naming the broker imports its transport (for Redis: kombu's and redis-py's modules,
    # a few tenths of a second). Do it at start-up, not in the first request of each web
    # process that sends a task. Nothing connects yet.
    celery_app.connection_for_write().release()
    import frontoffice.chasing.tasks  # noqa: F401 - and for reminders to acknowledge
    import frontoffice.dispatch.tasks  # noqa: F401 - registers tasks and the outbox hook
    import frontoffice.merging.tasks  # noqa: F401 - the duplicate sweep
    import frontoffice.messages.tasks  # noqa: F401 - the same for residents' messages
    import frontoffice.partner_webhooks.tasks  # noqa: F401 - and for partners' webhooks
    import frontoffice.public.tasks  # noqa: F401 - raising residents' accepted requests

    return celery_app


def _forget_connections() -> None:
    """Another broker (tests run several apps in one process): Celery keeps the connection
    and producer pools of the first broker it used, so nudges after commit would still go
    there. Forgotten as Celery itself does after a fork; not closed, since kombu's registry
    hands the same pool out again when that broker comes back."""
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
