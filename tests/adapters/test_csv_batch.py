"""The CSV batch adapter: a real folder, concurrent appends, torn rows, and a real SFTP server."""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import threading

import paramiko
import pytest
import time_machine

from frontoffice.adapters import AdapterError, PermanentError, RetryableError, SettingsInvalid
from frontoffice.adapters.csv_batch import COLUMNS, CsvBatchAdapter, safe_cell
from tests.adapters.conftest import make_payload
from tests.adapters.sftp_server import SftpServer

pytestmark = pytest.mark.no_db

DAY = "2026-03-14T10:00:00+00:00"


def rows(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_appends_a_documented_row_to_the_days_file(tmp_path, payload):
    with time_machine.travel(DAY, tick=False):
        result = CsvBatchAdapter().deliver(payload, {"folder": str(tmp_path)})

    assert result.delivered and result.detail == "Added to NDC-2026-03-14.csv"
    path = tmp_path / "NDC-2026-03-14.csv"
    data = path.read_bytes()
    assert data.startswith(",".join(COLUMNS).encode() + b"\r\n")
    [row] = rows(path)
    assert row["dispatch_id"] == "dsp-42" and row["case_reference"] == "FO-000123"
    assert row["created_at"] == "2026-03-14T09:30:00+00:00"
    assert row["summary"] == "Bin not collected on Tuesday\nSecond line"
    assert row["customer_uprn"] == "100012345678" and row["customer_postcode"] == "NT1 1AA"
    assert (row["lat"], row["long"]) == ("52.1", "-1.25")
    assert json.loads(row["answers"]) == {
        "assisted": True,
        "bin_type": "green",
        "containers": ["food", "garden"],
    }
    assert data.count(b"\r\n") == 2  # the line break inside the summary is a bare LF


def test_hourly_files_are_named_in_uk_local_time(tmp_path, payload):
    settings = {
        "folder": str(tmp_path),
        "period": "hour",
        "filename_pattern": "{period}_{partner}.csv",
    }
    with time_machine.travel("2026-07-01T23:30:00+00:00", tick=False):  # 00:30 BST
        CsvBatchAdapter().deliver(make_payload(partner_code="North Devon/1"), settings)
    assert [p.name for p in tmp_path.iterdir()] == ["2026-07-02T00_North_Devon_1.csv"]


def test_a_repeated_key_is_not_appended_twice(tmp_path, payload):
    adapter = CsvBatchAdapter()
    settings = {"folder": str(tmp_path)}
    with time_machine.travel(DAY, tick=False):
        adapter.deliver(payload, settings)
        again = adapter.deliver(payload, settings)
        adapter.deliver(make_payload(idempotency_key="dsp-43"), settings)

    assert again.detail == "Already in NDC-2026-03-14.csv"
    assert [r["dispatch_id"] for r in rows(tmp_path / "NDC-2026-03-14.csv")] == ["dsp-42", "dsp-43"]


def test_a_retry_just_after_midnight_finds_the_row_in_yesterdays_file(tmp_path, payload):
    adapter = CsvBatchAdapter()
    settings = {"folder": str(tmp_path)}
    with time_machine.travel("2026-03-14T23:59:30+00:00", tick=False):
        adapter.deliver(payload, settings)
    with time_machine.travel("2026-03-15T00:00:30+00:00", tick=False):
        result = adapter.deliver(payload, settings)

    assert result.detail == "Already in NDC-2026-03-14.csv"
    assert not (tmp_path / "NDC-2026-03-15.csv").exists()


def test_concurrent_appends_from_threads_keep_every_row_once(tmp_path):
    adapter = CsvBatchAdapter()
    settings = {"folder": str(tmp_path)}
    keys = [f"dsp-{n}" for n in range(60)]
    start = threading.Barrier(6)
    failures = []

    def work(offset: int) -> None:
        start.wait()
        try:
            for n in range(len(keys)):
                key = keys[(n + offset * 10) % len(keys)]  # every thread sends every key
                adapter.deliver(make_payload(idempotency_key=key, summary="x" * 2000), settings)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            failures.append(error)

    with time_machine.travel(DAY, tick=False):
        threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert failures == []
    found = [r["dispatch_id"] for r in rows(tmp_path / "NDC-2026-03-14.csv")]
    assert sorted(found) == sorted(keys)
    assert all(len(r["summary"]) == 2000 for r in rows(tmp_path / "NDC-2026-03-14.csv"))


def test_a_row_torn_by_a_crash_is_cut_off_and_earlier_rows_survive(tmp_path, payload):
    adapter = CsvBatchAdapter()
    settings = {"folder": str(tmp_path)}
    path = tmp_path / "NDC-2026-03-14.csv"
    with time_machine.travel(DAY, tick=False):
        adapter.deliver(payload, settings)
        good = path.read_bytes()
        with open(path, "ab") as fh:
            fh.write(b'dsp-99,FO-000999,case,2026-03-14,"half a summ')  # the crash
        adapter.deliver(make_payload(idempotency_key="dsp-99"), settings)

    data = path.read_bytes()
    assert data.startswith(good)
    assert [r["dispatch_id"] for r in rows(path)] == ["dsp-42", "dsp-99"]
    assert b"half a summ" not in data


def test_cells_that_look_like_formulas_are_defused(tmp_path):
    payload = make_payload(
        summary='=HYPERLINK("http://evil.example","click")',
        customer={"name": "@SUM(A1:A9)", "phone": "+44 1632 960001", "address": "-2+3"},
        answers={},
        lat=-0.5,
        long=-1.25,
    )
    with time_machine.travel(DAY, tick=False):
        CsvBatchAdapter().deliver(payload, {"folder": str(tmp_path)})

    [row] = rows(tmp_path / "NDC-2026-03-14.csv")
    assert row["summary"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["customer_name"] == "'@SUM(A1:A9)"
    assert row["customer_phone"] == "'+44 1632 960001"
    assert row["customer_address"] == "'-2+3"
    assert (row["lat"], row["long"]) == ("-0.5", "-1.25")  # numbers stay numbers
    assert safe_cell("\tcmd") == "'\tcmd" and safe_cell("\r\nx") == "'\nx"
    assert safe_cell("-12.5e3") == "-12.5e3" and safe_cell(None) == ""


def test_settings_are_checked(tmp_path):
    adapter = CsvBatchAdapter()
    with pytest.raises(SettingsInvalid) as caught:
        adapter.validate_settings(
            {"folder": "relative/dir", "filename_pattern": "{partner}/{period}.csv"}
        )
    assert caught.value.errors == {"folder": "Folder must be a full path, starting with /"}
    with pytest.raises(SettingsInvalid) as caught:
        adapter.validate_settings({"folder": "/srv/x", "filename_pattern": "{partner}/{period}"})
    assert set(caught.value.errors) == {"filename_pattern"}
    with pytest.raises(SettingsInvalid) as caught:
        adapter.validate_settings({"folder": "/srv/x", "filename_pattern": "{secret_key}.csv"})
    assert set(caught.value.errors) == {"filename_pattern"}
    with pytest.raises(SettingsInvalid) as caught:
        adapter.validate_settings({"folder": "/srv/x", "sftp_host": "sftp.example.org"})
    assert caught.value.errors == {
        "sftp_username": "Enter the SFTP username",
        "sftp_password": "Enter the SFTP password",
        "sftp_host_key": "Enter the SFTP host key",
    }


def test_a_missing_folder_is_permanent(tmp_path, payload):
    with pytest.raises(PermanentError, match="does not exist"):
        CsvBatchAdapter().deliver(payload, {"folder": str(tmp_path / "nope")})
    with pytest.raises(AdapterError, match="does not exist"):
        CsvBatchAdapter().test_connection({"folder": str(tmp_path / "nope")})
    assert CsvBatchAdapter().test_connection({"folder": str(tmp_path)}) == (
        f"The folder {tmp_path} is there and writable."
    )


# --- SFTP --------------------------------------------------------------------------------

SFTP_PASSWORD = "sftp-pass-Q7!"


@pytest.fixture
def sftp(tmp_path):
    remote = tmp_path / "remote"
    (remote / "inbox").mkdir(parents=True)
    with SftpServer(str(remote), "fo", SFTP_PASSWORD) as server:
        server.remote = remote
        yield server


def sftp_settings(tmp_path, server, **overrides) -> dict:
    local = tmp_path / "local"
    local.mkdir(exist_ok=True)
    values = {
        "folder": str(local),
        "sftp_host": "127.0.0.1",
        "sftp_port": server.port,
        "sftp_username": "fo",
        "sftp_password": SFTP_PASSWORD,
        "sftp_remote_folder": "/inbox",
        "sftp_host_key": server.host_key_line,
        "timeout": 5,
    }
    values.update(overrides)
    return values


def test_sftp_uploads_the_whole_file_after_each_append(tmp_path, sftp, payload):
    adapter = CsvBatchAdapter()
    settings = sftp_settings(tmp_path, sftp)
    with time_machine.travel(DAY, tick=False):
        first = adapter.deliver(payload, settings)
        adapter.deliver(make_payload(idempotency_key="dsp-43"), settings)
        again = adapter.deliver(payload, settings)

    assert first.detail == "Added to NDC-2026-03-14.csv, uploaded to 127.0.0.1"
    assert again.detail == "Already in NDC-2026-03-14.csv, uploaded to 127.0.0.1"
    local = (tmp_path / "local" / "NDC-2026-03-14.csv").read_bytes()
    remote = sftp.remote / "inbox" / "NDC-2026-03-14.csv"
    assert remote.read_bytes() == local
    assert [r["dispatch_id"] for r in csv.DictReader(io.StringIO(local.decode()))] == [
        "dsp-42",
        "dsp-43",
    ]
    assert os.listdir(sftp.remote / "inbox") == ["NDC-2026-03-14.csv"]  # no .part left


def test_sftp_host_key_can_be_given_as_a_fingerprint(tmp_path, sftp, payload):
    import base64
    import hashlib

    blob = sftp.host_key.asbytes()
    fingerprint = "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    settings = sftp_settings(tmp_path, sftp, sftp_host_key=fingerprint)
    message = CsvBatchAdapter().test_connection(settings)
    assert message.endswith("Signed in to 127.0.0.1 by SFTP and found /inbox.")


def test_sftp_failures_are_classified(tmp_path, sftp, payload, closed_port):
    adapter = CsvBatchAdapter()
    other_key = paramiko.ECDSAKey.generate()
    cases = [
        ({"sftp_password": "wrong"}, PermanentError, "refused the username or password"),
        (
            {"sftp_host_key": f"{other_key.get_name()} {other_key.get_base64()}"},
            PermanentError,
            "did not show the host key in the settings",
        ),
        ({"sftp_port": closed_port}, RetryableError, "Could not connect to the SFTP server"),
    ]
    for overrides, error, words in cases:
        with pytest.raises(error, match=words):
            adapter.deliver(payload, sftp_settings(tmp_path, sftp, **overrides))
        with pytest.raises(AdapterError, match=words):
            adapter.test_connection(sftp_settings(tmp_path, sftp, **overrides))
    assert not (sftp.remote / "inbox" / "NDC-2026-03-14.csv").exists()


def test_sftp_password_never_reaches_logs_or_repr(tmp_path, sftp, payload, caplog):
    caplog.set_level(logging.DEBUG)
    adapter = CsvBatchAdapter()
    settings = sftp_settings(tmp_path, sftp)
    adapter.deliver(payload, settings)
    with pytest.raises(PermanentError) as caught:
        adapter.deliver(payload, {**settings, "sftp_password": "wrong-secret-55"})
    assert "paramiko" in caplog.text
    assert SFTP_PASSWORD not in caplog.text and "wrong-secret-55" not in caplog.text
    assert "wrong-secret-55" not in str(caught.value)
    assert SFTP_PASSWORD not in repr(adapter.validate_settings(settings))
