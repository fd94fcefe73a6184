"""A resident's report of a life event from the web becomes a life event on the right customer
record, reported through life_events.operations.report like an adviser's.

Flush only; the view commits. Every answer is checked again here: a draft may be older than a
change to the tell rules, and a hand-made post may skip pages.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from frontoffice.access.actor import Actor
from frontoffice.cases.models import Channel
from frontoffice.customers import matching, normalise
from frontoffice.customers import operations as customers
from frontoffice.customers.models import Customer, Language, PreferredChannel
from frontoffice.extensions import db
from frontoffice.gazetteer import queries as gazetteer
from frontoffice.life_events import operations as life_events
from frontoffice.life_events.models import Authority, EventKind, LifeEvent, MoveScope
from frontoffice.messages.operations import confirm_life_event
from frontoffice.public import event_journey
from frontoffice.public.models import WebLifeEvent
from frontoffice.public.operations import Incomplete

# Where to send the resident back to for each answer the domain refuses.
FIELD_STEPS = {
    "authority": "authority",
    "informant_name": "informant",
    "event_date": "details",
    "child_name": "details",
    "new_address": "new_home",
    "services": "tell-1",
    "consent": "tell-1",
}


def already_made(token: str) -> LifeEvent | None:
    """The life event a post with this idempotency token already reported."""
    return db.session.scalar(
        select(LifeEvent).join(WebLifeEvent).where(WebLifeEvent.token == token)
    )


def web_report(life_event_id: int) -> WebLifeEvent | None:
    return db.session.scalar(
        select(WebLifeEvent).where(WebLifeEvent.life_event_id == life_event_id)
    )


def told_services(event: LifeEvent) -> list[str]:
    """The services this report told: none when it repeated an earlier one."""
    return [n.service.name for n in event.notifications]


def submit_life_event(actor: Actor, token: str, data: dict[str, Any], track_url: str) -> LifeEvent:
    kind = event_journey.kind_of(data)
    if kind is None:
        raise Incomplete("kind", "Choose what you want to tell us about")
    informant = data.get("informant") or {}
    language = Language(informant.get("language") or Language.ENGLISH.value)
    if not informant.get("last_name") or not informant.get("email"):
        raise Incomplete("informant", "Enter your details")
    authority = _authority(kind, data)
    person = data.get("person") or {}
    if not person.get("first_name") or not person.get("last_name"):
        raise Incomplete("person", "Enter their name")
    home = _address(data.get("home") or {}, "home")
    details = data.get("details") or {}
    event_date = _date(details.get("event_date"))
    if event_date is None:
        raise Incomplete("details", "Enter the date")
    new_home = _address(data.get("new_home") or {}, "new_home") if kind is EventKind.MOVE else None
    chosen = _chosen(data)
    customer = _customer(actor, kind, authority, informant, person, home)
    report = life_events.Report(
        kind=kind,
        event_date=event_date,
        channel=Channel.WEB,
        informant=life_events.PersonDetails(
            name=f"{informant['first_name']} {informant['last_name']}".strip(),
            relationship=str(informant.get("relationship") or ""),
            phone=normalise.normalise_phone(informant.get("phone") or "") or "",
            email=str(informant["email"]),
        ),
        authority=authority,
        service_ids=tuple(chosen),
        consent_wording=life_events.consent_wording(kind),
        next_of_kin=_contact(data, "next_of_kin") if kind is EventKind.DEATH else None,
        executor=_contact(data, "executor", "Executor") if kind is EventKind.DEATH else None,
        inquest=details.get("inquest") == "yes",
        move_scope=_scope(details) if kind is EventKind.MOVE else None,
        new_address=new_home,
        child_name=str(details.get("child_name") or ""),
        parents=_parents(kind, person, details),
        language=language,
        details={
            k: v
            for k, v in {"place": details.get("place"), "inquest": details.get("inquest")}.items()
            if v and kind is EventKind.DEATH
        },
    )
    try:
        event = life_events.report(actor, customer, report)
    except life_events.LifeEventError as refused:
        raise Incomplete(FIELD_STEPS.get(refused.field, "check"), str(refused)) from refused
    email = str(informant["email"])
    postcode = (new_home or home).postcode
    db.session.add(
        WebLifeEvent(
            token=token,
            life_event_id=event.id,
            given_name=str(informant.get("first_name") or "")[:100],
            email=email,
            email_key=normalise.email_key(email),
            postcode_key=normalise.postcode_key(postcode) if postcode else "",
            language=language,
        )
    )
    db.session.flush()  # a second post with the same token fails here, before any email
    confirm_life_event(
        event,
        (email, str(informant.get("first_name") or ""), language),
        track_url,
    )
    return event


def _authority(kind: EventKind, data: dict[str, Any]) -> Authority:
    try:
        authority = Authority(str(data.get("authority", "")))
    except ValueError:
        raise Incomplete("authority", "Tell us who you are") from None
    if authority not in life_events.AUTHORITIES[kind]:
        raise Incomplete("authority", "Only someone with authority can tell us")
    return authority


def _scope(details: dict[str, Any]) -> MoveScope:
    try:
        return MoveScope(str(details.get("move_scope", "")))
    except ValueError:
        raise Incomplete("details", "Tell us where they moved") from None


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _address(given: dict[str, Any], step: str) -> customers.AddressDetails:
    if given.get("uprn"):
        found = gazetteer.by_uprn(str(given["uprn"]))
        if found is None:
            raise Incomplete(step, "Find the address again")
        return customers.AddressDetails(
            line_1=found.line_1,
            line_2=", ".join(p for p in (found.line_2, found.line_3) if p),
            town=found.town or "",
            postcode=found.postcode,
            uprn=found.uprn,
        )
    postcode = normalise.normalise_postcode(given.get("postcode") or "")
    if not given.get("line_1") or postcode is None:
        raise Incomplete(step, "Enter the address")
    return customers.AddressDetails(
        line_1=str(given["line_1"]),
        line_2=str(given.get("line_2") or ""),
        town=str(given.get("town") or ""),
        postcode=postcode,
    )


def _chosen(data: dict[str, Any]) -> list[int]:
    """The ids of the services the resident said yes to; every offer must have an answer."""
    answers = data.get("tell") or {}
    chosen = []
    for number, offer in enumerate(event_journey.offers(data), start=1):
        answer = answers.get(offer.service.code)
        if answer not in ("yes", "no"):
            raise Incomplete(f"tell-{number}", f"Tell us whether to tell {offer.service.name}")
        if answer == "yes":
            chosen.append(offer.service.id)
    if not chosen:
        raise Incomplete("tell-1", "Choose at least one service to tell")
    return chosen


def _contact(data: dict[str, Any], role: str, relationship: str = "") -> life_events.PersonDetails:
    given = data.get(role) or {}
    return life_events.PersonDetails(
        name=str(given.get("name") or ""),
        relationship=str(given.get("relationship") or relationship),
        phone=normalise.normalise_phone(given.get("phone") or "") or "",
        email=str(given.get("email") or ""),
        address=str(given.get("address") or ""),
    )


def _parents(kind: EventKind, person: dict[str, Any], details: dict[str, Any]) -> str:
    if kind is not EventKind.BIRTH:
        return ""
    names = [f"{person['first_name']} {person['last_name']}", details.get("other_parent") or ""]
    return " and ".join(n for n in names if n)


def _customer(
    actor: Actor,
    kind: EventKind,
    authority: Authority,
    informant: dict[str, Any],
    person: dict[str, Any],
    home: customers.AddressDetails,
) -> Customer:
    """The record of the person the event is about. The informant's own email and phone are
    theirs only when they are that person (a move, a parent): never matched against the
    record of someone who has died."""
    themselves = authority is Authority.SELF
    email = str(informant.get("email") or "") if themselves else ""
    phone = normalise.normalise_phone(informant.get("phone") or "") or "" if themselves else ""
    born = _date(person.get("date_of_birth"))
    found = matching.match(
        matching.Given(
            given_name=str(person["first_name"]),
            family_name=str(person["last_name"]),
            email=email,
            phone=phone,
            postcode=home.postcode,
            date_of_birth=born,
            address_line_1=home.line_1,
            address_line_2=home.line_2 or "",
            town=home.town or "",
        )
    )
    details = customers.CustomerDetails(
        given_name=str(person["first_name"]),
        family_name=str(person["last_name"]),
        date_of_birth=born,
        phones=(phone,) if phone else (),
        email=email or None,
        address=home,
        preferred_language=Language(informant.get("language") or "en")
        if themselves
        else Language.ENGLISH,
        preferred_channel=PreferredChannel.EMAIL,
    )
    return matching.land(found, actor, details, source="web")
