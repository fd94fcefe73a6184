"""The postcode box of the address lookup."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length, StopValidation

from frontoffice.customers.normalise import normalise_postcode


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _real_postcode(form, field) -> None:
    if normalise_postcode(field.data) is None:
        raise StopValidation("Enter a real postcode, like NV1 2AB")


class LookupForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search that changes nothing

    postcode = StringField(
        "Postcode",
        filters=[_strip],
        validators=[
            DataRequired(message="Enter a postcode"),
            Length(max=10, message="Enter a real postcode, like NV1 2AB"),
            _real_postcode,
        ],
        widget=GovTextInput(),
    )
    submit = SubmitField("Find address", widget=GovSubmitInput())
