"""Encrypting secrets at rest (adapter passwords, webhook secrets) with Fernet.

The key comes from FRONTOFFICE_ENCRYPTION_KEY when set (a Fernet key, so it can be rotated
apart from the session secret), otherwise it is derived from the secret key with HKDF.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class SecretsUnreadable(RuntimeError):
    pass


def _fernet(secret_key: str) -> Fernet:
    explicit = os.environ.get("FRONTOFFICE_ENCRYPTION_KEY")
    if explicit:
        return Fernet(explicit.encode())
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"frontoffice", info=b"settings-secrets"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt_json(secret_key: str, values: dict[str, Any]) -> str:
    return _fernet(secret_key).encrypt(json.dumps(values).encode()).decode()


def decrypt_json(secret_key: str, token: str) -> dict[str, Any]:
    if not token:
        return {}
    try:
        return json.loads(_fernet(secret_key).decrypt(token.encode()))
    except InvalidToken as error:
        raise SecretsUnreadable(
            "stored secrets cannot be decrypted: the secret or encryption key has changed"
        ) from error
