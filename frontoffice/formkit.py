"""Pieces every package's forms share: a text validator and GOV.UK fieldset parameters."""

from __future__ import annotations

import re
from typing import Any

from wtforms.validators import StopValidation

# Control characters other than tab, line feed and carriage return.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Text:
    """Required or not, a length limit and no control characters (nor line breaks, one_line)."""

    def __init__(self, what: str, limit: int, *, required: str = "", one_line: bool = False):
        self.what, self.limit, self.required, self.one_line = what, limit, required, one_line

    def __call__(self, form: Any, field: Any) -> None:
        if not field.data:
            if self.required:
                raise StopValidation(self.required)
            return
        if len(field.data) > self.limit:
            raise StopValidation(f"{self.what} must be {self.limit:,} characters or fewer")
        if CONTROL.search(field.data) or (self.one_line and "\n" in field.data):
            raise StopValidation(f"{self.what} must not contain special characters")


def fieldset_params(field: Any, size: str = "s", classes: str = "") -> dict:
    """Params for radios, checkboxes or a date field: its label as a legend (the widget's own
    legend is lost when a template passes any fieldset params) and no empty hint."""
    params: dict = {
        "fieldset": {
            "legend": {"text": field.label.text, "classes": f"govuk-fieldset__legend--{size}"}
        }
    }
    if not field.description:
        params["hint"] = None
    if classes:
        params["classes"] = classes
    return params
