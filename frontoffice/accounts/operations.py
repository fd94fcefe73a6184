from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from frontoffice import clock
from frontoffice.access.actor import Actor
from frontoffice.accounts.models import Role, StaffUser
from frontoffice.accounts.passwords import hash_password, needs_rehash, verify_password
from frontoffice.audit import operations as audit
from frontoffice.extensions import db

MIN_PASSWORD_LENGTH = 12


def load_user(user_id: str) -> StaffUser | None:
    if not user_id.isdigit():
        return None
    user = db.session.get(StaffUser, int(user_id))
    return user if user is not None and user.active else None


def find_by_email(email: str) -> StaffUser | None:
    return db.session.scalar(
        select(StaffUser).where(func.lower(StaffUser.email) == email.strip().lower())
    )


@dataclass(frozen=True)
class SignInResult:
    user: StaffUser | None
    locked: bool = False


def authenticate(
    email: str, password: str, *, actor_ip: str, max_attempts: int, lockout_minutes: int
) -> SignInResult:
    """Checks a password, counting failures and locking the account after too many.

    The caller commits whatever the outcome, so failures are counted.
    """
    user = find_by_email(email)
    now = clock.now()
    if user is None:
        verify_password(None, password)
        audit.record(
            Actor(None, email.strip().lower()[:254], actor_ip),
            "sign_in_failed",
            "staff_user",
            "unknown",
        )
        return SignInResult(None)
    actor = Actor(user.id, user.email, actor_ip)
    if user.locked_until is not None and user.locked_until > now:
        audit.record(actor, "sign_in_refused_locked", "staff_user", user.id)
        return SignInResult(None, locked=True)
    if not user.active or not verify_password(user.password_hash, password):
        user.failed_sign_ins += 1
        locked = user.failed_sign_ins >= max_attempts
        if locked:
            user.locked_until = now + timedelta(minutes=lockout_minutes)
            user.failed_sign_ins = 0
        audit.record(actor, "account_locked" if locked else "sign_in_failed", "staff_user", user.id)
        return SignInResult(None, locked=locked)
    user.failed_sign_ins = 0
    user.locked_until = None
    user.last_sign_in_at = now
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record(actor, "signed_in", "staff_user", user.id)
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
        team=team,
        password_hash=hash_password(password),
        active=True,
        failed_sign_ins=0,
    )
    db.session.add(user)
    db.session.flush()
    return user
