"""Forms for raising and working cases, and the field helpers the contacts forms share."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
)
from wtforms import BooleanField, Form, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, StopValidation, ValidationError

from frontoffice.accounts.models import StaffUser
from frontoffice.cases.models import Channel, Priority
from frontoffice.cases.status import CaseStatus
from frontoffice.catalogue.models import Service
from frontoffice.formkit import CONTROL
from frontoffice.partners.models import Partner

SUMMARY_MAX = 2000
NOTE_MAX = 5000
REASON_MAX = 1000
UNASSIGN = "none"

_CONTROL_OR_NEWLINE = re.compile(r"[\x00-\x1f\x7f]")


def clean_text(value: Any) -> Any:
    """Trim, and turn the browser's CRLF into LF."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return value


class PlainText:
    """Refuses control characters (PostgreSQL cannot even store NUL); text of any script and
    emoji are welcome."""

    def __init__(self, message: str, *, single_line: bool = False) -> None:
        self.message = message
        self.pattern = _CONTROL_OR_NEWLINE if single_line else CONTROL

    def __call__(self, form: Any, field: Any) -> None:
        if isinstance(field.data, str) and self.pattern.search(field.data):
            raise ValidationError(self.message)


def _optional(coerce: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        if value is None or value == "":
            return None
        return coerce(value)

    return convert


class ChoiceField(SelectField):
    """A select or radios whose missing, malformed or unknown value gets one clear message."""

    def __init__(
        self,
        label: str | None = None,
        validators: list | None = None,
        *,
        message: str,
        coerce: Callable[[Any], Any] = str,
        required: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            label,
            validators,
            coerce=_optional(coerce),
            invalid_value_message=message,
            invalid_choice_message=message,
            **kwargs,
        )
        self.message = message
        self.required = required

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:
            raise StopValidation()
        if self.data is None:
            if self.required:
                raise StopValidation(self.message)
            return
        if not any(choice.selected for choice in self._iter_choices_normalized()):
            raise StopValidation(self.message)


def choices(pairs: Iterable[tuple[Any, str]], blank: str | None = None) -> list[SelectChoice]:
    options = [SelectChoice(value="", label=blank)] if blank is not None else []
    return options + [SelectChoice(value=value, label=label) for value, label in pairs]


def service_choices(services: Iterable[Service], blank: str = "Select a service"):
    return choices(((s.id, s.name) for s in services), blank=blank)


def text_area(label: str, *, required: str | None, max_length: int, what: str, **kw: Any):
    validators: list[Any] = [DataRequired(message=required)] if required else []
    validators += [
        Length(max=max_length, message=f"{what} must be {max_length:,} characters or fewer"),
        PlainText(f"{what} must not contain special characters"),
    ]
    kw.setdefault("default", "")
    return TextAreaField(
        label, widget=GovTextArea(), filters=[clean_text], validators=validators, **kw
    )


PRIORITY_CHOICES = choices((p, p.value.capitalize()) for p in Priority)
CHANNEL_CHOICES = choices((c, c.label) for c in Channel)


def channel_field() -> ChoiceField:
    return ChoiceField(
        "How did the customer get in touch?",
        widget=GovRadioInput(),
        coerce=Channel,
        choices=CHANNEL_CHOICES,
        default=Channel.PHONE,
        message="Select how the customer got in touch",
    )


class NewCaseForm(FlaskForm):
    service = ChoiceField(
        "Service", widget=GovSelect(), coerce=int, message="Select a service from the list"
    )
    summary = text_area(
        "Summary of the request",
        required="Enter a summary of the request",
        max_length=SUMMARY_MAX,
        what="Summary",
        description="What the customer is asking for, in their words where you can",
    )
    priority = ChoiceField(
        "Priority",
        widget=GovRadioInput(),
        coerce=Priority,
        choices=PRIORITY_CHOICES,
        default=Priority.NORMAL,
        message="Select a priority",
    )
    channel = channel_field()

    def set_services(self, services: Iterable[Service]) -> None:
        self.service.choices = service_choices(services)


class NoteForm(FlaskForm):
    note = text_area("Add a note", required="Enter a note", max_length=NOTE_MAX, what="Note")


class StatusForm(FlaskForm):
    """Validates against every status; the page offers only the allowed transitions and the
    operation refuses the rest (a stale or tampered form)."""

    status = ChoiceField(
        "New status",
        widget=GovSelect(),
        coerce=CaseStatus,
        choices=choices(((s, s.label) for s in CaseStatus), blank="Select a new status"),
        message="Select a new status",
    )
    status_note = text_area(
        "Why (optional)", required=None, max_length=NOTE_MAX, what="The note about the status"
    )

    def offer(self, allowed: Iterable[CaseStatus]) -> None:
        order = list(CaseStatus)
        ordered = sorted(allowed, key=order.index)
        self.status.choices = choices(((s, s.label) for s in ordered), "Select a new status")


class ReassignForm(FlaskForm):
    assignee = ChoiceField(
        "Assign to", widget=GovSelect(), message="Select someone from the list to assign it to"
    )
    reason = text_area("Reason (optional)", required=None, max_length=REASON_MAX, what="The reason")

    def offer(self, people: Iterable[StaffUser], *, assigned: bool) -> None:
        pairs = [(str(p.id), f"{p.name} – {p.role.label}, {p.partner.name}") for p in people]
        if assigned:
            pairs.append((UNASSIGN, "Nobody – return it to the team’s queue"))
        self.assignee.choices = choices(pairs, blank="Select a person")


class QueueFilterForm(Form):
    """The queue's filters: a GET form, so no CSRF token and no JavaScript."""

    status = ChoiceField(
        "Status",
        widget=GovSelect(),
        choices=choices(
            [("open", "Any open status"), ("all", "Any status")]
            + [(s.value, s.label) for s in CaseStatus]
        ),
        default="open",
        message="Select a status from the list",
    )
    service = ChoiceField(
        "Service",
        widget=GovSelect(),
        coerce=int,
        required=False,
        message="Select a service from the list",
    )
    partner = ChoiceField(
        "Owning partner",
        widget=GovSelect(),
        coerce=int,
        required=False,
        message="Select a partner from the list",
    )
    overdue = BooleanField("Overdue only", widget=GovCheckboxInput())

    def set_options(self, services: Iterable[Service], partners: Iterable[Partner]) -> None:
        self.service.choices = service_choices(services, blank="Any service")
        self.partner.choices = choices(((p.id, p.name) for p in partners), blank="Any partner")
