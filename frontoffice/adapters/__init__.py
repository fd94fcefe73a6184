"""Outbound adapters: one module per partner protocol, registered by type name.

    from frontoffice import adapters
    adapter = adapters.get("open311")
    result = adapter.deliver(payload, settings)   # or RetryableError / PermanentError

Adapters never touch the database or the Flask request (see base.py).
"""

from frontoffice.adapters import csv_batch, email, open311, portal, webhook  # noqa: F401
from frontoffice.adapters.base import (
    KINDS,
    REDACTED,
    Adapter,
    AdapterError,
    DeliveryPayload,
    DeliveryResult,
    PermanentError,
    RetryableError,
    SettingField,
    Settings,
    SettingsInvalid,
    StatusUpdate,
    all_types,
    get,
    keep_secrets,
    redact,
    register,
    secret_fields,
    split_secrets,
)

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
    "keep_secrets",
    "redact",
    "register",
    "secret_fields",
    "split_secrets",
]
