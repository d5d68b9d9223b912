"""`tonewatch import`, `tonewatch train` and `tonewatch db upgrade|current|check|downgrade`."""

from __future__ import annotations

import json
import sys

import click

from bot.cli.common import run_async, settings
from storage.errors import UserError


@click.command("import")
@click.argument("path")
@click.option("--no-analyze", is_flag=True, help="Only store; analysis runs later (in `tonewatch run`).")
@click.option(
    "--batch", "use_batch", is_flag=True,
    help="Send the Claude analyses through the Message Batches API (half price, answers within 24 h); "
    "running the command again resumes a batch it was waiting for.",
)
@click.option(
    "--poll-interval", type=click.FloatRange(min=0.01), default=60.0, show_default=True,
    help="With --batch: seconds between checks of the batch.",
)
@click.option(
    "--max-wait", type=click.FloatRange(min=0), default=None,
    help="With --batch: give up waiting after this many seconds (the batch goes on; run again to resume).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def import_command(
    path: str, no_analyze: bool, use_batch: bool, poll_interval: float, max_wait: float | None, as_json: bool
) -> None:
    """Backfill history from .jsonl/.csv (account, text, created_at, source, author, external_id)."""
    from bot.composition import build_batch_backfill, build_core, check_batch_settings
    from bot.demo.script import shipped_example
    from bot.messages.importer import validate_records
    from bot.messages.textfiles import read_records

    if not use_batch:
        context = click.get_current_context()
        for name, option in (("poll_interval", "--poll-interval"), ("max_wait", "--max-wait")):
            if context.get_parameter_source(name) is click.core.ParameterSource.COMMANDLINE:
                raise click.UsageError(f"{option} goes with --batch")
    elif no_analyze:
        raise click.UsageError("--batch analyzes; it cannot go with --no-analyze")
    config = settings()
    if use_batch:
        check_batch_settings(config)
    example = shipped_example(path)
    if example is not None:
        click.echo(f"reading the example shipped with tonewatch: {example}", err=True)
        path = str(example)
    records = read_records(path, required=("account", "text", "created_at"))  # read as validated
    messages = validate_records(records, path, config.max_text_chars)
    core = build_core(config)

    async def store_and_analyze() -> dict:
        try:
            stored = core.pipeline.store_many(messages)
            batch: dict | None = None
            if use_batch:
                backfill = build_batch_backfill(
                    core, poll_interval=poll_interval, max_wait=max_wait,
                    progress=lambda line: click.echo(line, err=True),
                )
                report = await backfill.run()
                analyzed, batch = report.analyzed, report.to_json()
            else:
                analyzed = 0 if no_analyze else await core.pipeline.analyze_pending()
            new = sum(1 for s in stored if s.created)
            summary = {
                "rows": len(stored),
                "new": new,
                "already_stored": len(stored) - new,
                "accounts": len({m.account.casefold() for m in messages if m.account}),
                "analyzed": analyzed,
            }
            if batch is not None:
                summary["batch"] = batch
            return summary
        finally:
            await core.aclose()

    summary = run_async(store_and_analyze)
    if as_json:
        click.echo(json.dumps(summary))
    else:
        line = (
            f"imported {summary['new']} new message(s) ({summary['already_stored']} already stored) "
            f"for {summary['accounts']} account(s); analyzed {summary['analyzed']}"
        )
        if "batch" in summary:
            batch = summary["batch"]
            fallbacks = sum(batch["fallbacks"].values())
            line += (
                f" ({batch['offline']} offline, {batch['from_claude']} by Claude in batches, "
                f"{fallbacks} kept the offline analysis after a failed request)"
            )
        click.echo(line)


@click.command("train")
@click.argument("path", required=False)
@click.option("--reset", "reset_model", is_flag=True, help="Go back to the plain offline analyzer.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def train_command(path: str | None, reset_model: bool, as_json: bool) -> None:
    """Fit the team's own model on LABELED.csv (text,label) plus corrections made in chat."""
    from bot.analysis.training import add_examples, reset, train  # scikit-learn loads only when training
    from bot.composition import build_engine, build_offline_analyzer
    from bot.messages.textfiles import read_records

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
            f"({added} new from the file, {summary['from_corrections']} corrected in chat) "
            f"in {summary['seconds']} s; {metrics}"
        )


