"""The rules for whom to chase and when: one working-day clock, at most N chases, then
escalation; never an acknowledged, undelivered, finished or stopped case."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from frontoffice.audit.models import AuditEvent
from frontoffice.cases.models import CaseEvent, CaseEventKind
from frontoffice.cases.status import CaseStatus
from frontoffice.chasing import operations, selection
from frontoffice.chasing.models import Chase, ChaseEnd, ChaseEndKind, ChaseStatus
from frontoffice.chasing.policy import ChasePolicy
from frontoffice.dispatch.models import DispatchStatus
from frontoffice.extensions import db
from tests.chasing.world import ACTOR, MONDAY, at, delivered_case, dispatches, partner_with

POLICY = ChasePolicy(interval_working_days=2, max_chases=3)


@pytest.fixture
def service(app):
    _, service = partner_with(None, app.config["SECRET_KEY"])
    return service


def sweep(day: date) -> dict[int, str]:
    """What the periodic task does on `day`: case id -> chased / escalated."""
    with at(day):
        done = {
            item.case_id: operations.act_on(ACTOR, item, POLICY)
            for item in selection.due(day, POLICY)
        }
    db.session.flush()
    return done


def test_chased_the_day_after_it_was_due_then_every_two_working_days_then_escalated(service):
    case = delivered_case(service)
    assert case.ack_due_date == date(2026, 6, 2)
    calendar = {
        date(2026, 6, 2): {},  # due today: not late yet
        date(2026, 6, 3): {case.id: "chased"},
        date(2026, 6, 4): {},
        date(2026, 6, 5): {case.id: "chased"},
        date(2026, 6, 6): {},  # a Saturday
        date(2026, 6, 8): {},  # Monday: one working day since Friday
        date(2026, 6, 9): {case.id: "chased"},
        date(2026, 6, 10): {},
        date(2026, 6, 11): {case.id: "escalated"},
        date(2026, 6, 12): {},
        date(2026, 6, 22): {},
    }
    for day, expected in calendar.items():
        assert sweep(day) == expected, day
    chases = db.session.scalars(
        select(Chase).where(Chase.case_id == case.id).order_by(Chase.number)
    ).all()
    assert [c.number for c in chases] == [1, 2, 3]
    end = db.session.scalar(select(ChaseEnd).where(ChaseEnd.case_id == case.id))
    assert (end.kind, end.chases) == (ChaseEndKind.ESCALATED, 3)
    timeline = [
        (e.kind, e.note)
        for e in db.session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
        )
        if e.kind in (CaseEventKind.CHASED, CaseEventKind.CHASE_ESCALATED)
    ]
    assert len(timeline) == 4
    assert timeline[0][1].startswith("Reminder 1 of 3 to ")
    assert "acknowledgement was due 2 June 2026" in timeline[0][1]
    assert timeline[-1] == (
        CaseEventKind.CHASE_ESCALATED,
        "Chased 3 times without an acknowledgement: escalated to supervisors",
    )
    actions = db.session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.record_type == "case", AuditEvent.record_id == str(case.id)
        )
    ).all()
    assert actions.count("chase") == 3 and actions.count("chase_escalated") == 1


def test_working_days_skip_bank_holidays(service):
    case = delivered_case(service)
    with at(date(2026, 8, 28)):  # Friday; Monday 31 August is a bank holiday
        operations.chase(ACTOR, case, 1, POLICY)
    assert sweep(date(2026, 9, 1)) == {}
    assert sweep(date(2026, 9, 2)) == {case.id: "chased"}


def test_acknowledged_undelivered_finished_and_untimed_cases_are_not_chased(service):
    acknowledged = delivered_case(service)
    acknowledged.acknowledged_at = MONDAY
    undelivered = delivered_case(service)
    for dispatch in dispatches(undelivered):
        dispatch.status = DispatchStatus.DEAD  # the supervisor's failed list, not a chase
    resolved = delivered_case(service)
    resolved.status = CaseStatus.RESOLVED
    untimed = delivered_case(service)
    untimed.ack_due_date = None
    withdrawn = delivered_case(service)
    for dispatch in dispatches(withdrawn):
        dispatch.status = DispatchStatus.CANCELLED  # rejected by the partner, re-routed
    late = delivered_case(service)
    db.session.flush()
    assert sweep(date(2026, 6, 3)) == {late.id: "chased"}


def test_a_stopped_case_is_not_chased_and_its_unsent_reminders_are_dropped(app):
    _, pushed = partner_with("http://127.0.0.1:9/hook", app.config["SECRET_KEY"])
    case = delivered_case(pushed)
    with at(date(2026, 6, 3)):
        [chase] = operations.chase(ACTOR, case, 1, POLICY)
        assert (chase.channel, chase.status) == ("webhook", ChaseStatus.PENDING)
        operations.stop(ACTOR, case, "  Spoke to their team leader  ")
    db.session.refresh(chase)
    assert chase.status is ChaseStatus.CANCELLED
    assert sweep(date(2026, 6, 10)) == {}
    end = db.session.scalar(select(ChaseEnd).where(ChaseEnd.case_id == case.id))
    assert (end.kind, end.reason, end.chases) == (
        ChaseEndKind.STOPPED,
        "Spoke to their team leader",
        1,
    )
    with pytest.raises(operations.ChaseRefused, match="already stopped"):
        operations.stop(ACTOR, case, "again")


def test_an_escalated_case_can_be_stopped_with_a_reason(service):
    case = delivered_case(service)
    with at(date(2026, 6, 3)):
        operations.escalate(ACTOR, case, 3)
        end = operations.stop(ACTOR, case, "They phoned us")
    assert (end.kind, end.reason, end.chases) == (ChaseEndKind.STOPPED, "They phoned us", 0)


def test_the_same_chase_cannot_be_written_twice(service):
    """Two sweepers (or a sweeper and a click) racing for chase 1: the second is refused and
    leaves nothing behind, and escalation happens once."""
    case = delivered_case(service)
    with at(date(2026, 6, 3)):
        operations.chase(ACTOR, case, 1, POLICY)
        with pytest.raises(operations.ChaseRefused, match="already been made"):
            operations.chase(ACTOR, case, 1, POLICY)
        operations.escalate(ACTOR, case, 1)
        with pytest.raises(operations.ChaseRefused, match="already ended"):
            operations.escalate(ACTOR, case, 1)
    assert db.session.scalar(select(db.func.count(Chase.id)).where(Chase.case_id == case.id)) == 1
    chased = db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "chased")
    ).all()
    assert len(chased) == 1


def test_a_portal_partner_is_chased_on_the_case_not_pushed(service):
    case = delivered_case(service)
    with at(date(2026, 6, 3)):
        [chase] = operations.chase(ACTOR, case, 1, POLICY)
    assert (chase.channel, chase.status) == ("portal", ChaseStatus.SHOWN)
    assert chase.id not in db.session.info.get(operations.OUTBOX_KEY, set())


def test_a_backlog_chased_yesterday_does_not_hide_cases_due_today(service):
    recent = [delivered_case(service) for _ in range(3)]
    with at(date(2026, 6, 4)):
        for case in recent:
            operations.chase(ACTOR, case, 1, POLICY)
    waiting = delivered_case(service)
    with at(date(2026, 6, 5)):
        found = selection.due(date(2026, 6, 5), POLICY, limit=1)
    assert [f.case_id for f in found] == [waiting.id]


def test_one_run_of_the_periodic_task_works_through_a_backlog(service, monkeypatch):
    from frontoffice.chasing import tasks

    monkeypatch.setattr(selection, "BATCH", 2)
    monkeypatch.setenv("FRONTOFFICE_CHASE_MAX", "3")
    cases = [delivered_case(service) for _ in range(5)]
    db.session.commit()
    with at(date(2026, 6, 3)):
        assert tasks.chase_overdue() == {"chased": 5, "escalated": 0, "skipped": 0, "requeued": 0}
        assert tasks.chase_overdue()["chased"] == 0
    chased = db.session.scalars(select(Chase.case_id).order_by(Chase.case_id)).all()
    assert chased == [c.id for c in cases]
