"""Checking a service's answers that arrive without a form (the partner API, Open311
`attribute[code]`), and the value rules the question forms share. Pure: no Flask.

clean_answers(questions, answers) -> (cleaned, errors) gives the answers in their stored
form: strings trimmed, numbers as int or float, datetimes as ISO 8601 with their offset, a
key, or a list of keys in the question's order. validate_answers gives just the errors,
{code: message}. Only active questions are asked; an answer to anything else is an error
unless allow_unknown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from frontoffice.catalogue.models import QuestionType, ServiceQuestion
from frontoffice.formkit import CONTROL

STRING_MAX = 500
TEXT_MAX = 5000
NUMBER_MAX = Decimal(10) ** 12


def clean_text(value: Any) -> Any:
    """Trimmed, with the browser's CRLF as LF."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return value


def parse_number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip()) if isinstance(value, str) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None


def number_value(number: Decimal) -> int | float:
    return int(number) if number == number.to_integral_value() else float(number)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def validate_answers(
    questions: Sequence[ServiceQuestion], answers: Mapping[str, Any], *, allow_unknown: bool = False
) -> dict[str, str]:
    """{code: message} for every answer that is missing or wrong; empty when all is well."""
    return clean_answers(questions, answers, allow_unknown=allow_unknown)[1]


def clean_answers(
    questions: Sequence[ServiceQuestion], answers: Mapping[str, Any], *, allow_unknown: bool = False
) -> tuple[dict[str, Any], dict[str, str]]:
    """(answers in their stored form, errors). Lists may come as one string or a list; numbers
    as numbers or numeric strings; datetimes as ISO 8601 with a time zone."""
    active = {q.code: q for q in questions if q.active}
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for code in answers:
        if code not in active and not allow_unknown:
            errors[str(code)[:50]] = "Not a question for this service"
    for code, q in active.items():
        value = answers.get(code)
        if (
            value is None
            or value == ""
            or value == []
            or (isinstance(value, str) and not value.strip())
        ):
            if q.required:
                errors[code] = "An answer is required"
            continue
        try:
            cleaned[code] = _clean_one(q, value)
        except ValueError as error:
            errors[code] = str(error)
    return cleaned, errors


def _clean_one(q: ServiceQuestion, value: Any) -> Any:
    kind = q.datatype
    keys = [v["key"] for v in q.values]
    if kind in (QuestionType.STRING, QuestionType.TEXT):
        if not isinstance(value, str):
            raise ValueError("Must be text")
        value = clean_text(value)
        limit = STRING_MAX if kind is QuestionType.STRING else TEXT_MAX
        if len(value) > limit:
            raise ValueError(f"Must be {limit:,} characters or fewer")
        if CONTROL.search(value) or (kind is QuestionType.STRING and "\n" in value):
            raise ValueError("Must not contain special characters")
        return value
    if kind is QuestionType.NUMBER:
        number = parse_number(value) if isinstance(value, str | int | float) else None
        if number is None:
            raise ValueError("Must be a number")
        if abs(number) >= NUMBER_MAX:
            raise ValueError("Must be less than 1,000,000,000,000")
        return number_value(number)
    if kind is QuestionType.DATETIME:
        if not isinstance(value, str) or len(value) > 40:
            raise ValueError("Must be an ISO 8601 date and time, like 2026-03-27T14:30:00+00:00")
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(
                "Must be an ISO 8601 date and time, like 2026-03-27T14:30:00+00:00"
            ) from None
        if moment.tzinfo is None:
            raise ValueError("Must include a time zone, like 2026-03-27T14:30:00+00:00")
        return iso(moment)
    if kind is QuestionType.SINGLEVALUELIST:
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if not isinstance(value, str) or value not in keys:
            raise ValueError(f"Must be one of: {', '.join(keys)}")
        return value
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValueError("Must be a list of answers")
    unknown = [v for v in values if v not in keys]
    if unknown:
        raise ValueError(f"Each answer must be one of: {', '.join(keys)}")
    return sorted(set(values), key=keys.index)
