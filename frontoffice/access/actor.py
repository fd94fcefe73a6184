"""Who is acting, as domain code sees it: no Flask inside operations."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    label: str
    ip_address: str = ""

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(user_id=None, label=label)


def current_actor() -> Actor:
    from flask import request
    from flask_login import current_user

    ip = request.remote_addr or ""  # behind a proxy, ProxyFix (FRONTOFFICE_PROXIES) sets this
    if current_user.is_authenticated:
        return Actor(user_id=current_user.id, label=current_user.email, ip_address=ip[:45])
    return Actor(user_id=None, label="anonymous", ip_address=ip[:45])
