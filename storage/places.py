"""Places (channels, chats, inboxes), keyed by (tenant, platform, external id), and their accounts.

Plain functions over a Session; `bot.messages.places` owns the transactions and the rules of
which place may take which role.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select as core_select
from sqlmodel import col, select

from storage.db import Tx, orm
from storage.models import Account, Place, table_of

#: A place's columns and its account's name, as plain values: id, platform, external_id, name,
#: account (None without one), is_external, is_alert_channel, watched, sensitivity, tenant.
_PLACE_COLUMNS = (
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


def place_columns(tx: Tx, tenant: str, platform: str, external_id: str) -> dict[str, Any] | None:
    """The tenant's place and its account's name, in one query, as plain columns named as in
    `_PLACE_COLUMNS` (no ORM objects are built: every arriving message asks this)."""
    session = orm(tx)
    query = _PLACE_COLUMNS.where(
        col(Place.tenant) == tenant,
        col(Place.platform) == platform,
        col(Place.external_id) == external_id,
    )
    row = session.connection().execute(query).first()
    return dict(row._mapping) if row else None


def place_known(tx: Tx, platform: str, external_id: str) -> bool:
    """Whether some tenant has this place."""
    session = orm(tx)
    query = _PLACE_COLUMNS.where(col(Place.platform) == platform, col(Place.external_id) == external_id)
    return session.connection().execute(query.limit(1)).first() is not None


def find_place(tx: Tx, tenant: str, platform: str, external_id: str) -> Place | None:
    session = orm(tx)
    return session.exec(
        select(Place).where(
            Place.tenant == tenant, Place.platform == platform, Place.external_id == external_id
        )
    ).first()


def save_place(
    tx: Tx, tenant: str, platform: str, external_id: str, name: str, is_external: bool
) -> Place:
    """The tenant's place, created if new, with who can read it and its name (kept when `name` is empty)."""
    session = orm(tx)
    place = find_place(session, tenant, platform, external_id)
    if place is None:
        place = Place(
            tenant=tenant, platform=platform, external_id=external_id, name=name, is_external=is_external
        )
    place.name = name or place.name
    place.is_external = is_external
    session.add(place)
    session.flush()
    return place


def watch_place(tx: Tx, place: Place, account_id: int | None, sensitivity: str) -> None:
    """The place is watched for the account: its customer messages are scored."""
    session = orm(tx)
    place.account_id, place.watched, place.sensitivity = account_id, True, sensitivity
    session.add(place)


def unwatch_place(tx: Tx, place: Place) -> None:
    session = orm(tx)
    place.watched = False
    session.add(place)


def make_alert_channel(tx: Tx, place: Place) -> None:
    """The place becomes its tenant's one alert channel on its platform (another stops being it)."""
    session = orm(tx)
    for other in session.exec(
        select(Place).where(
            Place.tenant == place.tenant, Place.platform == place.platform, col(Place.is_alert_channel)
        )
    ).all():
        other.is_alert_channel = False
        session.add(other)
    place.is_alert_channel = True
    session.add(place)


def set_external(
    tx: Tx, platform: str, external_id: str, is_external: bool, *, alert_channel_ends: bool
) -> None:
    """Who can read the place, in every tenant that has it; `alert_channel_ends`: it is an alert
    channel no more."""
    session = orm(tx)
    for place in session.exec(
        select(Place).where(Place.platform == platform, Place.external_id == external_id)
    ).all():
        place.is_external = is_external
        if alert_channel_ends:
            place.is_alert_channel = False
        session.add(place)


def internal_alert_channels(tx: Tx, tenant: str) -> list[Place]:
    """The tenant's alert channels that customers cannot read, on every platform, oldest first."""
    session = orm(tx)
    query = select(Place).where(
        Place.tenant == tenant,
        col(Place.is_alert_channel),
        Place.is_external == False,  # noqa: E712
    )
    return list(session.exec(query.order_by(col(Place.id))).all())


def watched_places(
    tx: Tx, tenant: str, platform: str | None = None
) -> list[tuple[Place, Account | None]]:
    """The tenant's watched places (on one platform, when given), each with its account."""
    session = orm(tx)
    query = (
        select(Place, Account).join(Account, isouter=True).where(col(Place.watched), Place.tenant == tenant)
    )
    if platform:
        query = query.where(Place.platform == platform)
    return [(place, account) for place, account in session.exec(query).all()]
