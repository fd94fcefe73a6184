"""Supervisors' forms for a web request not raised: raise it now (under another service when
its own was withdrawn), or close it with a reason the resident is sent."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovSelect, GovSubmitInput
from wtforms import HiddenField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

from frontoffice.customers.forms import Characters, many_lines
from frontoffice.public.unraised import REASON_MAX

OUT_OF_DATE = "The page was out of date: open the request again"


def _seen() -> HiddenField:
    # The request's attempts as the page showed it: a second click finds the row changed.
    return HiddenField(
        validators=[
            DataRequired(message=OUT_OF_DATE),
            Regexp(r"^(0|[1-9][0-9]{0,5})$", message=OUT_OF_DATE),
        ]
    )


class RaiseForm(FlaskForm):
    seen = _seen()
    service_id = SelectField(
        "Raise it under",
        choices=[],
        validate_choice=False,  # checked against the live services in the view
        widget=GovSelect(),
    )
    submit = SubmitField("Raise now", widget=GovSubmitInput())


class CloseForm(FlaskForm):
    seen = _seen()
    reason = TextAreaField(
        "Why can it not be taken forward?",
        description="The resident is sent this, in an email and on the tracking page.",
        filters=[many_lines],
        validators=[
            DataRequired(message="Enter why the request cannot be taken forward"),
            Length(max=REASON_MAX, message=f"The reason must be {REASON_MAX} characters or fewer"),
            Characters("The reason", newlines=True),
        ],
        widget=GovCharacterCount(),
    )
    submit = SubmitField("Close and tell the resident", widget=GovSubmitInput())
