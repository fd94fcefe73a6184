"""Forms for administering the service catalogue."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import Form, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation, ValidationError

from frontoffice.catalogue import operations as ops
from frontoffice.catalogue.models import QuestionType, ServiceTier
from frontoffice.formkit import Text

TIER_CHOICES = [SelectChoice(t.value, t.label) for t in ServiceTier]
SLA_CHOICES = [
    SelectChoice("working_days", "In working days"),
    SelectChoice("hours", "In hours, round the clock"),
    SelectChoice("none", "No target"),
]
YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]
ACTIVE_CHOICES = [
    SelectChoice("yes", "Active: advisers and residents can ask for it"),
    SelectChoice("no", "Withdrawn: no new cases"),
]
TYPE_CHOICES = [SelectChoice(t.value, t.label) for t in QuestionType]


def clean(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return value


class Chosen:
    """Radios or select: one message when nothing or something unknown is chosen."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: Any, field: Any) -> None:
        if field.data in (None, "") or str(field.data) not in {str(c.value) for c in field.choices}:
            raise StopValidation(self.message)


class _Radios(RadioField):
    widget = GovRadioInput()

    def pre_validate(self, form: Any) -> None:  # Chosen gives the message
        pass


class _Select(SelectField):
    widget = GovSelect()

    def pre_validate(self, form: Any) -> None:
        pass


def _text(label: str, what: str, limit: int, *, required: str = "", **kwargs: Any) -> StringField:
    return StringField(
        label,
        filters=[clean],
        validators=[Text(what, limit, required=required, one_line=True)],
        widget=GovTextInput(),
        **kwargs,
    )


def _area(label: str, what: str, limit: int, **kwargs: Any) -> TextAreaField:
    return TextAreaField(
        label, filters=[clean], validators=[Text(what, limit)], widget=GovTextArea(), **kwargs
    )


def _partner(value: object) -> int | None:
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None


class ServiceForm(FlaskForm):
    code = _text(
        "Code",
        "Code",
        40,
        required="Enter a code",
        description="Lower-case letters, numbers and hyphens, like missed-bin. Partners and "
        "Open311 clients know the service by it, so it cannot be changed later.",
    )

    def validate_code(self, field: Any) -> None:
        try:
            ops.check_service_code(ops.normalise_service_code(field.data))
        except ops.CatalogueError as error:
            raise ValidationError(error.message) from None

    name = _text("Name", "Name", ops.NAME_MAX, required="Enter a name")
    group = _text(
        "Group (optional)",
        "Group",
        ops.GROUP_MAX,
        description="For example, Bins and recycling. Services are listed by group.",
    )
    description = _area("Description (optional)", "Description", ops.DESCRIPTION_MAX)
    keywords = _area(
        "Keywords (optional)",
        "Keywords",
        ops.KEYWORDS_MAX,
        description="Other words people use for it, separated by commas: wheelie bin, brown bin",
    )
    owning_partner = _Select(
        "Partner that owns the service",
        coerce=_partner,
        validators=[Chosen("Select the partner that owns the service")],
    )
    tier = _Radios(
        "Who delivers it",
        choices=TIER_CHOICES,
        default=ServiceTier.ANY.value,
        validators=[Chosen("Select who delivers it")],
        description="Routing rules decide the partner; the tier says which kind of council it is.",
    )
    sla_unit = _Radios(
        "Target time",
        choices=SLA_CHOICES,
        default="working_days",
        validators=[Chosen("Select how the target time is measured")],
    )
    sla_value = StringField(
        "Target (number of working days or hours)",
        filters=[clean],
        widget=GovTextInput(),
        description="Leave empty when there is no target",
    )
    ack_working_days = StringField(
        "Working days the partner has to acknowledge a case (optional)",
        filters=[clean],
        widget=GovTextInput(),
        description="Leave empty when there is no acknowledgement target",
    )
    adviser_script = _area(
        "Adviser script (optional)",
        "Adviser script",
        ops.SCRIPT_MAX,
        description="What an adviser should say or check when raising this",
    )
    submit = SubmitField("Save service", widget=GovSubmitInput())

    def set_partner_choices(self, partners) -> None:
        self.owning_partner.choices = [SelectChoice("", "Select a partner")] + [
            SelectChoice(p.id, p.name) for p in partners
        ]

    def validate_sla_value(self, field: Any) -> None:
        unit = self.sla_unit.data
        if unit not in ("working_days", "hours"):
            return  # no target: a number left in the box is ignored
        what = "working days" if unit == "working_days" else "hours"
        if not field.data:
            raise StopValidation(f"Enter the target in {what}")
        if not (field.data.isascii() and field.data.isdigit()) or len(field.data) > 6:
            raise StopValidation(f"Target must be a whole number of {what}, like 10")
        low, high = (0, ops.SLA_DAYS_MAX) if unit == "working_days" else (1, ops.SLA_HOURS_MAX)
        if not low <= int(field.data) <= high:
            raise StopValidation(f"Target in {what} must be between {low} and {high:,}")

    def validate_ack_working_days(self, field: Any) -> None:
        if not field.data:
            return
        if not (field.data.isascii() and field.data.isdigit()) or len(field.data) > 3:
            raise StopValidation("Acknowledgement target must be a whole number of working days")
        if int(field.data) > ops.ACK_DAYS_MAX:
            raise StopValidation(
                f"Acknowledgement target must be between 0 and {ops.ACK_DAYS_MAX} working days"
            )

    def ack(self) -> int | None:
        return int(self.ack_working_days.data) if self.ack_working_days.data else None

    def sla(self) -> tuple[int | None, int | None]:
        """(sla_working_days, sla_hours)."""
        if self.sla_unit.data == "working_days":
            return int(self.sla_value.data), None
        if self.sla_unit.data == "hours":
            return None, int(self.sla_value.data)
        return None, None


