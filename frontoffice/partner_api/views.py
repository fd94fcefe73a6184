"""/api/v1/: thin views over partner_api.queries, partner_api.keys and partner_api.actions."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from frontoffice import clock
from frontoffice.access.actor import Actor
from frontoffice.access.policy import Permission, requires
from frontoffice.cases.models import Case
from frontoffice.cases.status import CaseStatus
from frontoffice.dispatch.payloads import case_payload
from frontoffice.extensions import csrf, db
from frontoffice.partner_api import actions, keys, openapi, queries
from frontoffice.partner_api.errors import ApiError, invalid, unauthorised

bp = Blueprint("partner_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

MAX_BODY = 64 * 1024


@bp.errorhandler(ApiError)
def _api_error(error: ApiError) -> Response:
    db.session.rollback()
    return error.response()


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    db.session.rollback()
    code = (error.name or "error").lower().replace(" ", "_")
    return ApiError(error.code or 500, code, error.description or error.name).response()


def with_api_key(view: Callable) -> Callable:
    """The partner's key, from `Authorization: Bearer <key>` (or `X-Api-Key`)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any):
        header = request.headers.get("Authorization", "")
        text = header[7:] if header[:7].lower() == "bearer " else request.headers.get("X-Api-Key")
        if not text:
            raise unauthorised()
        key = keys.authenticate(text)
        if key is None:
            raise unauthorised("This API key is not valid, or has been revoked")
        g.api_key = key
        db.session.commit()  # last_used_at
        return view(*args, **kwargs)

    return requires(Permission.PARTNER_API)(wrapper)


def _partner_id() -> int:
    return g.api_key.partner_id


def _case_for_partner(reference: str) -> Case:
    case = queries.case_by_reference(reference)
    if case is None:
        raise ApiError(404, "not_found", f"There is no case {reference[:30]}")
    if not queries.is_routed_to(case, _partner_id()):
        raise ApiError(403, "forbidden", f"Case {case.reference} was not routed to your partner")
    return case


def _summary(case: Case) -> dict[str, Any]:
    return {
        "reference": case.reference,
        "service_code": case.service.code,
        "service_name": case.service.name,
        "status": case.status.value,
        "priority": case.priority.value,
        "created_at": case.created_at.isoformat(),
        "updated_at": case.updated_at.isoformat(),
        "due_date": case.due_date.isoformat() if case.due_date else None,
    }


def _detail(case: Case) -> dict[str, Any]:
    dispatch = queries.dispatch_to(case, _partner_id())
    payload = case_payload(case, g.api_key.partner)
    return {
        **_summary(case),
        "summary": case.summary,
        "answers": payload["answers"],
        "customer": payload["customer"],
        "location": {
            "address": payload["address"],
            "lat": payload["lat"],
            "long": payload["long"],
        },
        "your_reference": dispatch.partner_reference if dispatch else None,
        "your_status": dispatch.partner_status if dispatch else None,
    }


def _aware(name: str, text: str, fields: dict[str, str]) -> datetime | None:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        fields[name] = "Give a date and time in ISO 8601, like 2026-03-14T09:30:00Z"
        return None
    if value.tzinfo is None:
        fields[name] = "Give the time zone, like 2026-03-14T09:30:00Z or +00:00"
        return None
    return value


@bp.route("/openapi.json")
@requires(Permission.PUBLIC)
def openapi_document():
    return jsonify(openapi.document())


