"""Administrators' page for tell rules: which services an informant is offered to tell of a
death, a birth or a move, everywhere or in one district or ward. Which partner is then told
is the routing rules' business."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from frontoffice.access.actor import current_actor
from frontoffice.access.policy import Permission, requires
from frontoffice.catalogue.models import Service
from frontoffice.extensions import db
from frontoffice.life_events import rule_admin, shares
from frontoffice.life_events.forms import TellRuleForm
from frontoffice.life_events.models import EventKind, TellRule
from frontoffice.routing.models import AreaKind
from frontoffice.routing_admin import queries as routing
from frontoffice.routing_admin.views import area_text

bp = Blueprint("tell_rules", __name__, url_prefix="/staff/admin/tell-rules")


@bp.route("/", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def rules():
    services = [s for s in routing.services() if s.active]
    form = TellRuleForm()
    form.set_services(services)
    if form.validate_on_submit():
        service = db.session.get(Service, int(form.service.data))
        if service is None:
            abort(404)
        rule = rule_admin.add_rule(
            current_actor(),
            rule_admin.RuleDetails(
                event_kind=EventKind(form.event_kind.data),
                service=service,
                area_kind=AreaKind(form.area_kind.data),
                area_code=form.area_code.data or "",
                purpose=form.purpose.data or "",
                shares=tuple(form.shares.data or ()),
            ),
        )
        db.session.commit()
        flash(
            f"{service.name} is offered for {rule.event_kind.label.lower()}: {area_text(rule)}",
            "success",
        )
        return redirect(url_for(".rules"))
    status = 422 if form.errors else 200
    return render_template(
        "staff/life_events/tell_rules.html",
        form=form,
        rules=rule_admin.all_rules(),
        area_text=area_text,
        shared=shares.labels,
    ), status


@bp.route("/<int:tell_rule_id>/switch", methods=["POST"])
@requires(Permission.ADMINISTER)
def switch(tell_rule_id: int):
    rule = db.session.get(TellRule, tell_rule_id)
    if rule is None:
        abort(404)
    rule_admin.set_active(current_actor(), rule, not rule.active)
    db.session.commit()
    said = "switched on" if rule.active else "switched off"
    flash(
        f"{rule.service.name} for {rule.event_kind.label.lower()} ({area_text(rule)}): {said}",
        "success",
    )
    return redirect(url_for(".rules"))
