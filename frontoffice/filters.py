"""Jinja filters and helpers: dates and times in UK style and time zone, labels, status tags,
and links to pages that may not exist."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app, url_for
from werkzeug.routing import BuildError

from frontoffice.cases.status import CaseStatus

LONDON = ZoneInfo("Europe/London")


def uk_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LONDON).date()
    return f"{value.day} {value:%B %Y}"


def uk_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    return f"{local.day} {local:%b %Y} {local:%H:%M}"


def label(value: object) -> str:
    text = getattr(value, "value", value)
    return str(text).replace("_", " ").capitalize() if text is not None else ""


STATUS_TAG_CLASSES = {
    CaseStatus.NEW: "govuk-tag--blue",
    CaseStatus.IN_PROGRESS: "govuk-tag--light-blue",
    CaseStatus.WAITING_ON_CUSTOMER: "govuk-tag--yellow",
    CaseStatus.WAITING_ON_PARTNER: "govuk-tag--orange",
    CaseStatus.RESOLVED: "govuk-tag--green",
    CaseStatus.CLOSED: "govuk-tag--grey",
    CaseStatus.CANCELLED: "govuk-tag--grey",
}


def status_tag_class(status: CaseStatus) -> str:
    return STATUS_TAG_CLASSES.get(status, "")


def optional_url(endpoint: str, **values: Any) -> str | None:
    """A link to a page the app may not have (a package left out): None when it is missing."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def register(app: Flask) -> None:
    app.jinja_env.filters["uk_date"] = uk_date
    app.jinja_env.filters["uk_datetime"] = uk_datetime
    app.jinja_env.filters["label"] = label
    app.jinja_env.globals["status_tag_class"] = status_tag_class
    app.jinja_env.globals["optional_url"] = optional_url
