from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import HiddenField, SubmitField
from wtforms.validators import DataRequired, Regexp

from frontoffice.customers.forms import long_text


class ChaseNowForm(FlaskForm):
    # The chase this click makes: a second click (or another supervisor's) finds it made.
    number = HiddenField(
        validators=[
            DataRequired(message="The page was out of date: try again"),
            Regexp(r"^[1-9][0-9]{0,3}$", message="The page was out of date: try again"),
        ]
    )
    submit = SubmitField("Chase now", widget=GovSubmitInput())


class StopForm(FlaskForm):
    reason = long_text("Why stop chasing?", "Reason", required="Enter why chasing should stop")
    submit = SubmitField("Stop chasing", widget=GovSubmitInput())
