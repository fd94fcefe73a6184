"""Staff pages for customers: find someone, read the single record, create and change it."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from frontoffice import clock, filters
from frontoffice.access.actor import current_actor
from frontoffice.access.policy import Permission, allows, requires
from frontoffice.accounts.models import StaffUser
from frontoffice.audit import operations as audit
from frontoffice.customers import normalise, operations, possible_matches, queries
from frontoffice.customers.forms import (
    AddressForm,
    CustomerForm,
    EndWarningForm,
    ReferenceForm,
    SearchForm,
    WarningForm,
)
from frontoffice.customers.models import Customer, Language, PreferredChannel
from frontoffice.customers.search import parse_query
from frontoffice.dispatch.queries import partner_word_by_case, reach_by_case
from frontoffice.extensions import db
from frontoffice.life_events import queries as life_event_queries
from frontoffice.merging.operations import merge_of

bp = Blueprint("customers", __name__, url_prefix="/staff/customers")


def age_on(born: date | None, on: date | None = None) -> int | None:
    if born is None:
        return None
    on = on or clock.today()
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@bp.context_processor
def customer_helpers() -> dict[str, Any]:
    return {
        "age_on": age_on,
    }


def _user() -> StaffUser:
    return current_user._get_current_object()  # type: ignore[attr-defined]


def _customer_or_404(customer_id: int, *, full: bool = True) -> Customer:
    """The customer to change: 404 if not visible; a merged record cannot be changed."""
    customer = queries.visible_customer(_user(), customer_id, full=full)
    if customer is None:
        abort(404)
    refuse_if_merged(customer)
    return customer


def refuse_if_merged(customer: Customer) -> None:
    """A merged record is kept as it was: nothing is changed or added on it."""
    if customer.is_merged:
        flash(f"This record is merged into record {customer.merged_into_id}: use that one")
        abort(redirect(url_for("customers.record", customer_id=customer.id)))


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 6 else 1


def _pagination(results: queries.SearchResults, q: str) -> dict[str, Any] | None:
    if results.pages < 2:
        return None

    def href(n: int) -> str:
        return url_for(".search", q=q, page=n)

    shown = sorted({1, results.pages, results.page - 1, results.page, results.page + 1})
    items: list[dict[str, Any]] = []
    for n in (n for n in shown if 1 <= n <= results.pages):
        if items and n - items[-1]["number"] > 1:
            items.append({"ellipsis": True, "number": n - 1})
        items.append({"number": n, "href": href(n), "current": n == results.page})
    return {
        "items": items,
        "previous": {"href": href(results.page - 1)} if results.page > 1 else None,
        "next": {"href": href(results.page + 1)} if results.page < results.pages else None,
    }


@bp.route("/")
@requires(Permission.CUSTOMER_SEARCH)
def search():
    submitted = "q" in request.args
    form = SearchForm(formdata=request.args if submitted else None)
    parsed = results = None
    status = 200
    if submitted:
        if form.validate():
            parsed = parse_query(form.q.data)
            if not parsed.is_empty:
                results = queries.search_customers(_user(), parsed, _page_number())
        else:
            status = 422
    return render_template(
        "staff/customers/search.html",
        form=form,
        parsed=parsed,
        results=results,
        pagination=_pagination(results, form.q.data) if results else None,
        can_create=allows(current_user, Permission.CUSTOMER_CREATE),
    ), status


def _actions(customer: Customer) -> dict[str, str | None]:
    user = _user()
    links = {
        "log_contact": (Permission.CONTACT_LOG, "contacts.new"),
        "raise_case": (Permission.CASE_RAISE, "cases.new"),
        "audit": (Permission.AUDIT_VIEW, "audit.customer_history"),
        "edit": (Permission.CUSTOMER_EDIT, "customers.edit"),
        "move": (Permission.CUSTOMER_EDIT, "customers.add_address"),
        "add_warning": (Permission.CUSTOMER_EDIT, "customers.add_warning"),
        "add_reference": (Permission.CUSTOMER_EDIT, "customers.add_reference"),
    }
    actions = {
        name: filters.optional_url(endpoint, customer_id=customer.id)
        if allows(user, perm)
        else None
        for name, (perm, endpoint) in links.items()
    }
    for kind in ("death", "birth", "move"):
        actions[f"report_{kind}"] = (
            filters.optional_url("life_events.new", customer_id=customer.id, kind=kind)
            if allows(user, Permission.LIFE_EVENT_REPORT)
            else None
        )
    return actions


@bp.route("/<int:customer_id>")
@requires(Permission.CUSTOMER_VIEW)
def record(customer_id: int):
    found = queries.customer_record(_user(), customer_id)
    if found is None:
        abort(404)
    audit.record(current_actor(), "view", "customer", customer_id, customer_id=customer_id)
    merged = found.customer.is_merged
    page = render_template(
        "staff/customers/record.html",
        record=found,
        reach=reach_by_case(found.cases),
        partner_word=partner_word_by_case(current_user, found.cases),
        customer=found.customer,
        merge=merge_of(db.session, customer_id) if merged else None,
        can_unmerge=merged and allows(current_user, Permission.IDENTITY_REVIEW),
        actions=_actions(found.customer)
        if not merged
        else {"audit": _actions(found.customer)["audit"]},
        can_end_warnings=allows(current_user, Permission.CUSTOMER_EDIT),
        life_events=life_event_queries.for_customer(customer_id)
        if allows(current_user, Permission.LIFE_EVENT_REPORT)
        else [],
        today=clock.today(),
    )
    db.session.commit()  # after rendering, so the page reads loaded objects, not expired ones
    return page


# Create and edit ----------------------------------------------------------------------------


def _address_details(form) -> operations.AddressDetails:
    return operations.AddressDetails(
        line_1=form.address_line_1.data,
        line_2=form.address_line_2.data or "",
        town=form.town.data or "",
        postcode=normalise.normalise_postcode(form.postcode.data) or "",
        uprn=form.uprn.data or None,
    )


def _details(form: CustomerForm) -> operations.CustomerDetails:
    return operations.CustomerDetails(
        title=form.title.data or "",
        given_name=form.given_name.data,
        family_name=form.family_name.data,
        preferred_name=form.preferred_name.data or "",
        date_of_birth=form.date_of_birth.data,
        phones=tuple(form.phones()),
        email=form.email.data or None,
        address=_address_details(form) if form.has_address() else None,
        preferred_language=Language(form.preferred_language.data),
        preferred_channel=PreferredChannel(form.preferred_channel.data),
        accessibility_needs=form.accessibility_needs.data or "",
    )


def _prefill_from_search(q: str) -> dict[str, Any]:
    parsed = parse_query(q[:200])
    words = list(parsed.name_words)
    data: dict[str, Any] = {}
    if words:
        if len(words) == 1:
            data["family_name"] = words[0]
        elif parsed.family_first:
            data["family_name"], data["given_name"] = words[0], words[1]
        else:
            data["given_name"], data["family_name"] = words[0], words[-1]
    if parsed.dates:
        data["date_of_birth"] = parsed.dates[0]
    if parsed.phones:
        data["phone"] = normalise.display_phone(parsed.phones[0])
    if parsed.emails:
        data["email"] = parsed.emails[0]
    if parsed.postcodes:
        data["postcode"] = normalise.normalise_postcode(parsed.postcodes[0])
    return data


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.CUSTOMER_CREATE)
def new():
    prefill = _prefill_from_search(request.args.get("q", "")) if request.method == "GET" else None
    form = CustomerForm(data=prefill)
    if form.validate_on_submit():
        details = _details(form)
        found, outcome = possible_matches.find(_user(), details)
        if found and form.confirm_duplicate.data != "yes":
            form.confirm_duplicate.data = "yes"
            return render_template("staff/customers/duplicates.html", form=form, matches=found)
        actor = current_actor()
        customer = operations.create_customer(
            actor, details, possible_duplicates=[m.customer.id for m in found]
        )
        possible_matches.queue(customer, details, outcome, actor)
        db.session.commit()
        flash(f"Record created for {customer.full_name}", "success")
        return redirect(url_for(".record", customer_id=customer.id))
    status = 422 if form.errors else 200
    return render_template("staff/customers/form.html", form=form, customer=None), status


def _form_data(customer: Customer) -> dict[str, Any]:
    phones = [p.display for p in customer.phones[:2]]
    address = customer.current_address
    data: dict[str, Any] = {
        "title": customer.title,
        "given_name": customer.given_name,
        "family_name": customer.family_name,
        "preferred_name": customer.preferred_name,
        "date_of_birth": customer.date_of_birth,
        "phone": phones[0] if phones else "",
        "phone_2": phones[1] if len(phones) > 1 else "",
        "email": customer.emails[0].address if customer.emails else "",
        "preferred_language": customer.preferred_language.value,
        "preferred_channel": customer.preferred_channel.value,
        "accessibility_needs": customer.accessibility_needs,
    }
    if address is not None:
        data.update(
            address_line_1=address.line_1,
            address_line_2=address.line_2,
            town=address.town,
            postcode=address.postcode,
            uprn=address.uprn or "",
        )
    return data


@bp.route("/<int:customer_id>/edit", methods=["GET", "POST"])
@requires(Permission.CUSTOMER_EDIT)
def edit(customer_id: int):
    customer = _customer_or_404(customer_id)
    form = CustomerForm(data=_form_data(customer) if request.method == "GET" else None)
    form.address_required = customer.current_address is not None
    if form.validate_on_submit():
        changed = operations.update_customer(current_actor(), customer, _details(form))
        db.session.commit()
        flash("Details updated" if changed else "No changes were made", "success")
        return redirect(url_for(".record", customer_id=customer.id))
    status = 422 if form.errors else 200
    return render_template("staff/customers/form.html", form=form, customer=customer), status


# Moves, warning markers and partner references ----------------------------------------------


def _saved(customer: Customer, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".record", customer_id=customer.id))


@bp.route("/<int:customer_id>/addresses/new", methods=["GET", "POST"])
@requires(Permission.CUSTOMER_EDIT)
def add_address(customer_id: int):
    customer = _customer_or_404(customer_id)
    form = AddressForm()
    current = customer.current_address
    form.earliest_moved_on = current.valid_from if current else None
    if form.validate_on_submit():
        operations.move_home(current_actor(), customer, _address_details(form), form.moved_on.data)
        return _saved(customer, "New address saved")
    status = 422 if form.errors else 200
    return render_template(
        "staff/customers/address.html", form=form, customer=customer, current=current
    ), status


@bp.route("/<int:customer_id>/warnings/new", methods=["GET", "POST"])
@requires(Permission.CUSTOMER_EDIT)
def add_warning(customer_id: int):
    customer = _customer_or_404(customer_id)
    form = WarningForm()
    if form.validate_on_submit():
        operations.add_warning(
            current_actor(),
            customer,
            category=form.category.data,
            reason=form.reason.data,
            review_date=form.review_date.data,
        )
        return _saved(customer, "Warning marker added")
    status = 422 if form.errors else 200
    return render_template("staff/customers/warning.html", form=form, customer=customer), status


@bp.route("/<int:customer_id>/warnings/<int:warning_id>/end", methods=["GET", "POST"])
@requires(Permission.CUSTOMER_EDIT)
def end_warning(customer_id: int, warning_id: int):
    customer = _customer_or_404(customer_id)
    marker = next((w for w in customer.active_warnings if w.id == warning_id), None)
    if marker is None:
        abort(404)
    form = EndWarningForm()
    if form.validate_on_submit():
        operations.end_warning(current_actor(), marker, reason=form.reason.data)
        return _saved(customer, "Warning marker ended")
    status = 422 if form.errors else 200
    return render_template(
        "staff/customers/end_warning.html", form=form, customer=customer, marker=marker
    ), status


@bp.route("/<int:customer_id>/references/new", methods=["GET", "POST"])
@requires(Permission.CUSTOMER_EDIT)
def add_reference(customer_id: int):
    customer = _customer_or_404(customer_id, full=False)
    form = ReferenceForm()
    form.partner.choices = [SelectChoice(value="", label="Select a partner")] + [
        SelectChoice(value=str(p.id), label=p.name) for p in queries.partners()
    ]
    if form.validate_on_submit():
        try:
            operations.add_reference(
                current_actor(),
                customer,
                partner_id=int(form.partner.data),
                system=form.system.data,
                reference=form.reference.data,
                verified=bool(form.verified.data),
            )
        except operations.ReferenceTaken as taken:
            form.reference.errors.append(str(taken))
        else:
            return _saved(customer, "Reference added")
    status = 422 if form.errors else 200
    return render_template("staff/customers/reference.html", form=form, customer=customer), status
