"""Sign-in hardening: lockout, idle expiry, safe redirects, refusals that say nothing."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from bs4 import BeautifulSoup
from sqlalchemy import select

from frontoffice.audit.models import AuditEvent
from frontoffice.extensions import db
from tests.conftest import TEST_PASSWORD, csrf_token, sign_in
from tests.factories import StaffUserFactory

START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
WRONG = "not the right password"
BAD_CREDENTIALS = "Enter a correct email address and password"


def _attempt(client, email: str, password: str, next_url: str | None = None):
    url = "/sign-in" + (f"?next={next_url}" if next_url is not None else "")
    page = client.get(url)
    token = csrf_token(page.get_data(as_text=True))
    return client.post(url, data={"email": email, "password": password, "csrf_token": token})


def _errors(response) -> list[str]:
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    summary = soup.select_one(".govuk-error-summary")
    return [a.get_text(strip=True) for a in summary.select("a")] if summary else []


def _signed_in(client) -> bool:
    return client.get("/staff/").status_code == 200


def _actions(user_id) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.record_type == "staff_user", AuditEvent.record_id == str(user_id))
            .order_by(AuditEvent.id)
        )
    )


@pytest.fixture
def user():
    user = StaffUserFactory(email="sam.staff@example.org")
    db.session.commit()
    return user


def test_right_password_signs_in_any_case_of_email(client, user):
    response = _attempt(client, "  SAM.Staff@Example.ORG ", TEST_PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/staff/"
    assert _signed_in(client)
    db.session.refresh(user)
    assert user.last_sign_in_at is not None and _actions(user.id) == ["signed_in"]


def test_lockout_after_the_configured_failures_until_the_lock_ends(client, user, app):
    attempts = app.config["LOCKOUT_ATTEMPTS"]
    minutes = app.config["LOCKOUT_MINUTES"]
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(attempts - 1):
            response = _attempt(client, user.email, WRONG)
            assert response.status_code == 422 and _errors(response) == [BAD_CREDENTIALS]
        response = _attempt(client, user.email, WRONG)
        assert response.status_code == 422
        [message] = _errors(response)
        assert message.startswith("This account is locked")

        # the right password is refused while the lock lasts
        response = _attempt(client, user.email, TEST_PASSWORD)
        assert response.status_code == 422 and _errors(response) == [message]
        assert not _signed_in(client)
        traveller.shift(timedelta(minutes=minutes) - timedelta(seconds=1))
        assert _attempt(client, user.email, TEST_PASSWORD).status_code == 422

        traveller.shift(timedelta(seconds=2))
        response = _attempt(client, user.email, TEST_PASSWORD)
        assert response.status_code == 302
        assert _signed_in(client)
    db.session.refresh(user)
    assert user.failed_sign_ins == 0 and user.locked_until is None
    actions = _actions(user.id)
    assert actions[: attempts - 1] == ["sign_in_failed"] * (attempts - 1)
    assert actions[attempts - 1 :] == [
        "account_locked",
        "sign_in_refused_locked",
        "sign_in_refused_locked",
        "signed_in",
    ]


def test_a_success_resets_the_count_of_failures(client, user, app):
    for _ in range(app.config["LOCKOUT_ATTEMPTS"] - 1):
        _attempt(client, user.email, WRONG)
    assert _attempt(client, user.email, TEST_PASSWORD).status_code == 302
    db.session.refresh(user)
    assert user.failed_sign_ins == 0


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(client, user):
    wrong = _attempt(client, user.email, WRONG)
    unknown = _attempt(client, "nobody@example.org", WRONG)
    assert wrong.status_code == unknown.status_code == 422
    assert _errors(wrong) == _errors(unknown) == [BAD_CREDENTIALS]
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.actor_label == "nobody@example.org")
    )
    assert event.action == "sign_in_failed" and event.record_id == "unknown"


def test_an_inactive_user_is_refused_with_the_same_message(client):
    user = StaffUserFactory(active=False)
    db.session.commit()
    response = _attempt(client, user.email, TEST_PASSWORD)
    assert response.status_code == 422 and _errors(response) == [BAD_CREDENTIALS]
    assert not _signed_in(client)
    db.session.refresh(user)
    assert user.failed_sign_ins == 0 and user.last_sign_in_at is None
    assert _actions(user.id) == ["sign_in_refused_inactive"]


def test_idle_session_is_signed_out_but_activity_keeps_it_alive(client, user, app):
    idle = app.config["PERMANENT_SESSION_LIFETIME"]
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, user)
        for _ in range(3):  # three requests, each within the limit of the one before
            traveller.shift(idle * 2 / 3)
            assert _signed_in(client)
        traveller.shift(idle + timedelta(seconds=1))
        response = client.get("/staff/")
        assert response.status_code == 302
        location = urlsplit(response.headers["Location"])
        assert location.path == "/sign-in" and parse_qs(location.query)["next"] == ["/staff/"]
        assert not _signed_in(client)  # gone for good, not only for one request


def test_server_side_idle_check_signs_out_and_says_why(client, user, app):
    """The backstop in expire_idle_sessions, for a cookie that is still validly signed."""
    sign_in(client, user)
    idle = app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    with client.session_transaction() as session:
        session["last_seen"] = session["last_seen"] - idle - 5
    response = client.get("/staff/admin/users?x=1")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert parse_qs(location.query)["next"] == ["/staff/admin/users?x=1"]
    page = client.get(response.headers["Location"])
    assert "signed out because you were inactive" in page.get_data(as_text=True)
    assert not _signed_in(client)


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "/%5Cevil.example/",
        "/%09/evil.example/",
        "http:/evil.example",
        "javascript:alert(1)",
        "evil.example",
        "%2F%2Fevil.example",
    ],
)
def test_next_never_leaves_the_site(client, user, target):
    response = _attempt(client, user.email, TEST_PASSWORD, next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"


def test_next_within_the_site_is_followed(client, user):
    response = _attempt(client, user.email, TEST_PASSWORD, next_url="/staff/admin/users?x=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/admin/users?x=1"


def test_anonymous_request_is_sent_to_sign_in_and_back(client, user):
    response = client.get("/staff/")
    location = urlsplit(response.headers["Location"])
    assert response.status_code == 302 and location.path == "/sign-in"
    [next_url] = parse_qs(location.query)["next"]
    assert next_url == "/staff/"
    response = _attempt(client, user.email, TEST_PASSWORD, next_url=next_url)
    assert response.headers["Location"] == "/staff/"


def test_missing_csrf_token_is_400_and_signs_nobody_in(client, user):
    client.get("/sign-in")
    response = client.post("/sign-in", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert not _signed_in(client)
    db.session.refresh(user)
    assert user.last_sign_in_at is None


def test_sign_out_needs_a_post_with_a_csrf_token(client, user):
    staff = sign_in(client, user)
    assert client.get("/sign-out").status_code == 405
    assert _signed_in(client)
    assert client.post("/sign-out").status_code == 400  # no CSRF token: a forged sign-out
    assert _signed_in(client)
    response = staff.post("/sign-out", form_url="/staff/")
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"
    assert "You have signed out" in client.get("/sign-in").get_data(as_text=True)
    assert not _signed_in(client)
    assert _actions(user.id)[-1] == "signed_out"


def test_signed_in_user_visiting_sign_in_goes_home(client, user):
    sign_in(client, user)
    response = client.get("/sign-in")
    assert response.status_code == 302 and response.headers["Location"] == "/staff/"


def test_blank_form_says_what_to_enter(client):
    page = client.get("/sign-in")
    response = client.post("/sign-in", data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    assert response.status_code == 422
    assert _errors(response) == ["Enter your email address", "Enter your password"]
    assert "<title>Error: Sign in" in response.get_data(as_text=True)


def test_accounts_on_reserved_domains_can_sign_in(client):
    """The demo's accounts are @demo.frontoffice.test: a strict email check refused them."""
    user = StaffUserFactory(email="adviser@demo.frontoffice.test")
    db.session.commit()
    assert _attempt(client, user.email, TEST_PASSWORD).status_code == 302


