"""An administrator decides which services informants are offered to tell, and where: a rule
added for one district is offered to an adviser there and nowhere else, a rule switched off is
offered nowhere, and every change is audited. Bad input changes nothing."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from frontoffice.audit.models import AuditEvent
from frontoffice.extensions import db
from frontoffice.life_events import rule_admin
from frontoffice.life_events.models import EventKind, TellRule
from tests.conftest import sign_in
from tests.factories import StaffUserFactory
from tests.life_events import partnership

URL = "/staff/admin/tell-rules/"


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def birth_rules() -> list[TellRule]:
    return list(db.session.scalars(select(TellRule).where(TellRule.event_kind == EventKind.BIRTH)))


def offered_for_a_birth(adviser, customer) -> str:
    return text(adviser.get(f"/staff/customers/{customer.id}/life-events/new/birth"))


def test_a_rule_for_one_district_is_offered_there_only_until_it_is_switched_off(p, as_role, app):
    admin = as_role("administrator")
    adviser = sign_in(app.test_client(), StaffUserFactory(role="adviser"))
    south = partnership.new_customer("Mary", "Shelley", uprn=partnership.SOUTH_UPRN)
    db.session.commit()
    libraries = p.services["tuo-libraries"]
    assert "Tell us once: libraries" not in offered_for_a_birth(adviser, p.customer)

    response = admin.post(
        URL,
        {
            "event_kind": "birth",
            "service": str(libraries.id),
            "area_kind": "district",
            "area_code": partnership.NORTH.lower(),
            "purpose": "To offer a library card for the baby",
        },
    )
    assert response.status_code == 302, text(response)[:3000]
    page = text(admin.get(URL))
    assert "Tell us once: libraries is offered for a birth: District E07000001" in page
    assert "To offer a library card for the baby" in page
    [rule] = birth_rules()
    assert (rule.area_code, rule.active) == (partnership.NORTH, True)
    form = offered_for_a_birth(adviser, p.customer)
    assert "Tell us once: libraries" in form and "To offer a library card" in form
    assert "Tell us once: libraries" not in offered_for_a_birth(adviser, south)

    assert admin.post(f"{URL}{rule.id}/switch", {}, form_url=URL).status_code == 302
    assert "Switched off" in text(admin.get(URL))
    assert "Tell us once: libraries" not in offered_for_a_birth(adviser, p.customer)
    admin.post(f"{URL}{rule.id}/switch", {}, form_url=URL)
    assert "Tell us once: libraries" in offered_for_a_birth(adviser, p.customer)

    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.record_type == "tell_rule", AuditEvent.record_id == str(rule.id))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["create_tell_rule", "switch_off_tell_rule", "switch_on_tell_rule"]


def test_adding_a_rule_that_exists_changes_it_instead_of_doubling_it(p, as_role):
    admin = as_role("administrator")
    data = {"event_kind": "birth", "service": str(p.services["tuo-libraries"].id)}
    admin.post(URL, {**data, "area_kind": "any", "purpose": "First words"})
    [rule] = birth_rules()
    admin.post(f"{URL}{rule.id}/switch", {}, form_url=URL)
    admin.post(URL, {**data, "area_kind": "any", "area_code": "E07000001", "purpose": "Later"})
    db.session.expire_all()
    assert [(r.id, r.area_code, r.purpose, r.active) for r in birth_rules()] == [
        (rule.id, "", "Later", True)
    ]


def test_two_administrators_adding_the_same_rule_at_once_make_one_rule(p, as_role, monkeypatch):
    """The second add's look for an existing rule ran before the first committed: its insert
    then meets the first's row, which it changes instead (no error page, no second rule)."""
    admin = as_role("administrator")
    data = {"event_kind": "birth", "service": str(p.services["tuo-libraries"].id)}
    admin.post(URL, {**data, "area_kind": "any", "purpose": "First words"})
    [rule] = birth_rules()
    real, looked = rule_admin._existing, []

    def too_early(*args):  # the first look misses the rule, as it would before its commit
        looked.append(args)
        return None if len(looked) == 1 else real(*args)

    monkeypatch.setattr(rule_admin, "_existing", too_early)

    response = admin.post(URL, {**data, "area_kind": "any", "purpose": "Second words"})

    assert response.status_code == 302 and len(looked) == 2
    db.session.expire_all()
    assert [(r.id, r.purpose) for r in birth_rules()] == [(rule.id, "Second words")]
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.action.like("%tell_rule"))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["create_tell_rule", "change_tell_rule"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"event_kind": ""}, "Select the life event"),
        ({"event_kind": "wedding"}, "Select the life event"),
        ({"service": ""}, "Select a service"),
        ({"service": "999999"}, "Select a service"),
        ({"area_kind": "county"}, "Select where it is offered"),
        ({"area_code": ""}, "Enter the district code, like E07000001"),
        ({"area_code": "<script>"}, "District code must be a letter (E, W, S or N) and 8 numbers"),
        ({"purpose": "x" * 301}, "What the service does must be 300 characters or fewer"),
        ({"purpose": "Evil \u202e text"}, "What the service does must only include letters"),
        ({"shares": ["inquest"]}, "Choose only details that a report of a birth has"),
        ({"shares": ["<script>"]}, "Choose only from the details listed"),
    ],
)
def test_bad_input_is_shown_by_its_field_and_changes_nothing(p, as_role, changes, message):
    admin = as_role("administrator")
    data = {
        "event_kind": "birth",
        "service": str(p.services["tuo-libraries"].id),
        "area_kind": "district",
        "area_code": "E07000001",
        **changes,
    }
    before = db.session.scalar(select(func.count()).select_from(TellRule))
    audits = db.session.scalar(select(func.count()).select_from(AuditEvent))
    response = admin.post(URL, data)
    page = text(response)
    assert response.status_code == 422
    assert message in page and "govuk-error-summary" in page and "<title>Error:" in page
    assert "<script>" not in response.get_data(as_text=True).split("<main", 1)[1]
    assert db.session.scalar(select(func.count()).select_from(TellRule)) == before
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == audits


def test_an_unknown_rule_is_404(as_role):
    admin = as_role("administrator")
    assert admin.post(f"{URL}99999999/switch", {}, form_url=URL).status_code == 404
