from __future__ import annotations

from dataclasses import dataclass

import pytest

from frontoffice.accounts.models import Role
from frontoffice.cases.models import Case
from frontoffice.extensions import db
from frontoffice.partners.models import Partner
from tests.conftest import StaffClient
from tests.dispatch.test_outbox import routed_case
from tests.factories import CustomerEmailFactory, PartnerFactory


@dataclass
class Desk:
    """A partner user of `ours` signed in, and a way to make cases routed to a partner."""

    ours: Partner
    theirs: Partner
    staff: StaffClient

    def case(self, partner: Partner | None = None, *, email: bool = True) -> Case:
        case, _ = routed_case(partner or self.ours)
        if email:
            CustomerEmailFactory(customer=case.customer)
        db.session.commit()
        return case

    def url(self, case: Case, action: str = "") -> str:
        return f"/partner/cases/{case.reference}" + (f"/{action}" if action else "")

    def act(self, case: Case, action: str, prefix: str, **fields):
        """Posts a form of the case page as a browser would, with its CSRF token and the
        update id the page gave it unless told otherwise."""
        page = self.staff.get(self.url(case)).get_data(as_text=True)
        data = {f"{prefix}-{name}": value for name, value in fields.items()}
        if f'name="{prefix}-update_id"' in page and f"{prefix}-update_id" not in data:
            marker = f'name="{prefix}-update_id" value="'
            start = page.index(marker) + len(marker)
            data[f"{prefix}-update_id"] = page[start : page.index('"', start)]
        return self.staff.post(self.url(case, action), data, form_url=self.url(case))


@pytest.fixture
def desk(as_role) -> Desk:
    ours = PartnerFactory(name="Northvale District Council")
    theirs = PartnerFactory(name="Eastmoor District Council")
    staff = as_role(Role.PARTNER_USER, partner=ours)
    return Desk(ours, theirs, staff)
