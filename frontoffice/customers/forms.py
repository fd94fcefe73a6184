"""Forms for finding, creating and changing customers: a clear message by every field."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxInput,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, StopValidation

from frontoffice import clock
from frontoffice.customers import normalise
from frontoffice.customers.models import Language, PreferredChannel
from frontoffice.customers.search import MAX_QUERY_LENGTH

TEXT_LIMIT = 2000
EARLIEST_BIRTH = date(1900, 1, 1)
WARNING_CATEGORIES = (
    "Violence or threat of violence",
    "Verbal abuse",
    "Lone visit not advised",
    "Safeguarding concern",
    "Other risk to staff",
)
CHANNEL_LABELS = {
    PreferredChannel.PHONE: "Phone",
    PreferredChannel.EMAIL: "Email",
    PreferredChannel.LETTER: "Letter",
    PreferredChannel.SMS: "Text message",
}
LANGUAGE_LABELS = {Language.ENGLISH: "English", Language.WELSH: "Welsh (Cymraeg)"}


# Cleaning and checking text -----------------------------------------------------------------


def one_line(value: Any) -> Any:
    """NFC, trimmed, inner runs of spaces as one."""
    if not isinstance(value, str):
        return value
    return re.sub(" {2,}", " ", unicodedata.normalize("NFC", value)).strip()


def many_lines(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    return unicodedata.normalize("NFC", value).replace("\r\n", "\n").strip()


def _hidden_characters(text: str, allow_newlines: bool = False) -> bool:
    allowed = "\n\t" if allow_newlines else ""
    return any(unicodedata.category(c) in ("Cc", "Cf") and c not in allowed for c in text)


class Characters:
    """Names: letters, spaces, hyphens, apostrophes. Other text: anything but control or
    formatting characters (NUL, bidi overrides, zero-width characters)."""

    def __init__(self, what: str, *, name: bool = False, newlines: bool = False) -> None:
        self.what, self.name, self.newlines = what, name, newlines

    def __call__(self, form, field) -> None:
        value = field.data or ""
        if self.name:
            ok = all(unicodedata.category(c)[0] in "LM" or c in " -'’." for c in value)
            if value and (not ok or not any(unicodedata.category(c)[0] == "L" for c in value)):
                raise StopValidation(
                    f"{self.what} must only include letters, spaces, hyphens and apostrophes"
                )
        elif _hidden_characters(value, self.newlines):
            raise StopValidation(
                f"{self.what} must only include letters, numbers, spaces and punctuation"
            )


def _max(what: str, n: int) -> Length:
    return Length(max=n, message=f"{what} must be {n} characters or fewer")


def text_field(label, what, n=None, *, required="", name=False, checks=(), **kw) -> StringField:
    validators: list[Any] = [DataRequired(message=required) if required else Optional()]
    validators += [_max(what, n)] if n else []
    validators += [Characters(what, name=name), *checks]
    return StringField(
        label, filters=[one_line], validators=validators, widget=GovTextInput(), **kw
    )


def long_text(label: str, what: str, *, required: str = "", **kw) -> TextAreaField:
    validators: list[Any] = [DataRequired(message=required)] if required else []
    validators += [_max(what, TEXT_LIMIT), Characters(what, newlines=True)]
    return TextAreaField(
        label, filters=[many_lines], validators=validators, widget=GovCharacterCount(), **kw
    )


def phone_check(form, field) -> None:
    e164 = normalise.normalise_phone(field.data) if field.data else ""
    if field.data and (not e164 or len(e164) < (12 if e164.startswith("+44") else 8)):
        raise StopValidation(
            "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"
        )


def postcode_check(form, field) -> None:
    if field.data and normalise.normalise_postcode(field.data) is None:
        raise StopValidation("Enter a real postcode, like NV1 2AB")


def _uprn_check(form, field) -> None:
    if field.data and not (field.data.isascii() and field.data.isdigit()):
        raise StopValidation("UPRN must be a number of up to 12 digits")


# Dates and choices --------------------------------------------------------------------------


class DateInputField(Field):
    """Day, month and year boxes (GOV.UK date input) read into a date, with GOV.UK messages."""

    widget = GovDateInput()

    def __init__(self, label: str, validators=None, *, what: str = "Date", **kwargs) -> None:
        super().__init__(label, validators, **kwargs)
        self.what = what

    def _value(self) -> str:
        return self.data.strftime("%d %m %Y") if self.data else ""

    def process_formdata(self, valuelist) -> None:
        parts = [str(v).strip()[:8] for v in list(valuelist)[:3]]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts  # the widget shows exactly three boxes
        day, month, year = parts
        self.data = None
        if not any(parts):
            return
        missing = [n for n, v in zip(("day", "month", "year"), parts, strict=True) if not v]
        if missing:
            raise ValueError(f"{self.what} must include a {' and a '.join(missing)}")
        if not all(p.isascii() and p.isdigit() for p in parts):
            raise ValueError(f"{self.what} must be a real date")
        if len(year) != 4:
            raise ValueError("Year must include 4 numbers")
        try:
            self.data = date(int(year), int(month), int(day))
        except ValueError:
            raise ValueError(f"{self.what} must be a real date") from None


class DateRules:
    """Required or not, and within bounds; skipped when the boxes did not make a date."""

    def __init__(
        self, *, required: str = "", past: bool = False, future: bool = False, earliest=None
    ):
        self.required, self.past, self.future, self.earliest = required, past, future, earliest

    def __call__(self, form, field) -> None:
        if field.process_errors:
            raise StopValidation()
        if field.data is None:
            if self.required:
                raise StopValidation(self.required)
            return
        today = clock.today()
        if self.past and field.data > today:
            raise StopValidation(f"{field.what} must be today or in the past")
        if self.future and field.data <= today:
            raise StopValidation(f"{field.what} must be in the future")
        earliest = getattr(form, "earliest_" + field.name, None) or self.earliest
        if earliest and field.data < earliest:
            raise StopValidation(
                f"{field.what} must be on or after {earliest.day} {earliest:%B %Y}"
            )


class _ChoiceMessage:
    def __init__(self, *args, invalid: str = "Select an option", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.invalid = invalid

    def pre_validate(self, form) -> None:
        if not self.data or self.data not in {str(c.value) for c in self.choices}:
            raise StopValidation(self.invalid)


class Radios(_ChoiceMessage, RadioField):
    widget = GovRadioInput()


class Select(_ChoiceMessage, SelectField):
    widget = GovSelect()


def radios(label: str, labels: dict, default: str, invalid: str) -> Radios:
    choices = [SelectChoice(value=str(k), label=v) for k, v in labels.items()]
    return Radios(label, choices=choices, default=default, invalid=invalid)


# Forms --------------------------------------------------------------------------------------


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(
        "Find a customer",
        description=(
            "Name, date of birth, postcode, phone number, email address, case reference "
            "or partner reference, in any order"
        ),
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        validators=[
            DataRequired(
                message="Enter a name, date of birth, postcode, phone number, email address "
                "or reference"
            ),
            Length(
                max=MAX_QUERY_LENGTH,
                message=f"Search must be {MAX_QUERY_LENGTH} characters or fewer",
            ),
        ],
        widget=GovTextInput(),
    )


def address_fields() -> tuple:
    """Fresh fields for an address, so each form lists them (and their errors) in its own order."""
    return (
        text_field("Address line 1", "Address line 1", 200),
        text_field("Address line 2 (optional)", "Address line 2", 200),
        text_field("Town or city", "Town or city", 100),
        text_field("Postcode", "Postcode", checks=[postcode_check]),
        text_field(
            "UPRN (optional)",
            "UPRN",
            12,
            checks=[_uprn_check],
            description="Unique Property Reference Number, if you know it",
        ),
    )


class AddressChecks:
    address_line_1: Any
    address_line_2: Any
    town: Any
    postcode: Any
    uprn: Any

    def has_address(self) -> bool:
        fields = (self.address_line_1, self.address_line_2, self.town, self.postcode, self.uprn)
        return any(f.data for f in fields)

    def require_address(self) -> bool:
        ok = True
        for field, message in (
            (self.address_line_1, "Enter address line 1, typically the building and street"),
            (self.postcode, "Enter a postcode"),
        ):
            if not field.data and not field.errors:
                field.errors.append(message)
                ok = False
        return ok


class CustomerForm(AddressChecks, FlaskForm):
    title = text_field("Title (optional)", "Title", 20, name=True, description="For example, Ms")
    given_name = text_field(
        "First name", "First name", 100, required="Enter a first name", name=True
    )
    family_name = text_field("Last name", "Last name", 100, required="Enter a last name", name=True)
    preferred_name = text_field(
        "Preferred name (optional)",
        "Preferred name",
        100,
        name=True,
        description="What they like to be called, if different",
    )
    date_of_birth = DateInputField(
        "Date of birth (optional)",
        [DateRules(past=True, earliest=EARLIEST_BIRTH)],
        what="Date of birth",
        description="For example, 27 3 1980",
    )
    phone = text_field("Phone number", "Phone number", 40, checks=[phone_check])
    phone_2 = text_field("Other phone number (optional)", "Phone number", 40, checks=[phone_check])
    email = text_field(
        "Email address",
        "Email address",
        254,
        checks=[
            Email(message="Enter an email address in the correct format, like name@example.com")
        ],
    )
    address_line_1, address_line_2, town, postcode, uprn = address_fields()
    preferred_language = radios(
        "Preferred language", LANGUAGE_LABELS, Language.ENGLISH.value, "Select a language"
    )
    preferred_channel = radios(
        "How they prefer to be contacted",
        CHANNEL_LABELS,
        PreferredChannel.PHONE.value,
        "Select how they prefer to be contacted",
    )
    accessibility_needs = long_text(
        "Accessibility or communication needs (optional)",
        "Accessibility needs",
        description="For example, uses a hearing loop, needs large print, BSL interpreter",
    )
    confirm_duplicate = HiddenField()
    submit = SubmitField("Save", widget=GovSubmitInput())
    address_required = False  # editing a record that has a current address

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.has_address() or self.address_required:
            ok = self.require_address() and ok
        channel = self.preferred_channel.data
        needs = {
            PreferredChannel.PHONE.value: (self.phone, "Enter a phone number, or choose "),
            PreferredChannel.SMS.value: (self.phone, "Enter a mobile phone number, or choose "),
            PreferredChannel.EMAIL.value: (self.email, "Enter an email address, or choose "),
            PreferredChannel.LETTER.value: (self.address_line_1, "Enter an address, or choose "),
        }
        if channel in needs:
            field, message = needs[channel]
            present = field.data or (field is self.phone and self.phone_2.data)
            if not present and not field.errors:
                field.errors.append(message + "another way to contact them")
                ok = False
        return ok

    def phones(self) -> list[str]:
        found = [normalise.normalise_phone(f.data) for f in (self.phone, self.phone_2) if f.data]
        return list(dict.fromkeys(p for p in found if p))


class AddressForm(AddressChecks, FlaskForm):
    address_line_1, address_line_2, town, postcode, uprn = address_fields()
    moved_on = DateInputField(
        "Date they moved in",
        [DateRules(required="Enter the date they moved in", past=True)],
        what="Date they moved in",
        description="For example, 27 3 2025",
    )
    submit = SubmitField("Save new address", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        return self.require_address() and ok


class WarningForm(FlaskForm):
    category = Select(
        "Type of risk",
        choices=[SelectChoice(value="", label="Select a type of risk")]
        + [SelectChoice(value=c, label=c) for c in WARNING_CATEGORIES],
        invalid="Select a type of risk",
    )
    reason = long_text(
        "What staff need to know",
        "What staff need to know",
        required="Enter what staff need to know",
    )
    review_date = DateInputField(
        "Review date",
        [DateRules(required="Enter a review date", future=True)],
        what="Review date",
        description="When someone must check the marker is still needed, for example 27 3 2026",
    )
    submit = SubmitField("Add warning marker", widget=GovSubmitInput())


class EndWarningForm(FlaskForm):
    reason = long_text(
        "Why is the marker no longer needed?",
        "Reason",
        required="Enter why the marker is no longer needed",
    )
    submit = SubmitField("End warning marker", widget=GovSubmitInput())


class ReferenceForm(FlaskForm):
    partner = Select("Partner", choices=[], invalid="Select a partner")
    system = text_field(
        "System",
        "System",
        60,
        required="Enter the name of the partner’s system",
        description="For example, Council tax or Housing benefit",
    )
    reference = text_field("Reference", "Reference", 60, required="Enter the reference")
    verified = BooleanField("The customer has confirmed this reference", widget=GovCheckboxInput())
    submit = SubmitField("Add reference", widget=GovSubmitInput())

    def validate_reference(self, field) -> None:
        if field.data and len(normalise.reference_key(field.data)) < 2:
            raise StopValidation("Reference must include letters or numbers")
