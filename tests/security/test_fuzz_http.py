# ruff: noqa: F811 - the Teams fixtures are imported by name, and tests take them as parameters
"""Fuzzing every HTTP route of the real app: bad input gets a clear refusal, never a 5xx or a crash.

One Tonewatch is built by the composition root with every surface on (Slack
events, commands and interactivity at /slack/events, Teams at /api/messages
in local development mode, /ingest, /healthz, /metrics) against the Slack and
Bot Connector stand-ins. Hypothesis sends it malformed bodies — signed the
way Slack signs, so the fuzz reaches past the signature check — and each
test then checks that the same process still stores and analyzes a valid
message from every platform: the process keeps serving.

The app is built once per test and every example meets the state the
earlier ones left behind (strategies and the harness: tests/support/fuzz.py).
Each test first replays the inputs that broke the app before it was fixed.
The field-fuzzing tests also run on PostgreSQL, whose column widths and
text rules are stricter than SQLite's.
"""

from __future__ import annotations

import json
import time
from itertools import count
from typing import Any
from urllib.parse import parse_qsl

import jwt
import pytest
from hypothesis import settings
from hypothesis import strategies as st

from handlers.teams.activity import plain_text as teams_plain_text
from tests.fakes.bot_connector import ALERTS as TEAMS_ALERTS
from tests.fakes.bot_connector import (  # noqa: F401  (fixtures)
    APP_ID,
    HOME_TENANT,
    KEY_ID,
    FakeBotConnector,
    TeamsHarness,
    bot_connector,
    signing_key,
    teams_database_url,
)
from tests.fakes.bot_connector import CUSTOMER as TEAMS_CUSTOMER
from tests.fakes.bot_connector import SHARED as TEAMS_SHARED
from tests.fakes.bot_connector import STAFF as TEAMS_STAFF
from tests.fakes.bot_connector import populate as populate_teams
from tests.support.fuzz import (
    DROP,
    FORM,
    FUZZ,
    FUZZ_STORED,
    INGEST_TOKEN,
    JSON,
    JSON_SCALARS,
    JSON_VALUES,
    ODD_TEXTS,
    OVER_THE_LIMIT,
    RAW_BODIES,
    TICKET,
    Answer,
    Tonewatch,
    changed,
    check,
    form_of,
    fuzz,
    mutated,
    nested,
    sign,
    with_duplicate_keys,
)
from tests.support.slack_requests import (
    ALERTS,
    CUSTOMER,
    SHARED,
    STAFF,
    action_payload,
    command_form,
    event_body,
    message_event,
    running_tonewatch,
    submission_payload,
)

#: The Teams surface with an app id, its token keys served by the stand-in.
from tests.teams.test_teams_auth import remembered, verified  # noqa: F401  (a fixture)

#: The `slack_api` fixture and the migrated-database template.
pytest_plugins = ("tests.support.slack_fixtures",)

