"""Reads for the supervisors' duplicate screens (supervisors see every partner's customers)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from frontoffice.customers.models import Customer
from frontoffice.extensions import db
from frontoffice.identity.models import MatchReview, ReviewStatus
from frontoffice.merging.models import CustomerMerge

SOURCES = ("adviser", "web", "open311", "partner", "sweep", "import")
PAGE_SIZE = 50


@dataclass(frozen=True)
class Queue:
    reviews: list[MatchReview]
    customers: dict[int, Customer]
    counts: dict[str, int]  # open reviews by source
    page: int
    pages: int


def open_reviews(source: str | None, page: int = 1) -> Queue:
    """Open reviews, most likely first, then oldest first."""
    counts = dict(
        db.session.execute(
            select(MatchReview.source, func.count(MatchReview.id))
            .where(MatchReview.status == ReviewStatus.OPEN)
            .group_by(MatchReview.source)
        ).all()
    )
    conditions = [MatchReview.status == ReviewStatus.OPEN]
    if source:
        conditions.append(MatchReview.source == source)
    total = counts.get(source, 0) if source else sum(counts.values())
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    reviews = list(
        db.session.scalars(
            select(MatchReview)
            .where(*conditions)
            .order_by(MatchReview.probability.desc(), MatchReview.created_at, MatchReview.id)
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        )
    )
    ids = {r.customer_id for r in reviews} | {
        r.other_customer_id for r in reviews if r.other_customer_id
    }
    return Queue(reviews, customers(ids), counts, page, pages)


def customers(ids: set[int]) -> dict[int, Customer]:
    if not ids:
        return {}
    found = db.session.scalars(
        select(Customer)
        .where(Customer.id.in_(ids))
        .options(
            selectinload(Customer.phones),
            selectinload(Customer.emails),
            selectinload(Customer.addresses),
            selectinload(Customer.references),
        )
    )
    return {c.id: c for c in found}


def review(review_id: int) -> MatchReview | None:
    if not 0 < review_id < 2**31:
        return None
    return db.session.get(MatchReview, review_id)


def merges_of(customer_id: int) -> list[CustomerMerge]:
    """Merges this record took part in, newest first."""
    return list(
        db.session.scalars(
            select(CustomerMerge)
            .where(
                (CustomerMerge.merged_id == customer_id)
                | (CustomerMerge.survivor_id == customer_id)
            )
            .order_by(CustomerMerge.id.desc())
        )
    )
