"""Every Open311 datatype as a question page: number, date and time, several choices."""

from __future__ import annotations

from sqlalchemy import select

from frontoffice.cases.models import Case
from frontoffice.catalogue.models import QuestionType, ServiceQuestion
from frontoffice.extensions import db
from tests import factories as f
from tests.public.conftest import complete


def _service():
    service = f.ServiceFactory(code="fly-tipping", name="Report fly-tipping")
    service.questions = [
        ServiceQuestion(
            code="bags",
            label="How many bags?",
            datatype=QuestionType.NUMBER,
            required=True,
            order=1,
        ),
        ServiceQuestion(
            code="seen", label="When did you see it?", datatype=QuestionType.DATETIME, order=2
        ),
        ServiceQuestion(
            code="what",
            label="What was dumped?",
            datatype=QuestionType.MULTIVALUELIST,
            required=True,
            order=3,
            values=[{"key": "tyres", "name": "Tyres"}, {"key": "sofa", "name": "Sofa"}],
        ),
        ServiceQuestion(
            code="where", label="Where exactly?", datatype=QuestionType.STRING, order=4
        ),
    ]
    db.session.commit()
    return service


def test_number_datetime_and_lists_are_kept_in_their_stored_form(resident, bins):
    service = _service()
    answers = (
        {"q_bags": "12"},
        {"q_seen": ["27", "3", "2026"], "q_seen-time": "14:30"},
        {"q_what": ["sofa", "tyres"]},
        {"q_where": "Behind the library 📚"},
    )
    html, tokens = complete(resident, service, answers=answers)
    assert "27 March 2026 at 14:30" in html and "Tyres, Sofa" in html
    page = resident.get("/request/question/2").get_data(as_text=True)
    assert 'value="27"' in page and 'value="14:30"' in page
    resident.client.post("/request/check", data=tokens)
    case = db.session.scalars(select(Case).order_by(Case.id.desc())).first()
    assert case.answers == {
        "bags": 12,
        "seen": "2026-03-27T14:30:00+00:00",
        "what": ["tyres", "sofa"],
        "where": "Behind the library 📚",
    }


def test_bad_numbers_and_dates_are_named(resident, bins):
    service = _service()
    resident.post(f"/request/service/{service.code}")
    page = resident.post("/request/question/1", {"q_bags": "lots"})
    assert page.status_code == 400 and "‘How many bags?’ must be a number" in page.get_data(
        as_text=True
    )
    page = resident.post(
        "/request/question/2", {"q_seen": ["31", "2", "2026"], "q_seen-time": "25:00"}
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and "must be a real date" in html
    page = resident.post("/request/question/3", {"q_what": ["piano"]})
    assert "Select only the answers listed" in page.get_data(as_text=True)
