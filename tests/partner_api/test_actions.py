"""partner_api.actions without a request: what each action refuses, and that it changes nothing."""

from __future__ import annotations

import pytest

from frontoffice.access.actor import Actor
from frontoffice.cases.status import CaseStatus
from frontoffice.extensions import db
from frontoffice.partner_api import actions
from tests.dispatch.test_outbox import routed_case
from tests.factories import PartnerFactory
from tests.partner_api.conftest import case_for

ACTOR = Actor(None, "partner:test", "")
LONG = "x" * 5001


@pytest.fixture
def partner():
    return PartnerFactory(name="Northvale District Council")


def test_each_action_refuses_a_case_not_routed_to_the_partner(partner):
    theirs = case_for(PartnerFactory())
    for act in (
        lambda: actions.acknowledge(ACTOR, partner, theirs),
        lambda: actions.accept(ACTOR, partner, theirs),
        lambda: actions.reject(ACTOR, partner, theirs, "Not ours"),
        lambda: actions.post_update(ACTOR, partner, theirs, status="in_progress"),
        lambda: actions.close(ACTOR, partner, theirs, outcome="Done"),
    ):
        with pytest.raises(actions.NotRouted):
            act()
    assert theirs.status is CaseStatus.NEW and theirs.acknowledged_at is None


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda p, c: actions.post_update(ACTOR, p, c, status="done"), "status"),
        (
            lambda p, c: actions.post_update(ACTOR, p, c, status="closed", public_note=LONG),
            "public_note",
        ),
        (
            lambda p, c: actions.post_update(ACTOR, p, c, status="waiting", your_reference=LONG),
            "your_reference",
        ),
        (lambda p, c: actions.reject(ACTOR, p, c, "  "), "reason"),
        (lambda p, c: actions.close(ACTOR, p, c, outcome=""), "outcome"),
    ],
)
def test_invalid_values_name_their_field(partner, call, field):
    case = case_for(partner)
    with pytest.raises(actions.Invalid) as refused:
        call(partner, case)
    assert refused.value.field == field
    assert case.status is CaseStatus.NEW and case.acknowledged_at is None


def test_a_closed_copy_cannot_be_closed_again_and_a_resolved_case_takes_no_work(partner):
    other = PartnerFactory()
    case, _ = routed_case(partner, other)
    db.session.flush()
    assert actions.close(ACTOR, partner, case, outcome="Our part is done") == "applied"
    assert case.status is not CaseStatus.RESOLVED, "the other partner has not closed it"
    with pytest.raises(actions.CaseClosed):
        actions.close(ACTOR, partner, case, outcome="Again")
    assert actions.close(ACTOR, other, case, outcome="Ours too") == "applied"
    assert case.status is CaseStatus.RESOLVED
    for act in (
        lambda: actions.acknowledge(ACTOR, other, case),
        lambda: actions.accept(ACTOR, other, case),
        lambda: actions.reject(ACTOR, other, case, "Late"),
        lambda: actions.post_update(ACTOR, other, case, status="in_progress"),
    ):
        with pytest.raises(actions.CaseClosed):
            act()
