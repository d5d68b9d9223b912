"""`tonewatch secrets`: make a key for TONEWATCH_SECRET_KEY, and re-encrypt stored tokens with a new one."""

from __future__ import annotations

import json

import click

from bot.cli.common import settings
from storage.errors import UserError


@click.group("secrets")
def secrets_group() -> None:
    """Workspace tokens encrypted at rest (TONEWATCH_SECRET_KEY)."""


@secrets_group.command("new-key")
def new_key_command() -> None:
    """Print a new Fernet key for TONEWATCH_SECRET_KEY (nothing is stored)."""
    from bot.secrets import new_key

    click.echo(new_key())


@secrets_group.command("rotate")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def rotate_command(as_json: bool) -> None:
    """Re-encrypt every stored workspace token with the first key of TONEWATCH_SECRET_KEY.

    Put the new key first and the old ones after it; once this has run, the old keys can go.
    Tokens stored unencrypted (before a key was set) are encrypted too. One transaction: all or none.
    """
    from bot.composition import build_engine
    from bot.secrets import SecretBox
    from storage.slack_tables import rewrite_tokens

    config = settings()
    if config.secret_key is None:
        raise UserError(
            "TONEWATCH_SECRET_KEY is not set: put the new key first, then the old ones, comma-separated"
        )
    box = SecretBox(config.secret_key.get_secret_value())
    engine = build_engine(config)
    try:
        changed = rewrite_tokens(engine, box.reseal)
    finally:
        engine.dispose()
    if as_json:
        click.echo(json.dumps({"rows_reencrypted": changed}))
    else:
        click.echo(f"re-encrypted the tokens of {changed} stored installation row(s) with the first key")
