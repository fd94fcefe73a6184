"""The demo partnership: partners, the service catalogue, staff sign-ins and one-stop shops."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from frontoffice.accounts.models import Role, StaffUser
from frontoffice.accounts.passwords import hash_password
from frontoffice.catalogue.models import QuestionType, Service, ServiceQuestion, ServiceTier
from frontoffice.demo.services import (
    KEYWORDS,
    QUESTIONS,
    SCRIPTS,
    SERVICES,
    ServiceSpec,
    value_key,
)
from frontoffice.extensions import db
from frontoffice.partners.models import Partner, PartnerKind
from frontoffice.routing.models import AreaKind, RoutingRule

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed by `make run`; demo only
DEMO_DOMAIN = "demo.frontoffice.test"

PARTNERS = (
    ("SCC", "Shire County Council", PartnerKind.COUNTY),
    ("NVDC", "Northvale District Council", PartnerKind.DISTRICT),
    ("EMDC", "Eastmoor District Council", PartnerKind.DISTRICT),
    ("SDDC", "Southdown District Council", PartnerKind.DISTRICT),
    ("SRBP", "Shire Revenues and Benefits Partnership", PartnerKind.PARTNERSHIP),
)
DISTRICTS = ("NVDC", "EMDC", "SDDC")
# The district codes of the demo gazetteer (frontoffice/demo/gazetteer.csv).
DISTRICT_CODES = {"NVDC": "E07000001", "EMDC": "E07000002", "SDDC": "E07000003"}
RULES_FROM = date(2020, 4, 1)

ONE_STOP_SHOPS = {
    "NVDC": ("Northvale Civic Centre", "Haverton Library"),
    "EMDC": ("Eastmoor Town Hall", "Cray Bridge Community Hub"),
    "SDDC": ("Southdown Customer Service Centre", "Saltmarsh Library"),
}

# (email local part, name, role, partner code, team)
SIGN_INS = (
    ("adviser", "Megan Hughes", Role.ADVISER, "SCC", "Contact centre"),
    ("supervisor", "Gareth Price", Role.SUPERVISOR, "SCC", "Contact centre"),
    ("partner", "Priya Nair", Role.PARTNER_USER, "NVDC", "Waste services"),
    ("admin", "Sam Okoro", Role.ADMINISTRATOR, "SCC", "Digital"),
)
MORE_STAFF = (
    ("tom.bevan", "Tom Bevan", Role.ADVISER, "SCC", "Contact centre"),
    ("aisha.khan", "Aisha Khan", Role.ADVISER, "SCC", "Contact centre"),
    ("rhian.jones", "Rhian Jones", Role.ADVISER, "SCC", "Contact centre"),
    ("daniel.okafor", "Daniel Okafor", Role.ADVISER, "NVDC", "Northvale one-stop shop"),
    ("lucy.marsh", "Lucy Marsh", Role.ADVISER, "EMDC", "Eastmoor one-stop shop"),
    ("wyn.pritchard", "Wyn Pritchard", Role.ADVISER, "SDDC", "Southdown one-stop shop"),
    ("karen.doyle", "Karen Doyle", Role.SUPERVISOR, "SCC", "One-stop shops"),
    ("paul.wright", "Paul Wright", Role.PARTNER_USER, "EMDC", "Environmental health"),
    ("helen.shaw", "Helen Shaw", Role.PARTNER_USER, "SDDC", "Planning"),
    ("mark.evans", "Mark Evans", Role.PARTNER_USER, "SCC", "Highways"),
    ("joanne.lee", "Joanne Lee", Role.PARTNER_USER, "SRBP", "Revenues"),
    ("imran.ali", "Imran Ali", Role.PARTNER_USER, "SRBP", "Benefits"),
)

SIGN_IN_EMAILS = tuple(f"{local}@{DEMO_DOMAIN}" for local, *_ in SIGN_INS)


@dataclass
class Organisation:
    """What the rest of the demo needs to know about the partnership it built."""

    partners: dict[str, Partner]
    services: list[tuple[ServiceSpec, Service]]
    staff: list[StaffUser]
    # (service code, district partner code or "") -> the rule that routes it there
    rules: dict[tuple[str, str], RoutingRule] = field(default_factory=dict)

    def advisers(self) -> list[StaffUser]:
        return [u for u in self.staff if u.role in (Role.ADVISER, Role.SUPERVISOR)]

    def partner_users(self, partner: Partner) -> list[StaffUser]:
        return [u for u in self.staff if u.role is Role.PARTNER_USER and u.partner_id == partner.id]


def build_organisation(password: str = DEMO_PASSWORD) -> Organisation:
    partners = {code: Partner(code=code, name=name, kind=kind) for code, name, kind in PARTNERS}
    db.session.add_all(partners.values())
    db.session.flush()

    services = [
        (
            spec,
            Service(
                code=spec.code,
                name=spec.name,
                group=spec.group,
                description=spec.description,
                owning_partner_id=partners[spec.owner].id,
                sla_working_days=spec.sla_working_days,
                active=True,
                keywords=KEYWORDS.get(spec.code, ""),
                adviser_script=SCRIPTS.get(spec.code, ""),
                tier=_tier(spec),
                questions=_questions(spec),
            ),
        )
        for spec in SERVICES
    ]
    db.session.add_all(s for _, s in services)

    # One hash for every demo sign-in: they share a password, and argon2 is slow on purpose.
    password_hash = hash_password(password)
    staff = [
        StaffUser(
            email=f"{local}@{DEMO_DOMAIN}",
            name=name,
            partner_id=partners[partner].id,
            role=role,
            team=team,
            password_hash=password_hash,
            active=True,
            failed_sign_ins=0,
        )
        for local, name, role, partner, team in SIGN_INS + MORE_STAFF
    ]
    db.session.add_all(staff)
    db.session.flush()
    org = Organisation(partners=partners, services=services, staff=staff)
    org.rules = _routing_rules(org)
    return org


def _tier(spec: ServiceSpec) -> ServiceTier:
    if spec.district_tier:
        return ServiceTier.DISTRICT
    return ServiceTier.COUNTY if spec.owner == "SCC" else ServiceTier.ANY


def _questions(spec: ServiceSpec) -> list[ServiceQuestion]:
    questions = []
    for order, (code, options) in enumerate(spec.answers.items()):
        label, datatype = QUESTIONS[code]
        kind = QuestionType(datatype)
        questions.append(
            ServiceQuestion(
                code=code,
                label=label,
                datatype=kind,
                required=True,
                order=order,
                hint="",
                values=(
                    [{"key": value_key(o), "name": o.capitalize()} for o in options]
                    if kind.has_values
                    else []
                ),
                active=True,
            )
        )
    return questions


def _routing_rules(org: Organisation) -> dict[tuple[str, str], RoutingRule]:
    """District services go to the customer's own district; the rest to their one owner."""
    rules: dict[tuple[str, str], RoutingRule] = {}
    for spec, service in org.services:
        if spec.district_tier:
            for district in DISTRICTS:
                rules[spec.code, district] = RoutingRule(
                    service_id=service.id,
                    area_kind=AreaKind.DISTRICT,
                    area_code=DISTRICT_CODES[district],
                    priority=100,
                    effective_from=RULES_FROM,
                    active=True,
                    note=f"{org.partners[district].name} delivers this for its residents",
                    partners=[org.partners[district]],
                )
        else:
            rules[spec.code, ""] = RoutingRule(
                service_id=service.id,
                area_kind=AreaKind.ANY,
                area_code="",
                priority=100,
                effective_from=RULES_FROM,
                active=True,
                note="",
                partners=[org.partners[spec.owner]],
            )
    db.session.add_all(rules.values())
    db.session.flush()
    return rules
