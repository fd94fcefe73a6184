"""Forms for administering staff users."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import PasswordField, RadioField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, ValidationError

from frontoffice.accounts.models import Role
from frontoffice.accounts.operations import MIN_PASSWORD_LENGTH, find_by_email

ROLE_CHOICES = [SelectChoice(value=role.value, label=role.label) for role in Role]
ACTIVE_CHOICES = [
    SelectChoice(value="yes", label="Active: can sign in"),
    SelectChoice(value="no", label="Deactivated: cannot sign in"),
]


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _coerce_partner(value: object) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _partner_field() -> SelectField:
    return SelectField(
        "Partner",
        coerce=_coerce_partner,
        widget=GovSelect(),
        validators=[InputRequired(message="Select a partner")],
        invalid_choice_message="Select a partner",
    )


def _role_field() -> RadioField:
    return RadioField(
        "Role", choices=ROLE_CHOICES, widget=GovRadioInput(), invalid_choice_message="Select a role"
    )


def _team_field() -> StringField:
    return StringField(
        "Team (optional)",
        widget=GovTextInput(),
        filters=[_strip],
        description="For example, Contact centre or Revenues and benefits",
        validators=[Length(max=100, message="Team must be 100 characters or fewer")],
    )


class _PartnerChoices:
    partner: SelectField

    def set_partner_choices(self, partners) -> None:
        self.partner.choices = [SelectChoice(value="", label="Select a partner")] + [
            SelectChoice(value=str(p.id), label=p.name) for p in partners
        ]


# Fields are declared in the order they appear on the page, which the error summary follows.
class NewStaffUserForm(_PartnerChoices, FlaskForm):
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            DataRequired(message="Enter an email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            Email(message="Enter an email address in the correct format, like name@example.org"),
        ],
    )
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            DataRequired(message="Enter a name"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
    )
    partner = _partner_field()
    role = _role_field()
    team = _team_field()
    password = PasswordField(
        "Initial password",
        widget=GovPasswordInput(),
        description=f"At least {MIN_PASSWORD_LENGTH} characters. Give it to the person securely.",
        validators=[
            DataRequired(message="Enter an initial password"),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=200,
                message=f"Password must be between {MIN_PASSWORD_LENGTH} and 200 characters",
            ),
        ],
    )
    submit = SubmitField("Create staff user", widget=GovSubmitInput())

    def validate_email(self, field) -> None:
        if field.data and find_by_email(field.data) is not None:
            raise ValidationError("A staff user with this email address already exists")


class EditStaffUserForm(_PartnerChoices, FlaskForm):
    role = _role_field()
    partner = _partner_field()
    team = _team_field()
    active = RadioField(
        "Account status",
        choices=ACTIVE_CHOICES,
        widget=GovRadioInput(),
        invalid_choice_message="Select whether the account is active",
    )
    submit = SubmitField("Save changes", widget=GovSubmitInput())
