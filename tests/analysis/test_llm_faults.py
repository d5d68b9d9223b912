"""Claude failing, end to end: a Slack message in, the offline reading stored, the alert out, Claude back.

The real Bolt app gets signed events, the worker analyzes with the real
anthropic SDK against the Messages API stand-in, and the alert goes to the
Slack stand-in. For every kind of failure the message must still be stored and
analyzed (with the offline result and the reason it fell back), the fallback
must be counted in /metrics, the negative message's alert posted exactly once,
and a message sent once the stand-in recovers analyzed by Claude again.
"""

from __future__ import annotations

import asyncio
import functools
import socket
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import select

import bot.analysis.claude as claude_module
from bot.analysis.claude import CircuitBreaker
from storage.db import session_scope
from storage.models import Analysis, CustomerMessage
from tests.fakes.messages_api import (
    FakeMessagesAPI,
    Reply,
    default_respond,
    max_tokens_stop,
    neutral_analysis,
    overloaded,
    rate_limited,
    server_error,
    slow,
    text_answer,
    tool_use,
    truncated_json,
)
from tests.support.slack_requests import (
    ALERTS,
    CUSTOMER,
    ESCALATION,
    SHARED,
    SlackHarness,
    message_event,
    running_tonewatch,
    wait_for,
)

pytest_plugins = ("tests.support.slack_fixtures",)

#: TONEWATCH_LLM_TIMEOUT in these tests; the stand-in's slow answers take ten times as long.
LLM_TIMEOUT = 0.5
#: How long a test waits for the worker before it fails (generous: two cores shared by many tests).
WAIT = 15.0
QUESTION = "Could you send the March invoice again when you get a chance?"


# --- the world: Tonewatch with Claude configured, the stand-in on a port chosen up front -----------


@pytest.fixture
def llm_port() -> int:
    """A free port for the Messages API stand-in; nothing listens there until a test starts one."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def start_messages_api(llm_port: int) -> Iterator[Callable[[], FakeMessagesAPI]]:
    started: list[FakeMessagesAPI] = []

    def start() -> FakeMessagesAPI:
        started.append(FakeMessagesAPI(port=llm_port).start())
        return started[-1]

    yield start
    for api in started:
        api.close()


def claude_environment(port: int, max_retries: int = 0, timeout: float = LLM_TIMEOUT) -> dict[str, str]:
    return {
        "ANTHROPIC_API_KEY": "test-key",
        "ANTHROPIC_BASE_URL": f"http://127.0.0.1:{port}",
        "TONEWATCH_LLM_POLICY": "all",  # every message goes to Claude, so every message can fail
        "TONEWATCH_LLM_TIMEOUT": str(timeout),
        "TONEWATCH_LLM_MAX_RETRIES": str(max_retries),
    }


@pytest.fixture
def run_tonewatch(slack_api, slack_database_url, monkeypatch, llm_port):
    def run(max_retries: int = 0, timeout: float = LLM_TIMEOUT) -> AsyncIterator[SlackHarness]:
        environment = claude_environment(llm_port, max_retries, timeout)
        return running_tonewatch(slack_api, slack_database_url, monkeypatch, **environment)

    return run


# --- what the tests look at ---------------------------------------------------------------------


@dataclass(frozen=True)
class StoredReading:
    text: str
    status: str
    provider: str | None
    label: str | None
    fallback_reason: str | None


def stored_readings(slack: SlackHarness) -> list[StoredReading]:
    """Every stored customer message with the analysis it ended with (None fields when not analyzed)."""
    with session_scope(slack.core.engine) as session:
        rows = session.exec(select(CustomerMessage).order_by(CustomerMessage.id)).all()
        readings = []
        for message in rows:
            analysis = (
                session.get(Analysis, message.latest_analysis_id) if message.latest_analysis_id else None
            )
            readings.append(
                StoredReading(
                    message.text or "",
                    message.status,
                    analysis.provider if analysis else None,
                    analysis.label if analysis else None,
                    analysis.fallback_reason if analysis else None,
                )
            )
        return readings


async def say(slack: SlackHarness, text: str) -> StoredReading:
    """A customer message in Acme's shared channel; returns its reading once it is analyzed."""
    before = len(slack.messages())
    response = await slack.event(message_event(SHARED, CUSTOMER, text))
    assert response.status == 200
    readings = await wait_for(
        lambda: [r for r in stored_readings(slack)[before:] if r.status == "analyzed"],
        timeout=WAIT,
        what=f"{text[:30]!r} to be analyzed",
    )
    return readings[0]


