"""What every outbound adapter shares: the payload, the result, the errors, the settings schema
and the registry.

An adapter speaks one partner protocol. It never touches the database or the Flask request:
it takes a `DeliveryPayload` and its validated settings and returns a `DeliveryResult`, or
raises `RetryableError` (try again later, with the same idempotency key) or `PermanentError`
(a person must look: bad settings, a refusal, an answer that breaks the protocol).
"""

from __future__ import annotations

import enum
import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, TypeVar

from frontoffice.adapters.errors import (
    AdapterError,
    PermanentError,
    RetryableError,
    SettingsInvalid,
)
from frontoffice.adapters.settings import REDACTED, SettingField, Settings, validate

__all__ = [
    "KINDS",
    "REDACTED",
    "Adapter",
    "AdapterError",
    "DeliveryPayload",
    "DeliveryResult",
    "PermanentError",
    "RetryableError",
    "SettingField",
    "Settings",
    "SettingsInvalid",
    "StatusUpdate",
    "all_types",
    "get",
    "jsonable",
    "keep_secrets",
    "redact",
    "register",
    "secret_fields",
    "split_secrets",
]

KINDS = ("case", "notification", "case_update")


# --- payload and results -----------------------------------------------------------------


def jsonable(value: Any) -> Any:
    # The common cases first, by exact type: a payload is mostly strings read back from JSON,
    # and isinstance against Mapping (an ABC) costs more than building the copy.
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    if kind is dict:
        return {str(k): jsonable(v) for k, v in value.items()}
    if kind is list:
        return [jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


@dataclass(frozen=True)
class DeliveryPayload:
    """Everything one delivery sends, built by the dispatch code from the outbox row.

    `idempotency_key` is the dispatch row id (``"dsp-42"``): every retry sends the same one.
    `customer` holds only what the partner needs: name, address, phone, email, uprn, postcode
    (and optionally first_name / last_name). `answers` maps question codes to values (str,
    number, bool, date or a list of those).
    """

    idempotency_key: str
    case_reference: str
    service_code: str
    service_name: str
    partner_code: str
    status: str
    summary: str
    created_at: datetime
    answers: dict[str, Any] = field(default_factory=dict)
    customer: dict[str, Any] = field(default_factory=dict)
    address: str | None = None
    lat: float | None = None
    long: float | None = None
    kind: str = "case"
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.idempotency_key or not re.fullmatch(
            r"[A-Za-z0-9._:-]{1,100}", self.idempotency_key
        ):
            raise ValueError("idempotency_key must be 1-100 of A-Z a-z 0-9 . _ : -")
        if self.created_at.tzinfo is None or self.created_at.utcoffset() is None:
            raise ValueError("created_at must be timezone-aware")
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        for name in ("answers", "customer", "extra"):
            object.__setattr__(self, name, dict(getattr(self, name) or {}))

    @property
    def has_location(self) -> bool:
        return self.lat is not None and self.long is not None

    @property
    def address_text(self) -> str | None:
        """The case's location address, else the customer's address."""
        return self.address or self.customer.get("address") or None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (datetimes as ISO 8601), e.g. to store in the outbox row."""
        return {
            "idempotency_key": self.idempotency_key,
            "case_reference": self.case_reference,
            "service_code": self.service_code,
            "service_name": self.service_name,
            "partner_code": self.partner_code,
            "status": self.status,
            "summary": self.summary,
            "created_at": self.created_at.isoformat(),
            "answers": jsonable(self.answers),
            "customer": jsonable(self.customer),
            "address": self.address,
            "lat": self.lat,
            "long": self.long,
            "kind": self.kind,
            "extra": jsonable(self.extra),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DeliveryPayload:
        values = dict(data)
        created = values.get("created_at")
        if isinstance(created, str):
            values["created_at"] = datetime.fromisoformat(created)
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in values.items() if k in names})


@dataclass(frozen=True)
class StatusUpdate:
    """One status change reported by a partner (Open311 servicerequestupdates)."""

    update_id: str
    service_request_id: str
    status: str
    updated_datetime: datetime
    description: str = ""


@dataclass(frozen=True)
class DeliveryResult:
    """The partner took the payload. `partner_reference` is its id for the case, if it said."""

    delivered: bool
    partner_reference: str | None = None
    detail: str = ""
    status_updates: tuple[StatusUpdate, ...] = ()


# --- the adapter -------------------------------------------------------------------------


class Adapter(ABC):
    """One partner protocol. Subclasses set `type_name`, `label`, `settings` and `deliver`.

    Instances are stateless and shared: every call takes its settings. `deliver` and
    `test_connection` accept raw or validated settings (they validate again, which is cheap
    and idempotent), so bad stored settings surface as `SettingsInvalid` (a PermanentError).
    """

    type_name: ClassVar[str]
    label: ClassVar[str]
    description: ClassVar[str] = ""
    settings: ClassVar[tuple[SettingField, ...]] = ()
    supports_updates: ClassVar[bool] = False

    def validate_settings(self, raw: Mapping[str, Any]) -> Settings:
        """Coerce and check raw settings (e.g. a form's strings); raise SettingsInvalid."""
        return validate(self.settings, raw, self.check_settings)

    def check_settings(self, values: dict[str, Any], errors: dict[str, str]) -> None:
        """Hook for checks across fields: add messages to `errors` by field name."""
        return None

    @abstractmethod
    def deliver(self, payload: DeliveryPayload, settings: Mapping[str, Any]) -> DeliveryResult:
        """Send the payload. Return a result or raise RetryableError / PermanentError."""

    def test_connection(self, settings: Mapping[str, Any]) -> str:
        """Reach the partner without delivering anything; return a message for a person."""
        self.validate_settings(settings)
        return "Nothing to connect to: the settings are valid."

    def fetch_updates(self, settings: Mapping[str, Any], since: datetime) -> list[StatusUpdate]:
        """Status updates the partner reported since `since`, oldest first."""
        raise NotImplementedError(f"the {self.type_name} adapter does not read status updates")


# --- registry ----------------------------------------------------------------------------

_REGISTRY: dict[str, Adapter] = {}


_A = TypeVar("_A", bound=type[Adapter])


def register(adapter_cls: _A) -> _A:
    """Class decorator: make an adapter available by its `type_name`."""
    name = adapter_cls.type_name
    existing = _REGISTRY.get(name)
    if existing is not None and type(existing) is not adapter_cls:
        raise ValueError(f"adapter type {name!r} is already registered")
    _REGISTRY[name] = adapter_cls()
    return adapter_cls


def get(type_name: str) -> Adapter:
    """The adapter for a type name; PermanentError when there is none."""
    try:
        return _REGISTRY[type_name]
    except KeyError:
        raise PermanentError(f"There is no adapter of type {type_name!r}") from None


def all_types() -> list[str]:
    return sorted(_REGISTRY)


def secret_fields(type_name: str) -> frozenset[str]:
    return frozenset(f.name for f in get(type_name).settings if f.secret)


def redact(type_name: str, settings: Mapping[str, Any]) -> dict[str, Any]:
    """A copy for display and logs: every non-empty secret value becomes '********'."""
    secrets = secret_fields(type_name)
    return {
        k: (REDACTED if k in secrets and v not in (None, "") else v) for k, v in settings.items()
    }


def split_secrets(type_name: str, settings: Mapping[str, Any]) -> tuple[dict, dict]:
    """(plain, secret): to store the secret part encrypted, apart from the rest."""
    secrets = secret_fields(type_name)
    plain = {k: v for k, v in settings.items() if k not in secrets}
    secret = {k: v for k, v in settings.items() if k in secrets}
    return plain, secret


def keep_secrets(
    type_name: str, raw: Mapping[str, Any], previous: Mapping[str, Any]
) -> dict[str, Any]:
    """For an edit form that never shows secrets again: a secret left blank (or sent back as
    '********') keeps its previous value."""
    merged = dict(raw)
    for name in secret_fields(type_name):
        if merged.get(name) in (None, "", REDACTED) and previous.get(name):
            merged[name] = previous[name]
    return merged
