"""A resident tells us of a life event: which event, who they are and their authority, the
person it is about, the event's details and addresses, whom services should contact, the
services to tell one by one with consent, check your answers, and the confirmation."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError

from frontoffice.access.actor import current_actor
from frontoffice.access.policy import public
from frontoffice.extensions import db
from frontoffice.life_events.models import Authority, EventKind
from frontoffice.life_events.operations import consent_wording
from frontoffice.public import address_pages, drafts, event_journey, event_operations, guard
from frontoffice.public.address_pages import AddressPages
from frontoffice.public.event_forms import (
    DETAILS_FORMS,
    PERSON_HEADINGS,
    AuthorityForm,
    ContactPersonForm,
    InformantForm,
    KindForm,
    PersonForm,
    TellForm,
)
from frontoffice.public.event_journey import JOURNEY
from frontoffice.public.forms import CheckForm
from frontoffice.public.models import Draft
from frontoffice.public.views import bp

DONE_KEY = "public_event_done"
CAPTIONS = {
    EventKind.DEATH: "Tell us about a death",
    EventKind.BIRTH: "Tell us about a birth",
    EventKind.MOVE: "Tell us about a move",
}
ADDRESS_SLOTS = {"home": "home", "new": "new_home"}
ADDRESS_HEADINGS = {
    ("home", EventKind.DEATH): "What was the postcode of their home?",
    ("home", EventKind.BIRTH): "What is the postcode of the family’s home?",
    ("home", EventKind.MOVE): "What was the postcode of the home they moved from?",
    ("new", EventKind.MOVE): "What is the postcode of their new home?",
}


class _Lost(Exception):
    """No life-event draft in this session (never started, or expired): start again."""


@bp.errorhandler(_Lost)
def _start_again(error):
    return redirect(url_for("public.event_start", expired=1))


def _draft() -> tuple[Draft, EventKind]:
    draft = drafts.current(JOURNEY)
    kind = event_journey.kind_of(draft.data) if draft is not None else None
    if draft is None or kind is None:
        raise _Lost()
    return draft, kind


def _changing() -> bool:
    return request.args.get("change") == "1"


def _next(draft: Draft, step: str) -> Any:
    return redirect(event_journey.next_url(draft.data, step, changing=_changing()))


def _page(template: str, draft: Draft, kind: EventKind, step: str, form: FlaskForm, **context):
    back = (
        url_for("public.event_check") if _changing() else event_journey.back_url(draft.data, step)
    )
    return render_template(
        template, caption=CAPTIONS[kind], kind=kind, back=back, form=form, **context
    ), 400 if form.errors else 200


def _fields(form: FlaskForm) -> dict[str, Any]:
    return {
        name: (value.isoformat() if isinstance(value, date) else value or "")
        for name in form.FIELDS
        for value in [form[name].data]
    }


def _initial(saved: dict[str, Any]) -> dict[str, Any]:
    return {
        k: date.fromisoformat(v) if k in ("event_date", "date_of_birth") and v else v
        for k, v in saved.items()
    }


@bp.route("/life-event")
@public
def event_start():
    return render_template("public/events/start.html", expired=request.args.get("expired"))


@bp.route("/life-event/what", methods=["GET", "POST"])
@public
def event_kind():
    draft = drafts.current(JOURNEY)
    given = draft.data.get("kind") if draft is not None else None
    form = KindForm(data={"kind": given} if given else None)
    if form.validate_on_submit():
        if draft is None:
            draft = drafts.start(JOURNEY, {"kind": form.kind.data})
            db.session.commit()
        elif form.kind.data != given:  # another event: only the informant's answers still hold
            kept = {k: draft.data[k] for k in ("informant",) if k in draft.data}
            drafts.put(draft, {**kept, "kind": form.kind.data})
            db.session.commit()
        if _changing() and form.kind.data == given:
            return redirect(url_for("public.event_check"))
        return redirect(url_for("public.event_informant"))
    return _kind_page(form)


def _kind_page(form: KindForm):
    back = url_for("public.event_check") if _changing() else url_for("public.event_start")
    return render_template("public/events/kind.html", form=form, back=back), (
        400 if form.errors else 200
    )


@bp.route("/life-event/you", methods=["GET", "POST"])
@public
def event_informant():
    draft, kind = _draft()
    form = InformantForm(data=draft.data.get("informant") or None)
    if form.validate_on_submit() and drafts.save(draft, form, informant=_fields(form)):
        return _next(draft, "informant")
    return _page("public/events/informant.html", draft, kind, "informant", form)


@bp.route("/life-event/authority", methods=["GET", "POST"])
@public
def event_authority():
    draft, kind = _draft()
    form = AuthorityForm(data={"authority": draft.data.get("authority")}).for_kind(kind)
    if form.validate_on_submit():
        if form.authority.data == Authority.NONE.value:
            return redirect(url_for("public.event_cannot"))
        if drafts.save(draft, form, authority=form.authority.data):
            return _next(draft, "authority")
    return _page("public/events/authority.html", draft, kind, "authority", form)


@bp.route("/life-event/cannot-continue")
@public
def event_cannot():
    draft, kind = _draft()
    back = url_for("public.event_authority")
    return render_template(
        "public/events/cannot.html", caption=CAPTIONS[kind], kind=kind, back=back
    )


@bp.route("/life-event/person", methods=["GET", "POST"])
@public
def event_person():
    draft, kind = _draft()
    saved = draft.data.get("person")
    if not saved and draft.data.get("authority") == Authority.SELF.value:
        informant = draft.data.get("informant") or {}
        saved = {k: informant.get(k, "") for k in ("first_name", "last_name")}
    form = PersonForm(data=_initial(saved) if saved else None).for_kind(kind)
    if form.validate_on_submit() and drafts.save(draft, form, person=_fields(form)):
        return _next(draft, "person")
    return _page(
        "public/events/person.html", draft, kind, "person", form, heading=PERSON_HEADINGS[kind]
    )


def _address_pages(slot: str) -> AddressPages:
    draft, kind = _draft()
    if (slot, kind) not in ADDRESS_HEADINGS:
        abort(404)
    key = ADDRESS_SLOTS[slot]
    change = request.args.get("change")

    def save(form: FlaskForm, address: dict[str, Any]) -> bool:
        return drafts.save(draft, form, **{key: address})

    return AddressPages(
        caption=CAPTIONS[kind],
        heading=ADDRESS_HEADINGS[slot, kind],
        given=draft.data.get(key) or {},
        save=save,
        postcode_url=url_for("public.event_address", slot=slot, change=change),
        choose_url=url_for("public.event_choose_address", slot=slot, change=change),
        manual_url=url_for("public.event_manual_address", slot=slot, change=change),
        next_url=event_journey.next_url(draft.data, key, changing=_changing()),
        back=url_for("public.event_check")
        if _changing()
        else event_journey.back_url(draft.data, key),
    )


@bp.route("/life-event/address/<slot>", methods=["GET", "POST"])
@public
def event_address(slot: str):
    return address_pages.postcode_page(_address_pages(slot))


@bp.route("/life-event/address/<slot>/choose", methods=["GET", "POST"])
@public
def event_choose_address(slot: str):
    return address_pages.choose_page(_address_pages(slot))


@bp.route("/life-event/address/<slot>/manual", methods=["GET", "POST"])
@public
def event_manual_address(slot: str):
    return address_pages.manual_page(_address_pages(slot))


@bp.route("/life-event/details", methods=["GET", "POST"])
@public
def event_details():
    draft, kind = _draft()
    saved = draft.data.get("details")
    form = DETAILS_FORMS[kind](data=_initial(saved) if saved else None)
    if form.validate_on_submit() and drafts.save(draft, form, details=_fields(form)):
        return _next(draft, "details")
    return _page(f"public/events/details_{kind.value}.html", draft, kind, "details", form)


@bp.route("/life-event/contacts/<who>", methods=["GET", "POST"])
@public
def event_contact(who: str):
    draft, kind = _draft()
    role = event_journey.CONTACTS.get(who)
    if role is None or kind is not EventKind.DEATH:
        abort(404)
    form = ContactPersonForm(data=draft.data.get(role) or None)
    if role == "executor":
        del form.relationship
    if form.validate_on_submit():
        given = {n: form[n].data or "" for n in ContactPersonForm.FIELDS if n in form}
        if drafts.save(draft, form, **{role: given}):
            return _next(draft, role)
    return _page("public/events/contact.html", draft, kind, role, form, role=role)


@bp.route("/life-event/services/<int:number>", methods=["GET", "POST"])
@public
def event_tell(number: int):
    draft, kind = _draft()
    offers = event_journey.offers(draft.data)
    if not 1 <= number <= len(offers):
        abort(404)
    offer = offers[number - 1]
    answers = dict(draft.data.get("tell") or {})
    form = TellForm(data={"tell": answers.get(offer.service.code)}).for_service(offer.service.name)
    if form.validate_on_submit():
        answers[offer.service.code] = form.tell.data
        if drafts.save(draft, form, tell=answers):
            return _next(draft, f"tell-{number}")
    return _page(
        "public/events/tell.html",
        draft,
        kind,
        f"tell-{number}",
        form,
        offer=offer,
        number=number,
        count=len(offers),
        wording=consent_wording(kind),
    )


@bp.route("/life-event/check", methods=["GET", "POST"])
@public
def event_check():
    form = CheckForm()
    if request.method == "POST" and form.validate_on_submit():
        if form.is_bot():
            abort(400)
        made = event_operations.already_made(form.token.data or "")
        if made is not None:  # the second of a double click
            return _done(made)
    draft, kind = _draft()
    if request.method == "POST" and not form.errors:
        if form.token.data != draft.token:
            raise _Lost()
        if not guard.hit("submit", guard.address()):
            abort(429)
        return _submit(draft)
    from frontoffice.public.event_summary import rows

    form.token.data = draft.token
    problem = None
    if not event_journey.offers(draft.data):
        problem = "No services can be told of this at that address. Check the address"
    return render_template(
        "public/events/check.html",
        caption=CAPTIONS[kind],
        back=event_journey.back_url(draft.data, "check"),
        form=form,
        rows=rows(draft.data, kind),
        problem=problem,
    ), 400 if form.errors else 200


def _submit(draft: Draft):
    track_url = url_for("public.track", _external=True)
    token = draft.token
    try:
        event = event_operations.submit_life_event(current_actor(), token, draft.data, track_url)
        db.session.delete(draft)
        db.session.commit()
    except event_operations.Incomplete as problem:
        db.session.rollback()
        return redirect(event_journey.step_url(draft.data, problem.step))
    except IntegrityError:  # the same form posted twice at once: the first one reported it
        db.session.rollback()
        event = event_operations.already_made(token)
        if event is None:
            raise
    return _done(event)


def _done(event):
    web = event_operations.web_report(event.id)
    session[DONE_KEY] = {
        "reference": event.reference,
        "again": event.duplicate_of_id is not None,
        "services": event_operations.told_services(event),
        "email": web.email if web is not None else "",
    }
    return redirect(url_for("public.event_done"))


@bp.route("/life-event/done")
@public
def event_done():
    made = session.get(DONE_KEY)
    if not isinstance(made, dict):
        return redirect(url_for("public.event_start"))
    return render_template("public/events/done.html", made=made)
