from datetime import timedelta

from bs4 import BeautifulSoup
from sqlalchemy import select

from frontoffice import clock
from frontoffice.accounts.models import Role, StaffUser
from frontoffice.audit.models import AuditEvent
from frontoffice.extensions import db
from tests.conftest import sign_in
from tests.factories import PartnerFactory, StaffUserFactory


def _events(user_id: int, action: str) -> list[AuditEvent]:
    return db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.record_type == "staff_user",
            AuditEvent.record_id == str(user_id),
            AuditEvent.action == action,
        )
    ).all()


def _error_summary(response) -> list[str]:
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    summary = soup.select_one(".govuk-error-summary")
    assert summary is not None, "no error summary"
    return [a.get_text(strip=True) for a in summary.select("a")]


def test_list_shows_role_partner_team_status_lock_and_last_sign_in(as_role):
    partner = PartnerFactory(name="Northvale District Council")
    locked = StaffUserFactory(
        name="Lou Locked",
        partner=partner,
        team="Revenues",
        locked_until=clock.now() + timedelta(minutes=5),
    )
    StaffUserFactory(name="Dee Deactivated", active=False)
    admin = as_role("administrator")
    response = admin.get("/staff/admin/users")
    assert response.status_code == 200
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    rows = {
        row.select_one("td a").get_text(strip=True): row.get_text(" ", strip=True)
        for row in soup.select("tbody tr")
    }
    assert "Northvale District Council" in rows["Lou Locked"]
    assert "Revenues" in rows["Lou Locked"] and "Locked" in rows["Lou Locked"]
    assert "Adviser" in rows["Lou Locked"] and "Never" in rows["Lou Locked"]
    assert "Deactivated" in rows["Dee Deactivated"]
    # the administrator just signed in, so has a last sign-in time
    assert "Never" not in rows[admin.user.name]
    assert locked.email in response.get_data(as_text=True)


def test_create_a_staff_user_is_audited_and_can_sign_in(as_role, app):
    partner = PartnerFactory()
    admin = as_role("administrator")
    response = admin.post(
        "/staff/admin/users/new",
        {
            "email": " New.Person@Example.org ",
            "name": "New Person",
            "partner": str(partner.id),
            "role": "supervisor",
            "team": "Contact centre",
            "password": "a long enough password",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/staff/admin/users")
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == "new.person@example.org"))
    assert user.role is Role.SUPERVISOR and user.partner_id == partner.id
    assert user.team == "Contact centre" and user.active
    [event] = _events(user.id, "create")
    assert event.actor_id == admin.user.id and event.details["role"] == "supervisor"
    sign_in(app.test_client(), user, password="a long enough password")


def test_create_refuses_duplicate_email_in_any_case_and_short_password(as_role):
    partner = PartnerFactory()
    StaffUserFactory(email="taken@example.org")
    admin = as_role("administrator")
    before = db.session.scalar(select(db.func.count(StaffUser.id)))
    response = admin.post(
        "/staff/admin/users/new",
        {
            "email": "TAKEN@example.org",
            "name": "Someone",
            "partner": str(partner.id),
            "role": "adviser",
            "password": "short",
        },
    )
    assert response.status_code == 422
    errors = _error_summary(response)
    assert "A staff user with this email address already exists" in errors
    assert "Password must be between 12 and 200 characters" in errors
    assert db.session.scalar(select(db.func.count(StaffUser.id))) == before


def test_create_with_nothing_entered_shows_every_message(as_role):
    admin = as_role("administrator")
    response = admin.post("/staff/admin/users/new", {})
    assert response.status_code == 422
    assert _error_summary(response) == [
        "Enter an email address",
        "Enter a name",
        "Select a partner",
        "Select a role",
        "Enter an initial password",
    ]
    assert "Error: Create a staff user" in response.get_data(as_text=True)