ON_BOTH_DATABASES = pytest.mark.parametrize(
    "database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


@pytest.fixture
def database(request: pytest.FixtureRequest, slack_database_url: str) -> str:
    """The database URL: a migrated SQLite file, or a fresh schema on the machine's PostgreSQL."""
    if getattr(request, "param", "sqlite") == "sqlite":
        return slack_database_url
    return request.getfixturevalue("postgres_engine").url.render_as_string(hide_password=False)


@pytest.fixture
async def tonewatch(
    slack_api, bot_connector: FakeBotConnector, database: str, monkeypatch: pytest.MonkeyPatch
):
    """Every surface on, built by the composition root; Acme watched in Slack and in Teams."""
    populate_teams(bot_connector)
    surfaces = {"TEAMS_LOCAL_DEV": "true", "TEAMS_TENANT_ID": HOME_TENANT}
    async with running_tonewatch(
        slack_api, database, monkeypatch, TONEWATCH_INGEST_TOKEN=INGEST_TOKEN, **surfaces
    ) as slack:
        teams = TeamsHarness(bot_connector, slack.http, slack.core, slack.runtime)
        slack.set_up()
        await teams.set_up()
        yield Tonewatch(slack, teams, on_postgres=database.startswith("postgres"))


# --- Slack ---------------------------------------------------------------------------------------

#: Fields whose change can rightly make a message not one to store (another channel, a bot, no text).
SLACK_DECISIVE = {
    "type", "event", "event.type", "event.subtype", "event.channel", "event.user", "event.text", "event.ts",
    "event.hidden", "event.bot_id", "event.channel_type", "event.thread_ts", "event_id", "team_id",
}  # fmt: skip


@ON_BOTH_DATABASES
async def test_slack_events_with_fuzzed_fields_get_a_clear_answer_and_valid_ones_are_stored(tonewatch):
    """Signed event payloads with fields dropped, retyped or added: a 200, or a 400 naming the field.

    When the fuzz only touched fields that do not decide whether a message is read, the
    customer's message must still be stored: a 200 never hides a dropped message.
    """
    payloads = st.builds(lambda text: event_body(message_event(SHARED, CUSTOMER, text)), ODD_TEXTS)

    async def send(mutation: tuple[dict[str, Any], list[str]]) -> None:
        payload, touched = mutation
        answer = await tonewatch.slack_json(payload)
        check(answer, {200, 400, 404}, payload)
        if answer.status == 400:
            assert answer.headers.get("X-Slack-No-Retry") == "1"  # sending it again cannot help
        if answer.status == 404:
            assert answer.error == "unhandled request"  # an event type nothing listens to
        if not any(path in SLACK_DECISIVE or path.startswith("authorizations") for path in touched):
            assert answer.status == 200, answer.text
            assert tonewatch.messages(platform="slack", external_id=payload["event"]["ts"])

    def message() -> dict[str, Any]:
        return event_body(message_event(SHARED, CUSTOMER, "It broke again"))

    found = [  # each answered 500 before it was fixed (and Slack would have sent it again, thrice)
        changed(message(), "event", None),  # Bolt read None.get
        changed(message(), "event", [1]),
        changed(message(), "event.text", 123),  # plain_text(123)
        changed(message(), "event.ts", {"a": 1}),
        changed(message(), "event.ts", "abc"),
        changed(message(), "event.ts", "1e400"),  # OverflowError in datetime.fromtimestamp
        changed(message(), "event.ts"),  # KeyError
        changed(message(), "event.channel", ["x"]),  # a list bound as an SQL parameter
        changed(message(), "event.user", {"id": 1}),
        changed(message(), "event.thread_ts", {"x": 1}),
        changed(message(), "event_id", [1]),  # unhashable in the redelivery set
        changed(message(), "team_id", {"a": 1}),
        changed(message(), "event.text", "a\x00b"),  # PostgreSQL stores no NUL
        changed(message(), "token", []),  # a field nobody reads: the message must still be stored
    ]
    await tonewatch.fuzz(payloads.flatmap(mutated), send, found=found)


def slash_commands(response_url: str) -> st.SearchStrategy[tuple[str, str]]:
    texts = st.one_of(
        st.sampled_from(["status", "watch Acme", "alerts", "digest here mon 09:00", "help"]), ODD_TEXTS
    )
    forms = st.builds(lambda text: dict(parse_qsl(command_form(text, STAFF, SHARED, response_url))), texts)
    return forms.flatmap(mutated).map(lambda pair: (form_of(pair[0]), FORM))


def interactions() -> st.SearchStrategy[tuple[str, str]]:
    """Button presses and modal submissions on an alert card."""
    correction = {
        "label": {"value": {"selected_option": {"value": "positive"}}},
        "note": {"value": {"value": "x"}},
    }
    payloads = st.sampled_from(
        [
            action_payload("tonewatch_ack", STAFF, value="1"),
            action_payload("tonewatch_snooze", STAFF, selected="1:1d"),
            action_payload("tonewatch_not_accurate", STAFF, value="1"),
            action_payload("tonewatch_use_draft", STAFF, value="1"),
            submission_payload("tonewatch_correction", STAFF, "1", correction),
            submission_payload("tonewatch_draft", STAFF, "1", {"draft": {"text": {"value": "Hi"}}}),
        ]
    )
    return payloads.flatmap(mutated).map(lambda pair: (form_of({"payload": pair[0]}), FORM))


def other_events() -> st.SearchStrategy[tuple[str, str]]:
    """Mentions, DMs, the App Home, joins, shares, edits and deletes."""
    edit = {
        "type": "message",
        "subtype": "message_changed",
        "channel": SHARED,
        "previous_message": {"ts": "1.1", "text": "before"},
    }
    events = st.one_of(
        st.builds(
            lambda text: {"type": "app_mention", "channel": ALERTS, "user": STAFF, "text": text}, ODD_TEXTS
        ),
        st.builds(lambda text: message_event("D_SAM", STAFF, text), ODD_TEXTS),
        st.builds(lambda text: {**edit, "message": {"ts": "1.1", "text": text, "user": CUSTOMER}}, ODD_TEXTS),
        st.sampled_from(
            [
                {"type": "app_home_opened", "user": STAFF, "channel": "D_SAM", "tab": "home"},
                {"type": "member_joined_channel", "user": STAFF, "channel": ALERTS},
                {"type": "channel_shared", "channel": ALERTS},
                {"type": "message", "subtype": "message_deleted", "channel": SHARED, "deleted_ts": "1.1"},
            ]
        ),
    )
    return events.map(event_body).flatmap(mutated).map(lambda pair: (json.dumps(pair[0]), JSON))


def url_verifications() -> st.SearchStrategy[tuple[str, str]]:
    payloads = st.builds(lambda challenge: {"type": "url_verification", "challenge": challenge}, JSON_VALUES)
    return payloads.map(lambda payload: (json.dumps(payload), JSON))


def duplicated_keys() -> st.SearchStrategy[tuple[str, str]]:
    base = event_body(message_event(SHARED, CUSTOMER, "the same key twice"))
    keys = st.sampled_from(["type", "event", "event_id", "team_id", "token"])
    return st.dictionaries(keys, JSON_VALUES, min_size=1).map(
        lambda extra: (with_duplicate_keys(base, extra), JSON)
    )


@pytest.mark.slow
async def test_slack_commands_actions_modals_and_other_events_never_fail_with_a_5xx(tonewatch):
    """Everything else Slack posts to /slack/events, fuzzed and signed: a 2xx, a 400, or a 404 for nothing."""
    requests = st.one_of(
        slash_commands(tonewatch.slack.api.response_url("fuzz")),
        interactions(),
        other_events(),
        url_verifications(),
        duplicated_keys(),
    )

    async def send(request: tuple[str, str]) -> None:
        body, content_type = request
        answer = await tonewatch.slack_raw(body.encode(), content_type)
        check(answer, {200, 400, 404}, body)

    def pressed(payload: dict[str, Any], path: str, value: Any = DROP) -> tuple[str, str]:
        return form_of({"payload": changed(payload, path, value)[0]}), FORM

    def event(payload: dict[str, Any]) -> tuple[str, str]:
        return json.dumps(event_body(payload)), JSON

    ack = action_payload("tonewatch_ack", STAFF, value="1")
    correction = submission_payload("tonewatch_correction", STAFF, "1", {})
    draft = submission_payload("tonewatch_draft", STAFF, "1", {"draft": {"text": {"value": "Hi"}}})
    found = [  # each answered 500 before it was fixed
        pressed(ack, "actions", []),  # IndexError inside Bolt
        pressed(ack, "actions", [{}]),  # KeyError: 'action_id', inside Bolt
        pressed(correction, "view", {"callback_id": "tonewatch_correction"}),  # KeyError: 'type'
        (form_of({"payload": {"type": "shortcut"}}), FORM),  # KeyError: 'callback_id'
        (form_of({"payload": {"type": "block_suggestion"}}), FORM),  # KeyError: 'action_id'
        pressed(ack, "actions", "x"),
        pressed(ack, "user", None),
        pressed(action_payload("tonewatch_ack", STAFF, value="abc"), "type", "block_actions"),  # int("abc")
        pressed(action_payload("tonewatch_ack", STAFF), "type", "block_actions"),  # int("")
        pressed(action_payload("tonewatch_snooze", STAFF, selected="x:1d"), "type", "block_actions"),
        pressed(correction, "view.private_metadata", "abc"),
        pressed(correction, "view.private_metadata", "9" * 400),  # too big for an SQL integer
        pressed(draft, "view.private_metadata", "abc"),
        pressed(correction, "view.state.values", "x"),
        event({"type": "app_home_opened", "tab": "home"}),  # KeyError: 'user'
        event({"type": "member_joined_channel", "channel": [1]}),
        event({"type": "message", "subtype": "message_changed", "channel": SHARED, "message": "x"}),
        event({"type": "message", "subtype": "message_deleted", "channel": {"a": 1}, "deleted_ts": [1]}),
        event({"type": "message", "channel": "D_SAM", "channel_type": "im", "user": STAFF, "text": 5}),
        (json.dumps({"type": "url_verification", "challenge": 5}), JSON),  # echoed back as it was
        (form_of({"command": "/tonewatch", "text": "status"}), FORM),  # no user, no channel
    ]
    await tonewatch.fuzz(requests, send, found=found)


async def test_slack_bodies_that_are_not_payloads_get_400_or_413_when_signed(tonewatch):
    """Empty, binary, invalid UTF-8, deeply nested, huge: refused with the reason and no retry."""
    content_types = st.sampled_from([JSON, FORM, "text/plain", "application/json; charset=latin-9"])

    async def send(request: tuple[bytes, str]) -> None:
        body, content_type = request
        answer = await tonewatch.slack_raw(body, content_type)
        check(answer, {400, 404, 413}, body[:200])
        if answer.status == 400:
            assert answer.headers.get("X-Slack-No-Retry") == "1"

    found = [  # each answered 500, or 401 though signed, before it was fixed
        (b"[" * 10_000 + b"]" * 10_000, JSON),  # RecursionError in json.loads
        (nested(10_000), JSON),
        (b"\x80", JSON),  # not UTF-8: slack_sdk's verifier could not tell it was signed
        (b"", JSON),  # an empty body went to Bolt, which had no listener for it
        (b'{"type": "event_callback", "a": "\\udfff"}', JSON),  # a lone surrogate: no database takes it
        (b'{"type": "event_callback"}', "application/json; charset=latin-9"),  # LookupError
    ]
    await tonewatch.fuzz(st.tuples(RAW_BODIES, content_types), send, found=found)


async def test_unsigned_or_badly_signed_slack_requests_are_refused_with_401(tonewatch):
    """Whatever the body, a request without Slack's valid signature is refused and nothing is stored."""
    before = len(tonewatch.messages())
    valid = st.builds(
        lambda text: json.dumps(event_body(message_event(SHARED, CUSTOMER, text))).encode(), ODD_TEXTS
    )
    bodies = st.one_of(valid, RAW_BODIES.filter(lambda body: len(body) < OVER_THE_LIMIT))
    printable = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=80)
    signings = st.one_of(
        st.none(),
        st.just({"secret": "not-the-secret"}),
        st.sampled_from([-600, 600]).map(lambda skew: {"timestamp": int(time.time()) + skew}),
        st.dictionaries(
            st.sampled_from(["X-Slack-Signature", "X-Slack-Request-Timestamp"]), printable, min_size=1
        ),
    )

    async def send(request: tuple[bytes, dict[str, Any] | None]) -> None:
        body, signing = request
        headers = {"Content-Type": JSON}
        if signing is not None and ("secret" in signing or "timestamp" in signing):
            headers.update(sign(body, **signing))
        elif signing is not None:
            headers.update({**sign(body), **signing})  # a valid signature, then a header replaced
        answer = await Answer.of(await tonewatch.http.post("/slack/events", data=body, headers=headers))
        check(answer, {401}, (body[:200], signing))
        assert len(tonewatch.messages()) == before

    # An empty timestamp: Bolt's verifier read it with int() and answered 500.
    found = [(nested(1_000), {"X-Slack-Signature": "", "X-Slack-Request-Timestamp": ""})]
    await tonewatch.fuzz(st.tuples(bodies, signings), send, found=found)


