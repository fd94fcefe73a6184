"""Making, checking and revoking partner API keys.

A key reads ``fo_<prefix>_<secret>``: the prefix finds the row, the secret (32 random bytes)
is checked against its SHA-256 in constant time. A slow password hash is not needed for a
secret that long, and would cost every API call.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from sqlalchemy import select

from frontoffice import clock
from frontoffice.access.actor import Actor
from frontoffice.audit import operations as audit
from frontoffice.extensions import db
from frontoffice.partner_api.models import ApiKey

KEY_RE = re.compile(r"^fo_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
# last_used_at is written at most this often per key, not on every call
LAST_USED_EVERY = timedelta(minutes=1)


class ApiKeyError(ValueError):
    """A request the domain refuses; the message is fit to show to an administrator."""


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create(actor: Actor, partner_id: int, name: str) -> tuple[ApiKey, str]:
    """A new key and its text, which is never stored and cannot be shown again."""
    name = " ".join((name or "").split())
    if not name:
        raise ApiKeyError("Enter a name for the key, such as the system that will use it")
    if len(name) > 100:
        raise ApiKeyError("The name must be 100 characters or fewer")
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    key = ApiKey(
        partner_id=partner_id,
        name=name,
        prefix=prefix,
        secret_hash=_hash(secret),
        created_by_id=actor.user_id,
    )
    db.session.add(key)
    db.session.flush()
    audit.record(
        actor, "create", "api_key", key.id, details={"partner_id": partner_id, "name": name}
    )
    return key, f"fo_{prefix}_{secret}"


def authenticate(text: str | None) -> ApiKey | None:
    """The active key this text is, or None. Marks when it was last used."""
    match = KEY_RE.match((text or "").strip())
    if match is None:
        return None
    prefix, secret = match.groups()
    key = db.session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if key is None or not hmac.compare_digest(key.secret_hash, _hash(secret)):
        return None
    if not key.active:
        return None
    now = clock.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_EVERY:
        key.last_used_at = now
        db.session.flush()
    return key


def revoke(actor: Actor, key: ApiKey, reason: str = "") -> None:
    if not key.active:
        raise ApiKeyError("This key was already revoked")
    key.revoked_at = clock.now()
    db.session.flush()
    audit.record(
        actor,
        "revoke",
        "api_key",
        key.id,
        reason=reason,
        details={"partner_id": key.partner_id, "name": key.name},
    )
