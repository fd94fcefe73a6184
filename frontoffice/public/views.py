"""The resident pages: start, find a service, the confirmation, and tracking a request.

The question pages of the request journey are in request_views.py, on this blueprint.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, session, url_for

from frontoffice.access.policy import public
from frontoffice.extensions import db
from frontoffice.life_events.models import parse_reference as life_event_reference
from frontoffice.public import event_queries, guard, queries
from frontoffice.public.forms import ServiceSearchForm, StartForm, TrackForm

bp = Blueprint("public", __name__)

# Residents send short forms: anything bigger is refused before it is read.
MAX_BODY = 64 * 1024
DONE_KEY = "public_done"


@bp.before_request
def limit_body():
    request.max_content_length = MAX_BODY


@bp.after_request
def no_store(response):
    # Pages with a resident's answers or case must not be kept by a shared computer's cache.
    if request.endpoint not in ("public.start", "public.find"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.route("/")
@public
def start():
    return render_template("public/start.html")


@bp.route("/request/service")
@public
def find():
    services = queries.active_services()
    form = ServiceSearchForm(request.args)
    text = (form.q.data or "")[: queries.QUERY_MAX]
    group = request.args.get("group", "")[:100]
    results = None
    if text:
        results = queries.search_services(services, text)
    elif group:
        results = [s for s in services if s.group == group]
    return render_template(
        "public/find.html",
        search=form,
        text=text,
        group=group,
        groups=queries.groups(services),
        results=results,
    )


@bp.route("/request/service/<code>", methods=["GET", "POST"])
@public
def service(code: str):
    from frontoffice.public import drafts, journey
    from frontoffice.public.operations import JOURNEY

    found = queries.service_by_code(code)
    if found is None:
        abort(404)
    form = StartForm()
    if form.validate_on_submit():
        drafts.start(JOURNEY, {"service": found.code, "answers": {}})
        db.session.commit()
        return redirect(journey.first_url(found))
    return render_template("public/service.html", service=found, form=form)


@bp.route("/request/done")
@public
def done():
    made = session.get(DONE_KEY)
    if not isinstance(made, dict):
        return redirect(url_for("public.start"))
    return render_template("public/done.html", made=made)


@bp.route("/track", methods=["GET", "POST"])
@public
def track():
    form = TrackForm()
    if not form.validate_on_submit():
        return render_template("public/track.html", form=form), 400 if form.errors else 200
    if form.is_bot():
        abort(400)
    where = guard.address()
    reference = "ref:" + "".join(c for c in form.reference.data.upper() if c.isalnum())[:20]
    if not guard.hit("track", where) or not guard.allowed("guess_refuse", where, reference):
        abort(429)
    if not guard.allowed("guess_slow", where, reference):
        form.reference.errors = ["You have tried several times. Wait a minute, then try again"]
        return render_template("public/track.html", form=form), 429
    if life_event_reference(form.reference.data):
        found = event_queries.track_event(form.reference.data, form.secret.data)
    else:
        found = queries.track(form.reference.data, form.secret.data)
    if found is None:
        guard.hit("guess_slow", where, reference)
        guard.hit("guess_refuse", where, reference)
        form.reference.errors = [
            "We could not find a request with that reference and email address or postcode. "
            "Check both and try again"
        ]
        return render_template("public/track.html", form=form), 404
    if isinstance(found, event_queries.TrackedEvent):
        return render_template("public/events/tracked.html", event=found)
    return render_template("public/tracked.html", case=found)


# Routes on this blueprint.
from frontoffice.public import event_views, request_views  # noqa: E402, F401
