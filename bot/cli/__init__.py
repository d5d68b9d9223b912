"""The `tonewatch` command line. Each sub-command lives in its own module."""

from __future__ import annotations

import logging
import sys
import traceback
import uuid

import click

from bot.cli.accounts import account_command, digest_command
from bot.cli.analyze import analyze_command, eval_command
from bot.cli.book import accounts_group
from bot.cli.crm import crm_group
from bot.cli.data import db_group, import_command, train_command
from bot.cli.demo import demo_command
from bot.cli.mail import email_preview_command
from bot.cli.privacy import forget_command
from bot.cli.secrets import secrets_group
from bot.cli.serve import run_command
from bot.cli.teams import teams_package_command
from bot.config.settings import debug_tracebacks, early_logging, secrets_in_environment
from bot.errors import UserError
from bot.runtime.logs import configure_logging, scrub


class TonewatchGroup(click.Group):
    """Turns errors into one clear line and a non-zero exit, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except UserError as exc:
            click.echo(f"error: {scrub(str(exc))}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except Exception as exc:  # noqa: BLE001 - the last line of defence for a CLI
            error_id = uuid.uuid4().hex[:8]
            logging.getLogger("tonewatch").debug("unexpected error %s", error_id, exc_info=True)
            if debug_tracebacks():
                click.echo(scrub(traceback.format_exc()), err=True, nl=False)
            click.echo(
                f"error: unexpected {type(exc).__name__} (id {error_id}); set TONEWATCH_DEBUG=1 for details",
                err=True,
            )
            sys.exit(1)


@click.group(cls=TonewatchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tonewatch", message="%(prog)s %(version)s")
def cli() -> None:
    """Tonewatch hears how customers feel: it scores every customer message and tells the right people."""
    # Until a command reads the settings (`run` applies TONEWATCH_LOG_LEVEL/FORMAT from them, .env
    # included), log warnings and worse, never printing a secret the environment holds.
    level, form = early_logging()
    configure_logging(level, form, secrets=secrets_in_environment())


cli.add_command(analyze_command)
cli.add_command(eval_command)
cli.add_command(import_command)
cli.add_command(train_command)
cli.add_command(db_group)
cli.add_command(run_command)
cli.add_command(account_command)
cli.add_command(accounts_group)
cli.add_command(crm_group)
cli.add_command(digest_command)
cli.add_command(teams_package_command)
cli.add_command(demo_command)
cli.add_command(forget_command)
cli.add_command(email_preview_command)
cli.add_command(secrets_group)


def main() -> None:
    cli(prog_name="tonewatch")
