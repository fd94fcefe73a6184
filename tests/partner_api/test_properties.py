"""Property-based: whatever a partner's system sends, the API answers in its own error format,
never with a 5xx, and never changes another partner's case."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontoffice.cases.status import CaseStatus
from frontoffice.extensions import db
from tests.partner_api.conftest import case_for

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=15), children, max_size=4)
    ),
    max_leaves=12,
)
UPDATE_FIELDS = [
    "status",
    "public_note",
    "internal_note",
    "your_reference",
    "update_id",
    "updated_at",
]
BODIES = st.dictionaries(st.sampled_from(UPDATE_FIELDS + ["reason", "x"]), JSON_VALUES, max_size=6)
QUERIES = st.dictionaries(
    st.sampled_from(["status", "service", "updated_since", "cursor", "limit", "x"]),
    st.text(max_size=40),
    max_size=5,
)
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def _is_api_answer(response) -> bool:
    if response.status_code >= 500:
        return False
    body = response.get_json(silent=True)
    if response.status_code >= 400:
        return isinstance(body, dict) and isinstance(body.get("error"), dict)
    return isinstance(body, dict)


@SETTINGS
@given(query=QUERIES)
def test_listing_never_fails_whatever_the_filters(api, partnership, query):
    response = api(partnership.our_key).get("/cases", query_string=query)
    assert _is_api_answer(response), (query, response.status_code, response.get_data()[:300])


@SETTINGS
@given(reference=st.text(min_size=1, max_size=40).filter(lambda t: "/" not in t and "?" not in t))
def test_reading_never_fails_whatever_the_reference(api, partnership, reference):
    response = api(partnership.our_key).get(f"/cases/{reference}")
    assert _is_api_answer(response), (reference, response.status_code)


@SETTINGS
@given(body=BODIES, action=st.sampled_from(["updates", "accept", "reject"]))
def test_posting_never_fails_and_never_touches_another_partners_case(
    api, partnership, client, body, action
):
    ours, theirs = case_for(partnership.ours), case_for(partnership.theirs)
    headers = {
        "Authorization": f"Bearer {partnership.our_key}",
        "Content-Type": "application/json",
    }
    for case in (ours, theirs):
        response = client.post(
            f"/api/v1/cases/{case.reference}/{action}", data=json.dumps(body), headers=headers
        )
        assert _is_api_answer(response), (body, response.status_code, response.get_data()[:300])
    db.session.refresh(theirs)
    assert theirs.status is CaseStatus.NEW and theirs.triage_reason == ""
