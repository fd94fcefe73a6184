"""Changing the service catalogue: services and their questions. Flush, never commit; audit
every change. A change that breaks a rule raises CatalogueError naming the field to blame."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, select

from frontoffice.access.actor import Actor
from frontoffice.audit import operations as audit
from frontoffice.catalogue.models import QuestionType, Service, ServiceQuestion, ServiceTier
from frontoffice.extensions import db
from frontoffice.formkit import CONTROL
from frontoffice.partners.models import Partner

SERVICE_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
QUESTION_CODE = re.compile(r"^[A-Za-z0-9_]{1,50}$")
NAME_MAX, GROUP_MAX, DESCRIPTION_MAX, KEYWORDS_MAX, SCRIPT_MAX = 200, 100, 5000, 1000, 10000
SLA_DAYS_MAX, SLA_HOURS_MAX = 365, 8760
ACK_DAYS_MAX = 30
LABEL_MAX, HINT_MAX, VALUES_MAX, VALUE_KEY_MAX, VALUE_NAME_MAX = 300, 1000, 100, 50, 200


class CatalogueError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class ServiceDetails:
    name: str
    owning_partner_id: int
    group: str = ""
    description: str = ""
    keywords: str = ""
    sla_working_days: int | None = None
    sla_hours: int | None = None
    ack_working_days: int | None = None
    tier: ServiceTier = ServiceTier.ANY
    adviser_script: str = ""
    active: bool = True


@dataclass
class QuestionDetails:
    code: str
    label: str
    datatype: QuestionType
    required: bool = False
    hint: str = ""
    values: list[dict[str, str]] = field(default_factory=list)


# Services -------------------------------------------------------------------------------------


def normalise_service_code(value: str | None) -> str:
    return (value or "").strip().lower()


def service_by_code(code: str) -> Service | None:
    return db.session.scalar(select(Service).where(Service.code == normalise_service_code(code)))


def check_service_code(code: str) -> None:
    if not code:
        raise CatalogueError("code", "Enter a code")
    if not SERVICE_CODE.match(code):
        raise CatalogueError(
            "code",
            "Code must be up to 40 lower-case letters, numbers, hyphens or underscores, "
            "starting with a letter or number",
        )
    if service_by_code(code) is not None:
        raise CatalogueError("code", f"A service with the code {code} already exists")


def check_service(details: ServiceDetails) -> None:
    """The rules every service keeps, whichever way it is changed (form, CSV import)."""
    name = details.name.strip()
    if not name:
        raise CatalogueError("name", "Enter a name")
    for attr, limit, what in (
        ("name", NAME_MAX, "Name"),
        ("group", GROUP_MAX, "Group"),
        ("description", DESCRIPTION_MAX, "Description"),
        ("keywords", KEYWORDS_MAX, "Keywords"),
        ("adviser_script", SCRIPT_MAX, "Adviser script"),
    ):
        value = getattr(details, attr)
        if len(value) > limit:
            raise CatalogueError(attr, f"{what} must be {limit:,} characters or fewer")
        if CONTROL.search(value) or (attr in ("name", "group") and "\n" in value):
            raise CatalogueError(attr, f"{what} must not contain special characters")
    if db.session.get(Partner, details.owning_partner_id) is None:
        raise CatalogueError("owning_partner_id", "Select the partner that owns the service")
    if details.sla_working_days is not None and details.sla_hours is not None:
        raise CatalogueError(
            "sla_working_days", "Give a target in working days or in hours, not both"
        )
    if details.sla_working_days is not None and not 0 <= details.sla_working_days <= SLA_DAYS_MAX:
        raise CatalogueError(
            "sla_working_days", f"Target in working days must be between 0 and {SLA_DAYS_MAX}"
        )
    if details.ack_working_days is not None and not 0 <= details.ack_working_days <= ACK_DAYS_MAX:
        raise CatalogueError(
            "ack_working_days",
            f"Acknowledgement target must be between 0 and {ACK_DAYS_MAX} working days",
        )
    if details.sla_hours is not None and not 1 <= details.sla_hours <= SLA_HOURS_MAX:
        raise CatalogueError(
            "sla_hours", f"Target in hours must be between 1 and {SLA_HOURS_MAX:,}"
        )


def create_service(actor: Actor, code: str, details: ServiceDetails) -> Service:
    code = normalise_service_code(code)
    check_service_code(code)
    check_service(details)
    service = Service(code=code, **_service_values(details))
    db.session.add(service)
    db.session.flush()
    audit.record(actor, "create", "service", service.id, details={"code": code})
    return service


def update_service(actor: Actor, service: Service, details: ServiceDetails) -> list[str]:
    """Saves the details (never the code: it is how partners and Open311 know the service);
    returns the names of the fields that changed."""
    check_service(details)
    changed = []
    for name, value in _service_values(details).items():
        if getattr(service, name) != value:
            setattr(service, name, value)
            changed.append(name)
    if changed:
        db.session.flush()
        audit.record(actor, "update", "service", service.id, details={"changed": changed})
    return changed


def _service_values(details: ServiceDetails) -> dict[str, Any]:
    values = asdict(details)
    for name in ("name", "group"):
        values[name] = values[name].strip()
    values["tier"] = ServiceTier(details.tier)
    return values


# Questions ------------------------------------------------------------------------------------


def parse_values(text: str) -> list[dict[str, str]]:
    """'grey|Grey bin' one per line -> [{'key': 'grey', 'name': 'Grey bin'}]. A line without
    '|' is its own key and name."""
    values: list[dict[str, str]] = []
    seen: set[str] = set()
    lines = [line.strip() for line in (text or "").splitlines()]
    for number, line in enumerate(lines, start=1):
        if not line:
            continue
        key, _, name = line.partition("|")
        key, name = key.strip(), (name.strip() or key.strip())
        where = f"Line {number} of the answers"
        if not key:
            raise CatalogueError("values", f"{where} has no key before the |")
        if len(key) > VALUE_KEY_MAX:
            raise CatalogueError(
                "values", f"{where}: key must be {VALUE_KEY_MAX} characters or fewer"
            )
        if len(name) > VALUE_NAME_MAX:
            raise CatalogueError(
                "values", f"{where}: name must be {VALUE_NAME_MAX} characters or fewer"
            )
        if "|" in name or CONTROL.search(line):
            raise CatalogueError("values", f"{where} must be a key, a | and a name")
        if key.lower() in seen:
            raise CatalogueError("values", f"{where}: the key {key} is used twice")
        seen.add(key.lower())
        values.append({"key": key, "name": name})
    if len(values) > VALUES_MAX:
        raise CatalogueError("values", f"Enter {VALUES_MAX} answers or fewer")
    return values


def format_values(values: list[dict[str, str]]) -> str:
    return "\n".join(f"{v['key']}|{v['name']}" for v in values)


def check_question(details: QuestionDetails) -> None:
    if not details.label.strip():
        raise CatalogueError("label", "Enter the question")
    if len(details.label) > LABEL_MAX:
        raise CatalogueError("label", f"Question must be {LABEL_MAX} characters or fewer")
    if len(details.hint) > HINT_MAX:
        raise CatalogueError("hint", f"Hint must be {HINT_MAX:,} characters or fewer")
    if CONTROL.search(details.label) or "\n" in details.label or CONTROL.search(details.hint):
        raise CatalogueError("label", "Question must not contain special characters")
    kind = QuestionType(details.datatype)
    if kind.has_values and not details.values:
        raise CatalogueError("values", "Enter the answers to choose from, one per line")
    if not kind.has_values and details.values:
        raise CatalogueError(
            "values", "Only questions with a list of answers have answers to choose from"
        )


def add_question(actor: Actor, service: Service, details: QuestionDetails) -> ServiceQuestion:
    code = details.code.strip()
    if not QUESTION_CODE.match(code):
        raise CatalogueError(
            "code", "Code must be up to 50 letters, numbers or underscores, with no spaces"
        )
    taken = db.session.scalar(
        select(ServiceQuestion.id).where(
            ServiceQuestion.service_id == service.id,
            func.lower(ServiceQuestion.code) == code.lower(),
        )
    )
    if taken is not None:
        raise CatalogueError(
            "code",
            f"This service already has a question with the code {code} (it may be deactivated)",
        )
    check_question(details)
    last = db.session.scalar(
        select(func.max(ServiceQuestion.order)).where(ServiceQuestion.service_id == service.id)
    )
    question = ServiceQuestion(
        service=service,
        code=code,
        order=0 if last is None else last + 1,
        active=True,
        **_question_values(details),
    )
    db.session.add(question)
    db.session.flush()
    audit.record(
        actor,
        "create",
        "service_question",
        question.id,
        details={"service_id": service.id, "code": code},
    )
    return question


def update_question(actor: Actor, question: ServiceQuestion, details: QuestionDetails) -> list[str]:
    """Saves everything but the code, which answers already given are stored under."""
    check_question(details)
    changed = []
    for name, value in _question_values(details).items():
        if getattr(question, name) != value:
            setattr(question, name, value)
            changed.append(name)
    if changed:
        db.session.flush()
        audit.record(actor, "update", "service_question", question.id, details={"changed": changed})
    return changed


def _question_values(details: QuestionDetails) -> dict[str, Any]:
    return {
        "label": details.label.strip(),
        "datatype": QuestionType(details.datatype),
        "required": details.required,
        "hint": details.hint.strip(),
        "values": [dict(v) for v in details.values],
    }


def move_question(actor: Actor, question: ServiceQuestion, direction: int) -> bool:
    """Swaps a question with its neighbour (-1 up, +1 down); False at either end."""
    siblings = sorted(question.service.questions, key=lambda q: (q.order, q.id))
    index = siblings.index(question)
    other = index + (1 if direction > 0 else -1)
    if not 0 <= other < len(siblings):
        return False
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings):
        sibling.order = position
    db.session.flush()
    audit.record(actor, "move", "service_question", question.id, details={"order": question.order})
    return True


def set_question_active(actor: Actor, question: ServiceQuestion, active: bool) -> None:
    if question.active == active:
        return
    question.active = active
    db.session.flush()
    audit.record(actor, "reactivate" if active else "deactivate", "service_question", question.id)
