"""Every table that points at a customer, and what a merge does with it; rows as JSON.

The rules are checked against the metadata (tests/merging/test_rules.py): a new foreign key to
customer.id without a rule here fails the tests, so no table is silently left behind.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from frontoffice.extensions import db


class Rule(enum.StrEnum):
    # The customer's own details: every row snapshotted whole, moved to the survivor (a
    # phone, email or address the survivor already has stays with the merged record).
    DETAIL = "detail"
    # Things that happened to the customer: they follow the survivor; which rows were whose is
    # kept, so unmerging puts each back.
    FOLLOW = "follow"
    # Possible matches: repointed to the survivor; those between the pair are decided.
    REVIEW = "review"
    # The merge's own bookkeeping.
    MERGE = "merge"


RULES: dict[tuple[str, str], Rule] = {
    ("customer_phone", "customer_id"): Rule.DETAIL,
    ("customer_email", "customer_id"): Rule.DETAIL,
    ("customer_address", "customer_id"): Rule.DETAIL,
    ("warning_marker", "customer_id"): Rule.DETAIL,
    ("external_reference", "customer_id"): Rule.DETAIL,
    ("case", "customer_id"): Rule.FOLLOW,
    ("contact", "customer_id"): Rule.FOLLOW,
    ("life_event", "customer_id"): Rule.FOLLOW,
    ("resident_message", "customer_id"): Rule.FOLLOW,
    ("match_review", "customer_id"): Rule.REVIEW,
    ("match_review", "other_customer_id"): Rule.REVIEW,
    ("customer", "merged_into_id"): Rule.MERGE,
    ("customer_merge", "survivor_id"): Rule.MERGE,
    ("customer_merge", "merged_id"): Rule.MERGE,
}

# Web requests and Open311 submissions belong to a case, so they follow it; audit events
# name a customer without a foreign key and are append-only: a record's history shows the
# events of the records merged into it.
DETAIL_TABLES = tuple(t for (t, _), r in RULES.items() if r is Rule.DETAIL)
FOLLOW_KEYS = tuple(k for k, r in RULES.items() if r is Rule.FOLLOW)


def customer_foreign_keys() -> set[tuple[str, str]]:
    """(table, column) of every foreign key to customer.id in the metadata."""
    found = set()
    for table in db.metadata.tables.values():
        for fk in table.foreign_keys:
            if fk.column.table.name == "customer" and fk.column.name == "id":
                found.add((table.name, fk.parent.name))
    return found


def table(name: str) -> Table:
    return db.metadata.tables[name]


def encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, enum.Enum):
        return value.value
    return value


def decode(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        if "datetime" in value:
            return datetime.fromisoformat(value["datetime"])
        if "date" in value:
            return date.fromisoformat(value["date"])
    return value


def row(mapping) -> dict[str, Any]:
    return {key: encode(value) for key, value in mapping.items()}


def values(saved: dict[str, Any]) -> dict[str, Any]:
    return {key: decode(value) for key, value in saved.items()}


def record(session: Session, customer_id: int) -> dict[str, Any]:
    """One customer as stored: the customer row and every row of its details, by table."""
    customer = table("customer")
    found = session.execute(select(customer).where(customer.c.id == customer_id)).mappings().one()
    saved: dict[str, Any] = {"customer": row(found)}
    for name in DETAIL_TABLES:
        t = table(name)
        rows = session.execute(select(t).where(t.c.customer_id == customer_id).order_by(t.c.id))
        saved[name] = [row(r) for r in rows.mappings()]
    return saved


def owned(session: Session, customer_id: int) -> dict[str, list[int]]:
    """Which rows of the following tables belong to the customer: 'table.column' -> ids."""
    owned_ids = {}
    for name, column in FOLLOW_KEYS:
        t = table(name)
        ids = session.scalars(select(t.c.id).where(t.c[column] == customer_id).order_by(t.c.id))
        owned_ids[f"{name}.{column}"] = list(ids)
    return owned_ids
