"""The outbox rows and their life, without a worker: claims, failures, horizon, breaker."""

from datetime import UTC, datetime, timedelta
from random import Random

import time_machine
from sqlalchemy import select

from frontoffice.access.actor import Actor
from frontoffice.dispatch import delivery, operations
from frontoffice.dispatch.models import AttemptOutcome, Dispatch, DispatchStatus, PartnerAdapter
from frontoffice.dispatch.policy import RetryPolicy
from frontoffice.dispatch.queries import Reach, reach_of
from frontoffice.extensions import db
from frontoffice.routing.operations import route_case
from tests import service_builder
from tests.factories import CaseFactory, PartnerFactory

ACTOR = Actor(None, "test", "")
POLICY = RetryPolicy(
    base_seconds=10, max_delay_seconds=100, horizon=timedelta(minutes=5), breaker_threshold=3
)


def routed_case(*partners):
    case = CaseFactory()
    service_builder.route(case.service, *(partners or [case.owning_partner]))
    db.session.flush()
    return case, route_case(case, ACTOR)


def claim(dispatch_id: int, policy: RetryPolicy = POLICY) -> delivery.Claimed | None:
    """The worker's claim (delivery.claim); the dispatch in the session is read again, so a
    test sees the claim on it."""
    db.session.flush()
    claimed = delivery.claim([dispatch_id], policy)
    operations.load(dispatch_id)
    return claimed[0] if claimed else None


def record_delivered(claimed: delivery.Claimed, reference: str | None = None) -> Dispatch:
    """The partner accepted a claimed dispatch: recorded as the worker records it."""
    (destination,) = delivery.destinations([claimed]).values()
    delivery.record_delivered([delivery.Delivered(claimed, destination, reference, "ok", 1)])
    return operations.load(claimed.id)


def test_routing_writes_one_pending_dispatch_per_partner_in_the_same_transaction():
    north, revs = PartnerFactory(), PartnerFactory()
    case, written = routed_case(north, revs)
    assert [d.partner_id for d in written] == [north.id, revs.id]
    assert all(d.status is DispatchStatus.PENDING and d.adapter_type == "portal" for d in written)
    assert delivery.payload(claim(written[0].id)).idempotency_key == f"dsp-{written[0].id}"
    assert written[0].payload["case_reference"] == case.reference
    assert db.session.info[operations.OUTBOX_KEY] >= {d.id for d in written}
    assert case.owning_partner_id == north.id and case.triage_reason == ""


def test_a_case_no_rule_covers_goes_to_triage_with_no_dispatch():
    case = CaseFactory()
    assert route_case(case, ACTOR) == []
    assert "No routing rule" in case.triage_reason
    assert db.session.scalars(select(Dispatch).where(Dispatch.case_id == case.id)).all() == []


def test_only_one_claim_wins_and_a_delivered_dispatch_is_never_claimed_again():
    _, (dispatch,) = routed_case()
    claimed = claim(dispatch.id)
    assert claimed is not None
    assert claim(dispatch.id) is None, "a fresh claim is held"
    record_delivered(claimed, "X1")
    assert claim(dispatch.id) is None
    assert dispatch.attempts == 1 and dispatch.partner_reference == "X1"


def test_a_stale_claim_from_a_dead_worker_can_be_taken_over():
    _, (dispatch,) = routed_case()
    with time_machine.travel(datetime(2026, 11, 28, 10, 0, tzinfo=UTC), tick=False):
        assert claim(dispatch.id) is not None
    with time_machine.travel(datetime(2026, 11, 28, 10, 3, tzinfo=UTC), tick=False):
        assert dispatch.id in operations.due_for_delivery(now=datetime.now(UTC), policy=POLICY)
        assert claim(dispatch.id) is not None
    assert dispatch.attempts == 2


def test_retryable_failures_back_off_then_dead_letter_past_the_horizon():
    _, (dispatch,) = routed_case()
    start = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    dispatch.window_started_at = start
    with time_machine.travel(start, tick=False):
        claim(dispatch.id)
        next_at = operations.record_failure(
            dispatch, error="503", permanent=False, retry_after=None, duration_ms=1, policy=POLICY
        )
    assert dispatch.status is DispatchStatus.RETRYING
    assert start + timedelta(seconds=5) <= next_at <= start + timedelta(seconds=10)
    with time_machine.travel(start + timedelta(minutes=4, seconds=59), tick=False):
        claim(dispatch.id)
        assert (
            operations.record_failure(
                dispatch,
                error="timeout",
                permanent=False,
                retry_after=None,
                duration_ms=1,
                policy=POLICY,
            )
            is None
        )
    assert dispatch.status is DispatchStatus.DEAD and dispatch.last_error == "timeout"
    assert [a.outcome for a in dispatch.attempts_log] == [
        AttemptOutcome.RETRY,
        AttemptOutcome.RETRY,
    ]


def test_a_permanent_failure_is_dead_at_once_and_a_supervisor_can_send_it_again():
    _, (dispatch,) = routed_case()
    claim(dispatch.id)
    operations.record_failure(
        dispatch,
        error="400 bad service code",
        permanent=True,
        retry_after=None,
        duration_ms=1,
        policy=POLICY,
    )
    assert dispatch.status is DispatchStatus.DEAD
    operations.retry_dead(dispatch)
    assert dispatch.status is DispatchStatus.PENDING and dispatch.dead_at is None


