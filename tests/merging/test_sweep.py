"""The duplicate sweep: known duplicates queued once; twins and households left alone."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from frontoffice.access.actor import Actor
from frontoffice.extensions import db
from frontoffice.identity import online
from frontoffice.identity.models import MatchReview, ReviewStatus
from frontoffice.identity.operations import decide
from frontoffice.merging import sweep as duplicate_sweep
from frontoffice.merging import tasks
from frontoffice.merging.operations import merge
from frontoffice.worker import celery_app
from tests import factories as f


@pytest.fixture(autouse=True)
def _count_afresh():
    online._counted.clear()


def resident(given, family, born, line_1="12 Mill Road", postcode="NV1 2AB", phone=None):
    customer = f.CustomerFactory(given_name=given, family_name=family, date_of_birth=born)
    f.CustomerAddressFactory(
        customer=customer,
        line_1=line_1,
        postcode=postcode,
        postcode_key=postcode.replace(" ", ""),
    )
    if phone:
        f.CustomerPhoneFactory(customer=customer, number=phone)
    return customer


def town():
    """Strangers, a resident with a second record, twins, and a household."""
    names = ["Margaret", "Hassan", "Ioana", "Graham", "Priya", "Declan", "Olu", "Fiona"]
    for i in range(30):
        resident(
            names[i % len(names)],
            f"Stranger{chr(97 + i % 26)}{i}",
            date(1940 + i, 1 + i % 12, 1 + i % 28),
            line_1=f"{i} Elm Close",
            postcode=f"EM{i % 9} {i % 7}QT",
        )
    first = resident("William", "Ashworth", date(1980, 3, 7), phone="+447700900123")
    second = resident(
        "Bill", "Ashworth", date(1980, 7, 3), line_1="12 Mill Rd", phone="07700 900123"
    )
    resident("Thomas", "Oduya", date(2001, 5, 9), line_1="3 Brook Lane", postcode="NV2 4DF")
    resident("James", "Oduya", date(2001, 5, 9), line_1="3 Brook Lane", postcode="NV2 4DF")
    resident("Patricia", "Kenning", date(1962, 11, 2), "8 Oak Way", "NV4 1AA", "+447700900555")
    resident("Sophie", "Kenning", date(1994, 2, 20), "8 Oak Way", "NV4 1AA", "+447700900555")
    db.session.flush()
    return first, second


def queued() -> list[tuple[int, int]]:
    reviews = db.session.scalars(
        select(MatchReview).where(MatchReview.source == "sweep").order_by(MatchReview.id)
    )
    return [tuple(sorted((r.customer_id, r.other_customer_id))) for r in reviews]


def test_the_sweep_queues_the_known_duplicate_once_and_not_twins_or_households():
    first, second = town()
    result = duplicate_sweep.sweep(db.session, limit=1000)
    assert queued() == [(first.id, second.id)]
    assert result.queued == 1 and result.round_finished
    review = db.session.scalars(select(MatchReview)).one()
    assert review.probability >= online.REVIEW_AT
    levels = {e["field"]: e["level"] for e in review.explanation}
    assert levels["given_name"] == "nickname" and levels["phone"] == "exact"
    # Again: the pair is already queued.
    assert duplicate_sweep.sweep(db.session, limit=1000).queued == 0
    assert queued() == [(first.id, second.id)]


def test_a_decided_pair_and_a_merged_record_are_never_queued_again():
    first, second = town()
    supervisor = f.StaffUserFactory(role="supervisor")
    actor = Actor(supervisor.id, supervisor.email)
    duplicate_sweep.sweep(db.session, limit=1000)
    review = db.session.scalars(select(MatchReview)).one()
    decide(db.session, review, ReviewStatus.SEPARATE, actor, "Father and son, same name")
    assert duplicate_sweep.sweep(db.session, limit=1000).queued == 0
    third = resident("Will", "Ashworth", date(1980, 3, 7), phone="+447700900123")
    merge(db.session, first.id, third.id, actor, "Same person, created twice today")
    assert duplicate_sweep.sweep(db.session, limit=1000).queued == 0
    assert queued() == [(first.id, second.id)]


def test_each_run_is_bounded_and_the_next_carries_on():
    first, second = town()
    runs = []
    while True:
        result = duplicate_sweep.sweep(db.session, limit=7)
        runs.append(result)
        assert result.looked_at <= 7
        if result.round_finished:
            break
    assert len(runs) == 6  # 36 customers, 7 at a time
    assert queued() == [(first.id, second.id)]
    again = duplicate_sweep.sweep(db.session, limit=7)
    assert again.looked_at == 7 and again.last_customer_id > 0  # a new round began


def test_the_command_and_the_periodic_task(app):
    first, second = town()
    db.session.commit()
    runner = app.test_cli_runner()
    output = runner.invoke(args=["duplicates", "sweep", "--limit", "10", "--whole-round"])
    assert output.exit_code == 0, output.output
    assert "queued 1 for review" in output.output
    assert output.output.count("Looked at") == 4
    assert queued() == [(first.id, second.id)]
    bad = runner.invoke(args=["duplicates", "sweep", "--limit", "0"])
    assert bad.exit_code == 2 and "0 is not in the range" in bad.output
    assert "frontoffice.merging.sweep" in {
        entry["task"] for entry in celery_app.conf.beat_schedule.values()
    }
    assert "queued 0 for review" in tasks.sweep()
