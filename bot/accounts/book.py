"""The account book service: applies `BookEntry`s and reads the book, one transaction each."""

from __future__ import annotations

from bot.accounts.entry import BookEntry
from bot.webhooks import NO_EVENTS, WebhookEvents
from storage.book import BookRow, book_row, book_rows, set_owners, update_account
from storage.db import Engine, Transaction, read_transaction, transaction
from storage.queries import find_account
from storage.records import AccountInfo
from storage.tenants import DEFAULT_TENANT


def apply_entry(tx: Transaction, entry: BookEntry) -> tuple[AccountInfo, bool]:
    """Write one entry in the caller's transaction; returns (account, whether it was new)."""
    values: dict = {}
    if entry.arr is not None:
        values["arr"] = entry.arr
    if entry.currency is not None:
        values["currency"] = entry.currency
    if entry.tier is not None:
        values["tier"] = entry.tier
    if entry.renewal_date is not None:
        values["renewal_date"] = entry.renewal_date
    account, new = update_account(
        tx,
        entry.account,
        values=values,
        domains=entry.domains,
        crm=entry.crm or None,
        tenant=entry.tenant,
    )
    if entry.owners is not None:
        set_owners(tx, account.id, entry.owners)
    return account, new


class AccountBook:
    def __init__(self, engine: Engine, events: WebhookEvents = NO_EVENTS) -> None:
        self.engine = engine
        self.events = events

    def apply(self, entry: BookEntry) -> tuple[BookRow, bool]:
        with transaction(self.engine) as tx:
            account, new = apply_entry(tx, entry)
            return book_row(tx, account.id), new

    def apply_many(self, entries: list[BookEntry]) -> tuple[int, int]:
        """Apply entries together (one transaction); returns (new accounts, updated accounts)."""
        created = updated = 0
        with transaction(self.engine) as tx:
            for entry in entries:
                _, new = apply_entry(tx, entry)
                created, updated = created + new, updated + (not new)
        return created, updated

    def rows(self, tenant: str = DEFAULT_TENANT) -> list[BookRow]:
        with read_transaction(self.engine) as tx:
            return book_rows(tx, tenant=tenant)

    def row(self, name: str, tenant: str = DEFAULT_TENANT) -> BookRow | None:
        with read_transaction(self.engine) as tx:
            account = find_account(tx, name, tenant)
            return book_row(tx, account.id) if account is not None else None
