"""`tonewatch import`, `tonewatch train` and `tonewatch db upgrade`."""

from __future__ import annotations

import json

import click

from bot.cli.common import run_async, settings
from bot.composition import build_core, build_engine, build_offline_analyzer
from bot.importer import validate_records
from bot.textfiles import read_records
from storage.migrate import current_revision, upgrade


@click.command("import")
@click.argument("path")
@click.option("--no-analyze", is_flag=True, help="Only store; analysis runs later (in `tonewatch run`).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def import_command(path: str, no_analyze: bool, as_json: bool) -> None:
    """Backfill history from .jsonl/.csv (account, text, created_at, source, author, external_id)."""
    from bot.demo_script import shipped_example

    config = settings()
    example = shipped_example(path)
    if example is not None:
        click.echo(f"reading the example shipped with tonewatch: {example}", err=True)
        path = str(example)
    records = list(read_records(path, required=("account", "text", "created_at")))
    messages = validate_records(records, path, config.max_text_chars)
    core = build_core(config)

    async def store_and_analyze() -> dict:
        try:
            stored = core.pipeline.store_many(messages)
            analyzed = 0 if no_analyze else await core.pipeline.analyze_pending()
            new = sum(1 for s in stored if s.created)
            return {
                "rows": len(stored),
                "new": new,
                "already_stored": len(stored) - new,
                "accounts": len({m.account.casefold() for m in messages if m.account}),
                "analyzed": analyzed,
            }
        finally:
            await core.aclose()

    summary = run_async(store_and_analyze)
    if as_json:
        click.echo(json.dumps(summary))
    else:
        click.echo(
            f"imported {summary['new']} new message(s) ({summary['already_stored']} already stored) "
            f"for {summary['accounts']} account(s); analyzed {summary['analyzed']}"
        )


@click.command("train")
@click.argument("path", required=False)
@click.option("--reset", "reset_model", is_flag=True, help="Go back to the plain offline analyzer.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def train_command(path: str | None, reset_model: bool, as_json: bool) -> None:
    """Fit the team's own model on LABELED.csv (text,label) plus corrections made in chat."""
    from bot.training import add_examples, reset, train  # scikit-learn loads only when training

    config = settings()
    engine = build_engine(config)
    try:
        if reset_model:
            if path:
                raise click.UsageError("--reset takes no file")
            count = reset(engine)
            click.echo(f"back to the plain offline analyzer ({count} model(s) deactivated)")
            return
        added = skipped = 0
        if path:
            rows = list(read_records(path, required=("text", "label")))
            added, skipped = add_examples(
                engine, rows, source=f"file:{path}", max_text_chars=config.max_text_chars
            )
        summary = train(engine, build_offline_analyzer(config, None))
        summary.update(added_examples=added, skipped_examples=skipped)
    finally:
        engine.dispose()
    if as_json:
        click.echo(json.dumps(summary))
    else:
        metrics = ", ".join(
            f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in summary["metrics"].items()
        )
        click.echo(
            f"trained model {summary['model_id']} on {summary['trained_on']} texts "
            f"({added} new from the file) in {summary['seconds']} s; {metrics}"
        )


@click.group("db")
def db_group() -> None:
    """Database schema commands."""


@db_group.command("upgrade")
def db_upgrade_command() -> None:
    """Create or migrate the schema to the newest revision (safe to repeat)."""
    config = settings()
    engine = build_engine(config, migrate=False)
    try:
        upgrade(engine)
        click.echo(f"database at revision {current_revision(engine)} ({engine.url.render_as_string()})")
    finally:
        engine.dispose()
