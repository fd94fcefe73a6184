"""Status sent back by partners: matched, applied once, never rolled back, moving the case."""

from __future__ import annotations

import datetime as dt

import time_machine
from flask import current_app
from sqlalchemy import select

from frontoffice.adapters.base import StatusUpdate
from frontoffice.cases.models import CaseEvent, CaseEventKind
from frontoffice.cases.status import CaseStatus
from frontoffice.crypto import encrypt_json
from frontoffice.dispatch import tasks
from frontoffice.dispatch.models import DispatchStatus, PartnerAdapter, PartnerStatusUpdate
from frontoffice.dispatch.updates import apply_updates
from frontoffice.extensions import db
from tests.adapters.servers import FakeOpen311
from tests.dispatch.test_outbox import claim, record_delivered, routed_case
from tests.factories import PartnerFactory

T0 = dt.datetime(2026, 3, 14, 9, tzinfo=dt.UTC)


def _adapter(partner, **settings) -> PartnerAdapter:
    adapter = PartnerAdapter(
        partner=partner, name=f"{partner.name} Open311", adapter_type="open311", settings=settings
    )
    db.session.add(adapter)
    db.session.flush()
    return adapter


def _delivered(dispatch, reference: str) -> None:
    record_delivered(claim(dispatch.id), reference)


def _update(update_id, reference, status, minutes=0, description="") -> StatusUpdate:
    return StatusUpdate(
        update_id, reference, status, T0 + dt.timedelta(minutes=minutes), description
    )


def _events(case, kind):
    return db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == kind)
    ).all()


def test_closed_resolves_the_case_once_and_shows_on_its_timeline():
    partner = PartnerFactory(name="Northvale District Council")
    case, (dispatch,) = routed_case(partner)
    _delivered(dispatch, "SR-1")
    adapter = _adapter(partner)

    first = apply_updates(adapter, [_update("u1", "SR-1", "closed", 5, "Bin emptied")])
    again = apply_updates(adapter, [_update("u1", "SR-1", "closed", 5, "Bin emptied")])

    assert (first.applied, again.applied, again.repeated) == (1, 0, 1)
    assert case.status is CaseStatus.RESOLVED
    [said] = _events(case, CaseEventKind.PARTNER_UPDATE)
    assert said.note == "Northvale District Council says closed: Bin emptied"
    assert len(_events(case, CaseEventKind.STATUS_CHANGED)) == 1
    assert (dispatch.partner_status, dispatch.partner_status_at) == (
        "closed",
        T0 + dt.timedelta(minutes=5),
    )


def test_an_older_update_never_rolls_the_state_back():
    partner = PartnerFactory()
    case, (dispatch,) = routed_case(partner)
    _delivered(dispatch, "SR-2")
    adapter = _adapter(partner)

    read = apply_updates(
        adapter, [_update("late", "SR-2", "closed", 30), _update("early", "SR-2", "open", 10)]
    )

    assert (read.applied, read.stale) == (1, 1)
    assert dispatch.partner_status == "closed" and case.status is CaseStatus.RESOLVED
    rows = db.session.execute(select(PartnerStatusUpdate.update_id, PartnerStatusUpdate.outcome))
    outcomes = {update_id: outcome for update_id, outcome in rows}
    assert outcomes == {"late": "applied", "early": "stale"}


def test_open_starts_work_and_an_unknown_request_is_kept_but_touches_nothing():
    partner = PartnerFactory()
    case, (dispatch,) = routed_case(partner)
    _delivered(dispatch, "SR-3")
    adapter = _adapter(partner)

    read = apply_updates(
        adapter, [_update("a", "SR-3", "open", 1), _update("b", "SR-404", "closed", 2)]
    )

    assert (read.applied, read.unknown) == (1, 1)
    assert case.status is CaseStatus.IN_PROGRESS
    unknown = db.session.scalar(
        select(PartnerStatusUpdate).where(PartnerStatusUpdate.update_id == "b")
    )
    assert unknown.outcome == "unknown" and unknown.dispatch_id is None


def test_another_partners_reference_is_not_matched():
    ours, theirs = PartnerFactory(), PartnerFactory()
    case, (dispatch,) = routed_case(theirs)
    _delivered(dispatch, "SR-5")

    read = apply_updates(_adapter(ours), [_update("x", "SR-5", "closed")])

    assert read.unknown == 1 and case.status is CaseStatus.NEW and dispatch.partner_status is None


def test_a_case_sent_to_two_partners_is_resolved_when_both_have_closed():
    north, county = PartnerFactory(), PartnerFactory()
    case, (to_north, to_county) = routed_case(north, county)
    _delivered(to_north, "N-1")
    _delivered(to_county, "C-1")

    apply_updates(_adapter(north), [_update("n", "N-1", "closed", 1)])
    assert case.status is CaseStatus.NEW
    apply_updates(_adapter(county), [_update("c", "C-1", "closed", 2)])
    assert case.status is CaseStatus.RESOLVED


def test_the_poll_reads_a_real_open311_server_and_moves_its_window_on():
    partner = PartnerFactory(name="Eastmoor District Council")
    case, (dispatch,) = routed_case(partner)
    _delivered(dispatch, "SR-1001")
    with FakeOpen311() as server:
        adapter = _adapter(
            partner,
            endpoint=server.endpoint,
            service_codes="",
            format="json",
            timeout="5",
        )
        adapter.secret_settings = encrypt_json(
            current_app.config["SECRET_KEY"], {"api_key": server.api_key}
        )
        adapter.updates_read_until = T0
        db.session.commit()
        server.updates = [
            {
                "update_id": "u1",
                "service_request_id": "SR-1001",
                "status": "closed",
                "updated_datetime": "2026-03-14T10:00:00+00:00",
                "description": "Cleared",
            }
        ]

        # Half an hour after the update: the next read overlaps it and must not apply it again.
        with time_machine.travel(dt.datetime(2026, 3, 14, 10, 30, tzinfo=dt.UTC)):
            read = tasks.read_updates_from(adapter.id)
            again = tasks.read_updates_from(adapter.id)

    assert (read.applied, again.applied, again.repeated) == (1, 0, 1)
    db.session.refresh(case)
    assert case.status is CaseStatus.RESOLVED
    db.session.refresh(adapter)
    assert adapter.updates_read_until >= dt.datetime(2026, 3, 14, 10, tzinfo=dt.UTC)
    assert dispatch.status is DispatchStatus.DELIVERED


def test_a_partner_that_cannot_be_read_does_not_stop_the_others(caplog):
    down = PartnerFactory()
    _adapter(
        down,
        endpoint="http://127.0.0.1:9/open311/v2/",
        service_codes="",
        format="json",
        timeout="1",
    )
    db.session.commit()

    totals = tasks.read_partner_updates()

    assert totals["failed"] >= 1
    assert any("could not read updates" in r.message for r in caplog.records)
