"""Refused requests leave no customer text in the logs, at any level, and only a few rate-limited lines."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import time
from pathlib import Path

from bot.runtime.logs import RefusedRequests
from tests.support.fuzz import sign
from tests.support.run_process import start_tonewatch_run
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


#: Requests aiohttp's parser refuses itself (a 400 before any route), and a body that does not
#: decompress: each logged a traceback at ERROR, with the offending bytes, once per request.
MALFORMED = (
    b"Content-Type: application/json\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}",
    b"X-Long: " + b"9" * 9000 + b"\r\nContent-Length: 2\r\n\r\n{}",
    b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"Content-Encoding: br\r\nContent-Length: 2\r\n\r\n{}",
    b"Content-Type: application/json\r\nContent-Encoding: deflate\r\nContent-Length: 7\r\n\r\ngarbage",
)


async def test_malformed_http_is_refused_in_a_few_lines_without_tracebacks(tmp_path: Path) -> None:
    """`tonewatch run` itself: requests its HTTP parser refuses get a 400 and are counted as refusals,
    in rate-limited lines without the request's bytes, never one traceback per request; nor is a
    client that hangs up mid-body a traceback ("Connection lost")."""
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'logs.db'}"}
    environment.update(TONEWATCH_INGEST_TOKEN=INGEST_TOKEN, TONEWATCH_LOG_LEVEL="INFO")
    process, url = await start_tonewatch_run(environment, tmp_path)
    assert process.stderr is not None
    try:
        port = int(url.rsplit(":", 1)[1])
        for _ in range(5):
            for request in MALFORMED:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(b"POST /ingest HTTP/1.1\r\nHost: x\r\n" + request)
                answer = await asyncio.wait_for(reader.read(), 30)
                writer.close()
                assert answer.startswith((b"HTTP/1.1 400", b"HTTP/1.0 400")), (request[:60], answer[:200])
            # A client that hangs up before the body it announced has arrived.
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"POST /ingest HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{}")
            writer.write_eof()
            await asyncio.wait_for(reader.read(), 30)
            writer.close()
    finally:
        process.send_signal(signal.SIGTERM)
        logged = (await asyncio.wait_for(process.stderr.read(), 30)).decode()
        await asyncio.wait_for(process.wait(), 30)
    assert "Traceback" not in logged and "9999999999" not in logged, logged[:3000]
    refused = [line for line in logged.splitlines() if "refused" in line]
    assert refused and len(refused) <= len(MALFORMED), logged[:3000]
