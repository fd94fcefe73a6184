"""Supervisors' delivery pages: failed deliveries (dead letters), triage, routing by hand."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from frontoffice import clock
from frontoffice.access.actor import current_actor
from frontoffice.access.policy import Permission, case_scope, requires
from frontoffice.audit import operations as audit
from frontoffice.cases.models import Case
from frontoffice.dispatch import operations, queries
from frontoffice.dispatch.forms import RetryForm, RouteForm
from frontoffice.extensions import db
from frontoffice.partners.models import Partner
from frontoffice.public import queries as public_queries
from frontoffice.routing import operations as routing

bp = Blueprint("deliveries", __name__, url_prefix="/staff/deliveries")
# A resident's request is raised within seconds; one still waiting after this is shown.
UNRAISED_AFTER = timedelta(minutes=10)


@bp.route("/failed")
@requires(Permission.DELIVERY_MANAGE)
def failed():
    return render_template(
        "staff/deliveries/failed.html",
        dispatches=queries.failed_deliveries(current_user),
        retry_form=RetryForm(),
    )


@bp.route("/<int:dispatch_id>/retry", methods=["POST"])
@requires(Permission.DELIVERY_MANAGE)
def retry(dispatch_id: int):
    dispatch = queries.dispatch_in_scope(current_user, dispatch_id) or abort(404)
    form = RetryForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        operations.retry_dead(dispatch)
    except ValueError as error:
        flash(str(error), "info")
        return redirect(url_for("deliveries.failed"))
    audit.record(current_actor(), "retry_delivery", "dispatch", dispatch.id)
    db.session.commit()
    flash(f"Delivery to {dispatch.partner.name} will be tried again.", "success")
    return redirect(url_for("deliveries.failed"))


@bp.route("/triage")
@requires(Permission.DELIVERY_MANAGE)
def triage():
    return render_template(
        "staff/deliveries/triage.html",
        cases=queries.triage_cases(current_user),
        unraised=public_queries.unraised_requests(current_user, waited=UNRAISED_AFTER),
    )


@bp.route("/overdue")
@requires(Permission.DELIVERY_MANAGE)
def overdue():
    return render_template(
        "staff/deliveries/overdue.html",
        rows=queries.overdue_by_partner_and_service(current_user, clock.today()),
    )


@bp.route("/cases/<int:case_id>/route", methods=["GET", "POST"])
@requires(Permission.DELIVERY_MANAGE)
def route(case_id: int):
    case = db.session.scalar(select(Case).where(Case.id == case_id, case_scope(current_user)))
    if case is None:
        abort(404)
    form = RouteForm()
    partners = db.session.scalars(select(Partner).order_by(Partner.name)).all()
    form.partner_ids.choices = [(p.id, p.name) for p in partners]
    if form.validate_on_submit():
        routing.reroute(
            case,
            current_actor(),
            partner_ids=form.partner_ids.data,
            reason=form.reason.data.strip(),
        )
        db.session.commit()
        flash(f"{case.reference} has been routed and will be sent to the partner.", "success")
        return redirect(url_for("cases.view", case_id=case.id))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "staff/deliveries/route.html",
        case=case,
        form=form,
        dispatches=queries.dispatches_for_case(current_user, case.id),
    ), status
