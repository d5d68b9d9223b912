"""What `status` tells a person about a channel, platform-free; each surface renders it its own way."""

from __future__ import annotations

from dataclasses import dataclass

from bot.alerts.service import AlertService
from bot.messages.places import PlaceRegistry
from storage.db import transaction
from storage.queries import find_account
from storage.records import PlaceInfo
from storage.tenants import DEFAULT_TENANT


@dataclass(frozen=True)
class PlaceStatus:
    place: PlaceInfo | None
    open_alerts: int
    alert_channel: PlaceInfo | None
    watched_count: int

    @property
    def watched(self) -> bool:
        return self.place is not None and self.place.watched

    @property
    def account(self) -> str:
        """The name of the account the place is watched for; "" when it has none."""
        return (self.place.account if self.place is not None else None) or ""

    @property
    def is_alert_channel(self) -> bool:
        return self.place is not None and self.place.is_alert_channel


def place_status(
    places: PlaceRegistry, alerts: AlertService, platform: str, external_id: str, tenant: str = DEFAULT_TENANT
) -> PlaceStatus:
    """The channel's role in the tenant, its account's open alerts, and where the tenant's alerts go
    (blocking: run in a thread)."""
    place = places.get(platform, external_id, tenant)
    open_alerts = 0
    if place is not None and place.watched and place.account:
        with transaction(places.engine) as tx:
            account = find_account(tx, place.account, tenant)
        open_alerts = len(alerts.open_alerts(account.id)) if account is not None else 0
    return PlaceStatus(
        place, open_alerts, places.alert_channel(platform, tenant), len(places.watched(platform, tenant))
    )
