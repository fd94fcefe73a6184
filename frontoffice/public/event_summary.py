"""The check-your-answers rows of a life-event report: what the resident said, in words, each
with a change link."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import url_for

from frontoffice.customers import normalise
from frontoffice.life_events.models import Authority, EventKind, MoveScope
from frontoffice.public import event_journey
from frontoffice.public.event_forms import AUTHORITY_LABELS, KINDS
from frontoffice.public.forms import LANGUAGES
from frontoffice.public.summary import address_lines, row

INQUEST = {"no": "No", "yes": "Yes", "unknown": "Not known yet"}


def _date(value: Any) -> str:
    if not value:
        return "Not given"
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        return "Not given"
    return f"{day.day} {day:%B %Y}"


def _phone(value: str) -> str:
    return normalise.display_phone(normalise.normalise_phone(value) or value) if value else ""


def _or_not_given(*parts: str) -> str | list[str]:
    given = [p for p in parts if p]
    return given or "Not given"


def rows(data: dict[str, Any], kind: EventKind) -> list[dict[str, Any]]:
    change = {"change": 1}
    found = [
        row("Telling us about", KINDS[kind.value], url_for("public.event_kind", **change), "event")
    ]
    informant = data.get("informant") or {}
    href = url_for("public.event_informant", **change)
    name = f"{informant.get('first_name', '')} {informant.get('last_name', '')}".strip()
    found += [
        row("Your name", name or "Not given", href, "your name"),
        row(
            "Your relationship", informant.get("relationship") or "Not given", href, "relationship"
        ),
        row("Your email address", informant.get("email") or "Not given", href, "email address"),
        row(
            "Your phone number", _phone(informant.get("phone") or "") or "Not given", href, "phone"
        ),
        row("Language", LANGUAGES.get(informant.get("language", ""), "English"), href, "language"),
    ]
    try:
        authority = AUTHORITY_LABELS[Authority(str(data.get("authority", "")))]
    except ValueError:
        authority = "Not given"
    found.append(
        row("Who you are", authority, url_for("public.event_authority", **change), "who you are")
    )
    person = data.get("person") or {}
    href = url_for("public.event_person", **change)
    what = {EventKind.DEATH: "Who died", EventKind.BIRTH: "Parent", EventKind.MOVE: "Who moved"}
    name = f"{person.get('first_name', '')} {person.get('last_name', '')}".strip()
    found += [
        row(what[kind], name or "Not given", href, what[kind]),
        row("Their date of birth", _date(person.get("date_of_birth")), href, "date of birth"),
    ]
    home = {EventKind.DEATH: "Their address", EventKind.BIRTH: "Family’s address"}
    found.append(
        row(
            home.get(kind, "Address they moved from"),
            address_lines(data.get("home") or {}) or "Not given",
            url_for("public.event_address", slot="home", **change),
            "address",
        )
    )
    found += _details(data, kind)
    if kind is EventKind.DEATH:
        for who, role in event_journey.CONTACTS.items():
            given = data.get(role) or {}
            label = "Next of kin" if role == "next_of_kin" else "Executor"
            value = _or_not_given(
                given.get("name", ""),
                given.get("relationship", ""),
                _phone(given.get("phone", "")),
                given.get("email", ""),
                given.get("address", ""),
            )
            found.append(
                row(label, value, url_for("public.event_contact", who=who, **change), label)
            )
    answers = data.get("tell") or {}
    for number, offer in enumerate(event_journey.offers(data), start=1):
        answer = {"yes": "Tell them", "no": "Do not tell them"}.get(
            answers.get(offer.service.code, ""), "Not answered"
        )
        href = url_for("public.event_tell", number=number, **change)
        found.append(row(offer.service.name, answer, href, offer.service.name))
    return found


def _details(data: dict[str, Any], kind: EventKind) -> list[dict[str, Any]]:
    details = data.get("details") or {}
    href = url_for("public.event_details", change=1)
    if kind is EventKind.DEATH:
        return [
            row("Date of death", _date(details.get("event_date")), href, "date of death"),
            row("Inquest", INQUEST.get(details.get("inquest", ""), "Not given"), href, "inquest"),
            row("Place of death", details.get("place") or "Not given", href, "place of death"),
        ]
    if kind is EventKind.BIRTH:
        return [
            row("Child’s name", details.get("child_name") or "Not given", href, "child’s name"),
            row("Child’s date of birth", _date(details.get("event_date")), href, "date of birth"),
            row("Other parent", details.get("other_parent") or "Not given", href, "other parent"),
        ]
    try:
        scope = MoveScope(str(details.get("move_scope", ""))).label
    except ValueError:
        scope = "Not given"
    return [
        row("Date they moved", _date(details.get("event_date")), href, "date they moved"),
        row("Where they moved", scope, href, "where they moved"),
        row(
            "New address",
            address_lines(data.get("new_home") or {}) or "Not given",
            url_for("public.event_address", slot="new", change=1),
            "new address",
        ),
    ]
