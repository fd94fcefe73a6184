"""The check-your-answers rows: what the resident said, in words, each with a change link."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import url_for
from markupsafe import Markup

from frontoffice.catalogue.models import QuestionType, Service, ServiceQuestion
from frontoffice.catalogue.questions import LONDON
from frontoffice.customers import normalise
from frontoffice.gazetteer import queries as gazetteer
from frontoffice.public import journey
from frontoffice.public.forms import LANGUAGES, REPLY_BY


def answer_text(q: ServiceQuestion, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "Not answered"
    if q.datatype is QuestionType.SINGLEVALUELIST:
        return q.value_name(value)
    if q.datatype is QuestionType.MULTIVALUELIST:
        return ", ".join(q.value_name(v) for v in value)
    if q.datatype is QuestionType.DATETIME:
        moment = datetime.fromisoformat(value).astimezone(LONDON)
        return f"{moment.day} {moment:%B %Y} at {moment:%H:%M}"
    return str(value)


def address_lines(address: dict[str, Any]) -> list[str]:
    if address.get("uprn"):
        found = gazetteer.by_uprn(address["uprn"])
        if found is not None:
            parts = (found.line_1, found.line_2, found.line_3, found.town, found.postcode)
            return [p for p in parts if p]
    keys = ("line_1", "line_2", "town", "postcode")
    return [str(address[k]) for k in keys if address.get(k)]


def row(key: str, value: str | list[str], href: str, what: str) -> dict[str, Any]:
    lines = value if isinstance(value, list) else [value]
    return {
        "key": {"text": key},
        "value": {"html": Markup("<br>").join(lines)},
        "actions": {
            "items": [{"href": href, "text": "Change", "visuallyHiddenText": what.lower()}]
        },
    }


def rows(data: dict[str, Any], service: Service) -> list[dict[str, Any]]:
    answers = data.get("answers") or {}
    found = [row("Service", service.name, url_for("public.find"), "service")]
    for number, q in enumerate(journey.questions(service), start=1):
        href = url_for("public.question", number=number, change=1)
        found.append(row(q.label, answer_text(q, answers.get(q.code)), href, q.label))
    found.append(
        row(
            "Address",
            address_lines(data.get("address") or {}) or "Not given",
            url_for("public.address", change=1),
            "address",
        )
    )
    contact = data.get("contact") or {}
    href = url_for("public.contact", change=1)
    name = f"{contact.get('first_name', '')} {contact.get('last_name', '')}".strip()
    phone = contact.get("phone") or ""
    if phone:
        phone = normalise.display_phone(normalise.normalise_phone(phone) or phone)
    found += [
        row("Name", name or "Not given", href, "name"),
        row("Email address", contact.get("email") or "Not given", href, "email address"),
        row("Phone number", phone or "Not given", href, "phone number"),
        row(
            "How to hear back",
            REPLY_BY.get(contact.get("reply_by", ""), "Not given"),
            href,
            "how to hear back",
        ),
        row(
            "Language",
            LANGUAGES.get(contact.get("language", ""), "English"),
            href,
            "language",
        ),
    ]
    return found
