"""frontoffice: joined-up front-office case management for councils that share services."""

from __future__ import annotations

import logging
import os
from typing import Any

from flask import Flask, abort, render_template, request
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from frontoffice.extensions import csrf, db, limiter, login_manager, migrate
from frontoffice.settings import Settings

log = logging.getLogger(__name__)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    settings = Settings.from_env()
    app = Flask(__name__, static_folder="static", static_url_path="/assets")
    app.config.update(settings.flask_config())
    if config:
        app.config.update(config)
    app.extensions["frontoffice.settings"] = settings

    proxies = int(os.environ.get("FRONTOFFICE_PROXIES", "0"))
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]

    _templates(app)
    _extensions(app)
    _blueprints(app)
    _errors(app)
    _security_headers(app)

    from frontoffice import cli, worker

    cli.register(app)
    worker.init_app(app)
    return app


def _templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            PackageLoader("frontoffice"),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def partnership() -> dict[str, Any]:
        return {"partnership_name": app.config["PARTNERSHIP_NAME"]}

    def url_if_exists(endpoint: str, **values: Any) -> str | None:
        """A link to a page another package may not provide yet (or in this deployment)."""
        from flask import url_for

        return url_for(endpoint, **values) if endpoint in app.view_functions else None

    app.jinja_env.globals["url_if_exists"] = url_if_exists

    from govuk_frontend_wtf.main import WTFormsHelpers

    from frontoffice import filters

    WTFormsHelpers(app)
    filters.register(app)


def _extensions(app: Flask) -> None:
    from frontoffice import database, models  # noqa: F401 - every model, for metadata
    from frontoffice.partner_webhooks import events  # noqa: F401 - writes partners' webhook events

    db.init_app(app)
    database.configure_engine_events(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "..", "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    from frontoffice.access import guard
    from frontoffice.accounts import operations as accounts

    login_manager.user_loader(accounts.load_user)
    # The permission guard runs before CSRF: someone without the right learns nothing more.
    guard.install(app)
    csrf.init_app(app)
    from frontoffice import rate_limits

    # The guard of the resident pages reads the same setting (public/guard.py).
    app.config["RATELIMIT_STORAGE_URI"] = rate_limits.storage_uri(
        app.config.get("RATELIMIT_STORAGE_URI")
    )
    limiter.init_app(app)


def _blueprints(app: Flask) -> None:
    import frontoffice.partner_webhooks.views  # noqa: F401 - routes of the partner API's blueprint
    from frontoffice.accounts.views import bp as accounts_bp
    from frontoffice.admin.views import bp as admin_bp
    from frontoffice.audit.views import bp as audit_bp
    from frontoffice.cases.views import bp as cases_bp
    from frontoffice.catalogue.views import bp as catalogue_bp
    from frontoffice.chasing.views import bp as chasing_bp
    from frontoffice.contacts.views import bp as contacts_bp
    from frontoffice.customers.views import bp as customers_bp
    from frontoffice.dispatch.views import bp as deliveries_bp
    from frontoffice.gazetteer.views import bp as gazetteer_bp
    from frontoffice.life_events.admin_views import bp as tell_rules_bp
    from frontoffice.life_events.views import bp as life_events_bp
    from frontoffice.merging.views import bp as duplicates_bp
    from frontoffice.open311 import read_views  # noqa: F401 (its routes are on open311_bp)
    from frontoffice.open311.views import bp as open311_bp
    from frontoffice.partner_api.admin_views import bp as api_keys_bp
    from frontoffice.partner_api.views import bp as partner_api_bp
    from frontoffice.partner_ui.views import bp as partner_ui_bp
    from frontoffice.public.unraised_views import bp as web_requests_bp
    from frontoffice.public.views import bp as public_bp
    from frontoffice.routing_admin.views import bp as routing_admin_bp
    from frontoffice.staff.views import bp as staff_bp

    for bp in (
        accounts_bp,
        staff_bp,
        customers_bp,
        contacts_bp,
        cases_bp,
        audit_bp,
        admin_bp,
        deliveries_bp,
        gazetteer_bp,
        catalogue_bp,
        routing_admin_bp,
        tell_rules_bp,
        partner_api_bp,
        partner_ui_bp,
        api_keys_bp,
        open311_bp,
        life_events_bp,
        chasing_bp,
        duplicates_bp,
        web_requests_bp,
        public_bp,
    ):
        app.register_blueprint(bp)


def _errors(app: Flask) -> None:
    from werkzeug.exceptions import HTTPException

    from frontoffice.access.policy import public

    @app.before_request
    def refuse_nul_characters():
        """A query string's filters go straight into queries, and PostgreSQL refuses a NUL in
        any text: turn it away at the door, in each interface's own error format. (Form fields
        are checked by their forms, which say which field is wrong.)"""
        if any("\x00" in text for pair in request.args.items(multi=True) for text in pair):
            abort(400, "The request holds a NUL character, which no field may contain.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if request.path.startswith("/open311/"):
            from frontoffice.open311.formats import http_error as open311_error

            return open311_error(error)
        if request.path.startswith("/api/"):
            return {
                "error": {
                    "code": error.name.lower().replace(" ", "_"),
                    "message": error.description,
                }
            }, error.code
        template = (
            f"errors/{error.code}.html" if error.code in (403, 404, 429) else "errors/generic.html"
        )
        return render_template(template, error=error), error.code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return render_template("errors/500.html"), 500

    @app.route("/healthz")
    @public
    def healthz():
        from sqlalchemy import text

        db.session.execute(text("SELECT 1"))
        return {"status": "ok"}


def csp_nonce() -> str:
    import secrets

    from flask import g

    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _security_headers(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; "
            f"script-src 'self' 'nonce-{csp_nonce()}'; "
            "frame-ancestors 'none'; form-action 'self'",
        )
        if request.path.startswith("/staff") or request.path.startswith("/sign-in"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
