"""Every partner API route, with one partner's key against another partner's case: refused."""

from __future__ import annotations

from frontoffice.access.actor import Actor
from frontoffice.cases.status import CaseStatus
from frontoffice.extensions import db
from frontoffice.partner_webhooks import operations
from tests.partner_api.conftest import case_for


def test_no_route_lets_a_key_reach_another_partners_case(app, api, partnership):
    theirs = case_for(partnership.theirs)
    client = api(partnership.our_key)
    walked = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("partner_api.") or "reference" not in rule.arguments:
            continue
        path = rule.rule.removeprefix("/api/v1").replace("<reference>", theirs.reference)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method == "GET":
                response = client.get(path)
            else:
                response = client.post(path, json={"status": "closed", "public_note": "mine now"})
            assert response.status_code == 403, f"{method} {path}: {response.status_code}"
            assert theirs.customer.family_name not in response.get_data(as_text=True)
            walked += 1
    assert walked >= 2
    listed = client.get("/cases").get_json()["cases"]
    assert theirs.reference not in {c["reference"] for c in listed}
    db.session.refresh(theirs)
    assert theirs.status is CaseStatus.NEW


def test_no_route_lets_a_key_reach_another_partners_webhook(app, api, client, partnership):
    theirs, _ = operations.create(
        Actor.system("test"), partnership.theirs.id, None, url="https://hooks.example.org/east"
    )
    db.session.commit()
    headers = api(partnership.our_key).headers
    walked = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("partner_api.") or "webhook_id" not in rule.arguments:
            continue
        path = rule.rule.replace("<int:webhook_id>", str(theirs.id))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method, headers=headers, json={})
            assert response.status_code == 404, f"{method} {path}: {response.status_code}"
            walked += 1
    assert walked >= 1
    assert api(partnership.our_key).get("/webhooks").get_json() == {"webhooks": []}
    db.session.refresh(theirs)
    assert theirs.active
