"""Blocking: only pairs that share at least one key are ever compared, so linking scales.

Each rule turns a record into a key (or None when the record lacks what the rule needs). A
pair is a candidate when any rule gives both records the same key; it is produced once, by
the first rule that finds it. A key shared by more than `max_block` records (a placeholder
date of birth, a council's own switchboard number) is skipped and reported, since comparing
every pair in it would cost more than it could find.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from frontoffice.identity.records import Prepared

Key = tuple[object, ...] | None


def _dob(p: Prepared) -> Key:
    # Day and month sorted, so a record with them swapped lands in the same block.
    if p.dob is None:
        return None
    return (p.dob.year, *sorted((p.dob.day, p.dob.month)))


def _family_given(p: Prepared) -> Key:
    if not p.family.metaphone or not p.given.key:
        return None
    return (p.family.metaphone, p.given.key[0])


def _family_sector(p: Prepared) -> Key:
    return (p.family.soundex, p.postcode_sector) if p.family.soundex and p.postcode else None


def _given_birth_month(p: Prepared) -> Key:
    if not p.given.metaphone or p.dob is None:
        return None
    return (p.given.metaphone, p.dob.year, p.dob.month)


def _home(p: Prepared) -> Key:
    return (p.postcode, p.address_number) if p.postcode and p.address_number else None


def _phone(p: Prepared) -> Key:
    return (p.phone,) if p.phone else None


def _email(p: Prepared) -> Key:
    return (p.email,) if p.email else None


@dataclass(frozen=True)
class Rule:
    name: str
    key: Callable[[Prepared], Key]


PREDICTION_RULES: tuple[Rule, ...] = (
    Rule("date of birth (day and month either way round)", _dob),
    Rule("family name sound and given name initial", _family_given),
    Rule("family name sound and postcode sector", _family_sector),
    Rule("given name sound and month of birth", _given_birth_month),
    Rule("postcode and house number", _home),
    Rule("phone", _phone),
    Rule("email", _email),
)


def _exact_dob(p: Prepared) -> Key:
    return (p.dob,) if p.dob else None


def _names(p: Prepared) -> Key:
    return (p.family.key, p.given.key[0]) if p.family.key and p.given.key else None


def _dob_given(p: Prepared) -> Key:
    return (p.dob, p.given.key) if p.dob and p.given.key else None


# EM learns the m probabilities of the fields a training rule leaves free. A rule also holds
# fixed the fields that agree for whole households, which the rule would otherwise gather:
# within one surname, a parent and child share a home, and EM would take them for one person
# and learn that a person's date of birth often differs.
HOME = frozenset({"address", "phone"})
TRAINING_RULES: tuple[tuple[Rule, frozenset[str]], ...] = (
    (Rule("exact date of birth", _exact_dob), frozenset({"date_of_birth"}) | HOME),
    (
        Rule("family name and given name initial", _names),
        frozenset({"given_name", "family_name"}) | HOME,
    ),
    (
        Rule("exact date of birth and given name", _dob_given),
        frozenset({"date_of_birth", "given_name"}),
    ),
)


@dataclass
class BlockReport:
    skipped: list[tuple[str, object, int]] = field(default_factory=list)  # rule, key, size


def index(records: Sequence[Prepared], rule: Rule) -> dict[object, list[int]]:
    found: dict[object, list[int]] = defaultdict(list)
    for position, record in enumerate(records):
        key = rule.key(record)
        if key is not None:
            found[key].append(position)
    return found


def candidate_pairs(
    left: Sequence[Prepared],
    right: Sequence[Prepared] | None = None,
    rules: Sequence[Rule] = PREDICTION_RULES,
    max_block: int = 2000,
    report: BlockReport | None = None,
) -> Iterator[tuple[int, int]]:
    """(i, j) positions: i < j in `left` when `right` is None, else left[i] with right[j]."""
    seen: set[tuple[int, int]] = set()
    for rule in rules:
        left_blocks = index(left, rule)
        right_blocks = left_blocks if right is None else index(right, rule)
        for key, lefts in left_blocks.items():
            rights = right_blocks.get(key)
            if not rights:
                continue
            if len(lefts) > max_block or len(rights) > max_block:
                if report is not None:
                    report.skipped.append((rule.name, key, max(len(lefts), len(rights))))
                continue
            for a_pos, i in enumerate(lefts):
                others = lefts[a_pos + 1 :] if right is None else rights
                for j in others:
                    pair = (i, j)
                    if pair not in seen:
                        seen.add(pair)
                        yield pair
