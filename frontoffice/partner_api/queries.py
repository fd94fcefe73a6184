"""What a partner's key may read: the cases routed to its partner, and nothing else."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, or_, select

from frontoffice.cases.models import Case, parse_reference
from frontoffice.cases.status import CaseStatus
from frontoffice.catalogue.models import Service
from frontoffice.dispatch.models import Dispatch, DispatchStatus
from frontoffice.extensions import db


def routed_to(partner_id: int) -> ColumnElement[bool]:
    """Cases with a delivery to this partner that was not withdrawn (re-routed elsewhere)."""
    return exists(
        select(Dispatch.id).where(
            Dispatch.case_id == Case.id,
            Dispatch.partner_id == partner_id,
            Dispatch.status != DispatchStatus.CANCELLED,
        )
    )


@dataclass(frozen=True)
class CaseFilters:
    status: CaseStatus | None = None
    service_code: str | None = None
    updated_since: datetime | None = None


@dataclass(frozen=True)
class Page:
    cases: list[Case]
    next_cursor: str | None


def encode_cursor(case: Case) -> str:
    text = f"{case.updated_at.isoformat()}|{case.id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, case_id = text.split("|")
        when = datetime.fromisoformat(stamp)
        return (when, int(case_id)) if when.tzinfo is not None else None
    except (ValueError, UnicodeDecodeError, binascii.Error):
        return None


def cases_page(
    partner_id: int, filters: CaseFilters, *, after: tuple[datetime, int] | None, limit: int
) -> Page:
    """Oldest change first, so a partner polling with the last cursor sees every change."""
    query = select(Case).where(routed_to(partner_id))
    if filters.status is not None:
        query = query.where(Case.status == filters.status)
    if filters.service_code:
        query = query.where(
            Case.service_id.in_(select(Service.id).where(Service.code == filters.service_code))
        )
    if filters.updated_since is not None:
        query = query.where(Case.updated_at >= filters.updated_since)
    if after is not None:
        stamp, case_id = after
        query = query.where(
            or_(Case.updated_at > stamp, and_(Case.updated_at == stamp, Case.id > case_id))
        )
    rows = list(
        db.session.scalars(query.order_by(Case.updated_at, Case.id).limit(limit + 1)).unique()
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode_cursor(rows[-1]) if more else None)


def case_by_reference(reference: str) -> Case | None:
    case_id = parse_reference(reference or "")
    return db.session.get(Case, case_id) if case_id is not None else None


def is_routed_to(case: Case, partner_id: int) -> bool:
    return db.session.scalar(select(routed_to(partner_id)).where(Case.id == case.id)) or False


def dispatch_to(case: Case, partner_id: int) -> Dispatch | None:
    return db.session.scalar(
        select(Dispatch)
        .where(
            Dispatch.case_id == case.id,
            Dispatch.partner_id == partner_id,
            Dispatch.status != DispatchStatus.CANCELLED,
        )
        .order_by(Dispatch.id.desc())
        .limit(1)
    )
