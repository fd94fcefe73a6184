"""Supervisors' page for one web request the worker could not raise (or has not): raise it
now, under another live service when its own was withdrawn, or close it with a reason the
resident is sent. Listed on the triage page (frontoffice.dispatch.views.triage)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from frontoffice.access.actor import current_actor
from frontoffice.access.policy import Permission, requires
from frontoffice.catalogue.models import Service
from frontoffice.extensions import db
from frontoffice.public import operations, unraised
from frontoffice.public.models import AcceptedRequest
from frontoffice.public.unraised_forms import CloseForm, RaiseForm

bp = Blueprint("web_requests", __name__, url_prefix="/staff/web-requests")
KEEP = ""  # the select's value for "its own service"


def _request_or_404(accepted_id: int, *, or_closed: bool = False) -> AcceptedRequest:
    return unraised.open_request(current_user, accepted_id, or_closed=or_closed) or abort(404)


def _raise_form(
    accepted: AcceptedRequest, services: list[Service], form: RaiseForm | None = None
) -> RaiseForm:
    form = form or RaiseForm(seen=str(accepted.attempts), formdata=None)
    own = accepted.service
    choices = [] if not own.active else [(KEEP, f"{own.name} (as the resident asked)")]
    choices += [(str(s.id), s.name) for s in services if s.id != own.id]
    if not own.active:
        choices.insert(0, (KEEP, "Choose a service"))
    form.service_id.choices = choices
    return form


def _page(
    accepted: AcceptedRequest,
    services: list[Service] | None = None,
    *,
    raise_form: RaiseForm | None = None,
    close_form: CloseForm | None = None,
    status: int = 200,
):
    services = unraised.live_services() if services is None else services
    return render_template(
        "staff/deliveries/web_request.html",
        accepted=accepted,
        answers=unraised.answers_in_words(accepted),
        raise_form=_raise_form(accepted, services, raise_form),
        close_form=close_form or CloseForm(seen=str(accepted.attempts), formdata=None),
        form=next((f for f in (raise_form, close_form) if f is not None and f.errors), None),
    ), status


@bp.route("/<int:accepted_id>")
@requires(Permission.WEB_REQUEST_MANAGE)
def view(accepted_id: int):
    return _page(_request_or_404(accepted_id))


def _act(accepted_id: int, act: Callable[[AcceptedRequest], Any]):
    """What both actions share. A closed request is found too, so a late or second click is
    told it was closed and nothing is done. `act` returns what was done, for the flash, or
    the page with its form's errors; it raises Refused when nothing was done."""
    accepted = _request_or_404(accepted_id, or_closed=True)
    reference = accepted.reference
    try:
        if accepted.closed_at is not None:
            raise unraised.Refused(f"{reference} has been closed already")
        done = act(accepted)
    except unraised.Refused as refused:
        db.session.rollback()
        flash(f"Nothing done: {refused}.", "info")
        return redirect(url_for("deliveries.triage"))
    if not isinstance(done, str):
        return done
    db.session.commit()  # the worker's nudge and the resident's email go after this commit
    flash(f"{reference} {done}", "success")
    return redirect(url_for("deliveries.triage"))


@bp.route("/<int:accepted_id>/raise", methods=["POST"])
@requires(Permission.WEB_REQUEST_MANAGE)
def raise_now(accepted_id: int):
    def act(accepted: AcceptedRequest):
        services = unraised.live_services()  # the form's choices, and the one chosen
        form = _raise_form(accepted, services, RaiseForm())
        if not form.validate_on_submit():
            return _page(accepted, services, raise_form=form, status=422)
        chosen = form.service_id.data or KEEP
        service = None
        if chosen != KEEP:
            service = next((s for s in services if str(s.id) == chosen), None)
            if service is None:
                form.service_id.errors.append("Choose a service from the list")
                return _page(accepted, services, raise_form=form, status=422)
        elif not accepted.service.active:
            form.service_id.errors.append(f"{accepted.service.name} is withdrawn: choose a service")
            return _page(accepted, services, raise_form=form, status=422)
        unraised.raise_again(
            current_actor(),
            accepted,
            int(form.seen.data),
            service,
            retry_after=operations.retry_after(),
        )
        return "has been sent to be raised."  # swept again if the worker's nudge is lost

    return _act(accepted_id, act)


@bp.route("/<int:accepted_id>/close", methods=["POST"])
@requires(Permission.WEB_REQUEST_MANAGE)
def close(accepted_id: int):
    def act(accepted: AcceptedRequest):
        form = CloseForm()
        if not form.validate_on_submit():
            return _page(accepted, close_form=form, status=422)
        message = unraised.close(current_actor(), accepted, int(form.seen.data), form.reason.data)
        told = "The resident has been emailed." if message else "They gave no email: ring them."
        return f"has been closed. {told}"

    return _act(accepted_id, act)