async def fallback_counts(slack: SlackHarness) -> dict[str, float]:
    """tonewatch_llm_fallbacks by reason, as /metrics serves it."""
    response = await slack.http.get("/metrics")
    assert response.status == 200
    counts: dict[str, float] = {}
    for family in text_string_to_metric_families(await response.text()):
        if family.name == "tonewatch_llm_fallbacks":
            for sample in family.samples:
                if sample.name == "tonewatch_llm_fallbacks_total":
                    counts[sample.labels["reason"]] = sample.value
    return counts


async def counted_fallbacks(slack: SlackHarness) -> dict[str, float]:
    """`fallback_counts` once it holds a count: the worker counts a fallback just after it stores the
    analysis, so the stored reading can be seen a moment before its count."""
    deadline = time.monotonic() + WAIT
    while not (counts := await fallback_counts(slack)):
        assert time.monotonic() < deadline, "timed out waiting for the fallback to be counted"
        await asyncio.sleep(0.01)
    return counts


def alert_roots(slack: SlackHarness) -> list:
    return [c for c in slack.api.posts(ALERTS) if c.ok and not c.args.get("thread_ts")]


async def alert_posted(slack: SlackHarness) -> None:
    """The alert and its thread reply are in the alert channel."""
    await wait_for(lambda: alert_roots(slack), timeout=WAIT, what="the alert")
    ts = next(m["ts"] for m in slack.api.messages[ALERTS] if not m.get("thread_ts"))
    await wait_for(
        lambda: [m for m in slack.api.messages[ALERTS] if m.get("thread_ts") == ts],
        timeout=WAIT,
        what="the alert's thread reply",
    )


# --- the matrix ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """How the stand-in misbehaves, what the stored analysis must say, and what it costs in requests."""

    answer: Callable[[], Reply] | None  # None: nothing listens on the port (connection refused)
    reason: str
    max_retries: int = 0
    requests_per_message: int = 1
    #: The client's timeout per request: short only where the fault is the timeout itself, so a loaded
    #: machine's slow request is not mistaken for the fault (or its retry lost).
    timeout: float = 5.0


def angry(**overrides) -> dict:
    return neutral_analysis(**{"score": -0.8, "label": "negative", "urgency": "high", **overrides})


FAULTS = [
    pytest.param(Fault(functools.partial(rate_limited, 0.01), "rate_limited", 1, 2), id="429-retry-after"),
    pytest.param(Fault(overloaded, "overloaded"), id="529-overloaded"),
    pytest.param(Fault(functools.partial(server_error, 500), "server_error"), id="500"),
    pytest.param(
        Fault(lambda: slow(tool_use(angry()), 10 * LLM_TIMEOUT), "timeout", timeout=LLM_TIMEOUT), id="timeout"
    ),
    pytest.param(Fault(None, "connection_error"), id="connection-refused"),
    pytest.param(Fault(truncated_json, "invalid_output"), id="truncated-json"),
    pytest.param(Fault(max_tokens_stop, "max_tokens"), id="cut-off-max-tokens"),
    pytest.param(
        Fault(lambda: tool_use(angry(score=5, emotions=["rage"])), "invalid_output"), id="schema-violation"
    ),
    pytest.param(Fault(lambda: text_answer("This customer is upset."), "invalid_output"), id="text-not-tool"),
]


@pytest.mark.parametrize("fault", FAULTS)
async def test_a_claude_fault_keeps_the_message_the_offline_reading_and_the_alert(
    fault: Fault, run_tonewatch, start_messages_api
) -> None:
    """Whatever goes wrong on Claude's side, the negative message is analyzed offline and alerts once."""
    api = start_messages_api() if fault.answer is not None else None
    if api is not None:
        api.respond = lambda body: fault.answer()
    async with run_tonewatch(max_retries=fault.max_retries, timeout=fault.timeout) as slack:
        slack.set_up()

        during = await say(slack, ESCALATION)

        assert (during.provider, during.label) == ("offline", "negative")
        assert during.fallback_reason is not None and during.fallback_reason.split(":")[0] == fault.reason
        assert await counted_fallbacks(slack) == {fault.reason: 1.0}
        await alert_posted(slack)
        if api is not None:
            assert len(api.message_requests) == fault.requests_per_message
            retries = [r.headers.get("x-stainless-retry-count") for r in api.message_requests]
            assert retries == [str(n) for n in range(fault.requests_per_message)]

        # Claude answers again: the next message is Claude's reading, and nothing new falls back.
        if api is None:
            api = start_messages_api()
        api.respond = default_respond
        after = await say(slack, QUESTION)

        assert (after.provider, after.fallback_reason) == ("claude", None)
        assert await fallback_counts(slack) == {fault.reason: 1.0}
        readings = stored_readings(slack)
        assert [r.status for r in readings] == ["analyzed", "analyzed"]  # nothing lost
        assert len(alert_roots(slack)) == 1  # the alert once, never doubled by a retry


