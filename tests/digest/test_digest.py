"""The Monday digest, the daily attention list and the console poster, on hand-built portfolios."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from aiohttp import web
from click.testing import CliRunner
from sqlmodel import Session

from bot.alerts.replies import unanswered_messages
from bot.cli import cli
from bot.digest.build import (
    CALM_LINE,
    EMPTY_LINE,
    DigestOptions,
    add_narrative,
    build_attention_list,
    build_digest,
    period_for,
    week_before,
)
from bot.digest.narrative import ClaudeNarrator
from bot.digest.render import render_digest_text
from bot.outbound.console import ConsolePoster
from bot.outbound.port import Destination
from storage.db import Transaction
from tests.health.test_health import declining, promoter, terse
from tests.support.history import History

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday
PERIOD = week_before(date(2026, 11, 23), "UTC")  # Nov 16 00:00 – Nov 23 00:00 UTC
END = PERIOD.end


def portfolio(history: History) -> dict[str, int]:
    """Acme declining, Initech terse (and answered), Globex expanding, Umbrella a promoter, Hooli silent,
    three more accounts hit by one reliability outage on Nov 19."""
    ids = declining(history, "Acme Corp")
    history.account("Acme Corp", owner="Sam")
    terse(history, "Initech")
    history.staff("Initech", 0.5)
    ids |= promoter(history, "Globex")
    for day in range(60, 5, -6):
        history.say("Umbrella", day, 0.3)
    ids["umbrella_nps"] = history.say("Umbrella", 4, 0.9, "Best tool we use.", nps=10)
    for day in range(60, 24, -3):
        history.say("Hooli", day, 0.2)
    outage = datetime(2026, 11, 19, 10, 0, tzinfo=UTC)
    for index, name in enumerate(("Soylent", "Wonka", "Stark")):
        for day in range(50, 10, -5):
            history.say(name, day, 0.3)
        history.say(
            name,
            0,
            -0.4,
            "Dashboards are not loading.",
            concerns=("reliability",),
            at=outage + timedelta(minutes=40 * index),
        )
        history.staff(name, 0, at=outage + timedelta(hours=3))
    # Posted and marked not accurate; posted and acknowledged; posted, nobody looked; a warning
    # kept for the attention list.
    first = history.alert("Acme Corp", 5, message_id=ids["outage"], posted=True)
    history.alert("Acme Corp", 3, message_id=ids["renewal"], posted=True, status="acknowledged")
    history.alert("Acme Corp", 2, posted=True)
    history.alert("Acme Corp", 2, severity="warning")
    history.correction(ids["outage"], alert_id=first)
    return ids


def digest_for(engine, tmp_path=None, **kwargs):
    options = DigestOptions(chart_dir=tmp_path)
    with Session(engine) as session:
        return build_digest(Transaction(session), PERIOD, options, **kwargs)


def test_digest_shows_what_a_manager_needs(sqlite_engine, tmp_path) -> None:
    portfolio(History(sqlite_engine, NOW))
    digest = digest_for(sqlite_engine, tmp_path)
    data = digest.to_json()
    assert data["period"]["label"] == "week of Nov 16–22" and data["period"]["key"] == "week:2026-11-16"
    assert data["accounts"] == 8 and sum(data["counts"].values()) == 8
    assert data["counts"]["red"] == 1 and data["movement"]["red"] == 1  # Acme turned red this week
    # Acme turned red; Hooli, silent for weeks, turned yellow.
    assert [c["account"] for c in data["changes"]] == ["Acme Corp", "Hooli"]
    first = data["attention"][0]
    assert (first["account"], first["light"], first["trend"]) == ("Acme Corp", "red", "declining")
    assert "churn risk" in " ".join(first["reasons"])
    assert first["quote"]["quote"] == "We are reconsidering our renewal."
    assert first["top_concerns"][0] == {"concern": "reliability", "count": 3}
    assert "Initech" not in {a["account"] for a in data["attention"]}  # terse is its normal
    assert [s["account"] for s in data["silent"]] == ["Hooli"]
    # Acme's negative messages wait past the SLA; Initech's and the outage accounts' were answered.
    assert {u["account"] for u in data["unanswered"]} == {"Acme Corp"}
    assert data["unanswered_total"] == 4
    kinds = {(o["account"], o["kind"]) for o in data["opportunities"]}
    assert kinds == {("Globex", "expansion"), ("Globex", "promoter"), ("Umbrella", "promoter")}
    assert "50 more seats" in next(o["text"] for o in data["opportunities"] if o["kind"] == "expansion")
    assert data["top_concerns"][0] == {"concern": "reliability", "count": 5, "previous": 1, "change": 4}
    assert len(data["incidents"]) == 1
    assert data["incidents"][0]["accounts"] == ["Soylent", "Wonka", "Stark"]
    # Precision over the two reviewed alerts only; the unreviewed and the kept warning apart.
    assert data["alert_precision"] == {
        "alerts": 4,
        "posted": 3,
        "held": 1,
        "reviewed": 2,
        "inaccurate": 1,
        "precision": 0.5,
    }
    chart = tmp_path / "digest-preview-2026-11-16.png"
    assert data["chart"] == str(chart) and chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = render_digest_text(digest)
    assert text.splitlines()[0] == "Customer sentiment · week of Nov 16–22"
    assert "Portfolio: 6 green · 1 yellow · 1 red (1 more than last week) · 1 silent" in text
    assert " • Acme Corp — red, declining, was yellow: " in text
    assert (
        "Systemic: reliability raised by 3 accounts on Nov 19 between 10:00 and 11:20 "
        "(Soylent, Wonka, Stark)." in text
    )
    assert (
        "Alerts last week: 3 posted, 1 warning kept for the attention list · 2 reviewed, 1 of them "
        "marked not accurate (precision 0.50 over the reviewed)" in text
    )
    assert CALM_LINE not in text


def test_a_csm_digest_shows_only_their_accounts(sqlite_engine) -> None:
    portfolio(History(sqlite_engine, NOW))
    digest = digest_for(sqlite_engine, owner="sam")
    assert digest.accounts == 1 and [a.account for a in digest.attention] == ["Acme Corp"]
    assert digest.opportunities == [] and digest.incidents == [] and digest.silent_total == 0
    assert digest.precision.alerts == 4


def test_a_quiet_week_says_so_in_one_line(sqlite_engine) -> None:
    history = History(sqlite_engine, NOW)
    for name in ("Calm One", "Calm Two"):
        for day in range(60, 0, -2):
            history.say(name, day, 0.3, "All fine, thanks.")
    digest = digest_for(sqlite_engine)
    assert digest.calm and digest.headline == CALM_LINE
    lines = render_digest_text(digest).splitlines()
    assert lines == [
        "Customer sentiment · week of Nov 16–22",
        CALM_LINE,
        "Portfolio: 2 green · 0 yellow · 0 red",
    ]


def test_an_empty_portfolio_is_never_an_empty_digest(sqlite_engine) -> None:
    digest = digest_for(sqlite_engine)
    assert digest.empty and render_digest_text(digest).splitlines()[1] == EMPTY_LINE


def test_week_boundaries_follow_local_midnight_across_dst() -> None:
    # Berlin leaves summer time on Sunday Oct 25, 2026: that week is 7 days and one hour long.
    period = week_before(date(2026, 10, 26), "Europe/Berlin")
    assert period.start == datetime(2026, 10, 18, 22, 0, tzinfo=UTC)
    assert period.end == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)
    assert period.label == "week of Oct 19–25" and period.key == "week:2026-10-19"
    # A digest at 09:00 and a catch-up at 18:00 the same Monday cover the same week.
    morning = period_for(datetime(2026, 10, 26, 8, 0, tzinfo=UTC), "Europe/Berlin")
    evening = period_for(datetime(2026, 10, 26, 17, 0, tzinfo=UTC), "Europe/Berlin")
    assert morning == evening == period


def test_unanswered_follows_threads_and_places(sqlite_engine) -> None:
    history = History(sqlite_engine, NOW)
    asked = history.say("Acme Corp", 3, -0.5, "Is anyone there?", place="C1", thread="t1")
    other = history.say("Acme Corp", 3, -0.5, "And this one?", place="C1", thread="t9")
    history.staff("Acme Corp", 2, place="C1", thread="t2")  # a reply in another thread answers neither
    untouched = history.say("Acme Corp", 3, -0.5, "Hello?", place="C2")

    def waiting() -> set[int]:
        with Session(sqlite_engine) as session:
            found = unanswered_messages(
                session, as_of=NOW, created_after=NOW - timedelta(days=7), created_before=NOW, max_score=-0.3
            )
        return {w.message_id for w in found}

    assert waiting() == {asked, other, untouched}
    history.staff("Acme Corp", 1, place="C1", thread="t1")
    assert waiting() == {other, untouched}
    history.staff("Acme Corp", 1, place="C1")  # a top-level reply in the channel answers the rest there
    assert waiting() == {untouched}


def test_daily_attention_list_holds_moderately_negative_messages_due_today(sqlite_engine) -> None:
    history = History(sqlite_engine, NOW)
    due = history.say("Acme Corp", 0.125, -0.45, "Could someone look at the export?")
    history.say("Acme Corp", 0.1, -0.8, "Production is down!")  # critical: the alert path handles it
    answered = history.say("Globex", 0.2, -0.4, "Invoice looks off.", place="C1")
    history.staff("Globex", 0.1, place="C1")
    history.say("Initech", 1.5, -0.5, "Still broken.")  # past the SLA: the escalation handles it
    with Session(sqlite_engine) as session:
        attention = build_attention_list(session, NOW, "Europe/Berlin", DigestOptions())
    assert [item.message_id for item in attention.items] == [due] and answered not in attention.items
    notice = attention.to_notice()
    assert notice.key == "preview:day:2026-11-23" and notice.message_ids == [due]
    assert notice.lines == ['Acme Corp: "Could someone look at the export?" (-0.45) — reply due Tue 07:00']


async def test_narrative_replaces_the_template_headline_and_failures_keep_it(sqlite_engine) -> None:
    portfolio(History(sqlite_engine, NOW))
    digest = digest_for(sqlite_engine)
    template = digest.headline

    async def failing(_digest):
        raise TimeoutError

    await add_narrative(digest, failing)
    assert digest.headline == template

    async def writer(_digest):
        return "  Acme Corp turned red after a renewal threat.  "

    await add_narrative(digest, writer)
    assert digest.headline == "Acme Corp turned red after a renewal threat."
    assert render_digest_text(digest).splitlines()[1] == digest.headline


@pytest.fixture
async def fake_claude():
    """A local stand-in for the Messages API: answers with `state['text']` or fails with `state['status']`."""
    state: dict = {"text": "Acme Corp is red.", "status": 200, "requests": []}

    async def messages(request: web.Request) -> web.Response:
        body = await request.json()
        state["requests"].append(body)
        if state["status"] != 200:
            return web.json_response(
                {"type": "error", "error": {"type": "api_error", "message": "boom"}}, status=state["status"]
            )
        return web.json_response(
            {
                "id": "msg_1",
                "type": "message",
                "role": "assistant",
                "model": body["model"],
                "content": [{"type": "text", "text": state["text"]}],
                "stop_reason": "end_turn",
                "stop_sequence": None,
                "usage": {"input_tokens": 10, "output_tokens": 5},
            }
        )

    app = web.Application()
    app.router.add_post("/v1/messages", messages)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    state["url"] = f"http://127.0.0.1:{port}"
    yield state
    await runner.cleanup()


async def test_claude_narrator_sends_facts_and_falls_back_on_errors(sqlite_engine, fake_claude) -> None:
    from anthropic import AsyncAnthropic

    portfolio(History(sqlite_engine, NOW))
    digest = digest_for(sqlite_engine)
    client = AsyncAnthropic(api_key="test-key", base_url=fake_claude["url"], max_retries=0)
    narrator = ClaudeNarrator(client, "claude-sonnet-4-6")
    try:
        assert await narrator(digest) == "Acme Corp is red."
        sent = fake_claude["requests"][0]
        assert sent["system"][0]["text"].startswith("You write the opening paragraph")
        facts = json.loads(sent["messages"][0]["content"].split("\n", 1)[1].rsplit("\n", 1)[0])
        assert facts["attention"][0]["account"] == "Acme Corp" and "chart" not in facts
        fake_claude["status"] = 500
        assert await narrator(digest) is None
        fake_claude["status"], fake_claude["text"] = 200, "x" * 5000
        assert await narrator(digest) is None  # too long to be the paragraph asked for
    finally:
        await client.close()


async def test_console_poster_writes_text_and_json(sqlite_engine) -> None:
    portfolio(History(sqlite_engine, NOW))
    digest = digest_for(sqlite_engine)
    target = Destination(key="console", platform="console")
    text_out, json_out = io.StringIO(), io.StringIO()
    receipt = await ConsolePoster(text_out).post_digest(target, digest)
    await ConsolePoster(json_out, as_json=True).post_digest(target, digest)
    assert receipt.ref == "console:week:2026-11-16"
    assert "Customer sentiment · week of Nov 16–22" in text_out.getvalue()
    posted = json.loads(json_out.getvalue())
    assert posted["type"] == "digest" and posted["counts"]["red"] == 1


def test_digest_cli_preview_json(sqlite_url, sqlite_engine, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("TONEWATCH_CHART_DIR", str(tmp_path / "charts"))
    portfolio(History(sqlite_engine, NOW))
    runner = CliRunner()
    result = runner.invoke(cli, ["digest", "--preview", "--as-of", "2026-11-23T09:00:00Z", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    for key in (
        "period",
        "counts",
        "attention",
        "opportunities",
        "silent",
        "unanswered",
        "incidents",
        "top_concerns",
        "chart",
    ):
        assert key in data
    assert data["period"]["key"] == "week:2026-11-16" and data["attention"][0]["account"] == "Acme Corp"
    assert (tmp_path / "charts" / "digest-preview-all-2026-11-16.png").exists()
    text = runner.invoke(cli, ["digest", "--preview", "--as-of", "2026-11-23", "--owner", "Sam"])
    assert text.exit_code == 0 and text.output.startswith(
        "Customer sentiment · week of Nov 16–22 · Sam's accounts"
    )
    assert runner.invoke(cli, ["digest"]).exit_code == 2
    bad = runner.invoke(cli, ["digest", "--preview", "--timezone", "Mars/Base"])
    assert bad.exit_code == 2 and "Mars/Base" in bad.output
