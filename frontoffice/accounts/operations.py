from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from frontoffice import clock
from frontoffice.access.actor import Actor
from frontoffice.accounts.models import Role, StaffUser
from frontoffice.accounts.passwords import hash_password, needs_rehash, verify_password
from frontoffice.audit import operations as audit
from frontoffice.extensions import db

MIN_PASSWORD_LENGTH = 12
RECORD_TYPE = "staff_user"


class StaffUserError(ValueError):
    """A change to a staff user that is not allowed; `field` names the form field to blame."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def load_user(user_id: str) -> StaffUser | None:
    if not user_id.isdigit():
        return None
    user = db.session.get(StaffUser, int(user_id))
    return user if user is not None and user.active else None


def find_by_email(email: str) -> StaffUser | None:
    return db.session.scalar(
        select(StaffUser).where(func.lower(StaffUser.email) == email.strip().lower())
    )


def is_locked(user: StaffUser, now: datetime | None = None) -> bool:
    return user.locked_until is not None and user.locked_until > (now or clock.now())


@dataclass(frozen=True)
class SignInResult:
    user: StaffUser | None
    locked: bool = False


def authenticate(
    email: str, password: str, *, actor_ip: str, max_attempts: int, lockout_minutes: int
) -> SignInResult:
    """Checks a password, counting failures and locking the account after too many.

    The password is always verified (against a dummy hash for an unknown email) so the time a
    refusal takes says nothing about whether the account exists. The caller commits whatever
    the outcome, so failures are counted.
    """
    user = find_by_email(email)
    now = clock.now()
    password_ok = verify_password(user.password_hash if user else None, password)
    if user is None:
        audit.record(
            Actor(None, email.strip().lower()[:254], actor_ip),
            "sign_in_failed",
            RECORD_TYPE,
            "unknown",
        )
        return SignInResult(None)
    actor = Actor(user.id, user.email, actor_ip)
    if is_locked(user, now):
        audit.record(actor, "sign_in_refused_locked", RECORD_TYPE, user.id)
        return SignInResult(None, locked=True)
    if not user.active:
        audit.record(actor, "sign_in_refused_inactive", RECORD_TYPE, user.id)
        return SignInResult(None)
    if not password_ok:
        user.failed_sign_ins += 1
        locked = user.failed_sign_ins >= max_attempts
        if locked:
            user.locked_until = now + timedelta(minutes=lockout_minutes)
            user.failed_sign_ins = 0
        audit.record(actor, "account_locked" if locked else "sign_in_failed", RECORD_TYPE, user.id)
        return SignInResult(None, locked=locked)
    user.failed_sign_ins = 0
    user.locked_until = None
    user.last_sign_in_at = now
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record(actor, "signed_in", RECORD_TYPE, user.id)
    return SignInResult(user)


def create_staff_user(
    *, email: str, name: str, partner_id: int, role: Role, password: str, team: str = ""
) -> StaffUser:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"Password must be at least {MIN_PASSWORD_LENGTH} characters")
    user = StaffUser(
        email=email.strip().lower(),
        name=name.strip(),
        partner_id=partner_id,
        role=role,
        team=team.strip(),
        password_hash=hash_password(password),
        active=True,
        failed_sign_ins=0,
    )
    db.session.add(user)
    db.session.flush()
    return user


def register_staff_user(
    actor: Actor,
    *,
    email: str,
    name: str,
    partner_id: int,
    role: Role,
    password: str,
    team: str = "",
) -> StaffUser:
    """An administrator creates an account: create_staff_user, audited."""
    if find_by_email(email) is not None:
        raise StaffUserError("email", "A staff user with this email address already exists")
    user = create_staff_user(
        email=email, name=name, partner_id=partner_id, role=role, password=password, team=team
    )
    audit.record(
        actor,
        "create",
        RECORD_TYPE,
        user.id,
        details={"email": user.email, "role": role.value, "partner_id": partner_id, "team": team},
    )
    return user


def update_staff_user(
    actor: Actor, user: StaffUser, *, role: Role, partner_id: int, team: str, active: bool
) -> dict[str, list[Any]]:
    """Changes what an account may do. Nobody may deactivate or demote themselves, so the
    partnership always keeps at least the administrator who is making changes."""
    if actor.user_id == user.id:
        if not active:
            raise StaffUserError("active", "You cannot deactivate your own account")
        if user.role is Role.ADMINISTRATOR and role is not Role.ADMINISTRATOR:
            raise StaffUserError("role", "You cannot remove your own administrator role")
    wanted: dict[str, Any] = {
        "role": role,
        "partner_id": partner_id,
        "team": team.strip(),
        "active": active,
    }
    changes: dict[str, list[Any]] = {}
    for field, new in wanted.items():
        old = getattr(user, field)
        if old != new:
            changes[field] = [_plain(old), _plain(new)]
            setattr(user, field, new)
    if changes:
        db.session.flush()
        audit.record(actor, "update", RECORD_TYPE, user.id, details={"changes": changes})
    return changes


def unlock_staff_user(actor: Actor, user: StaffUser) -> None:
    """Clears a lock and the count of failed sign-ins."""
    user.locked_until = None
    user.failed_sign_ins = 0
    db.session.flush()
    audit.record(actor, "unlock", RECORD_TYPE, user.id)


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Role) else value
