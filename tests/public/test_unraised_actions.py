"""Supervisors act on a web request that could not be raised (its service was withdrawn) or
has waited too long: raise it now, under another live service, or close it and tell the
resident why. Each action is done once however often it is posted, refused to other roles,
audited, and bad input changes nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from frontoffice.audit.models import AuditEvent
from frontoffice.cases.models import Case
from frontoffice.catalogue.models import QuestionType, ServiceQuestion
from frontoffice.customers.models import Customer
from frontoffice.extensions import db
from frontoffice.messages.models import ResidentMessage
from frontoffice.public import tasks
from frontoffice.public.models import AcceptedRequest
from tests import factories as f
from tests import service_builder
from tests.public.conftest import Resident, complete

WELSH = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@example.org",
    "phone": "",
    "reply_by": "email",
    "language": "cy",
}


@pytest.fixture
def nudges(monkeypatch) -> list[int]:
    """The worker's nudges, kept here: the tests run the task themselves."""
    sent: list[int] = []
    monkeypatch.setattr(tasks, "enqueue", sent.append)
    return sent


def _send(resident, service, **kwargs) -> tuple[int, str]:
    _, tokens = complete(resident, service, **kwargs)
    sent = resident.client.post("/request/check", data=tokens)
    assert sent.headers["Location"] == "/request/done"
    accepted = db.session.scalar(
        select(AcceptedRequest).where(AcceptedRequest.token == tokens["token"])
    )
    return accepted.id, accepted.reference


def _withdrawn(resident, bins, nudges, **kwargs) -> tuple[int, str]:
    """A request whose service was withdrawn before the worker got to it."""
    accepted_id, reference = _send(resident, bins, **kwargs)
    bins.active = False
    db.session.commit()
    assert tasks.raise_request(accepted_id) == "cannot raise"
    nudges.clear()
    return accepted_id, reference


@pytest.fixture
def pest_control():
    """A live service sharing the "details" question, with a required question of its own."""
    partner = f.PartnerFactory()
    service = f.ServiceFactory(code="pest-control", name="Pest control", owning_partner=partner)
    service.questions = [
        ServiceQuestion(
            code="pest", label="Which pest?", datatype=QuestionType.STRING, required=True, order=1
        ),
        ServiceQuestion(
            code="details", label="Anything else?", datatype=QuestionType.TEXT, order=2
        ),
    ]
    db.session.flush()
    service_builder.route(service, partner)
    db.session.commit()
    return service


def _page(supervisor, accepted_id) -> str:
    page = supervisor.get(f"/staff/web-requests/{accepted_id}")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def _seen(html: str, action: str) -> str:
    form = html[html.index(f"/{action}") :]
    return re.search(r'name="seen" type="hidden" value="(\d+)"', form).group(1)


def _post(supervisor, accepted_id, action, data) -> object:
    url = f"/staff/web-requests/{accepted_id}/{action}"
    html = _page(supervisor, accepted_id)
    data = {"seen": _seen(html, action), **data}
    return supervisor.post(url, data, form_url=f"/staff/web-requests/{accepted_id}")


