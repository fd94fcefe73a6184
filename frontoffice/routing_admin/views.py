"""Administering routing rules: which partner delivers which service where, from when.

Before a rule is saved the administrator sees what it does to the service's rules as a whole:
rules that overlap with the same priority, and districts left with no rule from some day on.
Such a change is saved only when they choose "Save anyway". Rules are never deleted: a rule
is switched off, so the history of where cases went stays explainable.
"""

from __future__ import annotations

import hashlib

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice

from frontoffice import clock
from frontoffice.access.actor import current_actor
from frontoffice.access.policy import Permission, requires
from frontoffice.extensions import db
from frontoffice.formkit import fieldset_params
from frontoffice.routing.models import AreaKind, RoutingRule
from frontoffice.routing_admin import operations as ops
from frontoffice.routing_admin import queries
from frontoffice.routing_admin.forms import RuleFilterForm, RuleForm

bp = Blueprint("routing_admin", __name__, url_prefix="/staff/admin/routing")

# Posted back from the confirmation page to the form page, as they were typed.
NOT_ECHOED = {"csrf_token", "confirm", "change", "submit"}


@bp.app_context_processor
def helpers():
    return {"routing_fieldset": fieldset_params, "area_text": area_text}


def area_text(rule) -> str:
    kind = rule.area_kind.value if hasattr(rule.area_kind, "value") else rule.area_kind
    if kind == AreaKind.DISTRICT.value:
        return f"District {rule.area_code}"
    if kind == AreaKind.WARD.value:
        return f"Ward {rule.area_code}"
    return "Everywhere"


@bp.route("/rules")
@requires(Permission.ADMINISTER)
def rules():
    services = queries.services()
    filters = RuleFilterForm(request.args)
    filters.service.choices = [SelectChoice("", "All services")] + [
        SelectChoice(str(s.id), s.name) for s in services
    ]
    chosen = next((s for s in services if str(s.id) == filters.service.data), None)
    rows = queries.rules(chosen.id if chosen else None)
    groups: dict[int, list[RoutingRule]] = {}
    for rule in rows:
        groups.setdefault(rule.service_id, []).append(rule)
    today = clock.today()
    return render_template(
        "staff/routing_admin/rules.html",
        filters=filters,
        chosen=chosen,
        groups=[(rules_[0].service, rules_) for rules_ in groups.values()],
        problems=queries.problems_by_service(rows, today),
        today=today,
    )


def _rule_data(rule: RoutingRule) -> dict:
    return {
        "service": str(rule.service_id),
        "area_kind": rule.area_kind.value,
        "area_code": rule.area_code,
        "priority": rule.priority,
        "effective_from": rule.effective_from,
        "effective_to": rule.effective_to,
        "partner_ids": [str(p.id) for p in rule.partners],
        "note": rule.note,
        "active": rule.active,
    }


def _form(rule: RoutingRule | None) -> RuleForm:
    if request.method == "POST":
        formdata = MultiDict(request.form)
        if rule is not None:
            # A saved rule keeps its service: moving it would leave the old one's gap unseen.
            formdata.setlist("service", [str(rule.service_id)])
        form = RuleForm(formdata=formdata)
    else:
        form = RuleForm(data=_rule_data(rule) if rule is not None else None)
    form.set_choices(queries.services(), queries.partners())
    return form


def _details(form: RuleForm, rule: RoutingRule | None) -> ops.RuleDetails:
    kind = AreaKind(form.area_kind.data)
    return ops.RuleDetails(
        service_id=int(form.service.data),
        area_kind=kind,
        area_code="" if kind is AreaKind.ANY else form.area_code.data,
        priority=form.priority.data,
        effective_from=form.effective_from.data,
        effective_to=form.effective_to.data,
        partner_ids=tuple(sorted({int(p) for p in form.partner_ids.data})),
        note=form.note.data or "",
        active=True if rule is None else bool(form.active.data),
    )


def fingerprint(messages: list[str]) -> str:
    """What "Save anyway" agreed to: if the problems change meanwhile, ask again."""
    return hashlib.sha256("\n".join(messages).encode()).hexdigest()[:20]


def _edit(rule: RoutingRule | None):
    form = _form(rule)
    template = "staff/routing_admin/rule_form.html"
    if request.method == "POST" and request.form.get("change"):
        return render_template(template, form=form, rule=rule)  # back from confirming
    if not form.validate_on_submit():
        return render_template(template, form=form, rule=rule), (
            422 if form.is_submitted() else 200
        )
    details = _details(form, rule)
    existing = queries.rules(details.service_id)
    problems = queries.check(
        details.service_id, existing, details.as_rule(rule.id if rule else None), clock.today()
    )
    messages = [p.message for p in problems]
    if problems and form.confirm.data != fingerprint(messages):
        return render_template(
            "staff/routing_admin/confirm_rule.html",
            form=form,
            rule=rule,
            details=details,
            problems=problems,
            fingerprint=fingerprint(messages),
            echoed=[(k, v) for k, v in request.form.items(multi=True) if k not in NOT_ECHOED],
            service_name=next(
                (c.label for c in form.service.choices if c.value == str(details.service_id)), ""
            ),
            partner_names=[
                c.label for c in form.partner_ids.choices if int(c.value) in details.partner_ids
            ],
        )
    try:
        if rule is None:
            rule = ops.create_rule(current_actor(), details, messages)
            flash(f"Rule {rule.id} for {rule.service.name} saved.", "success")
        else:
            changed = ops.update_rule(current_actor(), rule, details, messages)
            flash(f"Rule {rule.id} saved." if changed else "Nothing was changed.", "success")
    except ValueError as error:  # a partner removed meanwhile
        db.session.rollback()
        form.partner_ids.errors = [str(error)]
        return render_template(template, form=form, rule=rule), 422
    db.session.commit()
    return redirect(url_for("routing_admin.rules", service=rule.service_id))


@bp.route("/rules/new", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def new_rule():
    return _edit(None)


@bp.route("/rules/<int:rule_id>", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def edit_rule(rule_id: int):
    rule = queries.rule(rule_id)
    if rule is None:
        abort(404)
    return _edit(rule)


from frontoffice.routing_admin import adapter_views  # noqa: E402, F401 - its routes join bp
