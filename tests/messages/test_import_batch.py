"""`tonewatch import PATH --batch`: the backfill's Claude analyses through the Message Batches API.

End to end through the CLI (in-process, and as a process that is killed mid-wait), the real anthropic SDK
talking to the local Messages API stand-in (tests/fakes/messages_api.py) with its batch endpoints, and a
real SQLite database.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func
from sqlmodel import Session, select

from bot.analysis.policy import claude_triggers
from bot.backfill.batches import BatchReport
from bot.cli import cli
from bot.composition import build_batch_backfill, build_core, build_offline_analyzer
from bot.config.settings import load_settings
from bot.messages.pipeline import MessagePipeline
from storage.db import create_db_engine
from storage.models import Analysis, ClaudeBatch, ClaudeBatchItem, CustomerMessage, WorkItem
from tests.conftest import REPO
from tests.fakes.messages_api import (
    FakeMessagesAPI,
    api_error,
    customer_message_of,
    errored_result,
    expired_result,
    neutral_analysis,
    running_messages_api,
    slow,
    tool_use,
    usage,
)

ROUTED = [
    "We are terminating our contract under clause 14.2, effective at the end of the quarter.",
    "Leadership asked me to evaluate Relaybase as a replacement before renewal.",
    "Estamos muy molestos, la exportación falla otra vez.",
]
PLAIN = [
    "Thanks, the new dashboard works great for our team!",
    "How do I add a new user to our workspace?",
    "Quick note: the weekly report arrived on time, thanks.",
]


def claude_answer(body: dict) -> object:
    """Claude reads everything as mildly neutral, with cache reads, so its answers are recognizable."""
    return tool_use(
        neutral_analysis(recommended_response="Claude's advice."),
        usage_counts=usage(input_tokens=300, output_tokens=150, cache_read=4200),
    )


@pytest.fixture
def api() -> Iterator[FakeMessagesAPI]:
    with running_messages_api(claude_answer) as fake:
        yield fake


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A SQLite file (created by the command), or a fresh schema in the machine's PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'batch.db'}"
    engine = request.getfixturevalue("postgres_engine")
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, api: FakeMessagesAPI, database: str) -> dict[str, str]:
    values = {
        "DATABASE_URL": database,
        "ANTHROPIC_API_KEY": "sk-ant-test-key",
        "ANTHROPIC_BASE_URL": api.url,
        "TONEWATCH_LLM_POLICY": "hybrid",
        "TONEWATCH_LLM_MAX_RETRIES": "0",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def history(tmp_path: Path, texts: list[str], name: str = "history.jsonl") -> Path:
    path = tmp_path / name
    rows = [
        {"account": "Acme", "text": text, "created_at": f"2026-11-{n + 1:02d}T10:00:00Z", "source": "email"}
        for n, text in enumerate(texts)
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def run_import(path: Path, *extra: str):
    return CliRunner().invoke(cli, ["import", str(path), "--batch", "--poll-interval", "0.01", *extra])


def stored(database: str) -> dict[str, tuple[CustomerMessage, list[Analysis]]]:
    """Each message's text → (the message, its analyses)."""
    engine = create_db_engine(database)
    try:
        with Session(engine) as session:
            messages = session.exec(select(CustomerMessage)).all()
            by_message = select(Analysis).order_by(Analysis.id)
            return {
                m.text or "": (m, list(session.exec(by_message.where(Analysis.message_id == m.id)).all()))
                for m in messages
            }
    finally:
        engine.dispose()


def count(database: str, table) -> int:
    engine = create_db_engine(database)
    try:
        with Session(engine) as session:
            return session.exec(select(func.count()).select_from(table)).one()
    finally:
        engine.dispose()


def test_one_batch_carries_what_the_router_sends_and_its_answers_are_stored_like_live_ones(
    tmp_path: Path, api: FakeMessagesAPI, environment: dict[str, str], database: str
) -> None:
    path = history(tmp_path, ROUTED + PLAIN)
    result = run_import(path, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])

    # One batch, nothing sent one request at a time.
    assert len(api.batch_creations) == 1 and api.message_requests == []
    requests = api.batch_creations[0].body["requests"]
    sent = {customer_message_of(r["params"]) for r in requests}
    # Exactly the messages hybrid routes to Claude (the router's own verdict on the offline reading).
    offline = build_offline_analyzer(load_settings(), None)
    expected = {t for t in ROUTED + PLAIN if claude_triggers(*_judged(offline, t))}
    assert sent == expected == set(ROUTED)
    assert summary["batch"]["sent_to_claude"] == 3 and summary["batch"]["offline"] == 3
    assert summary["batch"]["batches"] == list(api.batches) and summary["analyzed"] == 6

    rows = stored(database)
    for text in ROUTED:
        message, analyses = rows[text]
        assert message.status == "analyzed" and len(analyses) == 1
        analysis = analyses[0]
        # Through the same path as a live answer: Claude's provider, its cache tokens, the guards.
        assert (analysis.provider, analysis.fallback_reason) == ("claude", None)
        assert analysis.cache_read_tokens == 4200
    terminated = rows[ROUTED[0]][1][0]
    # Claude's unexplained neutral reading of a termination notice is not trusted over the risk layer's.
    assert terminated.label == "negative" and "injection_guard" in terminated.guard_events
    for text in PLAIN:
        message, analyses = rows[text]
        assert [a.provider for a in analyses] == ["offline"], text
    assert count(database, ClaudeBatchItem) == 0  # a finished batch keeps no per-message rows
    assert "submitted batch" in result.stderr and "ended" in result.stderr


