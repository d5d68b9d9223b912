"""The "Not accurate" button feeds back: `tonewatch train` learns the label the person chose, and
`tonewatch eval --team` reports the team's own precision (of the alerts people reviewed, how many they found
accurate), by severity, over a period. Through the CLI, on a real SQLite database; corrections are stored by
`store_correction`, the step both the Slack and the Teams "Not accurate" forms end in."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from bot.alerts.actions import store_correction
from bot.cli import cli
from storage.db import create_db_engine
from storage.models import Account, Alert, CustomerMessage

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def sqlite_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'feedback.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """A SQLite file (created by the first command), or a fresh schema in the machine's PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_database")
    url = request.getfixturevalue("postgres_engine").url.render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def import_messages(tmp_path: Path, texts: list[str]) -> None:
    path = tmp_path / "history.jsonl"
    path.write_text(
        "".join(
            json.dumps({"account": "Acme", "text": t, "created_at": f"2026-11-{1 + n:02d}T09:00:00Z"}) + "\n"
            for n, t in enumerate(texts)
        )
    )
    result = invoke("import", str(path), "--no-analyze")
    assert result.exit_code == 0, result.output


def raise_alert(database: str, text: str, severity: str, created_at: datetime, status: str = "open") -> int:
    """An alert on the stored message with this text, as the alert service leaves it."""
    engine = create_db_engine(database)
    try:
        with Session(engine) as session:
            message = session.exec(select(CustomerMessage).where(CustomerMessage.text == text)).one()
            account = session.exec(select(Account)).first()
            alert = Alert(
                account_id=account.id if account else None,
                message_id=message.id,
                severity=severity,
                issue_key=f"issue-{message.id}",
                status=status,
                created_at=created_at,
                updated_at=created_at,
            )
            session.add(alert)
            session.commit()
            return alert.id or 0
    finally:
        engine.dispose()


def mark_not_accurate(database: str, alert_id: int, label: str, urgency: str = "low") -> None:
    engine = create_db_engine(database)
    try:
        assert store_correction(engine, alert_id, "U_SAM", label, urgency, [], "it was praise")
    finally:
        engine.dispose()


def test_eval_team_reports_precision_by_severity_over_the_period(tmp_path: Path, database: str) -> None:
    texts = [f"Message {n} about the export." for n in range(8)]
    import_messages(tmp_path, texts)
    day = datetime(2026, 11, 20, tzinfo=UTC)
    raise_alert(database, texts[0], "critical", day, "acknowledged")  # reviewed, accurate
    corrected = raise_alert(database, texts[1], "critical", day)  # reviewed, not accurate
    mark_not_accurate(database, corrected, "positive")
    raise_alert(database, texts[2], "critical", day)  # nobody looked: not judged
    raise_alert(database, texts[3], "warning", day, "snoozed")  # reviewed, accurate
    both = raise_alert(database, texts[4], "warning", day, "acknowledged")  # acknowledged, then corrected
    mark_not_accurate(database, both, "neutral")
    raise_alert(database, texts[5], "opportunity", day)
    old = raise_alert(database, texts[6], "critical", datetime(2026, 6, 1, tzinfo=UTC), "acknowledged")
    mark_not_accurate(database, old, "neutral")  # outside the period

    result = invoke("eval", "--team", "--days", "30", "--as-of", "2026-12-01", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    severities = report["by_severity"]
    critical, warning, opportunity = (severities[s] for s in ("critical", "warning", "opportunity"))
    assert critical == {"alerts": 3, "reviewed": 2, "accurate": 1, "not_accurate": 1, "precision": 0.5}
    assert warning == {"alerts": 2, "reviewed": 2, "accurate": 1, "not_accurate": 1, "precision": 0.5}
    assert opportunity == {"alerts": 1, "reviewed": 0, "accurate": 0, "not_accurate": 0, "precision": None}
    assert report["total"] == {"alerts": 6, "reviewed": 4, "accurate": 2, "not_accurate": 2, "precision": 0.5}
    assert report["from"].startswith("2026-11-01") and report["days"] == 30

    # A longer period takes in the old alert; the text form shows the same figures.
    longer = invoke("eval", "--team", "--days", "365", "--as-of", "2026-12-01")
    assert longer.exit_code == 0, longer.output
    critical_line = next(line for line in longer.stdout.splitlines() if line.startswith("critical"))
    assert critical_line.split() == ["critical", "4", "3", "1", "2", "33%"]


def test_eval_team_refuses_bad_input_clearly(tmp_path: Path, sqlite_database: str) -> None:
    no_database = invoke("eval", "--team")
    assert no_database.exit_code == 1 and no_database.stderr.startswith("error: no database yet")
    assert invoke("eval").exit_code == 2  # neither a file nor --team
    both = invoke("eval", "labels.csv", "--team")
    assert both.exit_code == 2 and "either PATH.csv or --team" in both.stderr
    assert invoke("eval", "--team", "--days", "0").exit_code == 2
    import_messages(tmp_path, ["Hello there."])
    bad_date = invoke("eval", "--team", "--as-of", "yesterday")
    assert bad_date.exit_code == 2 and "not an ISO date" in bad_date.stderr
    empty = invoke("eval", "--team", "--json")
    assert empty.exit_code == 0 and json.loads(empty.stdout)["total"]["precision"] is None


PRAISE = [
    "Killer feature, the team is obsessed with the new timeline view.",
    "This release slaps so hard it hurts.",
    "Honestly the new exports are insane, in the best way.",
]


def test_train_learns_the_label_people_chose_in_not_accurate(tmp_path: Path, database: str) -> None:
    labeled = tmp_path / "labeled.csv"
    rows = (
        [(f"The dashboard is great and support was helpful, thanks {n}", "positive") for n in range(8)]
        + [(f"The sync failed again and we lost the whole afternoon {n}", "negative") for n in range(8)]
        + [(f"Please send the invoice copy for account {n}", "neutral") for n in range(6)]
        + [(PRAISE[0], "negative")]  # a file's label, overruled by the correction below
    )
    with labeled.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(rows)
    import_messages(tmp_path, PRAISE)
    assert json.loads(invoke("analyze", PRAISE[1], "--json").stdout)["label"] == "negative"  # slang misread
    for text in PRAISE:
        alert = raise_alert(database, text, "critical", NOW)
        mark_not_accurate(database, alert, "positive")

    result = invoke("train", str(labeled), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["from_corrections"] == 3
    assert summary["trained_on"] == len(rows) - 1 + 3  # the praise the file had is one text, corrected
    assert summary["labels"]["positive"] == 8 + 3 and summary["labels"]["negative"] == 8
    # The team's model now reads the message the way the person said it should be read.
    assert json.loads(invoke("analyze", PRAISE[1], "--json").stdout)["label"] == "positive"

    text_form = invoke("train")
    assert text_form.exit_code == 0 and "3 corrected in chat" in text_form.stdout