def _audits(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _track(app, reference, secret) -> str:
    with app.test_client() as client:  # a resident's own browser
        page = Resident(client).post("/track", {"reference": reference, "secret": secret})
        return page.get_data(as_text=True)


def test_triage_links_each_unraised_request_to_its_actions(resident, bins, nudges, as_role):
    accepted_id, reference = _withdrawn(resident, bins, nudges)
    supervisor = as_role("supervisor")
    triage = supervisor.get("/staff/deliveries/triage").get_data(as_text=True)
    assert f'href="/staff/web-requests/{accepted_id}"' in triage and "Try again or close" in triage
    html = _page(supervisor, accepted_id)
    assert reference in html and "was withdrawn" in html and "Left out since Monday" in html
    assert "Which bin was missed?" in html and "Grey bin" in html


def test_a_withdrawn_request_is_raised_under_a_live_service_with_the_answers_that_fit(
    resident, bins, nudges, as_role, pest_control
):
    accepted_id, reference = _withdrawn(resident, bins, nudges)
    supervisor = as_role("supervisor")

    # Its own service is withdrawn: one must be chosen.
    refused = _post(supervisor, accepted_id, "raise", {"service_id": ""})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "is withdrawn: choose a service" in html and "govuk-error-summary" in html
    assert nudges == [] and _audits("raise_web_request_again") == []

    done = _post(supervisor, accepted_id, "raise", {"service_id": str(pest_control.id)})
    assert done.status_code == 302 and done.headers["Location"].endswith("/staff/deliveries/triage")
    assert nudges == [accepted_id]
    (audit,) = _audits("raise_web_request_again")
    assert audit.actor_id == supervisor.user.id
    assert audit.details["to_service"] == "Pest control"
    assert audit.details["set_aside"] == {"bin": "grey"}  # nothing the resident sent is lost

    assert tasks.raise_request(accepted_id) == reference
    case = db.session.scalar(select(Case))
    assert case.reference == reference and case.service_id == pest_control.id
    assert case.answers == {"details": "Left out since Monday"}
    assert _count(AcceptedRequest) == 0


def test_raise_now_sends_a_waiting_request_to_the_worker_once_however_often_it_is_clicked(
    resident, bins, nudges, as_role
):
    accepted_id, reference = _send(resident, bins)
    nudges.clear()
    supervisor = as_role("supervisor")
    html = _page(supervisor, accepted_id)
    seen = _seen(html, "raise")
    url = f"/staff/web-requests/{accepted_id}/raise"
    form = {"seen": seen, "service_id": ""}
    first = supervisor.post(url, form, form_url=f"/staff/web-requests/{accepted_id}")
    second = supervisor.post(url, form, form_url="/staff/deliveries/triage")  # a double click
    assert first.status_code == second.status_code == 302
    assert nudges == [accepted_id]
    assert len(_audits("raise_web_request_again")) == 1
    flashed = supervisor.get("/staff/deliveries/triage").get_data(as_text=True)
    assert "changed since the page was shown" in flashed
    assert tasks.raise_request(accepted_id) == reference
    # Raised meanwhile: the page is gone and a late click does nothing.
    assert supervisor.get(f"/staff/web-requests/{accepted_id}").status_code == 404


def test_closing_tells_the_resident_in_their_language_and_keeps_the_reference_trackable(
    app, resident, bins, nudges, as_role
):
    accepted_id, reference = _withdrawn(resident, bins, nudges, contact=WELSH)
    supervisor = as_role("supervisor")
    reason = "Nid yw'r gwasanaeth <b>hwn</b> ar gael mwyach. Ring 01632 960001."
    form = {"reason": reason}
    html = _page(supervisor, accepted_id)
    url = f"/staff/web-requests/{accepted_id}/close"
    form["seen"] = _seen(html, "close")
    first = supervisor.post(url, form, form_url=f"/staff/web-requests/{accepted_id}")
    second = supervisor.post(url, form, form_url="/staff/deliveries/triage")  # a double click
    assert first.status_code == second.status_code == 302

    (message,) = db.session.scalars(select(ResidentMessage)).all()
    assert message.to_address == "ada@example.org" and message.case_id is None
    assert message.subject.startswith(f"Eich cais {reference}")
    assert "ni allwn fwrw ymlaen" in message.body and reason in message.body
    customer = db.session.get(Customer, message.customer_id)
    assert customer.family_name == "Lovelace"
    (audit,) = _audits("close_web_request")
    assert audit.reason == reason and audit.customer_id == customer.id
    assert audit.details["sent"]["answers"] == {"bin": "grey", "details": "Left out since Monday"}

    kept = db.session.get(AcceptedRequest, accepted_id)
    assert kept.closed_at is not None and kept.close_reason == reason
    flashed = supervisor.get("/staff/deliveries/triage").get_data(as_text=True)
    assert f"{reference} has been closed" in flashed and "closed already" in flashed
    triage = supervisor.get("/staff/deliveries/triage").get_data(as_text=True)
    assert reference not in triage
    assert supervisor.get(f"/staff/web-requests/{accepted_id}").status_code == 404
    # Never raised afterwards, by a stray task or the sweeper.
    assert tasks.raise_request(accepted_id) == "nothing to raise"
    assert tasks.sweep() == 0
    assert _count(Case) == 0

    tracked = _track(app, reference, "ada@example.org")
    assert "Closed" in tracked and "Closed — Nid yw&#39;r gwasanaeth &lt;b&gt;hwn" in tracked


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Enter why the request cannot be taken forward"),
        ("   \n ", "Enter why the request cannot be taken forward"),
        ("x" * 1001, "The reason must be 1000 characters or fewer"),
        ("Closed\u202eevil", "The reason must only include letters, numbers"),
        ("nul\x00byte", "The reason must only include letters, numbers"),
    ],
)
def test_closing_without_a_sensible_reason_changes_nothing(
    resident, bins, nudges, as_role, reason, message
):
    accepted_id, _ = _withdrawn(resident, bins, nudges)
    supervisor = as_role("supervisor")
    page = _post(supervisor, accepted_id, "close", {"reason": reason})
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "govuk-error-summary" in html and message in html
    assert re.search(r"<title>\s*Error: ", html)
    assert db.session.get(AcceptedRequest, accepted_id).closed_at is None
    assert _count(ResidentMessage) == 0 and _audits("close_web_request") == []


