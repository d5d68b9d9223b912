"""The chat verbs of the account book, shared by Slack's `/tonewatch` and Teams' `@Tonewatch`:

    account ACME [owner @sam] [arr 48000] [currency EUR] [tier enterprise] [renews 2027-01-31]
                 [domain acme.com] [crm hubspot:123]
    recovered ACME

The platforms differ only in how an owner is named (a Slack mention, a Teams mention, an email)
and in their markup; each passes an `OwnerResolver` and a `Markup`. Only our own people reach
these (each platform refuses anyone else first).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.accounts.book import AccountBook
from bot.accounts.entry import (
    BookEntry,
    parse_account,
    parse_arr,
    parse_crm_id,
    parse_currency,
    parse_domains,
    parse_email,
    parse_renewal_date,
    parse_switch,
    parse_tier,
    with_dm,
)
from bot.accounts.suppression import Suppression
from bot.health.report import UnknownAccount, find_account
from storage.book import BookRow, PersonInfo
from storage.db import read_transaction
from storage.errors import UserError
from storage.tenants import DEFAULT_TENANT

#: Keyword → field; the words after a keyword, up to the next one, are its value.
KEYWORDS = {
    "owner": "owner",
    "owners": "owner",
    "arr": "arr",
    "value": "arr",
    "currency": "currency",
    "tier": "tier",
    "segment": "tier",
    "renews": "renewal_date",
    "renewal": "renewal_date",
    "domain": "domains",
    "domains": "domains",
    "crm": "crm",
    "dm": "dm",
}
ACCOUNT_USAGE = "`account Acme owner @sam arr 48000 renews 2027-01-31` (also currency, tier, domain, crm)"

#: The owner words → the people they name (raise UserError for one that names nobody).
OwnerResolver = Callable[[str], Awaitable[list[PersonInfo]]]


@dataclass(frozen=True)
class Markup:
    bold: Callable[[str], str]
    escape: Callable[[str], str] = lambda text: text


async def emails_only(words: str) -> list[PersonInfo]:
    """The resolver when a platform knows no mentions: owners named by email."""
    people = []
    for word in words.replace(",", " ").split():
        try:
            people.append(PersonInfo(email=parse_email(word)))
        except ValueError:
            raise UserError(f"name the owner by mention or email, not `{word}`") from None
    return people


def split_fields(words: list[str]) -> tuple[str, dict[str, str]]:
    """(account name, {field: value words}) of `ACME owner @sam arr 48k`."""
    name: list[str] = []
    fields: dict[str, list[str]] = {}
    current: str | None = None
    for word in words:
        key = KEYWORDS.get(word.lower().rstrip(":"))
        if key is not None and (current is not None or name):
            current = key
            if key in fields:
                raise UserError(f"`{word}` is given twice")
            fields[key] = []
        elif current is None:
            name.append(word)
        else:
            fields[current].append(word)
    for key, value in fields.items():
        if not value:
            raise UserError(f"`{key.replace('_', ' ')}` needs a value: {ACCOUNT_USAGE}")
    return " ".join(name), {key: " ".join(value) for key, value in fields.items()}


def _parse(parse, value: str, label: str):
    try:
        return parse(value)
    except ValueError as exc:
        raise UserError(str(exc) if str(exc).startswith(label) else f"{label}: {exc}") from None


def _canonical_name(book: AccountBook, name: str, tenant: str) -> tuple[str, bool]:
    """The tenant's existing account `name` means (loosely), or `name` itself for a new one."""
    name = _parse(parse_account, name, "account")
    with read_transaction(book.engine) as tx:
        try:
            return find_account(tx, name, tenant).name, False
        except UnknownAccount as exc:
            if "did you mean" in str(exc):
                raise
            return name, True


def describe(row: BookRow, markup: Markup) -> str:
    parts = [
        f"owner {markup.escape(', '.join(p.name or p.email or '' for p in row.owners) or row.owner or '—')}",
        f"ARR {row.arr:,.0f} {row.currency or 'USD'}" if row.arr is not None else "ARR —",
        f"tier {markup.escape(row.tier)}" if row.tier else "",
        f"renews {row.renewal_date.isoformat()}" if row.renewal_date else "",
        f"domains {markup.escape(', '.join(row.domains))}" if row.domains else "",
        "crm " + markup.escape(", ".join(f"{k}:{v}" for k, v in row.crm.items())) if row.crm else "",
        "outreach suppressed" if row.suppress_outreach else "",
    ]
    return f"{markup.bold(markup.escape(row.name))}: " + " · ".join(p for p in parts if p)


async def account_verb(
    book: AccountBook,
    words: list[str],
    resolve_owner: OwnerResolver,
    markup: Markup,
    tenant: str = DEFAULT_TENANT,
) -> str:
    """`account ACME [field value]…`: set the given fields of the tenant's account, or show its entry."""
    name, fields = split_fields(words)
    if not name:
        raise UserError(f"name the account: {ACCOUNT_USAGE}")
    canonical, new = _canonical_name(book, name, tenant)
    if not fields:
        if new:
            raise UserError(f"no account named {name!r} yet; set it up with {ACCOUNT_USAGE}")
        row = await asyncio.to_thread(book.row, canonical, tenant)
        assert row is not None
        return describe(row, markup)
    entry = BookEntry(account=canonical, tenant=tenant)
    if "owner" in fields:
        entry.owners = await resolve_owner(fields["owner"])
        if not entry.owners:
            raise UserError("name the owner: `owner @sam`")
    if "dm" in fields:
        if entry.owners is None:
            raise UserError("say whose DMs: `owner @sam dm off`")
        entry.owners = with_dm(entry.owners, _parse(parse_switch, fields["dm"], "dm"))
    if "arr" in fields:
        entry.arr, entry.currency = _parse(parse_arr, fields["arr"], "arr")
    if "currency" in fields:
        entry.currency = _parse(parse_currency, fields["currency"], "currency")
    if "tier" in fields:
        entry.tier = _parse(parse_tier, fields["tier"], "tier")
    if "renewal_date" in fields:
        entry.renewal_date = _parse(parse_renewal_date, fields["renewal_date"], "renewal_date")
    if "domains" in fields:
        entry.domains = _parse(parse_domains, fields["domains"], "domains")
    if "crm" in fields:
        entry.crm = _parse(parse_crm_id, fields["crm"], "crm_id")
    saved, _ = await asyncio.to_thread(book.apply, entry)
    return ("New account. " if new else "Saved. ") + describe(saved, markup)


async def recovered_verb(
    suppression: Suppression, words: list[str], by: str, markup: Markup, tenant: str = DEFAULT_TENANT
) -> str:
    """`recovered ACME`: the recovery conversation happened; outreach may resume."""
    name = " ".join(words)
    if not name:
        raise UserError("name the account: `recovered Acme`")
    with read_transaction(suppression.engine) as tx:
        canonical = find_account(tx, _parse(parse_account, name, "account"), tenant).name
    row, changed = await asyncio.to_thread(suppression.recovered, canonical, by, tenant)
    title = markup.bold(markup.escape(row.name))
    if not changed:
        return f"{title} was not suppressed; nothing to change."
    return f"Recovery recorded for {title}: outreach is no longer suppressed."
