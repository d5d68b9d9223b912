"""examples/README.md is the specification: its tables must come true through the CLI.

The example portfolio is imported with `tonewatch import`, then every row of the README's tables
is checked against `tonewatch account NAME --as-of 2026-11-23 --json` and
`tonewatch digest --preview --as-of 2026-11-23 --json`. The README's tables are parsed, not
copied, so the test follows the document. The account's state is then compared across the
surfaces that show it (account --json, the digest, App Home's overview, the answers and the
account card) for the same moment: one computation.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from bot.cli import cli
from bot.health.portfolio import portfolio_overview
from bot.health.rules import HealthRules, Light
from bot.health.scoring import compute_health
from bot.questions.answer import AnswerOptions
from bot.questions.lookups import account_card, accounts_by_light
from storage.db import create_db_engine
from storage.models import Account

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "examples" / "README.md").read_text(encoding="utf-8")
AS_OF = "2026-11-23"
MOMENT = datetime(2026, 11, 23, tzinfo=UTC)


def _table(heading: str) -> list[list[str]]:
    """The rows of the first Markdown table after `heading`, as stripped cells (header and rule left out)."""
    section = README.split(heading, 1)[1]
    rows = []
    for line in section.splitlines()[1:]:
        if line.startswith("|"):
            rows.append([cell.strip().strip("*") for cell in line.strip().strip("|").split("|")])
        elif rows:
            break
    return [row for row in rows[2:] if not row[0].startswith("Total")]


ACCOUNTS = _table("## The accounts")
INCIDENT = _table("## The systemic incident")
UNANSWERED = _table("## Unanswered negative customer messages")


def _lights(cell: str) -> set[str]:
    """The lights a README cell allows: "yellow, moving to green" is yellow; "yellow-green" either."""
    if "-" in cell.split(" ")[0]:
        return set(cell.split(" ")[0].split("-"))
    return {cell.split(",")[0].split(" ")[0]}


def _trend(cell: str) -> str:
    """The trend word a README cell means ("gone quiet": no recent messages, so no trend: stable)."""
    word = cell.split(" ")[0]
    return {"gone": "stable"}.get(word, word)


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("examples")
    url = f"sqlite:///{folder / 'tonewatch.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", url)
        patch.setenv("TONEWATCH_CHART_DIR", str(folder / "charts"))
        patch.delenv("ANTHROPIC_API_KEY", raising=False)
        runner = CliRunner()
        result = runner.invoke(cli, ["import", str(ROOT / "examples" / "portfolio.jsonl")])
        assert result.exit_code == 0, result.output
        assert result.output.startswith("imported 252 new message(s)")
        accounts = {}
        for row in ACCOUNTS:
            out = runner.invoke(cli, ["account", row[0], "--as-of", AS_OF, "--json"])
            assert out.exit_code == 0, out.output
            accounts[row[0]] = json.loads(out.output)
        out = runner.invoke(cli, ["digest", "--preview", "--as-of", AS_OF, "--json"])
        assert out.exit_code == 0, out.output
        digest = json.loads(out.output)
    engine = create_db_engine(url)
    yield {"url": url, "engine": engine, "accounts": accounts, "digest": digest}
    engine.dispose()


def test_the_readme_tables_are_read() -> None:
    assert len(ACCOUNTS) == 10 and len(INCIDENT) == 4 and len(UNANSWERED) == 3


@pytest.mark.parametrize("row", ACCOUNTS, ids=[row[0] for row in ACCOUNTS])
@pytest.mark.slow
def test_every_account_has_the_readmes_light_and_trend(imported, row) -> None:
    name, _, weekly, light, trend = row
    data = imported["accounts"][name]
    assert data["light"] in _lights(light), (name, data["light"], data["why"])
    assert data["trend"] == _trend(trend), (name, data["trend"], data["why"])
    if "silent" in light:
        assert data["silent_days"] and data["silent_days"] >= 21
        assert "silent" in {w["code"] for w in data["why"]}


def test_the_weekly_message_counts_match(imported) -> None:
    """The README's per-week customer message counts are what the import stored (W1 = 19–25 Oct)."""
    from sqlalchemy import text

    with imported["engine"].connect() as connection:
        rows = connection.execute(
            text(
                "select a.name, m.created_at from messages m join accounts a on a.id = m.account_id "
                "where m.is_customer"
            )
        ).all()
    counts: dict[str, list[int]] = {}
    for name, created in rows:
        moment = created if isinstance(created, datetime) else datetime.fromisoformat(str(created))
        week = (moment.replace(tzinfo=None) - datetime(2026, 10, 19)).days // 7
        counts.setdefault(name, [0] * 5)[week] += 1
    for name, _, weekly, _, _ in ACCOUNTS:
        assert counts.get(name, [0] * 5) == [int(n) for n in weekly.split()], name


