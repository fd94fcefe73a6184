"""`flask catalogue import`: upsert services by code from a CSV file."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from frontoffice.access.actor import Actor
from frontoffice.catalogue.importer import import_services
from frontoffice.catalogue.models import Service, ServiceTier
from frontoffice.extensions import db
from tests.factories import PartnerFactory, ServiceFactory

HEADER = (
    "code,name,group,description,keywords,owning_partner_code,sla_working_days,sla_hours,tier\n"
)


@pytest.fixture(autouse=True)
def partners():
    PartnerFactory(code="NVDC")
    PartnerFactory(code="SCC")


def run(data: bytes):
    problems: list[tuple[int, str]] = []
    summary = import_services(
        io.BytesIO(data), Actor.system("test"), on_problem=lambda *p: problems.append(p)
    )
    return summary, problems


def service(code: str) -> Service | None:
    return db.session.scalar(select(Service).where(Service.code == code))


def test_new_services_and_updates_by_code():
    existing = ServiceFactory(code="missed-bin", name="Old name", adviser_script="Be kind")
    data = (
        HEADER
        + "Missed-Bin,Report a missed bin,Bins,Not emptied,wheelie bin,nvdc,2,,district\n"
        + 'pothole,"Report a pothole, or a sunken cover",Roads,,,SCC,,48,county\n'
        + "noise,Noise,,,,SCC,,,\n"
    ).encode()
    summary, problems = run(data)
    assert problems == []
    assert (summary.read, summary.inserted, summary.updated, summary.skipped) == (3, 2, 1, 0)
    assert existing.name == "Report a missed bin" and existing.adviser_script == "Be kind"
    assert (existing.sla_working_days, existing.tier, existing.keywords) == (
        2,
        ServiceTier.DISTRICT,
        "wheelie bin",
    )
    pothole = service("pothole")
    assert (pothole.name, pothole.sla_hours, pothole.tier) == (
        "Report a pothole, or a sunken cover",
        48,
        ServiceTier.COUNTY,
    )
    assert service("noise").tier is ServiceTier.ANY and service("noise").sla_working_days is None
    again, _ = run(data)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)


def test_columns_left_out_keep_their_values():
    existing = ServiceFactory(
        code="noise", group="Environment", sla_working_days=5, keywords="music"
    )
    summary, problems = run(
        b"code,name,owning_partner_code,sla_hours\nnoise,Noise nuisance,SCC,24\n"
    )
    assert problems == [] and summary.updated == 1
    assert (existing.group, existing.keywords, existing.sla_hours, existing.sla_working_days) == (
        "Environment",
        "music",
        24,
        None,
    )


def test_bad_rows_are_reported_by_line_and_skipped():
    rows = [
        "ok-one,Fine,,,,SCC,1,,any",
        ",No code,,,,SCC,,,",
        "no-name,,,,,SCC,,,",
        "bad code,Bad code,,,,SCC,,,",
        "no-partner,No partner,,,,XYZ,,,",
        "both,Both targets,,,,SCC,2,4,",
        "days,Days,,,,SCC,two,,",
        "hours,Hours,,,,SCC,,99999,",
        "tier,Tier,,,,SCC,,,galactic",
        "long," + "n" * 201 + ",,,,SCC,,,",
        "ok-one,Duplicate,,,,SCC,,,",
        "extra,Extra,,,,SCC,,,,surplus",
        "ok-two,Fine too,,,,SCC,,,",
    ]
    summary, problems = run((HEADER + "\n".join(rows) + "\n").encode())
    reasons = dict(problems)
    assert sorted(reasons) == list(range(3, 14))
    assert reasons[3] == "code is missing"
    assert reasons[4] == "name is missing"
    assert reasons[5].startswith("Code must be up to 40")
    assert reasons[6] == "no partner has the code 'XYZ'"
    assert reasons[7] == "Give a target in working days or in hours, not both"
    assert reasons[8] == "sla_working_days 'two' is not a whole number"
    assert "between 1 and 8,760" in reasons[9]
    assert reasons[10] == "tier 'galactic' must be county, district or any"
    assert reasons[11] == "Name must be 200 characters or fewer"
    assert reasons[12] == "code ok-one appears earlier in the file (line 2)"
    assert reasons[13] == "has 10 values but the header has 9 columns"
    assert (summary.inserted, summary.skipped) == (2, 11)
    assert service("ok-one").name == "Fine" and service("both") is None


def test_encodings_and_blank_lines():
    data = b"\xef\xbb\xbf" + HEADER.encode() + b"\n\ncafe,Caf\xc3\xa9 licence,,,,SCC,,,\n\n"
    summary, problems = run(data)
    assert problems == [] and service("cafe").name == "Café licence"
    summary, _ = run(HEADER.encode() + "cafe,Café licence,,,,SCC,,,\n".encode("latin-1"))
    assert summary.not_utf8_lines == 1 and summary.unchanged == 1


def test_cli(app, tmp_path):
    path = tmp_path / "services.csv"
    path.write_bytes(
        (HEADER + "pothole,Pothole,Roads,,,SCC,,48,county\nbad code,x,,,,SCC,,,\n").encode()
    )
    result = app.test_cli_runner().invoke(args=["catalogue", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Read 2 rows: 1 inserted, 0 updated, 0 unchanged, 1 skipped." in result.stdout
    assert "Line 3: Code must be up to 40" in result.stderr
    assert service("pothole").sla_hours == 48


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        (b"code,name\npothole,Pothole\n", "no owning_partner_code column"),
    ],
)
def test_cli_fails_only_when_the_file_cannot_be_imported(app, tmp_path, content, message):
    path = tmp_path / "services.csv"
    path.write_bytes(content)
    result = app.test_cli_runner().invoke(args=["catalogue", "import", str(path)])
    assert result.exit_code == 1 and message in result.stderr
