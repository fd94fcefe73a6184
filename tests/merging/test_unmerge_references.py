"""Unmerging after a partner reference the merge moved was given to someone else meanwhile:
the unmerge goes ahead, the reference stays with its new holder, and the supervisor and the
restored record's history say which reference was not given back."""

from __future__ import annotations

from sqlalchemy import select

from frontoffice.access.actor import Actor
from frontoffice.audit.models import AuditEvent
from frontoffice.customers import operations as customers
from frontoffice.customers.models import ExternalReference
from frontoffice.extensions import db
from frontoffice.merging import references
from frontoffice.merging.operations import merge, unmerge
from tests import factories as f
from tests.merging.conftest import full, make_pair
from tests.merging.test_views import words

ADVISER = Actor.system("test")


def council_tax_reference(pair) -> ExternalReference:
    return db.session.scalars(
        select(ExternalReference).where(
            ExternalReference.customer_id == pair.merged.id,
            ExternalReference.system == "Council tax",
        )
    ).one()


def merged_then_regiven(pair, actor, *, same_row: bool):
    """Merge; then the merged record's council tax reference goes to another resident, either
    as a new row (removed, then added to them) or the same row moved."""
    moved = council_tax_reference(pair)
    number, partner_id = moved.reference, moved.partner_id
    done = merge(db.session, pair.survivor.id, pair.merged.id, actor, "Duplicate")
    moved = db.session.get(ExternalReference, moved.id)
    other = f.CustomerFactory(given_name="Wilma", family_name="Ashworth")
    if same_row:
        moved.customer_id = other.id
    else:
        db.session.delete(moved)
        db.session.flush()
        customers.add_reference(
            ADVISER,
            other,
            partner_id=partner_id,
            system="Council tax",
            reference=number,
            verified=True,
        )
    db.session.flush()
    return done, other, number


def holders(number: str) -> list[int]:
    return db.session.scalars(
        select(ExternalReference.customer_id).where(ExternalReference.reference == number)
    ).all()


def test_unmerge_goes_ahead_and_a_regiven_reference_stays_with_its_new_holder(supervisor):
    for same_row in (False, True):
        pair = make_pair()
        _, actor = supervisor
        before_survivor, before_merged = full(pair.survivor.id), full(pair.merged.id)
        done, other, number = merged_then_regiven(pair, actor, same_row=same_row)

        unmerge(db.session, done.id, actor, "Two people")

        assert holders(number) == [other.id], "not taken back from the resident who has it"
        assert full(pair.survivor.id) == before_survivor
        restored = full(pair.merged.id)
        assert {k: v for k, v in restored.items() if k != "external_reference"} == {
            k: v for k, v in before_merged.items() if k != "external_reference"
        }, "everything else of the merged record is back"
        assert restored["external_reference"] == []
        (lost,) = references.not_restored(done)
        assert (lost["customer_id"], lost["holder_id"], lost["reference"]) == (
            pair.merged.id,
            other.id,
            number,
        )
        (told,) = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.customer_id == pair.merged.id,
                AuditEvent.action == "reference not restored",
            )
        ).all()
        assert told.actor_id == actor.user_id
        assert f"reference {number} is on record {other.id} now" in told.reason


def test_a_reference_given_back_to_the_pair_as_a_new_row_ends_on_its_own_record(supervisor):
    pair = make_pair()
    _, actor = supervisor
    original = council_tax_reference(pair)
    number, partner_id = original.reference, original.partner_id
    done = merge(db.session, pair.survivor.id, pair.merged.id, actor, "Duplicate")
    db.session.delete(db.session.get(ExternalReference, original.id))
    db.session.flush()
    survivor = db.session.get(type(pair.survivor), pair.survivor.id)
    customers.add_reference(
        ADVISER,
        survivor,
        partner_id=partner_id,
        system="Council tax",
        reference=number,
        verified=False,
    )
    db.session.flush()

    unmerge(db.session, done.id, actor, "Two people")

    assert holders(number) == [pair.merged.id]
    assert references.not_restored(done) == []


def test_the_supervisor_is_told_which_reference_could_not_be_restored(as_role):
    supervisor = as_role("supervisor")
    pair = make_pair()
    actor = Actor(user_id=supervisor.user.id, label=supervisor.user.email)
    _, other, number = merged_then_regiven(pair, actor, same_row=False)
    db.session.commit()

    done = supervisor.post(
        f"/staff/duplicates/merged/{pair.merged.id}/unmerge",
        {"reason": "Different dates of birth on the tenancy"},
        follow_redirects=True,
    )

    assert done.status_code == 200
    page = words(done)
    assert f"record {pair.merged.id} is a record of its own again" in page
    assert (
        f"Not restored: the {pair.partner.name} Council tax reference {number} is on record "
        f"{other.id} now, so it stays there and is not back on record {pair.merged.id}." in page
    )
    history = words(supervisor.get(f"/staff/customers/{pair.merged.id}/audit"))
    assert "Reference not restored" in history and f"is on record {other.id} now" in history
