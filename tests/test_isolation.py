"""The harness itself: what a test commits is gone for the next test."""

from sqlalchemy import func, select

from frontoffice.extensions import db
from frontoffice.partners.models import Partner
from tests.factories import PartnerFactory


def test_a_committed_row_is_visible_inside_the_test():
    PartnerFactory(code="ISOLATION")
    db.session.commit()
    assert db.session.scalar(select(func.count()).where(Partner.code == "ISOLATION")) == 1


def test_and_gone_in_the_next():
    assert db.session.scalar(select(func.count()).where(Partner.code == "ISOLATION")) == 0
