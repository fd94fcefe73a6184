"""Merging two customer records into one, and undoing it. Flask-free; flushes, never commits.

Both records' rows are locked (SELECT ... FOR UPDATE on PostgreSQL, lower id first) before
anything is read, so two supervisors merging the same pair at once cannot both succeed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session

from frontoffice import clock
from frontoffice.access.actor import Actor
from frontoffice.audit import operations as audit
from frontoffice.customers import normalise
from frontoffice.customers.models import Customer
from frontoffice.identity.models import ReviewStatus
from frontoffice.merging import choices, references, snapshot
from frontoffice.merging.choices import ADDRESS, FIELDS, MERGED
from frontoffice.merging.models import CustomerMerge
from frontoffice.merging.snapshot import DETAIL_TABLES, table, values

REASON_LIMIT = 2000


class MergeError(Exception):
    """A merge or unmerge that cannot be done, with the reason a supervisor can act on."""


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise MergeError("Give a reason")
    if len(reason) > REASON_LIMIT:
        raise MergeError(f"The reason must be {REASON_LIMIT} characters or fewer")
    return reason


def _lock(session: Session, *ids: int) -> dict[int, Customer]:
    found = session.scalars(
        select(Customer)
        .where(Customer.id.in_(ids))
        .order_by(Customer.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    if len(found) != len(set(ids)):
        raise MergeError("One of the records does not exist")
    return {c.id: c for c in found}


def active_merge_into(session: Session, customer_id: int) -> CustomerMerge | None:
    """The latest merge still in force of another record into this one."""
    return session.scalars(
        select(CustomerMerge)
        .where(CustomerMerge.survivor_id == customer_id, CustomerMerge.unmerged_at.is_(None))
        .order_by(CustomerMerge.id.desc())
        .limit(1)
    ).first()


def merge_of(session: Session, merged_id: int) -> CustomerMerge | None:
    """The merge in force that folded this record into another."""
    return session.scalars(
        select(CustomerMerge).where(
            CustomerMerge.merged_id == merged_id, CustomerMerge.unmerged_at.is_(None)
        )
    ).first()


def check(survivor: Customer, merged: Customer, session: Session) -> None:
    if survivor.id == merged.id:
        raise MergeError("A record cannot be merged into itself")
    if merged.merged_into_id is not None:
        raise MergeError(
            f"Record {merged.id} is already merged into record {merged.merged_into_id}"
        )
    if survivor.merged_into_id is not None:
        raise MergeError(
            f"Record {survivor.id} was itself merged into record {survivor.merged_into_id}: "
            "it cannot take another record"
        )
    if active_merge_into(session, merged.id) is not None:
        raise MergeError(
            f"Other records are merged into record {merged.id}, so it cannot be merged away "
            "(merges do not chain): unmerge them first, or keep this record"
        )


def merge(
    session: Session,
    survivor_id: int,
    merged_id: int,
    actor: Actor,
    reason: str,
    chosen: dict[str, str] | None = None,
    review_id: int | None = None,
) -> CustomerMerge:
    """Fold the merged record into the survivor: chosen field values, details, cases,
    contacts, life events, messages and possible matches move to the survivor; the merged
    record is kept, marked merged, with a snapshot of both as they were."""
    reason = _reason(reason)
    if survivor_id == merged_id:
        raise MergeError("A record cannot be merged into itself")
    locked = _lock(session, survivor_id, merged_id)
    survivor, merged = locked[survivor_id], locked[merged_id]
    check(survivor, merged, session)
    try:
        picks = choices.resolve(survivor, merged, chosen)
    except choices.ChoiceError as error:
        raise MergeError(str(error)) from error

    saved: dict[str, Any] = {
        "survivor": snapshot.record(session, survivor.id),
        "merged": snapshot.record(session, merged.id),
        "owned": {
            "survivor": snapshot.owned(session, survivor.id),
            "merged": snapshot.owned(session, merged.id),
        },
    }
    _take_fields(survivor, merged, picks)
    _take_details(survivor, merged, picks)
    session.flush()
    for key, ids in saved["owned"]["merged"].items():
        name, column = key.split(".")
        if ids:
            t = table(name)
            session.execute(update(t).where(t.c.id.in_(ids)).values({column: survivor.id}))
    saved["reviews"], saved["closed_reviews"] = _repoint_reviews(session, survivor, merged, actor)
    merged.merged_into_id = survivor.id
    record = CustomerMerge(
        survivor_id=survivor.id,
        merged_id=merged.id,
        review_id=review_id,
        choices=picks,
        snapshot=saved,
        reason=reason,
        merged_by_id=actor.user_id,
    )
    session.add(record)
    session.flush()
    for customer, other, action in ((merged, survivor, "merged into"), (survivor, merged, "merge")):
        audit.record(
            actor,
            action,
            "customer",
            customer.id,
            customer_id=customer.id,
            reason=reason,
            details={"merge_id": record.id, "other_customer_id": other.id, "choices": picks},
        )
    session.flush()
    session.expire_all()
    return record


def _take_fields(survivor: Customer, merged: Customer, picks: dict[str, str]) -> None:
    chosen = {name: getattr(merged if picks[name] == MERGED else survivor, name) for name in FIELDS}
    given, family = chosen.pop("given_name"), chosen.pop("family_name")
    survivor.set_names(given_name=given, family_name=family)
    for name, value in chosen.items():
        setattr(survivor, name, value)
    survivor.updated_at = clock.now()


def _take_details(survivor: Customer, merged: Customer, picks: dict[str, str]) -> None:
    phones = {p.number_key for p in survivor.phones}
    for phone in list(merged.phones):
        if phone.number_key not in phones:
            phone.customer = survivor
    emails = {e.address_key for e in survivor.emails}
    for email in list(merged.emails):
        if email.address_key not in emails:
            email.customer = survivor
    ours_home, theirs_home = survivor.current_address, merged.current_address
    chosen_home = None
    if ADDRESS in picks and ours_home is not None and theirs_home is not None:
        ended = ours_home if picks[ADDRESS] == MERGED else theirs_home
        chosen_home = theirs_home if picks[ADDRESS] == MERGED else None
        ended.valid_to = max(clock.today(), ended.valid_from or clock.today())
    for address in list(merged.addresses):
        duplicate = any(choices.same_address(address, a) for a in survivor.addresses)
        if address is chosen_home or not duplicate:
            address.customer = survivor
    for marker in list(merged.warnings):
        marker.customer = survivor
    for reference in list(merged.references):
        reference.customer = survivor


def _repoint_reviews(
    session: Session, survivor: Customer, merged: Customer, actor: Actor
) -> tuple[list[dict[str, Any]], list[int]]:
    reviews = table("match_review")
    rows = session.execute(
        select(reviews)
        .where(or_(reviews.c.customer_id == merged.id, reviews.c.other_customer_id == merged.id))
        .order_by(reviews.c.id)
    ).mappings()
    saved, closed = [], []
    pair = {survivor.id, merged.id}
    for found in rows:
        saved.append(snapshot.row(found))
        if {found["customer_id"], found["other_customer_id"]} == pair:
            if found["status"] == ReviewStatus.OPEN:
                closed.append(found["id"])
            continue
        changes = {
            column: survivor.id
            for column in ("customer_id", "other_customer_id")
            if found[column] == merged.id
        }
        session.execute(update(reviews).where(reviews.c.id == found["id"]).values(changes))
    if closed:
        session.execute(
            update(reviews)
            .where(reviews.c.id.in_(closed))
            .values(status=ReviewStatus.LINKED, decided_at=clock.now(), decided_by_id=actor.user_id)
        )
        for review_id in closed:
            audit.record(
                actor,
                "match review: linked",
                "match_review",
                review_id,
                customer_id=survivor.id,
                details={"merged_customer_id": merged.id},
            )
    return saved, closed


# Unmerge ------------------------------------------------------------------------------------


def unmerge(session: Session, merge_id: int, actor: Actor, reason: str) -> CustomerMerge:
    """Restore both records exactly as they were before the merge; what was added to the
    survivor since stays there, unless it came from the merged record's own phone, email or
    partner system (see _back_to_merged and _cases_back_to_merged). A partner reference that
    another customer holds by now stays with them: the record it is not restored to is told
    in its history, and `references.not_restored(record)` lists them for the supervisor."""
    reason = _reason(reason)
    record = session.get(CustomerMerge, merge_id)
    if record is None:
        raise MergeError("There is no such merge")
    locked = _lock(session, record.survivor_id, record.merged_id)
    session.refresh(record, with_for_update=True)
    survivor, merged = locked[record.survivor_id], locked[record.merged_id]
    if record.unmerged_at is not None:
        raise MergeError("This merge was already undone")
    later = active_merge_into(session, survivor.id)
    if later is not None and later.id != record.id:
        raise MergeError(
            f"Record {later.merged_id} was merged into record {survivor.id} after this merge: "
            "unmerge that first"
        )
    saved = record.snapshot
    elsewhere, standing_in = references.held_now(session, saved, survivor.id, merged.id)
    record.before_unmerge = {
        "survivor": snapshot.record(session, survivor.id),
        "owned": snapshot.owned(session, survivor.id),
        "references_not_restored": elsewhere,
    }
    customers = table("customer")
    for side in ("survivor", "merged"):
        row = values(saved[side]["customer"])
        session.execute(update(customers).where(customers.c.id == row.pop("id")).values(row))
    for name in DETAIL_TABLES:
        skip = standing_in if name == "external_reference" else set()
        _restore_rows(session, name, saved, survivor.id, merged.id, skip)
    _restore_owned(session, saved, survivor.id, merged.id)
    _restore_reviews(session, saved)
    record.unmerged_at = clock.now()
    record.unmerged_by_id = actor.user_id
    record.unmerge_reason = reason
    for customer_id, other in ((merged.id, survivor.id), (survivor.id, merged.id)):
        audit.record(
            actor,
            "unmerge",
            "customer",
            customer_id,
            customer_id=customer_id,
            reason=reason,
            details={"merge_id": record.id, "other_customer_id": other},
        )
    for lost in elsewhere:
        audit.record(
            actor,
            "reference not restored",
            "external_reference",
            lost["row_id"],
            customer_id=lost["customer_id"],
            reason=f"Unmerge: {references.describe(lost)}",
            details={"merge_id": record.id, **lost},
        )
    session.flush()
    session.expire_all()
    return record


def _restore_rows(
    session: Session,
    name: str,
    saved: dict[str, Any],
    survivor_id: int,
    merged_id: int,
    skip: set[int],
) -> None:
    t = table(name)
    kept = saved["survivor"][name] + saved["merged"][name]
    for saved_row in kept:
        if saved_row["id"] in skip:
            continue
        row = values(saved_row)
        row_id = row.pop("id")
        if session.scalar(select(t.c.id).where(t.c.id == row_id)) is None:
            session.execute(insert(t).values(id=row_id, **row))
        else:
            session.execute(update(t).where(t.c.id == row_id).values(row))
    ids = [r["id"] for r in kept]
    added = session.execute(
        select(t).where(t.c.customer_id == survivor_id, t.c.id.not_in(ids))
    ).mappings()
    back = [r["id"] for r in added if _back_to_merged(name, r, saved)]
    if back:
        session.execute(update(t).where(t.c.id.in_(back)).values(customer_id=merged_id))


def _keys(saved_rows: list[dict[str, Any]], *columns: str) -> set[tuple]:
    return {tuple(r[c] for c in columns) for r in saved_rows}


def _back_to_merged(name: str, row, saved: dict[str, Any]) -> bool:
    """Something added to the survivor since the merge goes to the merged record when it is
    the merged record's own (its phone, email, or a partner system that knew it) and not the
    survivor's too."""
    columns = {
        "customer_phone": ("number_key",),
        "customer_email": ("address_key",),
        "external_reference": ("partner_id", "system"),
    }.get(name)
    if columns is None:
        return False
    key = tuple(row[c] for c in columns)
    return key in _keys(saved["merged"][name], *columns) and key not in _keys(
        saved["survivor"][name], *columns
    )


