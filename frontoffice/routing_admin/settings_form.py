"""The settings form of a partner system, built from the fields its adapter declares.

Each SettingField becomes a form field named ``s_<name>``: text, URL, email and path boxes,
number boxes, a checkbox, radios or a select, or lines of ``Name: value``. The adapter's own
`validate_settings` decides what is valid; the form only refuses what is far too long.

Secret settings are never shown again: their boxes are always empty, a box left empty keeps
the saved value, and an optional secret can be removed with its own checkbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    Field,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation

from frontoffice.adapters import Adapter, SettingField
from frontoffice.routing_admin.forms import Text, strip

PREFIX = "s_"
CLEAR_PREFIX = "clear_"
LIMITS = {"mapping": 5000}
DEFAULT_LIMIT = 2000


class AdapterForm(FlaskForm):
    name = StringField(
        "Name",
        filters=[strip],
        validators=[Text("Name", 100, required="Enter a name")],
        widget=GovTextInput(),
    )
    active = BooleanField("Send cases through this partner system", widget=GovCheckboxInput())
    submit = SubmitField("Save settings", widget=GovSubmitInput())

    def setting_fields(self) -> list[tuple[SettingField, Field, Field | None]]:
        """(declared setting, its form field, its 'remove' checkbox or None), in order."""
        return [
            (f, self[PREFIX + f.name], self._fields.get(CLEAR_PREFIX + f.name))
            for f in self.adapter.settings
        ]

    def raw_settings(self) -> dict[str, Any]:
        return {f.name: field.data for f, field, _ in self.setting_fields()}

    def cleared(self) -> set[str]:
        return {f.name for f, _, clear in self.setting_fields() if clear is not None and clear.data}

    def blame(self, errors: Mapping[str, str]) -> None:
        """Shows the adapter's messages (SettingsInvalid.errors) by their fields."""
        for name, message in errors.items():
            field = self._fields.get(PREFIX + name) or self.name
            field.errors = [*field.errors, message]


class _Choice:
    def pre_validate(self, form: Any) -> None:  # the adapter's validate_settings decides
        pass


class ChoiceRadios(_Choice, RadioField):
    widget = GovRadioInput()


class ChoiceSelect(_Choice, SelectField):
    widget = GovSelect()


class SecretPassword(PasswordField):
    """A password box that never shows a value, not even the one just typed."""

    widget = GovPasswordInput()

    def _value(self) -> str:
        return ""


class SecretLines(TextAreaField):
    """Secret lines of Name: value (e.g. an Authorization header): never shown again."""

    widget = GovTextArea()

    def _value(self) -> str:
        return ""


def _limit(setting: SettingField):
    limit = LIMITS.get(setting.kind, DEFAULT_LIMIT)

    def check(form: Any, field: Any) -> None:
        if isinstance(field.data, str) and len(field.data) > limit:
            raise StopValidation(f"{setting.label} must be {limit:,} characters or fewer")

    return check


def _hint(setting: SettingField, saved: bool) -> str:
    parts = [setting.help] if setting.help else []
    if setting.kind in ("int", "float") and setting.minimum is not None:
        if setting.maximum is not None:
            parts.append(f"Between {setting.minimum:g} and {setting.maximum:g}")
        else:
            parts.append(f"{setting.minimum:g} or more")
    if setting.kind == "mapping":
        parts.append("One per line, as Name: value")
    if setting.secret:
        parts.append("Saved (hidden). Leave empty to keep it" if saved else "Not set")
    return ". ".join(p.rstrip(".") for p in parts)


def _field(setting: SettingField, saved: bool):
    label = setting.label
    if not setting.required and setting.kind != "bool":
        label += " (optional)"
    common: dict[str, Any] = {"description": _hint(setting, saved)}
    if setting.kind == "bool":
        return BooleanField(label, **common, widget=GovCheckboxInput())
    if setting.kind == "choice":
        choices = [SelectChoice(c, c) for c in setting.choices]
        kind = ChoiceRadios if len(choices) <= 4 else ChoiceSelect
        return kind(label, choices=choices, **common)
    validators = [_limit(setting)]
    if setting.kind == "mapping":
        kind = SecretLines if setting.secret else TextAreaField
        return kind(label, validators=validators, **common, widget=GovTextArea())
    if setting.secret:
        return SecretPassword(label, validators=validators, **common)
    return StringField(label, validators=validators, **common, widget=GovTextInput())


def build(adapter: Adapter, saved_secrets: set[str]) -> type[AdapterForm]:
    """A form class for this adapter's settings; `saved_secrets` names the secrets on file."""
    attrs: dict[str, Any] = {"adapter": adapter}
    for setting in adapter.settings:
        saved = setting.name in saved_secrets
        attrs[PREFIX + setting.name] = _field(setting, saved)
        if setting.secret and saved and not setting.required:
            attrs[CLEAR_PREFIX + setting.name] = BooleanField(
                f"Remove the saved {setting.label[:1].lower()}{setting.label[1:]}",
                widget=GovCheckboxInput(),
            )
    return type(f"{type(adapter).__name__}Form", (AdapterForm,), attrs)


def display(setting: SettingField, value: Any) -> Any:
    """A stored (non-secret) value as its form field shows it."""
    if setting.kind == "bool":
        return bool(value)
    if value is None:
        return ""
    if setting.kind == "float" and isinstance(value, int | float):
        return f"{value:g}"
    if setting.kind == "mapping" and isinstance(value, Mapping):
        return "\n".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def initial(adapter: Adapter, stored: Mapping[str, Any], name: str, active: bool) -> dict:
    """The form's data for a GET: stored plain settings (or their defaults), no secrets."""
    data: dict[str, Any] = {"name": name, "active": active}
    for setting in adapter.settings:
        if setting.secret:
            continue
        value = stored.get(setting.name, setting.default)
        data[PREFIX + setting.name] = display(setting, value)
    return data
