"""Staff pages for cases: raise, view, note, change status, reassign, work queues."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from frontoffice.access.actor import current_actor
from frontoffice.access.policy import Permission, allows, requires
from frontoffice.accounts.models import StaffUser
from frontoffice.audit import operations as audit
from frontoffice.cases import operations, queries
from frontoffice.cases.forms import (
    UNASSIGN,
    NewCaseForm,
    NoteForm,
    QueueFilterForm,
    ReassignForm,
    StatusForm,
)
from frontoffice.cases.models import Case
from frontoffice.cases.status import ALLOWED_TRANSITIONS, IllegalTransition
from frontoffice.contacts.queries import visible_contact
from frontoffice.customers.views import refuse_if_merged
from frontoffice.dispatch.queries import dispatches_for_case, reach_by_case
from frontoffice.extensions import db

bp = Blueprint("cases", __name__, url_prefix="/staff")


def parse_id(raw: str | None) -> int | None:
    """A positive id that fits a database integer, or None."""
    if raw is None or not raw.isascii() or not raw.isdigit() or len(raw) > 10:
        return None
    value = int(raw)
    return value if 0 < value <= queries.MAX_ID else None


def _answer_text(value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if value is None or value == "" or value == []:
        return "Not answered"
    if isinstance(value, list | tuple):
        return ", ".join(_answer_text(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_answer_text(item)}" for key, item in value.items())
    return str(value)


def answer_items(answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A case's answers as (question, answer) text for a summary list."""
    items = []
    for key, value in answers.items():
        question = str(key).replace("_", " ").strip()
        items.append((question[:1].upper() + question[1:], _answer_text(value)))
    return items


@bp.context_processor
def case_helpers() -> dict[str, Any]:
    return {
        "answer_items": answer_items,
    }


def _user() -> StaffUser:
    return current_user._get_current_object()  # type: ignore[attr-defined]


def _case_or_404(case_id: int) -> Case:
    case = queries.visible_case(_user(), case_id)
    if case is None:
        abort(404)
    return case


