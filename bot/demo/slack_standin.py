"""A local stand-in for the Slack Web API (and Socket Mode): what `tonewatch demo` talks to, and the tests.

`FakeSlackAPI` is an aiohttp server on 127.0.0.1, port 0, in its own thread
and event loop, so it answers whether the caller awaits or blocks. It answers
the methods Tonewatch calls the way Slack does, records every call (method,
merged query/form/JSON arguments, bot token), and can be scripted:

    api = FakeSlackAPI().start()
    api.add_user("U_CUST", team_id="T_ACME", email="maria@acme.test")
    api.add_channel("C_ACME", "acme-shared", external=True, connected_team="T_ACME")
    api.enqueue("chat.postMessage", rate_limited(retry_after=0))

`violations()` lists internal content that reached a place customers can
read: in an externally shared channel (or one with external members, or a DM
with an external person) the only posts allowed are a customer reply declared
with `allow_customer_reply(text)` (what "Use draft" sends on a person's
submit: plain text in a thread, no blocks) and ephemeral messages that only a
staff member sees or that are a refusal; an outsider's App Home and a slash
command's answer to an outsider count too. Who could read a place is decided
when each call arrives. The tests' `slack_api` fixture (tests/fakes/slack_api.py) asserts it
is empty after every test; the demo prints it.

It lives in the package (not under tests/) because `tonewatch demo` needs it
at run time; it imports neither pytest nor a Slack SDK.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

HOME_TEAM = "T_HOME"
BOT_USER = "U_BOT"
BOT_ID = "B_BOT"
APP_ID = "A_TONEWATCH"

#: Methods that put something in a channel for everyone in it to read.
CHANNEL_POSTS = ("chat.postMessage", "chat.update", "chat.scheduleMessage", "chat.meMessage")


@dataclass
class Reply:
    """One scripted answer for the next call of a method."""

    status: int = 200
    body: dict[str, Any] = field(default_factory=lambda: {"ok": True})
    headers: dict[str, str] = field(default_factory=dict)


def rate_limited(retry_after: int = 0) -> Reply:
    return Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})


def server_error(status: int = 500) -> Reply:
    return Reply(status, {"ok": False, "error": "internal_error"})


def api_error(error: str) -> Reply:
    return Reply(200, {"ok": False, "error": error})


@dataclass
class _Hold:
    """Calls of one method waiting for `FakeSlackAPI.release`."""

    released: asyncio.Event = field(default_factory=asyncio.Event)
    carry_out: bool = True


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str | None
    headers: dict[str, str]
    #: Whether Slack accepted it (a 429 or an error answer posts nothing).
    ok: bool = False
    #: Whether a customer could see it, decided when it arrived (None: decide when checked).
    reaches_customers: bool | None = None

    @property
    def decorated(self) -> bool:
        """Carries blocks or attachments: rendered content (an alert, a card), not a person's plain reply."""
        return bool(self.json_arg("blocks") or self.json_arg("attachments"))

    def json_arg(self, name: str) -> Any:
        """An argument the SDK sent JSON-encoded in a form (blocks, view), decoded."""
        value = self.args.get(name)
        return json.loads(value) if isinstance(value, str) else value

    @property
    def channel(self) -> str | None:
        return self.args.get("channel") or self.args.get("channel_id")

    @property
    def text(self) -> str:
        return str(self.args.get("text") or "")

    @property
    def blocks_text(self) -> str:
        """Every text in the blocks (or view), flattened, for assertions on what a person reads."""
        found: list[str] = []

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "text" and isinstance(value, str):
                        found.append(value)
                    else:
                        walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(self.json_arg("blocks"))
        walk(self.json_arg("view"))
        return "\n".join(found)


