"""Committed dispatches are sent in batches of one partner's, so a slow partner holds up only
its own."""

import pytest

from frontoffice.dispatch import tasks

pytestmark = pytest.mark.no_db


def test_batches_group_by_partner_in_order_and_are_capped():
    partner_of = {i: ("north" if i % 2 else "east") for i in range(1, 46)}
    batches = tasks.batches(reversed(range(1, 46)), partner_of)
    assert [len(b) for b in batches] == [20, 3, 20, 2]
    assert batches[0][:3] == [1, 3, 5] and batches[2][:3] == [2, 4, 6]
    assert all({partner_of[i] for i in batch} == {partner_of[batch[0]]} for batch in batches)
    assert sorted(i for b in batches for i in b) == list(range(1, 46))


def test_a_dispatch_whose_partner_is_not_known_still_goes():
    assert tasks.batches([7, 3], {}) == [[3, 7]]
