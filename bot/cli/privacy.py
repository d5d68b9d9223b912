"""`tonewatch forget`: erase a customer (GDPR) or purge customer text past the retention period.

    tonewatch forget --account NAME       # the account and everything it owns
    tonewatch forget --email ADDRESS      # every message written from ADDRESS, in any account
    tonewatch forget --older-than DAYS    # text and authors older than DAYS; scores stay

It shows what it will erase and asks first (`--yes` skips the question, `--dry-run` only shows).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING

import click

from bot.cli.common import settings, tenant_option
from storage.errors import UserError

if TYPE_CHECKING:
    from bot.config.settings import Settings
    from bot.privacy.erasure import ErasureSummary
    from storage.db import Engine


@contextmanager
def _engine(config: Settings, read_only: bool) -> Iterator[Engine]:
    from bot.composition import build_engine, sqlite_file_missing

    if sqlite_file_missing(config.database_url):
        raise UserError(f"no database yet ({config.database_url}): nothing is stored to forget")
    engine = build_engine(config, read_only=read_only)
    try:
        yield engine
    finally:
        engine.dispose()


def _show(summary: ErasureSummary, as_json: bool) -> None:
    click.echo(json.dumps(summary.to_json(), ensure_ascii=False) if as_json else "\n".join(summary.lines()))


@click.command("forget")
@click.option(
    "--account", metavar="NAME", help="Delete this account (exact name, any case) and all its data."
)
@click.option(
    "--email", metavar="ADDRESS", help="Erase every message written from this address, in any account."
)
@click.option(
    "--older-than",
    "older_than",
    metavar="DAYS",
    type=click.IntRange(min=1, max=36_500),  # what TONEWATCH_RETENTION_DAYS takes
    help="Erase customer text and authors older than DAYS days; scores stay (the retention purge).",
)
@click.option("--dry-run", is_flag=True, help="Only show what would be erased.")
@click.option("--yes", "-y", "assume_yes", is_flag=True, help="Do not ask for confirmation.")
@tenant_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def forget_command(
    account: str | None,
    email: str | None,
    older_than: int | None,
    dry_run: bool,
    assume_yes: bool,
    tenant: str,
    as_json: bool,
) -> None:
    """Erase a customer's data everywhere (GDPR), or all customer text older than DAYS."""
    from bot.privacy.erasure import forget_account, forget_address, purge_older_than

    chosen = [
        name
        for name, value in (("--account", account), ("--email", email), ("--older-than", older_than))
        if value is not None
    ]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of --account NAME, --email ADDRESS or --older-than DAYS")
    config = settings()
    with _engine(config, read_only=dry_run) as engine:
        erase: Callable[..., ErasureSummary]
        if account is not None:
            erase = partial(forget_account, engine, account, tenant=tenant)
        elif email is not None:
            erase = partial(forget_address, engine, email, tenant=tenant)
        else:
            assert older_than is not None
            erase = partial(purge_older_than, engine, older_than)
        preview = erase(dry_run=True)
        if dry_run or preview.already_forgotten_at is not None or preview.tally.total == 0:
            _show(preview, as_json)
            return
        if not assume_yes:
            # The preview and the question go to stderr, so stdout stays the summary alone (--json).
            click.echo("\n".join([preview.title, *preview.table_lines()]), err=True)
            click.confirm("Erase this for good?", abort=True, err=True)
        _show(erase(dry_run=False), as_json)
