"""Reads for the catalogue pages. Administrators see the whole catalogue (it holds no
resident's data), so there is no scope to apply."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from frontoffice.catalogue.models import Service, ServiceQuestion
from frontoffice.extensions import db
from frontoffice.partners.models import Partner


def services(group: str | None = None) -> Sequence[Service]:
    statement = (
        select(Service)
        .options(selectinload(Service.questions))
        .order_by(Service.group, Service.name)
    )
    if group:
        statement = statement.where(Service.group == group)
    return db.session.scalars(statement).all()


def groups() -> list[str]:
    return [
        g for g in db.session.scalars(select(Service.group).distinct().order_by(Service.group)) if g
    ]


def service(service_id: int) -> Service | None:
    return db.session.get(Service, service_id)


def question(service: Service, question_id: int) -> ServiceQuestion | None:
    found = db.session.get(ServiceQuestion, question_id)
    return found if found is not None and found.service_id == service.id else None


def partners() -> Sequence[Partner]:
    return db.session.scalars(select(Partner).order_by(Partner.name)).all()
