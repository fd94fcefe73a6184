"""One resident-facing service to ask for, and an address to ask it at: a partner's missed-bin
service with its two questions (a required choice of bin, an optional text), routed to that
partner everywhere from 2020, and gazetteer addresses with their search keys.

Plain rows, flushed, never committed, so the same set-up serves a test's rolled-back session,
a live worker's or browser's fresh database, and the benches (bench/intake.py, bench/hotpath.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from frontoffice.catalogue.models import QuestionType, Service, ServiceQuestion
from frontoffice.customers.normalise import postcode_key
from frontoffice.extensions import db
from frontoffice.gazetteer.keys import address_keys
from frontoffice.gazetteer.models import GazetteerAddress
from frontoffice.partners.models import Partner, PartnerKind
from frontoffice.routing.models import AreaKind, RoutingRule

NORTHVALE = "Northvale District Council"
BIN_LABEL = "Which bin was missed?"
DETAILS_LABEL = "Anything else we should know?"
# The answers a resident gives on the two question pages, as the pages post them.
ANSWERS = ({"q_bin": "grey"}, {"q_details": "Left out since Monday"})


@dataclass(frozen=True)
class Address:
    uprn: str
    line_1: str
    postcode: str
    town: str = "Northvale"
    district_code: str = "E07000001"


HIGH_STREET = Address("100000000001", "1 High Street", "NV1 2AB")


def questions() -> list[ServiceQuestion]:
    """'Which bin was missed?' (grey or blue, required) and 'Anything else we should know?'."""
    return [
        ServiceQuestion(
            code="bin",
            label=BIN_LABEL,
            datatype=QuestionType.SINGLEVALUELIST,
            required=True,
            order=1,
            values=[{"key": "grey", "name": "Grey bin"}, {"key": "blue", "name": "Blue bin"}],
        ),
        ServiceQuestion(code="details", label=DETAILS_LABEL, datatype=QuestionType.TEXT, order=2),
    ]


def gazetteer(*addresses: Address) -> list[GazetteerAddress]:
    """The addresses as the gazetteer import keeps them (postcode, street and line keys)."""
    rows = []
    for a in addresses:
        street_key, house_number, line_key = address_keys(a.line_1)
        rows.append(
            GazetteerAddress(
                uprn=a.uprn,
                line_1=a.line_1,
                town=a.town,
                postcode=a.postcode,
                postcode_key=postcode_key(a.postcode),
                district_code=a.district_code,
                street_key=street_key,
                house_number=house_number,
                line_key=line_key,
            )
        )
    db.session.add_all(rows)
    return rows


def route(service: Service, *partners: Partner, priority: int = 1) -> RoutingRule:
    """The (flushed) service goes to `partners` wherever the resident lives, from 2020."""
    rule = RoutingRule(
        service_id=service.id,
        area_kind=AreaKind.ANY,
        area_code="",
        priority=priority,
        effective_from=date(2020, 1, 1),
    )
    rule.partners = list(partners)
    db.session.add(rule)
    return rule


def missed_bin(
    partner: Partner | None = None,
    *,
    code: str = "missed-bin",
    name: str = "Report a missed bin",
    routed: bool = True,
    addresses: tuple[Address, ...] = (HIGH_STREET,),
    **fields,
) -> Service:
    """The service (flushed, with its questions) of `partner` (Northvale District Council when
    none is given), routed to it unless `routed` is false, and `addresses` in the gazetteer.
    `fields` are further Service columns (group, keywords, description, sla_working_days)."""
    if partner is None:
        partner = Partner(
            code="NORTH", name="Northvale District Council", kind=PartnerKind.DISTRICT
        )
        db.session.add(partner)
        db.session.flush()
    service = Service(code=code, name=name, owning_partner_id=partner.id, **fields)
    service.questions = questions()
    db.session.add(service)
    db.session.flush()
    if routed:
        route(service, partner)
    gazetteer(*addresses)
    db.session.flush()
    return service
