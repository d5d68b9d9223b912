"""A local stand-in for Teams' side of the Bot Framework, and Tonewatch running against it.

`FakeBotConnector` is an aiohttp server on 127.0.0.1, port 0, in its own
thread and event loop (so it answers whatever the test's loop is waiting on,
and tests that call Tonewatch synchronously still reach it). It plays:

- the Bot Connector service an activity's `serviceUrl` points to: it records
  every reply, new thread, update and proactive send, and answers
  `/v3/conversations/{id}/members`, `/members/{user}` and `/pagedmembers`
  from a roster the test sets (tenant ids, guest roles);
- the Bot Framework's key service: OpenID metadata and a JWKS whose key signs
  the tokens `token()` issues, so real token verification can be tested;
- Teams itself, as the author of the activities the builders below produce.

The `bot_connector` fixture checks at teardown, in every test that uses it,
that nothing was posted where a member from another tenant or a guest can
read it, except a customer reply the test declared with
`allow_customer_reply(text)` (what "Use draft" sends when a person confirms)
and the refusal an external person gets in their own 1:1 chat.

The second half of the module is the Tonewatch side used by the Teams tests:
the `teams` fixture runs Tonewatch (composition root, real aiohttp app from
`bot/runtime/server.py`, worker) with its Teams surface against the stand-in.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sqlmodel import select

from tests.conftest import copy_of_migrated
from tests.support.waiting import wait_for

HOME_TENANT = "0d0d0d0d-1111-2222-3333-444444444444"
ACME_TENANT = "acacacac-1111-2222-3333-444444444444"
APP_ID = "b0b0b0b0-1111-2222-3333-444444444444"
BOT_ID = f"28:{APP_ID}"
BOT_NAME = "Tonewatch"
TEAM_ID = "19:team-cs@thread.tacv2"
ISSUER = "https://api.botframework.com"
KEY_ID = "tonewatch-test-key"

_ids = itertools.count(1_700_000_000_001)


def next_id() -> str:
    return str(next(_ids))


@functools.cache
def signing_key() -> rsa.RSAPrivateKey:
    """The stand-in's token signing key (made once per test session: generating one takes ~0.1 s)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Member:
    id: str
    name: str
    tenant_id: str | None = HOME_TENANT
    role: str = "user"
    email: str | None = None
    aad_object_id: str = ""

    def wire(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "aadObjectId": self.aad_object_id or f"aad-{self.id}",
            "userRole": self.role,
        }
        if self.tenant_id:
            body["tenantId"] = self.tenant_id
        if self.email:
            body["email"] = self.email
            body["userPrincipalName"] = self.email
        return body


@dataclass
class Conversation:
    id: str
    kind: str
    name: str = ""
    team_id: str | None = None
    members: list[str] = field(default_factory=list)
    #: A channel shared with another team or organisation (its outside members may be unlisted).
    shared: bool = False
    #: The tenant hosting the conversation, when not ours (a chat started in a customer's tenant).
    tenant_id: str | None = None
    #: Whose team holds the channel: another organization that installed Tonewatch (a multi-tenant
    #: app) has its own channels, where its own members are the insiders.
    home_tenant: str = HOME_TENANT


@dataclass
class Posted:
    """Something Tonewatch put into Teams (or tried to)."""

    kind: str  # "new_thread" | "send" | "reply" | "update" | "delete"
    conversation: str  # the channel or chat id
    thread: str | None
    activity: dict[str, Any]
    id: str
    status: int = 200
    #: Whether someone outside our tenant (or a guest) could read the conversation when it was posted.
    external: bool = False

    @property
    def ok(self) -> bool:
        return self.status < 300

    @property
    def text(self) -> str:
        return str(self.activity.get("text") or "")

    @property
    def cards(self) -> list[dict[str, Any]]:
        return [
            a.get("content") or {}
            for a in self.activity.get("attachments") or []
            if a.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]

    @property
    def images(self) -> list[dict[str, Any]]:
        return [a for a in self.activity.get("attachments") or [] if a.get("contentType") == "image/png"]

    @property
    def everything(self) -> str:
        """The text and every text in its cards, flattened, for assertions on what a person reads."""
        found = [self.text]

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key in ("text", "title", "value") and isinstance(value, str):
                        found.append(value)
                    else:
                        walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(self.cards)
        return "\n".join(found)

    def actions(self) -> list[dict[str, Any]]:
        return [action for card in self.cards for action in card.get("actions") or []]


