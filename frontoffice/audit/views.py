"""Supervisors' view of the audit trail."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from frontoffice.access.actor import current_actor
from frontoffice.access.policy import Permission, requires
from frontoffice.audit import operations as audit
from frontoffice.audit import queries
from frontoffice.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/staff")


def record_label(record_type: str, record_id: str) -> str:
    """'case', '12' -> 'Case FO-000012'; other records by their kind and number."""
    from frontoffice.cases.models import format_reference

    kind = record_type.replace("_", " ").capitalize()
    if record_type == "case" and record_id.isdigit():
        return f"{kind} {format_reference(int(record_id))}"
    return f"{kind} {record_id}"


def _page_number() -> int:
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and 0 < int(value) < 1_000_000 else 1


@bp.route("/customers/<int:customer_id>/audit")
@requires(Permission.AUDIT_VIEW)
def customer_history(customer_id: int):
    customer = queries.visible_customer(current_user, customer_id)
    if customer is None:
        abort(404)
    page = queries.customer_history(customer.id, _page_number())
    if page.number > page.pages:
        abort(404)
    audit.record(
        current_actor(),
        "view_audit_history",
        "customer",
        customer.id,
        customer_id=customer.id,
        details={"page": page.number},
    )
    db.session.commit()
    return render_template(
        "staff/audit/customer_history.html",
        customer=customer,
        page=page,
        record_label=record_label,
    )
