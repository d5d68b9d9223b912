"""`tonewatch account NAME` and `tonewatch digest --preview`: health and the digest from stored history."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.cli.common import as_of_moment, run_async, settings, tenant_option
from storage.errors import UserError

if TYPE_CHECKING:

    from bot.config.settings import Settings
    from storage.db import Engine


@contextmanager
def _engine(config: Settings) -> Iterator[Engine]:
    from bot.composition import build_engine, sqlite_file_missing

    if sqlite_file_missing(config.database_url):
        raise UserError(
            f"no database yet ({config.database_url}); import history first: tonewatch import FILE"
        )
    engine = build_engine(config, read_only=True)  # reads only: never creates or migrates the schema
    try:
        yield engine
    finally:
        engine.dispose()


def _rules(config: Settings):
    from bot.health.rules import load_health_rules

    return load_health_rules(config.health_rules_file, config.critical_score, config.warning_score)


@click.command("account")
@click.argument("name")
@click.option(
    "--as-of", "as_of", metavar="ISO-DATE", help="Compute as if it were this moment (UTC if no zone)."
)
@tenant_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def account_command(name: str, as_of: str | None, tenant: str, as_json: bool) -> None:
    """How an account is doing: colour, trend, averages, concerns and why."""
    from bot.digest.render import render_account_text
    from bot.health.report import account_report
    from storage.db import transaction

    config = settings()
    moment = as_of_moment(as_of)
    rules = _rules(config)
    with _engine(config) as engine, transaction(engine) as tx:
        report = account_report(tx, name, moment, rules, tenant)
    click.echo(json.dumps(report, ensure_ascii=False) if as_json else render_account_text(report))


@click.command("digest")
@click.option("--preview", is_flag=True, help="Print the digest here instead of posting it.")
@click.option(
    "--as-of",
    "as_of",
    metavar="ISO-DATE",
    help="The digest that would be sent at this moment (it covers the 7 days before its day).",
)
@click.option("--owner", help="Only this CSM's accounts (what their DM digest shows).")
@click.option(
    "--timezone", "zone", help="Time zone of the week boundaries (default TONEWATCH_DIGEST_TIMEZONE)."
)
@click.option(
    "--narrative", is_flag=True, help="Ask Claude for the opening paragraph (needs ANTHROPIC_API_KEY)."
)
@tenant_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def digest_command(
    preview: bool,
    as_of: str | None,
    owner: str | None,
    zone: str | None,
    narrative: bool,
    tenant: str,
    as_json: bool,
) -> None:
    """The weekly digest: colours and movement, who needs attention and why, silence, SLA, incidents."""
    from bot.config.settings import parse_time_zone
    from bot.digest.build import DigestOptions, build_digest, period_for
    from bot.digest.render import render_digest_text
    from bot.health.incidents import IncidentRules
    from storage.db import transaction

    if not preview:
        raise click.UsageError(
            "use --preview to see the digest here; scheduled digests are posted by `tonewatch run`"
        )
    config = settings()
    try:
        zone = parse_time_zone(zone or config.digest_timezone)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--timezone") from None
    period = period_for(as_of_moment(as_of), zone)
    options = DigestOptions(
        rules=_rules(config),
        incident_rules=IncidentRules(
            window_hours=config.incident_window_hours, min_accounts=config.incident_min_accounts
        ),
        sla_hours=config.reply_sla_hours,
        chart_dir=Path(config.chart_dir).resolve(),
    )
    with _engine(config) as engine, transaction(engine) as tx:
        digest = build_digest(
            tx, period, options, owner=owner, target_key=f"preview-{owner or 'all'}", tenant=tenant
        )
    if narrative:
        run_async(lambda: _narrate(config, digest))
    click.echo(json.dumps(digest.to_json(), ensure_ascii=False) if as_json else render_digest_text(digest))


async def _narrate(config: Settings, digest) -> None:
    if not config.claude_configured:
        raise UserError("--narrative needs ANTHROPIC_API_KEY")
    from anthropic import AsyncAnthropic

    from bot.digest.build import add_narrative
    from bot.digest.narrative import ClaudeNarrator

    assert config.anthropic_api_key is not None
    client = AsyncAnthropic(
        api_key=config.anthropic_api_key.get_secret_value(),
        base_url=config.anthropic_base_url,
        timeout=config.llm_timeout_seconds,
        max_retries=config.llm_max_retries,
    )
    try:
        await add_narrative(digest, ClaudeNarrator(client, config.reasoning_model))
    finally:
        await client.close()
