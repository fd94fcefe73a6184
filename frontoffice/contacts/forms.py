"""The form for logging a contact and raising up to five cases from it in one go."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovTextInput,
)
from wtforms import BooleanField, FieldList, Form, FormField, HiddenField, StringField
from wtforms.validators import Length

from frontoffice import clock
from frontoffice.cases.forms import (
    SUMMARY_MAX,
    ChoiceField,
    PlainText,
    channel_field,
    choices,
    clean_text,
    service_choices,
    text_area,
)
from frontoffice.cases.models import Channel
from frontoffice.catalogue.models import Service
from frontoffice.contacts.models import Direction
from frontoffice.contacts.operations import MAX_CASES_PER_CONTACT
from frontoffice.filters import LONDON

REASON_MAX = 2000
OUTCOME_MAX = 5000
LOCATION_MAX = 100
LONGEST_CONTACT = timedelta(hours=24)
CLOCK_SKEW = timedelta(minutes=1)
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


class CaseRowForm(Form):
    """One case to raise; a row left empty raises nothing. '{n}' becomes the row number."""

    service = ChoiceField(
        "Service",
        widget=GovSelect(),
        coerce=int,
        required=False,
        message="Select a service from the list for case {n}",
    )
    summary = text_area(
        "Summary",
        required=None,
        max_length=SUMMARY_MAX,
        what="The summary for case {n}",
    )


class FixedRows(FieldList):
    """Exactly `rows` entries named by position (cases-0 … cases-4).

    FieldList renumbers the rows it finds in the form data and then tops them up, so a form
    that skips a row would read one row twice; here row n is always cases-n, whatever is sent.
    """

    def __init__(self, unbound_field: Any, rows: int, **kwargs: Any) -> None:
        super().__init__(unbound_field, min_entries=rows, max_entries=rows, **kwargs)

    def process(self, formdata: Any, data: Any = None, extra_filters: Any = None) -> None:
        self.entries = []
        self.last_index = -1
        self.object_data = data
        for index in range(self.min_entries):
            self._add_entry(formdata, index=index)


def _time_field(label: str, hint: str) -> StringField:
    return StringField(
        label,
        widget=GovTextInput(),
        description=hint,
        filters=[clean_text],
        validators=[Length(max=5, message=f"Enter the {label.lower()} like 14:05")],
    )


class ContactForm(FlaskForm):
    channel = channel_field()
    location = StringField(
        "Which one-stop shop?",
        widget=GovTextInput(),
        filters=[clean_text],
        validators=[
            Length(
                max=LOCATION_MAX,
                message=f"The one-stop shop must be {LOCATION_MAX} characters or fewer",
            ),
            PlainText("The one-stop shop must not contain special characters", single_line=True),
        ],
    )
    direction = ChoiceField(
        "Who started the contact?",
        widget=GovRadioInput(),
        coerce=Direction,
        choices=choices([(Direction.INBOUND, "The customer"), (Direction.OUTBOUND, "We did")]),
        default=Direction.INBOUND,
        message="Select who started the contact",
    )
    reason = text_area(
        "Reason for the contact",
        required="Enter the reason for the contact",
        max_length=REASON_MAX,
        what="The reason",
    )
    outcome = text_area(
        "Outcome (optional)", required=None, max_length=OUTCOME_MAX, what="The outcome"
    )
    resolved_first_contact = BooleanField("Resolved at first contact", widget=GovCheckboxInput())
    started_at = HiddenField(validators=[Length(max=64)])
    start_time = _time_field("Start time", "Today, in 24-hour time, like 14:05")
    end_time = _time_field("End time", "Leave empty to use the time you save")
    cases = FixedRows(FormField(CaseRowForm), rows=MAX_CASES_PER_CONTACT)

    started: datetime | None = None
    ended: datetime | None = None
    rows_sent = 0

    def process(self, formdata: Any = None, obj: Any = None, data: Any = None, **kwargs: Any):
        wrapped = self.meta.wrap_formdata(self, formdata)
        if wrapped is not None:  # a tampered form may send more rows than the page offers
            indices = self.cases._extract_indices(self.cases.name, wrapped)
            self.rows_sent = max((i + 1 for i in indices), default=0)
        super().process(formdata, obj, data, **kwargs)

    def set_services(self, services: Iterable[Service]) -> None:
        options = service_choices(services, blank="No case")
        for row in self.cases:
            row.form.service.choices = options

    def case_rows(self) -> list[tuple[int, str]]:
        """(service id, summary) of each filled-in row, once the form is valid."""
        return [
            (row.form.service.data, row.form.summary.data)
            for row in self.cases
            if row.form.service.data is not None
        ]

    def validate(self, extra_validators: Any = None) -> bool:
        super().validate(extra_validators=extra_validators)
        if self.rows_sent > MAX_CASES_PER_CONTACT:
            self.form_errors.append(
                f"Raise no more than {MAX_CASES_PER_CONTACT} cases from one contact"
            )
        self._check_location()
        self._check_case_rows()
        self._check_times()
        return not self.errors

    def _check_location(self) -> None:
        walk_in = self.channel.data is Channel.WALK_IN
        if walk_in and not self.location.errors and not self.location.data:
            self.location.errors.append("Enter the one-stop shop the customer visited")

    def _check_case_rows(self) -> None:
        for n, row in enumerate(self.cases, start=1):
            service, summary = row.form.service, row.form.summary
            if service.data is not None and not summary.data and not summary.errors:
                summary.errors.append("Enter a summary for case {n}")
            if service.data is None and summary.data and not service.errors:
                service.errors.append("Select a service for case {n}")
            for field in (service, summary):
                field.errors[:] = [e.replace("{n}", str(n)) for e in field.errors]
        self.cases.errors = [row.errors for row in self.cases]
        if not any(self.cases.errors):
            self.cases.errors = []

    def _check_times(self) -> None:
        now = clock.now()
        started = self._opened_at(now)
        if self.start_time.data:
            started = self._time_today(self.start_time, now)
            if started is not None and started > now:
                self.start_time.errors.append("The start time must be in the past")
                started = None
        elif started is None and not self.start_time.errors:
            self.start_time.errors.append(
                "We could not tell when the contact started. Enter the start time, like 14:05"
            )
        ended = now
        if self.end_time.data:
            ended = self._time_today(self.end_time, now)
            if ended is not None and ended > now + CLOCK_SKEW:
                self.end_time.errors.append("The end time must not be in the future")
                ended = None
        backwards = started is not None and ended is not None and ended < started
        if backwards and not self.end_time.errors:
            self.end_time.errors.append("The end time must be after the start time")
        self.started, self.ended = started, ended

    def _opened_at(self, now: datetime) -> datetime | None:
        """When the form was opened (the hidden field), if it is believable."""
        try:
            opened = datetime.fromisoformat(self.started_at.data or "")
        except ValueError:
            return None
        if opened.tzinfo is None or not now - LONGEST_CONTACT <= opened <= now + CLOCK_SKEW:
            return None
        return min(opened, now)

    @staticmethod
    def _time_today(field: StringField, now: datetime) -> datetime | None:
        match = _TIME.match(field.data or "")
        if match is None:
            if not field.errors:
                field.errors.append(f"Enter the {field.label.text.lower()} like 14:05")
            return None
        local = time(int(match.group(1)), int(match.group(2)))
        day = now.astimezone(LONDON).date()
        return datetime.combine(day, local, tzinfo=LONDON).astimezone(now.tzinfo)
