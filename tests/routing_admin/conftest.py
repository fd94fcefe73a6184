"""Fixtures for the routing and partner-system admin tests."""

from __future__ import annotations

import pytest

from frontoffice.extensions import db
from tests.adapters.servers import WebhookReceiver
from tests.factories import PartnerFactory
from tests.routing_admin.helpers import SECRET


@pytest.fixture
def admin(as_role):
    return as_role("administrator")


@pytest.fixture
def partner():
    partner = PartnerFactory(name="Northvale District Council")
    db.session.commit()
    return partner


@pytest.fixture
def receiver():
    """A real webhook receiver on 127.0.0.1 that checks our signature with SECRET."""
    with WebhookReceiver(secret=SECRET) as server:
        yield server