class EditServiceForm(ServiceForm):
    code = None  # fixed once the service exists
    active = _Radios(
        "Status",
        choices=ACTIVE_CHOICES,
        validators=[Chosen("Select whether the service is active")],
    )


class QuestionForm(FlaskForm):
    code = _text(
        "Code",
        "Code",
        50,
        required="Enter a code",
        description="Letters, numbers and underscores, like bin_colour: the Open311 attribute "
        "code. It cannot be changed later.",
    )

    def validate_code(self, field: Any) -> None:
        if not ops.QUESTION_CODE.match(field.data):
            raise ValidationError(
                "Code must be up to 50 letters, numbers or underscores, with no spaces"
            )

    label = _text("Question", "Question", ops.LABEL_MAX, required="Enter the question")
    hint = _area("Hint (optional)", "Hint", ops.HINT_MAX, description="Shown under the question")
    datatype = _Radios(
        "Type of answer",
        choices=TYPE_CHOICES,
        validators=[Chosen("Select the type of answer")],
    )
    values = _area(
        "Answers to choose from (for list types)",
        "Answers",
        20000,
        description="One per line, as key|name, for example: grey|Grey bin (general waste). "
        "The key is what is stored and sent to partners.",
    )
    required = _Radios(
        "Must it be answered?",
        choices=YES_NO,
        default="no",
        validators=[Chosen("Select yes or no")],
    )
    submit = SubmitField("Save question", widget=GovSubmitInput())
    parsed_values: list[dict[str, str]] = []

    def validate_values(self, field: Any) -> None:
        try:
            self.parsed_values = ops.parse_values(field.data or "")
        except ops.CatalogueError as error:
            raise StopValidation(error.message) from None
        kind = self.datatype.data
        if kind not in {t.value for t in QuestionType}:
            return
        if QuestionType(kind).has_values and not self.parsed_values:
            raise StopValidation("Enter the answers to choose from, one per line")
        if not QuestionType(kind).has_values and self.parsed_values:
            raise StopValidation(
                "Only questions with a list of answers have answers to choose from"
            )

    def details(self, code: str) -> ops.QuestionDetails:
        return ops.QuestionDetails(
            code=code,
            label=self.label.data,
            datatype=QuestionType(self.datatype.data),
            required=self.required.data == "yes",
            hint=self.hint.data or "",
            values=self.parsed_values,
        )


class EditQuestionForm(QuestionForm):
    code = None  # answers are stored under it


class GroupFilterForm(Form):
    group = SelectField("Group", widget=GovSelect())
    submit = SubmitField("Show", widget=GovSubmitInput())
