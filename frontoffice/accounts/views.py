from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from frontoffice import clock
from frontoffice.access.actor import current_actor
from frontoffice.access.policy import Permission, allows, public, requires
from frontoffice.accounts import operations
from frontoffice.accounts.forms import SignInForm
from frontoffice.audit import operations as audit
from frontoffice.extensions import db, limiter

bp = Blueprint("accounts", __name__)

LAST_SEEN = "last_seen"


def expire_idle_sessions():
    """A session left idle longer than the configured minutes is signed out.

    The session cookie's signature carries the same limit (PERMANENT_SESSION_LIFETIME, refreshed
    on every request), so Flask usually drops an idle session before this runs; this check is
    the server-side backstop and the place that says why.
    """
    endpoint = request.endpoint or ""
    if endpoint == "static" or endpoint.endswith(".static") or not current_user.is_authenticated:
        return None
    now = clock.now().timestamp()
    last_seen = session.get(LAST_SEEN)
    idle_limit = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    if last_seen is not None and now - float(last_seen) > idle_limit:
        logout_user()
        session.clear()
        flash("You were signed out because you were inactive. Sign in again.", "info")
        back = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("accounts.sign_in", next=back))
    session[LAST_SEEN] = now
    return None


@bp.record_once
def _expire_idle_sessions_first(state) -> None:
    # Before the permission guard and CSRF check: an idle session is signed out whatever
    # page it asks for, rather than being told it may not see one.
    state.app.before_request_funcs.setdefault(None, []).insert(0, expire_idle_sessions)


def _home() -> str:
    """Where a user starts: partner staff at their partner's queue, everyone else at /staff/."""
    if allows(current_user, Permission.PARTNER_WORK):
        return url_for("partner_ui.queue")
    return url_for("staff.home")


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never another host, however disguised.

    Browsers read a backslash as a slash and drop tabs and newlines, so a path such as
    "/<backslash>evil.example" would leave the site: anything with those is refused too.
    """
    home = _home()
    if not target or not target.startswith("/") or target.startswith("//"):
        return home
    if "\\" in target or any(ord(c) < 0x21 or ord(c) == 0x7F for c in target):
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return home
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit("20 per minute", methods=["POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(_home())
    form = SignInForm()
    locked = False
    if form.validate_on_submit():
        result = operations.authenticate(
            form.email.data,
            form.password.data,
            actor_ip=current_actor().ip_address,
            max_attempts=current_app.config["LOCKOUT_ATTEMPTS"],
            lockout_minutes=current_app.config["LOCKOUT_MINUTES"],
        )
        db.session.commit()
        if result.user is not None:
            session.clear()
            session.permanent = True
            login_user(result.user)
            session[LAST_SEEN] = clock.now().timestamp()
            return redirect(_safe_next(request.args.get("next")))
        locked = result.locked
        message = (
            "This account is locked after too many failed attempts. Try again later "
            "or ask an administrator."
            if locked
            else "Enter a correct email address and password"
        )
        form.email.errors = [*form.email.errors, message]
    status = 200 if request.method == "GET" or form.errors == {} else 422
    return render_template("accounts/sign_in.html", form=form, locked=locked), status


@bp.route("/sign-out", methods=["POST"])
@requires(Permission.SIGNED_IN)
def sign_out():
    audit.record(current_actor(), "signed_out", "staff_user", current_user.id)
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("accounts.sign_in"))
