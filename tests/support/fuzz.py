"""What the HTTP fuzz tests share: strategies for odd input, and Tonewatch to send it to.

`Tonewatch` is the app of tests/security/test_fuzz_http.py (every surface on one aiohttp
server); `fuzz` runs a Hypothesis strategy against it from a worker thread,
so the test's event loop goes on serving in between.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from aiohttp import ClientResponse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from multidict import CIMultiDict
from sqlmodel import select

from storage.db import session_scope
from storage.models import CustomerMessage
from tests.fakes.bot_connector import CUSTOMER as TEAMS_CUSTOMER
from tests.fakes.bot_connector import SHARED as TEAMS_SHARED
from tests.fakes.bot_connector import TeamsHarness
from tests.support.slack_requests import (
    CUSTOMER,
    SHARED,
    SIGNING_SECRET,
    SlackHarness,
    event_body,
    message_event,
    wait_for,
)

INGEST_TOKEN = "fuzz-ingest-token-0123456789abcdef"
#: The app's body limit (bot/runtime/server.py MAX_BODY_BYTES), and a little more.
OVER_THE_LIMIT = 4 * 1024 * 1024 + 10
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"

T = TypeVar("T")

FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
#: For the tests that wait for every example's analysis.
FUZZ_STORED = settings(FUZZ, max_examples=50)
FUZZ_POSTGRES_EXAMPLES = 40

TICKET = {
    "account": "Acme Corp",
    "source": "ticket",
    "text": "The SSO login fails for half of our team.",
    "author": "Anna",
    "external_id": "zd-1",
    "created_at": "2026-11-23T09:30:00Z",
}


# --- strategies ----------------------------------------------------------------------------------

EMOJI = st.sampled_from(["😡", "👍", "🙏🏽", "👨‍👩‍👧", "🇩🇪", "❤️", "🔥", "💀", "🤬", "😂"])
#: Zero-width, bidi and soft-hyphen characters: invisible, yet what a message may hold.
INVISIBLE = st.sampled_from(
    ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e"]
    + ["\u2066", "\u2067", "\u2068", "\u2069", "\ufeff", "\u00ad", "\u061c"]
)
CONTROL = st.characters(categories=["Cc"])
LANGUAGES = st.sampled_from(
    [
        "Das Produkt ist seit drei Tagen kaputt, wir sind sehr unzufrieden.",
        "Le tableau de bord ne charge plus, c'est inacceptable.",
        "El servicio no funciona desde ayer, necesitamos ayuda urgente.",
        "Серверы снова упали, мы теряем клиентов.",
        "サービスが使えません。至急対応してください。",
        "服务又宕机了，我们非常失望。",
        "الخدمة لا تعمل منذ أمس، نحتاج مساعدة عاجلة.",
        "השירות לא עובד מאתמול, אנחנו מאוד מאוכזבים.",
        "सेवा कल से काम नहीं कर रही है।",
        "Dịch vụ không hoạt động từ hôm qua.",
        "서비스가 또 중단되었습니다.",
        "Ευχαριστούμε πολύ, όλα λειτουργούν τέλεια!",
    ]
)


def long_text(seed: str, length: int) -> str:
    """A text of exactly `length` characters built from a short drawn seed (drawing 40,000 is slow)."""
    return (seed * (length // len(seed) + 1))[:length]


def visible(text: str) -> bool:
    return bool(text.replace("\x00", "").strip())


#: Texts a person could really send, however odd: each holds something besides white space.
ODD_TEXTS = st.one_of(
    st.text(min_size=1, max_size=200),
    st.lists(EMOJI, min_size=1, max_size=20).map("".join),
    st.builds(
        lambda marks, sentence: marks + sentence, st.lists(INVISIBLE, max_size=4).map("".join), LANGUAGES
    ),
    st.lists(st.one_of(INVISIBLE, CONTROL, EMOJI, st.text(max_size=4)), min_size=1, max_size=30).map("".join),
    st.builds(long_text, st.text(min_size=1, max_size=8), st.sampled_from([19_999, 20_001, 40_000])),
).filter(visible)

JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    ODD_TEXTS,
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=8,
)


def nested(depth: int) -> bytes:
    return ('{"a":' * depth + "1" + "}" * depth).encode()


#: Bodies that are not a payload at all, whatever the Content-Type claims.
RAW_BODIES = st.one_of(
    st.just(b""),
    st.binary(max_size=300),
    st.text(max_size=200).map(str.encode),
    st.binary(min_size=1, max_size=50).map(lambda junk: b'{"type": "' + junk + b'\xff\xfe"}'),  # not UTF-8
    st.sampled_from([1_000, 10_000]).map(lambda depth: b"[" * depth + b"]" * depth),
    st.sampled_from([1_000, 10_000]).map(nested),
    st.sampled_from(
        [b"null", b"42", b'"text"', b"[]", b"[{}]", b"{}", b'{"\\ud800": 1}', b'{"a": "\\udfff"}']
    ),
    st.just(b'{"a": "' + b"x" * OVER_THE_LIMIT + b'"}'),
)


@st.composite
def mutated(draw: st.DrawFn, payload: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """`payload` with one to three fields dropped, retyped or added; with the paths it touched."""
    payload = json.loads(json.dumps(payload))
    touched: list[str] = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        node, path = payload, []
        while node:
            key = draw(st.sampled_from(sorted(node)))
            if not (isinstance(node[key], dict) and node[key] and draw(st.booleans())):
                break
            node, path = node[key], [*path, key]
        how = draw(st.sampled_from(["drop", "retype", "add", "odd text"]))
        if how == "add" or not node:
            key = draw(st.text(min_size=1, max_size=12))
            node[key] = draw(JSON_VALUES)
        elif how == "drop":
            node.pop(key, None)
        else:
            node[key] = draw(ODD_TEXTS if how == "odd text" else JSON_VALUES)
        touched.append(".".join([*path, key]))
    return payload, touched


def with_duplicate_keys(payload: dict[str, Any], extra: dict[str, Any]) -> str:
    """JSON text naming some keys twice (`extra`'s come last, so they win in Python's parser)."""
    pairs = [*payload.items(), *extra.items()]
    return "{" + ", ".join(f"{json.dumps(key)}: {json.dumps(value)}" for key, value in pairs) + "}"


DROP = object()


def changed(payload: dict[str, Any], path: str, value: Any = DROP) -> tuple[dict[str, Any], list[str]]:
    """`payload` with the field at the dotted `path` set to `value` (or dropped): a mutation, written out."""
    payload = json.loads(json.dumps(payload))
    *parents, key = path.split(".")
    node = payload
    for parent in parents:
        node = node[parent]
    if value is DROP:
        node.pop(key, None)
    else:
        node[key] = value
    return payload, [path]


def form_of(fields: dict[str, Any]) -> str:
    """A form body; values that are not text are sent as their JSON."""
    return urlencode({k: v if isinstance(v, str) else json.dumps(v) for k, v in fields.items()})


# --- the running app -----------------------------------------------------------------------------


def sign(body: bytes, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    """Slack's signature headers over raw bytes (tests.support.slack_requests signs text, as UTF-8)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


