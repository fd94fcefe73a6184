"""The services on offer and their questions, as plain data kept per process
(frontoffice.config_cache): what accepting a resident's request checks the draft against,
without reading the catalogue on every post. A change to a service or a question (any
process, the admin pages, an import) bumps the stamp, so the next post checks against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, lazyload

from frontoffice import config_cache
from frontoffice.catalogue.models import QuestionType, Service
from frontoffice.extensions import db


@dataclass(frozen=True)
class OfferedQuestion:
    """What catalogue.answers.clean_answers reads of a ServiceQuestion."""

    id: int
    code: str
    label: str
    datatype: QuestionType
    required: bool
    order: int
    values: tuple[dict[str, Any], ...]
    active: bool = True


@dataclass(frozen=True)
class OfferedService:
    """An active service and its active questions, in the order they are asked."""

    id: int
    code: str
    name: str
    active_questions: tuple[OfferedQuestion, ...]
    active: bool = True


def offered(code: str) -> OfferedService | None:
    """The active service with this code, as the catalogue stands in this transaction."""
    kept = config_cache.cached("offered_services", _read_all)
    if kept is None:  # this transaction changed the set-up: read as it stands
        return _read_all(Service.code == code[:40]).get(code)
    return kept.get(code)


def _read_all(*where) -> dict[str, OfferedService]:
    services = db.session.scalars(
        select(Service)
        .where(Service.active, *where)
        .options(joinedload(Service.questions), lazyload(Service.owning_partner))
    ).unique()
    return {s.code: _offered(s) for s in services}


def _offered(service: Service) -> OfferedService:
    return OfferedService(
        id=service.id,
        code=service.code,
        name=service.name,
        active_questions=tuple(
            OfferedQuestion(
                id=q.id,
                code=q.code,
                label=q.label,
                datatype=q.datatype,
                required=q.required,
                order=q.order,
                values=tuple(dict(v) for v in q.values or ()),
            )
            for q in service.active_questions
        ),
    )
