"""A worker's group of dispatches, in this process against real local receivers: claimed once,
called, recorded; a changed adapter is seen by the next task; a partner failing in a row is
not called for the rest of the group."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from frontoffice import clock
from frontoffice.access.actor import Actor
from frontoffice.cases.models import CaseEvent, CaseEventKind
from frontoffice.crypto import encrypt_json
from frontoffice.dispatch import delivery, tasks
from frontoffice.dispatch.models import AttemptOutcome, Dispatch, DispatchStatus, PartnerAdapter
from frontoffice.dispatch.policy import RetryPolicy
from frontoffice.extensions import db
from frontoffice.routing.operations import route_case
from tests import service_builder
from tests.factories import CaseFactory, PartnerFactory, ServiceFactory
from tests.partner_servers import WebhookReceiver
from tests.statements import counted

ACTOR = Actor(None, "test", "")
POLICY = RetryPolicy(base_seconds=10, max_delay_seconds=100, breaker_threshold=3)
SECRET = "first-secret-for-tests"


@pytest.fixture
def receivers():
    with WebhookReceiver() as first, WebhookReceiver() as second:
        yield first, second


def webhook_partner(app, url, secret=SECRET):
    partner = PartnerFactory(name="Northvale District Council")
    adapter = PartnerAdapter(
        partner_id=partner.id,
        name="webhook",
        adapter_type="webhook",
        settings={"url": url, "timeout": 5},
        secret_settings=encrypt_json(app.config["SECRET_KEY"], {"secret": secret}),
    )
    db.session.add(adapter)
    service = ServiceFactory(owning_partner=partner)
    service_builder.route(service, partner)
    db.session.flush()
    return partner, adapter, service


def dispatches(service, n):
    return [route_case(CaseFactory(service=service), ACTOR)[0] for _ in range(n)]


def test_a_group_is_delivered_once_and_recorded_on_the_dispatch_and_the_timeline(app, receivers):
    first, _ = receivers
    first.secret = SECRET
    partner, adapter, service = webhook_partner(app, first.url)
    adapter.consecutive_failures = 2  # failing before: a delivery resets its breaker
    written = dispatches(service, 3)
    db.session.commit()
    ids = [d.id for d in written]

    assert tasks.deliver_group(ids, POLICY) == ["delivered"] * 3
    assert tasks.deliver_group(ids, POLICY) == ["not claimed"] * 3, "claimed only once"

    assert first.bad_signatures == 0 and sorted(first.received) == [f"dsp-{i}" for i in ids]
    assert sum(first.attempts.values()) == 3
    for dispatch in db.session.scalars(select(Dispatch).where(Dispatch.id.in_(ids))):
        assert dispatch.status is DispatchStatus.DELIVERED and dispatch.delivered_at
        assert dispatch.partner_reference == f"P-dsp-{dispatch.id}"
        assert dispatch.next_attempt_at is None and dispatch.attempts == 1
        (attempt,) = dispatch.attempts_log
        assert (attempt.outcome, attempt.number) == (AttemptOutcome.DELIVERED, 1)
        assert "accepted" in attempt.detail
        (event,) = db.session.scalars(
            select(CaseEvent).where(
                CaseEvent.case_id == dispatch.case_id, CaseEvent.kind == CaseEventKind.DISPATCHED
            )
        )
        assert event.note == (
            f"Delivered to Northvale District Council by webhook "
            f"(their reference P-dsp-{dispatch.id})"
        )
        assert event.details == {"dispatch_id": dispatch.id, "attempt": 1, "partner_id": partner.id}
    db.session.refresh(adapter)
    assert adapter.consecutive_failures == 0 and adapter.breaker_open_until is None


def test_a_changed_url_or_secret_is_used_by_the_next_task(app, receivers):
    first, second = receivers
    first.secret = SECRET
    second.secret = "second-secret-for-tests"
    _, adapter, service = webhook_partner(app, first.url)
    (one,) = dispatches(service, 1)
    db.session.commit()
    assert tasks.deliver_group([one.id], POLICY) == ["delivered"]

    (two,) = dispatches(service, 1)  # written after: the first task would have taken it
    adapter.settings = {"url": second.url, "timeout": 5}
    adapter.secret_settings = encrypt_json(app.config["SECRET_KEY"], {"secret": second.secret})
    db.session.commit()
    assert tasks.deliver_group([two.id], POLICY) == ["delivered"]

    assert list(first.received) == [f"dsp-{one.id}"]
    assert list(second.received) == [f"dsp-{two.id}"]
    assert first.bad_signatures == second.bad_signatures == 0, "signed with the new secret"


def test_secrets_are_decrypted_once_per_stored_text(app, monkeypatch):
    calls = []
    real = delivery.decrypt_json
    monkeypatch.setattr(delivery, "decrypt_json", lambda *a: calls.append(a) or real(*a))
    key = app.config["SECRET_KEY"]
    token, other = encrypt_json(key, {"secret": "a" * 16}), encrypt_json(key, {"secret": "a" * 16})
    assert delivery._secrets(key, token) == delivery._secrets(key, token) == {"secret": "a" * 16}
    assert delivery._secrets(key, other) == {"secret": "a" * 16}
    assert len(calls) == 2


def test_a_partner_failing_in_a_row_is_not_called_for_the_rest_of_the_group(app, receivers):
    first, _ = receivers
    first.status_code = 500
    _, adapter, service = webhook_partner(app, first.url)
    written = dispatches(service, 6)
    db.session.commit()
    ids = [d.id for d in written]

    outcomes = tasks.deliver_group(ids, POLICY)

    assert outcomes == ["retrying"] * 3 + ["released"] * 3
    assert sum(first.attempts.values()) == POLICY.breaker_threshold
    db.session.refresh(adapter)
    assert adapter.breaker_open_until is not None and adapter.breaker_open_until > clock.now()
    released = db.session.scalars(select(Dispatch).where(Dispatch.id.in_(ids[3:]))).all()
    assert all(d.status is DispatchStatus.PENDING and d.attempts == 0 for d in released)
    # The next task finds the breaker open: the partner is not called.
    assert tasks.deliver_group(ids[3:], POLICY) == ["deferred"] * 3
    assert sum(first.attempts.values()) == POLICY.breaker_threshold


def test_a_claim_held_by_another_worker_is_not_taken_until_its_lease_runs_out(app, receivers):
    first, _ = receivers
    _, _, service = webhook_partner(app, first.url)
    (dispatch,) = dispatches(service, 1)
    db.session.commit()
    assert [c.id for c in delivery.claim([dispatch.id], POLICY)] == [dispatch.id]
    assert delivery.claim([dispatch.id], POLICY) == []
    later = RetryPolicy(lease_seconds=-1)  # as if the first worker died a lease ago
    (taken,) = delivery.claim([dispatch.id], later)
    assert taken.attempts == 2 and taken.payload["case_reference"]
    row = db.session.get(Dispatch, dispatch.id, populate_existing=True)
    assert row.status is DispatchStatus.DELIVERING and row.attempts == 2


# Statements a worker runs for a group of deliveries to one partner, whatever its size: the
# claim with what the calls need (one statement on PostgreSQL, claim then destinations on
# SQLite), then the statuses, attempts and timeline entries. Lower it when you cut one.
GROUP_STATEMENTS = {"postgresql": 4, "sqlite": 5}
_NOT_COUNTED = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT")


@pytest.mark.parametrize("size", [1, 3])
def test_a_group_runs_a_fixed_number_of_statements(app, receivers, size):
    first, _ = receivers
    first.secret = SECRET
    _, adapter, service = webhook_partner(app, first.url)
    ids = [d.id for d in dispatches(service, size)]
    db.session.commit()
    with counted(not_counted=_NOT_COUNTED) as statements:
        assert tasks.deliver_group(ids, POLICY) == ["delivered"] * size
    dialect = db.session.get_bind().dialect.name
    assert len(statements) == GROUP_STATEMENTS[dialect], "\n".join(statements)
    assert sorted(first.received) == [f"dsp-{i}" for i in ids]
    events = db.session.scalars(
        select(CaseEvent).where(CaseEvent.kind == CaseEventKind.DISPATCHED)
    ).all()
    assert {e.details["dispatch_id"]: e.note for e in events} == {
        i: f"Delivered to Northvale District Council by webhook (their reference P-dsp-{i})"
        for i in ids
    }


# A worker that is behind: the first task for a partner takes that partner's other due
# dispatches, up to a group, so the tasks queued for them find nothing to do.


def test_a_task_takes_its_partners_other_due_dispatches_in_order(app, receivers):
    first, second = receivers
    first.secret = SECRET
    _, _, service = webhook_partner(app, first.url)
    written = dispatches(service, 4)
    _, _, elsewhere = webhook_partner(app, second.url)
    (other_partners,) = dispatches(elsewhere, 1)
    db.session.commit()
    ids = [d.id for d in written]

    assert tasks.deliver_group([ids[2]], POLICY) == ["delivered"] * 4

    assert list(first.received) == [f"dsp-{i}" for i in ids], "oldest first, each once"
    assert not second.received, "another partner's dispatch keeps its own task"
    assert db.session.get(Dispatch, other_partners.id).status is DispatchStatus.PENDING
    rows = db.session.scalars(select(Dispatch).where(Dispatch.id.in_(ids))).all()
    assert all(d.status is DispatchStatus.DELIVERED and d.attempts == 1 for d in rows)
    events = db.session.scalars(
        select(CaseEvent).where(CaseEvent.kind == CaseEventKind.DISPATCHED)
    ).all()
    assert sorted(e.details["dispatch_id"] for e in events) == ids


def test_a_task_does_not_take_what_is_not_due_or_held_or_past_a_group(app, receivers, monkeypatch):
    first, _ = receivers
    _, _, service = webhook_partner(app, first.url)
    named, waiting, retrying, held, *fresh = dispatches(service, 7)
    waiting.next_attempt_at = clock.now() + timedelta(minutes=1)  # as the sweeper leaves it
    retrying.status = DispatchStatus.RETRYING  # its own task comes at its retry time
    retrying.next_attempt_at = clock.now() - timedelta(seconds=1)
    held.status = DispatchStatus.DELIVERING  # another worker is calling the partner
    held.claimed_at = clock.now()
    db.session.commit()
    monkeypatch.setattr(tasks, "GROUP_SIZE", 3)

    assert tasks.deliver_group([named.id], POLICY) == ["delivered"] * 3

    assert list(first.received) == [f"dsp-{d.id}" for d in (named, *fresh[:2])]
    states = {d.id: d.status for d in db.session.scalars(select(Dispatch))}
    assert states[waiting.id] is DispatchStatus.PENDING
    assert states[retrying.id] is DispatchStatus.RETRYING
    assert states[held.id] is DispatchStatus.DELIVERING
    assert states[fresh[2].id] is DispatchStatus.PENDING, "a group is at most GROUP_SIZE"


def test_a_failing_partners_task_takes_only_its_own(app, receivers):
    first, _ = receivers
    _, adapter, service = webhook_partner(app, first.url)
    adapter.consecutive_failures = 1  # not yet enough to open its breaker
    one, two = dispatches(service, 2)
    db.session.commit()

    assert tasks.deliver_group([one.id], POLICY) == ["delivered"]

    assert list(first.received) == [f"dsp-{one.id}"]
    assert db.session.get(Dispatch, two.id).status is DispatchStatus.PENDING


def test_a_task_whose_dispatches_were_taken_does_nothing_but_look(app, receivers):
    first, _ = receivers
    _, _, service = webhook_partner(app, first.url)
    one, two = dispatches(service, 2)
    db.session.commit()
    assert tasks.deliver_group([one.id], POLICY) == ["delivered"] * 2
    later = two.id
    with counted(not_counted=_NOT_COUNTED) as statements:
        assert tasks.deliver_group([later], POLICY) == ["not claimed"]

    assert len(statements) == 1, "\n".join(statements)  # the claim that found nothing
    assert sum(first.attempts.values()) == 2, "the partner is not called again"
    row = db.session.get(Dispatch, later, populate_existing=True)
    assert row.status is DispatchStatus.DELIVERED and row.attempts == 1
    assert len(row.attempts_log) == 1


def test_a_retry_is_not_called_before_its_time_by_a_task_still_queued_for_it(app, receivers):
    """`two`'s task takes `one` too, whose own task is still queued; the call to `one`
    fails and it waits for its retry. That queued task must not call the partner early."""
    first, _ = receivers
    _, _, service = webhook_partner(app, first.url)
    one, two = dispatches(service, 2)
    db.session.commit()
    first.failures_left = 1  # the first call, `one`'s (oldest first)

    assert tasks.deliver_group([two.id], POLICY) == ["delivered", "retrying"]
    assert db.session.get(Dispatch, one.id).status is DispatchStatus.RETRYING

    assert tasks.deliver_group([one.id], POLICY) == ["not claimed"]
    assert first.attempts[f"dsp-{one.id}"] == 1, "not called again before its retry time"

    row = db.session.get(Dispatch, one.id, populate_existing=True)
    row.next_attempt_at = clock.now() + timedelta(seconds=1)  # its own retry task, a bit early
    db.session.commit()
    assert tasks.deliver_group([one.id], POLICY) == ["delivered"]
    assert list(first.received) == [f"dsp-{two.id}", f"dsp-{one.id}"]
