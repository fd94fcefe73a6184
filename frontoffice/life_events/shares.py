"""What a service told of a life event is sent: the groups of details its tell rule shares.

Each kind of event has its groups; a rule that names none shares them all (what every
service was sent before rules could choose). The choice is applied once, when the
notification's case is written: its answers and its summary hold only the shared groups, so
the dispatch payload, the partner API and the partner UI, which all send or show those,
carry nothing more. The event's reference and kind are always sent, and for a move the new
address: the record is moved before the services are told, and every case carries the
customer's address, which partners match their records on and routing follows. The informant
of a death is never sent: the next of kin and the executor are whom services contact.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from frontoffice.life_events.models import EventKind, LifeEvent, PersonRole

GROUPS: dict[EventKind, dict[str, str]] = {
    EventKind.DEATH: {
        "event_date": "Date of death",
        "inquest": "Whether there is an inquest",
        "next_of_kin": "Next of kin’s contact details",
        "executor": "Executor’s contact details",
    },
    EventKind.BIRTH: {
        "event_date": "Child’s date of birth",
        "child": "Child’s name",
        "parents": "Parents’ names",
        "informant": "Contact details of the person who told us",
    },
    EventKind.MOVE: {
        "event_date": "Date they moved",
        "old_address": "Old address",
        "informant": "Contact details of the person who told us",
    },
}


def defaults(kind: EventKind) -> frozenset[str]:
    return frozenset(GROUPS[kind])


def shared(kind: EventKind, chosen: Iterable[str] | None) -> frozenset[str]:
    """The groups a rule shares: its choice, or all of the kind's when it has made none."""
    picked = frozenset(chosen or ()) & defaults(kind)
    return picked or defaults(kind)


def unknown(kind: EventKind, chosen: Iterable[str]) -> list[str]:
    """The chosen groups that are not this kind of event's."""
    return sorted(set(chosen) - defaults(kind))


def summary(customer_name: str, event: LifeEvent, groups: frozenset[str]) -> str:
    """The case's one line, saying no more than the `groups` shared."""
    when = f" on {event.event_date:%d %B %Y}" if "event_date" in groups else ""
    if event.kind is EventKind.DEATH:
        text = f"{customer_name} died{when}" if when else f"{customer_name} has died"
    elif event.kind is EventKind.BIRTH:
        text = f"{customer_name} has a new child"
        if "child" in groups and event.child_name:
            text += f", {event.child_name}"
        if when:
            text += f", born{when}"
    else:
        text = f"{customer_name} moved home{when} to {event.new_address or 'a new address'}"
    return f"Tell us once ({event.reference}): {text}."


def labels(kind: EventKind, chosen: Iterable[str] | None) -> list[str]:
    groups = shared(kind, chosen)
    return [label for key, label in GROUPS[kind].items() if key in groups]


def answers(event: LifeEvent, groups: frozenset[str]) -> dict[str, Any]:
    """What a service is sent: the event, and of its details only the `groups` shared."""
    found: dict[str, Any] = {"life_event": event.reference, "event": event.kind.value}
    if "event_date" in groups:
        found["event_date"] = event.event_date.isoformat()
    if event.kind is EventKind.DEATH and "inquest" in groups:
        found["inquest"] = event.inquest
    if event.kind is EventKind.MOVE:
        if "old_address" in groups:
            found["old_address"] = event.old_address
        found["new_address"] = event.new_address
        found["move"] = event.move_scope.value if event.move_scope else ""
    if event.kind is EventKind.BIRTH:
        if "child" in groups:
            found["child"] = event.child_name
        if "parents" in groups:
            found["parents"] = event.parents
    for person in event.people:
        if person.role is PersonRole.INFORMANT and event.kind is EventKind.DEATH:
            continue
        if person.role.value in groups:
            found[person.role.value] = {
                "name": person.name,
                "relationship": person.relationship_,
                "phone": person.phone,
                "email": person.email,
                "address": person.address,
            }
    return found
