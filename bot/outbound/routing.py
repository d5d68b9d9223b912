"""Several platforms posting at once: each post goes to the poster of the platform it is for."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from bot.messages.places import PlaceRegistry
from bot.outbound.port import AlertNotice, Destination, NotInternal, Poster, PostReceipt

if TYPE_CHECKING:
    from bot.alerts.service import AlertCard
    from bot.digest.build import AttentionList, Digest


class PosterByPlatform(Poster):
    """A digest, list or notice goes by its target's platform (a notice without a target: to the first
    platform's alert channel, Slack's when both are set); an alert card or thread line by the platform
    of the channel it is in, as the place registry knows it."""

    platform = "by-platform"

    def __init__(self, posters: dict[str, Poster], places: PlaceRegistry) -> None:
        if not posters:
            raise ValueError("no platform to post through")
        self.posters = posters
        self.places = places

    def for_target(self, target: Destination | None) -> Poster:
        if target is not None and target.platform in self.posters:
            return self.posters[target.platform]
        return next(iter(self.posters.values()))

    async def for_channel(self, channel: str) -> Poster:
        for platform, poster in self.posters.items():
            if await asyncio.to_thread(self.places.is_known, platform, channel):
                return poster
        raise NotInternal(f"{channel} is no place Tonewatch knows; not posting")

    # --- scheduled posts ----------------------------------------------------------------------

    async def post_digest(self, target: Destination, digest: Digest) -> PostReceipt:
        return await self.for_target(target).post_digest(target, digest)

    async def post_notice(self, notice: AlertNotice, target: Destination | None = None) -> PostReceipt:
        return await self.for_target(target).post_notice(notice, target)

    async def post_attention(self, target: Destination, attention: AttentionList) -> PostReceipt:
        return await self.for_target(target).post_attention(target, attention)

    # --- alert cards and their threads ----------------------------------------------------------

    async def is_internal(self, channel: str, *, unknown_raises: bool = False) -> bool:
        try:
            poster = await self.for_channel(channel)
        except NotInternal:
            return False
        return await poster.is_internal(channel, unknown_raises=unknown_raises)

    async def post_alert(self, channel: str, card: AlertCard) -> str:
        return await (await self.for_channel(channel)).post_alert(channel, card)

    async def refresh_alert(self, channel: str, ref: str, card: AlertCard) -> None:
        await (await self.for_channel(channel)).refresh_alert(channel, ref, card)

    async def update_alert(
        self, channel: str, ref: str, card: AlertCard, joined_quote: str | None, note: str | None = None
    ) -> str | None:
        poster = await self.for_channel(channel)
        return await poster.update_alert(channel, ref, card, joined_quote, note=note)

    async def post_alert_thread(self, channel: str, ref: str, card: AlertCard) -> str | None:
        return await (await self.for_channel(channel)).post_alert_thread(channel, ref, card)

    async def post_note(self, channel: str, ref: str, text: str) -> str:
        return await (await self.for_channel(channel)).post_note(channel, ref, text)

    async def retract_post(self, channel: str, root: str, ref: str) -> None:
        await (await self.for_channel(channel)).retract_post(channel, root, ref)

    async def dm_alert(self, user: str, card: AlertCard, near_channel: str) -> str:
        return await (await self.for_channel(near_channel)).dm_alert(user, card, near_channel)

    async def find_alert(self, channel: str, card: AlertCard) -> str | None:
        return await (await self.for_channel(channel)).find_alert(channel, card)

    async def find_alert_thread(self, channel: str, ref: str, card: AlertCard) -> bool:
        return await (await self.for_channel(channel)).find_alert_thread(channel, ref, card)


def one_poster(posters: dict[str, Poster], places: PlaceRegistry) -> Poster | None:
    """What posts for the whole process: the one platform's poster, a router over several, or None."""
    if len(posters) > 1:
        return PosterByPlatform(posters, places)
    return next(iter(posters.values()), None)
