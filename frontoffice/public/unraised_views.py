"""Supervisors' page for one web request the worker could not raise (or has not): raise it
now, under another live service when its own was withdrawn, or close it with a reason the
resident is sent. Listed on the triage page (frontoffice.dispatch.views.triage)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from frontoffice.access.actor import current_actor
from frontoffice.access.policy import Permission, requires
from frontoffice.extensions import db
from frontoffice.public import operations, unraised
from frontoffice.public.models import AcceptedRequest
from frontoffice.public.unraised_forms import CloseForm, RaiseForm

bp = Blueprint("web_requests", __name__, url_prefix="/staff/web-requests")
KEEP = ""  # the select's value for "its own service"


def _request_or_404(accepted_id: int, *, or_closed: bool = False) -> AcceptedRequest:
    return unraised.open_request(current_user, accepted_id, or_closed=or_closed) or abort(404)


def _closed_already(accepted: AcceptedRequest):
    """A late or second click on a closed request: it is told so, and nothing is done."""
    if accepted.closed_at is None:
        return None
    return _refused(unraised.Refused(f"{accepted.reference} has been closed already"))


def _raise_form(accepted: AcceptedRequest, form: RaiseForm | None = None) -> RaiseForm:
    form = form or RaiseForm(seen=str(accepted.attempts), formdata=None)
    own = accepted.service
    choices = [] if not own.active else [(KEEP, f"{own.name} (as the resident asked)")]
    choices += [(str(s.id), s.name) for s in unraised.live_services() if s.id != own.id]
    if not own.active:
        choices.insert(0, (KEEP, "Choose a service"))
    form.service_id.choices = choices
    return form


def _page(accepted: AcceptedRequest, *, raise_form=None, close_form=None, status: int = 200):
    return render_template(
        "staff/deliveries/web_request.html",
        accepted=accepted,
        answers=unraised.answers_in_words(accepted),
        raise_form=_raise_form(accepted, raise_form),
        close_form=close_form or CloseForm(seen=str(accepted.attempts), formdata=None),
        form=next((f for f in (raise_form, close_form) if f is not None and f.errors), None),
    ), status


@bp.route("/<int:accepted_id>")
@requires(Permission.WEB_REQUEST_MANAGE)
def view(accepted_id: int):
    return _page(_request_or_404(accepted_id))


def _refused(refused: unraised.Refused):
    db.session.rollback()
    flash(f"Nothing done: {refused}.", "info")
    return redirect(url_for("deliveries.triage"))


@bp.route("/<int:accepted_id>/raise", methods=["POST"])
@requires(Permission.WEB_REQUEST_MANAGE)
def raise_now(accepted_id: int):
    # A closed one too: a late click is told it was closed (operations refuse it).
    accepted = _request_or_404(accepted_id, or_closed=True)
    if (done := _closed_already(accepted)) is not None:
        return done
    form = _raise_form(accepted, RaiseForm())
    if not form.validate_on_submit():
        return _page(accepted, raise_form=form, status=422)
    chosen = form.service_id.data or KEEP
    service = None
    if chosen != KEEP:
        service = next((s for s in unraised.live_services() if str(s.id) == chosen), None)
        if service is None:
            form.service_id.errors.append("Choose a service from the list")
            return _page(accepted, raise_form=form, status=422)
    elif not accepted.service.active:
        form.service_id.errors.append(f"{accepted.service.name} is withdrawn: choose a service")
        return _page(accepted, raise_form=form, status=422)
    reference = accepted.reference
    try:
        unraised.raise_again(
            current_actor(),
            accepted,
            int(form.seen.data),
            service,
            retry_after=operations.retry_after(),
        )
    except unraised.Refused as refused:
        return _refused(refused)
    db.session.commit()  # sent to the worker after this commit; swept again if it is lost
    flash(f"{reference} has been sent to be raised.", "success")
    return redirect(url_for("deliveries.triage"))


@bp.route("/<int:accepted_id>/close", methods=["POST"])
@requires(Permission.WEB_REQUEST_MANAGE)
def close(accepted_id: int):
    accepted = _request_or_404(accepted_id, or_closed=True)
    if (done := _closed_already(accepted)) is not None:
        return done
    form = CloseForm()
    if not form.validate_on_submit():
        return _page(accepted, close_form=form, status=422)
    reference = accepted.reference
    try:
        message = unraised.close(current_actor(), accepted, int(form.seen.data), form.reason.data)
    except unraised.Refused as refused:
        return _refused(refused)
    db.session.commit()  # the email is sent after this commit
    told = "The resident has been emailed." if message else "They gave no email: ring them."
    flash(f"{reference} has been closed. {told}", "success")
    return redirect(url_for("deliveries.triage"))
