"""Which value survives a merge, field by field, and the defaults a supervisor starts from.

Defaults: a value beats an empty one (most complete); where both records have a value and
they differ, the value of the record changed most recently wins (most recent), and on a tie
the survivor's. The current address: where both records have one and they differ, the one
moved into most recently, then the more recently changed record's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from frontoffice.customers.models import Customer, CustomerAddress

SURVIVOR = "survivor"
MERGED = "merged"
SIDES = (SURVIVOR, MERGED)

FIELDS: dict[str, str] = {
    "title": "Title",
    "given_name": "First name",
    "family_name": "Last name",
    "preferred_name": "Preferred name",
    "date_of_birth": "Date of birth",
    "date_of_death": "Date of death",
    "preferred_language": "Language",
    "preferred_channel": "Preferred way to contact",
    "accessibility_needs": "Accessibility needs",
}
ADDRESS = "current_address"


class ChoiceError(ValueError):
    pass


@dataclass(frozen=True)
class FieldChoice:
    name: str
    label: str
    survivor: str  # as shown
    merged: str
    default: str  # SURVIVOR or MERGED

    @property
    def differs(self) -> bool:
        return self.survivor != self.merged


def shown(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return f"{value.day} {value:%B %Y}"
    return str(getattr(value, "value", value))


def same_address(a: CustomerAddress, b: CustomerAddress) -> bool:
    if a.uprn and b.uprn:
        return a.uprn == b.uprn
    return a.postcode_key == b.postcode_key and _words(a.line_1) == _words(b.line_1)


def _words(text: str) -> str:
    return " ".join(text.lower().replace(",", " ").split())


def _newer(survivor: Customer, merged: Customer) -> str:
    return MERGED if merged.updated_at > survivor.updated_at else SURVIVOR


def options(survivor: Customer, merged: Customer) -> list[FieldChoice]:
    newer = _newer(survivor, merged)
    found = []
    for name, label in FIELDS.items():
        ours, theirs = getattr(survivor, name), getattr(merged, name)
        if shown(ours) == shown(theirs) or shown(theirs) == "":
            default = SURVIVOR
        elif shown(ours) == "":
            default = MERGED
        else:
            default = newer
        found.append(FieldChoice(name, label, shown(ours), shown(theirs), default))
    ours_home, theirs_home = survivor.current_address, merged.current_address
    if ours_home and theirs_home and not same_address(ours_home, theirs_home):
        ours_from, theirs_from = ours_home.valid_from, theirs_home.valid_from
        if ours_from and theirs_from and ours_from != theirs_from:
            default = MERGED if theirs_from > ours_from else SURVIVOR
        else:
            default = newer
        found.append(
            FieldChoice(
                ADDRESS, "Current address", ours_home.one_line, theirs_home.one_line, default
            )
        )
    return found


def resolve(survivor: Customer, merged: Customer, chosen: dict[str, str] | None) -> dict[str, str]:
    """The defaults, overridden by what the supervisor chose; nonsense is refused."""
    available = options(survivor, merged)
    names = {o.name for o in available}
    chosen = dict(chosen or {})
    unknown = set(chosen) - names
    if unknown:
        raise ChoiceError(f"Not a field that can be chosen: {', '.join(sorted(unknown))}")
    for name, side in chosen.items():
        if side not in SIDES:
            raise ChoiceError(f"Choose which record's {name.replace('_', ' ')} to keep")
    return {o.name: chosen.get(o.name, o.default) for o in available}
