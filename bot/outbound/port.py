"""The outbound port: everything Tonewatch posts goes through a `Poster`, implemented once per platform.

Alert cards and their threads (`bot.alerts.delivery`), the notes people's actions add to those
threads, scheduled digests, attention lists and notices (`scheduler`): each platform's poster
(handlers/slack/poster.py, handlers/teams/poster.py, the console's bot/outbound/console.py) does all
of it, behind its audience check. Answers to people's commands and questions go out through the
same platform poster's guarded primitives, from the platform's own listeners.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from storage.tenants import DEFAULT_TENANT

if TYPE_CHECKING:
    from bot.alerts.service import AlertCard
    from bot.digest.build import AttentionList, Digest
    from storage.records import DigestTargetInfo


class NotInternal(Exception):
    """The destination can be read by customers (or that could not be ruled out)."""


class AudienceUnknown(NotInternal):
    """The platform did not answer who can read the destination (an outage, a revoked token, a
    deleted channel): nothing is posted, the item is retried, and the channel keeps its role."""


@dataclass(frozen=True)
class Destination:
    """Where a digest or list goes, as a poster needs it (built from a stored `DigestTargetInfo`)."""

    key: str
    platform: str
    address: str = ""
    kind: str = "channel"
    owner: str | None = None
    timezone: str = "UTC"

    @classmethod
    def from_target(cls, target: DigestTargetInfo) -> Destination:
        return cls(
            key=target.key,
            platform=target.platform,
            address=target.destination,
            kind=target.kind,
            owner=target.owner,
            timezone=target.timezone,
        )


@dataclass
class AlertNotice:
    """Something that needs a person now (an SLA breach, a systemic incident, a daily attention list).

    `key` is stable for the event, so a poster can make posting idempotent
    (the scheduler already posts each key once). `owner` and `account` are for
    routing: a poster may DM the account's owner or use the alert channel.
    """

    kind: str
    key: str
    title: str
    lines: list[str] = field(default_factory=list)
    severity: str = "warning"
    account: str | None = None
    owner: str | None = None
    message_ids: list[int] = field(default_factory=list)
    data: dict = field(default_factory=dict)
    #: Whose notice it is: without a target it goes to this tenant's alert channel.
    tenant: str = DEFAULT_TENANT

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "key": self.key,
            "title": self.title,
            "lines": list(self.lines),
            "severity": self.severity,
            "account": self.account,
            "owner": self.owner,
            "message_ids": list(self.message_ids),
            "data": self.data,
        }

    def render_text(self) -> str:
        return "\n".join([self.title, *(f" • {line}" for line in self.lines)])


@dataclass(frozen=True)
class PostReceipt:
    """What a poster did: its name and the platform's reference to the post (a Slack ts), if any."""

    poster: str
    ref: str | None = None


class Poster(abc.ABC):
    """Posts for one platform. Implementations must not mutate what they are given.

    Every post is refused (`NotInternal`) where customers can read, or where that cannot be ruled out.
    """

    #: The platform's name, as places and digest targets store it ("slack", "teams", "console").
    platform: str
    #: Whether the platform can list a thread's posts later (`retract_post` finds them itself); where it
    #: cannot, the reference of each thread post is kept for `forget`.
    lists_threads: bool = True

    # --- the audience check -----------------------------------------------------------------

    @abc.abstractmethod
    async def is_internal(self, channel: str, *, unknown_raises: bool = False) -> bool:
        """True only if no customer can read `channel`; any doubt or error is False.

        With `unknown_raises`, a check the platform did not answer raises `AudienceUnknown`
        instead of answering False, so the caller can tell "customers can read it" from "ask again".
        """

    # --- alert cards and their threads (bot/alerts/delivery.py, the cards' buttons) -------------

    @abc.abstractmethod
    async def post_alert(self, channel: str, card: AlertCard) -> str:
        """Post the alert card; return a reference to its thread."""

    @abc.abstractmethod
    async def refresh_alert(self, channel: str, ref: str, card: AlertCard) -> None:
        """Show the alert's current state (severity, count, newest quote, status) in its posted card."""

    @abc.abstractmethod
    async def update_alert(
        self, channel: str, ref: str, card: AlertCard, joined_quote: str | None, note: str | None = None
    ) -> str | None:
        """Show the alert's new state; add the joining message (or `note`: what happened) to its thread
        and return that line's ref."""

    @abc.abstractmethod
    async def post_alert_thread(self, channel: str, ref: str, card: AlertCard) -> str | None:
        """Put the recommended response and the drafted reply in the alert's thread; return its ref."""

    @abc.abstractmethod
    async def post_note(self, channel: str, ref: str, text: str) -> str:
        """A line in the alert's thread (who acknowledged, corrected, replied), already in the platform's
        markup; returns its ref."""

    @abc.abstractmethod
    async def retract_post(self, channel: str, root: str, ref: str) -> None:
        """Delete our post `ref`: the alert's card when `ref == root`, with whatever of ours its thread
        holds that the platform can list. A post already gone is not an error."""

    async def dm_alert(self, user: str, card: AlertCard, near_channel: str) -> str:
        """The alert, by direct message to one of our own people (an account owner); returns the post's
        reference. `near_channel` is the alert channel (the workspace or service to go through)."""
        raise NotImplementedError(f"{self.platform} cannot send alerts by direct message")

    async def find_alert(self, channel: str, card: AlertCard) -> str | None:
        """The reference of this alert's post if an earlier attempt made it (its answer was lost).

        Asked before posting again after a failed attempt. None when not found, and wherever the
        platform cannot tell (the default): the post is then made again.
        """
        return None

    async def find_alert_thread(self, channel: str, ref: str, card: AlertCard) -> bool:
        """Whether an earlier attempt already put the draft in the alert's thread (see `find_alert`)."""
        return False

    # --- scheduled posts (scheduler/jobs.py) --------------------------------------------------

    @abc.abstractmethod
    async def post_digest(self, target: Destination, digest: Digest) -> PostReceipt:
        """Post a weekly digest to `target`. Raise on failure; the scheduler retries after its lease."""

    @abc.abstractmethod
    async def post_notice(self, notice: AlertNotice, target: Destination | None = None) -> PostReceipt:
        """Post a notice. `target` None means the poster's own alert route (the alert channel)."""

    async def post_attention(self, target: Destination, attention: AttentionList) -> PostReceipt:
        """Post the daily attention list; by default as a notice to `target`."""
        return await self.post_notice(attention.to_notice(), target)