def test_a_waiting_request_closed_is_never_raised_and_without_an_email_the_supervisor_rings(
    resident, bins, nudges, as_role
):
    phone_only = {**WELSH, "language": "en", "email": "", "phone": "01632 960001"}
    phone_only["reply_by"] = "phone"
    accepted_id, reference = _send(resident, bins, contact=phone_only)  # not tried yet
    supervisor = as_role("supervisor")
    done = _post(supervisor, accepted_id, "close", {"reason": "Sent twice by mistake"})
    assert done.status_code == 302
    page = supervisor.get("/staff/deliveries/triage").get_data(as_text=True)
    assert f"{reference} has been closed" in page and "ring them" in page
    assert _count(ResidentMessage) == 0
    kept = db.session.get(AcceptedRequest, accepted_id)
    assert kept.closed_at is not None
    # Its nudge arrives late, or the sweeper finds it due: neither raises it.
    kept.next_attempt_at = kept.created_at
    db.session.commit()
    assert tasks.sweep() == 0
    assert tasks.raise_request(accepted_id) == "nothing to raise"
    assert _count(Case) == 0


def test_a_stale_or_forged_form_does_nothing(resident, bins, nudges, as_role):
    accepted_id, _ = _withdrawn(resident, bins, nudges)
    supervisor = as_role("supervisor")
    url = f"/staff/web-requests/{accepted_id}/close"
    form_url = f"/staff/web-requests/{accepted_id}"
    for seen in ("", "abc", "-1"):
        bad = supervisor.post(url, {"seen": seen, "reason": "Gone"}, form_url=form_url)
        assert bad.status_code == 422 and "out of date" in bad.get_data(as_text=True)
    stale = supervisor.post(url, {"seen": "7", "reason": "Gone"}, form_url=form_url)
    assert stale.status_code == 302
    unknown = supervisor.post(
        url, {"seen": "1", "service_id": "999999"}, form_url=form_url
    )  # the close form ignores a service: no reason, so refused
    assert unknown.status_code == 422
    moved = _post(supervisor, accepted_id, "raise", {"service_id": "999999"})
    assert moved.status_code == 422 and "Choose a service from the list" in moved.get_data(
        as_text=True
    )
    assert db.session.get(AcceptedRequest, accepted_id).closed_at is None
    assert _audits("close_web_request") == _audits("raise_web_request_again") == []


@pytest.mark.parametrize("role", ["adviser", "partner_user", "administrator"])
def test_other_roles_cannot_see_or_act_on_unraised_requests(resident, bins, nudges, as_role, role):
    accepted_id, _ = _withdrawn(resident, bins, nudges)
    someone = as_role(role)
    assert someone.get(f"/staff/web-requests/{accepted_id}").status_code == 403
    for action, data in (("raise", {"service_id": ""}), ("close", {"reason": "Gone"})):
        posted = someone.client.post(
            f"/staff/web-requests/{accepted_id}/{action}", data={"seen": "1", **data}
        )
        assert posted.status_code == 403
    assert db.session.get(AcceptedRequest, accepted_id).closed_at is None
    assert nudges == []


def test_a_post_without_the_csrf_token_is_refused(resident, bins, nudges, as_role):
    accepted_id, _ = _withdrawn(resident, bins, nudges)
    supervisor = as_role("supervisor")
    posted = supervisor.client.post(
        f"/staff/web-requests/{accepted_id}/close", data={"seen": "1", "reason": "Gone"}
    )
    assert posted.status_code == 400
    assert db.session.get(AcceptedRequest, accepted_id).closed_at is None
