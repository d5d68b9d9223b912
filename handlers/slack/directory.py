"""Who is who and who can read what, asked of Slack and kept briefly (Slack rate-limits these lookups).

Audience rules (platform brief §1.6): a channel is readable by customers when
it is shared with another organisation (`is_ext_shared`, a pending share, or
connected to a team that is not ours) or when any member is external (a user
of another team, or a guest). Every check fails closed: when Slack cannot be
asked, or a channel is too big to verify, the answer is "customers can read".
"""

from __future__ import annotations

import logging
import time
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from handlers.slack.clients import Home

log = logging.getLogger(__name__)

USER_TTL_SECONDS = 600.0
CHANNEL_TTL_SECONDS = 30.0
MEMBERS_TTL_SECONDS = 300.0
TEAM_TTL_SECONDS = 3600.0
#: Above this many members the channel is not verified member by member (and counts as not internal).
MAX_MEMBERS_CHECKED = 300


class TtlCache:
    """A small dict whose entries expire; enough for a handful of lookups per second."""

    def __init__(self, ttl_seconds: float, max_entries: int = 5000) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self._entries: dict[str, tuple[float, Any]] = {}

    def get(self, key: str) -> Any | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] < time.monotonic():
            self._entries.pop(key, None)
            return None
        return entry[1]

    def put(self, key: str, value: Any) -> None:
        if len(self._entries) >= self.max_entries:
            now = time.monotonic()
            self._entries = {k: v for k, v in self._entries.items() if v[0] >= now}
            while len(self._entries) >= self.max_entries:
                self._entries.pop(next(iter(self._entries)))
        self._entries[key] = (time.monotonic() + self.ttl, value)

    def forget(self, key: str) -> None:
        self._entries.pop(key, None)


def is_external_user(user: dict[str, Any], home: Home) -> bool:
    """A guest, or a member of another organisation (`is_stranger` alone is not enough)."""
    if user.get("is_restricted") or user.get("is_ultra_restricted") or user.get("is_stranger"):
        return True
    enterprise = (user.get("enterprise_user") or {}).get("enterprise_id")
    if enterprise and home.enterprise_id:
        return enterprise != home.enterprise_id
    return bool(home.team_id) and user.get("team_id") != home.team_id


def email_domain(user: dict[str, Any]) -> str | None:
    email = (user.get("profile") or {}).get("email") or ""
    return email.rsplit("@", 1)[1].lower() if "@" in email else None


def display_name(user: dict[str, Any]) -> str:
    profile = user.get("profile") or {}
    return (
        profile.get("display_name")
        or profile.get("real_name")
        or user.get("real_name")
        or user.get("name")
        or ""
    )


def shared_outside(channel: dict[str, Any], home: Home) -> bool:
    """Shared with another organisation, or about to be."""
    if channel.get("is_ext_shared") or channel.get("is_pending_ext_shared"):
        return True
    others = {t for t in channel.get("connected_team_ids") or [] if t != home.team_id}
    if others and not channel.get("is_org_shared"):
        return True
    return bool(channel.get("is_shared") and not channel.get("is_org_shared"))


class SlackDirectory:
    def __init__(self) -> None:
        self.users = TtlCache(USER_TTL_SECONDS)
        self.channels = TtlCache(CHANNEL_TTL_SECONDS)
        self.member_verdicts = TtlCache(MEMBERS_TTL_SECONDS)
        self.teams = TtlCache(TEAM_TTL_SECONDS)

    async def user(self, client: AsyncWebClient, user_id: str) -> dict[str, Any]:
        cached = self.users.get(user_id)
        if cached is None:
            try:
                cached = (await client.users_info(user=user_id))["user"]
            except SlackApiError as exc:
                if exc.response.get("error") != "user_not_found":
                    raise  # rate limits, outages: the caller's failure lets Slack redeliver
                # A user Slack does not know is no one of ours (fails closed, like the audience rules).
                cached = {"id": user_id, "is_stranger": True}
            self.users.put(user_id, cached)
        return cached

    async def channel(self, client: AsyncWebClient, channel_id: str, fresh: bool = False) -> dict[str, Any]:
        cached = None if fresh else self.channels.get(channel_id)
        if cached is None:
            cached = (await client.conversations_info(channel=channel_id))["channel"]
            self.channels.put(channel_id, cached)
        return cached

    async def team_name(self, client: AsyncWebClient, team_id: str) -> str | None:
        cached = self.teams.get(team_id)
        if cached is None:
            cached = (await client.team_info(team=team_id))["team"].get("name") or ""
            self.teams.put(team_id, cached)
        return cached or None

    def forget_channel(self, channel_id: str) -> None:
        """A share, unshare or join changed who can read it."""
        self.channels.forget(channel_id)
        self.member_verdicts.forget(channel_id)

    async def partner_team(self, client: AsyncWebClient, channel_id: str, home: Home) -> str | None:
        """The other organisation of a Slack Connect channel, if exactly one."""
        channel = await self.channel(client, channel_id)
        teams = set(channel.get("connected_team_ids") or []) | set(channel.get("shared_team_ids") or [])
        teams.discard(home.team_id)
        teams.discard(channel.get("context_team_id"))
        return teams.pop() if len(teams) == 1 else None

    async def _has_external_members(self, client: AsyncWebClient, channel_id: str, home: Home) -> bool:
        verdict = self.member_verdicts.get(channel_id)
        if verdict is not None:
            return verdict
        members: list[str] = []
        cursor = None
        while True:
            page = await client.conversations_members(channel=channel_id, limit=200, cursor=cursor)
            members.extend(page.get("members") or [])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor or len(members) > MAX_MEMBERS_CHECKED:
                break
        if len(members) > MAX_MEMBERS_CHECKED:
            log.warning(
                "channel %s has over %s members; not verified, treated as external",
                channel_id,
                MAX_MEMBERS_CHECKED,
            )
            verdict = True
        else:
            verdict = False
            for member in members:
                if is_external_user(await self.user(client, member), home):
                    verdict = True
                    break
        self.member_verdicts.put(channel_id, verdict)
        return verdict

    async def customers_can_read(
        self,
        client: AsyncWebClient,
        channel_id: str,
        home: Home,
        fresh: bool = False,
        unknown_raises: bool = False,
    ) -> bool:
        """True unless Slack confirms that only our own people can read `channel_id`.

        `fresh` asks conversations.info again instead of using the last answer (before a post:
        a channel may have been shared a moment ago). Membership verdicts are kept for a few
        minutes and dropped whenever someone joins. With `unknown_raises`, a lookup Slack did not
        answer raises instead of answering True (the caller retries rather than concluding).
        """
        try:
            channel = await self.channel(client, channel_id, fresh=fresh)
            if channel.get("is_im"):
                return is_external_user(await self.user(client, channel["user"]), home)
            if shared_outside(channel, home):
                return True
            return await self._has_external_members(client, channel_id, home)
        except Exception as exc:  # noqa: BLE001 - fail closed: unknown means customers might read it
            if unknown_raises:
                raise
            log.warning("audience check of %s failed (%s); treating it as external", channel_id, exc)
            return True
