"""A service's questions as a form, answers from the form, and answers from APIs."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form

from frontoffice.catalogue.questions import (
    ChoiceRadios,
    ChoiceSelect,
    DateInputField,
    MultiCheckboxField,
    NumberField,
    answers_from_form,
    build_form,
    clean_answers,
    validate_answers,
)
from tests.catalogue.helpers import BINS, question

pytestmark = pytest.mark.no_db

MANY = [{"key": f"k{n}", "name": f"Option {n}"} for n in range(9)]


def all_types():
    return [
        question("name", "string", required=True, order=0),
        question("count", "number", order=1),
        question("seen_at", "datetime", order=2),
        question("details", "text", order=3),
        question("bin", "singlevaluelist", values=BINS, required=True, order=4),
        question("items", "singlevaluelist", values=MANY, order=5),
        question("extras", "multivaluelist", values=BINS, order=6),
        question("old", "string", active=False, order=7),
    ]


def submit(questions, data: dict):
    form = build_form(questions, base=Form)(formdata=MultiDict(data))
    return form, form.validate()


def test_one_field_per_active_question_of_the_right_kind_in_order():
    form = build_form(reversed(all_types()), base=Form)()
    assert [f.name for f in form] == [
        "q_name",
        "q_count",
        "q_seen_at",
        "q_seen_at-time",
        "q_details",
        "q_bin",
        "q_items",
        "q_extras",
    ]
    assert isinstance(form["q_count"], NumberField)
    assert isinstance(form["q_seen_at"], DateInputField)
    assert isinstance(form["q_bin"], ChoiceRadios)
    assert isinstance(form["q_items"], ChoiceSelect)  # nine values: a select
    assert isinstance(form["q_extras"], MultiCheckboxField)


def test_codes_that_clash_with_form_attributes_are_harmless():
    form, ok = submit(
        [question("data", "string"), question("validate", "string", order=1)],
        {"q_data": "x", "q_validate": "y"},
    )
    assert ok and answers_from_form(
        form, [question("data", "string"), question("validate", "string")]
    ) == {"data": "x", "validate": "y"}


def test_answers_from_a_valid_form():
    questions = all_types()
    form, ok = submit(
        questions,
        {
            "q_name": "  Megan  ",
            "q_count": "1,200.50",
            "q_seen_at": ["27", "3", "2026"],
            "q_seen_at-time": "14.30",
            "q_details": "Line one\r\nLine two",
            "q_bin": "blue",
            "q_items": "k8",
            "q_extras": ["food", "grey", "food"],
        },
    )
    assert ok, form.errors
    assert answers_from_form(form, questions) == {
        "name": "Megan",
        "count": 1200.5,
        "seen_at": "2026-03-27T14:30:00+00:00",
        "details": "Line one\nLine two",
        "bin": "blue",
        "items": "k8",
        "extras": ["grey", "food"],
    }


def test_datetimes_carry_the_uk_offset_in_summer_and_whole_numbers_stay_whole():
    questions = [question("at", "datetime"), question("n", "number", order=1)]
    form, ok = submit(questions, {"q_at": ["1", "7", "2026"], "q_at-time": "09:05", "q_n": "3.000"})
    assert ok
    assert answers_from_form(form, questions) == {"at": "2026-07-01T09:05:00+01:00", "n": 3}


def test_optional_questions_left_blank_are_left_out():
    questions = [q for q in all_types() if not q.required]
    form, ok = submit(questions, {"q_seen_at": ["", "", ""], "q_seen_at-time": ""})
    assert ok, form.errors
    assert answers_from_form(form, questions) == {}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"q_name": "  "}, "q_name", "Enter an answer to ‘Question name?’"),
        ({"q_name": "x" * 501}, "q_name", "‘Question name?’ must be 500 characters or fewer"),
        ({"q_name": "a\x00b"}, "q_name", "must not contain special characters"),
        ({"q_name": "two\nlines"}, "q_name", "must not contain special characters"),
        ({"q_count": "twelve"}, "q_count", "‘Question count?’ must be a number"),
        ({"q_count": "NaN"}, "q_count", "must be a number"),
        ({"q_count": "1e400"}, "q_count", "must be less than 1,000,000,000,000"),
        (
            {"q_seen_at": ["31", "2", "2026"], "q_seen_at-time": "10:00"},
            "q_seen_at",
            "must be a real date",
        ),
        (
            {"q_seen_at": ["1", "", "2026"], "q_seen_at-time": "10:00"},
            "q_seen_at",
            "must include a month",
        ),
        (
            {"q_seen_at": ["1", "2", "2026"]},
            "q_seen_at-time",
            "Enter a time for ‘Question seen_at?’, like 14:30",
        ),
        (
            {"q_seen_at": ["1", "2", "2026"], "q_seen_at-time": "25:00"},
            "q_seen_at-time",
            "like 14:30",
        ),
        ({"q_seen_at-time": "10:00"}, "q_seen_at-time", "Enter a date for ‘Question seen_at?’"),
        ({"q_details": "x" * 5001}, "q_details", "5,000 characters or fewer"),
        ({"q_bin": "purple"}, "q_bin", "Select one of the answers listed for ‘Question bin?’"),
        ({"q_items": "nope"}, "q_items", "Select one of the answers listed"),
        (
            {"q_extras": ["grey", "<script>"]},
            "q_extras",
            "Select only the answers listed for ‘Question extras?’",
        ),
    ],
)
def test_bad_answers_get_a_message_by_the_field(data, field, message):
    defaults = {"q_name": "ok", "q_bin": "grey"}
    form, ok = submit(all_types(), defaults | data)
    assert not ok
    assert any(message in e for e in form.errors[field]), form.errors


def test_required_choices():
    questions = [
        question("bin", "singlevaluelist", values=BINS, required=True),
        question("extras", "multivaluelist", values=BINS, required=True, order=1),
        question("big", "singlevaluelist", values=MANY, required=True, order=2),
    ]
    form, ok = submit(questions, {"q_big": ""})
    assert not ok
    assert form.errors == {
        "q_bin": ["Select an answer to ‘Question bin?’"],
        "q_extras": ["Select at least one answer to ‘Question extras?’"],
        "q_big": ["Select an answer to ‘Question big?’"],
    }


def test_clean_answers_from_an_api():
    cleaned, errors = clean_answers(
        all_types(),
        {
            "name": " Megan ",
            "count": "12",
            "seen_at": "2026-03-27T14:30Z",
            "bin": ["grey"],
            "extras": "food",
            "details": "",
        },
    )
    assert errors == {}
    assert cleaned == {
        "name": "Megan",
        "count": 12,
        "seen_at": "2026-03-27T14:30:00+00:00",
        "bin": "grey",
        "extras": ["food"],
    }


@pytest.mark.parametrize(
    ("answers", "errors"),
    [
        ({}, {"name": "An answer is required", "bin": "An answer is required"}),
        ({"name": "   ", "bin": "grey"}, {"name": "An answer is required"}),
        ({"name": 12, "bin": "grey"}, {"name": "Must be text"}),
        ({"name": "a\nb", "bin": "grey"}, {"name": "Must not contain special characters"}),
        ({"name": "x", "bin": "grey", "count": True}, {"count": "Must be a number"}),
        ({"name": "x", "bin": "grey", "count": "Infinity"}, {"count": "Must be a number"}),
        ({"name": "x", "bin": "grey", "count": [1]}, {"count": "Must be a number"}),
        (
            {"name": "x", "bin": "grey", "seen_at": "2026-03-27 14:30"},
            {"seen_at": "Must include a time zone, like 2026-03-27T14:30:00+00:00"},
        ),
        (
            {"name": "x", "bin": "grey", "seen_at": "yesterday"},
            {"seen_at": "Must be an ISO 8601 date and time, like 2026-03-27T14:30:00+00:00"},
        ),
        ({"name": "x", "bin": "purple"}, {"bin": "Must be one of: grey, blue, food"}),
        ({"name": "x", "bin": ["grey", "blue"]}, {"bin": "Must be one of: grey, blue, food"}),
        (
            {"name": "x", "bin": "grey", "extras": ["grey", 3]},
            {"extras": "Must be a list of answers"},
        ),
        (
            {"name": "x", "bin": "grey", "extras": ["mauve"]},
            {"extras": "Each answer must be one of: grey, blue, food"},
        ),
        (
            {"name": "x", "bin": "grey", "old": "inactive"},
            {"old": "Not a question for this service"},
        ),
        (
            {"name": "x", "bin": "grey", "whatever": 1},
            {"whatever": "Not a question for this service"},
        ),
    ],
)
def test_validate_answers(answers, errors):
    assert validate_answers(all_types(), answers) == errors


def test_unknown_answers_may_be_allowed():
    assert (
        validate_answers(all_types(), {"name": "x", "bin": "grey", "extra": 1}, allow_unknown=True)
        == {}
    )
