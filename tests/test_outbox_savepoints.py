"""Outbox nudges and SAVEPOINTs: SQLAlchemy fires after_commit when a SAVEPOINT is released and
after_rollback when one is rolled back, not only for the whole transaction. A row is nudged
once, after the outermost commit, and only if it was committed."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from frontoffice.chasing import operations as chasing_operations
from frontoffice.chasing import tasks as chasing_tasks
from frontoffice.chasing.operations import ChaseRefused
from frontoffice.chasing.policy import ChasePolicy
from frontoffice.dispatch import operations as dispatch_operations
from frontoffice.dispatch import tasks as dispatch_tasks
from frontoffice.extensions import db
from frontoffice.messages import operations as messages_operations
from frontoffice.messages import tasks as messages_tasks
from frontoffice.partner_webhooks import tasks as webhook_tasks
from frontoffice.partner_webhooks.models import WebhookDelivery
from tests.chasing.world import ACTOR, at, delivered_case, partner_with
from tests.dispatch.test_outbox import routed_case
from tests.factories import CaseFactory, CustomerEmailFactory, PartnerFactory
from tests.partner_webhooks.test_events import subscribe

CHASING = ChasePolicy(interval_working_days=2, max_chases=3)


class Oops(Exception):
    pass


@pytest.fixture
def nudged(monkeypatch) -> list[tuple[str, int]]:
    """(outbox, id) handed to the broker, in order."""
    sent: list[tuple[str, int]] = []
    monkeypatch.setattr(
        dispatch_tasks,
        "enqueue_batches",
        lambda groups: sent.extend(("dispatch", i) for ids in groups for i in ids),
    )
    for name, tasks in (
        ("webhook", webhook_tasks),
        ("chase", chasing_tasks),
        ("message", messages_tasks),
    ):
        monkeypatch.setattr(
            tasks, "enqueue", lambda row_id, countdown=0, name=name: sent.append((name, row_id))
        )
    return sent


def write_dispatch() -> tuple[str, int]:
    case = CaseFactory()
    dispatch = dispatch_operations.write(
        case_id=case.id, partner_id=case.owning_partner_id, service_id=None, payload={}, reason=""
    )
    db.session.flush()
    return "dispatch", dispatch.id


def message_writer():
    # Residents with an email made and committed first: a customer email row rolled back with
    # a SAVEPOINT on SQLite (its id is used again) can trip an SAWarning when garbage is
    # collected at the wrong moment, whatever the outbox does.
    cases = []
    for _ in range(4):
        cases.append(CaseFactory())
        CustomerEmailFactory(customer=cases[-1].customer)
    waiting = iter(cases)

    def write_message() -> tuple[str, int]:
        message = messages_operations.tell_resident(next(waiting), "Northshire", "Bin fixed")
        db.session.flush()
        return "message", message.id

    return write_message


def webhook_writer():
    partner = PartnerFactory()
    subscription = subscribe(partner)

    def write_webhook_event() -> tuple[str, int]:
        case, _ = routed_case(partner)
        db.session.flush()
        return "webhook", db.session.scalars(
            select(WebhookDelivery.id).where(
                WebhookDelivery.subscription_id == subscription.id,
                WebhookDelivery.case_id == case.id,
            )
        ).one()

    return write_webhook_event


WRITERS = {
    "dispatch": lambda: write_dispatch,
    "resident message": message_writer,
    "webhook event": webhook_writer,
}


@pytest.fixture(params=sorted(WRITERS))
def write(request, nudged):
    writer = WRITERS[request.param]()
    db.session.commit()
    nudged.clear()
    return writer


def of_kind(sent, written):
    """What was sent of the written rows' outbox (routing a case also writes dispatches)."""
    return sorted(item for item in sent if item[0] == written[0][0])


def test_a_savepoint_released_is_nudged_once_and_only_after_the_outer_commit(write, nudged):
    outer = write()
    with db.session.begin_nested():
        inner = write()
    assert nudged == [], "released a SAVEPOINT, not committed: the worker could not see the rows"
    later = write()
    db.session.commit()
    assert of_kind(nudged, [outer]) == sorted([outer, inner, later])


def test_a_savepoint_rolled_back_takes_back_its_rows_but_not_the_outer_ones(write, nudged):
    outer = write()
    with pytest.raises(Oops), db.session.begin_nested():
        write()
        raise Oops
    later = write()
    db.session.commit()
    assert of_kind(nudged, [outer]) == sorted([outer, later])


def test_nested_savepoints_rolled_back_inside_a_released_one(write, nudged):
    outer = write()
    with db.session.begin_nested():
        kept = write()
        with pytest.raises(Oops), db.session.begin_nested():
            write()
            raise Oops
    db.session.commit()
    assert of_kind(nudged, [outer]) == sorted([outer, kept])


def test_an_outer_rollback_nudges_nothing_even_after_a_released_savepoint(write, nudged):
    write()
    with db.session.begin_nested():
        write()
    db.session.rollback()
    db.session.commit()
    assert nudged == []
    after = write()
    db.session.commit()
    assert of_kind(nudged, [after]) == [after], (
        "nothing of the rolled-back transaction is left over"
    )


def test_an_outer_rollback_with_a_savepoint_still_open_nudges_nothing(write, nudged):
    write()
    db.session.begin_nested()
    write()
    db.session.rollback()
    after = write()
    db.session.commit()
    assert of_kind(nudged, [after]) == [after]


def test_chases_made_in_one_sweep_are_sent_after_its_commit_even_past_a_refused_one(app, nudged):
    """chasing.operations.chase writes its chases in a SAVEPOINT of its own: released, or
    rolled back when that chase was already made, while other chases of the sweep wait."""
    _, service = partner_with("https://partner.example.org/hook", app.config["SECRET_KEY"])
    first, second = delivered_case(service), delivered_case(service)
    db.session.commit()
    nudged.clear()
    with at(date(2026, 6, 3)):
        [one] = chasing_operations.chase(ACTOR, first, 1, CHASING)
        [two] = chasing_operations.chase(ACTOR, second, 1, CHASING)
        with pytest.raises(ChaseRefused, match="already been made"):
            chasing_operations.chase(ACTOR, first, 1, CHASING)
    assert nudged == [], "nothing is sent before the sweep commits"
    db.session.commit()
    assert nudged == [("chase", one.id), ("chase", two.id)]
