"""Browser tests: the real app behind a real WSGI server, driven by Debian's headless Chromium.

Everything here is shared with other journeys (search a customer, raise a case...):

- `live_server`: the app on 127.0.0.1 (a random port) over its own freshly migrated database
  (committed data: the per-test rollback cannot reach another thread's connections), with one
  staff user per role (`live_server.users[Role.ADVISER]`, password `live_server.password`);
- `page`: a new browser context and page for the test, with `base_url` set to the server;
- `sign_in(page, user)`, `assert_accessible(page)` (axe-core, WCAG 2.2 AA) and
  `screenshot(page, name)` (saved when FRONTOFFICE_SCREENSHOTS names a folder).

Every test under tests/browser/ is marked `browser` and `no_db` automatically. The browser is
/usr/bin/chromium, never one downloaded by `playwright install`; without it the tests are
skipped, or fail when the CI variable is set.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import WSGIRequestHandler, make_server

from frontoffice.accounts.models import Role, StaffUser

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
    "--no-first-run",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PASSWORD = "browser journeys password"
PARTNERSHIP_NAME = "Shire Councils Partnership"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.no_db)


# --- the database and the server -------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_database_url(database_url, tmp_path_factory) -> Iterator[str]:
    """A new database beside the test one: a SQLite file, or `<testdb>_browser` on PostgreSQL."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path_factory.mktemp('browser') / 'browser.sqlite'}"
        return
    url = make_url(database_url)
    name = f"{url.database}_browser"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class LiveServer:
    url: str
    app: object
    users: dict[Role, StaffUser]
    password: str = PASSWORD


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:  # the test output is noisy enough
        pass


def _seed(live_app) -> dict[Role, StaffUser]:
    from frontoffice.accounts.operations import create_staff_user
    from frontoffice.extensions import db
    from frontoffice.partners.models import Partner, PartnerKind

    with live_app.app_context():
        county = Partner(code="SHC", name="Shire County Council", kind=PartnerKind.COUNTY)
        district = Partner(code="NVD", name="Northvale District Council", kind=PartnerKind.DISTRICT)
        db.session.add_all([county, district])
        db.session.flush()
        users = {
            role: create_staff_user(
                email=f"{role.value}@browser.test",
                name=f"Browser {role.label}",
                partner_id=district.id if role is Role.PARTNER_USER else county.id,
                role=role,
                password=PASSWORD,
                team="Contact centre",
            )
            for role in Role
        }
        db.session.commit()
        for user in users.values():
            db.session.refresh(user)
            db.session.expunge(user)
        return users


@pytest.fixture(scope="session")
def live_server(app, browser_database_url, tmp_path_factory) -> Iterator[LiveServer]:
    from flask_migrate import upgrade

    from frontoffice import create_app, worker
    from frontoffice.extensions import db

    live_app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": browser_database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": {},
            "WTF_CSRF_ENABLED": True,
            "RATELIMIT_ENABLED": False,
            "PARTNERSHIP_NAME": PARTNERSHIP_NAME,
        }
    )
    with live_app.app_context():
        upgrade()
    users = _seed(live_app)
    server = make_server("127.0.0.1", 0, live_app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=live_app, users=users)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with live_app.app_context():
            db.engine.dispose()
        worker.init_app(app)  # the Celery app is global: give it back to the test app


# --- the browser ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing: install Debian's chromium package (make chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (axe-core is a devDependency)")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def new_context(browser, live_server):
    """new_context(**options) -> a browser context on the live server, closed after the test.

    Contexts bypass the Content-Security-Policy by default so axe-core can be injected; pass
    bypass_csp=False to see the page exactly as a user would.
    """
    from frontoffice.public import guard

    # Each test is a resident of its own; the live server would otherwise count every
    # test's wrong tracking guesses from 127.0.0.1 against the next.
    with live_server.app.test_request_context():
        guard.reset()
    contexts = []

    def make(**options):
        options.setdefault("base_url", live_server.url)
        options.setdefault("bypass_csp", True)
        options.setdefault("locale", "en-GB")
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


# --- helpers for journeys -----------------------------------------------------------------------


def sign_in(page, user: StaffUser, password: str = PASSWORD) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def assert_accessible(page, *, tags: list[str] | None = None) -> None:
    """Runs axe-core on the page as it is now and fails on any WCAG 2.2 AA violation."""
    if page.evaluate("typeof window.axe") == "undefined":
        page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        """tags => axe.run(document, {
            runOnly: {type: 'tag', values: tags},
            resultTypes: ['violations'],
        })""",
        tags or WCAG_TAGS,
    )
    violations = results["violations"]
    if violations:
        lines = [f"axe-core found {len(violations)} violation(s) on {page.url}:"]
        for violation in violations:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"][:5]:
                lines.append(f"    {node['target']}: {node['failureSummary']}")
        pytest.fail("\n".join(lines))


def screenshot(page, name: str) -> None:
    """Saves a full-page screenshot when FRONTOFFICE_SCREENSHOTS names a folder."""
    folder = os.environ.get("FRONTOFFICE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
