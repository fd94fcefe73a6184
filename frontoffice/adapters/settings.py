"""Adapter settings: each adapter declares its fields; `validate` turns raw values (a form's
strings, or settings stored earlier) into typed values, or raises SettingsInvalid with one
message per field.

Kinds: str, url, int, float, bool, choice, email, path, mapping. A `mapping` is a dict of
str to str, given as a dict, a JSON object, or lines of ``name=value`` (or ``name: value``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from frontoffice.adapters.errors import SettingsInvalid

REDACTED = "********"
KINDS = ("str", "url", "int", "float", "bool", "choice", "email", "path", "mapping")
_TRUE = {"true", "1", "yes", "on", "y"}
_FALSE = {"false", "0", "no", "off", "n", ""}


@dataclass(frozen=True)
class SettingField:
    """One setting of an adapter, enough to build an admin form and to check a value."""

    name: str
    label: str
    kind: str = "str"
    required: bool = False
    secret: bool = False
    default: Any = None
    help: str = ""
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown setting kind {self.kind!r}")
        if self.kind == "choice" and not self.choices:
            raise ValueError("a choice setting needs choices")


class Settings(dict):
    """Validated settings: a plain dict whose repr and str never show secret values."""

    def __init__(self, values: Mapping[str, Any], secret_names: frozenset[str] = frozenset()):
        super().__init__(values)
        self.secret_names = frozenset(secret_names)

    def redacted(self) -> dict[str, Any]:
        return {
            k: (REDACTED if k in self.secret_names and v not in (None, "", {}) else v)
            for k, v in self.items()
        }

    def __repr__(self) -> str:
        return f"Settings({self.redacted()!r})"

    __str__ = __repr__

    def __reduce__(self):
        return (Settings, (dict(self), self.secret_names))


def _lower_first(label: str) -> str:
    return label[:1].lower() + label[1:] if label[1:2].islower() or len(label) == 1 else label


def _coerce(f: SettingField, value: Any) -> Any:
    """The typed value, or raise ValueError with a message for a person."""
    label = f.label
    if f.kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(f"{label} must be yes or no")
    if f.kind in ("int", "float"):
        if isinstance(value, bool):
            raise ValueError(f"{label} must be a number")
        try:
            number: float = int(str(value).strip()) if f.kind == "int" else float(value)
        except (TypeError, ValueError):
            kind = "a whole number" if f.kind == "int" else "a number"
            raise ValueError(f"{label} must be {kind}") from None
        if not math.isfinite(number):
            raise ValueError(f"{label} must be a number")
        low, high = f.minimum, f.maximum
        if (low is not None and number < low) or (high is not None and number > high):
            if low is not None and high is not None:
                raise ValueError(f"{label} must be between {low:g} and {high:g}")
            if low is not None:
                raise ValueError(f"{label} must be {low:g} or more")
            raise ValueError(f"{label} must be {high:g} or less")
        return number
    if f.kind == "mapping":
        return _mapping(label, value)
    if not isinstance(value, str):
        raise ValueError(f"{label} must be text")
    text = value if f.secret else value.strip()
    if f.kind == "choice":
        if text not in f.choices:
            raise ValueError(f"{label} must be one of: {', '.join(f.choices)}")
    elif f.kind == "url":
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{label} must be a full web address starting with https://")
        if parts.username or parts.password:
            raise ValueError(f"{label} must not contain a username or password")
    elif f.kind == "email":
        try:
            validate_email(text, check_deliverability=False)
        except EmailNotValidError:
            raise ValueError(f"{label} must be an email address, like name@example.org") from None
    elif f.kind == "path" and not text.startswith("/"):
        raise ValueError(f"{label} must be a full path, starting with /")
    if any(ch in text for ch in "\r\n\0") and f.kind != "str":
        raise ValueError(f"{label} must be on one line")
    return text


def _mapping(label: str, value: Any) -> dict[str, str]:
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            try:
                value = json.loads(text)
            except ValueError:
                raise ValueError(f"{label} must be lines of name=value") from None
        else:
            pairs = {}
            for line in filter(None, (ln.strip() for ln in text.splitlines())):
                cut = min((i for i in (line.find("="), line.find(":")) if i > 0), default=-1)
                if cut < 0:
                    raise ValueError(f"{label} must be lines of name=value")
                pairs[line[:cut].strip()] = line[cut + 1 :].strip()
            value = pairs
    if not isinstance(value, Mapping):
        raise ValueError(f"{label} must be lines of name=value")
    result = {}
    for key, item in value.items():
        if not isinstance(key, str) or not key.strip() or not isinstance(item, str | int | float):
            raise ValueError(f"{label} must be lines of name=value")
        if any(ch in f"{key}{item}" for ch in "\r\n\0"):
            raise ValueError(f"{label} must be lines of name=value")
        result[key.strip()] = str(item).strip()
    return result


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == {}


def validate(
    fields: tuple[SettingField, ...],
    raw: Mapping[str, Any],
    check: Callable[[dict[str, Any], dict[str, str]], None] | None = None,
) -> Settings:
    """Typed settings for `fields` from `raw` (unknown keys are dropped), or SettingsInvalid."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for f in fields:
        value = raw.get(f.name)
        if _is_blank(value) and f.kind != "bool":
            if f.required:
                errors[f.name] = f"Enter the {_lower_first(f.label)}"
            values[f.name] = f.default
            continue
        if value is None:
            values[f.name] = f.default
            continue
        try:
            values[f.name] = _coerce(f, value)
        except ValueError as error:
            errors[f.name] = str(error)
    if check is not None and not errors:
        check(values, errors)
    if errors:
        raise SettingsInvalid(errors)
    return Settings(values, frozenset(f.name for f in fields if f.secret))