@bp.route("/cases")
@with_api_key
def list_cases():
    fields: dict[str, str] = {}
    args = request.args
    status = None
    if args.get("status"):
        try:
            status = CaseStatus(args["status"])
        except ValueError:
            fields["status"] = f"Use one of: {', '.join(s.value for s in CaseStatus)}"
    since = (
        _aware("updated_since", args["updated_since"], fields)
        if args.get("updated_since")
        else None
    )
    try:
        limit = int(args.get("limit", "50"))
        if not 1 <= limit <= 100:
            raise ValueError
    except ValueError:
        fields["limit"] = "Give a whole number from 1 to 100"
        limit = 50
    after = None
    if args.get("cursor"):
        after = queries.decode_cursor(args["cursor"][:200])
        if after is None:
            fields["cursor"] = "This cursor is not one we gave out"
    if fields:
        raise invalid(fields)
    page = queries.cases_page(
        _partner_id(),
        queries.CaseFilters(status, (args.get("service") or "")[:50] or None, since),
        after=after,
        limit=limit,
    )
    return jsonify({"cases": [_summary(c) for c in page.cases], "next_cursor": page.next_cursor})


@bp.route("/cases/<reference>")
@with_api_key
def read_case(reference: str):
    return jsonify(_detail(_case_for_partner(reference)))


@bp.route("/cases/<reference>/updates", methods=["POST"])
@with_api_key
def post_update(reference: str):
    case = _case_for_partner(reference)
    body = json_body()
    fields: dict[str, str] = {}
    status = body.get("status")
    if status not in actions.STATUSES:
        fields["status"] = f"Use one of: {', '.join(actions.STATUSES)}"
    texts = {}
    for name in ("public_note", "internal_note", "your_reference", "update_id"):
        value = body.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            fields[name] = "Give text"
        elif len(value) > (
            actions.REFERENCE_MAX if name in ("your_reference", "update_id") else actions.NOTE_MAX
        ):
            fields[name] = "This is too long"
        texts[name] = value if isinstance(value, str) else ""
    at = clock.now()
    if body.get("updated_at") is not None:
        if isinstance(body["updated_at"], str):
            at = _aware("updated_at", body["updated_at"], fields) or at
        else:
            fields["updated_at"] = "Give a date and time in ISO 8601"
    if fields:
        raise invalid(fields)
    outcome = _act(actions.post_update, case, status=status, at=at, **texts)
    db.session.commit()
    db.session.refresh(case)
    return jsonify({"outcome": outcome, "case": _detail(case)}), (
        201 if outcome == "applied" else 200
    )


@bp.route("/cases/<reference>/accept", methods=["POST"])
@with_api_key
def accept(reference: str):
    """The partner will deliver this case (the same as an update with status 'accepted')."""
    case = _case_for_partner(reference)
    outcome = _act(actions.accept, case)
    db.session.commit()
    db.session.refresh(case)
    return jsonify({"outcome": outcome, "case": _detail(case)})


@bp.route("/cases/<reference>/reject", methods=["POST"])
@with_api_key
def reject(reference: str):
    """Not ours to deliver: the case goes back to the front office to be routed again."""
    case = _case_for_partner(reference)
    reason = json_body().get("reason")
    if not isinstance(reason, str):
        raise invalid({"reason": "Say why your partner cannot deliver this case"})
    _act(actions.reject, case, reason)
    db.session.commit()
    return jsonify({"reference": case.reference, "returned_to": "front office triage"})


def _act(action: Callable[..., Any], case: Case, *args: Any, **kwargs: Any) -> Any:
    """One of the partner's actions as the key's partner, its refusals as API errors."""
    actor = Actor.system(f"partner:{g.api_key.partner.code}")
    try:
        return action(actor, g.api_key.partner, case, *args, **kwargs)
    except actions.Invalid as refused:
        raise invalid({refused.field or "body": refused.message}) from None
    except actions.CaseClosed as refused:
        raise ApiError(409, "case_closed", refused.message) from None
    except actions.NotRouted as refused:
        raise ApiError(403, "forbidden", refused.message) from None


def json_body() -> dict[str, Any]:
    if (request.content_length or 0) > MAX_BODY:
        raise ApiError(413, "too_large", f"Send at most {MAX_BODY // 1024} KB")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "bad_json", "Send a JSON object with Content-Type: application/json")
    return body
