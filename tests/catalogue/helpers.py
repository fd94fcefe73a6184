from __future__ import annotations

from frontoffice.catalogue.models import QuestionType, ServiceQuestion

BINS = [
    {"key": "grey", "name": "Grey bin"},
    {"key": "blue", "name": "Blue bin"},
    {"key": "food", "name": "Food caddy"},
]


def question(
    code: str,
    datatype: str,
    *,
    required: bool = False,
    values=None,
    order: int = 0,
    active: bool = True,
    label: str | None = None,
) -> ServiceQuestion:
    """An unsaved question, for the pure functions."""
    return ServiceQuestion(
        id=order + 1,
        code=code,
        label=label or f"Question {code}?",
        datatype=QuestionType(datatype),
        required=required,
        order=order,
        hint="",
        values=list(values or []),
        active=active,
    )
