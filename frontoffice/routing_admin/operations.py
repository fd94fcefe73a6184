"""Changing routing rules and partner adapters: flush, never commit; every change audited.

Audit details say what changed. For adapters they name the secret settings that changed but
never hold their values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from frontoffice import adapters
from frontoffice.access.actor import Actor
from frontoffice.adapters.base import jsonable
from frontoffice.audit import operations as audit
from frontoffice.crypto import encrypt_json
from frontoffice.dispatch.models import PartnerAdapter
from frontoffice.extensions import db
from frontoffice.partners.models import Partner
from frontoffice.routing import resolve
from frontoffice.routing.models import AreaKind, RoutingRule

RULE = "routing_rule"
ADAPTER = "partner_adapter"
NEW_RULE_ID = 0  # the id a rule not yet saved has in the checks


@dataclass(frozen=True)
class RuleDetails:
    service_id: int
    area_kind: AreaKind
    area_code: str
    priority: int
    effective_from: date
    effective_to: date | None
    partner_ids: tuple[int, ...]
    note: str = ""
    active: bool = True

    def as_rule(self, rule_id: int | None) -> resolve.Rule:
        """The plain rule `resolve.check_rules` works on, as if these details were saved."""
        return resolve.Rule(
            id=rule_id or NEW_RULE_ID,
            service_id=self.service_id,
            area_kind=self.area_kind.value,
            area_code=self.area_code,
            priority=self.priority,
            effective_from=self.effective_from,
            effective_to=self.effective_to,
            partner_ids=tuple(sorted(self.partner_ids)),
            active=self.active,
        )


def _rule_values(rule: RoutingRule) -> dict[str, Any]:
    """A rule as JSON-safe values, to compare before and after an edit."""
    return {
        "service_id": rule.service_id,
        "area_kind": rule.area_kind.value,
        "area_code": rule.area_code,
        "priority": rule.priority,
        "effective_from": rule.effective_from.isoformat(),
        "effective_to": rule.effective_to.isoformat() if rule.effective_to else None,
        "partner_ids": sorted(p.id for p in rule.partners),
        "note": rule.note,
        "active": rule.active,
    }


def _apply(rule: RoutingRule, details: RuleDetails) -> None:
    partners = db.session.scalars(
        select(Partner).where(Partner.id.in_(details.partner_ids)).order_by(Partner.id)
    ).all()
    if not partners or len(partners) != len(set(details.partner_ids)):
        raise ValueError("Select a partner from the list")
    rule.service_id = details.service_id
    rule.area_kind = details.area_kind
    rule.area_code = "" if details.area_kind is AreaKind.ANY else details.area_code
    rule.priority = details.priority
    rule.effective_from = details.effective_from
    rule.effective_to = details.effective_to
    rule.partners = list(partners)
    rule.note = details.note
    rule.active = details.active


def create_rule(
    actor: Actor, details: RuleDetails, accepted_problems: list[str] | None = None
) -> RoutingRule:
    rule = RoutingRule()
    _apply(rule, details)
    db.session.add(rule)
    db.session.flush()
    record: dict[str, Any] = {"rule": _rule_values(rule)}
    if accepted_problems:
        record["accepted_problems"] = accepted_problems
    audit.record(actor, "create", RULE, rule.id, details=record)
    return rule


def update_rule(
    actor: Actor,
    rule: RoutingRule,
    details: RuleDetails,
    accepted_problems: list[str] | None = None,
) -> dict[str, list[Any]]:
    """Saves the details; returns {field: [before, after]} for what changed (audited)."""
    before = _rule_values(rule)
    _apply(rule, details)
    db.session.flush()
    after = _rule_values(rule)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changed:
        action = "update"
        if changed.keys() == {"active"}:
            action = "reactivate" if rule.active else "deactivate"
        record: dict[str, Any] = {"changed": changed}
        if accepted_problems:
            record["accepted_problems"] = accepted_problems
        audit.record(actor, action, RULE, rule.id, details=record)
    return changed


# --- adapters ----------------------------------------------------------------------------


class ScopeTaken(ValueError):
    """The partner already has an adapter for that service (or for all services)."""


def create_adapter(
    actor: Actor, *, partner: Partner, service_id: int | None, adapter_type: str, name: str
) -> PartnerAdapter:
    """A new adapter. It starts switched off unless it needs no settings (the portal)."""
    adapter = adapters.get(adapter_type)
    taken = db.session.scalar(
        select(PartnerAdapter.id).where(
            PartnerAdapter.partner_id == partner.id,
            PartnerAdapter.service_id.is_(None)
            if service_id is None
            else PartnerAdapter.service_id == service_id,
        )
    )
    if taken is not None:
        raise ScopeTaken(
            f"{partner.name} already has a partner system for "
            f"{'all services' if service_id is None else 'that service'}: change that one"
        )
    try:
        settings = adapter.validate_settings({})
    except adapters.SettingsInvalid:
        settings, ready = None, False
    else:
        ready = True
    row = PartnerAdapter(
        partner_id=partner.id,
        service_id=service_id,
        name=name,
        adapter_type=adapter_type,
        settings=jsonable(dict(settings)) if settings is not None else {},
        secret_settings="",
        active=ready,
        consecutive_failures=0,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        actor,
        "create",
        ADAPTER,
        row.id,
        details={
            "partner_id": partner.id,
            "service_id": service_id,
            "adapter_type": adapter_type,
            "name": name,
            "active": ready,
        },
    )
    return row


def save_adapter(
    actor: Actor,
    row: PartnerAdapter,
    *,
    name: str,
    active: bool,
    settings: adapters.Settings,
    previous_secrets: dict[str, Any],
    secret_key: str,
    secrets_unreadable: bool = False,
) -> dict[str, Any]:
    """Stores validated settings: the plain ones as they are, the secret ones encrypted.

    Returns what changed, as audited: plain settings with their values before and after,
    secret settings by name only.
    """
    plain, secret = adapters.split_secrets(row.adapter_type, settings)
    plain = jsonable(plain)
    secret = {k: v for k, v in jsonable(secret).items() if v not in (None, "", {})}
    changed: dict[str, Any] = {}
    if name != row.name:
        changed["name"] = [row.name, name]
    if active != row.active:
        changed["active"] = [row.active, active]
    old_plain = row.settings or {}
    settings_changed = {k: [old_plain.get(k), v] for k, v in plain.items() if old_plain.get(k) != v}
    if settings_changed:
        changed["settings"] = settings_changed
    secrets_changed = sorted(
        k for k in set(secret) | set(previous_secrets) if secret.get(k) != previous_secrets.get(k)
    )
    if secrets_unreadable:  # what was stored cannot be read: replace it with what was entered
        secrets_changed = sorted(set(secrets_changed) | set(secret))
        changed["unreadable_secrets_replaced"] = True
    if secrets_changed:
        changed["secret_settings"] = secrets_changed
    if not changed:
        return changed
    row.name = name
    row.active = active
    row.settings = plain
    if secrets_changed or secrets_unreadable:
        row.secret_settings = encrypt_json(secret_key, secret) if secret else ""
    db.session.flush()
    audit.record(actor, "update", ADAPTER, row.id, details={"changed": changed})
    return changed
