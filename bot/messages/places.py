"""Where messages come from and where alerts go, platform-free.

A place is a channel, chat or inbox, keyed by (platform, external id). A
watched place is linked to an account; an alert channel must be internal:
the refusal for an external one is made here, once, for every platform.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import col, select

from bot.alerts.policy import Sensitivity
from bot.messages.inbound import CONTROL_CHARACTERS, has_control_characters
from storage.db import read_scope, session_scope
from storage.errors import UserError
from storage.models import Account, Place
from storage.queries import get_or_create_account


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
    )


_PLACE_INFO = (
    select(
        Place.id,
        Place.platform,
        Place.external_id,
        Place.name,
        col(Account.name).label("account"),
        Place.is_external,
        Place.is_alert_channel,
        Place.watched,
        Place.sensitivity,
    )
    .select_from(Place)
    .join(Account, col(Place.account_id) == col(Account.id), isouter=True)
)


class PlaceRegistry:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _get_or_create(self, session, platform: str, external_id: str, name: str, is_external: bool) -> Place:
        place = session.exec(
            select(Place).where(Place.platform == platform, Place.external_id == external_id)
        ).first()
        if place is None:
            place = Place(platform=platform, external_id=external_id, name=name, is_external=is_external)
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
    ) -> PlaceInfo:
        """Link a place to an account; its customer messages are scored from now on."""
        account = " ".join(account.split())
        if not account:
            raise RefusedPlace("name the account to watch this channel for")
        if has_control_characters(account):  # every way in applies this rule (bot/messages/inbound.py)
            raise RefusedPlace(f"an account name {CONTROL_CHARACTERS}")
        with session_scope(self.engine) as session:
            place = self._get_or_create(session, platform, external_id, name, is_external)
            linked = get_or_create_account(session, account)
            if place.is_alert_channel:
                raise RefusedPlace("this is the alert channel; watch the customer's channel instead")
            place.account_id, place.watched, place.sensitivity = linked.id, True, sensitivity.value
            session.add(place)
            return _info(place, linked)

    def unwatch(self, platform: str, external_id: str) -> PlaceInfo | None:
        with session_scope(self.engine) as session:
            place = session.exec(
                select(Place).where(Place.platform == platform, Place.external_id == external_id)
            ).first()
            if place is None or not place.watched:
                return None
            place.watched = False
            session.add(place)
            account = session.get(Account, place.account_id) if place.account_id else None
            return _info(place, account)

    def set_alert_channel(self, platform: str, external_id: str, name: str, is_external: bool) -> PlaceInfo:
        """Make this the platform's internal alert channel; refused where customers can read."""
        if is_external:
            raise RefusedPlace(
                "refused: customers can read this channel (it is shared externally or has external members). "
                "Choose an internal channel for alerts."
            )
        with session_scope(self.engine) as session:
            place = self._get_or_create(session, platform, external_id, name, is_external=False)
            if place.watched:
                raise RefusedPlace("this channel is watched as a customer channel; pick an internal one")
            for other in session.exec(
                select(Place).where(Place.platform == platform, col(Place.is_alert_channel))
            ).all():
                other.is_alert_channel = False
                session.add(other)
            place.is_alert_channel = True
            session.add(place)
            return _info(place, None)

    def mark_external(self, platform: str, external_id: str, is_external: bool) -> None:
        """A channel became shared (or unshared): an external place stops being an alert channel."""
        with session_scope(self.engine) as session:
            place = session.exec(
                select(Place).where(Place.platform == platform, Place.external_id == external_id)
            ).first()
            if place is None:
                return
            place.is_external = is_external
            if is_external:
                place.is_alert_channel = False
            session.add(place)

    def get(self, platform: str, external_id: str) -> PlaceInfo | None:
        """The place and its account, in one query: every arriving message asks this (as plain
        columns, without building ORM objects, which took a twentieth of the process under load)."""
        with read_scope(self.engine) as session:
            row = (
                session.connection()
                .execute(_PLACE_INFO.where(Place.platform == platform, Place.external_id == external_id))
                .first()
            )
        # The columns are named as PlaceInfo's fields (_PLACE_INFO).
        return PlaceInfo(**{**row._mapping, "sensitivity": Sensitivity(row.sensitivity)}) if row else None

    def alert_channel(self, platform: str | None = None) -> PlaceInfo | None:
        """The internal alert channel: the given platform's, else any platform's."""
        with read_scope(self.engine) as session:
            query = select(Place).where(col(Place.is_alert_channel), Place.is_external == False)  # noqa: E712
            places = session.exec(query.order_by(col(Place.id))).all()
            preferred = [p for p in places if p.platform == platform] or list(places)
            return _info(preferred[0], None) if preferred else None

    def watched(self, platform: str | None = None) -> list[PlaceInfo]:
        with read_scope(self.engine) as session:
            query = select(Place, Account).join(Account, isouter=True).where(col(Place.watched))
            if platform:
                query = query.where(Place.platform == platform)
            return [_info(place, account) for place, account in session.exec(query).all()]
