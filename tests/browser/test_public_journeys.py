"""A resident requests a service and tracks it, in a real browser, with and without
JavaScript; axe-core checks every page of each journey (errors included)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible as _axe
from tests.browser.conftest import screenshot
from tests.browser.test_staff_journeys import assert_partnership_branding

SERVICE = "Report a missed bin (browser)"
SCRIPT_RE = re.compile(r"<script\b.*?</script>", re.S)
# A page with JavaScript disabled cannot run axe-core itself: its markup is checked in a
# second page of a JavaScript context, under the same address (so the same CSS), scripts
# removed, exactly as the resident's browser has it.
_checkers: dict[int, object] = {}


def assert_accessible(page) -> None:
    checker = _checkers.get(id(page.context))
    if checker is None:
        _axe(page)
        return
    checker.goto("/healthz")
    checker.set_content(SCRIPT_RE.sub("", page.content()), wait_until="load")
    _axe(checker)


def without_javascript(new_context):
    page = new_context(java_script_enabled=False).new_page()
    _checkers[id(page.context)] = new_context().new_page()
    return page


@pytest.fixture(scope="module")
def bins(live_server):
    """A service with a choice and a text question, and two addresses at NV3 4DF."""
    from frontoffice.extensions import db
    from frontoffice.partners.models import Partner
    from tests.service_builder import Address, missed_bin

    with live_server.app.app_context():
        missed_bin(
            db.session.query(Partner).filter_by(code="NVD").one(),
            code="browser-missed-bin",
            name=SERVICE,
            routed=False,
            addresses=tuple(
                Address(f"20000000000{n}", f"{n} Browser Road", "NV3 4DF") for n in (1, 2)
            ),
            group="Bins and recycling",
            description="A bin that was out on time but was not emptied.",
            keywords="wheelie bin, rubbish",
            sla_working_days=2,
        )
        db.session.commit()
    return SERVICE


def _continue(page, name="Continue"):
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()


def _error(page, message: str):
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text(message)
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert_accessible(page)


def request_a_service(page, name: str) -> str:
    """The whole journey, checking each page; returns the reference."""
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask the council for something")
    assert_partnership_branding(page)
    assert_accessible(page)
    page.get_by_role("button", name="Start now").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("What do you need?")
    assert_accessible(page)
    page.get_by_label("Search for a service").fill("wheelie")
    _continue(page, "Search")
    assert_accessible(page)
    page.get_by_role("link", name=SERVICE).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(SERVICE)
    assert_accessible(page)
    _continue(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Which bin was missed?")
    assert_accessible(page)
    _continue(page)
    _error(page, "Select an answer to ‘Which bin was missed?’")
    page.get_by_label("Grey bin").check()
    _continue(page)

    expect(page.get_by_role("heading", level=1)).to_contain_text("Anything else we should know?")
    assert_accessible(page)
    page.get_by_label("Anything else we should know?").fill("Out by 7am, not collected")
    _continue(page)

    assert_accessible(page)
    page.get_by_label("What is the postcode of the place this is about?").fill("nowhere")
    _continue(page, "Find address")
    _error(page, "Enter a real postcode")
    page.get_by_label("What is the postcode of the place this is about?").fill("nv3 4df")
    _continue(page, "Find address")

    expect(page.get_by_role("heading", level=1)).to_have_text("Select the address")
    assert_accessible(page)
    page.get_by_label("2 Browser Road, Northvale, NV3 4DF").check()
    _continue(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Your contact details")
    assert_accessible(page)
    page.get_by_label("First name").fill(name)
    page.get_by_label("Last name").fill("Resident")
    page.get_by_label("Email address").fill("not an email")
    _continue(page)
    _error(page, "Enter an email address in the correct format")
    page.get_by_label("Email address").fill(f"{name.lower()}@example.org")
    _continue(page)

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before sending your request"
    )
    expect(page.locator(".govuk-summary-list")).to_contain_text("2 Browser Road")
    assert_accessible(page)
    page.get_by_role("link", name="Change which bin was missed?").click()
    page.get_by_label("Blue bin").check()
    _continue(page)
    expect(page).to_have_url(re.compile(r"/request/check$"))
    expect(page.locator(".govuk-summary-list")).to_contain_text("Blue bin")
    screenshot(page, f"public-check-{name}")
    _continue(page, "Send request")

    panel = page.locator(".govuk-panel")
    expect(panel).to_contain_text("Request sent")
    expect(panel.locator("strong")).to_have_text(re.compile(r"^FO-\d{6}$"))
    assert_accessible(page)
    screenshot(page, f"public-done-{name}")
    return re.search(r"FO-\d+", panel.inner_text()).group(0)


def track(page, reference: str, secret: str) -> None:
    page.goto("/track")
    expect(page.get_by_role("heading", level=1)).to_have_text("Track a request")
    assert_accessible(page)
    page.get_by_label("Reference").fill(reference)
    page.get_by_label("Email address or postcode").fill("NV9 9ZZ")
    _continue(page, "Track request")
    _error(page, "We could not find a request with that reference")
    page.get_by_label("Email address or postcode").fill(secret)
    _continue(page, "Track request")
    expect(page.locator("h1")).to_have_text(SERVICE)
    expect(page.locator(".govuk-summary-list .govuk-tag")).to_have_text("Received")
    assert_accessible(page)


def test_request_and_track_with_javascript(page, bins):
    reference = request_a_service(page, "Jess")
    track(page, reference, "jess@example.org")


def test_request_and_track_without_javascript(new_context, bins):
    page = without_javascript(new_context)
    reference = request_a_service(page, "Nojs")
    track(page, reference, "NV3 4DF")


def test_a_double_click_on_send_makes_one_case(new_context, live_server, bins):
    """Without JavaScript nothing stops a second click: the form's token does."""
    from sqlalchemy import func, select

    from frontoffice.cases.models import Case
    from frontoffice.extensions import db

    page = without_javascript(new_context)
    page.goto("/request/service/browser-missed-bin")
    _continue(page)
    page.get_by_label("Grey bin").check()
    _continue(page)
    _continue(page)
    page.get_by_role("link", name="Enter the address yourself").click()
    page.get_by_label("Address line 1").fill("3 Browser Road")
    page.get_by_label("Postcode").fill("NV3 4DF")
    _continue(page)
    page.get_by_label("First name").fill("Double")
    page.get_by_label("Last name").fill("Click")
    page.get_by_label("Email address").fill("double@example.org")
    _continue(page)
    with live_server.app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Case))
    form = page.locator("form").last
    form.evaluate("f => { f.requestSubmit(); f.requestSubmit(); }")
    page.wait_for_url(re.compile(r"/request/done$"))
    expect(page.locator(".govuk-panel")).to_contain_text("Request sent")
    with live_server.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case)) == before + 1


