"""Administrators make a key (shown once), see when it was used, and revoke it."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup

from frontoffice.extensions import db
from tests.factories import PartnerFactory


def test_a_key_is_shown_once_works_and_stops_working_when_revoked(as_role, client):
    partner = PartnerFactory(name="Southdown District Council")
    db.session.commit()
    admin = as_role("administrator")
    url = f"/staff/admin/partners/{partner.id}/api-keys"
    made = admin.post(url, {"name": "Southdown CRM"})
    assert made.status_code == 201
    text = BeautifulSoup(made.get_data(as_text=True), "html.parser").select_one("[data-key]").text
    assert re.fullmatch(r"fo_[0-9a-f]{12}_[A-Za-z0-9_-]{43}", text)

    listed = admin.get(url).get_data(as_text=True)
    assert "Southdown CRM" in listed and text not in listed and text[:16] in listed

    headers = {"Authorization": f"Bearer {text}"}
    assert client.get("/api/v1/cases", headers=headers).status_code == 200
    assert "Never" not in admin.get(url).get_data(as_text=True)

    key_id = re.search(r'data-key-id="(\d+)"', listed).group(1)
    revoked = admin.post(f"/staff/admin/api-keys/{key_id}/revoke", form_url=url)
    assert revoked.status_code == 302
    assert client.get("/api/v1/cases", headers=headers).status_code == 401
    assert "Revoked" in admin.get(url).get_data(as_text=True)


def test_a_key_needs_a_name_and_unknown_partners_are_404(as_role):
    partner = PartnerFactory()
    db.session.commit()
    admin = as_role("administrator")
    url = f"/staff/admin/partners/{partner.id}/api-keys"
    refused = admin.post(url, {"name": "   "})
    assert refused.status_code == 422
    assert "Enter a name for the key" in refused.get_data(as_text=True)
    assert "data-key=" not in refused.get_data(as_text=True)
    assert admin.get("/staff/admin/partners/999999/api-keys").status_code == 404
    assert admin.post("/staff/admin/api-keys/999999/revoke", form_url=url).status_code == 404


def test_hostile_names_are_escaped(as_role):
    partner = PartnerFactory()
    db.session.commit()
    admin = as_role("administrator")
    url = f"/staff/admin/partners/{partner.id}/api-keys"
    admin.post(url, {"name": "<script>alert('x')</script>"})
    page = admin.get(url).get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;" in page