# --- a multi-minute outage, on the circuit breaker's own clock ---------------------------------


class ManualClock:
    """The breaker's clock, moved by the test: minutes of outage without minutes of waiting."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


async def test_a_long_outage_opens_the_breaker_then_claude_is_used_again(
    run_tonewatch, start_messages_api, monkeypatch
) -> None:
    """Five failures open the breaker; while open no call is made; after the outage Claude is back."""
    clock = ManualClock()
    monkeypatch.setattr(claude_module, "CircuitBreaker", functools.partial(CircuitBreaker, clock=clock))
    api = start_messages_api()
    api.respond = lambda body: overloaded()
    async with run_tonewatch() as slack:
        slack.set_up()
        reasons = [(await say(slack, f"{QUESTION} (#{n})")).fallback_reason for n in range(5)]
        assert reasons == ["overloaded"] * 5
        assert len(api.message_requests) == 5

        # The breaker is open: the negative message is read offline without a call, and still alerts.
        negative = await say(slack, ESCALATION)
        assert (negative.provider, negative.label, negative.fallback_reason) == (
            "offline",
            "negative",
            "circuit_open",
        )
        await alert_posted(slack)
        assert len(api.message_requests) == 5

        # Four minutes of outage: after each cool-down one message tries Claude, the next does not.
        for minute in range(4):
            clock.advance(60)
            trial = await say(slack, f"{QUESTION} (trial {minute})")
            skipped = await say(slack, f"{QUESTION} (skipped {minute})")
            assert (trial.fallback_reason, skipped.fallback_reason) == ("overloaded", "circuit_open")
        assert len(api.message_requests) == 5 + 4

        # Claude recovers; once the cool-down has passed, new messages are Claude's readings again.
        api.respond = default_respond
        clock.advance(31)
        recovered = [await say(slack, f"{QUESTION} (after {n})") for n in range(2)]
        assert [(r.provider, r.fallback_reason) for r in recovered] == [("claude", None)] * 2

        assert await fallback_counts(slack) == {"overloaded": 9.0, "circuit_open": 5.0}
        readings = stored_readings(slack)
        assert len(readings) == 5 + 1 + 8 + 2 and {r.status for r in readings} == {"analyzed"}
        assert len(alert_roots(slack)) == 1


async def test_when_the_cool_down_ends_a_burst_sends_one_trial_not_one_call_each(
    run_tonewatch, start_messages_api, monkeypatch
) -> None:
    """Messages arriving together after a cool-down: one tries Claude, the rest keep the offline reading."""
    clock = ManualClock()
    monkeypatch.setattr(claude_module, "CircuitBreaker", functools.partial(CircuitBreaker, clock=clock))
    api = start_messages_api()
    api.respond = lambda body: overloaded()
    async with run_tonewatch() as slack:
        slack.set_up()
        for n in range(5):
            await say(slack, f"{QUESTION} (#{n})")
        assert len(api.message_requests) == 5  # the breaker is open now

        # Still down, and slow now: the trial takes a whole timeout, while the burst arrives.
        api.respond = lambda body: slow(tool_use(angry()), 10 * LLM_TIMEOUT)
        clock.advance(60)
        for n in range(5):
            response = await slack.event(message_event(SHARED, CUSTOMER, f"{QUESTION} (burst {n})"))
            assert response.status == 200
        await wait_for(
            lambda: sum(r.status == "analyzed" for r in stored_readings(slack)) == 10,
            timeout=WAIT,
            what="the burst to be analyzed",
        )

        burst = [r.fallback_reason for r in stored_readings(slack)[5:]]
        assert sorted(burst) == ["circuit_open"] * 4 + ["timeout"]
        assert len(api.message_requests) == 5 + 1
