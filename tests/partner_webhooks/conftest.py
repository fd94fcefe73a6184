from tests.partner_api.conftest import api, partnership  # noqa: F401 - shared fixtures
