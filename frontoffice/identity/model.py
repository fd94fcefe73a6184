"""The Fellegi–Sunter model: m and u probabilities per comparison level, the prior, term
frequencies, and the scoring of one pair with its explanation.

A pair's match weight is log2 of the prior odds plus, for each field, log2(m/u) of the level
the pair reached; a field missing on either side adds nothing. Where the agreed value is
itself rare (a rare surname), the weight grows by log2(u / frequency of that value), and it
shrinks for a common one. The probability is 2^w / (1 + 2^w).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from frontoffice.identity.comparisons import COMPARISONS, NULL, Comparison
from frontoffice.identity.records import Prepared

# A pair whose given names disagree outright (not a nickname, spelling or sound-alike) is at
# most this weight, whatever else agrees: twins share a surname, a date of birth and a home.
VETO_WEIGHT = -1.0
# The key, in a field's table of value frequencies, of the frequency of a value never seen.
UNSEEN = ""


@dataclass(frozen=True)
class Evidence:
    """How one field counted for one pair."""

    field: str
    level: str  # the level's label, or "missing"
    weight: float  # bits: log2(m/u) plus any term-frequency adjustment
    frequency_adjustment: float = 0.0
    left: str = ""
    right: str = ""


@dataclass(frozen=True)
class Score:
    probability: float
    weight: float
    prior_weight: float
    evidence: tuple[Evidence, ...]
    vetoed: str = ""  # why the weight was capped, when it was

    def explain(self) -> str:
        lines = [f"Probability {self.probability:.3f} (match weight {self.weight:+.1f})"]
        lines.append(f"  {'prior':<15} {self.prior_weight:+6.1f}  two records chosen at random")
        for item in self.evidence:
            tf = (
                f" (of which {item.frequency_adjustment:+.1f} for how common the value is)"
                if item.frequency_adjustment
                else ""
            )
            values = f": {item.left!r} / {item.right!r}" if item.level != "missing" else ""
            lines.append(f"  {item.field:<15} {item.weight:+6.1f}  {item.level}{tf}{values}")
        if self.vetoed:
            lines.append(f"  capped at {VETO_WEIGHT:+.1f}: {self.vetoed}")
        return "\n".join(lines)


@dataclass
class Model:
    m: list[list[float]]
    u: list[list[float]]
    prior: float  # the probability that two records chosen at random are one person
    frequencies: list[dict[str, float]] = field(default_factory=list)  # per comparison
    comparisons: tuple[Comparison, ...] = COMPARISONS
    iterations: int = 0

    def __post_init__(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Recompute the weight table after m, u or the prior changed."""
        self.bits = [
            [math.log2(m / u) for m, u in zip(ms, us, strict=True)]
            for ms, us in zip(self.m, self.u, strict=True)
        ]
        self.prior_weight = math.log2(self.prior / (1 - self.prior))
        if not self.frequencies:
            self.frequencies = [{} for _ in self.comparisons]

    def frequency_adjustment(self, index: int, a: Prepared) -> float:
        comparison = self.comparisons[index]
        if comparison.tf_value is None or comparison.tf_level is None:
            return 0.0
        table = self.frequencies[index]
        frequency = table.get(comparison.tf_value(a)) or table.get(UNSEEN)
        if not frequency:
            return 0.0
        return math.log2(self.u[index][comparison.tf_level] / frequency)

    def weight(self, a: Prepared, b: Prepared, levels: tuple[int, ...]) -> float:
        """The match weight alone: the fast path the batch linker uses."""
        total = self.prior_weight
        vetoed = False
        for index, level in enumerate(levels):
            if level == NULL:
                continue
            total += self.bits[index][level]
            comparison = self.comparisons[index]
            if level == comparison.tf_level:
                total += self.frequency_adjustment(index, a)
            if level == comparison.veto_level:
                vetoed = True
        return min(total, VETO_WEIGHT) if vetoed else total

    def score(self, a: Prepared, b: Prepared) -> Score:
        evidence = []
        total = self.prior_weight
        vetoed = ""
        for index, comparison in enumerate(self.comparisons):
            level = comparison.level_of(a, b)
            if level == NULL:
                evidence.append(Evidence(comparison.field, "missing", 0.0))
                continue
            adjustment = (
                self.frequency_adjustment(index, a) if level == comparison.tf_level else 0.0
            )
            bits = self.bits[index][level] + adjustment
            total += bits
            if level == comparison.veto_level:
                vetoed = f"the {comparison.field.replace('_', ' ')}s differ"
            evidence.append(
                Evidence(
                    comparison.field,
                    comparison.levels[level],
                    round(bits, 3),
                    round(adjustment, 3),
                    _shown(a, comparison.field),
                    _shown(b, comparison.field),
                )
            )
        if vetoed:
            total = min(total, VETO_WEIGHT)
        return Score(probability(total), total, self.prior_weight, tuple(evidence), vetoed)

    def parameters(self) -> dict[str, object]:
        """m, u and the prior, to keep as JSON (term frequencies belong to one data set)."""
        return {"m": self.m, "u": self.u, "prior": self.prior, "iterations": self.iterations}

    @classmethod
    def from_parameters(cls, values: dict) -> Model:
        return cls(
            m=values["m"], u=values["u"], prior=values["prior"], iterations=values["iterations"]
        )

    def describe(self) -> dict[str, object]:
        """The learnt parameters, for a report or a test."""
        return {
            "prior": self.prior,
            "iterations": self.iterations,
            "fields": {
                c.field: {
                    label: {"m": round(m, 5), "u": round(u, 6), "weight": round(bits, 2)}
                    for label, m, u, bits in zip(
                        c.levels, self.m[i], self.u[i], self.bits[i], strict=True
                    )
                }
                for i, c in enumerate(self.comparisons)
            },
        }


def probability(weight: float) -> float:
    if weight > 60:
        return 1.0
    if weight < -60:
        return 0.0
    odds = 2.0**weight
    return odds / (1 + odds)


def _shown(record: Prepared, name: str) -> str:
    person = record.person
    if name == "address":
        lines = (person.address_line_1, person.address_line_2, person.postcode)
        return ", ".join(v for v in lines if v)
    if name == "date_of_birth":
        return person.date_of_birth.isoformat() if person.date_of_birth else ""
    return str(getattr(person, name))
