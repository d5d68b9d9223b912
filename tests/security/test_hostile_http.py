# ruff: noqa: F811 - the fixtures are imported by name, and tests take them as parameters
"""Every inbound edge refuses hostile input with a 4xx and a JSON body, on SQLite and PostgreSQL.

Requests go over a socket to the app `tonewatch run` serves (built by the composition root, every
surface on), byte for byte where headers hold bytes an HTTP client library would not send.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from sqlmodel import select

from bot.messages.inbound import has_control_characters
from storage.db import session_scope
from storage.models import Account, CustomerMessage
from tests.fakes.bot_connector import CUSTOMER as TEAMS_CUSTOMER
from tests.fakes.bot_connector import SHARED as TEAMS_SHARED
from tests.fakes.bot_connector import STAFF as TEAMS_STAFF
from tests.fakes.bot_connector import bot_connector  # noqa: F401  (a fixture)
from tests.security.test_fuzz_http import ON_BOTH_DATABASES, database, tonewatch  # noqa: F401  (fixtures)
from tests.support.fuzz import INGEST_TOKEN, TICKET, nested, sign
from tests.teams.test_teams_auth import remembered, verified  # noqa: F401  (fixtures the Teams harness takes)

pytest_plugins = ("tests.support.slack_fixtures",)


async def raw(app, request_line: bytes, headers: list[bytes], body: bytes = b"") -> tuple[int, dict, Any]:
    """Send exactly these bytes; (status, headers, the JSON body) of the answer."""
    reader, writer = await asyncio.open_connection(app.http.host, app.http.port)
    head = [
        request_line,
        b"Host: localhost",
        *headers,
        b"Content-Length: %d" % len(body),
        b"Connection: close",
    ]
    writer.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
    await writer.drain()
    data = await asyncio.wait_for(reader.read(), 30)
    writer.close()
    top, _, content = data.partition(b"\r\n\r\n")
    lines = top.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    answer_headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    assert answer_headers.get("content-type", "").startswith("application/json"), (status, data[:300])
    return status, answer_headers, json.loads(content)


def ingest_headers(token: bytes = INGEST_TOKEN.encode()) -> list[bytes]:
    return [b"Content-Type: application/json", b"Authorization: Bearer " + token]


@ON_BOTH_DATABASES
async def test_hostile_headers_are_refused_with_401_and_json(tonewatch) -> None:
    body = b'{"type": "url_verification", "challenge": "x"}'
    good = sign(body)
    cases = [
        [
            b"X-Slack-Request-Timestamp: " + b"9" * 310,
            b"X-Slack-Signature: " + good["X-Slack-Signature"].encode(),
        ],
        [
            b"X-Slack-Request-Timestamp: " + good["X-Slack-Request-Timestamp"].encode(),
            b"X-Slack-Signature: v0=\xff\xfe",
        ],
        [b"X-Slack-Request-Timestamp: -1", b"X-Slack-Signature: v0=00"],
        [b"X-Slack-Request-Timestamp: \xff\xfe", b"X-Slack-Signature: v0=00"],
    ]
    for headers in cases:
        status, _, answer = await raw(
            tonewatch, b"POST /slack/events HTTP/1.1", [b"Content-Type: application/json", *headers], body
        )
        assert status == 401 and answer["error"], (headers, answer)

    ticket = json.dumps(TICKET).encode()
    for token in (b"\xff" * 20, b"\xff" + INGEST_TOKEN.encode()[1:], b"\xc3\x28" * 10):
        status, answer_headers, answer = await raw(
            tonewatch, b"POST /ingest HTTP/1.1", ingest_headers(token), ticket
        )
        assert status == 401 and "bearer" in answer["error"] and "www-authenticate" in answer_headers
    assert not tonewatch.messages(platform="ingest")
    status, _, answer = await raw(tonewatch, b"POST /ingest HTTP/1.1", ingest_headers(), ticket)
    assert status == 201  # the same request with the right token


@ON_BOTH_DATABASES
async def test_huge_numbers_and_deep_json_get_400_on_every_route(tonewatch) -> None:
    digits = "9" * 5000
    for body in (
        f'{{"source": "nps", "account": "Acme", "score": {digits}}}',
        f'{{"source": "ticket", "account": "Acme", "text": "hi", "external_id": {digits}}}',
        f"[{digits}]",
        nested(100_000).decode(),
    ):
        status, _, answer = await raw(tonewatch, b"POST /ingest HTTP/1.1", ingest_headers(), body.encode())
        assert status == 400 and ("digits" in answer["error"] or "nests" in answer["error"]), answer
    for body in (f'{{"type": "message", "id": {digits}}}'.encode(), nested(100_000)):
        status, _, answer = await raw(
            tonewatch, b"POST /api/messages HTTP/1.1", [b"Content-Type: application/json"], body
        )
        assert status == 400 and answer["error"], answer
        signed = [f"{k}: {v}".encode() for k, v in sign(body).items()]
        status, _, answer = await raw(
            tonewatch, b"POST /slack/events HTTP/1.1", [b"Content-Type: application/json", *signed], body
        )
        assert status == 400 and answer["error"], answer
    # Floats out of range are numbers JSON allows; the score range refuses them.
    for score in ("1e999", "-1e999", "NaN"):
        body = f'{{"source": "nps", "account": "Acme", "score": {score}}}'.encode()
        status, _, answer = await raw(tonewatch, b"POST /ingest HTTP/1.1", ingest_headers(), body)
        assert status == 422 and answer["errors"][0]["field"] == "score", answer
    assert not tonewatch.messages(platform="ingest")


FIELDS = ("account", "author", "author_email", "external_id", "thread")
CONTROLS = ("\x00", "\x01", "\x07", "\x1b[31m", "\x7f", "\x85", "\u009b")


@ON_BOTH_DATABASES
async def test_control_characters_in_ingest_fields_are_refused_the_same_way_on_both_databases(
    tonewatch,
) -> None:
    for field in FIELDS:
        for control in CONTROLS:
            item = {**TICKET, "external_id": f"ctl-{time.monotonic_ns()}", field: f"Acme{control}Corp"}
            answer = await tonewatch.ingest_raw(json.dumps(item).encode())
            assert answer.status == 422, (field, control, answer.text)
            body = json.loads(answer.text)
            assert body["errors"] == [
                {"field": field, "message": "must not contain control characters (NUL, escape, line breaks…)"}
            ]
    speakers = {**TICKET, "source": "call", "text": "Maria: it broke", "customer_speakers": ["Maria\x00"]}
    answer = await tonewatch.ingest_raw(json.dumps(speakers).encode())
    assert answer.status == 422 and "customer_speakers" in answer.text
    # In the text, NUL is refused (binary data?) and other controls are dropped.
    answer = await tonewatch.ingest_raw(json.dumps({**TICKET, "text": "a\x00b"}).encode())
    assert answer.status == 422 and "NUL" in answer.text
    answer = await tonewatch.ingest_raw(json.dumps({**TICKET, "text": "It \x1bbroke\x07 again"}).encode())
    assert answer.status == 201
    [stored] = tonewatch.messages(platform="ingest")
    assert stored.text == "It broke again" and stored.account_id is not None


async def test_bodies_that_do_not_decode_by_their_content_encoding_get_400(tonewatch) -> None:
    """A body that is not what its Content-Encoding says (aiohttp decompresses it as it is read):
    a 400 saying so on every route, signed or not, never a 500; the same body plain still gets through."""
    ticket = json.dumps(TICKET).encode()
    slack_body = b'{"type": "url_verification", "challenge": "x"}'
    for encoding, body in ((b"deflate", b"not deflate"), (b"gzip", b"\x1f\x8b not gzip")):
        encoded = b"Content-Encoding: " + encoding
        signed = [f"{k}: {v}".encode() for k, v in sign(body).items()]
        for line, headers in (
            (b"POST /ingest HTTP/1.1", ingest_headers()),
            (b"POST /slack/events HTTP/1.1", [b"Content-Type: application/json", *signed]),
            (b"POST /api/messages HTTP/1.1", [b"Content-Type: application/json"]),
        ):
            status, _, answer = await raw(tonewatch, line, [*headers, encoded], body)
            assert status == 400 and "Content-Encoding" in answer["error"], (line, encoding, answer)
        # Without the token, refused either way (the body may be read before the token is checked).
        status, _, answer = await raw(tonewatch, b"POST /ingest HTTP/1.1", ingest_headers(b"wrong"), body)
        assert status in (400, 401), answer
    status, _, answer = await raw(tonewatch, b"POST /ingest HTTP/1.1", ingest_headers(), ticket)
    assert status == 201, answer
    signed = [f"{k}: {v}".encode() for k, v in sign(slack_body).items()]
    status, _, answer = await raw(
        tonewatch, b"POST /slack/events HTTP/1.1", [b"Content-Type: application/json", *signed], slack_body
    )
    assert status == 200 and answer == {"challenge": "x"}


@ON_BOTH_DATABASES
async def test_unknown_routes_and_methods_answer_json(tonewatch) -> None:
    for line, expected in (
        (b"GET /nope HTTP/1.1", 404),
        (b"GET /ingest HTTP/1.1", 405),
        (b"PUT /healthz HTTP/1.1", 405),
        (b"DELETE /slack/events HTTP/1.1", 405),
    ):
        status, headers, answer = await raw(tonewatch, line, [])
        assert status == expected and answer["error"], (line, answer)
        if expected == 405:
            assert headers["allow"]


@ON_BOTH_DATABASES
async def test_teams_takes_application_json_only(tonewatch) -> None:
    activity = tonewatch.teams.connector.activity(TEAMS_SHARED, TEAMS_CUSTOMER, "The export broke again.")
    body = json.dumps(activity).encode()
    for content_type in (b"text/plain; x=application/json", b"text/application/json", b"application/jsonx"):
        status, _, answer = await raw(
            tonewatch, b"POST /api/messages HTTP/1.1", [b"Content-Type: " + content_type], body
        )
        assert status == 415 and "application/json" in answer["error"], content_type
    answer = await tonewatch.teams_raw(body, "application/json; charset=utf-8")
    assert answer.status in (200, 201), answer.text
    await tonewatch.handled("the Teams message", platform="teams", external_id=activity["id"])


@ON_BOTH_DATABASES
async def test_control_characters_from_teams_and_slack_never_fail_a_request(tonewatch) -> None:
    """Names and ids from the platforms: NUL and escapes in an author name, an account named in a
    command, an activity id; 2xx or 4xx, never a 500, and the same on both databases."""
    connector = tonewatch.teams.connector
    activity = connector.activity(TEAMS_SHARED, TEAMS_CUSTOMER, "The export broke again \x00\x1b today.")
    activity["from"]["name"] = "Maria\x00\x1b[31m"
    answer = await tonewatch.teams_json(activity)
    assert answer.status < 500, answer.text
    for command in ("watch Acme\x00Corp", "watch \x1b[2J"):
        said = connector.activity(TEAMS_SHARED, TEAMS_STAFF, command, mention=True)
        answer = await tonewatch.teams_json(said)
        assert answer.status < 500, answer.text
    odd_id = connector.activity(TEAMS_SHARED, TEAMS_CUSTOMER, "Billing is wrong again.", activity_id="a\x00b")
    assert (await tonewatch.teams_json(odd_id)).status < 500
    answer = await tonewatch.slack.command("watch Acme\x1b[2J")
    assert "control characters" in answer.text, answer.text
    await tonewatch.still_serving()
    with session_scope(tonewatch.slack.core.engine) as session:
        names = session.exec(select(Account.name)).all()
        authors = session.exec(select(CustomerMessage.author)).all()
    assert not [n for n in [*names, *authors] if n and has_control_characters(n)], (names, authors)
