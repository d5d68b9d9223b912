"""Logs a machine can read: TONEWATCH_LOG_FORMAT=json prints one JSON object per line, with context fields.

The real `tonewatch run` process is driven through an alert (stored, analyzed,
posted after Slack refused it once) and every line it writes to stderr must
parse, carry `ts`, `level`, `logger` and `message`, and the work's context
(`message_id`, `account`, `alert_id`, `work_item_kind`) where it applies. The
formatters and the secret scrubbing they share are specified in-process below.
"""

from __future__ import annotations

import io
import json
import logging
from datetime import datetime

import aiohttp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config.settings import load_settings
from bot.runtime.logs import JsonFormatter, TextFormatter, TonewatchHandler
from bot.runtime.scrub import REDACTED, SecretScrubber
from storage.errors import ConfigError
from tests.fakes.slack_api import api_error
from tests.support.logged_process import LoggedProcess
from tests.support.run_process import process_environment
from tests.support.slack_requests import (
    ALERTS,
    CUSTOMER,
    ESCALATION,
    SHARED,
    STAFF,
    base_environment,
    command_form,
    event_body,
    message_event,
    populate,
    signed_headers,
    wait_for,
)

#: The `slack_api` fixture (the Slack stand-in).
pytest_plugins = ("tests.support.slack_fixtures",)



@pytest.mark.slow
async def test_json_format_writes_one_object_per_line_with_the_work_context(slack_api, tmp_path):
    populate(slack_api)
    environment = process_environment(
        **base_environment(slack_api, f"sqlite:///{tmp_path / 'run.db'}"),
        TONEWATCH_LOG_FORMAT="json",
        TONEWATCH_LOG_LEVEL="DEBUG",
        TONEWATCH_CHART_DIR=str(tmp_path / "charts"),
    )
    run = await LoggedProcess.start(["run", "--port", "0"], environment, tmp_path)
    try:
        url = await run.listening()
        async with aiohttp.ClientSession() as http:
            for name, text, channel in (
                ("alerts", f"alerts <#{ALERTS}|cs-alerts>", ALERTS),
                ("watch", "watch", SHARED),
            ):
                form = command_form(text, STAFF, channel, slack_api.response_url(name, user=STAFF))
                headers = signed_headers(form, "application/x-www-form-urlencoded")
                assert (await http.post(f"{url}/slack/events", data=form, headers=headers)).status == 200
                await wait_for(lambda name=name: slack_api.responses(name), timeout=10, what="the answer")
            slack_api.enqueue("chat.postMessage", api_error("invalid_auth"))  # the alert's first attempt
            body = json.dumps(event_body(message_event(SHARED, CUSTOMER, ESCALATION)))
            headers = signed_headers(body, "application/json")
            assert (await http.post(f"{url}/slack/events", data=body, headers=headers)).status == 200
            await run.wait_for_line(lambda line: '"alert_id"' in line, timeout=20, what="the alert posted")
        assert await run.terminate() == 0
    finally:
        await run.kill()

    assert run.stdout == []
    entries = [json.loads(line) for line in run.stderr]  # every line parses
    assert all(isinstance(entry, dict) for entry in entries)
    for entry in entries:
        assert {"ts", "level", "logger", "message"} <= entry.keys(), entry
        assert entry["level"] in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
        assert datetime.fromisoformat(entry["ts"]).utcoffset() is not None
    assert [e["logger"] for e in entries if e["message"] == "tonewatch stopping"] == ["tonewatch"]
    assert [e["url"] for e in entries if "url" in e] == [url]

    analyzed = [e for e in entries if e["logger"] == "bot.alerts.analysis_job" and "message_id" in e]
    assert [(e["message_id"], e["provider"]) for e in analyzed] == [(1, "offline")]
    refused = [e for e in entries if e.get("work_item_kind") == "post_alert"]
    assert refused and refused[0]["level"] == "WARNING" and "invalid_auth" in refused[0]["message"]
    assert "Traceback" in refused[0]["exc_info"]  # at DEBUG the traceback rides along, in the same object
    [posted] = [e for e in entries if "alert_id" in e]
    assert (posted["account"], posted["platform"], posted["alert_id"]) == ("Acme Corp", "slack", 1)


