"""POST, GET and DELETE /api/v1/webhooks: a partner's own webhooks only, bad input refused."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from frontoffice.audit.models import AuditEvent
from frontoffice.extensions import db
from frontoffice.partner_api.openapi import document
from frontoffice.partner_webhooks import operations
from frontoffice.partner_webhooks.models import WebhookSubscription
from tests.partner_api.test_openapi import _check

URL = "https://hooks.northvale.example.org/frontoffice"


@pytest.fixture
def hooks(api, client):
    """hooks(key).post/get/delete on /api/v1/webhooks."""

    class Hooks:
        def __init__(self, key):
            self.api = api(key)

        def post(self, body):
            return self.api.post("/webhooks", json=body)

        def get(self):
            return self.api.get("/webhooks")

        def delete(self, webhook_id):
            return client.delete(f"/api/v1/webhooks/{webhook_id}", headers=self.api.headers)

    return Hooks


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(WebhookSubscription))


def test_a_partner_registers_a_webhook_sees_its_secret_once_and_lists_it(hooks, partnership):
    made = hooks(partnership.our_key).post({"url": URL, "description": "CRM live"})
    assert made.status_code == 201
    body = made.get_json()
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 40
    assert body["events"] == ["case.new", "case.changed"] and body["active"] is True
    row = db.session.get(WebhookSubscription, body["id"])
    assert body["secret"] not in row.secret, "the secret is stored encrypted"
    assert operations.secret_of(row) == body["secret"]
    listed = hooks(partnership.our_key).get().get_json()["webhooks"]
    assert [w["id"] for w in listed] == [body["id"]]
    assert "secret" not in listed[0], "the secret is shown only when the webhook is made"
    audit = db.session.scalars(
        select(AuditEvent).where(AuditEvent.record_type == "webhook_subscription")
    ).all()
    assert [a.action for a in audit] == ["create"] and body["secret"] not in str(audit[0].details)


def test_only_the_events_asked_for_are_kept(hooks, partnership):
    made = hooks(partnership.our_key).post({"url": URL, "events": ["case.changed"]})
    assert made.status_code == 201 and made.get_json()["events"] == ["case.changed"]


def test_deleting_stops_the_webhook_and_hides_it(hooks, partnership):
    ours = hooks(partnership.our_key)
    webhook_id = ours.post({"url": URL}).get_json()["id"]
    assert ours.delete(webhook_id).status_code == 204
    assert ours.get().get_json() == {"webhooks": []}
    assert db.session.get(WebhookSubscription, webhook_id).active is False
    again = ours.delete(webhook_id)
    assert again.status_code == 404 and again.get_json()["error"]["code"] == "not_found"


def test_another_partners_key_can_neither_see_nor_delete_a_webhook(hooks, partnership):
    webhook_id = hooks(partnership.our_key).post({"url": URL}).get_json()["id"]
    theirs = hooks(partnership.their_key)
    assert theirs.get().get_json() == {"webhooks": []}
    refused = theirs.delete(webhook_id)
    assert refused.status_code == 404, "the same answer as for a webhook that does not exist"
    assert db.session.get(WebhookSubscription, webhook_id).active is True


@pytest.mark.parametrize("key", [None, "fo_0123456789ab_" + "x" * 43, "nonsense"])
def test_no_key_or_a_bad_one_is_401_and_makes_nothing(hooks, partnership, key):
    before = _count()
    for response in (hooks(key).post({"url": URL}), hooks(key).get(), hooks(key).delete(1)):
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorised"
    assert _count() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "url"),
        ({"url": ""}, "url"),
        ({"url": 42}, "url"),
        ({"url": ["https://a.example.org"]}, "url"),
        ({"url": "http://hooks.example.org/x"}, "url"),
        ({"url": "ftp://hooks.example.org/x"}, "url"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "https://user:pw@hooks.example.org/x"}, "url"),
        ({"url": "https://10.0.0.5/x"}, "url"),
        ({"url": "https://169.254.169.254/latest/meta-data"}, "url"),
        ({"url": "https://localhost/x"}, "url"),
        ({"url": "https://[::1]/x"}, "url"),
        ({"url": "https://intranet/x"}, "url"),
        ({"url": "https://hooks.example.org:99999/x"}, "url"),
        ({"url": "https://hooks.example.org/\r\nX-Injected: 1"}, "url"),
        ({"url": "https://hooks.example.org/" + "a" * 2000}, "url"),
        ({"url": URL, "events": []}, "events"),
        ({"url": URL, "events": "case.new"}, "events"),
        ({"url": URL, "events": ["case.deleted"]}, "events"),
        ({"url": URL, "events": [None]}, "events"),
        ({"url": URL, "description": "x" * 201}, "description"),
        ({"url": URL, "description": {"a": 1}}, "description"),
        ({"url": URL, "secret": "mine-please"}, "secret"),
    ],
)
def test_invalid_fields_are_422_with_the_field_named_and_nothing_made(
    hooks, partnership, body, field
):
    before = _count()
    response = hooks(partnership.our_key).post(body)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "invalid" and field in error["fields"]
    assert _count() == before


def test_a_body_that_is_not_a_json_object_or_too_large_is_refused(client, partnership):
    headers = {"Authorization": f"Bearer {partnership.our_key}"}
    for data, content_type, status in (
        ("not json", "application/json", 400),
        ("[1, 2]", "application/json", 400),
        ("url=https://x.example.org", "application/x-www-form-urlencoded", 400),
        (json.dumps({"url": URL, "description": "x" * 200_000}), "application/json", 413),
    ):
        response = client.post(
            "/api/v1/webhooks", data=data, headers={**headers, "Content-Type": content_type}
        )
        assert response.status_code == status
        assert response.get_json()["error"]["code"]
    assert _count() == 0


def test_a_partner_may_have_ten_webhooks_at_most(hooks, partnership):
    ours = hooks(partnership.our_key)
    for n in range(operations.MAX_ACTIVE):
        assert ours.post({"url": f"{URL}/{n}"}).status_code == 201
    refused = ours.post({"url": URL})
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "too_many_webhooks"
    assert hooks(partnership.their_key).post({"url": URL}).status_code == 201


@pytest.mark.parametrize("webhook_id", ["0", "99999999999999999999", "-1", "abc", "1.5"])
def test_deleting_a_strange_id_is_a_clean_404(hooks, partnership, webhook_id):
    response = hooks(partnership.our_key).delete(webhook_id)
    assert response.status_code in (404, 405)
    assert response.status_code < 500


def test_answers_fit_the_openapi_document(hooks, partnership):
    spec = document()
    ours = hooks(partnership.our_key)
    made = ours.post({"url": URL})
    _check(made, "/webhooks", "post", spec)
    _check(ours.post({"url": "http://x"}), "/webhooks", "post", spec)
    _check(ours.get(), "/webhooks", "get", spec)
    _check(hooks(None).get(), "/webhooks", "get", spec)
    assert "204" in spec["paths"]["/webhooks/{webhook_id}"]["delete"]["responses"]
    missing = hooks(partnership.their_key).delete(made.get_json()["id"])
    assert missing.status_code == 404
    operation = spec["paths"]["/webhooks/{webhook_id}"]["delete"]
    assert "404" in operation["responses"]
    assert spec["webhooks"]["caseEvent"]["post"]["requestBody"]


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=60),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    body=st.dictionaries(
        st.sampled_from(["url", "events", "description", "x"]), JSON_VALUES, max_size=4
    )
)
def test_whatever_is_posted_the_answer_is_never_a_5xx(hooks, partnership, body):
    response = hooks(partnership.our_key).post(body)
    assert response.status_code in (201, 409, 422), (body, response.status_code)
    assert isinstance(response.get_json(), dict)
