"""The account book service: applies `BookEntry`s and reads the book, one transaction each."""

from __future__ import annotations

from bot.accounts.entry import BookEntry
from bot.webhooks import NO_EVENTS, WebhookEvents
from storage.book import BookRow, book_row, book_rows, set_owners, update_account
from storage.db import Engine, Session, read_scope, session_scope
from storage.models import Account
from storage.queries import find_account


def apply_entry(session: Session, entry: BookEntry) -> tuple[Account, bool]:
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
        session, entry.account, values=values, domains=entry.domains, crm=entry.crm or None
    )
    if entry.owners is not None:
        set_owners(session, account, entry.owners)
    return account, new


class AccountBook:
    def __init__(self, engine: Engine, events: WebhookEvents = NO_EVENTS) -> None:
        self.engine = engine
        self.events = events

    def apply(self, entry: BookEntry) -> tuple[BookRow, bool]:
        with session_scope(self.engine) as session:
            account, new = apply_entry(session, entry)
            return book_row(session, account), new

    def apply_many(self, entries: list[BookEntry]) -> tuple[int, int]:
        """Apply entries together (one transaction); returns (new accounts, updated accounts)."""
        created = updated = 0
        with session_scope(self.engine) as session:
            for entry in entries:
                _, new = apply_entry(session, entry)
                created, updated = created + new, updated + (not new)
        return created, updated

    def rows(self) -> list[BookRow]:
        with read_scope(self.engine) as session:
            return book_rows(session)

    def row(self, name: str) -> BookRow | None:
        with read_scope(self.engine) as session:
            account = find_account(session, name)
            return book_row(session, account) if account is not None else None
