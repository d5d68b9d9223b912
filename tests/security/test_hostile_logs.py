"""Refused requests leave no customer text in the logs, at any level, and only a few rate-limited lines."""

from __future__ import annotations

import json
import logging
import time

from bot.runtime.logs import RefusedRequests
from tests.support.fuzz import sign
from tests.support.slack_requests import CUSTOMER, SHARED, event_body, message_event, running_tonewatch

pytest_plugins = ("tests.support.slack_fixtures",)

INGEST_TOKEN = "log-test-ingest-token-0123456789"
WORDS = "Maria-private-words-4711"


async def test_forged_and_refused_requests_log_no_body_and_few_lines(
    slack_api, slack_database_url, monkeypatch, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    async with running_tonewatch(
        slack_api, slack_database_url, monkeypatch, TONEWATCH_INGEST_TOKEN=INGEST_TOKEN
    ) as slack:
        body = json.dumps(event_body(message_event(SHARED, CUSTOMER, f"{WORDS} " * 1000))).encode()
        forged = {**sign(body, secret="not-the-secret"), "Content-Type": "application/json"}
        stale = {**sign(body, timestamp=int(time.time()) - 3600), "Content-Type": "application/json"}
        ticket = json.dumps({"account": "Acme", "source": "ticket", "text": WORDS}).encode()
        for _ in range(40):
            assert (await slack.http.post("/slack/events", data=body, headers=forged)).status == 401
            assert (await slack.http.post("/slack/events", data=body, headers=stale)).status == 401
            wrong = {"Authorization": "Bearer wrong-token-0123456789", "Content-Type": "application/json"}
            assert (await slack.http.post("/ingest", data=ticket, headers=wrong)).status == 401
            bad = {"Authorization": f"Bearer {INGEST_TOKEN}", "Content-Type": "application/json"}
            invalid = json.dumps({"account": "Acme", "source": "nps", "score": 99, "text": WORDS})
            assert (await slack.http.post("/ingest", data=invalid, headers=bad)).status == 422
        metrics = await (await slack.http.get("/metrics")).text()

    logged = [(r.name, r.levelno, r.getMessage()) for r in caplog.records]
    assert not [line for line in logged if WORDS in line[2] or "body:" in line[2]], logged[:5]
    refused = [(name, message) for name, level, message in logged if name == "tonewatch.refused"]
    assert all(level == logging.WARNING for name, level, _ in logged if name == "tonewatch.refused")
    # One line per route and reason within the minute: the 160 refusals are three lines.
    assert sorted(message for _, message in refused) == [
        "refused /ingest: auth (401)",
        "refused /ingest: invalid (422)",
        "refused /slack/events: signature (401)",
    ]
    assert 'tonewatch_requests_rejected_total{path="/slack/events",reason="signature"} 80.0' in metrics


def test_refusal_lines_say_how_many_were_quiet() -> None:
    now = [0.0]
    records: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    logger = logging.getLogger("tonewatch.refused.test")
    logger.addHandler(Capture())
    refusals = RefusedRequests(logger, interval=60, clock=lambda: now[0])
    for second in range(0, 150):
        now[0] = float(second)
        refusals("/ingest", "auth", 401)
    assert records == [
        "refused /ingest: auth (401)",
        "refused /ingest: auth (401) (59 more since the last line)",
        "refused /ingest: auth (401) (59 more since the last line)",
    ]


def test_a_text_log_line_is_one_line_without_control_characters() -> None:
    """Customer text in a log message (at DEBUG, say) cannot forge a second line or colour a terminal."""
    import io

    from bot.runtime.logs import TextFormatter, TonewatchHandler

    stream = io.StringIO()
    handler = TonewatchHandler(stream)
    handler.setFormatter(TextFormatter())
    logger = logging.getLogger("tonewatch.test.plain")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    forged = "ok\n2026-12-07 09:00:00,000 ERROR bot.runtime.worker forged line\x1b[2J\u2028more"
    logger.debug("message text: %s", forged, extra={"account": "Acme\nCorp"})
    written = stream.getvalue()
    assert written.count("\n") == 1 and "\x1b" not in written and "\u2028" not in written, written
    assert "ok\\n2026-12-07" in written and "\\x1b[2J" in written and "account=Acme\\nCorp" in written


def test_a_failed_statement_never_quotes_its_parameters(any_engine) -> None:
    """A database error is logged with its work item; its message must not carry the customer's words."""
    import pytest
    import sqlalchemy as sa

    with pytest.raises(sa.exc.DBAPIError) as failed:
        with any_engine.begin() as connection:
            connection.execute(sa.text("insert into no_such_table (text) values (:text)"), {"text": WORDS})
    assert WORDS not in str(failed.value) and "hidden due to hide_parameters" in str(failed.value)
