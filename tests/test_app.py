import pytest

from frontoffice import create_app
from frontoffice.settings import DEFAULT_SECRET, Settings, SettingsError


def test_production_refuses_the_default_secret(monkeypatch):
    monkeypatch.setenv("FRONTOFFICE_ENV", "production")
    monkeypatch.setenv("FRONTOFFICE_DATABASE_URL", "postgresql+psycopg://db/frontoffice")
    monkeypatch.delenv("FRONTOFFICE_SECRET_KEY", raising=False)
    with pytest.raises(SettingsError, match="FRONTOFFICE_SECRET_KEY"):
        create_app()


def test_production_refuses_sqlite():
    env = {"FRONTOFFICE_ENV": "production", "FRONTOFFICE_SECRET_KEY": "x" * 40}
    with pytest.raises(SettingsError, match="PostgreSQL"):
        Settings.from_env(env)


def test_defaults_need_no_server():
    settings = Settings.from_env({"FRONTOFFICE_INSTANCE": "/tmp/fo"})
    assert settings.database_url == "sqlite:////tmp/fo/frontoffice.sqlite"
    assert settings.broker_url == "filesystem://"
    assert settings.secret_key == DEFAULT_SECRET


def test_health_and_security_headers(client):
    response = client.get("/healthz")
    assert response.json == {"status": "ok"}
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_unknown_page_is_a_plain_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_a_nul_character_is_refused_in_each_interface_s_own_error_format(client, as_role):
    """PostgreSQL cannot hold a NUL in any text column: every interface turns it away as bad
    input (it once reached a query and answered 500)."""
    from defusedxml import ElementTree

    api = client.get("/api/v1/cases?service=%00")
    assert api.status_code == 400
    assert api.json["error"]["code"] == "bad_request"

    open311 = client.get("/open311/v2/requests.xml?service_code=bins%00")
    assert open311.status_code == 400
    assert ElementTree.fromstring(open311.data).findtext("error/code") == "400"

    found = client.get("/request/service?q=%00")
    assert found.status_code == 400

    adviser = as_role("adviser")
    search = adviser.get("/staff/customers/?q=smith%00")
    assert search.status_code == 400
    assert "NUL character" in search.get_data(as_text=True)
    assert adviser.get("/staff/customers/?q=smith").status_code == 200
