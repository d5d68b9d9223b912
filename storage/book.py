"""The account book's reads and writes: owners, value, renewal, CRM ids, suppression.

The rules (what a valid entry is, what changes mean) live in bot/accounts; this module only
stores and reads rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from storage.db import Tx, orm
from storage.models import Account, AccountOwner, Person
from storage.queries import _account_info, _account_row, _account_row_made, domains_of
from storage.records import AccountInfo
from storage.tenants import DEFAULT_TENANT
from storage.types import utcnow


@dataclass(frozen=True)
class PersonInfo:
    """An owner as the book knows them; any id may be missing."""

    name: str = ""
    email: str | None = None
    slack_user_id: str | None = None
    teams_user_id: str | None = None
    dm_alerts: bool | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "email": self.email,
            "slack_id": self.slack_user_id,
            "teams_id": self.teams_user_id,
            "dm_alerts": True if self.dm_alerts is None else self.dm_alerts,
        }


@dataclass
class BookRow:
    """One account as the book shows it."""

    id: int
    name: str
    owner: str | None
    owners: list[PersonInfo] = field(default_factory=list)
    arr: float | None = None
    currency: str | None = None
    tier: str | None = None
    renewal_date: date | None = None
    domains: list[str] = field(default_factory=list)
    crm: dict[str, Any] = field(default_factory=dict)
    suppress_outreach: bool = False
    suppression_reason: str | None = None
    suppression_changed_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "account": self.name,
            "owner": self.owner,
            "owners": [person.to_json() for person in self.owners],
            "arr": self.arr,
            "currency": self.currency,
            "tier": self.tier,
            "renewal_date": self.renewal_date.isoformat() if self.renewal_date else None,
            "domains": self.domains,
            "crm": self.crm,
            "suppress_outreach": self.suppress_outreach,
            "suppression_reason": self.suppression_reason,
        }


def _info(person: Person) -> PersonInfo:
    return PersonInfo(person.name, person.email, person.slack_user_id, person.teams_user_id, person.dm_alerts)


def _save_person(tx: Tx, info: PersonInfo) -> Person:
    """The person with this email, Slack id or Teams id (in that order), created or filled in."""
    session = orm(tx)
    person = None
    email = info.email.strip().lower() if info.email else None
    if email:
        person = session.exec(select(Person).where(Person.email == email)).first()
    if person is None and info.slack_user_id:
        person = session.exec(select(Person).where(Person.slack_user_id == info.slack_user_id)).first()
    if person is None and info.teams_user_id:
        person = session.exec(select(Person).where(Person.teams_user_id == info.teams_user_id)).first()
    if person is None:
        person = Person(name=info.name or (email or "").split("@")[0], email=email)
        try:
            with session.begin_nested():
                session.add(person)
        except IntegrityError:  # created meanwhile by another writer
            person = session.exec(select(Person).where(Person.email == email)).one()
    if info.name:
        person.name = info.name[:200]
    if email and not person.email:
        person.email = email
    if info.slack_user_id:
        person.slack_user_id = info.slack_user_id
    if info.teams_user_id:
        person.teams_user_id = info.teams_user_id
    if info.dm_alerts is not None:
        person.dm_alerts = info.dm_alerts
    session.add(person)
    session.flush()
    return person


def set_owners(tx: Tx, account_id: int, owners: Sequence[PersonInfo]) -> list[PersonInfo]:
    """Replace the account's owners (each saved as a person, found by email, Slack id or Teams id);
    the first is primary and `Account.owner` names them (email, or name when no email is known),
    which per-owner digests filter on. Returns the owners as stored, in order."""
    session = orm(tx)
    account = _account(session, account_id)
    people = [_save_person(session, info) for info in owners]
    people = list({person.id: person for person in people}.values())
    session.exec(delete(AccountOwner).where(col(AccountOwner.account_id) == account_id))
    for position, person in enumerate(people):
        session.add(AccountOwner(account_id=account_id, person_id=person.id or 0, position=position))
    account.owner = (people[0].email or people[0].name) if people else None
    session.add(account)
    session.flush()
    return [_info(person) for person in people]


def owners_of(tx: Tx, account_ids: Iterable[int]) -> dict[int, list[PersonInfo]]:
    session = orm(tx)
    ids = list(account_ids)
    if not ids:
        return {}
    rows = session.exec(
        select(AccountOwner.account_id, Person)
        .join(Person, col(Person.id) == AccountOwner.person_id)
        .where(col(AccountOwner.account_id).in_(ids))
        .order_by(col(AccountOwner.account_id), col(AccountOwner.position))
    ).all()
    found: dict[int, list[PersonInfo]] = {}
    for account_id, person in rows:
        found.setdefault(account_id, []).append(_info(person))
    return found


def update_account(
    tx: Tx,
    name: str,
    *,
    values: dict[str, Any],
    domains: Sequence[str] = (),
    crm: dict[str, str] | None = None,
    tenant: str = DEFAULT_TENANT,
) -> tuple[AccountInfo, bool]:
    """Create or update the tenant's account `name` with the given columns; domains are added to those
    listed. Returns (account, whether it was new)."""
    session = orm(tx)
    new = _account_row(session, name, tenant) is None
    account = _account_row_made(session, name, tenant)
    for column, value in values.items():
        setattr(account, column, value)
    if domains:
        merged = list(dict.fromkeys([*domains_of(account.domains), *(d.lower() for d in domains)]))
        account.domains = ",".join(merged)[:1000]
    if crm:
        account.crm_ids = {**(account.crm_ids or {}), **crm}
    session.add(account)
    session.flush()
    return _account_info(account), new


def _account(tx: Tx, account_id: int) -> Account:
    found = orm(tx).get(Account, account_id)
    if found is None:
        raise LookupError(f"no account with id {account_id}")
    return found


def _row(account: Account, owners: list[PersonInfo]) -> BookRow:
    return BookRow(
        id=account.id or 0,
        name=account.name,
        owner=account.owner,
        owners=owners,
        arr=account.arr,
        currency=account.currency,
        tier=account.tier,
        renewal_date=account.renewal_date,
        domains=domains_of(account.domains),
        crm=dict(account.crm_ids or {}),
        suppress_outreach=account.suppress_outreach,
        suppression_reason=account.suppression_reason,
        suppression_changed_at=account.suppression_changed_at,
    )


def book_rows(
    tx: Tx, account_ids: Sequence[int] | None = None, tenant: str | None = DEFAULT_TENANT
) -> list[BookRow]:
    """Every account of the tenant (of every tenant when None) or these, by name."""
    session = orm(tx)
    query = select(Account).order_by(col(Account.name_key))
    if tenant is not None:
        query = query.where(Account.tenant == tenant)
    if account_ids is not None:
        query = query.where(col(Account.id).in_(list(account_ids)))
    accounts = list(session.exec(query).all())
    owners = owners_of(session, [a.id for a in accounts if a.id is not None])
    return [_row(account, owners.get(account.id or 0, [])) for account in accounts]


def book_row(tx: Tx, account_id: int) -> BookRow:
    """The account with this id as the book shows it."""
    session = orm(tx)
    return _row(_account(session, account_id), owners_of(session, [account_id]).get(account_id, []))


def set_suppression(
    tx: Tx, account_id: int, on: bool, reason: str | None, by: str | None
) -> AccountInfo | None:
    """Set or clear `suppress_outreach`; returns the account as stored when that changed it, None
    when it was so already. The row is locked first, so two writers (the colour check, a person
    recording the recovery) take turns."""
    session = orm(tx)
    locked = session.exec(
        select(Account)
        .where(Account.id == account_id)
        .with_for_update()
        # The values the lock holds, not those this transaction may have read before taking it.
        .execution_options(populate_existing=True)
    ).one()
    if locked.suppress_outreach == on:
        return None
    locked.suppress_outreach = on
    locked.suppression_reason = (reason or "")[:300] or None
    locked.suppression_changed_at = utcnow()
    locked.suppression_changed_by = (by or "")[:200] or None
    session.add(locked)
    session.flush()
    return _account_info(locked)


def person_by_platform_id(tx: Tx, platform: str, user_id: str) -> PersonInfo | None:
    session = orm(tx)
    column = Person.slack_user_id if platform == "slack" else Person.teams_user_id
    person = session.exec(select(Person).where(column == user_id)).first()
    return _info(person) if person is not None else None


def owners_to_notify(tx: Tx, account_id: int, platform: str) -> list[str]:
    """The platform user ids of the account's owners who take alerts by direct message."""
    session = orm(tx)
    column = Person.slack_user_id if platform == "slack" else Person.teams_user_id
    rows = session.exec(
        select(column)
        .join(AccountOwner, col(AccountOwner.person_id) == Person.id)
        .where(AccountOwner.account_id == account_id, col(Person.dm_alerts), col(column).is_not(None))
        .order_by(col(AccountOwner.position))
    ).all()
    return [str(row) for row in rows if row]
