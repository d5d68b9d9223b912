"""Where messages come from and where alerts go, platform-free.

A place is a channel, chat or inbox, keyed by (tenant, platform, external id): every
method names the tenant it acts in, and its account is that tenant's. A
watched place is linked to an account; an alert channel must be internal:
the refusal for an external one is made here, once, for every platform.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy import select as core_select
from sqlmodel import col, select

from bot.alerts.policy import Sensitivity
from bot.messages.inbound import CONTROL_CHARACTERS, has_control_characters
from storage.db import read_scope, session_scope
from storage.errors import UserError
from storage.models import Account, Place, table_of
from storage.queries import get_or_create_account
from storage.tenants import DEFAULT_TENANT


class RefusedPlace(UserError):
    """A place cannot take that role (e.g. an external channel as the alert channel)."""


@dataclass(frozen=True)
class PlaceInfo:
    id: int
    platform: str
    external_id: str
    name: str
    account: str | None
    is_external: bool
    is_alert_channel: bool
    watched: bool
    sensitivity: Sensitivity
    tenant: str = DEFAULT_TENANT


def _info(place: Place, account: Account | None) -> PlaceInfo:
    return PlaceInfo(
        id=place.id or 0,
        platform=place.platform,
        external_id=place.external_id,
        name=place.name,
        account=account.name if account else None,
        is_external=place.is_external,
        is_alert_channel=place.is_alert_channel,
        watched=place.watched,
        sensitivity=Sensitivity(place.sensitivity),
        tenant=place.tenant,
    )


_PLACE_INFO = (
    core_select(
        col(Place.id),
        col(Place.platform),
        col(Place.external_id),
        col(Place.name),
        table_of(Account).c.name.label("account"),
        col(Place.is_external),
        col(Place.is_alert_channel),
        col(Place.watched),
        col(Place.sensitivity),
        col(Place.tenant),
    )
    .select_from(Place)
    .join(Account, col(Place.account_id) == col(Account.id), isouter=True)
)


class PlaceRegistry:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @staticmethod
    def _find(session, tenant: str, platform: str, external_id: str) -> Place | None:
        return session.exec(
            select(Place).where(
                Place.tenant == tenant, Place.platform == platform, Place.external_id == external_id
            )
        ).first()

    def _get_or_create(
        self, session, tenant: str, platform: str, external_id: str, name: str, is_external: bool
    ) -> Place:
        place = self._find(session, tenant, platform, external_id)
        if place is None:
            place = Place(
                tenant=tenant, platform=platform, external_id=external_id, name=name, is_external=is_external
            )
        place.name = name or place.name
        place.is_external = is_external
        session.add(place)
        session.flush()
        return place

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
        with session_scope(self.engine) as session:
            place = self._get_or_create(session, tenant, platform, external_id, name, is_external)
            linked = get_or_create_account(session, account, tenant)
            if place.is_alert_channel:
                raise RefusedPlace("this is the alert channel; watch the customer's channel instead")
            place.account_id, place.watched, place.sensitivity = linked.id, True, sensitivity.value
            session.add(place)
            return _info(place, linked)

    def unwatch(self, platform: str, external_id: str, tenant: str = DEFAULT_TENANT) -> PlaceInfo | None:
        with session_scope(self.engine) as session:
            place = self._find(session, tenant, platform, external_id)
            if place is None or not place.watched:
                return None
            place.watched = False
            session.add(place)
            account = session.get(Account, place.account_id) if place.account_id else None
            return _info(place, account)

    def set_alert_channel(
        self, platform: str, external_id: str, name: str, is_external: bool, tenant: str = DEFAULT_TENANT
    ) -> PlaceInfo:
        """Make this the tenant's internal alert channel on the platform; refused where customers can read."""
        if is_external:
            raise RefusedPlace(
                "refused: customers can read this channel (it is shared externally or has external members). "
                "Choose an internal channel for alerts."
            )
        with session_scope(self.engine) as session:
            place = self._get_or_create(session, tenant, platform, external_id, name, is_external=False)
            if place.watched:
                raise RefusedPlace("this channel is watched as a customer channel; pick an internal one")
            for other in session.exec(
                select(Place).where(
                    Place.tenant == tenant, Place.platform == platform, col(Place.is_alert_channel)
                )
            ).all():
                other.is_alert_channel = False
                session.add(other)
            place.is_alert_channel = True
            session.add(place)
            return _info(place, None)

    def mark_external(self, platform: str, external_id: str, is_external: bool) -> None:
        """A channel became shared (or unshared): an external place stops being an alert channel.

        In every tenant that knows the channel: who can read it is a fact about the channel itself."""
        with session_scope(self.engine) as session:
            for place in session.exec(
                select(Place).where(Place.platform == platform, Place.external_id == external_id)
            ).all():
                place.is_external = is_external
                if is_external:
                    place.is_alert_channel = False
                session.add(place)

    def is_known(self, platform: str, external_id: str) -> bool:
        """Whether some tenant has this conversation (which platform's poster a post goes through)."""
        with read_scope(self.engine) as session:
            query = _PLACE_INFO.where(col(Place.platform) == platform, col(Place.external_id) == external_id)
            return session.connection().execute(query.limit(1)).first() is not None

    def get(self, platform: str, external_id: str, tenant: str = DEFAULT_TENANT) -> PlaceInfo | None:
        """The place and its account, in one query: every arriving message asks this (as plain
        columns, without building ORM objects, which took a twentieth of the process under load)."""
        with read_scope(self.engine) as session:
            query = _PLACE_INFO.where(
                col(Place.tenant) == tenant,
                col(Place.platform) == platform,
                col(Place.external_id) == external_id,
            )
            row = session.connection().execute(query).first()
        # The columns are named as PlaceInfo's fields (_PLACE_INFO).
        return PlaceInfo(**{**row._mapping, "sensitivity": Sensitivity(row.sensitivity)}) if row else None

    def alert_channel(self, platform: str | None = None, tenant: str = DEFAULT_TENANT) -> PlaceInfo | None:
        """The tenant's internal alert channel: the given platform's, else any platform's."""
        with read_scope(self.engine) as session:
            query = select(Place).where(
                Place.tenant == tenant,
                col(Place.is_alert_channel),
                Place.is_external == False,  # noqa: E712
            )
            places = session.exec(query.order_by(col(Place.id))).all()
            preferred = [p for p in places if p.platform == platform] or list(places)
            return _info(preferred[0], None) if preferred else None

    def watched(self, platform: str | None = None, tenant: str = DEFAULT_TENANT) -> list[PlaceInfo]:
        with read_scope(self.engine) as session:
            query = (
                select(Place, Account)
                .join(Account, isouter=True)
                .where(col(Place.watched), Place.tenant == tenant)
            )
            if platform:
                query = query.where(Place.platform == platform)
            return [_info(place, account) for place, account in session.exec(query).all()]
