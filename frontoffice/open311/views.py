"""/open311/v2/: discovery, the service list and definitions, and new service requests
(read_views.py reads them back). Every route ends in .xml or .json; every error is the spec's
error list."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, request, url_for
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from frontoffice.access.actor import Actor
from frontoffice.access.policy import Permission, requires
from frontoffice.cases.models import format_reference
from frontoffice.catalogue.models import Service
from frontoffice.extensions import csrf, db
from frontoffice.open311 import submissions
from frontoffice.open311.formats import FORMATS, answer, errors
from frontoffice.partner_api import keys
from frontoffice.partner_api.models import ApiKey

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
ATTRIBUTE = re.compile(r"attribute\[([A-Za-z0-9_]{1,50})\](\[\])?")
TEXT_FIELDS = (
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "phone",
    "first_name",
    "last_name",
    "description",
    "media_url",
)
csrf.exempt(bp)
CHANGESET = "2026-11-29T00:00:00Z"
# An Open311 form is a few kilobytes; a photo goes by media_url, never in the body.
MAX_BODY = 64 * 1024


@bp.before_request
def _known_format():
    """Every route ends in .<fmt>: answer an unknown one before any view runs."""
    fmt = (request.view_args or {}).get("fmt")
    if fmt is not None and fmt not in FORMATS:
        return errors("xml", 404, f"format {fmt[:10]!r} is not offered: use .xml or .json")
    if (request.content_length or 0) > MAX_BODY:
        return _too_large(None)
    return None


def _fmt() -> str:
    return (request.view_args or {}).get("fmt") or "xml"


@bp.errorhandler(submissions.Refused)
def _refused(refused: submissions.Refused) -> Response:
    db.session.rollback()
    return errors(_fmt(), refused.status, refused.description)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error) -> Response:
    db.session.rollback()
    return errors(_fmt(), 400, f"The request is too large: send at most {MAX_BODY // 1024} KB")


def with_key(view: Callable) -> Callable:
    """The request's api_key (a query parameter on GET, a form field on POST), given to the
    view as `key`; without a valid one, the spec's 403."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any):
        source = request.form if request.method == "POST" else request.args
        key = keys.authenticate(source.get("api_key"))
        if key is None:
            db.session.rollback()
            return errors(_fmt(), 403, "api_key is missing, not valid, or revoked")
        return view(*args, key=key, **kwargs)

    return wrapper


@bp.route("/discovery.<fmt>")
@requires(Permission.PUBLIC)
def discovery(fmt: str):
    record = {
        "changeset": CHANGESET,
        "contact": "Ask the partnership's contact centre for an API key.",
        "key_service": "Keys are issued by the partnership's administrators.",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": url_for("open311.discovery", fmt="xml", _external=True).rsplit("/", 1)[0],
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return answer(fmt, "discovery", None, record)


def _active_services() -> list[Service]:
    return list(db.session.scalars(select(Service).where(Service.active).order_by(Service.code)))


@bp.route("/services.<fmt>")
@requires(Permission.PUBLIC)
def services(fmt: str):
    records = [
        {
            "service_code": s.code,
            "service_name": s.name,
            "description": s.description,
            "metadata": bool(s.active_questions),
            "type": "realtime",
            "keywords": ", ".join(k.strip() for k in s.keywords.split(",") if k.strip()),
            "group": s.group,
        }
        for s in _active_services()
    ]
    return answer(fmt, "services", "service", records)


@bp.route("/services/<code>.<fmt>")
@requires(Permission.PUBLIC)
def service_definition(code: str, fmt: str):
    service = db.session.scalar(
        select(Service).where(Service.code == code[:40].lower(), Service.active)
    )
    if service is None:
        return errors(fmt, 404, f"service_code {code[:40]!r} is not a service we offer")
    attributes = [
        {
            "variable": True,
            "code": q.code,
            "datatype": q.datatype.value,
            "required": q.required,
            "datatype_description": q.hint,
            "order": n,
            "description": q.label,
            "values": [{"key": v["key"], "name": v["name"]} for v in q.values],
        }
        for n, q in enumerate(service.active_questions, start=1)
    ]
    record = {"service_code": service.code, "attributes": attributes}
    return answer(fmt, "service_definition", None, record)


@bp.route("/requests.<fmt>", methods=["POST"])
@requires(Permission.PUBLIC)  # the Open311 api_key is checked by with_key
@with_key
def create_request(fmt: str, key: ApiKey):
    form = request.form
    attributes: dict[str, Any] = {}
    for name in form:
        match = ATTRIBUTE.fullmatch(name)
        if match:
            code, many = match.groups()
            attributes[code] = form.getlist(name) if many else form.get(name, "")
    sent = submissions.Submission(
        service_code=form.get("service_code", ""),
        attributes=attributes,
        **{f: form.get(f, "") for f in TEXT_FIELDS},
    )
    submission, _new = submissions.submit(Actor.system(f"open311:{key.prefix}"), key, sent)
    db.session.commit()
    reference = format_reference(submission.case_id)
    record = {
        "service_request_id": reference,
        "token": submission.token,
        "service_notice": f"Thank you. Your reference is {reference}.",
        "account_id": None,
    }
    return answer(fmt, "service_requests", "request", [record])
