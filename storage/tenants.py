"""Tenants: whose data a row is, and the reads that stay inside one.

A tenant is a plain string: `slack:<team id>` (or `slack:<enterprise id>` for an Enterprise Grid
organization installed org-wide), `teams:<tenant id>`, or `default` for an install serving one
organization (a single-token Slack app, a single-tenant Teams app, /ingest, inboxes and `tonewatch
import` unless they name one). Accounts, places, messages, alerts and digest targets carry it; every
read made for a person names the asker's tenant, and the scheduler works tenant by tenant.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the constant is read by light modules (the CLI's options) that load no database code
    from sqlalchemy import Select

    from storage.db import Tx

DEFAULT_TENANT = "default"


def tenant_account_ids(tenant: str) -> Select:
    """The ids of the tenant's accounts, as a subquery for `IN`."""
    from sqlmodel import select

    from storage.models import Account

    return select(Account.id).where(Account.tenant == tenant)


def account_ids_of(tx: Tx, tenant: str, owner: str | None = None) -> list[int]:
    """The tenant's accounts (only `owner`'s, case-insensitive, when given)."""
    from storage.db import orm

    session = orm(tx)
    from sqlalchemy import func
    from sqlmodel import col, select

    from storage.models import Account

    query = select(Account.id).where(Account.tenant == tenant)
    if owner is not None:
        query = query.where(func.lower(Account.owner) == owner.casefold())
    return [row[0] for row in session.execute(query.order_by(col(Account.id)))]


def account_names_of(tx: Tx, tenant: str) -> list[str]:
    from storage.db import orm

    session = orm(tx)
    from sqlmodel import select

    from storage.models import Account

    return [
        row[0]
        for row in session.execute(
            select(Account.name).where(Account.tenant == tenant).order_by(Account.name)
        )
    ]


def messages_in_tenant(tx: Tx, tenant: str, message_ids: Iterable[int]) -> set[int]:
    """Those of `message_ids` that are the tenant's (a cited or clicked id from elsewhere is not)."""
    from storage.db import orm

    session = orm(tx)
    from sqlmodel import select

    from storage.models import CustomerMessage

    ids = sorted(set(message_ids))
    if not ids:
        return set()
    m = CustomerMessage.__table__.c  # type: ignore[attr-defined]
    return {row[0] for row in session.execute(select(m.id).where(m.id.in_(ids), m.tenant == tenant))}


def alert_tenant(tx: Tx, alert_id: int) -> str | None:
    from storage.db import orm

    session = orm(tx)
    from sqlmodel import select

    from storage.models import Alert

    return session.execute(select(Alert.tenant).where(Alert.id == alert_id)).scalar_one_or_none()


def tenants_in_use(tx: Tx) -> list[str]:
    """Every tenant that has an account or a place, in order (what the scheduler walks through)."""
    from storage.db import orm

    session = orm(tx)
    from sqlalchemy import union
    from sqlmodel import select

    from storage.models import Account, Place

    rows = session.execute(union(select(Account.tenant), select(Place.tenant)))
    return sorted({row[0] for row in rows})
