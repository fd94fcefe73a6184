"""Learning m, u and the prior without labels: EM recovers what generated the data."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from frontoffice.identity.comparisons import COMPARISONS, NULL
from frontoffice.identity.training import expectation_maximisation

from .conftest import prepared_rows

pytestmark = pytest.mark.no_db


def test_em_recovers_the_parameters_that_generated_the_pairs():
    rng = random.Random(5)
    true_m = [[0.85, 0.1, 0.05], [0.7, 0.3], [0.9, 0.1]]
    u = [[0.01, 0.09, 0.9], [0.05, 0.95], [0.02, 0.98]]
    share = 0.2
    patterns: Counter[tuple[int, ...]] = Counter()
    for _ in range(200_000):
        probs = true_m if rng.random() < share else u
        patterns[tuple(rng.choices(range(len(p)), p)[0] for p in probs)] += 1
    start = [[0.5, 0.3, 0.2], [0.5, 0.5], [0.5, 0.5]]
    result = expectation_maximisation(patterns, u, m=start, share=0.5)
    assert result.converged
    assert result.share == pytest.approx(share, abs=0.01)
    for learnt, truth in zip(result.m, true_m, strict=True):
        assert learnt == pytest.approx(truth, abs=0.02)


def test_a_fixed_comparison_keeps_its_m_and_is_ignored():
    u = [[0.1, 0.9], [0.1, 0.9], [0.2, 0.8]]
    patterns = Counter({(0, 0, 0): 300, (1, 1, 1): 700, (0, 1, 0): 40, (1, 0, 1): 60})
    start = [[0.3, 0.7], [0.8, 0.2], [0.7, 0.3]]
    fixed = expectation_maximisation(patterns, u, m=start, fixed=frozenset({0}))
    without = Counter()
    for pattern, count in patterns.items():
        without[(NULL, *pattern[1:])] += count
    blind = expectation_maximisation(without, u, m=start)
    assert fixed.m[0] == [0.3, 0.7]
    for learnt, alone in zip(fixed.m[1:], blind.m[1:], strict=True):
        assert learnt == pytest.approx(alone)
    assert fixed.share == pytest.approx(blind.share)


def test_training_on_synthetic_people_learns_sensible_weights(model, synthetic):
    described = model.describe()["fields"]
    assert model.iterations < 100  # EM converged before its limit
    for comparison in COMPARISONS:
        best, worst = comparison.levels[0], comparison.levels[-1]
        assert described[comparison.field][best]["weight"] > 5, comparison.field
        assert described[comparison.field][worst]["weight"] < -2, comparison.field
    assert described["given_name"]["nickname"]["weight"] > 2
    assert described["date_of_birth"]["day and month swapped"]["weight"] > 5
    # Households share a home and a surname: EM must not take them for one person.
    assert described["date_of_birth"]["different"]["weight"] < -5
    # The learnt prior is the share of all pairs that are one person, within a factor of 2.
    n = len(synthetic.rows)
    truth = len(synthetic.pairs()) / (n * (n - 1) / 2)
    assert truth / 2 < model.prior < truth * 2


def test_training_is_deterministic_for_a_seed(synthetic):
    from frontoffice.identity.training import train

    records = prepared_rows(synthetic.rows[:1500])
    assert train(records, seed=9).m == train(records, seed=9).m
