from tests.adapters.conftest import smtp_server, tls_files  # noqa: F401