def test_the_18_november_incident_is_one_cross_account_pattern(imported) -> None:
    incidents = imported["digest"]["incidents"]
    assert len(incidents) == 1, incidents
    incident = incidents[0]
    assert incident["concern"] == "reliability"
    assert set(incident["accounts"]) == {row[1] for row in INCIDENT}
    first, last = INCIDENT[0][0], INCIDENT[-1][0]
    assert (
        incident["start"] == f"2026-11-18T{first}:00+00:00"
        and incident["end"] == f"2026-11-18T{last}:00+00:00"
    )
    assert incident["text"] == "reliability raised by 4 accounts on Nov 18 between 09:12 and 10:48"


def test_the_unanswered_list_holds_only_the_readmes_three(imported) -> None:
    listed = imported["digest"]["unanswered"]
    expected = [(row[1], f"{row[2].replace(' ', 'T')}:00+00:00") for row in UNANSWERED]
    assert sorted((u["account"], u["created_at"]) for u in listed) == sorted(expected)
    assert imported["digest"]["unanswered_total"] == 3


def test_the_digest_counts_agree_with_the_accounts(imported) -> None:
    digest = imported["digest"]
    lights = [data["light"] for data in imported["accounts"].values()]
    assert digest["counts"] == {light: lights.count(light) for light in ("green", "yellow", "red")}
    attention = {a["account"]: a for a in digest["attention"]}
    for name, data in imported["accounts"].items():
        if data["light"] == "green":
            assert name not in attention
        else:
            assert (attention[name]["light"], attention[name]["trend"]) == (data["light"], data["trend"])
    assert [s["account"] for s in digest["silent"]] == ["Soylent Foods"]


def test_every_surface_takes_an_accounts_state_from_one_computation(imported) -> None:
    """account --json, the digest, App Home, the answers and the account card agree at one moment."""
    rules = HealthRules()
    engine = imported["engine"]
    with Session(engine) as session:
        computed = {
            h.account: (str(h.light), str(h.trend), h.points) for h in compute_health(session, MOMENT, rules)
        }
    cli_state = {name: (d["light"], d["trend"], d["points"]) for name, d in imported["accounts"].items()}
    assert computed == cli_state
    home = portfolio_overview(engine, MOMENT, rules)
    assert {a.account: (str(a.light), a.trend, a.points) for a in home.accounts} == cli_state
    options = AnswerOptions(rules=rules)
    with Session(engine) as session:
        for light in Light:
            answer = accounts_by_light(session, light, MOMENT, options)
            named = {name: state for name, state in cli_state.items() if state[0] == light.value}
            assert len(named) <= options.list_limit
            assert sorted(item.text for item in answer.items) == sorted(
                f"{name} — {state[0]}, {state[1]}" for name, state in named.items()
            )
        for name, (light, trend, _) in cli_state.items():
            card = account_card(session, name, MOMENT, options)
            assert card.light == light and card.title.startswith(f"{name} — {light}, {trend}")


def test_the_digest_chart_and_the_account_card_state_the_real_span(imported) -> None:
    """The chart draws weekly tone, weekly message counts, alerts and NPS answers over the weeks
    with data; the text card says the same span as the account chart."""
    from bot.digest.chart import LIGHT_COLOURS, LINE_COLOURS, _span
    from bot.health.report import weekly_activity

    assert Path(imported["digest"]["chart"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not set(LINE_COLOURS) & set(LIGHT_COLOURS.values())  # lines never look like a light
    with Session(imported["engine"]) as session:
        acme = session.exec(select(Account).where(Account.name == "Acme Corp")).one()
        activity = weekly_activity(session, [acme.id], MOMENT)[acme.id]
    weekly = next(row[2] for row in ACCOUNTS if row[0] == "Acme Corp")
    assert activity.counts[-5:] == [int(n) for n in weekly.split()] and sum(activity.counts[:-5]) == 0
    assert activity.nps == [(len(activity.counts) - 2, 4.0)]  # Rachel's NPS 4, week of Nov 9
    from bot.digest.chart import AccountSeries

    first, last = _span({"Acme": AccountSeries(activity.averages, activity.counts, "red", [], activity.nps)})
    assert (first, last) == (len(activity.counts) - 5, len(activity.counts) - 1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", imported["url"])
        text = CliRunner().invoke(cli, ["account", "Acme Corp", "--as-of", AS_OF]).output
    assert "Weekly average, Oct 19 – Nov 22 (5 weeks): " in text
    assert not re.search(r"\([+−-]\d+\)", text)  # weights are said in words, not "(+2)"
    assert "Risk points: " in text and "adds 3 risk points" in text
