from __future__ import annotations

from dataclasses import dataclass

import pytest

from frontoffice.access.actor import Actor
from frontoffice.extensions import db
from frontoffice.partner_api import keys
from frontoffice.partners.models import Partner
from tests.dispatch.test_outbox import routed_case
from tests.factories import PartnerFactory


@dataclass
class Partnership:
    ours: Partner
    theirs: Partner
    our_key: str
    their_key: str


@pytest.fixture
def partnership() -> Partnership:
    ours = PartnerFactory(name="Northvale District Council")
    theirs = PartnerFactory(name="Eastmoor District Council")
    _, our_key = keys.create(Actor.system("test"), ours.id, "North CRM")
    _, their_key = keys.create(Actor.system("test"), theirs.id, "East CRM")
    db.session.commit()
    return Partnership(ours, theirs, our_key, their_key)


@pytest.fixture
def api(client):
    """api(key).get/post(path, ...) with the key in the Authorization header."""

    class Api:
        def __init__(self, key: str | None):
            self.headers = {"Authorization": f"Bearer {key}"} if key else {}

        def get(self, path: str, **kwargs):
            return client.get(f"/api/v1{path}", headers=self.headers, **kwargs)

        def post(self, path: str, json=None, **kwargs):
            return client.post(f"/api/v1{path}", headers=self.headers, json=json, **kwargs)

    return Api


def case_for(partner: Partner):
    case, _ = routed_case(partner)
    db.session.commit()
    return case
