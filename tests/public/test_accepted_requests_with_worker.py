"""A real worker on Redis raises what the web accepted, and its beat sweeper raises a request
whose nudge the broker never got."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from frontoffice.cases.models import Case
from frontoffice.dispatch.models import Dispatch
from frontoffice.extensions import db
from frontoffice.messages.models import ResidentMessage
from frontoffice.public import tasks
from frontoffice.public.models import AcceptedRequest
from tests import service_builder
from tests.live import live_worker, patched_environ, wait_until
from tests.public.conftest import Resident, complete

pytestmark = pytest.mark.no_db

BINS = SimpleNamespace(code="missed-bin")
SEND_TO_BROKER = tasks.enqueue  # before the test harness runs the task at once instead


@pytest.fixture(autouse=True)
def _through_the_broker(monkeypatch):
    monkeypatch.setattr(tasks, "enqueue", SEND_TO_BROKER)


def _setup(the_app) -> None:
    service_builder.missed_bin(code=BINS.code)


@pytest.fixture(scope="module")
def live(app, database_url, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("intake-live")
    # The web process (this one) and the worker: a lost nudge is swept again after a second.
    with (
        patched_environ({"FRONTOFFICE_INTAKE_RETRY_SECONDS": "1"}),
        live_worker(app, database_url, tmp, "intake", _setup) as running,
    ):
        yield running


def _send(the_app) -> int:
    """One resident's request through the web pages: the reference's case id."""
    with the_app.test_client() as client:
        _, tokens = complete(Resident(client), BINS)
        sent = client.post("/request/check", data=tokens)
        assert sent.headers["Location"] == "/request/done"
    with the_app.app_context():
        case_id = db.session.scalar(
            select(AcceptedRequest.case_id).where(AcceptedRequest.token == tokens["token"])
        )
        db.session.remove()
    assert case_id is not None, "accepted, and not raised in the web process"
    return case_id


def _raised(the_app, case_id: int) -> tuple[int, int, int]:
    """(cases, dispatches, confirmation emails) for the case with this id."""
    with the_app.app_context():
        counts = tuple(
            db.session.scalar(select(func.count()).select_from(model).where(column == case_id))
            for model, column in (
                (Case, Case.id),
                (Dispatch, Dispatch.case_id),
                (ResidentMessage, ResidentMessage.case_id),
            )
        )
        db.session.remove()
    return counts


def test_the_worker_raises_and_routes_what_the_web_accepted(live):
    the_app, worker, _, _ = live
    case_ids = [_send(the_app) for _ in range(3)]
    for case_id in case_ids:
        wait_until(
            lambda case_id=case_id: _raised(the_app, case_id) == (1, 1, 1),
            timeout=30,
            message=worker.log,
        )
    with the_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AcceptedRequest)) == 0
        db.session.remove()


def test_the_sweeper_raises_a_request_whose_nudge_was_lost(live, monkeypatch):
    the_app, worker, _, _ = live
    monkeypatch.setattr(tasks, "enqueue", lambda accepted_id: None)
    case_id = _send(the_app)
    wait_until(lambda: _raised(the_app, case_id) == (1, 1, 1), timeout=30, message=worker.log)
