"""Every route, every role: the permission each view declares is the one the app enforces.

Walks `app.url_map`, so routes added later are covered without touching this file, unless
they take a URL argument nobody has taught it to build: then add a row to ARGS below.

For each role (and for anonymous) each route is requested with each of its methods, POSTs
carrying a valid CSRF token and no other data:

- anonymous: a redirect to sign in, unless the view is public;
- a role without the view's permission (policy.GRANTS): 403;
- a role with it: a page, a redirect or a form error; never 403 or 500;
- a partner user asking for another partner's customer, case, reference and so on: 404, and
  contacts (the front office's own notes) are a 404 to partner users whoever the customer is;
- the partner API (Permission.PARTNER_API): 401 to everyone, as a session is not an API key
  (tests/partner_api walks it with partners' keys).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

import pytest
from werkzeug.routing import Rule

from frontoffice.access.policy import GRANTS, Permission, declared_permission, sees_contacts
from frontoffice.accounts.models import Role, StaffUser
from frontoffice.extensions import db
from tests import factories as f
from tests.conftest import csrf_token, sign_in

ANONYMOUS = "anonymous"
IGNORED_METHODS = {"HEAD", "OPTIONS"}
# Endpoints after which the client must sign in again to carry on.
SESSION_ENDING = {"accounts.sign_out"}
# 400: a GET whose required query parameters were not given (JSON look-ups, for instance).
GET_OK = {200, 301, 302, 303, 400}
POST_OK = {200, 201, 204, 302, 303, 400, 409, 422}
# (endpoint, method) -> the statuses allowed instead of the above, with a reason. Keep it short.
EXCEPTIONS: dict[tuple[str, str], set[int]] = {
    # Open311's spec answers 403 to a request without a valid api_key, whoever is signed in.
    ("open311.create_request", "POST"): {403},
    ("open311.list_requests", "GET"): {403},
    ("open311.read_request", "GET"): {403},
    ("open311.read_token", "GET"): {403},
    ("open311.list_updates", "GET"): {403},
    ("open311.post_update", "POST"): {403},
}


@dataclass
class World:
    """Records for the routes to point at.

    `visible` is seen by everyone who may see such records at all: its case is owned by the
    partner user's partner. `hidden` belongs to another partner, for the partner-user 404s.
    """

    users: dict[Role, StaffUser]
    visible: dict[str, object] = field(default_factory=dict)
    hidden: dict[str, object] = field(default_factory=dict)


def _customer_records(owner, partner_of_reference) -> dict[str, object]:
    customer = f.CustomerFactory()
    service = f.ServiceFactory(owning_partner=owner)
    case = f.CaseFactory(customer=customer, service=service, owning_partner=owner)
    contact = f.ContactFactory(customer=customer)
    records = {
        "customer": customer,
        "case": case,
        "contact": contact,
        "service": service,
        "case_event": f.CaseEventFactory(case=case),
        "warning": f.WarningMarkerFactory(customer=customer),
        "address": f.CustomerAddressFactory(customer=customer),
        "phone": f.CustomerPhoneFactory(customer=customer),
        "email": f.CustomerEmailFactory(customer=customer),
        "reference": f.ExternalReferenceFactory(customer=customer, partner=partner_of_reference),
    }
    try:
        from frontoffice.dispatch.models import Dispatch, DispatchStatus
    except ImportError:  # pragma: no cover - before deliveries existed
        return records
    dispatch = Dispatch(
        case_id=case.id, partner_id=owner.id, adapter_type="portal", status=DispatchStatus.DEAD
    )
    db.session.add(dispatch)
    db.session.flush()
    records["dispatch"] = dispatch
    return records


def _build_world() -> World:
    ours, theirs = f.PartnerFactory(), f.PartnerFactory()
    users = {
        role: f.StaffUserFactory(role=role, partner=ours if role is Role.PARTNER_USER else theirs)
        for role in Role
    }
    world = World(users=users)
    world.visible = _customer_records(ours, ours)
    world.hidden = _customer_records(theirs, theirs)
    world.visible["staff_user"] = world.hidden["staff_user"] = f.StaffUserFactory()
    world.visible["partner"] = world.hidden["partner"] = theirs
    db.session.commit()
    return world


def _id(kind: str) -> Callable[[dict[str, object]], object]:
    return lambda records: records[kind].id  # type: ignore[attr-defined]


def _made_once(kind: str, make: Callable[[dict[str, object]], object]):
    """records[kind], made with `make` (and committed) the first time a route needs one."""

    def get(records: dict[str, object]):
        if kind not in records:
            made = make(records)
            db.session.add(made)
            db.session.commit()
            records[kind] = made
        return records[kind]

    return get


def _new_routing_rule(records):
    from frontoffice.routing.models import RoutingRule

    return RoutingRule(
        service=records["service"], partners=[records["partner"]], effective_from=date(2026, 1, 1)
    )


def _new_partner_adapter(records):
    from frontoffice.dispatch.models import PartnerAdapter

    return PartnerAdapter(partner=records["partner"], name="Matrix portal", adapter_type="portal")


def _new_api_key(records):
    from frontoffice.access.actor import Actor
    from frontoffice.partner_api import keys

    return keys.create(Actor.system("matrix"), records["partner"].id, "Matrix CRM")[0]


def _new_webhook(records):
    from frontoffice.partner_webhooks.models import WebhookSubscription

    return WebhookSubscription(
        partner=records["partner"],
        url="https://hooks.example.org/matrix",
        events=["case.new"],
        secret="",
        disabled_by="",
    )


def _new_service_question(records):
    from frontoffice.catalogue.models import QuestionType, ServiceQuestion

    return ServiceQuestion(
        service=records["service"], code="matrix", label="Matrix?", datatype=QuestionType.STRING
    )


def _new_life_event(records):
    from frontoffice.cases.models import Channel
    from frontoffice.life_events.models import EventKind, LifeEvent, Notification

    event = LifeEvent(
        kind=EventKind.MOVE,
        customer=records["customer"],
        event_date=date(2026, 1, 1),
        channel=Channel.PHONE,
    )
    event.notifications.append(
        Notification(
            service=records["service"],
            case=records["case"],
            consent_given_by="Matrix",
            consent_wording="Matrix",
        )
    )
    return event


def _new_match_review(records):
    from frontoffice.identity.models import MatchReview

    return MatchReview(
        customer_id=records["customer"].id,
        other_customer_id=f.CustomerFactory().id,
        source="sweep",
        probability=0.8,
    )


def _new_accepted_request(records):
    from frontoffice.cases.ids import reserve_case_id
    from frontoffice.public.models import AcceptedRequest

    return AcceptedRequest(
        token=f"matrix-{records['service'].id}",  # type: ignore[attr-defined]
        case_id=reserve_case_id(),
        service=records["service"],
        data={"answers": {}, "place": {}, "contact": {"last_name": "Matrix"}},
        failure="Withdrawn before it could be raised",
    )


_routing_rule = _made_once("routing_rule", _new_routing_rule)
_accepted_request = _made_once("accepted_request", _new_accepted_request)
_match_review = _made_once("match_review", _new_match_review)
_partner_adapter = _made_once("partner_adapter", _new_partner_adapter)
_api_key = _made_once("api_key", _new_api_key)
_service_question = _made_once("question", _new_service_question)
_webhook = _made_once("webhook", _new_webhook)
_life_event = _made_once("life_event", _new_life_event)


def _new_tell_rule(records):
    from frontoffice.life_events.models import EventKind, TellRule

    return TellRule(event_kind=EventKind.DEATH, service=records["service"])


_tell_rule = _made_once("tell_rule", _new_tell_rule)


# URL argument name -> how to fill it from a set of records. Teach it new argument names here.
ARGS: dict[str, Callable[[dict[str, object]], object]] = {
    "customer_id": _id("customer"),
    "case_id": _id("case"),
    "contact_id": _id("contact"),
    "user_id": _id("staff_user"),
    "staff_user_id": _id("staff_user"),
    "partner_id": _id("partner"),
    "service_id": _id("service"),
    "event_id": _id("case_event"),
    "warning_id": _id("warning"),
    "address_id": _id("address"),
    "phone_id": _id("phone"),
    "email_id": _id("email"),
    "reference_id": _id("reference"),
    "dispatch_id": _id("dispatch"),
    # A case's reference (FO-000123), in the partner API's and the partner UI's paths.
    "reference": lambda records: records["case"].reference,  # type: ignore[attr-defined]
    "question_id": lambda records: _service_question(records).id,
    "rule_id": lambda records: _routing_rule(records).id,
    "tell_rule_id": lambda records: _tell_rule(records).id,
    "adapter_id": lambda records: _partner_adapter(records).id,
    "key_id": lambda records: _api_key(records).id,
    "webhook_id": lambda records: _webhook(records).id,
    "fmt": lambda records: "xml",
    "code": lambda records: records["service"].code,  # type: ignore[attr-defined]
    "service_request_id": lambda records: records["case"].reference,  # type: ignore[attr-defined]
    "token": lambda records: "not-a-token",
    "kind": lambda records: "death",
    "life_event_id": lambda records: _life_event(records).id,
    "notification_id": lambda records: _life_event(records).notifications[0].id,
    "number": lambda records: 1,
    "review_id": lambda records: _match_review(records).id,
    "slot": lambda records: "home",
    "who": lambda records: "next-of-kin",
    "accepted_id": lambda records: _accepted_request(records).id,
}
# Arguments naming something a partner user sees only through its partner's cases or
# references. New arguments count as scoped unless listed here as partnership-wide set-up.
SCOPED_ARGS = set(ARGS) - {
    "user_id",
    "staff_user_id",
    "partner_id",
    "service_id",
    "question_id",
    "rule_id",
    "tell_rule_id",
    "adapter_id",
    "key_id",
    "webhook_id",
    "fmt",
    "code",
    "kind",
    "number",
    "slot",
    "who",
}


def _rules(app) -> list[Rule]:
    return sorted(
        (r for r in app.url_map.iter_rules() if not _is_static(r.endpoint)),
        key=lambda r: (r.rule, r.endpoint),
    )


def _is_static(endpoint: str) -> bool:
    return endpoint == "static" or endpoint.endswith(".static")


def _methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - IGNORED_METHODS, key=lambda m: (m != "GET", m))


def _url(rule: Rule, records: dict[str, object]) -> str:
    missing = [arg for arg in rule.arguments if arg not in ARGS]
    if missing:
        pytest.fail(
            f"{rule.endpoint} ({rule.rule}) takes {missing}: add a row to ARGS in "
            "tests/test_access_matrix.py saying how to build it"
        )
    values = {arg: ARGS[arg](records) for arg in rule.arguments}
    built = rule.build(values, append_unknown=False)
    assert built is not None, rule
    return built[1]


def _permission(app, rule: Rule) -> Permission:
    permission = declared_permission(app.view_functions[rule.endpoint])
    assert permission is not None, f"{rule.endpoint} declares no permission"
    return permission


class Visitor:
    """One signed-in (or anonymous) browser-like client that can post with a CSRF token."""

    def __init__(self, app, user: StaffUser | None):
        self.app, self.user = app, user
        self.start()

    def start(self) -> None:
        self.client = self.app.test_client()
        if self.user is not None:
            sign_in(self.client, self.user)
            page = self.client.get("/staff/")
        else:
            page = self.client.get("/sign-in")
        self.token = csrf_token(page.get_data(as_text=True))

    def request(self, method: str, url: str):
        if method == "GET":
            return self.client.get(url)
        return self.client.open(url, method=method, data={"csrf_token": self.token})


def _problem(caplog, role, method, url, rule, response, expected) -> str:
    detail = ""
    if response.status_code >= 500:
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR and r.exc_text]
        detail = "\n" + errors[-1].exc_text if errors else ""
    return (
        f"{role} {method} {url} ({rule.endpoint}): {response.status_code}, "
        f"expected {expected}{detail}"
    )


def test_every_view_declares_a_permission(app):
    undeclared = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if not _is_static(rule.endpoint)
        and declared_permission(app.view_functions[rule.endpoint]) is None
    ]
    assert undeclared == [], "views without @requires(...) or @public"


def test_every_declared_permission_is_granted_to_some_role(app):
    granted = set().union(*GRANTS.values()) | {Permission.PUBLIC, Permission.PARTNER_API}
    declared = {
        (rule.endpoint, _permission(app, rule))
        for rule in _rules(app)
        if _permission(app, rule) not in granted
    }
    assert declared == set(), "views nobody may use"


def test_the_matrix_knows_the_core_routes(app):
    endpoints = {rule.endpoint for rule in _rules(app)}
    assert {"accounts.sign_in", "accounts.sign_out", "staff.home", "admin.users"} <= endpoints


@pytest.mark.parametrize("role", [ANONYMOUS, *Role], ids=str)
def test_access_matrix(app, role, caplog):
    world = _build_world()
    user = None if role == ANONYMOUS else world.users[role]
    visitor = Visitor(app, user)
    granted = frozenset() if user is None else GRANTS[user.role]
    problems: list[str] = []
    for rule in _rules(app):
        permission = _permission(app, rule)
        url = _url(rule, world.visible)
        for method in _methods(rule):
            response = visitor.request(method, url)
            status = response.status_code
            if (rule.endpoint, method) in EXCEPTIONS:
                expected: object = EXCEPTIONS[rule.endpoint, method]
                ok = status in expected  # type: ignore[operator]
            elif permission is Permission.PUBLIC:
                expected = "below 500 and not 403"
                ok = status < 500 and status != 403
            elif permission is Permission.PARTNER_API:  # a staff session is no API key
                expected, ok = 401, status == 401
            elif user is None:
                expected = "a redirect to /sign-in"
                location = urlsplit(response.headers.get("Location", ""))
                ok = status == 302 and location.path == "/sign-in"
            elif permission not in granted:
                expected, ok = 403, status == 403
            elif "contact_id" in rule.arguments and not sees_contacts(user):
                expected, ok = 404, status == 404
            else:
                expected = EXCEPTIONS.get(
                    (rule.endpoint, method), GET_OK if method == "GET" else POST_OK
                )
                ok = status in expected
            if not ok:
                problems.append(_problem(caplog, role, method, url, rule, response, expected))
            if rule.endpoint in SESSION_ENDING and user is not None:
                visitor.start()
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_another_partners_records_are_404_to_a_partner_user(app, role, caplog):
    """Partner users get 404 for records of another partner; front-office staff see them."""
    world = _build_world()
    user = world.users[role]
    visitor = Visitor(app, user)
    problems: list[str] = []
    for rule in _rules(app):
        permission = _permission(app, rule)
        if permission not in GRANTS[role] or not SCOPED_ARGS & set(rule.arguments):
            continue
        url = _url(rule, world.hidden)
        for method in _methods(rule):
            response = visitor.request(method, url)
            if role is Role.PARTNER_USER:
                expected, ok = 404, response.status_code == 404
            else:
                expected = EXCEPTIONS.get(
                    (rule.endpoint, method), GET_OK if method == "GET" else POST_OK
                )
                if "contact_id" in rule.arguments and not sees_contacts(user):
                    expected = {404}
                ok = response.status_code in expected
            if not ok:
                problems.append(_problem(caplog, role, method, url, rule, response, expected))
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
