"""/open311/v2/: reading requests back, tokens, and the servicerequestupdates extension.

Privacy: our cases are residents' personal matters (a missed assisted bin collection, a council
tax question), not public street reports, so unlike a public GeoReport server every read here
needs a valid api_key, and a key reads only the requests its own partner's keys sent. Any other
request is "not found" (404), so nobody learns that it exists; a missing, invalid or revoked key
is 403. All answers are in the spec's formats; errors are the spec's error list.
"""

from __future__ import annotations

from datetime import timedelta

from flask import request
from sqlalchemy import select

from frontoffice import clock
from frontoffice.access.actor import Actor
from frontoffice.access.policy import Permission, requires
from frontoffice.audit import operations as audit
from frontoffice.cases.models import parse_reference
from frontoffice.catalogue.models import Service
from frontoffice.extensions import db
from frontoffice.formkit import CONTROL
from frontoffice.open311 import queries, records, resident_updates
from frontoffice.open311.formats import answer, errors
from frontoffice.open311.submissions import Refused, check_media_url
from frontoffice.open311.views import bp, with_key
from frontoffice.partner_api.models import ApiKey

# The spec's default window, and the longest one a client may ask for.
WINDOW = timedelta(days=90)
MAX_IDS = 100
UPDATE_TEXT_MAX = {"description": 5000, "email": 254, "first_name": 100, "last_name": 100}


def _actor(key: ApiKey) -> Actor:
    return Actor.system(f"open311:{key.prefix}")


def _audit_read(key: ApiKey, found) -> None:
    for case, _ in found:
        audit.record(
            _actor(key),
            "read",
            "case",
            case.id,
            customer_id=case.customer_id,
            details={"via": "open311", "api_key_id": key.id},
        )


def _requests_answer(fmt: str, key: ApiKey, found) -> object:
    built = [records.request_record(case, submission) for case, submission in found]
    _audit_read(key, found)
    db.session.commit()  # after building: committing expires what was loaded
    return answer(fmt, "service_requests", "request", built)


def _window(args) -> tuple:
    """(start, end) from start_date/end_date: the last 90 days by default, at most 90 days."""
    start = (
        records.parse_datetime("start_date", args["start_date"]) if args.get("start_date") else None
    )
    end = records.parse_datetime("end_date", args["end_date"]) if args.get("end_date") else None
    if start is None and end is None:
        end = clock.now()
    if start is None:
        start = end - WINDOW
    if end is None:
        end = start + WINDOW
    if end < start:
        raise Refused("end_date must not be before start_date")
    if end - start > WINDOW:
        raise Refused("start_date and end_date may not span more than 90 days")
    return start, end


def _case_ids(text: str) -> list[int]:
    given = [p.strip() for p in text.split(",") if p.strip()]
    if len(given) > MAX_IDS:
        raise Refused(f"Ask for at most {MAX_IDS} service_request_id values at once")
    ids = []
    for part in given:
        case_id = parse_reference(part[:30])
        if case_id is None:
            raise Refused(f"service_request_id {part[:30]!r} is not a reference like FO-000123")
        ids.append(case_id)
    return ids


def _listed(args, name: str, allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
    values = tuple(dict.fromkeys(p.strip().lower() for p in args[name].split(",") if p.strip()))
    if allowed is not None and (not values or set(values) - set(allowed)):
        raise Refused(f"{name} must be one or more of: {', '.join(allowed)}")
    return values


@bp.route("/requests.<fmt>", methods=["GET"])
@requires(Permission.PUBLIC)  # the Open311 api_key is checked by with_key
@with_key
def list_requests(fmt: str, key: ApiKey):
    args = request.args
    if args.get("service_request_id"):
        ids = _case_ids(args["service_request_id"])
        return _requests_answer(fmt, key, queries.by_references(key.partner_id, ids))
    codes = _listed(args, "service_code") if args.get("service_code") else ()
    for code in codes:
        known = db.session.scalar(
            select(Service.id).where(Service.code == code[:40], Service.active)
        )
        if known is None:
            raise Refused(f"service_code {code[:40]!r} is not a service we offer", 404)
    statuses = _listed(args, "status", ("open", "closed")) if "status" in args else ()
    start, end = _window(args)
    found = queries.requests(key.partner_id, queries.RequestFilters(start, end, codes, statuses))
    return _requests_answer(fmt, key, found)


@bp.route("/requests/<service_request_id>.<fmt>")
@requires(Permission.PUBLIC)
@with_key
def read_request(service_request_id: str, fmt: str, key: ApiKey):
    found = queries.request(key.partner_id, service_request_id[:30])
    if found is None:
        return errors(fmt, 404, "There is no such service request for this api_key")
    return _requests_answer(fmt, key, [found])


@bp.route("/tokens/<token>.<fmt>")
@requires(Permission.PUBLIC)
@with_key
def read_token(token: str, fmt: str, key: ApiKey):
    found = queries.by_token(key.partner_id, token)
    if found is None:
        return errors(fmt, 404, "There is no such token for this api_key")
    case, submission = found
    db.session.commit()
    record = {"service_request_id": case.reference, "token": submission.token}
    return answer(fmt, "service_requests", "request", [record])


@bp.route("/servicerequestupdates.<fmt>", methods=["GET"])
@requires(Permission.PUBLIC)
@with_key
def list_updates(fmt: str, key: ApiKey):
    start, end = _window(request.args)
    events = queries.public_events(key.partner_id, start, end)
    built = [records.update_record(e) for e in events]
    _audit_read(key, list({e.case_id: (e.case, None) for e in events}.values()))
    db.session.commit()
    return answer(fmt, "service_request_updates", "request_update", built)


@bp.route("/servicerequestupdates.<fmt>", methods=["POST"])
@requires(Permission.PUBLIC)
@with_key
def post_update(fmt: str, key: ApiKey):
    form = request.form
    update_id = form.get("update_id", "").strip()
    if not update_id or len(update_id) > 100 or CONTROL.search(update_id):
        raise Refused("update_id is required: up to 100 characters")
    seen = resident_updates.earlier(key, update_id)
    if seen is None:
        found = queries.request(key.partner_id, form.get("service_request_id", "")[:30])
        if found is None:
            raise Refused("There is no such service request for this api_key", 404)
        if not form.get("updated_datetime"):
            raise Refused("updated_datetime is required")
        written = records.parse_datetime("updated_datetime", form["updated_datetime"])
        if written > clock.now() + timedelta(hours=1):
            raise Refused("updated_datetime is in the future")
        texts = {name: form.get(name, "").strip() for name in UPDATE_TEXT_MAX}
        for name, limit in UPDATE_TEXT_MAX.items():
            if len(texts[name]) > limit or CONTROL.search(texts[name]):
                raise Refused(f"{name} must be {limit} characters or fewer, without control codes")
        if texts["email"] and "@" not in texts["email"]:
            raise Refused("email is not an email address")
        sent = resident_updates.ResidentUpdate(
            update_id=update_id,
            updated_datetime=written,
            status=form.get("status", "").strip().lower()[:20],
            media_url=check_media_url(form.get("media_url", "")),
            **texts,
        )
        seen = resident_updates.post(_actor(key), key, found[0], sent)
    db.session.commit()
    return answer(
        fmt, "service_request_updates", "request_update", [{"update_id": str(seen.event_id)}]
    )
