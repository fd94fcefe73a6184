"""/partner/: partner staff work the cases routed to their partner.

The actions are partner_api.actions, the same code the partner API runs; what the page shows
of the customer is dispatch.payloads.case_payload, what the partner's systems are sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from frontoffice import clock
from frontoffice.access.actor import current_actor
from frontoffice.access.policy import Permission, requires
from frontoffice.accounts.models import StaffUser
from frontoffice.audit import operations as audit
from frontoffice.cases.models import Case
from frontoffice.cases.views import case_helpers, page_links, parse_id
from frontoffice.dispatch.payloads import case_payload
from frontoffice.extensions import db
from frontoffice.partner_api import actions
from frontoffice.partner_ui import queries
from frontoffice.partner_ui.forms import ActionForm, CloseForm, FilterForm, RejectForm, UpdateForm
from frontoffice.partners.models import Partner

bp = Blueprint("partner_ui", __name__, url_prefix="/partner")

# Each form on the case page has its own prefix, so its fields' names and ids are its own.
FORMS: dict[str, type[FlaskForm]] = {
    "acknowledge": ActionForm,
    "accept": ActionForm,
    "update": UpdateForm,
    "close": CloseForm,
    "reject": RejectForm,
}
# The field a refusal about the whole case is shown by.
MAIN_FIELD = {
    "acknowledge": "update_id",
    "accept": "update_id",
    "update": "status",
    "close": "outcome",
    "reject": "reason",
}


bp.context_processor(case_helpers)


def _user() -> StaffUser:
    return current_user._get_current_object()  # type: ignore[attr-defined]


def _case_or_404(reference: str) -> Case:
    case = queries.case(_user(), reference[:40])
    if case is None:
        abort(404)
    return case


@bp.route("/")
@requires(Permission.PARTNER_WORK)
def queue():
    user = _user()
    page = parse_id(request.args.get("page", "1"))
    if page is None:
        abort(404)
    form = FilterForm(request.args)
    form.set_services(queries.services(user))
    result = None
    if form.validate():
        filters = queries.Filters(form.status.data, form.service.data, form.overdue.data)
        result = queries.queue(user, filters, page)
        if page > result.pages:
            abort(404)
        audit.record(
            current_actor(),
            "list",
            "case",
            "partner_queue",
            details={"page": page, "case_ids": [c.id for c in result.cases]},
        )
        db.session.commit()
    return render_template(
        "partner/queue.html",
        form=form,
        today=clock.today(),
        result=result,
        pagination=(
            page_links(page, result.pages, "partner_ui.queue")
            if result and result.pages > 1
            else None
        ),
    ), (200 if result is not None else 422)


def _case_page(case: Case, name: str = "", failed: FlaskForm | None = None, status: int = 200):
    """The case, with every action's form; `failed`, the form called `name`, shows its errors."""
    user = _user()
    forms = {key: form(formdata=None, prefix=key) for key, form in FORMS.items()}
    if failed is not None:
        forms[name] = failed
    dispatch = queries.my_dispatch(user, case)
    said = dispatch.partner_status if dispatch else None
    return render_template(
        "partner/case.html",
        case=case,
        today=clock.today(),
        payload=case_payload(case, user.partner),
        dispatch=dispatch,
        events=queries.timeline(user, case),
        forms=forms,
        form=failed,
        open=not case.status.stops_the_clock and said != "closed",
        undecided=said in (None, "acknowledged"),
    ), status


@bp.route("/cases/<reference>")
@requires(Permission.PARTNER_WORK)
def view(reference: str):
    case = _case_or_404(reference)
    audit.record(
        current_actor(),
        "view",
        "case",
        case.id,
        customer_id=case.customer_id,
        details={"ui": "partner"},
    )
    db.session.commit()
    return _case_page(case)


def _act(
    reference: str,
    name: str,
    run: Callable[[Partner, Case, Any], str],
    done: Callable[[Case, str], str],
    then: str = "partner_ui.view",
):
    """Validates the named form and runs the action, then sends the user to the case (`then`);
    or shows the case page again with the error by its field, having changed nothing."""
    case = _case_or_404(reference)
    form = FORMS[name](prefix=name)
    if not form.validate_on_submit():
        return _case_page(case, name, form, 422)
    try:
        outcome = run(_user().partner, case, form)
    except actions.NotRouted:
        db.session.rollback()
        abort(404)
    except actions.ActionError as refused:
        db.session.rollback()
        field = getattr(form, refused.field or MAIN_FIELD[name], None) or form[MAIN_FIELD[name]]
        field.errors = [*field.errors, refused.message]
        return _case_page(case, name, form, 409 if isinstance(refused, actions.CaseClosed) else 422)
    db.session.commit()
    flash(done(case, outcome), "success")
    return redirect(
        url_for(then, reference=case.reference) if then.endswith("view") else url_for(then)
    )


def _said(applied: str) -> Callable[[Case, str], str]:
    return lambda case, outcome: (
        applied if outcome == "applied" else "You had already sent this: nothing changed"
    )


@bp.route("/cases/<reference>/acknowledge", methods=["POST"])
@requires(Permission.PARTNER_WORK)
def acknowledge(reference: str):
    return _act(
        reference,
        "acknowledge",
        lambda partner, case, form: actions.acknowledge(
            current_actor(), partner, case, update_id=form.update_id.data
        ),
        _said("Case acknowledged"),
    )


@bp.route("/cases/<reference>/accept", methods=["POST"])
@requires(Permission.PARTNER_WORK)
def accept(reference: str):
    return _act(
        reference,
        "accept",
        lambda partner, case, form: actions.accept(
            current_actor(), partner, case, update_id=form.update_id.data
        ),
        _said("Case accepted: it is in progress"),
    )


@bp.route("/cases/<reference>/reject", methods=["POST"])
@requires(Permission.PARTNER_WORK)
def reject(reference: str):
    def run(partner: Partner, case: Case, form: Any) -> str:
        actions.reject(current_actor(), partner, case, form.reason.data)
        return "applied"

    return _act(
        reference,
        "reject",
        run,
        lambda case, _: f"Case {case.reference} returned to the front office to be routed again",
        then="partner_ui.queue",
    )


@bp.route("/cases/<reference>/updates", methods=["POST"])
@requires(Permission.PARTNER_WORK)
def post_update(reference: str):
    return _act(
        reference,
        "update",
        lambda partner, case, form: actions.post_update(
            current_actor(),
            partner,
            case,
            status=form.status.data,
            public_note=form.public_note.data,
            internal_note=form.internal_note.data,
            your_reference=form.your_reference.data,
            update_id=form.update_id.data,
        ),
        _said("Update sent"),
    )


@bp.route("/cases/<reference>/close", methods=["POST"])
@requires(Permission.PARTNER_WORK)
def close(reference: str):
    return _act(
        reference,
        "close",
        lambda partner, case, form: actions.close(
            current_actor(),
            partner,
            case,
            outcome=form.outcome.data,
            internal_note=form.internal_note.data,
            update_id=form.update_id.data,
        ),
        _said("Case closed"),
    )
