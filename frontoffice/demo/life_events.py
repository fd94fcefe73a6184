"""The demo's Tell us once services and the tell rules that offer them for each event.

Each service is a catalogue entry of its own ("Tell us once: council tax"), so partners see
life-event notifications in their queues as such and routing decides who delivers each. The
demo area is two-tier: county services (libraries, blue badges, adult social care, pensions)
and district ones (electoral registration, waste, housing) are both told.
"""

from __future__ import annotations

from dataclasses import dataclass

from frontoffice.catalogue.models import Service, ServiceTier
from frontoffice.demo.catalogue import DISTRICT_CODES, DISTRICTS, RULES_FROM, Organisation
from frontoffice.extensions import db
from frontoffice.life_events.models import EventKind, TellRule
from frontoffice.routing.models import AreaKind, RoutingRule

DEATH, BIRTH, MOVE = EventKind.DEATH, EventKind.BIRTH, EventKind.MOVE


@dataclass(frozen=True)
class TellService:
    code: str
    name: str
    owner: str  # partner code; "" for a district-tier service
    purposes: dict[EventKind, str]


TELL_SERVICES = (
    TellService(
        "tuo-council-tax",
        "Council tax",
        "SRBP",
        {
            DEATH: "Close or change the council tax account and any discounts",
            BIRTH: "Review a single person discount",
            MOVE: "Close the old account and open one at the new address",
        },
    ),
    TellService(
        "tuo-benefits",
        "Housing benefit and council tax support",
        "SRBP",
        {
            DEATH: "Stop or change housing benefit and council tax support",
            BIRTH: "Change the household on a claim",
            MOVE: "Move a claim to the new address, or end it",
        },
    ),
    TellService(
        "tuo-electoral",
        "Electoral registration",
        "",
        {
            DEATH: "Remove the person from the electoral register",
            MOVE: "Register at the new address",
        },
    ),
    TellService(
        "tuo-libraries",
        "Libraries",
        "SCC",
        {
            DEATH: "Close the library account and waive charges",
            BIRTH: "Offer a Bookstart pack and a library card",
            MOVE: "Update the library account",
        },
    ),
    TellService(
        "tuo-blue-badge",
        "Blue badge",
        "SCC",
        {DEATH: "Cancel the blue badge", MOVE: "Update the badge holder's address"},
    ),
    TellService(
        "tuo-bus-pass",
        "Concessionary travel",
        "SCC",
        {DEATH: "Cancel the bus pass", MOVE: "Update the bus pass holder's address"},
    ),
    TellService(
        "tuo-social-care",
        "Adult social care",
        "SCC",
        {
            DEATH: "Stop care services and payments, and close the care record",
            MOVE: "Move care and support to the new address",
        },
    ),
    TellService(
        "tuo-assisted-waste",
        "Assisted waste collection",
        "",
        {DEATH: "Stop an assisted bin collection", MOVE: "Arrange collections at the new address"},
    ),
    TellService(
        "tuo-parking",
        "Parking permits",
        "SCC",
        {DEATH: "Cancel resident and visitor permits", MOVE: "Move or cancel parking permits"},
    ),
    TellService(
        "tuo-housing",
        "Council housing",
        "",
        {
            DEATH: "End or pass on a council tenancy",
            BIRTH: "Update the household on a tenancy or housing application",
            MOVE: "End the old tenancy or update a housing application",
        },
    ),
    TellService(
        "tuo-pensions",
        "Local government pension scheme",
        "SCC",
        {DEATH: "Stop a council pension and consider a survivor's pension"},
    ),
    TellService(
        "tuo-school-admissions",
        "School admissions",
        "SCC",
        {BIRTH: "Send school admission information in time", MOVE: "Review school places"},
    ),
)


def build(org: Organisation) -> list[TellRule]:
    """The Tell us once services, routing rules for them and the tell rules that offer them."""
    made = []
    for spec in TELL_SERVICES:
        lead = spec.owner or DISTRICTS[0]
        service = Service(
            code=spec.code,
            name=f"Tell us once: {spec.name.lower()}",
            group="Tell us once",
            description=f"A life event reported once, told to {spec.name.lower()}.",
            owning_partner_id=org.partners[lead].id,
            sla_working_days=10,
            ack_working_days=2,
            active=True,
            tier=ServiceTier.DISTRICT if not spec.owner else ServiceTier.ANY,
        )
        db.session.add(service)
        db.session.flush()
        areas = [(DISTRICT_CODES[d], d) for d in DISTRICTS] if not spec.owner else [("", lead)]
        for area_code, partner_code in areas:
            db.session.add(
                RoutingRule(
                    service_id=service.id,
                    area_kind=AreaKind.DISTRICT if area_code else AreaKind.ANY,
                    area_code=area_code,
                    priority=100,
                    effective_from=RULES_FROM,
                    active=True,
                    note="Tell us once",
                    partners=[org.partners[partner_code]],
                )
            )
        for kind, purpose in spec.purposes.items():
            rule = TellRule(
                event_kind=kind, service_id=service.id, area_kind=AreaKind.ANY, purpose=purpose
            )
            db.session.add(rule)
            made.append(rule)
    db.session.flush()
    return made
