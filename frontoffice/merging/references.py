"""Partner references an unmerge cannot give back: another customer holds them by now (a
reference is unique within its partner's system), and taking it from them would be wrong."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontoffice.customers.models import ExternalReference
from frontoffice.merging.models import CustomerMerge


def not_restored(record: CustomerMerge) -> list[dict[str, Any]]:
    """The partner references the unmerge left with the customers who hold them now."""
    return list((record.before_unmerge or {}).get("references_not_restored", []))


def describe(lost: dict[str, Any]) -> str:
    return (
        f"the {lost['partner']} {lost['system']} reference {lost['reference']} is on record "
        f"{lost['holder_id']} now, so it stays there and is not back on record "
        f"{lost['customer_id']}"
    )


def held_now(
    session: Session, saved: dict[str, Any], survivor_id: int, merged_id: int
) -> tuple[list[dict[str, Any]], set[int]]:
    """Saved references whose key is held by now under another row or by another customer:
    (those another customer holds, to report; the saved row ids not to write back)."""
    wanted = {
        (r["partner_id"], r["system"], r["reference_key"]): (side, r)
        for side in ("survivor", "merged")
        for r in saved[side]["external_reference"]
    }
    if not wanted:
        return [], set()
    held = session.scalars(
        select(ExternalReference).where(
            ExternalReference.reference_key.in_({key for _, _, key in wanted})
        )
    ).all()
    elsewhere, skip = [], set()
    for now in held:
        found = wanted.get((now.partner_id, now.system, now.reference_key))
        if found is None:
            continue
        side, row = found
        if now.customer_id in (survivor_id, merged_id):
            if now.id != row["id"]:  # given back since, as a new row: it stands in
                skip.add(row["id"])
            continue
        skip.add(row["id"])
        elsewhere.append(
            {
                "row_id": now.id,
                "customer_id": survivor_id if side == "survivor" else merged_id,
                "holder_id": now.customer_id,
                "partner_id": now.partner_id,
                "partner": now.partner.name,
                "system": now.system,
                "reference": now.reference,
            }
        )
    return sorted(elsewhere, key=lambda r: r["row_id"]), skip
