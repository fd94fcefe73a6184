"""The "Send request" post checks the draft against the service and questions the web process
keeps (catalogue.offered, under config_cache's stamp): it reads no catalogue while nothing
changed, and checks against a change an administrator committed in another process at once.
Two apps on one committed database stand for the two processes, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from frontoffice import worker
from frontoffice.catalogue.models import QuestionType, Service, ServiceQuestion
from frontoffice.extensions import db
from frontoffice.partners.models import Partner, PartnerKind
from frontoffice.public import tasks
from frontoffice.public.models import AcceptedRequest
from tests import service_builder
from tests.live import fresh_database, live_app, live_environment
from tests.public.conftest import Resident, complete
from tests.routing.test_statement_counts import ACCEPT_POST
from tests.statements import counted

pytestmark = pytest.mark.no_db
BINS = SimpleNamespace(code="bins")


@pytest.fixture
def processes(app, database_url, tmp_path, monkeypatch) -> Iterator[tuple]:
    """The web process residents post to, and an administrator's, on a fresh database with
    the missed-bin service; nudges to the worker are kept, not sent."""
    monkeypatch.setattr(tasks, "enqueue", lambda accepted_id: None)
    with fresh_database(database_url, tmp_path, "offered") as url:
        env = live_environment(url, tmp_path, FRONTOFFICE_BROKER_URL="memory://")
        web, admin = live_app(env), live_app(env)
        try:
            with admin.app_context():
                partner = Partner(code="NORTH", name="Northvale", kind=PartnerKind.DISTRICT)
                db.session.add(partner)
                db.session.flush()
                service_builder.missed_bin(partner, code="bins")
                db.session.commit()
            yield web, admin
        finally:
            for the_app in (web, admin):
                with the_app.app_context():
                    db.session.remove()
                    db.engine.dispose()
            worker.init_app(app)


def journey(web) -> tuple[Resident, dict[str, str]]:
    """One resident's journey up to check your answers."""
    resident = Resident(web.test_client())
    _, tokens = complete(resident, BINS)
    return resident, tokens


def send(web, walked=None, statements: list[str] | None = None) -> str:
    """A resident's "Send request" post (after their journey): where it sends them."""
    resident, tokens = walked or journey(web)
    with web.app_context():
        engine = db.engine
    with counted(engine) as sent_statements:
        sent = resident.client.post("/request/check", data=tokens)
    if statements is not None:
        statements.extend(sent_statements)
    return sent.headers["Location"]


def accepted(web) -> int:
    with web.app_context():
        try:
            return db.session.scalar(select(func.count()).select_from(AcceptedRequest))
        finally:
            db.session.remove()


def reads(statements: list[str]) -> list[str]:
    return [s for s in statements if s.startswith("SELECT")]


def test_a_second_send_reads_no_catalogue(processes):
    web, _admin = processes
    first: list[str] = []
    second: list[str] = []
    assert send(web, statements=first) == "/request/done"
    assert send(web, statements=second) == "/request/done"
    assert any(s.startswith("SELECT service.") for s in first), "\n".join(first)
    assert not any(s.startswith("SELECT service.") for s in second), "\n".join(second)
    done = [s for s in second if not s.startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"))]
    dialect = web.config["SQLALCHEMY_DATABASE_URI"].split(":")[0].split("+")[0]
    assert len(done) == ACCEPT_POST[dialect], "\n".join(done)
    assert len(reads(second)) == 1  # the draft, its address and the stamp
    assert accepted(web) == 2


def test_a_question_added_elsewhere_is_asked_before_the_next_send(processes):
    web, admin = processes
    assert send(web) == "/request/done"  # the web process keeps the service now
    walked = journey(web)
    with admin.app_context():
        service = db.session.scalar(select(Service).where(Service.code == "bins"))
        db.session.add(
            ServiceQuestion(
                service=service,
                code="side",
                label="Which side of the road?",
                datatype=QuestionType.STRING,
                required=True,
                order=3,
            )
        )
        db.session.commit()
    # answered only the two questions the journey knew of: sent back to the questions
    assert send(web, walked) == "/request/question/1"
    assert accepted(web) == 1


def test_a_choice_withdrawn_elsewhere_is_refused_at_the_next_send(processes):
    web, admin = processes
    assert send(web) == "/request/done"
    walked = journey(web)
    with admin.app_context():
        bin_question = db.session.scalar(
            select(ServiceQuestion).where(ServiceQuestion.code == "bin")
        )
        bin_question.values = [{"key": "blue", "name": "Blue bin"}]  # no grey bin any more
        db.session.commit()
    assert send(web, walked) == "/request/question/1"
    assert accepted(web) == 1


def test_a_service_withdrawn_elsewhere_is_refused_at_the_next_send(processes):
    web, admin = processes
    assert send(web) == "/request/done"
    walked = journey(web)
    with admin.app_context():
        service = db.session.scalar(select(Service).where(Service.code == "bins"))
        service.active = False
        db.session.commit()
    assert "expired=1" in send(web, walked)  # start again: no such service on offer
    assert accepted(web) == 1