def test_an_email_without_an_at_sign_is_refused_by_its_shape(client):
    response = _attempt(client, "not-an-email", TEST_PASSWORD)
    assert response.status_code == 422
    assert _errors(response) == [
        "Enter an email address in the correct format, like name@example.org"
    ]


def test_a_residents_session_is_not_sent_again_when_nothing_changed(client):
    """No one is signed in: session protection has no one to sign out, so a page that changes
    nothing in the session sends no cookie (not the session again, not a remember-me
    cookie's removal)."""
    with client.session_transaction() as session:
        session["public_draft"] = "a-draft-token"
    for url in ("/", "/request/service"):
        page = client.get(url)
        assert page.status_code == 200
        assert page.headers.getlist("Set-Cookie") == [], url
    with client.session_transaction() as session:
        assert session["public_draft"] == "a-draft-token"


def test_a_session_cookie_replayed_from_another_browser_is_signed_out(client, user):
    sign_in(client, user)
    assert client.get("/staff/").status_code == 200

    stolen = client.get("/staff/", headers={"User-Agent": "Another browser/1.0"})

    assert stolen.status_code == 302
    assert urlsplit(stolen.headers["Location"]).path == "/sign-in"
    # and the session is gone for the original browser too: the cookie was given away
    assert client.get("/staff/").status_code == 302