async def test_odd_but_valid_slack_texts_are_stored_and_analyzed_or_marked_not_analyzable(tonewatch):
    """Emoji only, invisible characters, other languages, 40,000 characters: stored, never dropped."""

    async def send(text: str) -> None:
        event = message_event(SHARED, CUSTOMER, text)
        check(await tonewatch.slack_json(event_body(event)), {200}, text)
        await tonewatch.handled(repr(text[:40]), platform="slack", external_id=event["ts"])

    await tonewatch.fuzz(ODD_TEXTS, send, FUZZ_STORED)


# --- Teams ---------------------------------------------------------------------------------------


def teams_activities(connector: FakeBotConnector) -> st.SearchStrategy[dict[str, Any]]:
    """Messages, mentions, 1:1 chats, edits, deletes, installs and card presses, before fuzzing."""
    card_data = st.builds(
        lambda action, extra: {"tonewatch": action, **extra},
        st.sampled_from(["ack", "snooze", "correct", "send_draft"]),
        st.dictionaries(st.sampled_from(["alert", "for", "draft", "label"]), JSON_VALUES),
    )
    return st.one_of(
        st.builds(lambda text: connector.activity(TEAMS_SHARED, TEAMS_CUSTOMER, text), ODD_TEXTS),
        st.builds(lambda text: connector.activity(TEAMS_SHARED, TEAMS_STAFF, text, mention=True), ODD_TEXTS),
        st.builds(lambda text: connector.activity("a:sam", TEAMS_STAFF, text), ODD_TEXTS),
        st.builds(lambda value: connector.activity("a:sam", TEAMS_STAFF, None, value=value), card_data),
        st.builds(lambda: connector.edit(TEAMS_SHARED, TEAMS_CUSTOMER, "1", "changed")),
        st.builds(lambda: connector.delete(TEAMS_SHARED, TEAMS_CUSTOMER, "1")),
        st.builds(lambda: connector.bot_added(TEAMS_SHARED, TEAMS_STAFF)),
        st.builds(
            lambda name: connector.activity("a:sam", TEAMS_STAFF, None, type="invoke", name=name),
            JSON_SCALARS,
        ),
    )