@dataclass
class Answer:
    status: int
    text: str
    headers: CIMultiDict[str]

    @classmethod
    async def of(cls, response: ClientResponse) -> Answer:
        return cls(response.status, await response.text(), CIMultiDict(response.headers))

    @property
    def error(self) -> str:
        """What a refusal says is wrong (its JSON `error`, or its plain text)."""
        try:
            body = json.loads(self.text)
        except ValueError:
            return self.text.strip()
        return str(body.get("error") or "") if isinstance(body, dict) else ""


def check(answer: Answer, allowed: set[int], sent: Any = "") -> None:
    """The status is one the route promises, and a refusal says in words what was wrong."""
    shown = f"{answer.status} for {str(sent)[:300]!r}: {answer.text[:300]}"
    assert answer.status < 500, shown
    assert answer.status in allowed, shown
    if answer.status >= 400:
        assert len(answer.error) >= 5, f"refusal without a reason: {shown}"


@dataclass
class Tonewatch:
    """Tonewatch with Slack, Teams and /ingest on one aiohttp app, and ways to send it anything."""

    slack: SlackHarness
    teams: TeamsHarness
    on_postgres: bool = False

    @property
    def http(self):
        return self.slack.http

    async def slack_raw(self, body: bytes, content_type: str = JSON) -> Answer:
        """POST to /slack/events, signed over the exact bytes (as Slack signs)."""
        headers = {"Content-Type": content_type, **sign(body)}
        return await Answer.of(await self.http.post("/slack/events", data=body, headers=headers))

    async def slack_json(self, payload: Any) -> Answer:
        return await self.slack_raw(json.dumps(payload).encode())

    async def teams_raw(self, body: bytes, content_type: str = JSON) -> Answer:
        response = await self.http.post("/api/messages", data=body, headers={"Content-Type": content_type})
        return await Answer.of(response)

    async def teams_json(self, activity: Any) -> Answer:
        return await self.teams_raw(json.dumps(activity).encode())

    async def ingest_raw(
        self, body: bytes, token: str | None = INGEST_TOKEN, content_type: str = JSON
    ) -> Answer:
        headers = {"Content-Type": content_type}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return await Answer.of(await self.http.post("/ingest", data=body, headers=headers))

    def messages(self, **where: Any) -> list[CustomerMessage]:
        with session_scope(self.slack.core.engine) as session:
            query = select(CustomerMessage)
            for name, value in where.items():
                query = query.where(getattr(CustomerMessage, name) == value)
            return list(session.exec(query).all())

    async def handled(self, what: str, **where: Any) -> CustomerMessage:
        """The stored message, once the worker has analyzed it or recorded why it could not."""

        def done() -> CustomerMessage | None:
            found = self.messages(**where)
            return found[0] if found and found[0].status in ("analyzed", "invalid") else None

        message = await wait_for(done, timeout=10.0, what=f"{what} to be analyzed")
        if message.status == "invalid":  # the reason, in words ("text is 40,000 characters; ...")
            assert (message.status_reason or "").startswith("text "), message.status_reason
        return message

    async def still_serving(self) -> None:
        """After the fuzz: valid messages from every platform are accepted, stored and analyzed."""
        assert (await self.http.get("/healthz")).status == 200
        event = message_event(SHARED, CUSTOMER, "Still waiting on the invoice fix, this is frustrating.")
        assert (await self.slack_json(event_body(event))).status == 200
        slack = await self.handled("the Slack message", platform="slack", external_id=event["ts"])

        activity = self.teams.connector.activity(TEAMS_SHARED, TEAMS_CUSTOMER, "The export broke again.")
        assert (await self.teams_json(activity)).status in (200, 201)
        teams = await self.handled("the Teams message", platform="teams", external_id=activity["id"])

        ticket = {**TICKET, "external_id": f"still-{time.monotonic_ns()}"}
        assert (await self.ingest_raw(json.dumps(ticket).encode())).status == 201
        pushed = await self.handled("the ticket", platform="ingest", external_id=ticket["external_id"])
        for message in (slack, teams, pushed):
            assert message.status == "analyzed" and message.score is not None

    async def fuzz(
        self,
        strategy: st.SearchStrategy[T],
        send: Callable[[T], Awaitable[None]],
        config: settings = FUZZ,
        found: Sequence[T] = (),
    ) -> None:
        """`fuzz`, then check the app still serves. PostgreSQL runs fewer examples: what it adds
        is its stricter column widths and text rules, not new paths."""
        if self.on_postgres:
            config = settings(config, max_examples=FUZZ_POSTGRES_EXAMPLES)
        await fuzz(strategy, send, config, found)
        await self.still_serving()


async def fuzz(
    strategy: st.SearchStrategy[T],
    send: Callable[[T], Awaitable[None]],
    config: settings = FUZZ,
    found: Sequence[T] = (),
) -> None:
    """Run `send` on drawn examples, and first on `found` (inputs that once broke the app).

    Hypothesis runs in a worker thread and hands each example to this event loop, which
    goes on serving the app in between.
    """
    loop = asyncio.get_running_loop()

    def run(example: T) -> None:
        asyncio.run_coroutine_threadsafe(send(example), loop).result(timeout=60)

    test = given(strategy)(run)
    for known in reversed(found):
        test = example(known)(test)
    await asyncio.to_thread(config(test))