@dataclass
class Reply:
    """One scripted answer for the next call of a kind of request."""

    status: int
    body: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


def throttled(retry_after: float = 0) -> Reply:
    return Reply(
        429, {"error": {"code": "Throttled", "message": "slow down"}}, {"Retry-After": str(retry_after)}
    )


def failure(status: int = 500) -> Reply:
    return Reply(status, {"error": {"code": "ServiceError", "message": "failed"}})


class FakeBotConnector:
    """The stand-in; see the module docstring."""

    def __init__(self) -> None:
        self.users: dict[str, Member] = {}
        self.conversations: dict[str, Conversation] = {}
        self.posted: list[Posted] = []
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        #: The caller's address of each request: one per connection, so connection reuse shows.
        self.peers: list[tuple[str, int]] = []
        self.allowed_customer_replies: list[str] = []
        self.refusals: set[str] = set()
        #: Channels whose activities carry no channel or team name (Teams does this, e.g. for General).
        self.unnamed: set[str] = set()
        self._queued: dict[str, deque[Reply]] = defaultdict(deque)
        self._lock = threading.RLock()
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-bot-connector", daemon=True)
        self._key = signing_key()
        # Signing keys are cached per metadata URL for a day: a fresh path per stand-in keeps a
        # later stand-in on a reused port from meeting a key cached for an earlier one.
        self._openid_path = f"/openid/{uuid.uuid4().hex}"

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeBotConnector:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(timeout=10)
        return self

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_get(f"{self._openid_path}/.well-known/openidconfiguration", self._openid)
        app.router.add_get(f"{self._openid_path}/keys", self._keys)
        app.router.add_post("/v3/conversations", self._create)
        app.router.add_route("*", "/v3/conversations/{tail:.*}", self._conversation)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]

    def close(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    @property
    def url(self) -> str:
        """The serviceUrl activities carry."""
        return f"http://127.0.0.1:{self._port}/"

    @property
    def openid_metadata_url(self) -> str:
        return f"http://127.0.0.1:{self._port}{self._openid_path}/.well-known/openidconfiguration"

    # --- scripting ---------------------------------------------------------------------------

    def add_user(self, member: Member) -> Member:
        with self._lock:
            self.users[member.id] = member
        return member

    def add_channel(
        self,
        channel_id: str,
        name: str,
        members: list[str],
        team_id: str = TEAM_ID,
        *,
        shared: bool = False,
        home_tenant: str = HOME_TENANT,
    ) -> None:
        with self._lock:
            self.conversations[channel_id] = Conversation(
                channel_id, "channel", name, team_id, list(members), shared=shared, home_tenant=home_tenant
            )

    def add_chat(
        self,
        chat_id: str,
        members: list[str],
        kind: str = "groupChat",
        name: str = "",
        tenant_id: str | None = None,
    ) -> None:
        with self._lock:
            chat = Conversation(chat_id, kind, name, None, list(members), tenant_id=tenant_id)
            self.conversations[chat_id] = chat

    def add_member(self, conversation_id: str, user_id: str) -> None:
        with self._lock:
            self.conversations[conversation_id].members.append(user_id)

    def enqueue(self, kind: str, *replies: Reply) -> None:
        """Answer the next requests of `kind` ("members", "member", "send", "reply", "update", "create")."""
        with self._lock:
            self._queued[kind].extend(replies)

    def allow_customer_reply(self, text: str) -> None:
        """Declare the one customer-facing post a test expects (what "Use draft" sends)."""
        with self._lock:
            self.allowed_customer_replies.append(text)

    def token(self, **claims: Any) -> str:
        """A Bot Framework token signed with the stand-in's key (claims override the valid defaults)."""
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": ISSUER,
            "aud": APP_ID,
            "serviceurl": self.url,
            "nbf": now - 10,
            "exp": now + 600,
        }
        body.update(claims)
        return jwt.encode(body, self._key, algorithm="RS256", headers={"kid": KEY_ID})

    # --- inspection --------------------------------------------------------------------------

    def posts(self, conversation: str | None = None, kind: str | None = None) -> list[Posted]:
        with self._lock:
            return [
                p
                for p in self.posted
                if p.ok
                and (conversation is None or p.conversation == conversation)
                and (kind in (None, p.kind))
            ]

    def requests_to(self, suffix: str) -> list[tuple[str, str, dict[str, str]]]:
        with self._lock:
            return [r for r in self.requests if r[1].endswith(suffix)]

    def customers_can_read(self, conversation_id: str) -> bool:
        """A shared channel, another tenant's conversation, a member from another tenant or a guest in it,
        or a conversation nobody told the stand-in about."""
        conversation = self.conversations.get(conversation_id)
        if conversation is None:
            return True
        home = conversation.home_tenant
        if conversation.shared or conversation.tenant_id not in (None, home):
            return True
        for user_id in conversation.members:
            member = self.users.get(user_id)
            if member is None or member.role != "user" or member.tenant_id != home:
                return True
        return False

    def violations(self) -> list[str]:
        found: list[str] = []
        with self._lock:
            posted = [p for p in self.posted if p.ok and p.kind != "delete"]
            allowed = list(self.allowed_customer_replies)
        for post in posted:
            if not post.external:
                continue
            # Plain text only: attachments (cards, charts) carry alerts and analyses, never a reply.
            plain = not post.activity.get("attachments")
            if post.kind in ("reply", "send") and post.text in allowed and plain:
                allowed.remove(post.text)
                continue
            conversation = self.conversations.get(post.conversation)
            personal = conversation is not None and conversation.kind == "personal"
            if personal and post.text in self.refusals and plain:
                continue
            found.append(f"{post.kind} to {post.conversation}: {post.everything[:100]!r}")
        return found

    # --- the key service ---------------------------------------------------------------------

    async def _openid(self, request: web.Request) -> web.Response:
        keys = f"http://127.0.0.1:{self._port}{self._openid_path}/keys"
        return web.json_response({"issuer": ISSUER, "jwks_uri": keys})

    async def _keys(self, request: web.Request) -> web.Response:
        key = json.loads(RSAAlgorithm.to_jwk(self._key.public_key()))
        key.update(kid=KEY_ID, use="sig", endorsements=["msteams"])
        return web.json_response({"keys": [key]})

    # --- the Bot Connector -------------------------------------------------------------------

    def _scripted(self, kind: str) -> Reply | None:
        with self._lock:
            queue = self._queued.get(kind)
            return queue.popleft() if queue else None

    def _record(self, request: web.Request, body: Any) -> None:
        with self._lock:
            self.requests.append((request.method, request.path, dict(request.headers)))
            self.peers.append(request.transport.get_extra_info("peername") if request.transport else None)

    def _answer(
        self, kind: str, ok: Callable[[], web.Response], posted: Posted | None = None
    ) -> web.Response:
        scripted = self._scripted(kind)
        if posted is not None:
            posted.status = scripted.status if scripted else 200
            with self._lock:
                posted.external = self.customers_can_read(posted.conversation)
                self.posted.append(posted)
        if scripted is not None:
            return web.json_response(scripted.body, status=scripted.status, headers=scripted.headers)
        return ok()

    async def _create(self, request: web.Request) -> web.Response:
        body = await request.json()
        self._record(request, body)
        channel = ((body.get("channelData") or {}).get("channel") or {}).get("id")
        if channel:
            new = next_id()
            posted = Posted("new_thread", channel, new, body.get("activity") or {}, new)
            return self._answer(
                "create",
                lambda: web.json_response({"id": f"{channel};messageid={new}", "activityId": new}),
                posted,
            )
        members = body.get("members") or []
        user = members[0]["id"] if members else ""
        chat = f"a:{user}"
        with self._lock:
            # A 1:1 chat lives in the person's own tenant.
            home = getattr(self.users.get(user), "tenant_id", None) or HOME_TENANT
            chat_of = Conversation(chat, "personal", "", None, [user], home_tenant=home)
            self.conversations.setdefault(chat, chat_of)
        return self._answer("create", lambda: web.json_response({"id": chat}))

    async def _conversation(self, request: web.Request) -> web.Response:
        tail = request.match_info["tail"]
        body = await request.json() if request.can_read_body else {}
        self._record(request, body)
        conversation, _, rest = tail.partition("/")
        base, _, thread = conversation.partition(";messageid=")
        parts = rest.split("/")
        if parts[0] == "pagedmembers" and request.method == "GET":
            return self._answer("members", lambda: self._paged(base, request))
        if parts[0] == "members" and request.method == "GET":
            if len(parts) == 1:
                return self._answer("members", lambda: web.json_response(self._roster(base)))
            return self._answer("member", lambda: self._member(base, parts[1]))
        if parts[0] == "activities":
            activity_id = parts[1] if len(parts) > 1 else None
            new = next_id()
            if request.method == "POST" and activity_id is None:
                posted = Posted("send", base, thread or None, body, new)
                return self._answer("send", lambda: web.json_response({"id": new}), posted)
            if request.method == "POST":
                posted = Posted("reply", base, thread or activity_id, body, new)
                return self._answer("reply", lambda: web.json_response({"id": new}), posted)
            if request.method == "PUT":
                posted = Posted("update", base, thread or None, body, str(activity_id))
                return self._answer("update", lambda: web.json_response({"id": activity_id}), posted)
            if request.method == "DELETE":
                posted = Posted("delete", base, thread or None, {}, str(activity_id))
                return self._answer("delete", lambda: web.Response(status=200), posted)
        return web.json_response({"error": {"code": "BadSyntax", "message": tail}}, status=400)

    def _roster(self, conversation_id: str) -> list[dict[str, Any]]:
        with self._lock:
            conversation = self.conversations.get(conversation_id)
            if conversation is None:
                return []
            return [self.users[m].wire() for m in conversation.members if m in self.users]

    def _paged(self, conversation_id: str, request: web.Request) -> web.Response:
        if conversation_id not in self.conversations:
            return web.json_response({"error": {"code": "ConversationNotFound", "message": "?"}}, status=404)
        roster = self._roster(conversation_id)
        size = int(request.query.get("pageSize") or 2)
        start = int(request.query.get("continuationToken") or 0)
        page = roster[start : start + min(size, 2)]  # small pages, so paging is exercised
        more = start + len(page) < len(roster)
        answer: dict[str, Any] = {"members": page}
        if more:
            answer["continuationToken"] = str(start + len(page))
        return web.json_response(answer)

    def _member(self, conversation_id: str, user_id: str) -> web.Response:
        conversation = self.conversations.get(conversation_id)
        member = self.users.get(user_id)
        if conversation is None or member is None or user_id not in conversation.members:
            return web.json_response(
                {"error": {"code": "MemberNotFoundInConversation", "message": "not a member"}}, status=404
            )
        return web.json_response(member.wire())

    # --- activities, as Teams sends them ---------------------------------------------------

    def _channel_data(self, conversation: Conversation) -> dict[str, Any]:
        data: dict[str, Any] = {"tenant": {"id": conversation.home_tenant}}
        if conversation.kind == "channel":
            data["team"] = {"id": conversation.team_id, "name": "Customer Success"}
            data["channel"] = {"id": conversation.id, "name": conversation.name}
            if conversation.id in self.unnamed:
                data["team"].pop("name")
                data["channel"].pop("name")
        return data

    def activity(
        self,
        conversation_id: str,
        user_id: str,
        text: str | None = None,
        *,
        type: str = "message",  # noqa: A002 - the wire name
        activity_id: str | None = None,
        root: str | None = None,
        mention: bool = False,
        value: dict[str, Any] | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """An activity from `user_id` in a conversation the stand-in knows (a channel message by default)."""
        conversation = self.conversations[conversation_id]
        user = self.users.get(user_id) or Member(user_id, user_id)
        activity_id = activity_id or next_id()
        if conversation.kind == "channel":
            thread = root or activity_id
            wire_id = f"{conversation.id};messageid={thread}"
        else:
            thread, wire_id = None, conversation.id
        entities = []
        if mention:
            text = f"<at>{BOT_NAME}</at> {text or ''}"
            entities.append(
                {
                    "type": "mention",
                    "text": f"<at>{BOT_NAME}</at>",
                    "mentioned": {"id": BOT_ID, "name": BOT_NAME},
                }
            )
        body: dict[str, Any] = {
            "type": type,
            "id": activity_id,
            "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "serviceUrl": self.url,
            "channelId": "msteams",
            "from": {"id": user.id, "name": user.name, "aadObjectId": user.aad_object_id or f"aad-{user.id}"},
            "conversation": {
                "id": wire_id,
                "conversationType": conversation.kind,
                "isGroup": conversation.kind != "personal",
                "tenantId": conversation.home_tenant,
                **({"name": conversation.name} if conversation.kind == "groupChat" else {}),
            },
            "recipient": {"id": BOT_ID, "name": BOT_NAME},
            "channelData": self._channel_data(conversation),
            "entities": entities,
            "locale": "en-US",
        }
        if text is not None:
            body["text"] = text
            body["textFormat"] = "plain"
        if thread and thread != activity_id:
            body["replyToId"] = thread
        if value is not None:
            body["value"] = value
        body.update(extra)
        return body

    def edit(self, conversation_id: str, user_id: str, activity_id: str, text: str) -> dict[str, Any]:
        body = self.activity(conversation_id, user_id, text, type="messageUpdate", activity_id=activity_id)
        body["channelData"]["eventType"] = "editMessage"
        return body

    def delete(self, conversation_id: str, user_id: str, activity_id: str) -> dict[str, Any]:
        body = self.activity(conversation_id, user_id, None, type="messageDelete", activity_id=activity_id)
        body["channelData"]["eventType"] = "softDeleteMessage"
        return body

    def submit(self, post: Posted, user_id: str, data: dict[str, Any], **inputs: Any) -> dict[str, Any]:
        """A press of an `Action.Submit` button on a card Tonewatch posted (data merged with form inputs)."""
        root = post.thread if post.kind in ("new_thread", "reply") else None
        body = self.activity(post.conversation, user_id, None, root=root or post.id, value={**data, **inputs})
        body["replyToId"] = post.id
        return body

    def bot_added(self, conversation_id: str, user_id: str) -> dict[str, Any]:
        return self.activity(
            conversation_id, user_id, None, type="conversationUpdate", membersAdded=[{"id": BOT_ID}]
        )


@pytest.fixture
def bot_connector() -> Iterator[FakeBotConnector]:
    """A started Bot Connector stand-in; at teardown, nothing internal may have reached a customer."""
    connector = FakeBotConnector().start()
    try:
        yield connector
        violations = connector.violations()
        assert not violations, f"internal content posted where customers can read it: {violations}"
    finally:
        connector.close()


# =====================================================================================================
# The Tonewatch side: Tonewatch running with its Teams surface against the stand-in.
# =====================================================================================================

STAFF = "29:sam"
COLLEAGUE = "29:lee"
CUSTOMER = "29:maria-acme"  # a member of Acme's tenant (a shared channel)
GUEST = "29:pat-guest"  # a guest in our tenant
DOMAIN_CUSTOMER = "29:jo-globex"  # our tenant, but writes from Globex's domain
ALERTS = "19:cs-alerts@thread.tacv2"
SHARED = "19:acme-shared@thread.tacv2"  # a shared channel with Acme's tenant
GUESTS = "19:initech-guests@thread.tacv2"  # a channel with a guest
GLOBEX = "19:globex@thread.tacv2"  # internal members only; Globex writes through listed domains

ESCALATION = (
    "I've been waiting three days for someone to respond to my support ticket about the integration issue. "
    "This is the second time this month that your system has failed during our critical processing window. "
    "We're seriously reconsidering our renewal next quarter if reliability doesn't improve."
)


def populate(connector: FakeBotConnector) -> None:
    """A small world: Sam and Lee of our tenant, Maria at Acme (shared channel), a guest, four channels."""
    from handlers.teams.cards import REFUSAL

    connector.refusals.add(REFUSAL)
    connector.add_user(Member(STAFF, "Sam", email="sam@home.test"))
    connector.add_user(Member(COLLEAGUE, "Lee", email="lee@home.test"))
    connector.add_user(Member(CUSTOMER, "Maria", tenant_id=ACME_TENANT, email="maria@acme.test"))
    connector.add_user(Member(GUEST, "Pat", role="guest", email="pat@initech.test"))
    connector.add_user(Member(DOMAIN_CUSTOMER, "Jo", email="jo@globex.test"))
    connector.add_channel(ALERTS, "cs-alerts", [STAFF, COLLEAGUE])
    connector.add_channel(SHARED, "acme-shared", [STAFF, CUSTOMER])
    connector.add_channel(GUESTS, "initech", [STAFF, GUEST])
    connector.add_channel(GLOBEX, "globex", [STAFF, DOMAIN_CUSTOMER])
    connector.add_chat("a:sam", [STAFF], kind="personal")
    connector.add_chat("a:pat", [GUEST], kind="personal")


@dataclass
class TeamsHarness:
    """Tonewatch with its Teams surface, and ways to talk to it as Teams does."""

    connector: FakeBotConnector
    http: TestClient
    core: Any
    runtime: Any

    async def send(self, activity: dict[str, Any], token: str | None = None):
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return await self.http.post("/api/messages", data=json.dumps(activity).encode(), headers=headers)

    async def say(self, conversation: str, user: str, text: str, **kw: Any) -> dict[str, Any]:
        """Post a message activity and check Teams got its answer; returns the activity."""
        activity = self.connector.activity(conversation, user, text, **kw)
        response = await self.send(activity)
        assert response.status in (200, 201), await response.text()
        return activity

    async def add_bot(self, conversation: str, user: str = STAFF) -> None:
        response = await self.send(self.connector.bot_added(conversation, user))
        assert response.status in (200, 201), await response.text()

    async def set_up(self) -> None:
        """Tonewatch added to the channels, Acme's shared channel watched, cs-alerts the alert channel."""
        for channel in (ALERTS, SHARED, GUESTS, GLOBEX):
            await self.add_bot(channel)
        self.core.places.watch("teams", SHARED, "acme-shared", "Acme Corp", is_external=True)
        self.core.places.set_alert_channel("teams", ALERTS, "cs-alerts", is_external=False)

    async def alert_posted(self, text: str = ESCALATION) -> tuple[Posted, Posted, dict[str, Any]]:
        """A customer message in the shared channel; waits for its alert card and the card's thread reply."""
        activity = await self.say(SHARED, CUSTOMER, text)
        root, thread = await self.posted_alert()
        return root, thread, activity

    def alert_cards(self) -> list[Posted]:
        """The alert cards posted in the alert channel (new threads with an Acknowledge button)."""
        return [
            p
            for p in self.connector.posts(ALERTS, "new_thread")
            if any(a.get("title") == "Acknowledge" for a in p.actions())
        ]

    async def posted_alert(self) -> tuple[Posted, Posted]:
        root = await wait_for(lambda: self.alert_cards()[-1:], what="the alert")
        thread = await wait_for(
            lambda: [p for p in self.connector.posts(ALERTS, "reply") if p.thread == root[0].id][:1],
            what="the alert's thread reply",
        )
        return root[0], thread[0]

    @property
    def deps(self):
        return self.runtime.platforms["teams"].deps

    async def idle(self) -> None:
        """Wait until background work (answers, refreshes) has finished."""
        await self.deps.background.drain()

    def messages(self) -> list:
        from storage.db import session_scope
        from storage.models import CustomerMessage

        with session_scope(self.core.engine) as session:
            return list(session.exec(select(CustomerMessage).order_by(CustomerMessage.id)).all())

    def alerts(self) -> list:
        from storage.db import session_scope
        from storage.models import Alert

        with session_scope(self.core.engine) as session:
            return list(session.exec(select(Alert).order_by(Alert.id)).all())


@pytest.fixture
def teams_database_url(migrated_sqlite_file: Path, tmp_path: Path) -> str:
    """A fresh, already migrated SQLite database for this test."""
    return copy_of_migrated(migrated_sqlite_file, f"sqlite:///{tmp_path / 'tonewatch-teams.db'}")


def teams_environment(database_url: str, **extra: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "TEAMS_LOCAL_DEV": "true",
        "TEAMS_TENANT_ID": HOME_TENANT,
        "TONEWATCH_LLM_POLICY": "off",
        **extra,
    }


@asynccontextmanager
async def running_tonewatch(
    connector: FakeBotConnector, database_url: str, monkeypatch: pytest.MonkeyPatch, **environment: str
) -> AsyncIterator[TeamsHarness]:
    """Tonewatch built by the composition root, served on an ephemeral port, its worker running."""
    from bot.composition import build_core, build_runtime
    from bot.config.settings import load_settings
    from bot.runtime.server import build_web_app, mark_ready

    populate(connector)
    for name, value in teams_environment(database_url, **environment).items():
        if value:
            monkeypatch.setenv(name, value)
        else:
            monkeypatch.delenv(name, raising=False)
    core = build_core(load_settings(env_file=None))
    runtime = build_runtime(core, poll_seconds=0.2)
    app = build_web_app(core.engine, core.telemetry, runtime.surfaces)
    http = TestClient(TestServer(app, host="127.0.0.1", port=0))
    await http.start_server()
    mark_ready(app)
    worker = asyncio.create_task(runtime.worker.run_forever())
    try:
        yield TeamsHarness(connector, http, core, runtime)
    finally:
        runtime.worker.stop()
        await asyncio.wait_for(worker, 10)
        for surface in runtime.surfaces:
            if surface.stop is not None:
                await surface.stop()
        await http.close()
        await core.aclose()


@pytest.fixture
async def teams(
    bot_connector: FakeBotConnector, teams_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[TeamsHarness]:
    """Tonewatch in Teams local development mode, talking to the Bot Connector stand-in."""
    async with running_tonewatch(bot_connector, teams_database_url, monkeypatch) as harness:
        yield harness


# --- posting faults (tests/runtime/test_posting_faults.py) ------------------------------------------------


class FaultyBotConnector(FakeBotConnector):
    """The Bot Connector stand-in, plus the faults the posting tests need.

    - `answer_late_to_create(seconds, carry_out=...)`: the next new thread (an alert's post) is made
      at once (Teams accepted it) or not at all, and answered only after `seconds`, longer than
      the client waits: the caller sees a timeout either way.
    - `outage(reply)`: until `end_outage()`, every Bot Connector call is answered with `reply`
      and nothing is done.
    - `hold_rosters(conversation)`: until `release_rosters()`, roster reads of that conversation
      get no answer (a Teams that has slowed down); `rosters_held` counts those waiting.
    """

    def __init__(self) -> None:
        super().__init__()
        self._late_creates: deque[tuple[float, bool]] = deque()
        self._outage: Reply | None = None
        self._held_rosters: set[str] = set()
        self.rosters_held = 0

    def answer_late_to_create(self, seconds: float, *, carry_out: bool = True) -> None:
        with self._lock:
            self._late_creates.append((seconds, carry_out))

    def outage(self, reply: Reply) -> None:
        with self._lock:
            self._outage = reply

    def end_outage(self) -> None:
        with self._lock:
            self._outage = None

    def _outage_answer(self, request: web.Request) -> web.Response | None:
        with self._lock:
            reply = self._outage
        if reply is None:
            return None
        self._record(request, None)
        return web.json_response(reply.body, status=reply.status, headers=reply.headers)

    async def _create(self, request: web.Request) -> web.Response:
        if (refused := self._outage_answer(request)) is not None:
            return refused
        with self._lock:
            late = self._late_creates.popleft() if self._late_creates else None
        if late is None:
            return await super()._create(request)
        seconds, carry_out = late
        if carry_out:
            response = await super()._create(request)
        else:
            self._record(request, None)
            dropped = failure(503)
            response = web.json_response(dropped.body, status=dropped.status)
        await asyncio.sleep(seconds)
        return response

    def hold_rosters(self, conversation_id: str) -> None:
        with self._lock:
            self._held_rosters.add(conversation_id)

    def release_rosters(self) -> None:
        with self._lock:
            self._held_rosters.clear()

    def _holds(self, request: web.Request) -> bool:
        conversation, _, rest = request.match_info["tail"].partition("/")
        with self._lock:
            return rest.startswith("pagedmembers") and conversation in self._held_rosters

    async def _conversation(self, request: web.Request) -> web.Response:
        if (refused := self._outage_answer(request)) is not None:
            return refused
        if self._holds(request):
            with self._lock:
                self.rosters_held += 1
            while self._holds(request):
                await asyncio.sleep(0.01)  # the stand-in's own loop: a slow answer, not the test waiting
            with self._lock:
                self.rosters_held -= 1
        return await super()._conversation(request)


@pytest.fixture
def faulty_bot_connector() -> Iterator[FaultyBotConnector]:
    """A started `FaultyBotConnector`; at teardown, nothing internal may have reached a customer."""
    connector = FaultyBotConnector().start()
    try:
        yield connector
        violations = connector.violations()
        assert not violations, f"internal content posted where customers can read it: {violations}"
    finally:
        connector.close()
