"""`tonewatch crm sync`: the CRM sync by hand (the same as the scheduled job)."""

from __future__ import annotations

import json
import sys

import click

from bot.cli.common import settings
from storage.errors import UserError


@click.group("crm")
def crm_group() -> None:
    """The CRM sync with HubSpot and Salesforce (docs/crm.md)."""


@crm_group.command("sync")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per CRM, in a list.")
def crm_sync(as_json: bool) -> None:
    """Pull owners, values and renewals into the account book; push health and suppression back."""
    from bot.composition import build_crm_sync, build_engine

    config = settings()
    if not config.crm_systems:
        raise UserError("no CRM configured: set TONEWATCH_HUBSPOT_TOKEN or TONEWATCH_SALESFORCE_URL/_TOKEN")
    engine = build_engine(config)
    try:
        summaries = build_crm_sync(config, engine).sync()
    finally:
        engine.dispose()
    if as_json:
        click.echo(json.dumps([s.to_json() for s in summaries]))
    else:
        for s in summaries:
            click.echo(
                f"{s.system}: {s.pulled} pulled, {s.matched} matched ({s.unmatched} unmatched); "
                f"{s.pushed} pushed, {s.unchanged} unchanged"
            )
            for error in s.errors:
                click.echo(f"error: {s.system}: {error}", err=True)
    if any(s.errors for s in summaries):
        sys.exit(1)
