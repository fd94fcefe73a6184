"""A supervisor reviews a possible duplicate, merges the records, then undoes the merge."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from frontoffice.accounts.models import Role
from frontoffice.extensions import db
from frontoffice.identity.models import MatchReview
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.merging.conftest import make_pair


def test_review_merge_and_unmerge(page, live_server):
    with live_server.app.app_context():
        pair = make_pair()
        review = MatchReview(
            customer_id=pair.survivor.id,
            other_customer_id=pair.merged.id,
            source="sweep",
            probability=0.91,
            explanation=[
                {"field": "given_name", "level": "nickname", "weight": 4.2},
                {"field": "phone", "level": "exact", "weight": 9.8},
                {"field": "date_of_birth", "level": "missing", "weight": 0.0},
            ],
        )
        db.session.add(review)
        db.session.commit()
        survivor_id, merged_id = pair.survivor.id, pair.merged.id

    sign_in(page, live_server.users[Role.SUPERVISOR])
    page.get_by_role("navigation", name="Staff menu").get_by_role("link", name="Duplicates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Possible duplicates")
    assert_accessible(page)
    page.locator("#review-queue").get_by_role("link", name=re.compile("William Ashworth")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Are these the same person?")
    expect(page.locator("#explanation")).to_contain_text("Agreed nickname")
    expect(page.locator("#right-record")).to_contain_text("Bill Ashworth")
    assert_accessible(page)
    screenshot(page, "duplicate-review")
    page.get_by_label("Yes, the same person: merge the records").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Merge record {merged_id} into record {survivor_id}"
    )
    page.get_by_role("button", name="Merge the records").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter why the records are the same person")
    assert_accessible(page)
    first_name = page.get_by_role("group", name="First name")
    expect(first_name.get_by_role("radio", name="Bill (record")).to_be_checked()
    first_name.get_by_role("radio", name="William (record").check()
    page.get_by_label("Why are these records the same person?").fill("Same mobile and home")
    page.get_by_role("button", name="Merge the records").click()

    expect(page).to_have_url(f"{live_server.url}/staff/customers/{survivor_id}")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Records merged")
    expect(page.get_by_role("heading", level=1)).to_contain_text("William Ashworth")
    assert_accessible(page)

    page.goto(f"/staff/customers/{merged_id}")
    banner = page.locator("#merged")
    expect(banner).to_contain_text(f"Merged into record {survivor_id}")
    assert_accessible(page)
    screenshot(page, "merged-record")
    banner.get_by_role("button", name="Unmerge").click()
    page.get_by_role("button", name="Unmerge the records").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter why you are undoing the merge"
    )
    assert_accessible(page)
    page.get_by_label("Why are you undoing the merge?").fill("Different people after all")
    page.get_by_role("button", name="Unmerge the records").click()
    expect(page).to_have_url(f"{live_server.url}/staff/customers/{merged_id}")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Merge undone")
    expect(page.locator("#merged")).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bill Ashworth")
    assert_accessible(page)
