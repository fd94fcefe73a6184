"""Forms for deciding possible duplicates, merging and unmerging: a message by every field."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField
from wtforms.fields.choices import SelectChoice

from frontoffice.customers.forms import Radios, long_text, radios
from frontoffice.merging.choices import MERGED, SURVIVOR, FieldChoice

SAME, DIFFERENT = "same", "different"


class DecisionForm(FlaskForm):
    decision = radios(
        "Are these records the same person?",
        {SAME: "Yes, the same person: merge the records", DIFFERENT: "No, different people"},
        "",
        "Select whether these records are the same person",
    )
    reason = long_text(
        "Why are they different people?",
        "Reason",
        description="Needed for different people. For the same person, you give it when you "
        "merge, or here when there is no second record to merge",
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class MergeFormBase(FlaskForm):
    reason = long_text(
        "Why are these records the same person?",
        "Reason",
        required="Enter why the records are the same person",
    )
    submit = SubmitField("Merge the records", widget=GovSubmitInput())


def merge_form(options: list[FieldChoice], survivor_id: int, merged_id: int, **kw) -> FlaskForm:
    """A radio per field that differs, the default already chosen."""
    fields = {}
    for option in options:
        if not option.differs:
            continue
        fields[option.name] = Radios(
            option.label,
            choices=[
                SelectChoice(SURVIVOR, f"{option.survivor or 'Not given'} (record {survivor_id})"),
                SelectChoice(MERGED, f"{option.merged or 'Not given'} (record {merged_id})"),
            ],
            default=option.default,
            invalid=f"Select which {option.label.lower()} to keep",
        )
    return type("MergeForm", (MergeFormBase,), fields)(**kw)


class UnmergeForm(FlaskForm):
    reason = long_text(
        "Why are you undoing the merge?", "Reason", required="Enter why you are undoing the merge"
    )
    submit = SubmitField("Unmerge the records", widget=GovSubmitInput())
