"""`tonewatch accounts import PATH` and `tonewatch accounts list`: the account book."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from bot.cli.common import settings

if TYPE_CHECKING:
    from storage.book import BookRow


@click.group("accounts")
def accounts_group() -> None:
    """The account book: owners, annual value, tier, renewal dates, domains and CRM ids."""


@accounts_group.command("import")
@click.argument("path")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def import_book(path: str, as_json: bool) -> None:
    """Set accounts from a .csv or .jsonl file (columns: account, owner_email, arr, currency, tier,
    renewal_date, domains, crm_id). Safe to repeat; bad rows are reported by line and skipped."""
    from bot.accounts.book import AccountBook
    from bot.accounts.importing import parse_book_file
    from bot.composition import build_engine, build_events

    config = settings()
    parsed = parse_book_file(path)
    created = updated = 0
    if parsed.entries:
        engine = build_engine(config)
        try:
            created, updated = AccountBook(engine, build_events(config)).apply_many(
                [entry for _, entry in parsed.entries]
            )
        finally:
            engine.dispose()
    problems = [{"line": line, "error": problem} for line, problem in parsed.problems]
    if as_json:
        click.echo(
            json.dumps(
                {"applied": len(parsed.entries), "new": created, "updated": updated, "bad_rows": problems}
            )
        )
    else:
        for problem in problems:
            click.echo(f"error: line {problem['line']}: {problem['error']}", err=True)
        click.echo(
            f"applied {len(parsed.entries)} row(s): {created} new account(s), {updated} updated"
            + (f"; {len(problems)} bad row(s) skipped" if problems else "")
        )
    if problems:
        sys.exit(1)


def _money(row: BookRow) -> str:
    if row.arr is None:
        return "—"
    return f"{row.arr:,.0f} {row.currency or 'USD'}"


@accounts_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per account, in a list.")
def list_book(as_json: bool) -> None:
    """Every account with its owner, value, tier, renewal date, domains and CRM ids."""
    from bot.accounts.book import AccountBook
    from bot.accounts.importing import COLUMNS
    from bot.composition import build_engine

    config = settings()
    engine = build_engine(config)
    try:
        rows = AccountBook(engine).rows()
    finally:
        engine.dispose()
    if as_json:
        click.echo(json.dumps([row.to_json() for row in rows], ensure_ascii=False))
        return
    if not rows:
        click.echo(f"no accounts yet; tonewatch accounts import FILE (columns: {', '.join(COLUMNS)})")
        return
    for row in rows:
        parts = [
            row.name,
            f"owner {row.owner or '—'}",
            f"arr {_money(row)}",
            f"tier {row.tier or '—'}",
            f"renews {row.renewal_date.isoformat() if row.renewal_date else '—'}",
        ]
        if row.domains:
            parts.append("domains " + ", ".join(row.domains))
        if row.crm:
            parts.append("crm " + ", ".join(f"{k}:{v}" for k, v in row.crm.items()))
        if row.suppress_outreach:
            parts.append("OUTREACH SUPPRESSED")
        click.echo(" · ".join(parts))