def test_the_breaker_opens_after_consecutive_failures_and_closes_on_success():
    partner = PartnerFactory()
    adapter = PartnerAdapter(
        partner_id=partner.id, name="hook", adapter_type="webhook", settings={}
    )
    db.session.add(adapter)
    db.session.flush()
    dispatches = [routed_case(partner)[1][0] for _ in range(3)]
    for d in dispatches:
        assert d.partner_adapter_id == adapter.id
        claim(d.id)
        operations.record_failure(
            d, error="down", permanent=False, retry_after=None, duration_ms=1, policy=POLICY
        )
    db.session.refresh(adapter)
    assert adapter.consecutive_failures == 3 and adapter.breaker_open_until is not None
    dispatches[0].next_attempt_at = datetime.now(UTC)  # its retry's time has come
    db.session.flush()
    record_delivered(claim(dispatches[0].id))
    db.session.refresh(adapter)
    assert adapter.consecutive_failures == 0 and adapter.breaker_open_until is None


def test_backoff_grows_honours_retry_after_and_is_capped():
    policy = RetryPolicy(base_seconds=10, max_delay_seconds=60)
    rng = Random(1)
    delays = [policy.delay(n, rng=rng) for n in (1, 2, 3, 4, 5, 6)]
    assert 5 <= delays[0] <= 10 and 10 <= delays[1] <= 20 and 20 <= delays[2] <= 40
    assert all(30 <= d <= 60 for d in delays[3:])
    assert policy.delay(1, retry_after=120, rng=rng) == 120


def test_reach_says_in_one_word_whether_a_case_got_to_its_partner():
    d, s, r, x = (
        DispatchStatus.DELIVERED,
        DispatchStatus.PENDING,
        DispatchStatus.DEAD,
        DispatchStatus.CANCELLED,
    )
    assert reach_of([d, d], "") is Reach.DELIVERED
    assert reach_of([d, s], "") is Reach.SENDING
    assert reach_of([d, r], "") is Reach.FAILED
    assert reach_of([x], "") is Reach.NOT_ROUTED
    assert reach_of([], "No routing rule") is Reach.TRIAGE


def test_a_group_claim_takes_only_what_is_free_and_release_gives_it_back():
    north = PartnerFactory()
    cases = [routed_case(north) for _ in range(3)]
    ids = [written[0].id for _, written in cases]
    assert claim(ids[1]) is not None  # another worker holds this one
    taken = [operations.load(c.id) for c in delivery.claim(ids, POLICY)]
    assert [d.id for d in taken] == [ids[0], ids[2]]
    assert all(d.status is DispatchStatus.DELIVERING and d.attempts == 1 for d in taken)
    db.session.info.pop(operations.OUTBOX_KEY, None)
    operations.release(taken[1])
    assert (taken[1].status, taken[1].attempts) == (DispatchStatus.PENDING, 0)
    assert db.session.info[operations.OUTBOX_KEY] == {ids[2]}
    assert [c.id for c in delivery.claim(ids, POLICY)] == [ids[2]]


def test_the_sweeper_takes_a_waiting_dispatch_once_per_lease_not_on_every_sweep():
    _, (dispatch,) = routed_case()
    start = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    lease = timedelta(seconds=POLICY.lease_seconds)
    dispatch.next_attempt_at = start
    db.session.flush()
    assert operations.take_due(now=start, policy=POLICY) == {}, "its own task may be queued"
    assert operations.take_due(now=start + lease / 2, policy=POLICY) == {}
    swept = start + lease + timedelta(seconds=1)
    assert operations.take_due(now=swept, policy=POLICY) == {dispatch.id: dispatch.partner_id}
    assert operations.take_due(now=swept + timedelta(seconds=5), policy=POLICY) == {}
    assert operations.take_due(now=swept + lease, policy=POLICY) == {}
    later = swept + 2 * lease + timedelta(seconds=1)
    assert dispatch.id in operations.take_due(now=later, policy=POLICY)
    assert claim(dispatch.id) is not None, "a swept dispatch is still claimable"


def test_a_retry_whose_task_was_lost_is_swept_and_then_claimed():
    """A claim takes a retry only once its time has come; the sweeper pushes a lost one's
    time a lease on, so it leaves it waiting (pending) for the task it sends."""
    _, (dispatch,) = routed_case()
    dispatch.status = DispatchStatus.RETRYING
    dispatch.next_attempt_at = datetime.now(UTC) + timedelta(minutes=5)
    db.session.flush()
    assert claim(dispatch.id) is None, "not before its retry time"
    dispatch.next_attempt_at = datetime.now(UTC) - 2 * timedelta(seconds=POLICY.lease_seconds)
    db.session.flush()
    assert dispatch.id in operations.take_due(now=datetime.now(UTC), policy=POLICY)
    db.session.refresh(dispatch)
    assert dispatch.status is DispatchStatus.PENDING
    assert claim(dispatch.id) is not None, "the swept retry is claimed by the task sent"
