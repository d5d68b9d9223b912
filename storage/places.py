"""Places (channels, chats, inboxes), keyed by (tenant, platform, external id), and their accounts.

Plain functions over a Session; `bot.messages.places` owns the transactions and the rules of
which place may take which role.
"""

from __future__ import annotations

from sqlalchemy import Row
from sqlalchemy import select as core_select
from sqlmodel import col, select

from storage.db import Tx, orm
from storage.models import Account, Place, table_of
from storage.records import PlaceInfo

#: A place's columns and its account's name, in `PlaceInfo`'s fields: id, platform, external_id, name,
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


def _place_info(row: Row) -> PlaceInfo:
    return PlaceInfo(**row._mapping)


def find_place(tx: Tx, tenant: str, platform: str, external_id: str) -> PlaceInfo | None:
    """The tenant's place and its account's name, in one query of plain columns (no ORM objects are
    built: every arriving message asks this)."""
    session = orm(tx)
    query = _PLACE_COLUMNS.where(
        col(Place.tenant) == tenant,
        col(Place.platform) == platform,
        col(Place.external_id) == external_id,
    )
    row = session.connection().execute(query).first()
    return _place_info(row) if row else None


def place_known(tx: Tx, platform: str, external_id: str) -> bool:
    """Whether some tenant has this place."""
    session = orm(tx)
    query = _PLACE_COLUMNS.where(col(Place.platform) == platform, col(Place.external_id) == external_id)
    return session.connection().execute(query.limit(1)).first() is not None


def _stored(tx: Tx, place_id: int) -> PlaceInfo:
    """The place as this transaction has written it (flushed first)."""
    session = orm(tx)
    session.flush()
    row = session.connection().execute(_PLACE_COLUMNS.where(col(Place.id) == place_id)).one()
    return _place_info(row)


def _place(tx: Tx, place_id: int) -> Place:
    found = orm(tx).get(Place, place_id)
    if found is None:
        raise LookupError(f"no place with id {place_id}")
    return found


def save_place(
    tx: Tx, tenant: str, platform: str, external_id: str, name: str, is_external: bool
) -> PlaceInfo:
    """The tenant's place, created if new, with who can read it and its name (kept when `name` is empty)."""
    session = orm(tx)
    place = session.exec(
        select(Place).where(
            Place.tenant == tenant, Place.platform == platform, Place.external_id == external_id
        )
    ).first()
    if place is None:
        place = Place(
            tenant=tenant, platform=platform, external_id=external_id, name=name, is_external=is_external
        )
    place.name = name or place.name
    place.is_external = is_external
    session.add(place)
    session.flush()
    return _stored(session, place.id or 0)


def watch_place(tx: Tx, place_id: int, account_id: int | None, sensitivity: str) -> PlaceInfo:
    """The place is watched for the account: its customer messages are scored. Returns it so."""
    session = orm(tx)
    place = _place(session, place_id)
    place.account_id, place.watched, place.sensitivity = account_id, True, sensitivity
    session.add(place)
    return _stored(session, place_id)


def unwatch_place(tx: Tx, place_id: int) -> PlaceInfo:
    """The place is watched no more (it keeps its account). Returns it so."""
    session = orm(tx)
    place = _place(session, place_id)
    place.watched = False
    session.add(place)
    return _stored(session, place_id)


def make_alert_channel(tx: Tx, place_id: int) -> PlaceInfo:
    """The place becomes its tenant's one alert channel on its platform (another stops being it).
    Returns it so."""
    session = orm(tx)
    place = _place(session, place_id)
    for other in session.exec(
        select(Place).where(
            Place.tenant == place.tenant, Place.platform == place.platform, col(Place.is_alert_channel)
        )
    ).all():
        other.is_alert_channel = False
        session.add(other)
    place.is_alert_channel = True
    session.add(place)
    return _stored(session, place_id)


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


def internal_alert_channels(tx: Tx, tenant: str) -> list[PlaceInfo]:
    """The tenant's alert channels that customers cannot read, on every platform, oldest first."""
    session = orm(tx)
    query = _PLACE_COLUMNS.where(
        col(Place.tenant) == tenant, col(Place.is_alert_channel), col(Place.is_external) == False  # noqa: E712
    )
    return [_place_info(row) for row in session.connection().execute(query.order_by(col(Place.id)))]


def watched_places(tx: Tx, tenant: str, platform: str | None = None) -> list[PlaceInfo]:
    """The tenant's watched places (on one platform, when given), each with its account's name."""
    session = orm(tx)
    query = _PLACE_COLUMNS.where(col(Place.watched), col(Place.tenant) == tenant)
    if platform:
        query = query.where(col(Place.platform) == platform)
    return [_place_info(row) for row in session.connection().execute(query)]
