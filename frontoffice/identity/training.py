"""Learning the model from unlabelled records (no known matches needed).

1. u (how often two different people agree by chance) from random pairs, nearly all of
   which are different people.
2. m (how often one person agrees with themselves) by expectation-maximisation over the
   pairs of each training block, leaving out the fields that block was built on (within a
   date-of-birth block every pair agrees on the date, so it says nothing about that field's
   m). Each field's m is the mean over the blocks that could learn it.
3. The prior from the first block: the share of matches EM found in it, scaled up by how
   often a match lands in that block at all (its field's learnt m for exact agreement).
4. Term frequencies: the share of records holding each value of the fields that use them.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from frontoffice.identity import blocking
from frontoffice.identity.comparisons import COMPARISONS, NULL, levels
from frontoffice.identity.model import UNSEEN, Model
from frontoffice.identity.records import Prepared

Pattern = tuple[int, ...]
Compared = tuple[int, int, Pattern]  # left position, right position, levels
FLOOR = 1e-6
# The m probabilities start from, and are pulled towards, their starting shape (mostly exact
# agreement, a little of each lesser level) as if this many matches had been seen: with a few
# hundred records EM sees too few matches to say that a nickname can happen at all.
PSEUDO_MATCHES = 10.0


@dataclass(frozen=True)
class EmResult:
    m: list[list[float]]
    share: float  # the share of the block's pairs that are matches
    iterations: int
    converged: bool


def initial_m() -> list[list[float]]:
    m = []
    for comparison in COMPARISONS:
        count = len(comparison.levels)
        raw = [0.8] + [0.15 / (count - 2)] * (count - 2) + [0.05]
        m.append(raw)
    return m


def expectation_maximisation(
    patterns: Counter[Pattern],
    u: Sequence[Sequence[float]],
    m: Sequence[Sequence[float]] | None = None,
    share: float = 0.3,
    fixed: frozenset[int] = frozenset(),
    max_iterations: int = 100,
    tolerance: float = 1e-5,
) -> EmResult:
    """EM over pattern counts with u held fixed; comparisons in `fixed` keep their m and
    take no part (their agreement is what the block was built on)."""
    m = [list(levels_m) for levels_m in (m or initial_m())]
    shape = [list(row) for row in m]  # what PSEUDO_MATCHES pull towards
    active = [i for i in range(len(m)) if i not in fixed]
    iterations = 0
    converged = False
    for iterations in range(1, max_iterations + 1):  # noqa: B007
        sums = [[0.0] * len(m[i]) for i in range(len(m))]
        matched = 0.0
        total = 0.0
        for pattern, count in patterns.items():
            p_match = share
            p_non = 1.0 - share
            for i in active:
                level = pattern[i]
                if level != NULL:
                    p_match *= m[i][level]
                    p_non *= u[i][level]
            posterior = p_match / (p_match + p_non) if p_match + p_non > 0 else 0.0
            weighted = posterior * count
            matched += weighted
            total += count
            for i in active:
                if pattern[i] != NULL:
                    sums[i][pattern[i]] += weighted
        change = 0.0
        for i in active:
            level_total = sum(sums[i]) + PSEUDO_MATCHES
            new = [
                max((value + PSEUDO_MATCHES * prior) / level_total, FLOOR)
                for value, prior in zip(sums[i], shape[i], strict=True)
            ]
            change = max(change, *(abs(a - b) for a, b in zip(new, m[i], strict=True)))
            m[i] = new
        new_share = min(max(matched / total, FLOOR), 1 - FLOOR) if total else share
        change = max(change, abs(new_share - share))
        share = new_share
        if change < tolerance:
            converged = True
            break
    return EmResult(m, share, iterations, converged)


def estimate_u(
    left: Sequence[Prepared],
    right: Sequence[Prepared] | None,
    samples: int,
    rng: random.Random,
) -> list[list[float]]:
    counts = [[0.5] * len(c.levels) for c in COMPARISONS]  # half a count: no level is impossible
    other = right if right is not None else left
    if len(left) < 1 or len(other) < 2:
        return [[1.0 / len(row)] * len(row) for row in counts]
    for _ in range(samples):
        i = rng.randrange(len(left))
        j = rng.randrange(len(other))
        if right is None and i == j:
            continue
        for index, level in enumerate(levels(left[i], other[j])):
            if level != NULL:
                counts[index][level] += 1
    return [[count / sum(row) for count in row] for row in counts]


def term_frequencies(records: Sequence[Prepared]) -> list[dict[str, float]]:
    tables: list[dict[str, float]] = []
    for comparison in COMPARISONS:
        if comparison.tf_value is None:
            tables.append({})
            continue
        counts = Counter(v for r in records if (v := comparison.tf_value(r)))
        total = sum(counts.values()) or 1
        table = {value: count / total for value, count in counts.items()}
        table[UNSEEN] = 1 / total  # a value the data never held is as rare as can be
        tables.append(table)
    return tables


def block_patterns(
    left: Sequence[Prepared], right: Sequence[Prepared] | None, rule: blocking.Rule
) -> Counter[Pattern]:
    other = right if right is not None else left
    patterns: Counter[Pattern] = Counter()
    for i, j in blocking.candidate_pairs(left, right, (rule,), max_block=500):
        patterns[levels(left[i], other[j])] += 1
    return patterns


def train(
    left: Sequence[Prepared],
    right: Sequence[Prepared] | None = None,
    *,
    u_samples: int = 20_000,
    max_records: int = 100_000,
    seed: int = 1,
    compared: Sequence[Compared] | None = None,
) -> Model:
    """`compared`: the levels of pairs already compared (positions in left and right), which
    the training blocks reuse instead of comparing again; every training block's pairs are
    among the prediction blocks' pairs."""
    rng = random.Random(seed)
    if len(left) > max_records or (right is not None and len(right) > max_records):
        compared = None  # positions would not survive the sampling
    left = _sample(left, max_records, rng)
    right = _sample(right, max_records, rng) if right is not None else None
    u = estimate_u(left, right, u_samples, rng)
    fields = [c.field for c in COMPARISONS]
    learnt: list[list[list[float]]] = [[] for _ in COMPARISONS]
    sessions = []
    iterations = 0
    for rule, blocked_on in blocking.TRAINING_RULES:
        fixed = frozenset(fields.index(name) for name in blocked_on)
        patterns = (
            block_patterns(left, right, rule)
            if compared is None
            else _reused_patterns(compared, left, right, rule)
        )
        if not patterns:
            continue
        result = expectation_maximisation(patterns, u, fixed=fixed)
        iterations = max(iterations, result.iterations)
        sessions.append((fixed, result, sum(patterns.values())))
        for index in range(len(COMPARISONS)):
            if index not in fixed:
                learnt[index].append(result.m[index])
    m = [
        [sum(values) / len(runs) for values in zip(*runs, strict=True)] if runs else initial
        for runs, initial in zip(learnt, initial_m(), strict=True)
    ]
    model = Model(m=m, u=u, prior=_prior(sessions, m, left, right), iterations=iterations)
    model.frequencies = term_frequencies([*left, *(right or ())])
    model.refresh()
    return model


def _reused_patterns(
    compared: Sequence[Compared],
    left: Sequence[Prepared],
    right: Sequence[Prepared] | None,
    rule: blocking.Rule,
) -> Counter[Pattern]:
    left_keys = [rule.key(record) for record in left]
    right_keys = left_keys if right is None else [rule.key(record) for record in right]
    patterns: Counter[Pattern] = Counter()
    for i, j, pattern in compared:
        key = left_keys[i]
        if key is not None and key == right_keys[j]:
            patterns[pattern] += 1
    return patterns


def _prior(sessions, m: list[list[float]], left, right) -> float:
    total_pairs = len(left) * len(right) if right is not None else len(left) * (len(left) - 1) / 2
    if not sessions or total_pairs <= 0:
        return 1e-4
    fixed, result, pair_count = sessions[0]
    recall = 1.0
    for index in fixed:
        recall *= m[index][0]
    prior = result.share * pair_count / max(recall, 0.05) / total_pairs
    return min(max(prior, 1e-9), 0.5)


def _sample(records, limit: int, rng: random.Random):
    if records is None or len(records) <= limit:
        return records
    return rng.sample(list(records), limit)
