"""CSV batch file: append each case to a file per partner and period, in a folder, and
optionally upload that file by SFTP after every append (the partner collects it from there).

The file is named by `filename_pattern` (default ``{partner}-{period}.csv``) where ``{period}``
is the UK-local day (``2026-03-14``) or hour (``2026-03-14T09``) of the dispatch. Rows end in
CRLF (RFC 4180), UTF-8, no byte order mark, a header row first. Columns, fixed:

``COLUMNS`` below: dispatch_id (the idempotency key), case_reference, kind, created_at
(ISO 8601 with offset), service_code, service_name, status, summary, customer_name,
customer_address, customer_postcode, customer_uprn, customer_phone, customer_email, address,
lat, long, answers (a JSON object).

Safety:

- Idempotent: a dispatch id already in this period's file (or the previous period's, for a
  retry across a boundary) is not appended again; the upload still happens.
- Each append holds an exclusive ``flock``, writes the row in one ``write`` on an O_APPEND
  descriptor and ``fsync``s it. A row torn by a crash (the file not ending in CRLF; line breaks
  inside cells are stored as LF, so CRLF only ends rows) is cut off before the next append.
- CSV injection: a text cell starting with = + - @ tab or CR gets a leading apostrophe (plain
  numbers such as a negative longitude are left alone).
- SFTP checks the server's host key against the one in the settings (never trust on first
  use), uploads to a temporary name and renames it over the old file.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import fcntl
import hashlib
import io
import json
import os
import posixpath
import re
import socket
import string
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import paramiko

from frontoffice import clock
from frontoffice.adapters._http import short
from frontoffice.adapters.base import (
    Adapter,
    DeliveryPayload,
    DeliveryResult,
    PermanentError,
    RetryableError,
    SettingField,
    register,
)

COLUMNS = (
    "dispatch_id",
    "case_reference",
    "kind",
    "created_at",
    "service_code",
    "service_name",
    "status",
    "summary",
    "customer_name",
    "customer_address",
    "customer_postcode",
    "customer_uprn",
    "customer_phone",
    "customer_email",
    "address",
    "lat",
    "long",
    "answers",
)
ZONE = ZoneInfo("Europe/London")
PERIODS = {"day": ("%Y-%m-%d", timedelta(days=1)), "hour": ("%Y-%m-%dT%H", timedelta(hours=1))}
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?([eE][+-]?\d+)?")
_RISKY = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """The cell text: CR/CRLF made LF, and a formula-looking start defused with an apostrophe."""
    if value is None:
        return ""
    raw = str(value)
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    if raw.startswith(_RISKY) and not _NUMBER.fullmatch(raw):
        return "'" + text
    return text


def row_for(payload: DeliveryPayload) -> list[str]:
    customer = payload.customer
    values = {
        "dispatch_id": payload.idempotency_key,
        "case_reference": payload.case_reference,
        "kind": payload.kind,
        "created_at": payload.created_at.isoformat(),
        "service_code": payload.service_code,
        "service_name": payload.service_name,
        "status": payload.status,
        "summary": payload.summary,
        "customer_name": customer.get("name"),
        "customer_address": customer.get("address"),
        "customer_postcode": customer.get("postcode"),
        "customer_uprn": customer.get("uprn"),
        "customer_phone": customer.get("phone"),
        "customer_email": customer.get("email"),
        "address": payload.address,
        "lat": payload.lat,
        "long": payload.long,
        "answers": json.dumps(payload.to_dict()["answers"], sort_keys=True, ensure_ascii=False),
    }
    return [safe_cell(values[name]) for name in COLUMNS]


def _encode(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode()


def _ids(data: bytes) -> set[str]:
    reader = csv.reader(io.StringIO(data.decode(errors="replace"), newline=""))
    return {row[0] for row in reader if row}


def append_once(path: Path, key: str, row: list[str]) -> bool:
    """Append `row` unless a row with this id is there. True when it appended."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        data = _read_all(fd)
        if data and not data.endswith(b"\r\n"):
            end = data.rfind(b"\r\n")
            data = data[: end + 2] if end >= 0 else b""
            os.ftruncate(fd, len(data))
        if safe_cell(key) in _ids(data):
            return False
        out = _encode(([list(COLUMNS)] if not data else []) + [row])
        written = os.write(fd, out)
        if written != len(out):
            raise OSError(f"short write to {path.name}")
        os.fsync(fd)
        if not data:
            _fsync_dir(path.parent)
        return True
    finally:
        os.close(fd)  # closing releases the lock