@ON_BOTH_DATABASES
async def test_teams_activities_with_fuzzed_fields_get_a_clear_answer(tonewatch):
    """Activities with fields dropped, retyped or added: a 2xx, or a 400 saying which field is wrong."""

    async def send(mutation: tuple[dict[str, Any], list[str]]) -> None:
        activity, _touched = mutation
        check(await tonewatch.teams_json(activity), {200, 201, 400}, activity)

    connector = tonewatch.teams.connector

    def said(text: str | None = "It broke again", **options: Any) -> dict[str, Any]:
        return connector.activity(TEAMS_SHARED, TEAMS_CUSTOMER, text, **options)

    pressed = connector.activity("a:sam", TEAMS_STAFF, None, value={"tonewatch": "snooze", "for": []})
    found = [  # each answered 500 (or posted where it must not) before it was fixed
        changed(said(), "channelData.channel", "x"),  # str.get
        changed(said(), "channelData.team", [1]),
        changed(said(), "entities"),  # botbuilder's get_mentions iterates None
        changed(connector.activity(TEAMS_SHARED, TEAMS_STAFF, "x", mention=True), "text", None),
        changed(said(), "conversation", {}),  # None.split
        changed(said(), "from.id", "0" * 19_999),  # a member lookup URL no server takes
        changed(said(), "conversation.id", "\u0100"),  # not latin-1: the connector's URL failed
        changed(said(), "text", ["a"]),  # stored as the text "['a']"
        changed(pressed, "value.alert", False),  # unhashable "for", in the snooze lookup
        changed(connector.activity("a:sam", TEAMS_STAFF, None, type="invoke"), "name", None),  # a 501
        # A 1:1 chat by its type, a channel by its id: the refusal went to the customer's channel.
        changed(changed(said(), "conversation.conversationType", "personal")[0], "channelData"),
    ]
    await tonewatch.fuzz(teams_activities(connector).flatmap(mutated), send, found=found)
    await tonewatch.teams.idle()


