"""Bare extension instances; create_app() binds them to an app."""

from flask import current_app, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_login.config import SESSION_KEYS
from flask_login.signals import session_protected
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()


class _LoginManager(LoginManager):
    """Flask-Login's "strong" session protection, only where someone is signed in.

    Flask-Login treats any non-empty session without its identifier as stolen: a resident's
    session (a draft's token, the CSRF token) "failed" on every request, so each page re-signed
    the session cookie and sent a cookie clearing a remember-me token nobody was given. With no
    one signed in and no remember-me cookie there is no one to sign out: skip the check.
    Where someone is, a session cookie sent from another browser or address signs them out.
    """

    def _session_protection_failed(self) -> bool:
        if "_user_id" not in session and self._remember_cookie_name() not in request.cookies:
            return False
        if session.permanent and session.get("_id") != self._session_identifier_generator():
            # Flask-Login only marks a permanent session "not fresh" when its browser and
            # address change, even in strong mode; staff sessions are permanent (for their
            # idle limit), so a cookie replayed from elsewhere would stay signed in.
            for key in SESSION_KEYS:
                session.pop(key, None)
            session["_remember"] = "clear"
            session_protected.send(current_app._get_current_object())
            return True
        return super()._session_protection_failed()

    @staticmethod
    def _remember_cookie_name() -> str:
        from flask_login.config import COOKIE_NAME

        return current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME)


login_manager = _LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
