"""A real worker on Redis raises what the web accepted, and its beat sweeper raises a request
whose nudge the broker never got."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from frontoffice import clock
from frontoffice.cases.models import Case
from frontoffice.catalogue.models import QuestionType, Service, ServiceQuestion
from frontoffice.dispatch.models import Dispatch
from frontoffice.extensions import db
from frontoffice.gazetteer.models import GazetteerAddress
from frontoffice.messages.models import ResidentMessage
from frontoffice.partners.models import Partner, PartnerKind
from frontoffice.public import tasks
from frontoffice.public.models import AcceptedRequest
from frontoffice.routing.models import AreaKind, RoutingRule
from tests.live import live_worker, patched_environ, wait_until
from tests.public.conftest import Resident, complete

pytestmark = pytest.mark.no_db

BINS = SimpleNamespace(code="missed-bin")
SEND_TO_BROKER = tasks.enqueue  # before the test harness runs the task at once instead


@pytest.fixture(autouse=True)
def _through_the_broker(monkeypatch):
    monkeypatch.setattr(tasks, "enqueue", SEND_TO_BROKER)


def _setup(the_app) -> None:
    partner = Partner(code="NORTH", name="Northvale District Council", kind=PartnerKind.DISTRICT)
    db.session.add(partner)
    db.session.flush()
    service = Service(code=BINS.code, name="Report a missed bin", owning_partner_id=partner.id)
    service.questions = [
        ServiceQuestion(
            code="bin",
            label="Which bin was missed?",
            datatype=QuestionType.SINGLEVALUELIST,
            required=True,
            order=1,
            values=[{"key": "grey", "name": "Grey bin"}, {"key": "blue", "name": "Blue bin"}],
        ),
        ServiceQuestion(
            code="details", label="Anything else?", datatype=QuestionType.TEXT, order=2
        ),
    ]
    db.session.add(service)
    db.session.flush()
    rule = RoutingRule(
        service_id=service.id,
        area_kind=AreaKind.ANY,
        area_code="",
        priority=1,
        effective_from=clock.today().replace(year=2020),
    )
    rule.partners = [partner]
    db.session.add_all(
        [
            rule,
            GazetteerAddress(
                uprn="100000000001",
                line_1="1 High Street",
                town="Northvale",
                postcode="NV1 2AB",
                postcode_key="NV12AB",
                district_code="E07000001",
            ),
        ]
    )


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
