import pytest
from sqlalchemy import func, select

from frontoffice.access.actor import Actor
from frontoffice.dispatch import operations
from frontoffice.dispatch.models import Dispatch, DispatchStatus
from frontoffice.extensions import db
from frontoffice.routing.operations import route_case
from tests.dispatch.test_outbox import POLICY, claim, record_delivered, routed_case
from tests.factories import CaseFactory, PartnerFactory


def dead_dispatch():
    case, (dispatch,) = routed_case()
    claim(dispatch.id)
    operations.record_failure(
        dispatch,
        error="Partner answered 400: unknown service",
        permanent=True,
        retry_after=None,
        duration_ms=1,
        policy=POLICY,
    )
    db.session.commit()
    return case, dispatch


def test_supervisor_sees_failed_deliveries_with_the_reason_and_can_send_again(as_role):
    case, dispatch = dead_dispatch()
    supervisor = as_role("supervisor")
    page = supervisor.get("/staff/deliveries/failed").get_data(as_text=True)
    assert case.reference in page and "unknown service" in page
    response = supervisor.post(
        f"/staff/deliveries/{dispatch.id}/retry", form_url="/staff/deliveries/failed"
    )
    assert response.status_code == 302
    db.session.refresh(dispatch)
    assert dispatch.status is DispatchStatus.PENDING


@pytest.mark.parametrize("role", ["adviser", "partner_user", "administrator"])
def test_advisers_and_partner_users_cannot_manage_deliveries(as_role, role):
    _, dispatch = dead_dispatch()
    client = as_role(role)
    assert client.get("/staff/deliveries/failed").status_code == 403
    assert client.client.post(f"/staff/deliveries/{dispatch.id}/retry").status_code == 403
    db.session.refresh(dispatch)
    assert dispatch.status is DispatchStatus.DEAD


def test_triage_case_is_routed_by_hand_with_a_reason(as_role):
    case = CaseFactory()
    route_case(case, Actor(None, "test", ""))
    target = PartnerFactory(name="Eastmoor District Council")
    db.session.commit()
    supervisor = as_role("supervisor")
    assert case.reference in supervisor.get("/staff/deliveries/triage").get_data(as_text=True)
    url = f"/staff/deliveries/cases/{case.id}/route"
    missing = supervisor.post(url, {"reason": ""})
    assert missing.status_code == 422
    body = missing.get_data(as_text=True)
    assert "Select at least one partner" in body and "Enter why you are routing this case" in body
    assert (
        db.session.scalar(
            select(func.count()).select_from(Dispatch).where(Dispatch.case_id == case.id)
        )
        == 0
    )
    done = supervisor.post(
        url, {"partner_ids": [str(target.id)], "reason": "Eastmoor runs this now"}
    )
    assert done.status_code == 302
    db.session.refresh(case)
    assert case.triage_reason == "" and case.owning_partner_id == target.id
    (dispatch,) = db.session.scalars(select(Dispatch).where(Dispatch.case_id == case.id)).all()
    assert dispatch.partner_id == target.id and dispatch.status is DispatchStatus.PENDING


def test_rerouting_cancels_the_undelivered_dispatch(as_role):
    case, dispatch = dead_dispatch()
    other = PartnerFactory()
    db.session.commit()
    supervisor = as_role("supervisor")
    supervisor.post(
        f"/staff/deliveries/cases/{case.id}/route",
        {"partner_ids": [str(other.id)], "reason": "moved"},
    )
    db.session.refresh(dispatch)
    assert dispatch.status is DispatchStatus.CANCELLED
    statuses = db.session.scalars(select(Dispatch.status).where(Dispatch.case_id == case.id)).all()
    assert sorted(statuses) == sorted([DispatchStatus.CANCELLED, DispatchStatus.PENDING])


def test_unknown_ids_are_404(as_role):
    supervisor = as_role("supervisor")
    assert supervisor.get("/staff/deliveries/cases/999999/route").status_code == 404
    assert (
        supervisor.post(
            "/staff/deliveries/999999/retry", form_url="/staff/deliveries/failed"
        ).status_code
        == 404
    )


@pytest.mark.parametrize(("role", "may_reroute"), [("supervisor", True), ("adviser", False)])
def test_case_view_says_whether_the_case_reached_its_partner(as_role, role, may_reroute):
    case, dispatch = dead_dispatch()
    page = as_role(role).get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert 'data-reach="failed"' in page and "Delivery failed" in page
    assert f'data-dispatch="{dispatch.id}"' in page and "unknown service" in page
    assert (f"/staff/deliveries/cases/{case.id}/route" in page) is may_reroute


def test_reach_shows_on_the_customer_record_and_in_the_queue(as_role):
    delivered_case, (delivered,) = routed_case()
    record_delivered(claim(delivered.id), "NV-123")
    triaged = CaseFactory(customer=delivered_case.customer)
    route_case(triaged, Actor(None, "test", ""))
    db.session.commit()
    adviser = as_role("adviser")
    record = adviser.get(f"/staff/customers/{delivered_case.customer_id}").get_data(as_text=True)
    assert 'data-reach="delivered"' in record and 'data-reach="triage"' in record
    queue = adviser.get("/staff/cases/?tab=all").get_data(as_text=True)
    assert 'data-reach="delivered"' in queue and 'data-reach="triage"' in queue
    case_page = adviser.get(f"/staff/cases/{delivered_case.id}").get_data(as_text=True)
    assert "NV-123" in case_page


def test_a_partner_user_sees_only_its_own_partners_delivery_of_a_case(as_role):
    ours, theirs = PartnerFactory(), PartnerFactory()
    case, (our_dispatch, their_dispatch) = routed_case(ours, theirs)
    for dispatch, error in ((our_dispatch, "our socket closed"), (their_dispatch, "their 503")):
        claim(dispatch.id)
        operations.record_failure(
            dispatch, error=error, permanent=False, retry_after=None, duration_ms=1, policy=POLICY
        )
    db.session.commit()
    page = as_role("partner_user", partner=ours).get(f"/staff/cases/{case.id}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'data-dispatch="{our_dispatch.id}"' in body
    assert f'data-dispatch="{their_dispatch.id}"' not in body
    assert "our socket closed" in body and "their 503" not in body
