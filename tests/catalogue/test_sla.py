from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from frontoffice.catalogue.models import Service
from frontoffice.catalogue.sla import describe, due_at

pytestmark = pytest.mark.no_db
LONDON = ZoneInfo("Europe/London")


def test_working_days_skip_weekends_and_bank_holidays():
    service = Service(sla_working_days=2)
    # Thursday 2 April 2026, evening in the UK: Good Friday and Easter Monday are off.
    assert due_at(service, datetime(2026, 4, 2, 22, 30, tzinfo=UTC)) == date(2026, 4, 8)
    # 23:30 UTC on Friday 31 July is already Saturday in the UK (BST).
    assert due_at(service, datetime(2026, 7, 31, 23, 30, tzinfo=UTC)) == date(2026, 8, 4)
    assert due_at(Service(sla_working_days=0), datetime(2026, 4, 2, 9, tzinfo=UTC)) == date(
        2026, 4, 2
    )


def test_hours_are_clock_hours_across_the_clocks_changing():
    service = Service(sla_hours=24)
    start = datetime(2026, 3, 28, 12, 0, tzinfo=LONDON)  # the clocks go forward overnight
    due = due_at(service, start)
    assert due == datetime(2026, 3, 29, 12, 0, tzinfo=UTC)
    assert due.astimezone(LONDON).hour == 13


def test_no_target_and_naive_times():
    assert due_at(Service(), datetime(2026, 1, 5, tzinfo=UTC)) is None
    with pytest.raises(ValueError, match="timezone-aware"):
        due_at(Service(sla_hours=1), datetime(2026, 1, 5))


def test_describe():
    assert [
        describe(s)
        for s in (
            Service(sla_hours=1),
            Service(sla_hours=4),
            Service(sla_working_days=1),
            Service(sla_working_days=10),
            Service(),
        )
    ] == ["1 hour", "4 hours", "1 working day", "10 working days", "No target"]