def _restore_owned(session: Session, saved: dict[str, Any], survivor_id: int, merged_id: int):
    for key, ids in saved["owned"]["merged"].items():
        name, column = key.split(".")
        if ids:
            t = table(name)
            session.execute(update(t).where(t.c.id.in_(ids)).values({column: merged_id}))
    cases = _cases_back_to_merged(session, saved, survivor_id)
    if not cases:
        return
    for name in ("case", "resident_message"):
        t = table(name)
        where = t.c.id.in_(cases) if name == "case" else t.c.case_id.in_(cases)
        session.execute(
            update(t).where(where, t.c.customer_id == survivor_id).values(customer_id=merged_id)
        )
    known = set(saved["owned"]["survivor"]["contact.customer_id"])
    contacts, links = table("contact"), table("contact_case")
    for contact_id in session.scalars(
        select(contacts.c.id).where(contacts.c.customer_id == survivor_id)
    ):
        if contact_id in known:
            continue
        linked = set(
            session.scalars(select(links.c.case_id).where(links.c.contact_id == contact_id))
        )
        if linked and linked <= cases:
            session.execute(
                update(contacts).where(contacts.c.id == contact_id).values(customer_id=merged_id)
            )


def _cases_back_to_merged(session: Session, saved: dict[str, Any], survivor_id: int) -> set[int]:
    """Cases raised on the survivor since the merge from a web form that gave the merged
    record's own email or phone (and not the survivor's)."""
    owned = saved["owned"]
    before = set(owned["survivor"]["case.customer_id"]) | set(owned["merged"]["case.customer_id"])
    cases, requests = table("case"), table("web_request")
    found = session.execute(
        select(requests.c.case_id, requests.c.email_key, requests.c.phone)
        .join(cases, cases.c.id == requests.c.case_id)
        .where(cases.c.customer_id == survivor_id)
    ).all()
    theirs_email = {r["address_key"] for r in saved["merged"]["customer_email"]}
    ours_email = {r["address_key"] for r in saved["survivor"]["customer_email"]}
    theirs_phone = {r["number_key"] for r in saved["merged"]["customer_phone"]}
    ours_phone = {r["number_key"] for r in saved["survivor"]["customer_phone"]}
    back = set()
    for case_id, email_key, phone in found:
        if case_id in before:
            continue
        phone_key = normalise.phone_key(phone) if phone else ""
        if (email_key and email_key in theirs_email - ours_email) or (
            phone_key and phone_key in theirs_phone - ours_phone
        ):
            back.add(case_id)
    return back


def _restore_reviews(session: Session, saved: dict[str, Any]) -> None:
    reviews = table("match_review")
    closed = set(saved["closed_reviews"])
    for saved_row in saved["reviews"]:
        row = values(saved_row)
        changes = {c: row[c] for c in ("customer_id", "other_customer_id")}
        if row["id"] in closed:
            changes.update(status=row["status"], decided_at=None, decided_by_id=None)
        session.execute(update(reviews).where(reviews.c.id == row["id"]).values(changes))
