"""The request journey's question pages: one question a page, then the address, contact
details, check your answers and the submission."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError

from frontoffice.access.actor import current_actor
from frontoffice.access.policy import public
from frontoffice.catalogue.models import QuestionType, Service, ServiceQuestion
from frontoffice.catalogue.offered import offered
from frontoffice.catalogue.questions import (
    LONDON,
    answers_from_form,
    build_form,
    field_name,
    time_field_name,
)
from frontoffice.extensions import db
from frontoffice.public import address_pages, drafts, guard, journey, operations, queries
from frontoffice.public.address_pages import AddressPages
from frontoffice.public.forms import CheckForm, ContactForm
from frontoffice.public.models import Draft
from frontoffice.public.operations import JOURNEY
from frontoffice.public.views import DONE_KEY, bp


class _Lost(Exception):
    """No draft in this session (never started, or expired): start again."""


@bp.errorhandler(_Lost)
def _start_again(error):
    return redirect(url_for("public.find", expired=1))


def _found() -> tuple[Draft | None, Service | None]:
    """This session's draft of a request and the service it is for, if both still are (one
    query)."""
    token = drafts.token()
    if token is None:
        return None, None
    draft, service = queries.draft_with_service(token)
    if draft is None or not drafts.usable(draft, JOURNEY):
        return None, None
    return draft, service


def _draft() -> tuple[Draft, Service]:
    draft, service = _found()
    if draft is None or service is None:
        raise _Lost()
    return draft, service


def _changing() -> bool:
    return request.args.get("change") == "1"


def _page(template: str, draft: Draft, service: Service, step: str, **context: Any):
    back = url_for("public.check") if _changing() else journey.back_url(service, step)
    status = 400 if context.get("form") is not None and context["form"].errors else 200
    return render_template(template, service=service, back=back, **context), status


@bp.route("/request/question/<int:number>", methods=["GET", "POST"])
@public
def question(number: int):
    draft, service = _draft()
    asked = journey.questions(service)
    if not 1 <= number <= len(asked):
        abort(404)
    q = asked[number - 1]
    form_class = build_form([q])
    answers = dict(draft.data.get("answers") or {})
    form = form_class() if request.method == "POST" else form_class(data=_initial(q, answers))
    if form.validate_on_submit():
        answers.pop(q.code, None)
        answers.update(answers_from_form(form, [q]))
        if drafts.save(draft, form, answers=answers):
            return redirect(journey.next_url(service, f"question-{number}", changing=_changing()))
    return _page(
        "public/question.html", draft, service, f"question-{number}", form=form, question=q
    )


def _initial(q: ServiceQuestion, answers: dict[str, Any]) -> dict[str, Any]:
    value = answers.get(q.code)
    if value is None:
        return {}
    if q.datatype is QuestionType.DATETIME:
        moment = datetime.fromisoformat(value).astimezone(LONDON)
        return {field_name(q.code): moment.date(), time_field_name(q.code): f"{moment:%H:%M}"}
    return {field_name(q.code): value}


def _address_pages(draft: Draft, service: Service) -> AddressPages:
    change = request.args.get("change")

    def save(form: FlaskForm, address: dict[str, Any]) -> bool:
        return drafts.save(draft, form, address=address)

    return AddressPages(
        caption=service.name,
        heading="What is the postcode of the place this is about?",
        given=draft.data.get("address") or {},
        save=save,
        postcode_url=url_for("public.address", change=change),
        choose_url=url_for("public.choose_address", change=change),
        manual_url=url_for("public.manual_address", change=change),
        next_url=journey.next_url(service, "address", changing=_changing()),
        back=url_for("public.check") if _changing() else journey.back_url(service, "address"),
    )


@bp.route("/request/address", methods=["GET", "POST"])
@public
def address():
    return address_pages.postcode_page(_address_pages(*_draft()))


@bp.route("/request/address/choose", methods=["GET", "POST"])
@public
def choose_address():
    return address_pages.choose_page(_address_pages(*_draft()))


@bp.route("/request/address/manual", methods=["GET", "POST"])
@public
def manual_address():
    return address_pages.manual_page(_address_pages(*_draft()))


@bp.route("/request/contact", methods=["GET", "POST"])
@public
def contact():
    draft, service = _draft()
    form = ContactForm(data=draft.data.get("contact") or None)
    if form.validate_on_submit():
        given = {name: form[name].data or "" for name in ContactForm.FIELDS}
        if drafts.save(draft, form, contact=given):
            return redirect(journey.next_url(service, "contact", changing=_changing()))
    return _page("public/contact.html", draft, service, "contact", form=form)


@bp.route("/request/check", methods=["GET", "POST"])
@public
def check():
    form = CheckForm()
    if request.method == "POST" and form.validate_on_submit():
        return _send(form)
    draft, service = _draft()
    form.token.data = draft.token
    return render_template(
        "public/check.html",
        service=service,
        back=journey.back_url(service, "check"),
        form=form,
        rows=_summary(draft, service),
    ), 400 if form.errors else 200


def _send(form: CheckForm):
    """The "Send request" post: accepts the request and leaves raising the case to the
    worker (public.tasks), sent to it once the commit is done. The draft, its address and
    the set-up's stamp in one read; the service and its questions as the process keeps them
    (catalogue.offered)."""
    if form.is_bot():
        abort(400)
    token = drafts.token()
    sending = None if token is None else queries.draft_to_send(token)
    if sending is None or sending.token != form.token.data:
        made = operations.already_made(form.token.data or "")
        if made is not None:  # the second of a double click
            return _done(made)
        raise _Lost()
    service = offered(str(sending.data.get("service") or ""))
    if service is None or not drafts.usable(sending, JOURNEY):
        raise _Lost()
    if not guard.hit("submit", guard.address()):
        abort(429)
    track_url = url_for("public.track", _external=True)
    try:
        _, made = operations.accept_request(
            current_actor(),
            sending.token,
            service,
            sending.data,
            track_url,
            retry_after=operations.retry_after(),
            address=sending.address,
        )
        db.session.commit()
    except operations.Incomplete as problem:
        db.session.rollback()
        return redirect(_step_url(problem.step))
    except IntegrityError:  # the same form posted twice at once: the first one was accepted
        db.session.rollback()
        made = operations.already_made(sending.token)
        if made is None:
            raise
        return _done(made)
    return _done(made)


def _done(made: operations.Made):
    session[DONE_KEY] = {"reference": made.reference, "service": made.service, "email": made.email}
    return redirect(url_for("public.done"))


def _step_url(step: str) -> str:
    if step == "service":
        return url_for("public.find")
    if step == "questions":
        return url_for("public.question", number=1)
    return url_for(f"public.{step}")


def _summary(draft: Draft, service: Service) -> list[dict[str, Any]]:
    from frontoffice.public.summary import rows

    return rows(draft.data, service)
