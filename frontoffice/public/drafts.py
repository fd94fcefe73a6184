"""A resident's answers between pages, kept server-side: the signed session cookie carries
only a random token naming a Draft row.

A draft belongs to one journey ("request" today; a life-event journey later adds its own
name) and is refused past MAX_BYTES of JSON, so a session cannot grow without bound. Drafts
untouched for a day are deleted when a new one starts.
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from flask import session
from flask_wtf import FlaskForm
from sqlalchemy import delete, select

from frontoffice import clock
from frontoffice.extensions import db
from frontoffice.public.models import Draft

if TYPE_CHECKING:
    from frontoffice.public.queries import Sending

SESSION_KEY = "public_draft"
MAX_BYTES = 16 * 1024
KEEP = timedelta(days=1)
PURGE_BATCH = 500


class DraftTooLarge(ValueError):
    """The answers would not fit in a draft."""


def token() -> str | None:
    """The token of this session's draft, if it has one."""
    found = session.get(SESSION_KEY)
    return found if isinstance(found, str) else None


def usable(draft: Draft | Sending, journey: str) -> bool:
    """Is this draft one of `journey`'s, and not expired?"""
    return draft.journey == journey and draft.updated_at >= clock.now() - KEEP


def current(journey: str) -> Draft | None:
    found = token()
    if found is None:
        return None
    draft = db.session.get(Draft, found)
    if draft is None or not usable(draft, journey):
        return None
    return draft


def start(journey: str, data: dict[str, Any]) -> Draft:
    _purge()
    draft = Draft(token=secrets.token_urlsafe(32), journey=journey, data={})
    put(draft, data)
    db.session.add(draft)
    db.session.flush()
    session[SESSION_KEY] = draft.token
    return draft


def put(draft: Draft, data: dict[str, Any]) -> None:
    """Replaces the draft's data, refusing more than MAX_BYTES."""
    if len(json.dumps(data, ensure_ascii=False).encode()) > MAX_BYTES:
        raise DraftTooLarge("Your answers are too long to keep")
    draft.data = data
    draft.updated_at = clock.now()


def update(draft: Draft, **parts: Any) -> None:
    put(draft, {**draft.data, **parts})


def save(draft: Draft, form: FlaskForm, **parts: Any) -> bool:
    """Keeps a page's answers and commits; False, with the message on the form's first
    field, when the draft would grow past its limit."""
    try:
        update(draft, **parts)
    except DraftTooLarge as error:
        next(iter(form._fields.values())).errors = [str(error)]
        return False
    db.session.commit()
    return True


def discard(token: str) -> None:
    """Deletes the draft with one DELETE, without the unit of work's flush (the accept post
    sends nothing else through it)."""
    table = Draft.__table__
    db.session.connection().execute(table.delete().where(table.c.token == token))


def _purge() -> None:
    old = select(Draft.token).where(Draft.updated_at < clock.now() - KEEP).limit(PURGE_BATCH)
    tokens = list(db.session.scalars(old))
    if tokens:
        db.session.execute(delete(Draft).where(Draft.token.in_(tokens)))
