"""Administrators see a partner's webhooks beside its keys, and can stop one."""

from __future__ import annotations

from bs4 import BeautifulSoup

from frontoffice.access.actor import Actor
from frontoffice.extensions import db
from frontoffice.partner_webhooks import operations
from tests.factories import PartnerFactory
from tests.partner_webhooks.test_events import routed, sent_to


def test_an_administrator_sees_and_disables_a_partners_webhook(as_role, api, partnership):
    hook, secret = operations.create(
        Actor.system("test"), partnership.ours.id, None, url="https://hooks.example.org/north"
    )
    other = PartnerFactory()
    db.session.commit()
    admin = as_role("administrator")
    url = f"/staff/admin/partners/{partnership.ours.id}/api-keys"
    page = admin.get(url).get_data(as_text=True)
    row = BeautifulSoup(page, "html.parser").select_one(f'[data-webhook-id="{hook.id}"]')
    assert "https://hooks.example.org/north" in row.text and "Disable" in row.text
    assert secret not in page
    assert f'data-webhook-id="{hook.id}"' not in admin.get(
        f"/staff/admin/partners/{other.id}/api-keys"
    ).get_data(as_text=True)

    done = admin.post(f"/staff/admin/webhooks/{hook.id}/disable", form_url=url)
    assert done.status_code == 302
    assert "Stopped" in admin.get(url).get_data(as_text=True)
    listed = api(partnership.our_key).get("/webhooks").get_json()["webhooks"]
    assert [(w["id"], w["active"]) for w in listed] == [(hook.id, False)], "the partner sees it"
    case, _ = routed(partnership.ours)
    assert sent_to(hook) == [], "nothing more is written for a disabled webhook"
    assert case.reference


def test_other_roles_cannot_disable_a_webhook(as_role, partnership):
    hook, _ = operations.create(
        Actor.system("test"), partnership.ours.id, None, url="https://hooks.example.org/north"
    )
    db.session.commit()
    supervisor = as_role("supervisor")
    response = supervisor.post(f"/staff/admin/webhooks/{hook.id}/disable", form_url="/staff/")
    assert response.status_code == 403
    db.session.refresh(hook)
    assert hook.active