@click.group("db")
def db_group() -> None:
    """Database schema commands."""


def _db_engine(config, must_exist: bool):
    from bot.composition import sqlite_file_missing, unchecked_engine

    if must_exist and sqlite_file_missing(config.database_url):
        raise UserError(f"no database yet ({config.database_url}); create it with: tonewatch db upgrade")
    return unchecked_engine(config)


def _where(engine) -> str:
    return engine.url.render_as_string()  # the password hidden


@db_group.command("upgrade")
def db_upgrade_command() -> None:
    """Create the schema, or migrate it to the newest revision (safe to repeat)."""
    from storage.migrate import Status, schema_state, upgrade

    config = settings()
    engine = _db_engine(config, must_exist=False)
    try:
        before = schema_state(engine)
        if before.status is Status.UNKNOWN:
            raise UserError(f"the database schema is at {before.describe()}")
        upgrade(engine)
        after = schema_state(engine)
        if before.current == after.current:
            click.echo(f"database already at revision {after.current} (head) ({_where(engine)})")
        else:
            was = f"from {before.current} " if before.current else "created, "
            click.echo(f"database {was}to revision {after.current} (head) ({_where(engine)})")
    finally:
        engine.dispose()


@db_group.command("current")
def db_current_command() -> None:
    """Print the schema's revision and whether it is the newest (changes nothing)."""
    from storage.migrate import schema_state

    config = settings()
    engine = _db_engine(config, must_exist=True)
    try:
        click.echo(f"{schema_state(engine).describe()} ({_where(engine)})")
    finally:
        engine.dispose()


@db_group.command("check")
def db_check_command() -> None:
    """Exit 0 when the schema is at the newest revision, 1 (with the reason) when it is not."""
    from storage.migrate import Status, schema_state

    config = settings()
    engine = _db_engine(config, must_exist=True)
    try:
        state = schema_state(engine)
    finally:
        engine.dispose()
    if state.status is not Status.AT_HEAD:
        if state.status is Status.EMPTY:
            raise UserError(f"{state.describe()}: create it with: tonewatch db upgrade")
        raise UserError(f"database schema at {state.describe()}")
    click.echo(f"database schema at {state.describe()}")


@db_group.command("downgrade")
@click.argument("revision")
@click.option("--yes", "assume_yes", is_flag=True, help="Do not ask first (asked only at a terminal).")
def db_downgrade_command(revision: str, assume_yes: bool) -> None:
    """Take the schema down to REVISION (an id from `tonewatch db current`, a prefix like 0007, or base:
    no Tonewatch tables at all). What the newer revisions stored in their columns and tables is lost."""
    from storage.migrate import Status, downgrade, resolve_revision, revisions, schema_state

    config = settings()
    target = resolve_revision(revision)
    engine = _db_engine(config, must_exist=True)
    try:
        state = schema_state(engine)
        if state.status in (Status.EMPTY, Status.UNKNOWN):
            raise UserError(f"cannot downgrade: {state.describe()}")
        order = ["base", *revisions()]
        if order.index(target) > order.index(state.current or "base"):
            raise UserError(
                f"{target} is newer than the schema's revision {state.current}: use tonewatch db upgrade"
            )
        if target == state.current:
            click.echo(f"database already at revision {target} ({_where(engine)})")
            return
        if not assume_yes and sys.stdin.isatty():  # a person at a terminal is asked; scripts are not
            click.confirm(
                f"Downgrade {_where(engine)} from {state.current} to {target}? Data in what the newer "
                "revisions added is deleted",
                abort=True,
                err=True,
            )
        downgrade(engine, target)
        click.echo(f"database from {state.current} down to revision {target} ({_where(engine)})")
    finally:
        engine.dispose()