@bp.route("/customers/<int:customer_id>/cases/new", methods=["GET", "POST"])
@requires(Permission.CASE_RAISE)
def new(customer_id: int):
    user = _user()
    customer = queries.visible_customer(user, customer_id)
    if customer is None:
        abort(404)
    refuse_if_merged(customer)
    contact = None
    if "contact_id" in request.args:
        contact_id = parse_id(request.args.get("contact_id"))
        contact = visible_contact(user, contact_id, customer_id=customer.id) if contact_id else None
        if contact is None:
            abort(404)
    form = NewCaseForm()
    form.set_services(queries.active_services())
    if form.validate_on_submit():
        service = queries.active_service(form.service.data)
        if service is None:  # withdrawn since the page was opened
            form.service.errors.append("Select a service from the list")
        else:
            try:
                case = operations.raise_case(
                    current_actor(),
                    customer,
                    service,
                    form.channel.data,
                    form.summary.data,
                    {},
                    form.priority.data,
                    contact=contact,
                )
            except operations.CaseError as refused:
                db.session.rollback()
                form.form_errors.append(str(refused))
            else:
                db.session.commit()
                flash(f"Case {case.reference} raised for {customer.full_name}", "success")
                return redirect(url_for("cases.view", case_id=case.id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "staff/cases/new.html", form=form, customer=customer, contact=contact
    ), status


def _case_page(
    case: Case,
    *,
    failed: Any = None,
    note_form: NoteForm | None = None,
    status_form: StatusForm | None = None,
    reassign_form: ReassignForm | None = None,
    status: int = 200,
):
    user = _user()
    if status_form is None:
        status_form = StatusForm(formdata=None)
    status_form.offer(ALLOWED_TRANSITIONS[case.status])
    if reassign_form is None:
        reassign_form = ReassignForm(formdata=None)
    reassign_form.offer(
        queries.assignable_staff(user, case), assigned=case.assigned_to_id is not None
    )
    return render_template(
        "staff/cases/view.html",
        case=case,
        events=queries.timeline(user, case),
        reach=reach_by_case([case])[case.id],
        dispatches=dispatches_for_case(user, case.id),
        can_route=allows(user, Permission.DELIVERY_MANAGE),
        contacts=queries.linked_contacts(user, case),
        form=failed,
        note_form=note_form or NoteForm(formdata=None),
        status_form=status_form,
        reassign_form=reassign_form,
        can_update=allows(user, Permission.CASE_UPDATE),
        can_reassign=allows(user, Permission.CASE_REASSIGN),
    ), status


@bp.route("/cases/<int:case_id>")
@requires(Permission.CASE_VIEW)
def view(case_id: int):
    case = _case_or_404(case_id)
    audit.record(current_actor(), "view", "case", case.id, customer_id=case.customer_id)
    db.session.commit()
    return _case_page(case)


def _done(case: Case, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("cases.view", case_id=case.id))


@bp.route("/cases/<int:case_id>/notes", methods=["POST"])
@requires(Permission.CASE_UPDATE)
def add_note(case_id: int):
    case = _case_or_404(case_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _case_page(case, failed=form, note_form=form, status=422)
    operations.add_note(current_actor(), case, form.note.data)
    return _done(case, "Note added")


@bp.route("/cases/<int:case_id>/status", methods=["POST"])
@requires(Permission.CASE_UPDATE)
def change_status(case_id: int):
    case = _case_or_404(case_id)
    form = StatusForm()
    if not form.validate_on_submit():
        return _case_page(case, failed=form, status_form=form, status=422)
    try:
        operations.change_status(current_actor(), case, form.status.data, form.status_note.data)
    except IllegalTransition as refused:
        db.session.rollback()
        form.status.errors.append(
            f"{refused}. Someone may have changed it since you opened the page: "
            "choose from the statuses offered now"
        )
        return _case_page(case, failed=form, status_form=form, status=409)
    return _done(case, f"Status changed to {case.status.label.lower()}")


@bp.route("/cases/<int:case_id>/assignee", methods=["POST"])
@requires(Permission.CASE_REASSIGN)
def reassign(case_id: int):
    user = _user()
    case = _case_or_404(case_id)
    form = ReassignForm()
    form.offer(queries.assignable_staff(user, case), assigned=case.assigned_to_id is not None)
    if form.validate_on_submit():
        assignee = None
        if form.assignee.data != UNASSIGN:
            assignee = queries.assignable_person(user, case, int(form.assignee.data))
        if assignee is None and form.assignee.data != UNASSIGN:
            form.assignee.errors.append("Select someone from the list to assign it to")
        else:
            try:
                operations.reassign(current_actor(), case, assignee, form.reason.data)
            except operations.CaseError as refused:
                db.session.rollback()
                form.assignee.errors.append(str(refused))
            else:
                who = assignee.name if assignee else "nobody"
                return _done(case, f"Case assigned to {who}")
    return _case_page(case, failed=form, reassign_form=form, status=422)


def page_links(page: int, pages: int, endpoint: str = "cases.queue") -> dict[str, Any]:
    """govukPagination params for a queue: this request's query with another page number."""

    def href(n: int) -> str:
        args = request.args.to_dict()
        args["page"] = str(n)
        return url_for(endpoint, **args)

    shown = sorted({1, pages, page - 1, page, page + 1} & set(range(1, pages + 1)))
    items: list[dict[str, Any]] = []
    for n in shown:
        if items and n - items[-1].get("number", n) > 1:
            items.append({"ellipsis": True})
        items.append({"number": n, "href": href(n), "current": n == page})
    return {
        "items": items,
        "previous": {"href": href(page - 1)} if page > 1 else None,
        "next": {"href": href(page + 1)} if page < pages else None,
    }


@bp.route("/cases/")
@requires(Permission.QUEUE_VIEW)
def queue():
    user = _user()
    tab = request.args.get("tab", "mine")
    if tab not in queries.TABS:
        abort(404)
    page = parse_id(request.args.get("page", "1"))
    if page is None:
        abort(404)
    form = QueueFilterForm(request.args)
    form.set_options(queries.all_services(), queries.filter_partners(user))
    result = None
    if form.validate():
        filters = queries.QueueFilters(
            status=form.status.data,
            service_id=form.service.data,
            partner_id=form.partner.data,
            overdue=form.overdue.data,
        )
        result = queries.queue(user, tab, filters, page)  # type: ignore[arg-type]
        if page > result.pages:
            abort(404)
        audit.record(
            current_actor(),
            "list",
            "case",
            "queue",
            details={"tab": tab, "page": page, "case_ids": [c.id for c in result.cases]},
        )
        db.session.commit()
    tab_links = {
        key: url_for("cases.queue", **{**request.args.to_dict(), "tab": key, "page": "1"})
        for key in queries.TABS
    }
    return render_template(
        "staff/cases/queue.html",
        form=form,
        tab=tab,
        tabs=queries.TABS,
        tab_links=tab_links,
        result=result,
        reach=reach_by_case(result.cases) if result is not None else {},
        pagination=page_links(page, result.pages) if result and result.pages > 1 else None,
    ), (200 if result is not None else 422)
