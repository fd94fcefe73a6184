"""When a case for a service is due: its target in working days or in clock hours.

- sla_working_days: the date that many working days (England and Wales, bank holidays off)
  after the day the case was raised, in UK time; the day itself does not count, so a case
  raised on a Saturday with a 1-day target is due on Monday (or Tuesday after a bank-holiday
  Monday). A target of 0 means the same day.
- sla_hours: the moment that many clock hours after it was raised, nights, weekends and bank
  holidays included: hour targets are for things that cannot wait (a dangerous structure, no
  heating for a vulnerable resident), which are answered round the clock.
- Neither: None (no target).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from frontoffice.catalogue.models import Service
from frontoffice.working_days import add_working_days

LONDON = ZoneInfo("Europe/London")


def due_at(service: Service, start: datetime) -> datetime | date | None:
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware; use frontoffice.clock.now()")
    if service.sla_hours is not None:
        # In UTC: adding hours to a local time would be wall-clock arithmetic across DST.
        return start.astimezone(UTC) + timedelta(hours=service.sla_hours)
    if service.sla_working_days is not None:
        return add_working_days(start.astimezone(LONDON).date(), service.sla_working_days)
    return None


def describe(service: Service) -> str:
    """'5 working days', '4 hours' or 'No target'."""
    if service.sla_hours is not None:
        return f"{service.sla_hours} hour{'s' if service.sla_hours != 1 else ''}"
    if service.sla_working_days is not None:
        days = service.sla_working_days
        return f"{days} working day{'s' if days != 1 else ''}"
    return "No target"
