"""The "Send request" post accepts the request and the worker raises it: the reference is
given at once, tracking works before and after, nothing is lost or made twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from frontoffice import clock, database
from frontoffice.access.actor import Actor
from frontoffice.cases import operations as cases
from frontoffice.cases.ids import reserve_case_id
from frontoffice.cases.models import Case, Channel
from frontoffice.dispatch.models import Dispatch
from frontoffice.extensions import db
from frontoffice.messages.models import ResidentMessage
from frontoffice.public import operations, tasks, unraised
from frontoffice.public.models import AcceptedRequest, WebRequest
from tests import factories as f
from tests.public.conftest import complete

ADVISER = Actor(None, "adviser@example.org", "127.0.0.1")


@pytest.fixture
def nudges(monkeypatch) -> list[int]:
    """The nudges the web sends the worker, kept here and not run: as if the broker lost
    them, or the worker had not got to them yet."""
    sent: list[int] = []
    monkeypatch.setattr(tasks, "enqueue", sent.append)
    return sent


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _send(resident, bins) -> AcceptedRequest:
    _, tokens = complete(resident, bins)
    sent = resident.client.post("/request/check", data=tokens)
    assert sent.headers["Location"] == "/request/done"
    return db.session.scalar(
        select(AcceptedRequest).where(AcceptedRequest.token == tokens["token"])
    )


def _track(resident, reference, secret) -> str:
    page = resident.post("/track", {"reference": reference, "secret": secret})
    return page.get_data(as_text=True)


def _later(monkeypatch, **delta) -> None:
    moved = clock.now() + timedelta(**delta)
    monkeypatch.setattr(clock, "now", lambda: moved)


def test_the_reference_is_given_at_once_and_tracked_before_the_case_is_raised(
    resident, bins, nudges
):
    accepted = _send(resident, bins)
    assert nudges == [accepted.id]
    assert _count(Case) == 0, "the post only accepts the request"
    done = resident.get("/request/done").get_data(as_text=True)
    assert f"<strong>{accepted.reference}</strong>" in done and "ada@example.org" in done

    for secret in ("ada@example.org", "NV1 2AB"):
        page = _track(resident, accepted.reference, secret)
        assert "Report a missed bin collection" in page and "Received" in page
        assert "It will be passed to the team that deals with it shortly" in page
    assert "Received" not in _track(resident, accepted.reference, "someone@example.org")

    assert tasks.raise_request(accepted.id) == accepted.reference
    case = db.session.get(Case, int(accepted.reference.removeprefix("FO-")))
    assert case.channel is Channel.WEB and case.customer.family_name == "Lovelace"
    page = _track(resident, case.reference, "ada@example.org")
    assert "Received" in page and "passed to the team" not in page
    assert "There are no updates yet" in page


def test_the_task_run_twice_makes_one_case_one_email_one_dispatch(resident, bins, nudges):
    accepted = _send(resident, bins)
    reference = accepted.reference
    assert tasks.raise_request(accepted.id) == reference
    assert tasks.raise_request(accepted.id) == "nothing to raise"
    (case,) = db.session.scalars(select(Case)).all()
    assert case.reference == reference
    assert _count(WebRequest) == 1 and _count(AcceptedRequest) == 0
    emails = db.session.scalars(select(ResidentMessage)).all()
    assert len(emails) == 1 and reference in emails[0].body
    assert _count(Dispatch) == (0 if case.triage_reason else 1)


def test_a_double_click_before_the_worker_raises_it_makes_one_request(resident, bins, nudges):
    _, tokens = complete(resident, bins)
    first = resident.client.post("/request/check", data=tokens)
    second = resident.client.post("/request/check", data=tokens)
    assert first.headers["Location"] == second.headers["Location"] == "/request/done"
    assert _count(AcceptedRequest) == 1 and len(nudges) == 1
    tasks.raise_request(nudges[0])
    assert _count(Case) == 1


def test_the_sweeper_raises_a_request_whose_task_was_lost(resident, bins, nudges, monkeypatch):
    accepted = _send(resident, bins)
    accepted_id, reference = accepted.id, accepted.reference
    nudges.clear()  # lost
    assert tasks.sweep() == 0, "its task may still be on its way"
    _later(monkeypatch, minutes=2)
    assert tasks.sweep() == 1 and nudges == [accepted_id]
    assert tasks.sweep() == 0, "not sent again at every sweep"
    assert tasks.raise_request(accepted_id) == reference
    _later(monkeypatch, hours=1)
    assert tasks.sweep() == 0
    assert db.session.scalar(select(Case.id)) == int(reference.removeprefix("FO-"))


def test_the_worker_is_sent_a_request_only_once_its_transaction_has_committed(
    resident, bins, nudges, monkeypatch
):
    accepted = _send(resident, bins)
    assert nudges == [accepted.id]
    nudges.clear()
    kept = db.session.get(AcceptedRequest, accepted.id)
    unraised.raise_again(ADVISER, kept, kept.attempts, None, retry_after=timedelta(minutes=1))
    assert nudges == [], "not before the commit"
    db.session.rollback()
    assert nudges == [], "nor after a rollback"
    kept = db.session.get(AcceptedRequest, accepted.id)
    unraised.raise_again(ADVISER, kept, kept.attempts, None, retry_after=timedelta(minutes=1))
    db.session.commit()
    assert nudges == [accepted.id]
    nudges.clear()
    _later(monkeypatch, minutes=2)
    assert operations.take_due(now=clock.now(), wait=timedelta(minutes=1)) == [accepted.id]
    db.session.rollback()
    assert nudges == [], "a sweep rolled back sends nothing"


def test_raising_that_crashes_is_tried_again_after_longer_each_time_but_within_an_hour(
    resident, bins, nudges, monkeypatch
):
    accepted_id = _send(resident, bins).id
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now)

    def crash(_accepted):
        raise RuntimeError("a bug")

    monkeypatch.setattr(operations, "raise_accepted", crash)

    def crashed_after(attempts: int) -> timedelta:
        db.session.get(AcceptedRequest, accepted_id).attempts = attempts
        db.session.commit()
        with pytest.raises(RuntimeError):
            tasks.raise_request(accepted_id)
        kept = db.session.get(AcceptedRequest, accepted_id)
        assert kept.attempts == attempts + 1 and kept.failure == ""
        return kept.next_attempt_at - now

    assert timedelta(seconds=30) <= crashed_after(0) <= timedelta(seconds=60)
    assert timedelta(seconds=240) <= crashed_after(3) <= timedelta(seconds=480)
    assert timedelta(minutes=30) <= crashed_after(40) <= timedelta(hours=1)


def test_a_request_the_worker_cannot_raise_is_kept_and_shown_to_supervisors(
    resident, bins, nudges, as_role
):
    accepted = _send(resident, bins)
    accepted_id, reference = accepted.id, accepted.reference
    bins.active = False  # withdrawn between the post and the worker
    db.session.commit()
    assert tasks.raise_request(accepted_id) == "cannot raise"
    assert _count(Case) == 0
    kept = db.session.get(AcceptedRequest, accepted_id)
    assert "was withdrawn" in kept.failure
    assert "Received" in _track(resident, reference, "ada@example.org")
    assert tasks.raise_request(accepted_id) == "nothing to raise"
    nudges.clear()
    kept.next_attempt_at = clock.now() - timedelta(hours=1)
    db.session.commit()
    assert tasks.sweep() == 0 and nudges == []

    triage = as_role("supervisor").get("/staff/deliveries/triage").get_data(as_text=True)
    assert reference in triage and "Ada Lovelace" in triage and "was withdrawn" in triage


def test_supervisors_see_a_request_waiting_too_long_for_the_worker(
    resident, bins, nudges, as_role, monkeypatch
):
    reference = _send(resident, bins).reference
    supervisor = as_role("supervisor")
    assert reference not in supervisor.get("/staff/deliveries/triage").get_data(as_text=True)
    _later(monkeypatch, minutes=11)
    triage = supervisor.get("/staff/deliveries/triage").get_data(as_text=True)
    assert reference in triage and "check the worker is running" in triage


def test_a_reserved_id_is_never_given_to_a_case_raised_meanwhile(bins):
    customer = f.CustomerFactory()
    db.session.flush()
    reserved = reserve_case_id()
    # the reservation is held by an accepted request, as the web post keeps it
    db.session.add(
        AcceptedRequest(token="t" * 40, case_id=reserved, service=bins, data={"contact": {}})
    )
    db.session.commit()

    by_phone = cases.raise_case(ADVISER, customer, bins, Channel.PHONE, "Bin missed again")
    two_more = cases.raise_cases(ADVISER, customer, [bins, bins], Channel.PHONE, "Told twice")
    db.session.commit()
    later = cases.raise_case(ADVISER, customer, bins, Channel.WEB, "From the web", case_id=reserved)
    db.session.commit()

    ids = [by_phone.id, *(c.id for c in two_more), later.id]
    assert later.id == reserved and len(set(ids)) == 4
    assert _count(Case) == 4
    assert reserve_case_id() > max(ids), "the next reservation is past every case"


def test_a_run_that_finds_its_case_already_raised_makes_no_second_one(resident, bins, nudges):
    accepted = _send(resident, bins)
    case_id, data = accepted.case_id, dict(accepted.data)
    tasks.raise_request(accepted.id)
    db.session.expunge_all()
    # as if another run had raised it while this one was reading the accepted request
    again = AcceptedRequest(token="u" * 40, case_id=case_id, service=bins, data=data)
    db.session.add(again)
    db.session.commit()
    assert tasks.raise_request(again.id) == "already raised"
    assert _count(Case) == 1 and _count(ResidentMessage) == 1


def test_the_send_request_post_runs_a_fixed_number_of_statements(resident, bins, nudges):
    """The post every resident makes: a statement more is a read added on the busiest path.
    Here, in a test's transaction that wrote the catalogue, the service is read afresh
    (the kept one: tests/public/test_offered_services.py)."""
    from tests.routing.test_statement_counts import ACCEPT_POST_SET_UP_WRITTEN as ACCEPT_POST
    from tests.routing.test_statement_counts import NOT_COUNTED, dialect
    from tests.statements import counted

    _, tokens = complete(resident, bins)
    db.session.expunge_all()  # a request starts with nothing read yet
    db.session.info.pop(database._CACHE_KEY, None)  # nor kept for its transaction
    with counted(not_counted=NOT_COUNTED) as statements:
        sent = resident.client.post("/request/check", data=tokens)
    assert sent.headers["Location"] == "/request/done"
    assert len(statements) == ACCEPT_POST[dialect()], "\n".join(statements)
    assert _count(AcceptedRequest) == 1 and len(nudges) == 1