async def test_teams_bodies_that_are_not_activities_get_400_413_or_415(tonewatch):
    content_types = st.sampled_from([JSON, "text/plain", "application/json; charset=latin-9"])

    async def send(request: tuple[bytes, str]) -> None:
        body, content_type = request
        answer = await tonewatch.teams_raw(body, content_type)
        check(answer, {400, 413, 415}, body[:200])
        assert (answer.status == 415) == ("json" not in content_type)

    found = [  # each answered 500, or 400 for a body too large, before it was fixed
        (b"null", JSON),  # None.type
        (b'{"a": "' + b"x" * OVER_THE_LIMIT + b'"}', JSON),
        (b'{"type": "message"}', "application/json; charset=latin-9"),
    ]
    await tonewatch.fuzz(st.tuples(RAW_BODIES, content_types), send, found=found)


async def test_odd_but_valid_teams_texts_are_stored_and_analyzed_or_marked_not_analyzable(tonewatch):
    connector = tonewatch.teams.connector

    async def send(text: str) -> None:
        activity = connector.activity(TEAMS_SHARED, TEAMS_CUSTOMER, text)
        check(await tonewatch.teams_json(activity), {200, 201}, text)
        await tonewatch.handled(repr(text[:40]), platform="teams", external_id=activity["id"])

    # Teams sends markup: a text that is only tags or blank lines is nothing to read.
    await tonewatch.fuzz(ODD_TEXTS.filter(teams_plain_text), send, FUZZ_STORED)