def _judged(offline, text: str):
    result, signals = offline.judge(text)
    return result, load_settings().llm_low_confidence, signals.to_dict()


def test_a_batch_request_is_exactly_the_live_request(
    tmp_path: Path, api: FakeMessagesAPI, environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same system prompt with its cache breakpoint, same tool and choice, same redaction and wrapping."""
    text = "Hi, I'm Dana Whitfield (dana@acme.example, +44 20 7946 0958). We are terminating our contract."
    assert run_import(history(tmp_path, [text])).exit_code == 0
    batch_params = api.batch_creations[0].body["requests"][0]["params"]
    monkeypatch.setenv("TONEWATCH_LLM_POLICY", "all")
    live = CliRunner().invoke(cli, ["analyze", text, "--json"])
    assert live.exit_code == 0, live.output
    assert api.message_requests[-1].body == batch_params
    assert batch_params["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert "dana@acme.example" not in json.dumps(batch_params)


def test_errored_and_expired_requests_keep_the_offline_analysis_with_a_reason(
    tmp_path: Path, api: FakeMessagesAPI, environment: dict[str, str], database: str
) -> None:
    outcomes = {ROUTED[0]: errored_result("overloaded_error", "Overloaded"), ROUTED[1]: expired_result()}
    api.batch_outcome_for = lambda request: outcomes.get(customer_message_of(request["params"]))
    result = run_import(history(tmp_path, ROUTED), "--json")
    assert result.exit_code == 0, result.output
    rows = stored(database)
    errored, expired, answered = (rows[t][1] for t in ROUTED)
    assert [(a.provider, a.fallback_reason) for a in errored] == [
        ("offline", "batch_errored: overloaded_error")
    ]
    assert [(a.provider, a.fallback_reason) for a in expired] == [("offline", "batch_expired")]
    assert [(a.provider, a.fallback_reason) for a in answered] == [("claude", None)]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["batch"]["fallbacks"] == {"batch_errored": 1, "batch_expired": 1}


def test_an_answer_that_fails_validation_falls_back_like_a_live_one(
    tmp_path: Path, api: FakeMessagesAPI, environment: dict[str, str], database: str
) -> None:
    api.respond = lambda body: tool_use(neutral_analysis(score=7))  # out of range
    assert run_import(history(tmp_path, ROUTED[:1])).exit_code == 0
    (analysis,) = stored(database)[ROUTED[0]][1]
    assert analysis.provider == "offline" and analysis.fallback_reason.startswith("invalid_output: score")


def _import_process(path: Path, environment: dict[str, str], *extra: str) -> subprocess.Popen:
    env = {**os.environ, **environment, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "import", str(path), "--batch", "--poll-interval", "0.05", "--json",
         *extra],
        env=env,
        cwd=path.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
# On SQLite alone: what the kill adds is the process; resuming a stored batch on both databases is
# test_the_maximum_wait_leaves_the_batch_to_a_later_run, in process.
@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_a_process_killed_while_waiting_is_resumed_on_the_same_batch_and_nothing_is_analyzed_twice(
    tmp_path: Path, api: FakeMessagesAPI, environment: dict[str, str], database: str
) -> None:
    path = history(tmp_path, ROUTED + PLAIN)
    api.hold_batches = True
    first = _import_process(path, environment)
    try:
        # Waiting: the batch exists and was checked at least once.
        api.wait_until(lambda: any(b.checks for b in api.batches.values()), timeout=60, what="a batch check")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    (batch_id,) = api.batches
    rows = stored(database)
    assert all(rows[t][0].status == "pending" for t in ROUTED)  # still waiting for their answers
    assert all(rows[t][1][0].provider == "offline" for t in PLAIN)  # stored at once

    api.hold_batches = False
    second = _import_process(path, environment)
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["batch"]["resumed_batches"] == [batch_id] and summary["batch"]["batches"] == []
    assert len(api.batch_creations) == 1 and api.message_requests == []
    assert f"resuming batch {batch_id}" in err
    rows = stored(database)
    assert all([a.provider for a in rows[t][1]] == ["claude"] for t in ROUTED)
    assert all(len(rows[t][1]) == 1 for t in PLAIN)

    # A third run finds nothing to do: no batch, no analysis.
    third = run_import(path, "--json")
    assert third.exit_code == 0, third.output
    assert len(api.batch_creations) == 1 and count(database, Analysis) == 6


def test_the_maximum_wait_leaves_the_batch_to_a_later_run(
    tmp_path: Path, api: FakeMessagesAPI, environment: dict[str, str], database: str
) -> None:
    path = history(tmp_path, ROUTED)
    api.hold_batches = True
    result = run_import(path, "--max-wait", "0.1")
    assert result.exit_code == 1
    (batch_id,) = api.batches
    assert result.stderr.strip().splitlines()[-1] == (
        f"error: batch {batch_id} is still in_progress after 0.1 s; run the same command again to resume it"
    )
    api.hold_batches = False
    again = run_import(path)
    assert again.exit_code == 0, again.output
    assert len(api.batch_creations) == 1
    assert all([a.provider for a in stored(database)[t][1]] == ["claude"] for t in ROUTED)


def test_a_refused_batch_leaves_the_messages_pending_for_the_next_run(
    tmp_path: Path, api: FakeMessagesAPI, environment: dict[str, str], database: str
) -> None:
    path = history(tmp_path, ROUTED)
    api.enqueue(api_error(429, "rate_limit_error", "Too many batches"))
    result = run_import(path)
    assert result.exit_code == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: the Message Batches API refused the batch (rate_limited, HTTP 429)")
    assert count(database, ClaudeBatch) == 0
    assert all(stored(database)[t][0].status == "pending" for t in ROUTED)
    assert run_import(path).exit_code == 0
    assert all([a.provider for a in stored(database)[t][1]] == ["claude"] for t in ROUTED)


def test_without_claude_batch_is_one_error_line_naming_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = f"sqlite:///{tmp_path / 'batch.db'}"
    monkeypatch.setenv("DATABASE_URL", database)
    result = run_import(history(tmp_path, ROUTED))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "ANTHROPIC_API_KEY" in lines[0]
    assert not Path(database.removeprefix("sqlite:///")).exists()  # refused before storing anything
    path = history(tmp_path, ROUTED)
    assert CliRunner().invoke(cli, ["import", str(path), "--max-wait", "5"]).exit_code == 2  # needs --batch
    assert CliRunner().invoke(cli, ["import", str(path), "--batch", "--no-analyze"]).exit_code == 2


def test_a_batch_is_split_at_the_request_and_size_limits(
    tmp_path: Path, api: FakeMessagesAPI, environment: dict[str, str], database: str, monkeypatch
) -> None:
    monkeypatch.setenv("TONEWATCH_LLM_POLICY", "all")
    texts = [f"Message number {n} about our invoices." for n in range(5)]
    assert CliRunner().invoke(cli, ["import", str(history(tmp_path, texts)), "--no-analyze"]).exit_code == 0

    async def backfill(**limits) -> BatchReport:
        core = build_core(load_settings())
        try:
            return await build_batch_backfill(core, poll_interval=0.01, **limits).run()
        finally:
            await core.aclose()

    report = asyncio.run(backfill(max_requests=2))
    assert [len(r.body["requests"]) for r in api.batch_creations] == [2, 2, 1]
    assert report.sent == 5 and report.from_claude == 5 and len(report.submitted) == 3
    assert count(database, Analysis) == 5

    more = [f"Another message {n} about our invoices." for n in range(3)]
    more_path = history(tmp_path, more, "more.jsonl")
    assert CliRunner().invoke(cli, ["import", str(more_path), "--no-analyze"]).exit_code == 0
    one_request = len(json.dumps(api.batch_creations[0].body["requests"][0]).encode())
    asyncio.run(backfill(max_bytes=one_request + 1500))  # room for one request (and the envelope) each
    assert [len(r.body["requests"]) for r in api.batch_creations[3:]] == [1, 1, 1]


def test_an_answer_for_a_message_edited_meanwhile_is_not_used_and_the_message_is_analyzed_again(
    tmp_path: Path, api: FakeMessagesAPI, environment: dict[str, str], database: str
) -> None:
    """The customer edits a message while its batch runs: the answer read the old words, so it is not
    stored; the message waits for analysis again, back on the work queue (`tonewatch run` picks it up)."""
    edited = "We will only renew one module next year, the rest goes."

    def edit_while_processing(request: dict) -> None:
        if customer_message_of(request["params"]) == ROUTED[0]:
            engine = create_db_engine(database)
            try:
                with Session(engine) as session:
                    query = select(CustomerMessage).where(CustomerMessage.text == ROUTED[0])
                    message = session.exec(query).one()
                    key = (message.platform, message.place_key, message.external_id)
                MessagePipeline(engine, analyzer=None).replace_text(*key, edited)  # type: ignore[arg-type]
            finally:
                engine.dispose()
        return None

    api.batch_outcome_for = edit_while_processing
    result = run_import(history(tmp_path, ROUTED), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.strip().splitlines()[-1])["batch"]["unused_answers"] == 1
    rows = stored(database)
    message, analyses = rows[edited]
    assert message.status == "pending" and analyses == []
    engine = create_db_engine(database)
    try:
        with Session(engine) as session:
            item = session.exec(select(WorkItem).where(WorkItem.subject == str(message.id))).one()
            assert item.status == "pending"
    finally:
        engine.dispose()
    assert all([a.provider for a in rows[t][1]] == ["claude"] for t in ROUTED[1:])

    # The next run sends the new words.
    again = run_import(history(tmp_path, ROUTED), "--json")
    assert again.exit_code == 0, again.output
    assert [customer_message_of(r["params"]) for r in api.batch_creations[-1].body["requests"]] == [edited]
    assert [a.provider for a in stored(database)[edited][1]] == ["claude"]


def test_the_stand_in_speaks_the_batch_wire_format_of_the_sdk_types(api: FakeMessagesAPI) -> None:
    """Its batch objects and result lines validate strictly as the SDK's own types (the SDK itself parses
    leniently, so the end-to-end tests alone would not notice a drifted field)."""
    import urllib.request

    import anthropic
    from anthropic.types.messages import MessageBatch, MessageBatchIndividualResponse

    def get(url: str) -> str:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 — the local stand-in
            return response.read().decode()

    api.batch_outcomes["b"] = errored_result("overloaded_error", "Overloaded")
    api.batch_outcomes["c"] = expired_result()
    client = anthropic.Anthropic(api_key="sk-ant-test-key", base_url=api.url, max_retries=0)
    params = {"model": "claude-haiku-4-5", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]}
    created = client.messages.batches.create(
        requests=[{"custom_id": name, "params": params} for name in ("a", "b", "c")]  # type: ignore[misc]
    )
    assert created.processing_status == "in_progress" and created.request_counts.processing == 3
    batch = MessageBatch.model_validate_json(get(f"{api.url}/v1/messages/batches/{created.id}"))
    assert batch.processing_status == "ended" and batch.results_url
    counts = batch.request_counts
    assert (counts.processing, counts.succeeded, counts.errored, counts.expired) == (0, 1, 1, 1)
    lines = get(batch.results_url).splitlines()
    results = {r.custom_id: r.result for r in map(MessageBatchIndividualResponse.model_validate_json, lines)}
    assert results["a"].type == "succeeded" and results["a"].message.content[0].type == "tool_use"
    assert results["b"].type == "errored" and results["b"].error.error.type == "overloaded_error"
    assert results["c"].type == "expired"
    # Refused like the API: bad custom ids, duplicates, missing params.
    for requests in ([{"custom_id": "a b", "params": params}], [{"custom_id": "x", "params": params}] * 2,
                     [{"custom_id": "y", "params": {"model": "m"}}]):
        with pytest.raises(anthropic.BadRequestError):
            client.messages.batches.create(requests=requests)  # type: ignore[arg-type]
    with pytest.raises(anthropic.NotFoundError):
        client.messages.batches.retrieve("msgbatch_unknown")


def test_a_submission_without_an_answer_is_sent_again_by_the_next_run(
    tmp_path: Path, api: FakeMessagesAPI, environment: dict[str, str], database: str, monkeypatch
) -> None:
    """The API never answered the submission (a timeout): the recorded batch has no id, so the next run
    cannot poll it; it sends those messages again, and each gets one analysis."""
    monkeypatch.setenv("TONEWATCH_LLM_TIMEOUT", "1")
    api.enqueue(slow(api_error(500, "api_error", "never seen"), 5.0))
    path = history(tmp_path, ROUTED)
    first = run_import(path)
    assert first.exit_code == 1
    assert first.stderr.strip().splitlines()[-1].startswith("error: could not submit the batch (timeout)")
    assert count(database, ClaudeBatch) == 1 and api.batches == {}

    again = run_import(path, "--json")
    assert again.exit_code == 0, again.output
    assert "never accepted; sending its messages again" in again.stderr
    assert len(api.batches) == 1
    rows = stored(database)
    assert all([a.provider for a in rows[t][1]] == ["claude"] for t in ROUTED)
