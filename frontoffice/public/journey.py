"""The pages of the request journey, in order, and where each one goes next.

A journey is a list of steps, each a page (endpoint and its URL values). A life-event
journey can be written the same way: its own steps, the same drafts, check-answers and
confirmation pattern.
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


def next_url(service: Service, current: str, *, changing: bool) -> str:
    steps = request_steps(service)
    if changing:
        return steps[-1].url()
    names = [s.name for s in steps]
    return steps[names.index(current) + 1].url()


def back_url(service: Service, current: str) -> str:
    steps = request_steps(service)
    names = [s.name for s in steps]
    index = names.index(current)
    if index == 0:
        return url_for("public.service", code=service.code)
    return steps[index - 1].url()


def first_url(service: Service) -> str:
    return request_steps(service)[0].url()
