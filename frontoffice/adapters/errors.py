"""The errors an adapter raises. The dispatch code needs only the two kinds: retry or give up."""

from __future__ import annotations


class AdapterError(Exception):
    """A delivery (or a connection test) failed. `str(error)` is a message for a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RetryableError(AdapterError):
    """Worth trying again later, with the same idempotency key: network error, timeout, 5xx,
    429, a 4xx SMTP answer. `retry_after` is the wait in seconds the partner asked for."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(AdapterError):
    """Retrying will not help: a 4xx refusal, bad settings, an answer that breaks the protocol."""


class SettingsInvalid(PermanentError):
    """Settings that fail their schema. `errors` maps each field name to a message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        summary = "; ".join(f"{name}: {message}" for name, message in self.errors.items())
        super().__init__(f"The adapter settings are not valid: {summary}")
