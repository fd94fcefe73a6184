"""The catalogue admin pages."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from frontoffice.catalogue.models import QuestionType, Service, ServiceQuestion, ServiceTier
from frontoffice.extensions import db
from tests.factories import PartnerFactory, ServiceFactory

SERVICES = "/staff/catalogue/services"


def service_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Service))


def error_by_field(html: str, field_id: str) -> str:
    pattern = (
        rf'<p id="{re.escape(field_id)}-error" class="govuk-error-message">'
        r"\s*<span[^>]*>Error:</span>\s*([^<]+)"
    )
    found = re.search(pattern, html)
    assert found, f"no error by {field_id}"
    return found.group(1).strip()


def assert_422(response, field_id: str, message: str) -> None:
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "govuk-error-summary" in html and f'href="#{field_id}"' in html
    assert message in error_by_field(html, field_id)
    assert html.count(message) >= 2  # in the summary and by the field


@pytest.fixture
def admin(as_role):
    return as_role("administrator")


@pytest.fixture
def partner():
    partner = PartnerFactory(name="Northvale District Council")
    db.session.commit()
    return partner


def good(partner, **changes) -> dict:
    return {
        "code": "pothole",
        "name": "Report a pothole",
        "group": "Roads",
        "description": "A hole in the road",
        "keywords": "road, hole",
        "owning_partner": str(partner.id),
        "tier": "county",
        "sla_unit": "hours",
        "sla_value": "48",
        "adviser_script": "Ask where exactly.",
        "active": "yes",
    } | changes


@pytest.mark.parametrize("role", ["adviser", "supervisor", "partner_user"])
def test_only_administrators_may_use_the_catalogue_pages(as_role, role):
    service = ServiceFactory()
    db.session.commit()
    client = as_role(role)
    for url in (
        SERVICES,
        f"{SERVICES}/new",
        f"{SERVICES}/{service.id}",
        f"{SERVICES}/{service.id}/questions",
        f"{SERVICES}/{service.id}/preview",
    ):
        assert client.get(url).status_code == 403, url
    assert "Service catalogue" not in client.get("/staff/").get_data(as_text=True)


def test_list_and_filter_by_group(admin):
    ServiceFactory(name="Missed bin", group="Bins")
    ServiceFactory(name="Pothole", group="Roads", sla_working_days=None, sla_hours=4)
    db.session.commit()
    html = admin.get(SERVICES).get_data(as_text=True)
    assert "Missed bin" in html and "Pothole" in html and "4 hours" in html
    assert 'href="/staff/catalogue/services"' in admin.get("/staff/").get_data(as_text=True)
    html = admin.get(SERVICES + "?group=Roads").get_data(as_text=True)
    assert "Pothole" in html and "Missed bin" not in html
    html = admin.get(SERVICES + "?group=<script>").get_data(as_text=True)
    assert "Missed bin" in html and "<script>" not in html


def test_create_a_service(admin, partner):
    response = admin.post(f"{SERVICES}/new", good(partner, code="Pot-Hole", ack_working_days="1"))
    assert response.status_code == 302
    service = db.session.scalar(select(Service).where(Service.code == "pot-hole"))
    assert response.headers["Location"].endswith(f"{SERVICES}/{service.id}/questions")
    assert (service.sla_hours, service.sla_working_days, service.tier, service.keywords) == (
        48,
        None,
        ServiceTier.COUNTY,
        "road, hole",
    )
    assert service.adviser_script == "Ask where exactly."
    assert service.ack_working_days == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"code": ""}, "code", "Enter a code"),
        ({"code": "no spaces please"}, "code", "Code must be up to 40"),
        ({"code": "<script>alert(1)</script>"}, "code", "Code must be up to 40"),
        ({"name": ""}, "name", "Enter a name"),
        ({"name": "n" * 201}, "name", "Name must be 200 characters or fewer"),
        ({"name": "bad\x00name"}, "name", "Name must not contain special characters"),
        ({"group": "g" * 101}, "group", "Group must be 100 characters or fewer"),
        (
            {"description": "d" * 5001},
            "description",
            "Description must be 5,000 characters or fewer",
        ),
        ({"owning_partner": ""}, "owning_partner", "Select the partner that owns the service"),
        (
            {"owning_partner": "999999"},
            "owning_partner",
            "Select the partner that owns the service",
        ),
        (
            {"owning_partner": "1 OR 1=1"},
            "owning_partner",
            "Select the partner that owns the service",
        ),
        ({"tier": "galactic"}, "tier", "Select who delivers it"),
        ({"sla_unit": ""}, "sla_unit", "Select how the target time is measured"),
        ({"sla_value": ""}, "sla_value", "Enter the target in hours"),
        ({"sla_value": "-3"}, "sla_value", "Target must be a whole number of hours"),
        ({"sla_value": "0"}, "sla_value", "Target in hours must be between 1 and 8,760"),
        ({"sla_unit": "working_days", "sla_value": "400"}, "sla_value", "between 0 and 365"),
        ({"ack_working_days": "soon"}, "ack_working_days", "whole number of working days"),
        ({"ack_working_days": "31"}, "ack_working_days", "between 0 and 30 working days"),
    ],
)
def test_a_bad_service_is_422_and_nothing_is_saved(admin, partner, changes, field, message):
    before = service_count()
    response = admin.post(f"{SERVICES}/new", good(partner, **changes))
    assert_422(response, field, message)
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    assert service_count() == before


def test_a_duplicate_code_is_422(admin, partner):
    ServiceFactory(code="pothole")
    db.session.commit()
    assert_422(
        admin.post(f"{SERVICES}/new", good(partner)),
        "code",
        "A service with the code pothole already exists",
    )


def test_no_target_ignores_a_number_left_in_the_box(admin, partner):
    assert (
        admin.post(f"{SERVICES}/new", good(partner, sla_unit="none", sla_value="x")).status_code
        == 302
    )
    service = db.session.scalar(select(Service).where(Service.code == "pothole"))
    assert (service.sla_hours, service.sla_working_days) == (None, None)


def test_edit_a_service_but_never_its_code(admin, partner):
    service = ServiceFactory(code="pothole", sla_working_days=5)
    db.session.commit()
    page = admin.get(f"{SERVICES}/{service.id}").get_data(as_text=True)
    assert 'name="code"' not in page and "Code: pothole" in page and 'value="5"' in page
    response = admin.post(
        f"{SERVICES}/{service.id}",
        good(partner, code="stolen", sla_unit="working_days", sla_value="3", active="no"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    service = db.session.get(Service, service.id)
    assert (service.code, service.sla_working_days, service.active, service.owning_partner_id) == (
        "pothole",
        3,
        False,
        partner.id,
    )
    assert_422(
        admin.post(f"{SERVICES}/{service.id}", good(partner, active="")),
        "active",
        "Select whether the service is active",
    )
    assert admin.get(f"{SERVICES}/999999").status_code == 404


def test_add_edit_move_and_deactivate_questions(admin):
    service = ServiceFactory()
    db.session.commit()
    url = f"{SERVICES}/{service.id}/questions"
    response = admin.post(
        url,
        {
            "code": "bin",
            "label": "Which bin?",
            "datatype": "singlevaluelist",
            "values": "grey|Grey bin\r\nblue|Blue bin",
            "required": "yes",
        },
    )
    assert response.status_code == 302
    response = admin.post(
        url, {"code": "when", "label": "When was it due?", "datatype": "datetime", "required": "no"}
    )
    assert response.status_code == 302
    bin_q, when_q = db.session.scalars(
        select(ServiceQuestion).order_by(ServiceQuestion.order)
    ).all()
    assert bin_q.values == [
        {"key": "grey", "name": "Grey bin"},
        {"key": "blue", "name": "Blue bin"},
    ]
    assert bin_q.required and when_q.datatype is QuestionType.DATETIME

    page = admin.get(url).get_data(as_text=True)
    assert "Which bin?" in page and 'name="q_bin"' in page and 'name="q_when-time"' in page

    edit = f"{url}/{bin_q.id}"
    assert "grey|Grey bin\nblue|Blue bin" in admin.get(edit).get_data(as_text=True)
    response = admin.post(
        edit,
        {
            "code": "hacked",
            "label": "Which bins?",
            "datatype": "multivaluelist",
            "values": "grey|Grey\nblue|Blue\nfood|Food",
            "required": "no",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    bin_q = db.session.get(ServiceQuestion, bin_q.id)
    assert (bin_q.code, bin_q.datatype, len(bin_q.values), bin_q.required) == (
        "bin",
        QuestionType.MULTIVALUELIST,
        3,
        False,
    )

    assert (
        admin.post(f"{url}/{when_q.id}/move", {"direction": "up"}, form_url=url).status_code == 302
    )
    assert (
        admin.post(f"{url}/{when_q.id}/move", {"direction": "sideways"}, form_url=url).status_code
        == 400
    )
    assert admin.post(f"{url}/{bin_q.id}/active", {"active": "no"}, form_url=url).status_code == 302
    db.session.expire_all()
    service = db.session.get(Service, service.id)
    assert [q.code for q in service.questions] == ["when", "bin"]
    assert [q.code for q in service.active_questions] == ["when"]
    assert (
        admin.post(f"{url}/{bin_q.id}/active", {"active": "maybe"}, form_url=url).status_code == 400
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"code": ""}, "code", "Enter a code"),
        ({"code": "bin colour"}, "code", "no spaces"),
        ({"code": "x" * 51}, "code", "Code must be 50 characters or fewer"),
        ({"code": "BIN"}, "code", "already has a question with the code BIN"),
        ({"label": ""}, "label", "Enter the question"),
        ({"label": "<b>" * 101}, "label", "Question must be 300 characters or fewer"),
        ({"datatype": "colour"}, "datatype", "Select the type of answer"),
        ({"values": ""}, "values", "Enter the answers to choose from, one per line"),
        ({"values": "a|A\na|B"}, "values", "Line 2 of the answers: the key a is used twice"),
        (
            {"datatype": "number", "values": "a|A"},
            "values",
            "Only questions with a list of answers",
        ),
        ({"required": "perhaps"}, "required", "Select yes or no"),
    ],
)
def test_a_bad_question_is_422_and_nothing_is_saved(admin, data, field, message):
    service = ServiceFactory()
    db.session.add(
        ServiceQuestion(
            service=service, code="bin", label="Old", datatype=QuestionType.TEXT, active=False
        )
    )
    db.session.commit()
    base = {
        "code": "colour",
        "label": "Which colour?",
        "datatype": "singlevaluelist",
        "values": "r|Red",
        "required": "no",
    }
    response = admin.post(f"{SERVICES}/{service.id}/questions", base | data)
    assert_422(response, field, message)
    assert db.session.scalar(select(func.count()).select_from(ServiceQuestion)) == 1


def test_a_question_of_another_service_is_404(admin):
    one, two = ServiceFactory(), ServiceFactory()
    question = ServiceQuestion(service=two, code="q", label="Q?", datatype=QuestionType.TEXT)
    db.session.add(question)
    db.session.commit()
    assert admin.get(f"{SERVICES}/{one.id}/questions/{question.id}").status_code == 404
    assert admin.get(f"{SERVICES}/{two.id}/questions/{question.id}").status_code == 200


def test_preview_checks_answers_and_saves_nothing(admin):
    service = ServiceFactory()
    db.session.add_all(
        [
            ServiceQuestion(
                service=service,
                code="bin",
                label="Which bin?",
                datatype=QuestionType.SINGLEVALUELIST,
                values=[{"key": "grey", "name": "Grey"}],
                required=True,
                order=0,
            ),
            ServiceQuestion(
                service=service, code="at", label="When?", datatype=QuestionType.DATETIME, order=1
            ),
        ]
    )
    db.session.commit()
    url = f"{SERVICES}/{service.id}/preview"
    response = admin.post(url, {"q_bin": "purple"})
    assert_422(response, "q_bin", "Select one of the answers listed for ‘Which bin?’")
    response = admin.post(url, {"q_bin": "grey", "q_at": ["1", "7", "2026"], "q_at-time": "9:05"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2026-07-01T09:05:00+01:00" in html and "Nothing has been saved" in html
