"""Staff pages for life events: report one from the customer record while the informant is
there, see who was told and how far each service has got, and the supervisor's chase list."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from frontoffice import clock
from frontoffice.access.actor import current_actor
from frontoffice.access.policy import Permission, requires
from frontoffice.audit import operations as audit
from frontoffice.cases.models import Channel
from frontoffice.customers import normalise
from frontoffice.customers.models import Customer, Language
from frontoffice.customers.operations import AddressDetails
from frontoffice.customers.queries import visible_customer
from frontoffice.customers.views import refuse_if_merged
from frontoffice.extensions import db
from frontoffice.life_events import operations, queries, rules
from frontoffice.life_events.forms import ReportForm, WithdrawForm
from frontoffice.life_events.models import Authority, EventKind, LifeEvent, MoveScope
from frontoffice.messages.operations import confirm_life_event

bp = Blueprint("life_events", __name__, url_prefix="/staff")


def _customer_or_404(customer_id: int) -> Customer:
    customer = visible_customer(current_user, customer_id, full=True)
    if customer is None:
        abort(404)
    refuse_if_merged(customer)
    return customer


def _event_or_404(life_event_id: int) -> LifeEvent:
    event = queries.visible_event(current_user, life_event_id)
    if event is None:
        abort(404)
    return event


def _person(form: ReportForm, prefix: str, relationship: str = "") -> operations.PersonDetails:
    def value(name: str) -> str:
        field = getattr(form, f"{prefix}_{name}", None)
        return (field.data or "") if field is not None else ""

    return operations.PersonDetails(
        name=value("name"),
        relationship=value("relationship") or relationship,
        phone=value("phone"),
        email=value("email"),
        address=value("address"),
    )


def _new_address(form: ReportForm) -> AddressDetails | None:
    if not form.address_line_1.data:
        return None
    return AddressDetails(
        line_1=form.address_line_1.data,
        line_2=form.address_line_2.data or "",
        town=form.town.data or "",
        postcode=normalise.normalise_postcode(form.postcode.data) or "",
        uprn=form.uprn.data or None,
    )


def _report(form: ReportForm, kind: EventKind) -> operations.Report:
    return operations.Report(
        kind=kind,
        event_date=form.event_date.data,
        channel=Channel(form.channel.data),
        informant=_person(form, "informant"),
        authority=Authority(form.authority.data),
        service_ids=tuple(int(s) for s in form.services.data),
        consent_wording=operations.consent_wording(kind),
        next_of_kin=_person(form, "nok") if kind is EventKind.DEATH else None,
        executor=_person(form, "executor", "Executor") if kind is EventKind.DEATH else None,
        inquest=form.inquest.data == "yes",
        move_scope=MoveScope(form.move_scope.data) if kind is EventKind.MOVE else None,
        new_address=_new_address(form) if kind is EventKind.MOVE else None,
        child_name=form.child_name.data or "",
        parents=form.parents.data or "",
        language=Language(form.language.data or Language.ENGLISH.value),
        details={
            k: v
            for k, v in {"place": form.place.data, "inquest": form.inquest.data}.items()
            if v and kind is EventKind.DEATH
        },
    )


@bp.route("/customers/<int:customer_id>/life-events/new/<kind>", methods=["GET", "POST"])
@requires(Permission.LIFE_EVENT_REPORT)
def new(customer_id: int, kind: str):
    customer = _customer_or_404(customer_id)
    if kind not in {k.value for k in EventKind}:
        abort(404)
    event_kind = EventKind(kind)
    form = ReportForm()
    scope = form.move_scope.data if form.move_scope.data in set(MoveScope) else None
    new_uprn = form.uprn.data if isinstance(form.uprn.data, str) else None
    if event_kind is EventKind.MOVE and not new_uprn:  # not given yet: offer the current area's
        scope = MoveScope.OUT_OF
    place = operations.place_for(
        customer, event_kind, MoveScope(scope) if scope else None, new_uprn
    )
    offers = rules.offered(event_kind, place)
    form.for_kind(event_kind, offers)
    if form.validate_on_submit():
        try:
            event = operations.report(current_actor(), customer, _report(form, event_kind))
        except operations.LifeEventError as refused:
            db.session.rollback()
            field = getattr(form, refused.field, None) if refused.field else None
            (field.errors if field is not None else form.form_errors).append(str(refused))
        else:
            emailed = _email_receipt(event)
            db.session.commit()
            if event.duplicate_of_id is not None:
                said = (
                    f"This was already reported as {event.duplicate_of.reference}: "
                    "nobody has been told twice"
                )
            else:
                said = f"Reported. The reference is {event.reference}"
            if emailed:
                said += f". We have emailed the reference and the services told to {emailed}"
            flash(said, "success")
            return redirect(url_for(".view", life_event_id=event.id))
    status = 422 if form.errors or form.form_errors else 200
    if not form.is_submitted() and not offers:
        form.form_errors.append("No services are set up to be told of this, at this address")
    return render_template(
        "staff/life_events/new.html",
        form=form,
        customer=customer,
        kind=event_kind,
        offers=offers,
        wording=operations.consent_wording(event_kind),
    ), status


def _email_receipt(event: LifeEvent) -> str:
    """The informant's written receipt (the reference and the services told, through the
    outbox), when they gave an email address; returns that address."""
    informant = event.informant
    if informant is None or not informant.email:
        return ""
    to = (informant.email, informant.name, informant.language)
    confirm_life_event(event, to, url_for("public.track", _external=True), email_only=True)
    return informant.email


@bp.route("/life-events/<int:life_event_id>")
@requires(Permission.LIFE_EVENT_REPORT)
def view(life_event_id: int):
    event = _event_or_404(life_event_id)
    receipt = queries.receipt(event)
    audit.record(current_actor(), "view", "life_event", event.id, customer_id=event.customer_id)
    page = render_template(
        "staff/life_events/view.html", receipt=receipt, event=event, today=clock.today()
    )
    db.session.commit()
    return page


@bp.route(
    "/life-events/<int:life_event_id>/notifications/<int:notification_id>/withdraw",
    methods=["GET", "POST"],
)
@requires(Permission.LIFE_EVENT_REPORT)
def withdraw(life_event_id: int, notification_id: int):
    event = _event_or_404(life_event_id)
    notification = next((n for n in event.notifications if n.id == notification_id), None)
    if notification is None:
        abort(404)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            operations.withdraw(current_actor(), notification, form.reason.data)
        except operations.LifeEventError as refused:
            db.session.rollback()
            form.reason.errors.append(str(refused))
        else:
            db.session.commit()
            flash(f"Consent withdrawn: {notification.service.name} will not be told", "success")
            return redirect(url_for(".view", life_event_id=event.id))
    status = 422 if form.errors else 200
    return render_template(
        "staff/life_events/withdraw.html", form=form, event=event, notification=notification
    ), status


@bp.route("/life-events/attention")
@requires(Permission.DELIVERY_MANAGE)
def attention():
    lines = queries.needing_attention()
    page = render_template("staff/life_events/attention.html", lines=lines, today=clock.today())
    db.session.commit()
    return page
