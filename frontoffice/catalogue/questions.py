"""A service's questions as a form, and its answers as a dict {code: value}.

- build_form(questions) makes a WTForms class with one GOV.UK field per active question, in
  order: string -> text input, text -> textarea, number -> text input read as a number,
  datetime -> GOV.UK date input plus a time box, singlevaluelist -> radios (a select over
  eight values), multivaluelist -> checkboxes. A question's field is named `q_<code>` (its
  time box `q_<code>-time`), so no code can clash with the form's own attributes.
- answers_from_form(form, questions) turns a validated form into answers: strings, numbers
  (int or float), ISO 8601 datetimes with the UK offset, a key, or a list of keys.
- validate_answers / clean_answers (from answers.py, re-exported here) check answers that
  arrive any other way (the partner API, Open311 `attribute[code]`): pure, no Flask.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import Field, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation, ValidationError

from frontoffice.catalogue.answers import (  # noqa: F401 - validate/clean re-exported
    CONTROL,
    NUMBER_MAX,
    STRING_MAX,
    TEXT_MAX,
    clean_answers,
    clean_text,
    iso,
    number_value,
    parse_number,
    validate_answers,
)
from frontoffice.catalogue.models import QuestionType, ServiceQuestion

LONDON = ZoneInfo("Europe/London")
RADIOS_MAX = 8  # more values than this are a select
_TIME = re.compile(r"^([01]?[0-9]|2[0-3])[:.]([0-5][0-9])$")


def field_name(code: str) -> str:
    return f"q_{code}"


def time_field_name(code: str) -> str:
    return f"q_{code}-time"


def _q(question: ServiceQuestion) -> str:
    return f"‘{question.label}’"


# Fields --------------------------------------------------------------------------------------


class NumberField(Field):
    """A text box read as a Decimal, with GOV.UK messages."""

    widget = GovTextInput()

    def __init__(self, label: str, *, message: str, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.message = message

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return str(self.data) if self.data is not None else ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        text = str(valuelist[0]).strip().replace(",", "") if valuelist else ""
        if text:
            self.data = parse_number(text)
            if self.data is None:
                raise ValueError(self.message)


class DateInputField(Field):
    """Day, month and year boxes read into a date."""

    widget = GovDateInput()

    def __init__(self, label: str, *, what: str, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.what = what

    def _value(self) -> str:
        return self.data.strftime("%d %m %Y") if self.data else ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        parts = [str(v).strip()[:8] for v in list(valuelist)[:3]]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts
        self.data = None
        if not any(parts):
            return
        missing = [n for n, v in zip(("day", "month", "year"), parts, strict=True) if not v]
        if missing:
            raise ValueError(f"{self.what} must include a {' and a '.join(missing)}")
        if not all(p.isascii() and p.isdigit() for p in parts) or len(parts[2]) != 4:
            raise ValueError(f"{self.what} must be a real date")
        try:
            self.data = date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            raise ValueError(f"{self.what} must be a real date") from None


class _Choice:
    """Radios, select or checkboxes whose missing or unknown answer gets one clear message."""

    def __init__(self, *args: Any, required: str, invalid: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.required_message = required
        self.invalid = invalid

    def pre_validate(self, form: Any) -> None:
        keys = {str(choice.value) for choice in self.choices}
        chosen = self.data if isinstance(self.data, list) else [self.data] if self.data else []
        if not chosen:
            if self.required_message:
                raise StopValidation(self.required_message)
            return
        if any(c not in keys for c in chosen):
            raise StopValidation(self.invalid)


class ChoiceRadios(_Choice, RadioField):
    widget = GovRadioInput()


class ChoiceSelect(_Choice, SelectField):
    widget = GovSelect()


class MultiCheckboxField(_Choice, SelectMultipleField):
    widget = GovCheckboxesInput()


class _Rules:
    """Required or not, length and plain text, for the text fields."""

    def __init__(self, required: str, max_length: int, what: str, one_line: bool) -> None:
        self.required, self.max_length, self.what = required, max_length, what
        self.one_line = one_line

    def __call__(self, form: Any, field: Any) -> None:
        if not field.data:
            if self.required:
                raise StopValidation(self.required)
            return
        if len(field.data) > self.max_length:
            raise StopValidation(f"{self.what} must be {self.max_length:,} characters or fewer")
        if CONTROL.search(field.data) or (self.one_line and "\n" in field.data):
            raise StopValidation(f"{self.what} must not contain special characters")


class _TimeRules:
    def __init__(self, question: ServiceQuestion) -> None:
        self.question = question

    def __call__(self, form: Any, field: Any) -> None:
        day = form[field_name(self.question.code)]
        example = f"Enter a time for {_q(self.question)}, like 14:30"
        if not field.data:
            if day.data is not None:
                raise StopValidation(example)
            return
        if not _TIME.match(field.data):
            raise StopValidation(example)
        if day.data is None and not day.errors:
            raise ValidationError(f"Enter a date for {_q(self.question)}")


class _Present:
    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: Any, field: Any) -> None:
        if field.process_errors:
            raise StopValidation()
        if field.data is None and self.message:
            raise StopValidation(self.message)


class _NumberRange:
    def __init__(self, question: ServiceQuestion) -> None:
        self.question = question

    def __call__(self, form: Any, field: Any) -> None:
        if field.data is not None and abs(field.data) >= NUMBER_MAX:
            raise StopValidation(f"{_q(self.question)} must be less than 1,000,000,000,000")


# Building the form ---------------------------------------------------------------------------


def build_form(questions: Iterable[ServiceQuestion], base: type = FlaskForm) -> type:
    """A form class for the active questions, in their order."""
    attrs: dict[str, Any] = {}
    for question in sorted((q for q in questions if q.active), key=lambda q: (q.order, q.id or 0)):
        attrs.update(_fields(question))
    return type("QuestionsForm", (base,), attrs)


def _fields(q: ServiceQuestion) -> dict[str, Field]:
    name = field_name(q.code)
    hint = q.hint or None
    required = q.required
    kind = q.datatype
    if kind in (QuestionType.STRING, QuestionType.TEXT):
        limit = STRING_MAX if kind is QuestionType.STRING else TEXT_MAX
        rules = _Rules(
            f"Enter an answer to {_q(q)}" if required else "",
            limit,
            _q(q),
            one_line=kind is QuestionType.STRING,
        )
        if kind is QuestionType.STRING:
            return {
                name: StringField(
                    q.label,
                    description=hint,
                    filters=[clean_text],
                    validators=[rules],
                    widget=GovTextInput(),
                )
            }
        return {
            name: TextAreaField(
                q.label,
                description=hint,
                filters=[clean_text],
                validators=[rules],
                widget=GovTextArea(),
            )
        }
    if kind is QuestionType.NUMBER:
        return {
            name: NumberField(
                q.label,
                description=hint,
                message=f"{_q(q)} must be a number",
                validators=[
                    _Present(f"Enter a number for {_q(q)}" if required else ""),
                    _NumberRange(q),
                ],
            )
        }
    if kind is QuestionType.DATETIME:
        return {
            name: DateInputField(
                q.label,
                what=_q(q),
                description=hint or "For example, 27 3 2026",
                validators=[_Present(f"Enter a date for {_q(q)}" if required else "")],
            ),
            time_field_name(q.code): StringField(
                "Time",
                description="Use the 24-hour clock, for example 14:30",
                filters=[clean_text],
                validators=[_TimeRules(q)],
                widget=GovTextInput(),
            ),
        }
    choices = [SelectChoice(v["key"], v["name"]) for v in q.values]
    if kind is QuestionType.MULTIVALUELIST:
        return {
            name: MultiCheckboxField(
                q.label,
                description=hint,
                choices=choices,
                required=f"Select at least one answer to {_q(q)}" if required else "",
                invalid=f"Select only the answers listed for {_q(q)}",
            )
        }
    common = {
        "description": hint,
        "required": f"Select an answer to {_q(q)}" if required else "",
        "invalid": f"Select one of the answers listed for {_q(q)}",
    }
    if len(choices) > RADIOS_MAX:
        return {
            name: ChoiceSelect(
                q.label, choices=[SelectChoice("", "Select an answer"), *choices], **common
            )
        }
    return {name: ChoiceRadios(q.label, choices=choices, **common)}


def answers_from_form(form: Any, questions: Iterable[ServiceQuestion]) -> dict[str, Any]:
    """{code: value} from a validated form; unanswered optional questions are left out."""
    answers: dict[str, Any] = {}
    for q in questions:
        if not q.active or field_name(q.code) not in form:
            continue
        data = form[field_name(q.code)].data
        if q.datatype is QuestionType.DATETIME:
            if data is not None:
                clock = form[time_field_name(q.code)].data
                hour, minute = (int(x) for x in _TIME.match(clock).groups())
                answers[q.code] = iso(datetime.combine(data, time(hour, minute), LONDON))
        elif q.datatype is QuestionType.NUMBER:
            if data is not None:
                answers[q.code] = number_value(data)
        elif q.datatype is QuestionType.MULTIVALUELIST:
            if data:
                order = [v["key"] for v in q.values]
                answers[q.code] = sorted(set(data), key=order.index)
        elif data:
            answers[q.code] = data
    return answers