def contains(path: Path, key: str) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        return safe_cell(key) in _ids(_read_all(fd))
    finally:
        os.close(fd)


def _read_all(fd: int) -> bytes:
    chunks, offset = [], 0
    while chunk := os.pread(fd, 1 << 20, offset):
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def period_label(when: datetime, period: str) -> str:
    return when.astimezone(ZONE).strftime(PERIODS[period][0])


def filename(settings: Mapping[str, Any], partner_code: str, when: datetime) -> str:
    partner = re.sub(r"[^A-Za-z0-9_-]", "_", partner_code) or "partner"
    period = period_label(when, settings["period"])
    return settings["filename_pattern"].format(partner=partner, period=period)


@register
class CsvBatchAdapter(Adapter):
    type_name = "csv_batch"
    label = "CSV batch file"
    description = "Append cases to a CSV file per period, in a folder or uploaded by SFTP."
    settings = (
        SettingField("folder", "Folder", "path", required=True, help="Where the files are written"),
        SettingField("period", "One file per", "choice", default="day", choices=("day", "hour")),
        SettingField("filename_pattern", "File name pattern", default="{partner}-{period}.csv"),
        SettingField("sftp_host", "SFTP server", help="Leave empty to only write to the folder"),
        SettingField("sftp_port", "SFTP port", "int", default=22, minimum=1, maximum=65535),
        SettingField("sftp_username", "SFTP username"),
        SettingField("sftp_password", "SFTP password", secret=True),
        SettingField("sftp_remote_folder", "SFTP remote folder", default="."),
        SettingField(
            "sftp_host_key",
            "SFTP host key",
            help="The server's public key ('ssh-ed25519 AAAA…') or its SHA256: fingerprint",
        ),
        SettingField(
            "timeout", "Timeout in seconds", "float", default=30.0, minimum=0.1, maximum=300
        ),
    )

    def check_settings(self, values: dict[str, Any], errors: dict[str, str]) -> None:
        pattern = values["filename_pattern"]
        try:
            names = {
                name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None
            }
            example = pattern.format(partner="p", period="2026-01-01")
        except (ValueError, KeyError, IndexError):
            names, example = {"?"}, ""
        if names - {"partner", "period"} or "/" in example or example.startswith("."):
            errors["filename_pattern"] = (
                "File name pattern must be a file name using only {partner} and {period}"
            )
        if values["sftp_host"]:
            for name, label in (
                ("sftp_username", "SFTP username"),
                ("sftp_password", "SFTP password"),
                ("sftp_host_key", "SFTP host key"),
            ):
                if not values[name]:
                    errors[name] = f"Enter the {label}"
            if values["sftp_host_key"] and _expected_key(values["sftp_host_key"]) is None:
                errors["sftp_host_key"] = (
                    "SFTP host key must look like 'ssh-ed25519 AAAA…' or 'SHA256:…'"
                )

    def deliver(self, payload: DeliveryPayload, settings: Mapping[str, Any]) -> DeliveryResult:
        settings = self.validate_settings(settings)
        folder = Path(settings["folder"])
        if not folder.is_dir():
            raise PermanentError(f"The folder {folder} does not exist")
        now = clock.now()
        key = payload.idempotency_key
        previous = folder / filename(
            settings, payload.partner_code, now - PERIODS[settings["period"]][1]
        )
        path = folder / filename(settings, payload.partner_code, now)
        try:
            if path != previous and contains(previous, key):
                path, appended = previous, False
            else:
                appended = append_once(path, key, row_for(payload))
        except PermissionError:
            raise PermanentError(f"Not allowed to write to {folder}") from None
        except OSError as error:
            raise RetryableError(
                f"Could not write to {folder}: {error.strerror or error}"
            ) from None
        detail = f"{'Added to' if appended else 'Already in'} {path.name}"
        if settings["sftp_host"]:
            upload(settings, path)
            detail += f", uploaded to {settings['sftp_host']}"
        return DeliveryResult(True, None, detail)

    def test_connection(self, settings: Mapping[str, Any]) -> str:
        settings = self.validate_settings(settings)
        folder = Path(settings["folder"])
        if not folder.is_dir():
            raise PermanentError(f"The folder {folder} does not exist")
        if not os.access(folder, os.W_OK | os.X_OK):
            raise PermanentError(f"Not allowed to write to {folder}")
        message = f"The folder {folder} is there and writable."
        if settings["sftp_host"]:
            _with_sftp(settings, lambda sftp: sftp.stat(settings["sftp_remote_folder"]))
            message += (
                f" Signed in to {settings['sftp_host']} by SFTP and found "
                f"{settings['sftp_remote_folder']}."
            )
        return message