# --- /ingest -------------------------------------------------------------------------------------


@ON_BOTH_DATABASES
async def test_ingest_items_and_batches_with_fuzzed_fields_get_201_or_a_422_naming_the_field(tonewatch):
    items = (
        st.builds(lambda text: {**TICKET, "text": text}, ODD_TEXTS).flatmap(mutated).map(lambda pair: pair[0])
    )
    bodies = st.one_of(
        items, st.lists(items, min_size=1, max_size=3), st.lists(JSON_VALUES, min_size=1, max_size=3)
    )
    ids = count()

    async def send(body: Any) -> None:
        # A fresh external id each time, so a fuzzed item is never a duplicate of an earlier one.
        for item in body if isinstance(body, list) else [body]:
            if isinstance(item, dict) and item.get("external_id") == "zd-1":
                item["external_id"] = f"zd-{next(ids)}"
        answer = await tonewatch.ingest_raw(json.dumps(body).encode())
        check(answer, {200, 201, 400, 413, 422}, body)  # 413: a batch of long texts over 1 MB
        if answer.status == 422:
            errors = json.loads(answer.text)["errors"]
            assert errors and all(error["field"] and error["message"] for error in errors)

    # Each answered 500 before it was fixed: before the first UTC instant (OverflowError), a surrogate.
    found = [{**TICKET, "created_at": "0001-01-01T00:00:00+14:00"}, {**TICKET, "author": "\udfff"}]
    await tonewatch.fuzz(bodies, send, found=found)


