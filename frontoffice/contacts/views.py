"""Staff pages for contacts: log a call or visit, raising its cases in the same submission."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from frontoffice import clock
from frontoffice.access.actor import current_actor
from frontoffice.access.policy import Permission, allows, requires
from frontoffice.audit import operations as audit
from frontoffice.cases import queries as case_queries
from frontoffice.cases.operations import CaseError
from frontoffice.contacts import operations, queries
from frontoffice.contacts.forms import ContactForm
from frontoffice.customers.views import refuse_if_merged
from frontoffice.extensions import db

bp = Blueprint("contacts", __name__, url_prefix="/staff")


@bp.route("/customers/<int:customer_id>/contacts/new", methods=["GET", "POST"])
@requires(Permission.CONTACT_LOG)
def new(customer_id: int):
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    customer = case_queries.visible_customer(user, customer_id)
    if customer is None:
        abort(404)
    refuse_if_merged(customer)
    services = {s.id: s for s in case_queries.active_services()}
    form = ContactForm()
    form.set_services(services.values())
    if request.method == "GET":
        form.started_at.data = clock.now().isoformat()
    if form.validate_on_submit():
        assert form.started is not None and form.ended is not None
        try:
            contact = operations.log_contact(
                current_actor(),
                customer,
                channel=form.channel.data,
                direction=form.direction.data,
                reason=form.reason.data,
                outcome=form.outcome.data,
                resolved_first_contact=form.resolved_first_contact.data,
                location=form.location.data or "",
                started_at=form.started,
                ended_at=form.ended,
                cases=[
                    operations.CaseRequest(service=services[service_id], summary=summary)
                    for service_id, summary in form.case_rows()
                ],
            )
        except (operations.ContactError, CaseError) as refused:
            db.session.rollback()
            form.form_errors.append(str(refused))
        else:
            db.session.commit()
            raised = ", ".join(c.reference for c in contact.cases)
            flash(
                f"Contact logged. Cases raised: {raised}" if raised else "Contact logged",
                "success",
            )
            return redirect(url_for("contacts.view", contact_id=contact.id))
    status = 422 if request.method == "POST" else 200
    return render_template("staff/contacts/new.html", form=form, customer=customer), status


@bp.route("/contacts/<int:contact_id>")
@requires(Permission.CUSTOMER_VIEW)
def view(contact_id: int):
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    contact = queries.visible_contact(user, contact_id)
    if contact is None:
        abort(404)
    audit.record(current_actor(), "view", "contact", contact.id, customer_id=contact.customer_id)
    db.session.commit()
    return render_template(
        "staff/contacts/view.html",
        contact=contact,
        can_raise=allows(user, Permission.CASE_RAISE),
    )
