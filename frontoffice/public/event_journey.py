"""The pages of a resident's life-event journey, which depend on the kind of event (a death
asks for the next of kin and the executor, a move for the new address) and on the address
(the services offered, one page each, are the tell rules' for that place)."""

from __future__ import annotations

from typing import Any

from flask import url_for

from frontoffice.life_events import rules
from frontoffice.life_events.models import EventKind, MoveScope
from frontoffice.public.journey import Step, following, preceding

JOURNEY = "life_event"
# The contact people of a death, by their part of the URL.
CONTACTS = {"next-of-kin": "next_of_kin", "executor": "executor"}


def kind_of(data: dict[str, Any]) -> EventKind | None:
    try:
        return EventKind(str(data.get("kind", "")))
    except ValueError:
        return None


def place(data: dict[str, Any]) -> rules.Place:
    """Whose services are told: the new home's, unless the person is leaving the area."""
    kind = kind_of(data)
    scope = (data.get("details") or {}).get("move_scope")
    if kind is EventKind.MOVE and scope != MoveScope.OUT_OF.value:
        uprn = (data.get("new_home") or {}).get("uprn")
    else:
        uprn = (data.get("home") or {}).get("uprn")
    return rules.place_of(str(uprn) if uprn else None)


def offers(data: dict[str, Any]) -> list[rules.Offer]:
    kind = kind_of(data)
    return rules.offered(kind, place(data)) if kind is not None else []


def steps(data: dict[str, Any]) -> list[Step]:
    kind = kind_of(data)
    found = [
        Step("informant", "public.event_informant"),
        Step("authority", "public.event_authority"),
        Step("person", "public.event_person"),
        Step("home", "public.event_address", {"slot": "home"}),
        Step("details", "public.event_details"),
    ]
    if kind is EventKind.MOVE:
        found.append(Step("new_home", "public.event_address", {"slot": "new"}))
    if kind is EventKind.DEATH:
        found += [
            Step(role, "public.event_contact", {"who": who}) for who, role in CONTACTS.items()
        ]
    found += [
        Step(f"tell-{n}", "public.event_tell", {"number": n})
        for n in range(1, len(offers(data)) + 1)
    ]
    return [*found, Step("check", "public.event_check")]


def next_url(data: dict[str, Any], current: str, *, changing: bool) -> str:
    return following(steps(data), current, changing=changing)


def back_url(data: dict[str, Any], current: str) -> str:
    return preceding(steps(data), current, url_for("public.event_kind"))


def step_url(data: dict[str, Any], name: str) -> str:
    for step in steps(data):
        if step.name == name:
            return step.url()
    return url_for("public.event_kind")
