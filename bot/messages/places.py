"""Where messages come from and where alerts go, platform-free.

A place is a channel, chat or inbox, keyed by (tenant, platform, external id): every
method names the tenant it acts in, and its account is that tenant's. A
watched place is linked to an account; an alert channel must be internal:
the refusal for an external one is made here, once, for every platform.
"""

from __future__ import annotations

from bot.alerts.policy import Sensitivity
from bot.messages.inbound import CONTROL_CHARACTERS, has_control_characters
from storage.db import Engine, read_transaction, transaction
from storage.errors import UserError
from storage.places import (
    find_place,
    internal_alert_channels,
    make_alert_channel,
    place_known,
    save_place,
    set_external,
    unwatch_place,
    watch_place,
    watched_places,
)
from storage.queries import get_or_create_account
from storage.records import PlaceInfo
from storage.tenants import DEFAULT_TENANT


class RefusedPlace(UserError):
    """A place cannot take that role (e.g. an external channel as the alert channel)."""


class PlaceRegistry:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def watch(
        self,
        platform: str,
        external_id: str,
        name: str,
        account: str,
        is_external: bool,
        sensitivity: Sensitivity = Sensitivity.normal,
        tenant: str = DEFAULT_TENANT,
    ) -> PlaceInfo:
        """Link a place to an account; its customer messages are scored from now on."""
        account = " ".join(account.split())
        if not account:
            raise RefusedPlace("name the account to watch this channel for")
        if has_control_characters(account):  # every way in applies this rule (bot/messages/inbound.py)
            raise RefusedPlace(f"an account name {CONTROL_CHARACTERS}")
        with transaction(self.engine) as tx:
            place = save_place(tx, tenant, platform, external_id, name, is_external)
            linked = get_or_create_account(tx, account, tenant)
            if place.is_alert_channel:
                raise RefusedPlace("this is the alert channel; watch the customer's channel instead")
            return watch_place(tx, place.id, linked.id, sensitivity.value)

    def unwatch(self, platform: str, external_id: str, tenant: str = DEFAULT_TENANT) -> PlaceInfo | None:
        with transaction(self.engine) as tx:
            place = find_place(tx, tenant, platform, external_id)
            if place is None or not place.watched:
                return None
            return unwatch_place(tx, place.id)

    def set_alert_channel(
        self, platform: str, external_id: str, name: str, is_external: bool, tenant: str = DEFAULT_TENANT
    ) -> PlaceInfo:
        """Make this the tenant's internal alert channel on the platform; refused where customers can read."""
        if is_external:
            raise RefusedPlace(
                "refused: customers can read this channel (it is shared externally or has external members). "
                "Choose an internal channel for alerts."
            )
        with transaction(self.engine) as tx:
            place = save_place(tx, tenant, platform, external_id, name, is_external=False)
            if place.watched:
                raise RefusedPlace("this channel is watched as a customer channel; pick an internal one")
            return make_alert_channel(tx, place.id)

    def mark_external(self, platform: str, external_id: str, is_external: bool) -> None:
        """A channel became shared (or unshared): an external place stops being an alert channel.

        In every tenant that knows the channel: who can read it is a fact about the channel itself."""
        with transaction(self.engine) as tx:
            set_external(tx, platform, external_id, is_external, alert_channel_ends=is_external)

    def is_known(self, platform: str, external_id: str) -> bool:
        """Whether some tenant has this conversation (which platform's poster a post goes through)."""
        with read_transaction(self.engine) as tx:
            return place_known(tx, platform, external_id)

    def get(self, platform: str, external_id: str, tenant: str = DEFAULT_TENANT) -> PlaceInfo | None:
        """The place and its account, in one query: every arriving message asks this (read as plain
        columns, without building ORM objects, which took a twentieth of the process under load)."""
        with read_transaction(self.engine) as tx:
            return find_place(tx, tenant, platform, external_id)

    def alert_channel(self, platform: str | None = None, tenant: str = DEFAULT_TENANT) -> PlaceInfo | None:
        """The tenant's internal alert channel: the given platform's, else any platform's."""
        with read_transaction(self.engine) as tx:
            places = internal_alert_channels(tx, tenant)
            preferred = [p for p in places if p.platform == platform] or places
            return preferred[0] if preferred else None

    def watched(self, platform: str | None = None, tenant: str = DEFAULT_TENANT) -> list[PlaceInfo]:
        with read_transaction(self.engine) as tx:
            return watched_places(tx, tenant, platform)