# --- SFTP --------------------------------------------------------------------------------


def _expected_key(text: str) -> tuple[str, bytes] | tuple[str, str] | None:
    text = text.strip()
    if text.startswith("SHA256:"):
        return ("fingerprint", text.removeprefix("SHA256:").rstrip("="))
    parts = text.split()
    if len(parts) >= 2:
        try:
            return (parts[0], base64.b64decode(parts[1], validate=True))
        except ValueError:
            return None
    return None


def _check_host_key(key: paramiko.PKey, expected_text: str, host: str) -> None:
    expected = _expected_key(expected_text)
    blob = key.asbytes()
    if expected and expected[0] == "fingerprint":
        actual = base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
        matches = actual == expected[1]
    else:
        matches = bool(expected) and expected == (key.get_name(), blob)
    if not matches:
        raise PermanentError(f"The SFTP server {host} did not show the host key in the settings")


def _with_sftp(settings: Mapping[str, Any], work) -> Any:
    host, port, timeout = settings["sftp_host"], settings["sftp_port"], settings["timeout"]
    where = f"{host}:{port}"
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except TimeoutError:
        raise RetryableError(f"The SFTP server {where} did not answer in time") from None
    except OSError as error:
        raise RetryableError(
            f"Could not connect to the SFTP server {where}: {error.strerror or error}"
        ) from None
    transport = paramiko.Transport(sock)
    transport.banner_timeout = transport.auth_timeout = timeout
    try:
        transport.start_client(timeout=timeout)
        _check_host_key(transport.get_remote_server_key(), settings["sftp_host_key"], where)
        transport.auth_password(settings["sftp_username"], settings["sftp_password"])
        sftp = paramiko.SFTPClient.from_transport(transport)
        if sftp is None:
            raise RetryableError(f"The SFTP server {where} did not open an SFTP session")
        sftp.get_channel().settimeout(timeout)
        return work(sftp)
    except paramiko.AuthenticationException:
        raise PermanentError(f"The SFTP server {where} refused the username or password") from None
    except PermissionError as error:
        raise PermanentError(f"The SFTP server {where} refused: {short(str(error), 150)}") from None
    except (paramiko.SSHException, OSError, EOFError) as error:
        reason = short(str(error) or type(error).__name__, 150)
        raise RetryableError(f"SFTP to {where} failed: {reason}") from None
    finally:
        transport.close()


def upload(settings: Mapping[str, Any], path: Path) -> None:
    """Put the whole file under a temporary name, then rename it over the remote copy."""
    remote = posixpath.join(settings["sftp_remote_folder"], path.name)
    partial = remote + ".part"

    def put(sftp: paramiko.SFTPClient) -> None:
        sftp.put(str(path), partial)
        try:
            sftp.posix_rename(partial, remote)
        except OSError:  # a server without the posix-rename extension
            with contextlib.suppress(FileNotFoundError):
                sftp.remove(remote)
            sftp.rename(partial, remote)

    _with_sftp(settings, put)
