"""Forms for routing rules and for choosing a partner system (adapter)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    Field,
    Form,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation

from frontoffice.customers.forms import DateInputField
from frontoffice.formkit import Text
from frontoffice.routing.models import AreaKind

ONS_CODE = re.compile(r"[EWSN][0-9]{8}")
PRIORITY_MIN, PRIORITY_MAX = 1, 1000
# Rules are checked day by day from their boundaries: keep dates where that arithmetic works.
EARLIEST, LATEST = date(2000, 1, 1), date(2199, 12, 31)
AREA_CHOICES = [
    SelectChoice(AreaKind.ANY.value, "Everywhere in the partnership"),
    SelectChoice(AreaKind.DISTRICT.value, "One district"),
    SelectChoice(AreaKind.WARD.value, "One ward"),
]
AREA_EXAMPLE = {AreaKind.DISTRICT.value: "E07000001", AreaKind.WARD.value: "E05000101"}


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


class _Chosen:
    """A select, radios or checkboxes that give one clear message for nothing or an unknown
    answer (instead of WTForms' "Not a valid choice")."""

    def __init__(self, *args: Any, required: str, invalid: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.required_message, self.invalid = required, invalid

    def pre_validate(self, form: Any) -> None:
        keys = {str(c.value) for c in self.choices}
        chosen = self.data if isinstance(self.data, list) else [self.data] if self.data else []
        if not chosen:
            if self.required_message:
                raise StopValidation(self.required_message)
            return
        if any(str(c) not in keys for c in chosen):
            raise StopValidation(self.invalid)


class Select(_Chosen, SelectField):
    widget = GovSelect()


class Radios(_Chosen, RadioField):
    widget = GovRadioInput()


class Checkboxes(_Chosen, SelectMultipleField):
    widget = GovCheckboxesInput()


class PriorityField(Field):
    widget = GovTextInput()

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])[:20]
        return "" if self.data is None else str(self.data)

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        text = str(valuelist[0]).strip() if valuelist else ""
        if not text:
            return
        if not (text.isascii() and text.isdigit()):
            raise ValueError("Priority must be a whole number, like 100")
        if len(text) > 4 or not PRIORITY_MIN <= int(text) <= PRIORITY_MAX:
            raise ValueError(f"Priority must be between {PRIORITY_MIN} and {PRIORITY_MAX}")
        self.data = int(text)


def _priority_required(form: Any, field: Any) -> None:
    if field.process_errors:
        raise StopValidation()
    if field.data is None:
        raise StopValidation("Enter a priority")


def check_area_code(form: Any, field: Any) -> None:
    kind = form.area_kind.data
    if kind not in AREA_EXAMPLE:
        field.data = ""
        return
    what = "District code" if kind == AreaKind.DISTRICT.value else "Ward code"
    example = AREA_EXAMPLE[kind]
    if not field.data:
        raise StopValidation(f"Enter the {what.lower()}, like {example}")
    if len(field.data) > 20 or not ONS_CODE.fullmatch(field.data):
        raise StopValidation(
            f"{what} must be a letter (E, W, S or N) and 8 numbers, like {example}"
        )


def area_code_field() -> StringField:
    """The district or ward an area rule names, checked against its kind of area."""
    return StringField(
        "District or ward code",
        description="The ONS code: a district like E07000001, a ward like E05000101",
        filters=[strip, upper],
        validators=[check_area_code],
        widget=GovTextInput(),
    )


def _dates_in_range(field: Any) -> None:
    if field.data is not None and not EARLIEST <= field.data <= LATEST:
        raise StopValidation(f"{field.what} must be between {EARLIEST.year} and {LATEST.year}")


def _start(form: Any, field: Any) -> None:
    if field.process_errors:
        raise StopValidation()
    if field.data is None:
        raise StopValidation("Enter the date the rule starts")
    _dates_in_range(field)


def _end(form: Any, field: Any) -> None:
    if field.process_errors:
        raise StopValidation()
    if field.data is None:
        return
    _dates_in_range(field)
    start = form.effective_from.data
    if start is not None and field.data < start:
        raise StopValidation("End date must be the same as or after the start date")


class RuleForm(FlaskForm):
    service = Select(
        "Service",
        required="Select a service",
        invalid="Select a service from the list",
    )
    area_kind = Radios(
        "Where does the rule apply?",
        choices=AREA_CHOICES,
        default=AreaKind.ANY.value,
        required="Select where the rule applies",
        invalid="Select where the rule applies",
    )
    area_code = area_code_field()
    priority = PriorityField(
        "Priority",
        description=(
            f"{PRIORITY_MIN} to {PRIORITY_MAX}. Where rules for the same kind of area overlap, "
            "the highest priority wins"
        ),
        default=100,
        validators=[_priority_required],
    )
    effective_from = DateInputField(
        "Starts on", what="Start date", description="For example, 1 4 2027", validators=[_start]
    )
    effective_to = DateInputField(
        "Ends on (optional)",
        what="End date",
        description="The last day the rule applies. Leave empty if it has no end",
        validators=[_end],
    )
    partner_ids = Checkboxes(
        "Which partners deliver the service?",
        description="Choose more than one only when each must receive every case",
        required="Select at least one partner",
        invalid="Select a partner from the list",
    )
    note = TextAreaField(
        "Note (optional)",
        filters=[strip],
        validators=[Text("Note", 1000, one_line=False)],
        widget=GovTextArea(),
    )
    active = BooleanField("This rule is in use", default=True, widget=GovCheckboxInput())
    confirm = HiddenField()
    submit = SubmitField("Save rule", widget=GovSubmitInput())

    def set_choices(self, services, partners) -> None:
        self.service.choices = [SelectChoice("", "Choose a service")] + [
            SelectChoice(str(s.id), s.name if s.active else f"{s.name} (withdrawn)")
            for s in services
        ]
        self.partner_ids.choices = [SelectChoice(str(p.id), p.name) for p in partners]


class RuleFilterForm(Form):
    service = SelectField("Service", widget=GovSelect())
    submit = SubmitField("Show", widget=GovSubmitInput())


class NewAdapterForm(FlaskForm):
    partner = Select(
        "Partner", required="Select a partner", invalid="Select a partner from the list"
    )
    service = Select(
        "For which services?",
        description="A partner system for one service is used instead of the partner's usual one",
        required="",
        invalid="Select a service from the list",
    )
    adapter_type = Radios(
        "How does the partner take cases?",
        required="Select how the partner takes cases",
        invalid="Select how the partner takes cases",
    )
    name = StringField(
        "Name (optional)",
        description="To tell this partner system apart, like 'Northvale waste webhook'",
        filters=[strip],
        validators=[Text("Name", 100, one_line=True)],
        widget=GovTextInput(),
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())

    def set_choices(self, partners, services, types) -> None:
        self.partner.choices = [SelectChoice("", "Choose a partner")] + [
            SelectChoice(str(p.id), p.name) for p in partners
        ]
        self.service.choices = [SelectChoice("", "All services")] + [
            SelectChoice(str(s.id), s.name) for s in services
        ]
        self.adapter_type.choices = [SelectChoice(t.type_name, t.label) for t in types]
