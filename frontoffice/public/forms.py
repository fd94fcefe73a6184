"""Forms for the resident pages: one question a page, GOV.UK messages by every field.

Every form posts with a CSRF token. The forms that create or reveal something (submitting a
request, tracking one) carry a honeypot field that people never see: a bot that fills it in is
refused.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import HiddenField, StringField
from wtforms.validators import Email

from frontoffice.customers.forms import (
    Radios,
    one_line,
    phone_check,
    postcode_check,
    radios,
    text_field,
)
from frontoffice.customers.models import Language

EMAIL_MESSAGE = "Enter an email address in the correct format, like name@example.com"
REPLY_BY = {"email": "By email", "phone": "By phone"}
LANGUAGES = {Language.ENGLISH.value: "English", Language.WELSH.value: "Cymraeg (Welsh)"}


class Honeypot:
    """A field hidden from people (display: none, so from screen readers too)."""

    website = StringField("Leave this empty", filters=[one_line])

    def is_bot(self) -> bool:
        return bool(self.website.data)


class ServiceSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(
        "Search for a service",
        filters=[one_line],
        description="For example, bin, pothole or council tax",
        widget=GovTextInput(),
    )


class StartForm(FlaskForm):
    """Starting a request for the service on the page: a POST, so a link cannot start one."""


class PostcodeForm(FlaskForm):
    postcode = text_field(
        "Postcode",
        "Postcode",
        16,
        required="Enter a postcode",
        checks=[postcode_check],
        description="For example, NV1 2AB",
    )


class AddressChoiceForm(FlaskForm):
    uprn = Radios("Select the address", choices=[], invalid="Select the address")


class ManualAddressForm(FlaskForm):
    line_1 = text_field(
        "Address line 1",
        "Address line 1",
        200,
        required="Enter address line 1, typically the building and street",
    )
    line_2 = text_field("Address line 2 (optional)", "Address line 2", 200)
    town = text_field("Town or city (optional)", "Town or city", 100)
    postcode = text_field(
        "Postcode", "Postcode", 16, required="Enter a postcode", checks=[postcode_check]
    )


class ContactForm(FlaskForm):
    FIELDS = ("first_name", "last_name", "email", "phone", "reply_by", "language")

    first_name = text_field(
        "First name", "First name", 100, required="Enter your first name", name=True
    )
    last_name = text_field(
        "Last name", "Last name", 100, required="Enter your last name", name=True
    )
    email = text_field(
        "Email address",
        "Email address",
        254,
        checks=[Email(message=EMAIL_MESSAGE)],
        description="We will send your reference and updates to this address",
    )
    phone = text_field(
        "Phone number",
        "Phone number",
        40,
        checks=[phone_check],
        description="For example, 07700 900 982",
    )
    reply_by = radios(
        "How would you like to hear back from us?",
        REPLY_BY,
        "email",
        "Select how you would like to hear back from us",
    )
    language = radios(
        "Which language should we write to you in?",
        LANGUAGES,
        Language.ENGLISH.value,
        "Select English or Cymraeg",
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        needed = {
            "email": (self.email, "Enter your email address, or choose to hear back by phone"),
            "phone": (self.phone, "Enter your phone number, or choose to hear back by email"),
        }.get(self.reply_by.data)
        if needed and not needed[0].data and not needed[0].errors:
            needed[0].errors = [needed[1]]
            ok = False
        return ok


class CheckForm(Honeypot, FlaskForm):
    # The draft's token: a second post of the same page (a double click) finds the first case.
    token = HiddenField()


class TrackForm(Honeypot, FlaskForm):
    reference = text_field(
        "Reference",
        "Reference",
        20,
        required="Enter your reference",
        description="It starts FO- or LE-, for example FO-000123",
    )
    secret = text_field(
        "Email address or postcode",
        "Email address or postcode",
        254,
        required="Enter the email address or postcode you gave with your request",
        description="The one you gave when you made the request",
    )