def test_an_unknown_log_format_stops_start_up_naming_the_setting(monkeypatch):
    monkeypatch.setenv("TONEWATCH_LOG_FORMAT", "xml")
    with pytest.raises(ConfigError, match="TONEWATCH_LOG_FORMAT: .*text or json"):
        load_settings(env_file=None)
    monkeypatch.setenv("TONEWATCH_LOG_FORMAT", " JSON ")
    assert load_settings(env_file=None).log_format == "json"


# --- the formatters, in-process --------------------------------------------------------------------


def logged(formatter: logging.Formatter, *secrets: str):
    """A logger writing through the CLI's handler (with `formatter`) into a string."""
    stream = io.StringIO()
    handler = TonewatchHandler(stream)
    handler.setFormatter(formatter)
    handler.scrubber.add(*secrets)
    logger = logging.Logger("tonewatch.test")
    logger.addHandler(handler)
    return logger, stream


def test_text_lines_end_with_the_extra_fields():
    logger, stream = logged(TextFormatter())
    logger.warning("alert %s posted", 7, extra={"account": "Acme Corp", "alert_id": 7})
    line = stream.getvalue().rstrip("\n")
    assert line.endswith("WARNING tonewatch.test alert 7 posted [account=Acme Corp alert_id=7]")


def test_json_lines_carry_extras_and_the_traceback_in_one_object():
    logger, stream = logged(JsonFormatter())
    try:
        raise ValueError("boom\nwith a second line")
    except ValueError:
        logger.exception("failed for %s", "Acme", extra={"message_id": 3})
    [line] = stream.getvalue().splitlines()
    entry = json.loads(line)
    assert (entry["level"], entry["logger"], entry["message"], entry["message_id"]) == (
        "ERROR",
        "tonewatch.test",
        "failed for Acme",
        3,
    )
    assert entry["exc_info"].startswith("Traceback") and "second line" in entry["exc_info"]


@pytest.mark.parametrize("formatter", [TextFormatter(), JsonFormatter()], ids=["text", "json"])
def test_secrets_are_scrubbed_from_message_arguments_extras_and_tracebacks(formatter):
    secret = "s3cr3t-signing-value-0123456789"
    logger, stream = logged(formatter, secret)
    try:
        raise RuntimeError(f"bad signature {secret}")
    except RuntimeError:
        logger.exception("header %s", secret, extra={"header": f"v0={secret}"})
    logger.info("installed %s", {"access_token": "xoxb-1111-2222-abcdefghijkl", "ok": True})
    output = stream.getvalue()
    assert secret not in output and secret[:8] not in output and secret[-8:] not in output
    assert "xoxb-1111" not in output and output.count(REDACTED) >= 4


secret_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=8, max_size=40
)


@settings(max_examples=150, deadline=None)
@given(
    secret=secret_text.filter(lambda s: s.strip() == s),
    before=st.text(max_size=30),
    after=st.text(max_size=30),
)
def test_a_known_secret_is_never_left_in_any_text(secret, before, after):
    scrubbed = SecretScrubber([secret]).scrub(before + secret + after + secret)
    assert secret not in scrubbed


@pytest.mark.parametrize(
    ("text", "kept", "gone"),
    [
        ("body: {'access_token': 'xoxb-9-8-abcdefgh', 'ok': True}", "'ok': True", "abcdefgh"),
        ("url postgresql+psycopg://app:pa55w0rd@db:5432/tw", "app:[redacted]@db", "pa55w0rd"),
        ("Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJl", "Bearer", "c2lnbmF0dXJl"),
        ("token xapp-1-A0-123456-abcdef in use", "in use", "123456-abcdef"),
        ("key sk-ant-api03-abcdefghijkl rejected", "rejected", "abcdefghijkl"),
        ("POST oauth.v2.access client_secret=abcdef123456&code=1", "code=1", "abcdef123456"),
    ],
)
def test_secrets_no_setting_names_are_recognised_by_their_shape(text, kept, gone):
    scrubbed = SecretScrubber().scrub(text)
    assert kept in scrubbed and gone not in scrubbed


def test_ordinary_text_is_left_alone():
    text = "message 12 analyzed (offline, negative): basic support question about token limits"
    assert SecretScrubber(["short"]).scrub(text) == text
