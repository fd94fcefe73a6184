"""Forms for a resident telling us of a life event: one short form a page, GOV.UK messages by
every field. The address pages reuse the request journey's forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, Optional

from frontoffice.customers.forms import (
    DateInputField,
    DateRules,
    Radios,
    phone_check,
    radios,
    text_field,
)
from frontoffice.life_events.models import Authority, EventKind, MoveScope
from frontoffice.life_events.operations import AUTHORITIES
from frontoffice.public.forms import EMAIL_MESSAGE, LANGUAGES

KINDS = {
    EventKind.DEATH.value: "Someone has died",
    EventKind.BIRTH.value: "A baby has been born",
    EventKind.MOVE.value: "Someone has moved home",
}
AUTHORITY_LABELS = {
    Authority.NEXT_OF_KIN: "I am their next of kin",
    Authority.EXECUTOR: "I am the executor or administrator of their estate",
    Authority.ACTING_FOR: "I am acting for their next of kin or executor",
    Authority.SELF: "I am the person it is about, or the child’s parent",
    Authority.NONE: "None of these",
}
PERSON_HEADINGS = {
    EventKind.DEATH: "About the person who died",
    EventKind.BIRTH: "About the child’s parent",
    EventKind.MOVE: "About the person who moved",
}


class KindForm(FlaskForm):
    kind = Radios(
        "What do you want to tell us about?",
        choices=[SelectChoice(k, v) for k, v in KINDS.items()],
        invalid="Select what you want to tell us about",
    )


class InformantForm(FlaskForm):
    FIELDS = ("first_name", "last_name", "relationship", "email", "phone", "language")

    first_name = text_field(
        "First name", "First name", 100, required="Enter your first name", name=True
    )
    last_name = text_field(
        "Last name", "Last name", 100, required="Enter your last name", name=True
    )
    relationship = text_field(
        "Your relationship to the person",
        "Relationship",
        100,
        required="Enter your relationship to the person",
        description="For example, daughter, husband, solicitor or ‘myself’",
    )
    email = text_field(
        "Email address",
        "Email address",
        254,
        required="Enter your email address",
        checks=[Email(message=EMAIL_MESSAGE)],
        description="We will send your reference and the list of services told to this address",
    )
    phone = text_field(
        "Phone number (optional)",
        "Phone number",
        40,
        checks=[phone_check],
        description="For example, 07700 900 982",
    )
    language = radios(
        "Which language should we write to you in?",
        LANGUAGES,
        "en",
        "Select English or Cymraeg",
    )


class AuthorityForm(FlaskForm):
    authority = Radios("Who are you?", choices=[], invalid="Select who you are")

    def for_kind(self, kind: EventKind) -> AuthorityForm:
        allowed = [a for a in AUTHORITY_LABELS if a in AUTHORITIES[kind]]
        self.authority.choices = [
            SelectChoice(a.value, AUTHORITY_LABELS[a]) for a in [*allowed, Authority.NONE]
        ]
        return self


class PersonForm(FlaskForm):
    FIELDS = ("first_name", "last_name", "date_of_birth")

    first_name = text_field(
        "First name", "First name", 100, required="Enter their first name", name=True
    )
    last_name = text_field(
        "Last name", "Last name", 100, required="Enter their last name", name=True
    )
    date_of_birth = DateInputField(
        "Date of birth",
        [DateRules(past=True)],
        what="Date of birth",
        description="For example, 27 3 1950",
    )

    def for_kind(self, kind: EventKind) -> PersonForm:
        if kind is EventKind.DEATH:
            self.date_of_birth.validators = [
                DateRules(required="Enter their date of birth", past=True)
            ]
        else:
            self.date_of_birth.label.text = "Date of birth (optional)"
        return self


class DeathForm(FlaskForm):
    FIELDS = ("event_date", "inquest", "place")

    event_date = DateInputField(
        "Date of death",
        [DateRules(required="Enter the date of death", past=True)],
        what="Date of death",
        description="For example, 27 3 2026",
    )
    inquest = Radios(
        "Is there an inquest?",
        choices=[
            SelectChoice("no", "No"),
            SelectChoice("yes", "Yes"),
            SelectChoice("unknown", "Not known yet"),
        ],
        invalid="Select whether there is an inquest",
    )
    place = text_field("Place of death (optional)", "Place of death", 200)


class BirthForm(FlaskForm):
    FIELDS = ("child_name", "event_date", "other_parent")

    child_name = text_field(
        "Child’s full name", "Child’s name", 200, required="Enter the child’s name", name=True
    )
    event_date = DateInputField(
        "Child’s date of birth",
        [DateRules(required="Enter the child’s date of birth", past=True)],
        what="Date of birth",
        description="For example, 27 3 2026",
    )
    other_parent = text_field(
        "Other parent’s full name (optional)", "Other parent’s name", 200, name=True
    )


class MoveForm(FlaskForm):
    FIELDS = ("event_date", "move_scope")

    event_date = DateInputField(
        "Date they moved",
        [DateRules(required="Enter the date they moved", past=True)],
        what="Date they moved",
        description="For example, 27 3 2026",
    )
    move_scope = Radios(
        "Where did they move?",
        choices=[SelectChoice(s.value, s.label) for s in MoveScope],
        invalid="Select where they moved",
    )


DETAILS_FORMS = {EventKind.DEATH: DeathForm, EventKind.BIRTH: BirthForm, EventKind.MOVE: MoveForm}


class ContactPersonForm(FlaskForm):
    """The next of kin or the executor: whom services contact afterwards."""

    FIELDS = ("name", "relationship", "phone", "email", "address")

    name = text_field("Full name (optional)", "Name", 200, name=True)
    relationship = text_field("Relationship to the person who died (optional)", "Relationship", 100)
    phone = text_field("Phone number (optional)", "Phone number", 40, checks=[phone_check])
    email = text_field(
        "Email address (optional)",
        "Email address",
        254,
        checks=[Optional(), Email(message=EMAIL_MESSAGE)],
    )
    address = text_field("Address (optional)", "Address", 400)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        given = any(
            self[n].data for n in ("relationship", "phone", "email", "address") if n in self
        )
        if given and not self.name.data and not self.name.errors:
            self.name.errors = ["Enter their name, or leave every box empty"]
            ok = False
        return ok


class TellForm(FlaskForm):
    tell = Radios("Tell this service?", choices=[], invalid="Select yes or no")

    def for_service(self, name: str) -> TellForm:
        self.tell.choices = [
            SelectChoice("yes", f"Yes, tell {name} and I agree to the statement above"),
            SelectChoice("no", f"No, do not tell {name}"),
        ]
        self.tell.invalid = f"Select whether to tell {name}"
        return self