async def test_ingest_bodies_tokens_and_content_types_that_are_wrong_are_refused(tonewatch):
    printable = st.characters(min_codepoint=33, max_codepoint=126)
    tokens = st.one_of(st.just(INGEST_TOKEN), st.none(), st.text(alphabet=printable, max_size=60))
    content_types = st.sampled_from([JSON, "text/plain", "application/json; charset=latin-9", ""])

    async def send(request: tuple[bytes, str | None, str]) -> None:
        body, token, content_type = request
        answer = await tonewatch.ingest_raw(body, token, content_type)
        check(answer, {400, 401, 413, 415, 422}, request)
        if token != INGEST_TOKEN:
            assert answer.status == 401

    found = [(b"[" * 10_000 + b"]" * 10_000, INGEST_TOKEN, JSON)]  # RecursionError: a 500 before the fix
    await tonewatch.fuzz(st.tuples(RAW_BODIES, tokens, content_types), send, found=found)


async def test_odd_but_valid_ingest_texts_are_stored_or_refused_with_the_reason(tonewatch):
    """/ingest refuses what it cannot analyze at the door (docs/ingest.md); what it takes is analyzed."""
    ids = count()

    async def send(text: str) -> None:
        item = {**TICKET, "text": text, "external_id": f"odd-{next(ids)}"}
        answer = await tonewatch.ingest_raw(json.dumps(item).encode())
        check(answer, {201, 422}, text)
        if answer.status == 422:
            [error] = json.loads(answer.text)["errors"]
            assert error["field"] == "text" and error["message"].startswith("text ")
        else:
            await tonewatch.handled(repr(text[:40]), platform="ingest", external_id=item["external_id"])

    await tonewatch.fuzz(ODD_TEXTS, send, FUZZ_STORED)


# --- /healthz and /metrics -----------------------------------------------------------------------


async def test_healthz_and_metrics_answer_any_query_and_headers(tonewatch):
    printable = st.characters(min_codepoint=32, max_codepoint=126)
    header_names = st.sampled_from(["Accept", "Accept-Encoding", "X-Forwarded-For", "Authorization"])
    requests = st.tuples(
        st.sampled_from(["GET", "POST", "PUT"]),
        st.sampled_from(["/healthz", "/metrics"]),
        st.dictionaries(st.text(max_size=10), st.text(max_size=30), max_size=3),
        st.dictionaries(header_names, st.text(alphabet=printable, max_size=40), max_size=3),
    )

    async def send(request: tuple[str, str, dict, dict]) -> None:
        method, path, query, headers = request
        answer = await Answer.of(await tonewatch.http.request(method, path, params=query, headers=headers))
        check(answer, {200, 405}, request)
        assert (answer.status == 405) == (method != "GET")
        if answer.status == 200 and path == "/healthz":
            assert json.loads(answer.text)["status"] == "ok"
        if answer.status == 200 and path == "/metrics":
            assert "tonewatch_queue_depth" in answer.text

    await tonewatch.fuzz(requests, send)


# --- Slack OAuth and Teams token checks ----------------------------------------------------------


@pytest.fixture
async def slack_oauth(slack_api, slack_database_url: str, monkeypatch: pytest.MonkeyPatch):
    """Tonewatch serving Slack for many workspaces: /slack/install and /slack/oauth_redirect."""
    oauth = {"SLACK_BOT_TOKEN": "", "SLACK_CLIENT_ID": "111.222", "SLACK_CLIENT_SECRET": "client-secret"}
    async with running_tonewatch(slack_api, slack_database_url, monkeypatch, **oauth) as slack:
        yield slack


