from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput, GovTextArea
from wtforms import SelectMultipleField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length


class RouteForm(FlaskForm):
    partner_ids = SelectMultipleField(
        "Which partner should deliver this case?",
        coerce=int,
        widget=GovCheckboxesInput(),
        validators=[DataRequired(message="Select at least one partner")],
    )
    reason = TextAreaField(
        "Why",
        widget=GovTextArea(),
        validators=[
            DataRequired(message="Enter why you are routing this case"),
            Length(max=500, message="Reason must be 500 characters or fewer"),
        ],
    )
    submit = SubmitField("Route case", widget=GovSubmitInput())


class RetryForm(FlaskForm):
    submit = SubmitField("Send again", widget=GovSubmitInput())
