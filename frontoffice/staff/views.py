from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app, render_template, url_for
from flask_login import current_user

from frontoffice.access.policy import Permission, allows, requires

bp = Blueprint("staff", __name__, url_prefix="/staff")


@dataclass(frozen=True)
class NavItem:
    text: str
    endpoint: str
    permission: Permission

    @property
    def href(self) -> str:
        return url_for(self.endpoint)


NAVIGATION = (
    NavItem("Home", "staff.home", Permission.SIGNED_IN),
    NavItem("Your partner’s cases", "partner_ui.queue", Permission.PARTNER_WORK),
    NavItem("Find a customer", "customers.search", Permission.CUSTOMER_SEARCH),
    NavItem("Work queues", "cases.queue", Permission.QUEUE_VIEW),
    NavItem("Failed deliveries", "deliveries.failed", Permission.DELIVERY_MANAGE),
    NavItem("Triage", "deliveries.triage", Permission.DELIVERY_MANAGE),
    NavItem("Overdue", "deliveries.overdue", Permission.DELIVERY_MANAGE),
    NavItem("Life events", "life_events.attention", Permission.DELIVERY_MANAGE),
    NavItem("Chasing", "chasing.overdue", Permission.CHASE_MANAGE),
    NavItem("Duplicates", "duplicates.queue", Permission.IDENTITY_REVIEW),
    NavItem("Staff users", "admin.users", Permission.ADMINISTER),
    NavItem("Service catalogue", "catalogue.services", Permission.ADMINISTER),
    NavItem("Routing rules", "routing_admin.rules", Permission.ADMINISTER),
    NavItem("Tell us once rules", "tell_rules.rules", Permission.ADMINISTER),
    NavItem("Partner systems", "routing_admin.adapters", Permission.ADMINISTER),
)


@bp.app_context_processor
def navigation():
    def staff_navigation() -> list[NavItem]:
        return [
            item
            for item in NAVIGATION
            if allows(current_user, item.permission) and item.endpoint in current_app.view_functions
        ]

    return {"staff_navigation": staff_navigation}


@bp.route("/")
@requires(Permission.SIGNED_IN)
def home():
    return render_template("staff/home.html")