def test_two_posts_at_the_same_moment_make_one_case(live_server, bins):
    """Two 'Send request' posts of one form racing on the server (PostgreSQL when the suite
    runs on it): the second waits on the first's token and finds its case."""
    import threading

    import httpx
    from sqlalchemy import func, select

    from frontoffice.cases.models import Case
    from frontoffice.extensions import db

    client = httpx.Client(base_url=live_server.url, timeout=30)
    page = client.get("/request/service/browser-missed-bin").text
    csrf = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    for path, data in (
        ("/request/service/browser-missed-bin", {}),
        ("/request/question/1", {"q_bin": "grey"}),
        ("/request/question/2", {}),
        ("/request/address/manual", {"line_1": "4 Browser Road", "postcode": "NV3 4DF"}),
        (
            "/request/contact",
            {"first_name": "Race", "last_name": "Condition", "email": "race@example.org"},
        ),
    ):
        data = {"reply_by": "email", "language": "en", **data} if "contact" in path else data
        assert client.post(path, data={**data, "csrf_token": csrf}).status_code == 302
    check = client.get("/request/check").text
    token = re.search(r'name="token"[^>]*value="([^"]+)"', check).group(1)
    with live_server.app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Case))
    answers = []
    start = threading.Barrier(2)

    def send():
        start.wait()
        answer = client.post(
            "/request/check", data={"csrf_token": csrf, "token": token, "website": ""}
        )
        answers.append((answer.status_code, answer.headers.get("location")))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    client.close()
    assert answers == [(302, "/request/done")] * 2
    with live_server.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case)) == before + 1


def test_browsing_a_group_finding_nothing_and_typing_the_address(page, bins):
    """The journey's other pages: a group's services, a search with no result, the address
    typed in by hand (errors included)."""
    page.goto("/request/service")
    page.get_by_role("link", name="Bins and recycling").click()
    expect(page.get_by_role("heading", level=2, name="Bins and recycling")).to_be_visible()
    expect(page.get_by_role("link", name=SERVICE)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Search for a service").fill("unicorn")
    _continue(page, "Search")
    expect(page.locator("main")).to_contain_text("We could not find a service for ‘unicorn’")
    assert_accessible(page)

    page.goto("/request/service/browser-missed-bin")
    _continue(page)
    page.get_by_label("Grey bin").check()
    _continue(page)
    _continue(page)
    page.get_by_role("link", name="Enter the address yourself").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What is the address?")
    assert_accessible(page)
    _continue(page)
    _error(page, "Enter address line 1")
    page.get_by_label("Address line 1").fill("5 Browser Road")
    page.get_by_label("Postcode").fill("NV3 4DF")
    _continue(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your contact details")
