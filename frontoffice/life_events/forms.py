"""The adviser's form for reporting a life event, and withdrawing consent for one service.

One form for the three kinds: the view shows and checks only the fields of the kind asked for.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput
from wtforms import BooleanField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, Optional, StopValidation

from frontoffice.cases.models import Channel
from frontoffice.customers.forms import (
    LANGUAGE_LABELS,
    AddressChecks,
    DateInputField,
    DateRules,
    address_fields,
    long_text,
    phone_check,
    text_field,
)
from frontoffice.customers.models import Language
from frontoffice.life_events import shares
from frontoffice.life_events.models import Authority, EventKind, MoveScope
from frontoffice.life_events.operations import AUTHORITIES
from frontoffice.routing.models import AreaKind
from frontoffice.routing_admin.forms import (
    AREA_CHOICES,
    Checkboxes,
    Radios,
    Select,
    area_code_field,
)

DATE_LABELS = {
    EventKind.DEATH: "Date of death",
    EventKind.BIRTH: "Child’s date of birth",
    EventKind.MOVE: "Date they moved",
}
CHANNELS = (Channel.PHONE, Channel.WALK_IN, Channel.LETTER, Channel.EMAIL)
# Fields each kind of event shows; the rest are ignored.
KIND_FIELDS = {
    EventKind.DEATH: {
        "inquest",
        "place",
        "nok_name",
        "nok_relationship",
        "nok_phone",
        "nok_email",
        "nok_address",
        "executor_name",
        "executor_phone",
        "executor_email",
        "executor_address",
    },
    EventKind.BIRTH: {"child_name", "parents"},
    EventKind.MOVE: {
        "move_scope",
        "address_line_1",
        "address_line_2",
        "town",
        "postcode",
        "uprn",
    },
}


def _email(what: str):
    return text_field(
        f"{what} email address (optional)",
        f"{what} email address",
        254,
        checks=[
            Optional(),
            Email(message=f"Enter {what.lower()} email address like name@example.com"),
        ],
    )


def _phone(what: str):
    return text_field(
        f"{what} phone number (optional)", f"{what} phone number", 40, checks=[phone_check]
    )


class ReportForm(AddressChecks, FlaskForm):
    event_date = DateInputField(
        "Date",
        [DateRules(required="Enter the date", past=True)],
        what="The date",
        description="For example, 27 3 2026",
    )
    inquest = Radios(
        "Is there an inquest?",
        choices=[
            SelectChoice("no", "No"),
            SelectChoice("yes", "Yes"),
            SelectChoice("unknown", "Not known yet"),
        ],
        required="Select whether there is an inquest",
        invalid="Select whether there is an inquest",
    )
    place = text_field("Place of death (optional)", "Place of death", 200)
    child_name = text_field("Child’s full name", "Child’s name", 200, name=True)
    parents = text_field(
        "Parents’ names", "Parents’ names", 400, description="Both parents, if known"
    )
    move_scope = Radios(
        "Where did they move?",
        choices=[SelectChoice(s.value, s.label) for s in MoveScope],
        required="Select where they moved",
        invalid="Select where they moved",
    )
    address_line_1, address_line_2, town, postcode, uprn = address_fields()
    informant_name = text_field(
        "Full name",
        "Their name",
        200,
        required="Enter the name of the person telling us",
        name=True,
    )
    informant_relationship = text_field(
        "Relationship to the person",
        "Relationship",
        100,
        required="Enter their relationship to the person",
        description="For example, daughter, neighbour, solicitor",
    )
    informant_phone = _phone("Their")
    informant_email = _email("Their")
    authority = Radios(
        "Who are they?",
        choices=[],
        required="Select who the person telling us is",
        invalid="Select who the person telling us is",
    )
    nok_name = text_field("Next of kin’s name (optional)", "Next of kin’s name", 200, name=True)
    nok_relationship = text_field("Relationship (optional)", "Relationship", 100)
    nok_phone = _phone("Next of kin’s")
    nok_email = _email("Next of kin’s")
    nok_address = text_field("Next of kin’s address (optional)", "Next of kin’s address", 400)
    executor_name = text_field("Executor’s name (optional)", "Executor’s name", 200, name=True)
    executor_phone = _phone("Executor’s")
    executor_email = _email("Executor’s")
    executor_address = text_field("Executor’s address (optional)", "Executor’s address", 400)
    language = Radios(
        "Which language should their emails be in?",
        choices=[
            SelectChoice(language.value, label) for language, label in LANGUAGE_LABELS.items()
        ],
        default=Language.ENGLISH.value,
        required="",
        invalid="Select the language for their emails",
    )
    channel = Radios(
        "How are they telling us?",
        choices=[SelectChoice(c.value, c.label) for c in CHANNELS],
        default=Channel.PHONE.value,
        required="Select how they are telling us",
        invalid="Select how they are telling us",
    )
    services = Checkboxes(
        "Which services do they want us to tell?",
        choices=[],
        required="Choose at least one service to tell",
        invalid="Choose only from the services listed",
        description="Read each one out and tick those they agree to",
    )
    consent = BooleanField(
        "They agree to the wording above", widget=GovCheckboxInput(), validators=[Optional()]
    )
    submit = SubmitField("Tell these services", widget=GovSubmitInput())

    def for_kind(self, kind: EventKind, offers: list[Any]) -> ReportForm:
        self.kind = kind
        self.event_date.label.text = DATE_LABELS[kind]
        what = DATE_LABELS[kind].replace("Child’s d", "D")
        # The boxes were read before the kind was known: name the date in their errors now.
        self.event_date.process_errors = [
            str(e).replace(self.event_date.what, what) for e in self.event_date.process_errors
        ]
        self.event_date.what = what
        self.authority.choices = [SelectChoice(a.value, a.label) for a in AUTHORITIES[kind]] + [
            SelectChoice(Authority.NONE.value, Authority.NONE.label)
        ]
        self.services.choices = [SelectChoice(str(o.service.id), o.service.name) for o in offers]
        return self

    def validate(self, extra_validators=None) -> bool:
        skipped = set().union(*KIND_FIELDS.values()) - KIND_FIELDS[self.kind]
        for name in skipped:
            self[name].validators = []
            self[name].data = None if name in ("inquest", "move_scope") else ""
        if self.kind is EventKind.BIRTH:
            self.child_name.validators = [
                *self.child_name.validators,
                _needs("Enter the child’s name"),
            ]
        super().validate(extra_validators)
        for name in skipped:
            self[name].errors = []
        ok = not any(field.errors for field in self)
        if self.kind is EventKind.MOVE:
            ok = self.require_address() and ok
        if self.authority.data == Authority.NONE.value and not self.authority.errors:
            self.authority.errors.append(
                "Only the next of kin, the executor or someone acting for them can tell us of a "
                "death"
                if self.kind is EventKind.DEATH
                else "Only the person it is about or someone acting for them can tell us"
            )
            ok = False
        if not self.consent.data:
            self.consent.errors.append("They must agree to the wording before we tell anyone")
            ok = False
        return ok


def _needs(message: str):
    def check(form, field) -> None:
        if not field.data:
            raise StopValidation(message)

    return check


class WithdrawForm(FlaskForm):
    reason = long_text(
        "Why are they withdrawing consent?", "Reason", required="Enter why consent is withdrawn"
    )
    submit = SubmitField("Withdraw consent", widget=GovSubmitInput())


def _share_choices() -> list[SelectChoice]:
    """Each group once, labelled as shares.GROUPS does (the date, which every kind has, in
    words for all of them), with its kind where only one kind has it."""
    seen: dict[str, tuple[str, list[str]]] = {}
    for kind, groups in shares.GROUPS.items():
        for key, label in groups.items():
            label = "The date of the event" if key == "event_date" else label
            seen.setdefault(key, (label, []))[1].append(kind.value)
    return [
        SelectChoice(key, label + ("" if len(kinds) > 1 else f" ({kinds[0]})"))
        for key, (label, kinds) in seen.items()
    ]


SHARE_CHOICES = _share_choices()


class TellRuleForm(FlaskForm):
    """An administrator's tell rule: this kind of event, this service, this area."""

    event_kind = Radios(
        "Which life event?",
        choices=[SelectChoice(k.value, k.label) for k in EventKind],
        required="Select the life event",
        invalid="Select the life event",
    )
    service = Select("Service to tell", required="Select a service", invalid="Select a service")
    area_kind = Radios(
        "Where is it offered?",
        choices=AREA_CHOICES,
        default=AreaKind.ANY.value,
        required="Select where it is offered",
        invalid="Select where it is offered",
    )
    area_code = area_code_field()
    purpose = text_field(
        "What the service does with the news (optional)",
        "What the service does",
        300,
        description="Shown to the informant, like ‘To close the council tax account’",
    )
    shares = Checkboxes(
        "What is the service sent? (optional)",
        choices=SHARE_CHOICES,
        required="",
        invalid="Choose only from the details listed",
        description="Only what the service needs. If you tick none, it is sent all the "
        "details of that kind of event. Its reference is always sent.",
    )
    submit = SubmitField("Add rule", widget=GovSubmitInput())

    def validate_shares(self, field: Any) -> None:
        kind = self.event_kind.data
        if kind not in set(EventKind) or not field.data:
            return
        if shares.unknown(EventKind(kind), field.data):
            what = EventKind(kind).label.lower()
            raise StopValidation(f"Choose only details that a report of {what} has")

    def set_services(self, services: list[Any]) -> None:
        self.service.choices = [SelectChoice("", "Choose a service")] + [
            SelectChoice(str(s.id), s.name) for s in services
        ]
