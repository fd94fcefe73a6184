"""Fixtures for the adapter tests: a payload, and real local servers (Open311, webhook, SMTP)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from frontoffice.adapters import DeliveryPayload
from tests.adapters.servers import FakeOpen311, WebhookReceiver

SMTP_USER = "fo-relay"
SMTP_PASSWORD = "smtp-pass-Z9q!"


def make_payload(**overrides) -> DeliveryPayload:
    values = {
        "idempotency_key": "dsp-42",
        "case_reference": "FO-000123",
        "service_code": "missed_bin",
        "service_name": "Missed bin",
        "partner_code": "NDC",
        "status": "submitted",
        "summary": "Bin not collected on Tuesday\nSecond line",
        "created_at": dt.datetime(2026, 3, 14, 9, 30, tzinfo=dt.UTC),
        "answers": {"bin_type": "green", "containers": ["food", "garden"], "assisted": True},
        "customer": {
            "name": "Ann Marie Smith",
            "address": "1 High Street, Newtown",
            "postcode": "NT1 1AA",
            "uprn": "100012345678",
            "phone": "01632 960001",
            "email": "ann@example.org",
        },
        "address": "Outside 1 High Street",
        "lat": 52.1,
        "long": -1.25,
    }
    values.update(overrides)
    return DeliveryPayload(**values)


@pytest.fixture
def payload() -> DeliveryPayload:
    return make_payload()


@pytest.fixture
def open311_server():
    with FakeOpen311() as server:
        yield server


@pytest.fixture
def webhook_receiver():
    with WebhookReceiver() as receiver:
        yield receiver


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on."""
    return free_port()


class SmtpCollector:
    """An aiosmtpd handler that keeps what it receives and can be told to refuse."""

    def __init__(self) -> None:
        self.envelopes = []
        self.rcpt_answer: str | None = None
        self.data_answer: str | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.rcpt_answer:
            return self.rcpt_answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.data_answer:
            return self.data_answer
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == SMTP_USER.encode()
        and auth_data.password == SMTP_PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)  # not handled: aiosmtpd answers 535


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 (its own authority) and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "frontoffice test")])
    now = dt.datetime.now(dt.UTC)
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture
def smtp_server(tls_files):
    """A real SMTP server on 127.0.0.1 with AUTH, and STARTTLS offered but not required."""
    cert_file, key_file = tls_files
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    collector = SmtpCollector()
    controller = Controller(
        collector,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=_authenticator,
        auth_require_tls=False,
        tls_context=context,
        require_starttls=False,
    )
    controller.start()
    controller.collector = collector
    yield controller
    controller.stop()
