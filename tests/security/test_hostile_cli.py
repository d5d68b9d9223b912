
"""Hostile files and options on the command line: one `error:` line naming the problem, never a traceback."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import click
import pytest

from bot.cli.common import as_of_moment
from tests.support.cli import assert_clean_failure, err, out, tonewatch

ROW = {"account": "Acme", "text": "The sync failed again.", "created_at": "2026-11-02T09:00:00Z"}


def jsonl(path: Path, *rows: dict | str) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


def test_import_refuses_what_ingest_refuses(tmp_path: Path) -> None:
    cases = {
        "nps": ({**ROW, "source": "nps", "score": 99}, "line 2: score: NPS scores run from 0 to 10"),
        "csat": ({**ROW, "source": "csat", "score": 0}, "line 2: score: CSAT scores run from 1 to 5"),
        "nan": ({**ROW, "source": "nps", "score": "nan"}, "NPS scores run from 0 to 10"),
        "chat-score": ({**ROW, "source": "chat", "score": 3}, "a score is only taken with source nps"),
        "future": (
            {**ROW, "created_at": "2999-01-01T00:00:00Z"},
            "line 2: created_at 2999-01-01 is in the future",
        ),
        "nul": ({**ROW, "account": "Acme\u0000Corp"}, "line 2: account must not contain control characters"),
        "escape": ({**ROW, "author": "maria\u001b[31m"}, "author must not contain control characters"),
        "thread": ({**ROW, "thread": "t\u0007"}, "thread must not contain control characters"),
        "id": ({**ROW, "external_id": "x" * 251}, "external_id has 251 characters; at most 250"),
        "long-account": ({**ROW, "account": "A" * 201}, "account has 201 characters; at most 200"),
        "year-one": ({**ROW, "created_at": "0001-01-01T00:00:00+14:00"}, "created_at is out of range"),
    }
    for name, (row, message) in cases.items():
        path = jsonl(tmp_path / f"{name}.jsonl", ROW, row)
        process = tonewatch("import", str(path))
        assert_clean_failure(process, message, "nothing imported")
        assert len(err(process).strip().splitlines()) == 1, err(process)
    ok = jsonl(tmp_path / "ok.jsonl", ROW, {**ROW, "source": "nps", "score": 10, "external_id": "n-1"})
    process = tonewatch("import", str(ok), "--json", "--no-analyze")
    assert process.returncode == 0 and json.loads(out(process))["new"] == 2, err(process)


def test_deep_json_and_huge_numbers_name_their_line(tmp_path: Path) -> None:
    for row, message in (
        ('{"a":' * 100_000 + "1" + "}" * 100_000, "line 2 nests its JSON too deeply"),
        ('{"account": "Acme", "text": "x", "created_at": "2026-11-02", "score": ' + "9" * 5000 + "}",
         "line 2 has a number with too many digits"),
    ):  # fmt: skip
        process = tonewatch("import", str(jsonl(tmp_path / "deep.jsonl", ROW, row)))
        assert_clean_failure(process, message)
        assert "unexpected" not in err(process) and len(err(process).strip().splitlines()) == 1
    csv = tmp_path / "rows.csv"
    csv.write_text("account,text,created_at,score,source\nAcme,fine,2026-11-02,99,nps\n")
    assert_clean_failure(tonewatch("import", str(csv)), "line 2: score: NPS scores run from 0 to 10")


def test_import_streams_its_input(tmp_path: Path) -> None:
    """A 1 GB sparse file is refused at once, with a bounded memory peak (it is never read whole)."""
    sparse = tmp_path / "sparse.jsonl"
    with sparse.open("wb") as file:
        file.write(json.dumps(ROW).encode() + b"\n")
        file.truncate(1024**3)
    measure = (
        "import resource, subprocess, sys;"
        "p = subprocess.run([sys.executable, '-m', 'bot', 'import', sys.argv[1]], capture_output=True);"
        "sys.stderr.write(p.stderr.decode());"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    process = subprocess.run(
        [sys.executable, "-c", measure, str(sparse)], capture_output=True, timeout=120, cwd=tmp_path
    )
    peak_kib = int(out(process).strip())
    assert err(process).startswith("error:") and "NUL bytes on line 2" in err(process), err(process)
    assert peak_kib < 400 * 1024, f"peak RSS {peak_kib / 1024:.0f} MiB for a 1 GiB file"


def test_teams_package_onto_a_file_or_a_folder_named_like_the_package(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TEAMS_APP_ID", "00000000-0000-0000-0000-000000000001")
    monkeypatch.setenv("TEAMS_APP_PASSWORD", "client-secret")
    existing = tmp_path / "existing.zip"
    existing.write_bytes(b"keep me")
    assert_clean_failure(tonewatch("teams-package", "--out", str(existing)), "is a file")
    assert existing.read_bytes() == b"keep me"
    (tmp_path / "pkg" / "tonewatch-teams.zip").mkdir(parents=True)
    assert_clean_failure(tonewatch("teams-package", "--out", str(tmp_path / "pkg")), "is a folder")
    below_a_file = existing / "sub"
    assert_clean_failure(tonewatch("teams-package", "--out", str(below_a_file)))
    process = tonewatch("teams-package", "--out", str(tmp_path / "fresh"))
    assert process.returncode == 0 and (tmp_path / "fresh" / "tonewatch-teams.zip").is_file(), err(process)


async def test_the_banner_puts_an_ipv6_host_in_brackets(tmp_path: Path) -> None:
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'v6.db'}"}
    environment["TONEWATCH_INGEST_TOKEN"] = "ingest-token-for-tests-0123456789"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--host", "::1", "--port", "0",
        cwd=tmp_path, env=environment, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        banner = ""
        while "listening on" not in banner:
            line = await asyncio.wait_for(process.stderr.readline(), 60)
            assert line, "tonewatch run exited before listening"
            banner = line.decode()
        url = banner.split("listening on ", 1)[1].strip()
        assert url.startswith("http://[::1]:"), banner
        reader, writer = await asyncio.open_connection("::1", int(url.rsplit(":", 1)[1]))
        writer.write(b"GET /livez HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert (await reader.read()).startswith(b"HTTP/1.1 ")
        writer.close()
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)


@pytest.mark.parametrize(
    "moment", ["0001-01-01", "0001-01-02T00:00:00", "1969-12-31T23:59:59Z", "9999-12-31T23:59:59"]
)
def test_as_of_names_its_range_outside_it(moment: str) -> None:
    with pytest.raises(click.BadParameter, match="from 1970-01-01 to 9998-12-31"):
        as_of_moment(moment)


def test_an_as_of_whose_windows_leave_the_calendar_is_refused(tmp_path: Path) -> None:
    """Reports look back weeks and years from --as-of, and read it in a time zone: near either end of
    the calendar those left it (an "unexpected OverflowError"); each command that takes it names its
    range instead, and its ends work."""
    imported = tonewatch("import", str(jsonl(tmp_path / "rows.jsonl", ROW)), "--no-analyze")
    assert imported.returncode == 0, err(imported)
    for command in (
        ("account", "Acme", "--as-of", "0001-01-01"),
        ("digest", "--preview", "--as-of", "9999-12-31T23:59:59", "--timezone", "Pacific/Kiritimati"),
        ("eval", "--team", "--as-of", "0001-01-02T00:00:00", "--days", "1"),
    ):
        process = tonewatch(*command)
        assert_clean_failure(process, "--as-of", "from 1970-01-01 to 9998-12-31")
        assert "unexpected" not in err(process), err(process)
    for command in (
        ("account", "Acme", "--as-of", "1970-01-01", "--json"),
        ("digest", "--preview", "--as-of", "9998-12-31T23:59:59", "--json",
         "--timezone", "Pacific/Kiritimati"),
        ("eval", "--team", "--as-of", "1970-01-01", "--days", "3650", "--json"),
    ):
        process = tonewatch(*command)
        assert process.returncode == 0, (command, err(process))


def test_account_book_rows_a_json_parser_chokes_on_are_bad_rows(tmp_path: Path) -> None:
    """accounts import reports each bad row and applies the good ones: a row nested too deeply, with
    a 5,000-digit number or a lone surrogate escape is a bad row, not an "unexpected" error."""
    book = tmp_path / "book.jsonl"
    book.write_text(
        "\n".join(
            [
                '{"account": "Good"}',
                '{"a":' * 100_000 + "1" + "}" * 100_000,
                '{"account": "Big", "arr": ' + "9" * 5000 + "}",
                '{"account": "\\ud800Acme"}',
                '{"account": "Fine", "owner_email": "\\udc00@example.com"}',
            ]
        )
        + "\n"
    )
    process = tonewatch("accounts", "import", str(book), "--json")
    assert process.returncode == 1 and "Traceback" not in err(process), err(process)
    report = json.loads(out(process))
    assert report["applied"] == 1 and [row["line"] for row in report["bad_rows"]] == [2, 3, 4, 5], report
    assert "nests its JSON too deeply" in report["bad_rows"][0]["error"]
    assert "too many digits" in report["bad_rows"][1]["error"]
    assert "surrogate" in report["bad_rows"][2]["error"] and "surrogate" in report["bad_rows"][3]["error"]


def test_forget_older_than_takes_the_days_retention_takes(tmp_path: Path) -> None:
    """--older-than beyond the calendar (3,000,000 days) ended in an "unexpected OverflowError"; it takes
    what TONEWATCH_RETENTION_DAYS takes, 1 to 36,500."""
    imported = tonewatch("import", str(jsonl(tmp_path / "rows.jsonl", ROW)), "--no-analyze")
    assert imported.returncode == 0, err(imported)
    for days in ("3000000", "36501"):
        process = tonewatch("forget", "--older-than", days, "--dry-run")
        assert_clean_failure(process, "--older-than", "1<=x<=36500")
    process = tonewatch("forget", "--older-than", "36500", "--dry-run")
    assert process.returncode == 0, err(process)
