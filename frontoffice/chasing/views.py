"""Supervisors' pages for chasing acknowledgements: the overdue list, one case's chases, and
"chase now" / "stop chasing" on it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from frontoffice import clock
from frontoffice.access.actor import current_actor
from frontoffice.access.policy import Permission, requires
from frontoffice.cases.models import Case
from frontoffice.chasing import operations, queries
from frontoffice.chasing.forms import ChaseNowForm, StopForm
from frontoffice.chasing.policy import ChasePolicy
from frontoffice.extensions import db

bp = Blueprint("chasing", __name__, url_prefix="/staff")


def _case_or_404(case_id: int) -> Case:
    return queries.visible_case(current_user, case_id) or abort(404)


@bp.route("/chasing")
@requires(Permission.CHASE_MANAGE)
def overdue():
    return render_template(
        "staff/chasing/overdue.html",
        rows=queries.overdue(current_user, clock.today()),
        policy=ChasePolicy.from_env(),
    )


def _page(case: Case, *, now_form=None, stop_form=None, status: int = 200):
    summary = queries.summaries([case.id]).get(case.id, queries.ChaseSummary(0, None))
    fresh_now = ChaseNowForm(number=str(operations.chases_so_far(case.id) + 1), formdata=None)
    return render_template(
        "staff/chasing/case.html",
        case=case,
        chases=queries.chases_of(case.id),
        summary=summary,
        end=operations.ending(case.id),
        refused=operations.why_not_chase(case),
        now_form=now_form if now_form is not None and now_form.errors else fresh_now,
        stop_form=stop_form or StopForm(formdata=None),
        policy=ChasePolicy.from_env(),
        form=next((f for f in (now_form, stop_form) if f is not None and f.errors), None),
    ), status


@bp.route("/cases/<int:case_id>/chasing")
@requires(Permission.CHASE_MANAGE)
def case(case_id: int):
    return _page(_case_or_404(case_id))


@bp.route("/cases/<int:case_id>/chasing/now", methods=["POST"])
@requires(Permission.CHASE_MANAGE)
def chase_now(case_id: int):
    case = _case_or_404(case_id)
    form = ChaseNowForm()
    if not form.validate_on_submit():
        return _page(case, now_form=form, status=422)
    number = int(form.number.data)
    actor = current_actor()
    try:
        if number != operations.chases_so_far(case.id) + 1:
            raise operations.ChaseRefused(f"Chase {number} has already been made")
        operations.chase(actor, case, number, ChasePolicy.from_env(), requested_by_id=actor.user_id)
    except operations.ChaseRefused as refused:
        db.session.rollback()
        flash(f"Not chased: {refused}.", "info")
        return redirect(url_for(".case", case_id=case.id))
    db.session.commit()  # the reminders are sent after this commit
    flash(f"{case.reference}: the partner has been chased (reminder {number}).", "success")
    return redirect(url_for(".case", case_id=case.id))


@bp.route("/cases/<int:case_id>/chasing/stop", methods=["POST"])
@requires(Permission.CHASE_MANAGE)
def stop(case_id: int):
    case = _case_or_404(case_id)
    form = StopForm()
    if not form.validate_on_submit():
        return _page(case, stop_form=form, status=422)
    try:
        operations.stop(current_actor(), case, form.reason.data)
    except operations.ChaseRefused as refused:
        db.session.rollback()
        form.reason.errors.append(str(refused))
        return _page(case, stop_form=form, status=409)
    db.session.commit()
    flash(f"{case.reference}: chasing stopped.", "success")
    return redirect(url_for(".case", case_id=case.id))