async def test_the_oauth_pages_answer_any_query_and_cookie_without_a_5xx(slack_oauth):
    """A browser can arrive with anything in the URL (a stale link, a tampered state, an error)."""
    printable = st.characters(min_codepoint=32, max_codepoint=126, exclude_characters=";")
    values = st.one_of(st.text(max_size=40), ODD_TEXTS.map(lambda text: text[:200]))
    requests = st.tuples(
        st.sampled_from(["/slack/install", "/slack/oauth_redirect"]),
        st.dictionaries(st.sampled_from(["code", "state", "error", "team", "x"]), values, max_size=4),
        st.one_of(st.none(), st.text(alphabet=printable, max_size=60)),
    )

    async def send(request: tuple[str, dict[str, str], str | None]) -> None:
        path, query, cookie = request
        headers = {"Cookie": f"slack-app-oauth-state={cookie}"} if cookie is not None else {}
        response = await slack_oauth.http.get(path, params=query, headers=headers, allow_redirects=False)
        answer = await Answer.of(response)
        check(answer, {200, 302, 400, 401, 403}, request)

    await fuzz(requests, send, settings(FUZZ, max_examples=50))
    install = await slack_oauth.http.get("/slack/install", allow_redirects=False)
    assert install.status == 200 and "oauth/v2/authorize" in await install.text()


def token_with(connector: FakeBotConnector, claims: dict[str, Any]) -> str:
    """A token signed with the stand-in's key: valid claims, changed as `claims` says (None drops one)."""
    body = jwt.decode(connector.token(), options={"verify_signature": False})
    body.update(claims)
    body = {name: value for name, value in body.items() if value is not None}
    return jwt.encode(body, signing_key(), algorithm="RS256", headers={"kid": KEY_ID})


async def test_teams_requests_with_wrong_or_forged_tokens_are_refused_with_401(verified):
    """Random strings, wrong or missing claims, stale or future tokens: 401, nothing stored or looked up."""
    connector = verified.connector
    verified.core.places.watch("teams", TEAMS_SHARED, "acme-shared", "Acme Corp", is_external=True)
    now = int(time.time())
    text = st.text(max_size=40)
    wrong = {  # each a claim value that alone makes the token unacceptable (None: the claim left out)
        "aud": st.one_of(st.none(), text.filter(lambda value: value != APP_ID)),
        "iss": st.one_of(st.none(), text),
        "serviceurl": st.one_of(st.none(), text, st.just("https://attacker.example/")),
        "exp": st.sampled_from([None, now - 7200, "tomorrow"]),
        "nbf": st.sampled_from([now + 7200, "yesterday"]),
    }
    wrong_claims = st.lists(st.sampled_from(sorted(wrong)), min_size=1, unique=True).flatmap(
        lambda names: st.fixed_dictionaries({name: wrong[name] for name in names})
    )
    printable = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=80)
    authorizations = st.one_of(
        st.none(),
        printable,
        printable.map(lambda text: f"Bearer {text}"),
        st.just("Bearer " + jwt.encode({"aud": APP_ID}, key=None, algorithm="none")),
        wrong_claims.map(lambda claims: f"Bearer {token_with(connector, claims)}"),
    )

    async def send(authorization: str | None) -> None:
        activity = connector.activity(TEAMS_SHARED, TEAMS_CUSTOMER, "Hello from nowhere")
        headers = {"Content-Type": JSON, **({"Authorization": authorization} if authorization else {})}
        response = await verified.http.post(
            "/api/messages", data=json.dumps(activity).encode(), headers=headers
        )
        check(await Answer.of(response), {401}, authorization)

    no_expiry = f"Bearer {token_with(connector, {'exp': None})}"  # botbuilder took it, forever
    await fuzz(authorizations, send, settings(FUZZ, max_examples=50), found=[no_expiry])
    assert verified.messages() == [] and connector.requests == []
    assert remembered(verified) == []
    # Still serving: the real Teams, with a valid token, is heard (an install needs no lookup).
    install = connector.activity(TEAMS_ALERTS, TEAMS_STAFF, None, type="installationUpdate", action="add")
    assert (await verified.send(install, token=connector.token())).status == 201
    assert remembered(verified) == [TEAMS_ALERTS]
