"""The before-request guard that enforces the declared permission of every view."""

from __future__ import annotations

from flask import Flask, abort, current_app, request
from flask_login import current_user

from frontoffice.access.policy import Permission, allows, declared_permission
from frontoffice.extensions import login_manager


def install(app: Flask) -> None:
    @app.before_request
    def enforce_declared_permission():
        if request.endpoint is None:
            return None  # 404 follows
        view = current_app.view_functions.get(request.endpoint)
        if request.endpoint == "static" or request.endpoint.endswith(".static"):
            return None
        permission = declared_permission(view)
        if permission is None:
            current_app.logger.error("view %s declares no permission", request.endpoint)
            abort(403)
        if permission in (Permission.PUBLIC, Permission.PARTNER_API):
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not allows(current_user, permission):
            abort(403)
        return None
