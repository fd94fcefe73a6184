"""Administering tell rules: which services are offered to be told of each kind of life event,
and where. Flush only; the view commits. A rule is never deleted, only switched off, so what
an informant was offered stays explainable; adding a rule that exists switches it back on."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from frontoffice.access.actor import Actor
from frontoffice.audit import operations as audit
from frontoffice.catalogue.models import Service
from frontoffice.extensions import db
from frontoffice.life_events import shares
from frontoffice.life_events.models import EventKind, TellRule
from frontoffice.routing.models import AreaKind


@dataclass(frozen=True)
class RuleDetails:
    event_kind: EventKind
    service: Service
    area_kind: AreaKind
    area_code: str
    purpose: str
    shares: tuple[str, ...] = ()  # none: all the kind's details (shares.GROUPS)


def all_rules() -> list[TellRule]:
    return list(
        db.session.scalars(
            select(TellRule)
            .join(Service, Service.id == TellRule.service_id)
            .options(contains_eager(TellRule.service))
            .order_by(TellRule.event_kind, Service.name, TellRule.area_kind, TellRule.area_code)
        )
    )


class RuleError(ValueError):
    """A rule the domain refuses; `field` names the answer to correct."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def add_rule(actor: Actor, details: RuleDetails) -> TellRule:
    """Adds the rule, or changes the one for the same event, service and area."""
    if shares.unknown(details.event_kind, details.shares):
        raise RuleError(
            f"Choose only details that a report of {details.event_kind.label.lower()} has",
            "shares",
        )
    area_code = details.area_code if details.area_kind is not AreaKind.ANY else ""
    rule, created = _existing(details, area_code), False
    if rule is None:
        rule, created = _new_rule(details, area_code)
    rule.purpose = details.purpose
    chosen = [k for k in shares.GROUPS[details.event_kind] if k in details.shares]
    rule.shares = chosen or None
    rule.active = True
    db.session.flush()
    _audit(actor, "create_tell_rule" if created else "change_tell_rule", rule)
    return rule


def _existing(details: RuleDetails, area_code: str) -> TellRule | None:
    return db.session.scalar(
        select(TellRule).where(
            TellRule.event_kind == details.event_kind,
            TellRule.service_id == details.service.id,
            TellRule.area_kind == details.area_kind,
            TellRule.area_code == area_code,
        )
    )


def _new_rule(details: RuleDetails, area_code: str) -> tuple[TellRule, bool]:
    """Inserted at once, in a savepoint: when another administrator added the same rule a
    moment before, theirs is the one changed instead."""
    rule = TellRule(
        event_kind=details.event_kind,
        service_id=details.service.id,
        area_kind=details.area_kind,
        area_code=area_code,
    )
    try:
        with db.session.begin_nested():
            db.session.add(rule)
    except IntegrityError:
        theirs = _existing(details, area_code)
        if theirs is None:
            raise
        return theirs, False
    return rule, True


def set_active(actor: Actor, rule: TellRule, active: bool) -> None:
    rule.active = active
    db.session.flush()
    _audit(actor, "switch_on_tell_rule" if active else "switch_off_tell_rule", rule)


def _audit(actor: Actor, action: str, rule: TellRule) -> None:
    audit.record(
        actor,
        action,
        "tell_rule",
        rule.id,
        details={
            "event_kind": rule.event_kind.value,
            "service": rule.service.code,
            "area_kind": rule.area_kind.value,
            "area_code": rule.area_code,
            "purpose": rule.purpose,
            "shares": sorted(shares.shared(rule.event_kind, rule.shares)),
            "active": rule.active,
        },
    )
