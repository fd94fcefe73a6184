"""API keys: shown once, kept as a hash, revocable, marked when used."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from frontoffice.access.actor import Actor
from frontoffice.audit.models import AuditEvent
from frontoffice.extensions import db
from frontoffice.partner_api import keys
from frontoffice.partner_api.models import ApiKey
from tests.factories import PartnerFactory

ACTOR = Actor.system("test")


def test_the_key_is_not_stored_and_authenticates_until_revoked():
    partner = PartnerFactory()
    key, text = keys.create(ACTOR, partner.id, "  Northvale   CRM ")
    assert key.name == "Northvale CRM" and text.startswith(f"fo_{key.prefix}_")
    secret = text[len(f"fo_{key.prefix}_") :]
    assert len(secret) == 43 and secret not in repr(vars(key))
    assert keys.authenticate(text) is key
    keys.revoke(ACTOR, key, "the CRM was replaced")
    assert keys.authenticate(text) is None
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.record_type == "api_key")
    ).all()
    assert actions == ["create", "revoke"]
    with pytest.raises(keys.ApiKeyError, match="already revoked"):
        keys.revoke(ACTOR, key)


@pytest.mark.parametrize(
    "text",
    [None, "", "fo_", "Bearer x", "fo_000000000000_" + "A" * 43, "x" * 5000, "fo_' OR 1=1 --"],
)
def test_wrong_keys_do_not_authenticate(text):
    keys.create(ACTOR, PartnerFactory().id, "CRM")
    assert keys.authenticate(text) is None


def test_a_right_prefix_with_a_wrong_secret_does_not_authenticate():
    key, text = keys.create(ACTOR, PartnerFactory().id, "CRM")
    forged = text[:-1] + ("A" if text[-1] != "A" else "B")
    assert keys.authenticate(forged) is None


def test_last_used_is_written_at_most_once_a_minute():
    key, text = keys.create(ACTOR, PartnerFactory().id, "CRM")
    start = datetime(2026, 5, 1, 9, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        keys.authenticate(text)
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        keys.authenticate(text)
    assert key.last_used_at == start
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        keys.authenticate(text)
    assert key.last_used_at == start + timedelta(minutes=2)


@pytest.mark.parametrize(("name", "message"), [("", "Enter a name"), ("x" * 101, "100 characters")])
def test_a_key_needs_a_sensible_name(name, message):
    with pytest.raises(keys.ApiKeyError, match=message):
        keys.create(ACTOR, PartnerFactory().id, name)
    assert db.session.scalars(select(ApiKey)).all() == []