class FakeSlackAPI:
    """The Slack stand-in; see the module docstring."""

    def __init__(self, team_id: str = HOME_TEAM, team_name: str = "Home Co") -> None:
        self.team_id = team_id
        self.bot_user_id = BOT_USER
        self.bot_id = BOT_ID
        self.calls: list[Call] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.members: dict[str, list[str]] = {}
        self.teams: dict[str, dict[str, Any]] = {
            team_id: {"id": team_id, "name": team_name, "domain": "home"}
        }
        self.messages: dict[str, list[dict[str, Any]]] = defaultdict(list)
        #: (channel, ts) of each message `chat.delete` took away.
        self.deleted: list[tuple[str, str]] = []
        self.uploads: list[bytes] = []
        self.socket_acks: list[dict[str, Any]] = []
        self.allowed_customer_replies: list[str] = []
        self.refusals: set[str] = set()
        self.response_users: dict[str, str] = {}
        #: The workspace a slash command's response_url answers in (its own team's people read it).
        self.response_teams: dict[str, str] = {}
        self.oauth_installs: dict[str, dict[str, Any]] = {}
        self._queued: dict[str, deque[Reply]] = defaultdict(deque)
        self._held: dict[str, _Hold] = {}
        self._ts = itertools.count(1)
        self._lock = threading.RLock()
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._sockets: list[web.WebSocketResponse] = []
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-slack-api", daemon=True)
        self.add_user(BOT_USER, name="tonewatch", is_bot=True)

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeSlackAPI:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(timeout=10)
        return self

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{name}", self._respond)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]

    def close(self) -> None:
        async def stop() -> None:
            self._release_all_held()
            for ws in list(self._sockets):
                await ws.close()
            if self._runner is not None:
                await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    @property
    def url(self) -> str:
        """The Web API base URL (what SLACK_API_URL is set to)."""
        return f"{self.base}/api/"

    def response_url(self, name: str = "cmd", user: str | None = None, team: str | None = None) -> str:
        """A slash command's response_url; `user` ran the command (and reads an ephemeral answer) in
        `team` (the stand-in's own team by default)."""
        with self._lock:
            if user is not None:
                self.response_users[name] = user
            if team is not None:
                self.response_teams[name] = team
        return f"{self.base}/respond/{name}"

    # --- configuration -----------------------------------------------------------------------

    def add_team(self, team_id: str, name: str) -> None:
        with self._lock:
            self.teams[team_id] = {"id": team_id, "name": name, "domain": name.lower().replace(" ", "")}

    def add_user(
        self,
        user_id: str,
        *,
        team_id: str | None = None,
        email: str | None = None,
        name: str | None = None,
        restricted: bool = False,
        ultra_restricted: bool = False,
        is_bot: bool = False,
    ) -> None:
        name = name or user_id.lower()
        with self._lock:
            self.users[user_id] = {
                "id": user_id,
                "team_id": team_id or self.team_id,
                "name": name,
                "real_name": name.title(),
                "is_bot": is_bot,
                "is_restricted": restricted,
                "is_ultra_restricted": ultra_restricted,
                "profile": {"email": email, "real_name": name.title(), "display_name": name},
            }

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        external: bool = False,
        pending: bool = False,
        connected_team: str | None = None,
        members: tuple[str, ...] = (),
        private: bool = False,
        team: str | None = None,
    ) -> None:
        """A channel of `team` (the stand-in's own team by default; another one installed over OAuth)."""
        home = team or self.team_id
        # Another workspace's channel holds that workspace's bot user (as `add_oauth_install` names it).
        bot = BOT_USER if home == self.team_id else f"U_BOT_{home}"
        if bot not in self.users:
            self.add_user(bot, team_id=home, name="tonewatch", is_bot=True)
        with self._lock:
            self.channels[channel_id] = {
                "id": channel_id,
                "name": name,
                "is_channel": not private,
                "is_group": private,
                "is_private": private,
                "is_im": False,
                "is_shared": external,
                "is_ext_shared": external,
                "is_org_shared": False,
                "is_pending_ext_shared": pending,
                "context_team_id": home,
                "shared_team_ids": [home] + ([connected_team] if connected_team else []),
                "connected_team_ids": [connected_team] if connected_team else [],
                "internal_team_ids": [],
            }
            self.members[channel_id] = [bot, *members]

    def set_external(self, channel_id: str, external: bool) -> None:
        with self._lock:
            self.channels[channel_id]["is_ext_shared"] = external
            self.channels[channel_id]["is_shared"] = external

    def enqueue(self, method: str, *replies: Reply) -> None:
        """Answer the next calls of `method` with these replies, in order."""
        with self._lock:
            self._queued[method].extend(replies)

    # --- holding calls in flight (crash tests) ----------------------------------------------

    def hold(self, method: str) -> None:
        """Leave calls of `method` unanswered, and not yet done, until `release(method)`.

        A held call is recorded in `calls` (ok False) the moment it arrives, so a test can
        wait for it and then kill the caller while the call is in flight.
        """
        with self._lock:
            self._held.setdefault(method, _Hold())

    def release(self, method: str, *, carry_out: bool = True) -> None:
        """End the hold: with `carry_out`, do the held calls as Slack would (even if their caller
        is gone: Slack accepted them); without, drop them undone, as if they never reached Slack."""
        with self._lock:
            held = self._held.pop(method, None)
        if held is not None:
            held.carry_out = carry_out
            self._loop.call_soon_threadsafe(held.released.set)

    def _release_all_held(self) -> None:
        """At close: nothing still held is done (close must not wait on a held call)."""
        with self._lock:
            held, self._held = list(self._held.values()), {}
        for hold in held:
            hold.carry_out = False
            hold.released.set()

    def allow_customer_reply(self, text: str) -> None:
        """Declare the one customer-facing post a test expects (the "Use draft" reply)."""
        with self._lock:
            self.allowed_customer_replies.append(text)

    # --- inspection --------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def responses(self, name: str) -> list[Call]:
        """What was posted to the response_url called `name` (answers to a slash command)."""
        return [c for c in self.calls_to("response_url") if c.args.get("_name") == name]

    def posts(self, channel: str | None = None) -> list[Call]:
        return [c for c in self.calls_to("chat.postMessage") if channel is None or c.channel == channel]

    def user_is_external(self, user_id: str | None, team: str | None = None) -> bool:
        """Whether the user is outside `team` (the stand-in's own team by default)."""
        user = self.users.get(user_id or "")
        if user is None:
            return True
        home = team or self.team_id
        return bool(user["team_id"] != home or user["is_restricted"] or user["is_ultra_restricted"])

    def customers_can_read(self, channel_id: str | None, team: str | None = None) -> bool:
        """What Slack would make true: shared outside, or anyone outside `team` among its members."""
        channel = self.channels.get(channel_id or "")
        if channel is None:
            return False  # the post itself fails with channel_not_found
        if channel.get("is_im"):
            return self.user_is_external(channel["user"], team)
        if channel["is_ext_shared"] or channel["is_pending_ext_shared"]:
            return True
        members = self.members.get(channel_id or "", [])
        return any(self.user_is_external(m, team) for m in members if m not in (BOT_USER, f"U_BOT_{team}"))

    def _team_of(self, call: Call) -> str:
        """The workspace a call acts in: its OAuth installation's, else the stand-in's own."""
        if call.method == "response_url":
            return self.response_teams.get(str(call.args.get("_name")), self.team_id)
        installed = self.oauth_installs.get(call.token or "")
        return installed["team"]["id"] if installed else self.team_id

    def reaches_customers(self, call: Call) -> bool:
        """Whether a customer could see what `call` showed, were Slack to accept it now."""
        team = self._team_of(call)
        if call.method in CHANNEL_POSTS:
            return self.customers_can_read(call.channel, team)
        if call.method == "files.completeUploadExternal":
            targets = [call.args.get("channel_id"), *str(call.args.get("channels") or "").split(",")]
            return any(self.customers_can_read(target, team) for target in targets if target)
        if call.method == "chat.postEphemeral":
            return self.customers_can_read(call.channel, team) and self.user_is_external(
                call.args.get("user"), team
            )
        if call.method == "views.publish":  # an App Home: whoever's tab it is reads it
            return self.user_is_external(call.args.get("user_id"), team)
        if call.method == "response_url":
            if call.args.get("response_type") == "in_channel":
                return True
            user = self.response_users.get(str(call.args.get("_name")))
            return user is not None and self.user_is_external(user, team)
        return False

    def violations(self) -> list[str]:
        """Internal content shown where a customer can read it (empty when all is well).

        Allowed there: a customer reply declared with `allow_customer_reply` (plain text in a
        thread, as "Use draft" sends it: no blocks or attachments, which carry alerts and
        analyses), and a declared refusal answering someone outside the team. Who could read a
        place is decided when the call arrived, so a channel shared (or unshared) later changes
        nothing.
        """
        found: list[str] = []
        with self._lock:
            calls = list(self.calls)
            allowed = list(self.allowed_customer_replies)
        for call in calls:
            if not call.ok:
                continue  # refused by Slack: nothing was shown
            reached = call.reaches_customers
            if not (self.reaches_customers(call) if reached is None else reached):
                continue
            if (
                call.method == "chat.postMessage"
                and call.args.get("thread_ts")
                and call.text in allowed
                and not call.decorated
            ):
                allowed.remove(call.text)
                continue
            if call.method in ("chat.postEphemeral", "response_url") and (
                call.text in self.refusals and not call.decorated
            ):
                continue
            where = call.channel or call.args.get("user_id") or call.args.get("_name")
            found.append(f"{call.method} to {where}: {(call.text or call.blocks_text)[:80]!r}")
        return found

    # --- Socket Mode -------------------------------------------------------------------------

    def push_envelope(self, envelope: dict[str, Any]) -> None:
        """Send a Socket Mode envelope to every connected client."""

        async def send() -> None:
            for ws in list(self._sockets):
                await ws.send_json(envelope)

        asyncio.run_coroutine_threadsafe(send(), self._loop).result(timeout=5)

    @property
    def socket_connections(self) -> int:
        return len(self._sockets)

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": len(self._sockets)})
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    with self._lock:
                        self.socket_acks.append(json.loads(message.data))
        finally:
            self._sockets.remove(ws)
        return ws

    # --- HTTP handlers -----------------------------------------------------------------------

    async def _arguments(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        raw = await request.read()
        if raw:
            if request.content_type == "application/json":
                args.update(json.loads(raw))
            else:
                args.update(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
        return args

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._arguments(request)
        authorization = request.headers.get("Authorization", "")
        token = authorization.removeprefix("Bearer ") if authorization else args.get("token")
        call = Call(method, args, token, dict(request.headers))
        with self._lock:
            call.reaches_customers = self.reaches_customers(call)
            self.calls.append(call)
            hold = self._held.get(method)
        if hold is not None:
            await hold.released.wait()
            if not hold.carry_out:
                return web.json_response({"ok": False, "error": "request_dropped"}, status=503)
        with self._lock:
            queued = self._queued[method].popleft() if self._queued[method] else None
        if queued is not None:
            call.ok = queued.status == 200 and bool(queued.body.get("ok"))
            return web.json_response(queued.body, status=queued.status, headers=queued.headers)
        answer: Callable[[Call], dict[str, Any]] | None = getattr(
            self, "_m_" + method.replace(".", "_"), None
        )
        if answer is None:
            return web.json_response({"ok": False, "error": "unknown_method"}, status=404)
        with self._lock:
            body = answer(call)
            call.ok = bool(body.get("ok"))
        return web.json_response(body)

    async def _respond(self, request: web.Request) -> web.Response:
        args = await self._arguments(request)
        with self._lock:
            self.calls.append(
                Call("response_url", {**args, "_name": request.match_info["name"]}, None, {}, ok=True)
            )
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        with self._lock:
            self.uploads.append(data)
            self.calls.append(Call("upload", {"file_id": request.match_info["file_id"]}, None, {}))
        return web.Response(text="OK - " + str(len(data)))

    # --- the methods (called with the lock held) ---------------------------------------------

    def _next_ts(self) -> str:
        n = next(self._ts)
        return f"{1_700_000_000 + n}.{n:06d}"

    def _channel_or_error(self, call: Call) -> tuple[str, dict[str, Any] | None]:
        channel = call.channel or ""
        return channel, self.channels.get(channel)

    def _m_auth_test(self, call: Call) -> dict[str, Any]:
        installed = self.oauth_installs.get(call.token or "")
        team_id = installed["team"]["id"] if installed else self.team_id
        bot_user = installed["bot_user_id"] if installed else self.bot_user_id
        return {
            "ok": True,
            "url": "https://home.slack.test/",
            "team": self.teams.get(team_id, {}).get("name", "Team"),
            "user": "tonewatch",
            "team_id": team_id,
            "user_id": bot_user,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _m_chat_postMessage(self, call: Call) -> dict[str, Any]:
        channel, info = self._channel_or_error(call)
        if info is None:
            return {"ok": False, "error": "channel_not_found"}
        ts = self._next_ts()
        message = {
            "ts": ts,
            "text": call.text,
            "user": self.bot_user_id,
            "thread_ts": call.args.get("thread_ts"),
        }
        # Kept like Slack keeps it; `conversations.history` shows it with `include_all_metadata`.
        metadata = call.json_arg("metadata")
        if metadata:
            message["metadata"] = metadata
        self.messages[channel].append(message)
        shown = {k: v for k, v in message.items() if k != "metadata"}
        return {"ok": True, "channel": channel, "ts": ts, "message": shown}

    def _listed(self, message: dict[str, Any], call: Call) -> dict[str, Any]:
        shown = {k: v for k, v in message.items() if k != "metadata" and v is not None}
        if message.get("metadata") and str(call.args.get("include_all_metadata")).lower() in ("1", "true"):
            shown["metadata"] = message["metadata"]
        return shown

    def _m_conversations_history(self, call: Call) -> dict[str, Any]:
        channel, info = self._channel_or_error(call)
        if info is None:
            return {"ok": False, "error": "channel_not_found"}
        limit = int(call.args.get("limit") or 100)
        top = [m for m in self.messages[channel] if not m.get("thread_ts") or m["thread_ts"] == m["ts"]]
        return {
            "ok": True,
            "messages": [self._listed(m, call) for m in reversed(top)][:limit],
            "has_more": False,
        }

    def _m_conversations_replies(self, call: Call) -> dict[str, Any]:
        channel, info = self._channel_or_error(call)
        if info is None:
            return {"ok": False, "error": "channel_not_found"}
        ts = call.args.get("ts")
        thread = [m for m in self.messages[channel] if m["ts"] == ts or m.get("thread_ts") == ts]
        if not thread:
            return {"ok": False, "error": "thread_not_found"}
        limit = int(call.args.get("limit") or 100)
        return {"ok": True, "messages": [self._listed(m, call) for m in thread][:limit], "has_more": False}

    def _m_chat_update(self, call: Call) -> dict[str, Any]:
        channel, info = self._channel_or_error(call)
        if info is None:
            return {"ok": False, "error": "channel_not_found"}
        for message in self.messages[channel]:
            if message["ts"] == call.args.get("ts"):
                message["text"] = call.text
                return {"ok": True, "channel": channel, "ts": message["ts"], "text": call.text}
        return {"ok": False, "error": "message_not_found"}

    def _m_chat_delete(self, call: Call) -> dict[str, Any]:
        channel, info = self._channel_or_error(call)
        if info is None:
            return {"ok": False, "error": "channel_not_found"}
        for message in self.messages[channel]:
            if message["ts"] == call.args.get("ts"):
                if message.get("user") != self.bot_user_id:
                    return {"ok": False, "error": "cant_delete_message"}  # a bot deletes only its own
                self.messages[channel].remove(message)
                self.deleted.append((channel, message["ts"]))
                return {"ok": True, "channel": channel, "ts": message["ts"]}
        return {"ok": False, "error": "message_not_found"}

    def _m_chat_postEphemeral(self, call: Call) -> dict[str, Any]:
        channel, info = self._channel_or_error(call)
        if info is None:
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "message_ts": self._next_ts()}

    def _m_chat_getPermalink(self, call: Call) -> dict[str, Any]:
        channel = call.channel or ""
        ts = str(call.args.get("message_ts") or "")
        return {
            "ok": True,
            "channel": channel,
            "permalink": f"https://home.slack.test/archives/{channel}/p{ts.replace('.', '')}",
        }

    def _m_conversations_info(self, call: Call) -> dict[str, Any]:
        channel, info = self._channel_or_error(call)
        if info is None:
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "channel": dict(info)}

    def _m_conversations_members(self, call: Call) -> dict[str, Any]:
        channel, info = self._channel_or_error(call)
        if info is None:
            return {"ok": False, "error": "channel_not_found"}
        return {
            "ok": True,
            "members": list(self.members.get(channel, [])),
            "response_metadata": {"next_cursor": ""},
        }

    def _m_conversations_open(self, call: Call) -> dict[str, Any]:
        user = str(call.args.get("users") or "")
        channel_id = f"D_{user}"
        self.channels.setdefault(channel_id, {"id": channel_id, "is_im": True, "user": user})
        return {"ok": True, "channel": {"id": channel_id}}

    def _m_users_info(self, call: Call) -> dict[str, Any]:
        user = self.users.get(str(call.args.get("user") or ""))
        return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}

    def _m_team_info(self, call: Call) -> dict[str, Any]:
        team = self.teams.get(str(call.args.get("team") or self.team_id))
        return {"ok": True, "team": team} if team else {"ok": False, "error": "team_not_found"}

    def _view(self, call: Call) -> dict[str, Any]:
        view = call.json_arg("view") or {}
        return {"ok": True, "view": {"id": f"V{next(self._ts)}", **view}}

    _m_views_open = _view
    _m_views_update = _view
    _m_views_publish = _view

    def _m_files_getUploadURLExternal(self, call: Call) -> dict[str, Any]:
        file_id = f"F{next(self._ts)}"
        return {"ok": True, "upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}

    def _m_files_completeUploadExternal(self, call: Call) -> dict[str, Any]:
        files = call.json_arg("files") or []
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}

    def _m_apps_connections_open(self, call: Call) -> dict[str, Any]:
        return {"ok": True, "url": f"ws://127.0.0.1:{self._port}/socket"}

    def _m_oauth_v2_access(self, call: Call) -> dict[str, Any]:
        code = str(call.args.get("code") or "")
        install = self.oauth_installs.get(code)
        if install is None:
            return {"ok": False, "error": "invalid_code"}
        return install

    def add_oauth_install(self, code: str, team_id: str, team_name: str, bot_token: str) -> None:
        """What oauth.v2.access answers for `code` (and auth.test for `bot_token`)."""
        with self._lock:
            self.add_team(team_id, team_name)
            answer = {
                "ok": True,
                "app_id": APP_ID,
                "authed_user": {"id": "U_INSTALLER"},
                "scope": "chat:write,commands",
                "token_type": "bot",
                "access_token": bot_token,
                "bot_user_id": f"U_BOT_{team_id}",
                "team": {"id": team_id, "name": team_name},
                "enterprise": None,
                "is_enterprise_install": False,
            }
            self.oauth_installs[code] = answer
            self.oauth_installs[bot_token] = answer
