"""The pages of a resident's journey, in order, and where each one goes next.

A journey is a list of steps, each a page (endpoint and its URL values), ending with check
your answers: the request journey's steps come from the service's questions, the life-event
journey's (event_journey.py) from the kind of event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import url_for

from frontoffice.catalogue.models import Service, ServiceQuestion


@dataclass(frozen=True)
class Step:
    name: str
    endpoint: str
    values: dict[str, Any] = field(default_factory=dict)

    def url(self, **extra: Any) -> str:
        return url_for(self.endpoint, **self.values, **extra)


def questions(service: Service) -> list[ServiceQuestion]:
    return sorted(service.active_questions, key=lambda q: (q.order, q.id or 0))


def request_steps(service: Service) -> list[Step]:
    steps = [
        Step(f"question-{n}", "public.question", {"number": n})
        for n in range(1, len(questions(service)) + 1)
    ]
    return [
        *steps,
        Step("address", "public.address"),
        Step("contact", "public.contact"),
        Step("check", "public.check"),
    ]


def following(steps: list[Step], current: str, *, changing: bool) -> str:
    """The page after `current`; straight back to check your answers when changing one."""
    if changing:
        return steps[-1].url()
    names = [s.name for s in steps]
    return steps[names.index(current) + 1].url()


def preceding(steps: list[Step], current: str, first: str) -> str:
    """The page before `current`; `first` before the first step."""
    names = [s.name for s in steps]
    index = names.index(current)
    return first if index == 0 else steps[index - 1].url()


def next_url(service: Service, current: str, *, changing: bool) -> str:
    return following(request_steps(service), current, changing=changing)


def back_url(service: Service, current: str) -> str:
    return preceding(request_steps(service), current, url_for("public.service", code=service.code))


def first_url(service: Service) -> str:
    return request_steps(service)[0].url()
