"""The staff address lookup: a page listing a postcode's addresses as radios, and JSON.

Other forms use it in one of two ways:

- Link to `gazetteer.lookup` with `return_to` (a /staff/ path of the calling form). The page
  asks for a postcode and lists its addresses as radios in a GET form whose action is
  return_to, so choosing one sends the browser back with `?uprn=...`; the calling form reads
  it with `queries.by_uprn` and fills its address fields. The "I cannot find the address in
  the list" link goes back with `?manual=1`: entering an address by hand is the calling
  form's job. Works without JavaScript.
- Or embed the radios in their own form with the macro in
  templates/staff/gazetteer/_address_radios.html, and, with JavaScript, fill a type-ahead from
  `gazetteer.lookup_json` (`?q=` a postcode or words of an address, `limit` up to 100).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Blueprint, render_template, request, url_for

from frontoffice.access.policy import Permission, requires
from frontoffice.customers.normalise import normalise_postcode
from frontoffice.gazetteer import queries
from frontoffice.gazetteer.forms import LookupForm
from frontoffice.gazetteer.keys import QUERY_MAX

bp = Blueprint("gazetteer", __name__, url_prefix="/staff")


def safe_return_to(value: str | None) -> str | None:
    """A path inside the staff UI, or None: never another site (no open redirect)."""
    if not value or len(value) > 500 or "\\" in value or not value.isprintable():
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path.startswith("/staff/"):
        return None
    return value


def with_params(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in params and k != "uprn"]
    return urlunsplit(parts._replace(query=urlencode(query + list(params.items()))))


@bp.route("/addresses")
@requires(Permission.CUSTOMER_SEARCH)
def lookup():
    submitted = "postcode" in request.args
    form = LookupForm(formdata=request.args if submitted else None)
    return_to = safe_return_to(request.args.get("return_to"))
    chosen = queries.by_uprn(request.args.get("uprn")) if request.args.get("uprn") else None
    addresses = None
    status = 200
    if submitted:
        if form.validate():
            addresses = queries.by_postcode(form.postcode.data)
        else:
            status = 422
    if return_to:
        # A GET form drops its action's query string: carry it in hidden fields.
        parts = urlsplit(return_to)
        choose_action = urlunsplit(parts._replace(query=""))
        choose_params = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("uprn", "manual")]
    else:
        choose_action = url_for("gazetteer.lookup")
        choose_params = [("postcode", form.postcode.data or "")]
    return render_template(
        "staff/gazetteer/lookup.html",
        form=form,
        addresses=addresses,
        chosen=chosen,
        return_to=return_to,
        choose_action=choose_action,
        choose_params=choose_params,
        manual_href=with_params(return_to, manual="1") if return_to else None,
        postcode=normalise_postcode(form.postcode.data) if addresses is not None else None,
    ), status


@bp.route("/addresses.json")
@requires(Permission.CUSTOMER_SEARCH)
def lookup_json():
    q = request.args.get("q", "").strip()
    if not q:
        return _bad_request("missing_query", "Enter a postcode or part of an address")
    if len(q) > QUERY_MAX:
        return _bad_request("query_too_long", f"Search must be {QUERY_MAX} characters or fewer")
    limit_text = request.args.get("limit", "20")
    if not limit_text.isdigit() or not 1 <= int(limit_text) <= queries.MAX_LIMIT:
        return _bad_request(
            "bad_limit", f"limit must be a whole number from 1 to {queries.MAX_LIMIT}"
        )
    addresses = queries.search(q, int(limit_text))
    return {"query": q, "addresses": [a.as_dict() for a in addresses]}


def _bad_request(code: str, message: str):
    return {"error": {"code": code, "message": message}}, 400
