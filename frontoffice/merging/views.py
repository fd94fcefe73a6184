"""Supervisors' screens: the review queue, one review side by side, merge, unmerge."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from frontoffice.access.actor import current_actor
from frontoffice.access.policy import Permission, requires
from frontoffice.audit import operations as audit
from frontoffice.customers.models import Customer
from frontoffice.extensions import db
from frontoffice.identity.models import ReviewStatus
from frontoffice.identity.operations import ReviewError, decide
from frontoffice.merging import choices, operations, queries, references
from frontoffice.merging.forms import DIFFERENT, DecisionForm, UnmergeForm, merge_form

bp = Blueprint("duplicates", __name__, url_prefix="/staff/duplicates")


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 6 else 1


def _review_or_404(review_id: int):
    review = queries.review(review_id)
    if review is None:
        abort(404)
    return review


@bp.route("/")
@requires(Permission.IDENTITY_REVIEW)
def queue():
    source = request.args.get("source", "")
    source = source if source in queries.SOURCES else ""
    found = queries.open_reviews(source or None, _page_number())
    return render_template(
        "staff/duplicates/queue.html", queue=found, source=source, sources=queries.SOURCES
    )


@bp.route("/<int:review_id>", methods=["GET", "POST"])
@requires(Permission.IDENTITY_REVIEW)
def review(review_id: int):
    review = _review_or_404(review_id)
    found = queries.customers({review.customer_id, review.other_customer_id} - {None})
    form = DecisionForm()
    status = 200
    if review.status == ReviewStatus.OPEN and form.validate_on_submit():
        reason = form.reason.data or ""
        if form.decision.data == DIFFERENT:
            try:
                decide(db.session, review, ReviewStatus.SEPARATE, current_actor(), reason)
            except ReviewError as error:
                form.reason.errors.append(str(error))
            else:
                db.session.commit()
                flash("Recorded: different people. The records stay apart.", "success")
                return redirect(url_for(".queue"))
        elif review.other_customer_id is not None:
            return redirect(url_for(".merge", review_id=review.id))
        else:  # details that came in without a record of their own: nothing to merge
            try:
                decide(db.session, review, ReviewStatus.LINKED, current_actor(), reason)
            except ReviewError as error:
                form.reason.errors.append(str(error))
            else:
                db.session.commit()
                flash(f"Recorded: the same person as record {review.customer_id}", "success")
                return redirect(url_for(".queue"))
    if form.errors:
        status = 422
    for customer_id in found:
        audit.record(
            current_actor(),
            "view",
            "customer",
            customer_id,
            customer_id=customer_id,
            details={"match_review_id": review.id},
        )
    page = render_template(
        "staff/duplicates/review.html",
        review=review,
        customer=found.get(review.customer_id),
        other=found.get(review.other_customer_id) if review.other_customer_id else None,
        form=form,
    )
    db.session.commit()
    return page, status


@bp.route("/<int:review_id>/merge", methods=["GET", "POST"])
@requires(Permission.IDENTITY_REVIEW)
def merge(review_id: int):
    review = _review_or_404(review_id)
    if review.status != ReviewStatus.OPEN or review.other_customer_id is None:
        flash("This possible match has no second record to merge, or was already decided")
        return redirect(url_for(".review", review_id=review.id))
    swap = request.args.get("keep") == "other"
    survivor_id, merged_id = review.customer_id, review.other_customer_id
    if swap:
        survivor_id, merged_id = merged_id, survivor_id
    found = queries.customers({survivor_id, merged_id})
    survivor, merged = found[survivor_id], found[merged_id]
    for customer in (survivor, merged):
        if customer.is_merged:
            flash(f"Record {customer.id} is already merged into record {customer.merged_into_id}")
            return redirect(url_for(".review", review_id=review.id))
    options = choices.options(survivor, merged)
    form = merge_form(options, survivor.id, merged.id)
    status = 200
    if form.validate_on_submit():
        chosen = {o.name: form[o.name].data for o in options if o.differs}
        try:
            operations.merge(
                db.session,
                survivor.id,
                merged.id,
                current_actor(),
                form.reason.data,
                chosen,
                review_id=review.id,
            )
        except operations.MergeError as error:
            db.session.rollback()
            form.reason.errors.append(str(error))
            status = 409
        else:
            db.session.commit()
            flash(f"Records merged: record {merged_id} is now part of this record", "success")
            return redirect(url_for("customers.record", customer_id=survivor_id))
    if form.errors and status == 200:
        status = 422
    for customer in (survivor, merged):
        audit.record(
            current_actor(),
            "view",
            "customer",
            customer.id,
            customer_id=customer.id,
            details={"match_review_id": review.id},
        )
    db.session.commit()
    return render_template(
        "staff/duplicates/merge.html",
        review=review,
        survivor=survivor,
        merged=merged,
        options=options,
        form=form,
        swap=swap,
    ), status


@bp.route("/merged/<int:customer_id>/unmerge", methods=["GET", "POST"])
@requires(Permission.IDENTITY_REVIEW)
def unmerge(customer_id: int):
    customer = db.session.get(Customer, customer_id) if 0 < customer_id < 2**31 else None
    if customer is None:
        abort(404)
    record = operations.merge_of(db.session, customer_id)
    if record is None:
        flash("This record is not merged into another, so there is nothing to unmerge")
        return redirect(url_for("customers.record", customer_id=customer_id))
    survivor = db.session.get(Customer, record.survivor_id)
    form = UnmergeForm()
    status = 200
    if form.validate_on_submit():
        try:
            done = operations.unmerge(db.session, record.id, current_actor(), form.reason.data)
        except operations.MergeError as error:
            db.session.rollback()
            form.reason.errors.append(str(error))
            status = 409
        else:
            lost = references.not_restored(done)
            db.session.commit()
            flash(f"Merge undone: record {customer_id} is a record of its own again", "success")
            for reference in lost:
                flash(f"Not restored: {references.describe(reference)}.")
            return redirect(url_for("customers.record", customer_id=customer_id))
    if form.errors and status == 200:
        status = 422
    return render_template(
        "staff/duplicates/unmerge.html",
        customer=customer,
        survivor=survivor,
        record=record,
        form=form,
    ), status