def test_edit_role_partner_team_and_active_is_audited(as_role):
    target = StaffUserFactory(role=Role.ADVISER, team="Old team")
    new_partner = PartnerFactory()
    admin = as_role("administrator")
    page = admin.get(f"/staff/admin/users/{target.id}")
    assert page.status_code == 200 and target.email in page.get_data(as_text=True)
    response = admin.post(
        f"/staff/admin/users/{target.id}",
        {"role": "partner_user", "partner": str(new_partner.id), "team": "New", "active": "no"},
    )
    assert response.status_code == 302
    db.session.refresh(target)
    assert target.role is Role.PARTNER_USER and target.partner_id == new_partner.id
    assert target.team == "New" and not target.active
    [event] = _events(target.id, "update")
    assert event.details["changes"]["role"] == ["adviser", "partner_user"]
    assert event.details["changes"]["active"] == [True, False]


def test_a_deactivated_user_is_signed_out_at_their_next_request(as_role, app):
    target = StaffUserFactory(role=Role.ADVISER)
    db.session.commit()
    adviser = sign_in(app.test_client(), target)
    assert adviser.get("/staff/").status_code == 200
    admin = as_role("administrator")
    admin.post(
        f"/staff/admin/users/{target.id}",
        {"role": "adviser", "partner": str(target.partner_id), "active": "no"},
    )
    response = adviser.get("/staff/")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_saving_without_changes_records_nothing(as_role):
    target = StaffUserFactory(team="Same")
    admin = as_role("administrator")
    response = admin.post(
        f"/staff/admin/users/{target.id}",
        {"role": "adviser", "partner": str(target.partner_id), "team": "Same", "active": "yes"},
    )
    assert response.status_code == 302
    assert _events(target.id, "update") == []


def test_an_administrator_cannot_deactivate_or_demote_themselves(as_role):
    admin = as_role("administrator")
    me = admin.user
    url = f"/staff/admin/users/{me.id}"
    response = admin.post(
        url, {"role": "administrator", "partner": str(me.partner_id), "active": "no"}
    )
    assert response.status_code == 422
    assert _error_summary(response) == ["You cannot deactivate your own account"]
    response = admin.post(url, {"role": "adviser", "partner": str(me.partner_id), "active": "yes"})
    assert response.status_code == 422
    assert _error_summary(response) == ["You cannot remove your own administrator role"]
    db.session.refresh(me)
    assert me.active and me.role is Role.ADMINISTRATOR
    assert _events(me.id, "update") == []
    # other changes to themselves are fine
    response = admin.post(
        url, {"role": "administrator", "partner": str(me.partner_id), "team": "IT", "active": "yes"}
    )
    assert response.status_code == 302


def test_unlock_clears_the_lock_and_failures_and_is_audited(as_role):
    target = StaffUserFactory(failed_sign_ins=3, locked_until=clock.now() + timedelta(minutes=9))
    admin = as_role("administrator")
    page = admin.get(f"/staff/admin/users/{target.id}")
    assert "Unlock this account" in page.get_data(as_text=True)
    response = admin.post(
        f"/staff/admin/users/{target.id}/unlock", form_url=f"/staff/admin/users/{target.id}"
    )
    assert response.status_code == 302
    db.session.refresh(target)
    assert target.locked_until is None and target.failed_sign_ins == 0
    assert len(_events(target.id, "unlock")) == 1


def test_unknown_user_is_404(as_role):
    admin = as_role("administrator")
    assert admin.get("/staff/admin/users/999999").status_code == 404
    response = admin.post("/staff/admin/users/999999/unlock", form_url="/staff/admin/users")
    assert response.status_code == 404


def test_partners_list(as_role):
    PartnerFactory(name="Eastmoor Borough Council", code="EBC")
    admin = as_role("administrator")
    response = admin.get("/staff/admin/partners")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Eastmoor Borough Council" in text and "EBC" in text


def test_only_administrators_may_administer(app):
    for role in (Role.ADVISER, Role.SUPERVISOR, Role.PARTNER_USER):
        user = StaffUserFactory(role=role)
        db.session.commit()
        client = sign_in(app.test_client(), user)
        for url in ("/staff/admin/users", "/staff/admin/users/new", "/staff/admin/partners"):
            assert client.get(url).status_code == 403, (role, url)
