"""A resident telling us of a life event over HTTP: each page answered in turn, as a browser
would, up to check your answers."""

from __future__ import annotations

from tests.life_events import partnership

DEATH = {
    "informant": {
        "first_name": "Byron",
        "last_name": "Lovelace",
        "relationship": "Son",
        "email": "byron@example.org",
        "phone": "",
        "language": "en",
    },
    "authority": {"authority": "next_of_kin"},
    "person": {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "date_of_birth": ["10", "12", "1940"],
    },
    "details": {"event_date": ["18", "11", "2026"], "inquest": "no", "place": "Home"},
    "next-of-kin": {"name": "Byron Lovelace", "relationship": "Son", "phone": "07700 900123"},
    "executor": {"name": "Mary Somerville", "email": "ms@law.example"},
}
MOVE = {
    "informant": {
        "first_name": "Grace",
        "last_name": "Hopper",
        "relationship": "Myself",
        "email": "grace@example.org",
        "phone": "07700 900456",
        "language": "en",
    },
    "authority": {"authority": "self"},
    "person": {"first_name": "Grace", "last_name": "Hopper", "date_of_birth": ["", "", ""]},
    "details": {"event_date": ["1", "11", "2026"], "move_scope": "within"},
}


def expect_redirect(response, to: str | None = None) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    location = response.headers["Location"]
    if to is not None:
        assert location.split("?")[0] == to, location
    return location


def report(resident, kind: str, answers: dict, *, tell=None, home=None, new_home=None):
    """Answers every page; `tell` maps a service code to yes/no (default: yes to all).
    Returns the check page's tokens."""
    expect_redirect(resident.post("/life-event/what", {"kind": kind}), "/life-event/you")
    location = expect_redirect(resident.post("/life-event/you", answers["informant"]))
    location = expect_redirect(resident.post(location, answers["authority"]))
    location = expect_redirect(resident.post(location, answers["person"]))
    assert location == "/life-event/address/home"
    _address(resident, "home", home or partnership.NORTH_UPRN)
    location = expect_redirect(resident.post("/life-event/details", answers["details"]))
    if kind == "move":
        assert location == "/life-event/address/new"
        _address(resident, "new", new_home or partnership.SOUTH_UPRN)
    if kind == "death":
        for who in ("next-of-kin", "executor"):
            expect_redirect(resident.post(f"/life-event/contacts/{who}", answers[who]))
    number = 1
    while True:
        page = resident.get(f"/life-event/services/{number}")
        if page.status_code == 404:
            break
        html = page.get_data(as_text=True)
        code = (
            next(c for c in partnership.SERVICES if f'<p class="govuk-body">{c}</p>' in html)
            if kind == "death"
            else None
        )
        choice = (tell or {}).get(code, "yes") if code else "yes"
        expect_redirect(resident.post(f"/life-event/services/{number}", {"tell": choice}))
        number += 1
    return resident.check_page("/life-event/check")


def _address(resident, slot: str, uprn: str) -> None:
    if uprn.startswith("manual:"):
        expect_redirect(
            resident.post(
                f"/life-event/address/{slot}/manual",
                {"line_1": uprn.removeprefix("manual:"), "town": "Shire", "postcode": "NV9 9ZZ"},
            )
        )
        return
    postcode = "NV1 2AB" if uprn == partnership.NORTH_UPRN else "SD1 1AA"
    expect_redirect(
        resident.post(f"/life-event/address/{slot}", {"postcode": postcode}),
        f"/life-event/address/{slot}/choose",
    )
    expect_redirect(resident.post(f"/life-event/address/{slot}/choose", {"uprn": uprn}))
