"""Forms of the partner UI: the queue's filters and the partner's actions on a case."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovTextInput
from wtforms import HiddenField, StringField
from wtforms.validators import Regexp

from frontoffice.cases.forms import (
    ChoiceField,
    QueueFilterForm,
    choices,
    clean_text,
    service_choices,
    text_area,
)
from frontoffice.catalogue.models import Service
from frontoffice.formkit import Text
from frontoffice.partner_api.actions import NOTE_MAX, REFERENCE_MAX

# What the update form offers; closing has its own form, which asks for the outcome.
UPDATE_STATUSES = (
    ("acknowledged", "Acknowledged"),
    ("in_progress", "In progress"),
    ("waiting", "Waiting"),
)


class FilterForm(QueueFilterForm):
    """The queue's filters (a GET form): status, service and overdue, not the owning partner."""

    partner = None  # type: ignore[assignment]

    def set_services(self, services: Iterable[Service]) -> None:
        self.service.choices = service_choices(services, blank="Any service")


class ActionForm(FlaskForm):
    """A form whose button does one thing. Its update id, made when the page is drawn, makes
    a second press (or a resubmitted page) a repeat that changes nothing."""

    update_id = HiddenField(
        default=lambda: f"ui-{uuid.uuid4().hex}",
        validators=[
            Regexp(
                rf"^[A-Za-z0-9-]{{1,{REFERENCE_MAX}}}$",
                message="This form was damaged: reload the page and try again",
            )
        ],
    )


def _note(label: str, what: str, *, required: str | None = None, hint: str = ""):
    return text_area(label, required=required, max_length=NOTE_MAX, what=what, description=hint)


class UpdateForm(ActionForm):
    status = ChoiceField(
        "Status",
        widget=GovRadioInput(),
        choices=choices(UPDATE_STATUSES),
        message="Select a status",
    )
    public_note = _note(
        "Note for the resident (optional)",
        "The note for the resident",
        hint="We email this to the resident and show it to advisers",
    )
    internal_note = _note(
        "Internal note (optional)",
        "The internal note",
        hint="Only partnership staff see this",
    )
    your_reference = StringField(
        "Your reference (optional)",
        widget=GovTextInput(),
        filters=[clean_text],
        description="Your own system’s reference for this case",
        validators=[Text("Your reference", REFERENCE_MAX, one_line=True)],
    )


class CloseForm(ActionForm):
    outcome = _note(
        "What was done",
        "What was done",
        required="Say what was done",
        hint="We email this to the resident",
    )
    internal_note = _note(
        "Internal note (optional)",
        "The internal note",
        hint="Only partnership staff see this",
    )


class RejectForm(FlaskForm):
    reason = _note(
        "Why your partner cannot deliver this case",
        "The reason",
        required="Say why your partner cannot deliver this case",
        hint="The front office routes the case again",
    )
