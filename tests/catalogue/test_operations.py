"""Changing the catalogue: the rules every change keeps, whichever way it comes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from frontoffice.access.actor import Actor
from frontoffice.audit.models import AuditEvent
from frontoffice.catalogue import operations as ops
from frontoffice.catalogue.models import QuestionType, ServiceTier
from frontoffice.extensions import db
from tests.catalogue.helpers import BINS
from tests.factories import PartnerFactory, ServiceFactory

ACTOR = Actor.system("test")


def details(partner, **kwargs) -> ops.ServiceDetails:
    return ops.ServiceDetails(name="Report a pothole", owning_partner_id=partner.id, **kwargs)


def test_create_service_normalises_the_code_and_audits():
    partner = PartnerFactory()
    service = ops.create_service(
        ACTOR, "  Pot-Holes ", details(partner, sla_hours=24, tier=ServiceTier.COUNTY)
    )
    assert (service.code, service.sla_hours, service.tier) == ("pot-holes", 24, ServiceTier.COUNTY)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.record_type == "service"))
    assert (event.action, event.record_id, event.details) == (
        "create",
        str(service.id),
        {"code": "pot-holes"},
    )


@pytest.mark.parametrize(
    ("code", "kwargs", "field", "message"),
    [
        ("", {}, "code", "Enter a code"),
        ("has space", {}, "code", "Code must be up to 40"),
        ("-leading", {}, "code", "Code must be up to 40"),
        ("x" * 41, {}, "code", "Code must be up to 40"),
        ("ok", {"name": "  "}, "name", "Enter a name"),
        ("ok", {"name": "x" * 201}, "name", "Name must be 200 characters or fewer"),
        ("ok", {"group": "a\nb"}, "group", "Group must not contain special characters"),
        ("ok", {"description": "\x00"}, "description", "must not contain special characters"),
        ("ok", {"sla_working_days": 2, "sla_hours": 4}, "sla_working_days", "not both"),
        ("ok", {"sla_working_days": 366}, "sla_working_days", "between 0 and 365"),
        ("ok", {"sla_hours": 0}, "sla_hours", "between 1 and 8,760"),
        ("ok", {"owning_partner_id": 999_999}, "owning_partner_id", "Select the partner"),
    ],
)
def test_create_service_refuses_bad_details_and_writes_nothing(code, kwargs, field, message):
    partner = PartnerFactory()
    values = {"name": "A service", "owning_partner_id": partner.id} | kwargs
    with pytest.raises(ops.CatalogueError) as raised:
        ops.create_service(ACTOR, code, ops.ServiceDetails(**values))
    assert raised.value.field == field and message in raised.value.message
    assert db.session.scalar(select(AuditEvent.id)) is None


def test_codes_are_unique():
    service = ServiceFactory(code="missed-bin")
    with pytest.raises(ops.CatalogueError, match="already exists"):
        ops.create_service(ACTOR, "MISSED-BIN", details(service.owning_partner))


def test_update_service_reports_what_changed_and_never_the_code():
    service = ServiceFactory(code="noise", sla_working_days=10)
    changed = ops.update_service(
        ACTOR, service, details(service.owning_partner, sla_hours=4, keywords="music, party")
    )
    assert set(changed) >= {"name", "sla_working_days", "sla_hours", "keywords"}
    assert (service.code, service.sla_working_days, service.sla_hours) == ("noise", None, 4)
    assert (
        ops.update_service(
            ACTOR, service, details(service.owning_partner, sla_hours=4, keywords="music, party")
        )
        == []
    )


def test_parse_and_format_values():
    text = " grey | Grey bin \n\nblue|Blue bin\ngarden\n"
    values = ops.parse_values(text)
    assert values == [
        {"key": "grey", "name": "Grey bin"},
        {"key": "blue", "name": "Blue bin"},
        {"key": "garden", "name": "garden"},
    ]
    assert ops.format_values(values) == "grey|Grey bin\nblue|Blue bin\ngarden|garden"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("|Grey", "Line 1 of the answers has no key before the |"),
        ("a|A\nA|again", "Line 2 of the answers: the key A is used twice"),
        ("k" * 51 + "|x", "key must be 50 characters or fewer"),
        ("k|" + "n" * 201, "name must be 200 characters or fewer"),
        ("a|b|c", "must be a key, a | and a name"),
        ("\n".join(f"k{n}|n" for n in range(101)), "Enter 100 answers or fewer"),
    ],
)
def test_parse_values_refuses(text, message):
    with pytest.raises(ops.CatalogueError, match=message):
        ops.parse_values(text)


def question(code="bin", datatype=QuestionType.SINGLEVALUELIST, values=BINS, **kwargs):
    return ops.QuestionDetails(
        code=code, label="Which bin?", datatype=datatype, values=list(values), **kwargs
    )


def test_questions_are_added_in_order_and_codes_are_unique_per_service_for_ever():
    service, other = ServiceFactory(), ServiceFactory()
    first = ops.add_question(ACTOR, service, question())
    second = ops.add_question(ACTOR, service, question("when", QuestionType.DATETIME, values=[]))
    assert (first.order, second.order) == (0, 1)
    ops.set_question_active(ACTOR, first, False)
    with pytest.raises(ops.CatalogueError, match="already has a question with the code BIN"):
        ops.add_question(ACTOR, service, question("BIN"))
    assert ops.add_question(ACTOR, other, question()).service_id == other.id


@pytest.mark.parametrize(
    ("detail", "field", "message"),
    [
        (question("bin colour"), "code", "no spaces"),
        (question("x" * 51), "code", "no spaces"),
        (question("bin", values=[]), "values", "Enter the answers to choose from"),
        (question("bin", QuestionType.STRING), "values", "Only questions with a list of answers"),
        (
            ops.QuestionDetails(code="q", label=" ", datatype=QuestionType.TEXT),
            "label",
            "Enter the question",
        ),
        (
            ops.QuestionDetails(code="q", label="x" * 301, datatype=QuestionType.TEXT),
            "label",
            "300 characters",
        ),
        (
            ops.QuestionDetails(code="q", label="a\nb", datatype=QuestionType.TEXT),
            "label",
            "special characters",
        ),
    ],
)
def test_bad_questions_are_refused(detail, field, message):
    service = ServiceFactory()
    with pytest.raises(ops.CatalogueError) as raised:
        ops.add_question(ACTOR, service, detail)
    assert raised.value.field == field and message in raised.value.message
    assert service.questions == []


def test_move_and_deactivate():
    service = ServiceFactory()
    a, b, c = (ops.add_question(ACTOR, service, question(code)) for code in ("a", "b", "c"))
    assert ops.move_question(ACTOR, c, -1)
    assert not ops.move_question(ACTOR, a, -1)
    db.session.expire(service)
    assert [q.code for q in service.questions] == ["a", "c", "b"]
    assert not ops.move_question(ACTOR, b, +1)
    ops.set_question_active(ACTOR, b, False)
    assert [q.code for q in service.active_questions] == ["a", "c"]
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.record_type == "service_question")
    ).all()
    assert actions.count("create") == 3 and "move" in actions and "deactivate" in actions


def test_update_question_keeps_its_code():
    service = ServiceFactory()
    q = ops.add_question(ACTOR, service, question())
    changed = ops.update_question(
        ACTOR, q, question("renamed", QuestionType.MULTIVALUELIST, required=True)
    )
    assert set(changed) == {"datatype", "required"} and q.code == "bin"
