"""Records and page helpers for the routing and partner-system admin tests."""

from __future__ import annotations

import html as htmllib
import re
from datetime import date

from sqlalchemy import func, select

from frontoffice.audit.models import AuditEvent
from frontoffice.crypto import decrypt_json, encrypt_json
from frontoffice.dispatch.models import PartnerAdapter
from frontoffice.extensions import db
from frontoffice.routing.models import AreaKind, RoutingRule

RULES = "/staff/admin/routing/rules"
NEW_RULE = "/staff/admin/routing/rules/new"
ADAPTERS = "/staff/admin/routing/adapters"
NEW_ADAPTER = "/staff/admin/routing/adapters/new"
SECRET = "hush-Secret-value-42-never-shown"
NEW_SECRET = "another-Secret-value-99-hidden!"
HEADER_SECRET = "Bearer tok-very-private-123"


def make_rule(
    service,
    partners,
    kind: str = "any",
    code: str = "",
    *,
    priority: int = 100,
    start: date = date(2020, 1, 1),
    end: date | None = None,
    active: bool = True,
    note: str = "",
) -> RoutingRule:
    rule = RoutingRule(
        service_id=service.id,
        area_kind=AreaKind(kind),
        area_code=code,
        priority=priority,
        effective_from=start,
        effective_to=end,
        active=active,
        note=note,
    )
    rule.partners = list(partners)
    db.session.add(rule)
    db.session.flush()
    return rule


def make_adapter(partner, adapter_type="webhook", *, service=None, **values) -> PartnerAdapter:
    row = PartnerAdapter(
        partner_id=partner.id,
        service_id=service.id if service else None,
        name=values.pop("name", f"{partner.name} {adapter_type}"),
        adapter_type=adapter_type,
        settings=values.pop("settings", {}),
        secret_settings=values.pop("secret_settings", ""),
        active=values.pop("active", True),
        consecutive_failures=values.pop("consecutive_failures", 0),
        **values,
    )
    db.session.add(row)
    db.session.flush()
    return row


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def audit_events(record_type: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.record_type == record_type).order_by(AuditEvent.id)
        )
    )


def day(value: date) -> list[str]:
    """A date as the three boxes of a GOV.UK date input."""
    return [str(value.day), str(value.month), str(value.year)]


def text(response) -> str:
    return response.get_data(as_text=True)


def error_by_field(html: str, field_id: str) -> str:
    pattern = (
        rf'<p id="{re.escape(field_id)}-error" class="govuk-error-message">'
        r"\s*<span[^>]*>Error:</span>\s*([^<]+)"
    )
    found = re.search(pattern, html)
    assert found, f"no error by {field_id}"
    return htmllib.unescape(found.group(1).strip())


def assert_error(response, field_id: str, message: str) -> None:
    html = text(response)
    assert response.status_code == 422, html[:3000]
    assert "govuk-error-summary" in html and f'href="#{field_id}"' in html
    assert message in error_by_field(html, field_id)


HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def hidden_fields(html: str) -> dict[str, list[str]]:
    """The hidden inputs of a page, as form data to post back."""
    fields: dict[str, list[str]] = {}
    for name, value in HIDDEN.findall(html):
        fields.setdefault(htmllib.unescape(name), []).append(htmllib.unescape(value))
    return fields


def secrets_of(row: PartnerAdapter, app) -> dict:
    db.session.refresh(row)
    return decrypt_json(app.config["SECRET_KEY"], row.secret_settings)


def webhook(partner, app, url="https://hooks.example.org/in", **values) -> PartnerAdapter:
    """A saved webhook system whose shared secret is SECRET."""
    values.setdefault("name", "Northvale webhook")
    row = make_adapter(
        partner,
        "webhook",
        settings={"url": url, "timeout": 10.0},
        secret_settings=encrypt_json(app.config["SECRET_KEY"], {"secret": SECRET}),
        **values,
    )
    db.session.commit()
    return row


def url_of(row: PartnerAdapter) -> str:
    return f"{ADAPTERS}/{row.id}"
