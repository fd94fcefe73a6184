"""Two partners' reporting apps, each with its own key, and a catalogue to report against."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest
from defusedxml import ElementTree

from frontoffice.access.actor import Actor
from frontoffice.adapters.base import StatusUpdate
from frontoffice.cases.models import Case
from frontoffice.catalogue.models import QuestionType, Service, ServiceQuestion
from frontoffice.dispatch.models import Dispatch, DispatchStatus
from frontoffice.dispatch.updates import apply_update
from frontoffice.extensions import db
from frontoffice.partner_api import keys
from frontoffice.partners.models import Partner
from tests.factories import PartnerFactory, ServiceFactory

URL = "/open311/v2"


@dataclass
class Apps:
    a: str  # partner A's key
    b: str  # partner B's key
    a_partner: Partner
    b_partner: Partner


@pytest.fixture
def apps() -> Apps:
    a_partner = PartnerFactory(name="FixMyStreet reporting app")
    b_partner = PartnerFactory(name="Another council's app")
    _, a = keys.create(Actor.system("test"), a_partner.id, "Reporting app A")
    _, b = keys.create(Actor.system("test"), b_partner.id, "Reporting app B")
    add_bin_question(ServiceFactory(code="missed-bin", name="Missed bin"), required=False)
    ServiceFactory(code="pothole", name="Pothole")
    db.session.commit()
    return Apps(a, b, a_partner, b_partner)


def add_bin_question(service: Service, *, required: bool) -> ServiceQuestion:
    question = ServiceQuestion(
        service=service,
        code="bin",
        label="Which bin?",
        datatype=QuestionType.SINGLEVALUELIST,
        required=required,
        values=[{"key": "grey", "name": "Grey"}, {"key": "green", "name": "Green"}],
    )
    db.session.add(question)
    return question


def submit(client, key: str, **fields) -> tuple[str, str]:
    """POSTs a request as a client would: (service_request_id, token)."""
    data = {"api_key": key, "service_code": "missed-bin", "address_string": "4 Mill Lane"}
    data.update(fields)
    response = client.post(f"{URL}/requests.json", data=data)
    assert response.status_code == 200, response.get_data(as_text=True)
    [answer] = response.get_json()
    return answer["service_request_id"], answer["token"]


def case_of(reference: str) -> Case:
    return db.session.get(Case, int(reference[3:]))


def partner_says(case: Case, status: str, description: str, at: datetime, update_id: str):
    """The delivering partner's update, through the code every partner update goes through."""
    dispatch = db.session.query(Dispatch).filter_by(case_id=case.id).first()
    if dispatch is None:
        dispatch = Dispatch(
            case_id=case.id,
            partner_id=case.owning_partner_id,
            adapter_type="open311",
            status=DispatchStatus.DELIVERED,
            partner_reference=f"SR-{case.id}",
        )
        db.session.add(dispatch)
        db.session.flush()
    update = StatusUpdate(
        update_id=update_id,
        service_request_id=dispatch.partner_reference,
        status=status,
        updated_datetime=at,
        description=description,
    )
    outcome = apply_update(Actor.system("test"), case.owning_partner, dispatch, update)
    db.session.commit()
    return outcome


def xml(response):
    """The answer parsed by a real (hardened) XML parser."""
    assert response.content_type.startswith("text/xml"), response.content_type
    return ElementTree.fromstring(response.data)


def error(response, status: int) -> str:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    if response.content_type.startswith("application/json"):
        [only] = response.get_json()
        assert only["code"] == status
        return only["description"]
    root = xml(response)
    assert root.tag == "errors"
    [only] = root.findall("error")
    assert int(only.findtext("code")) == status
    return only.findtext("description")
