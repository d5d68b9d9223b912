"""The `tonewatch` command line. Each sub-command lives in its own module, imported when it is named
(or when `--help` lists it), so a command loads only what it uses."""

from __future__ import annotations

import importlib
import logging
import sys
import traceback
import uuid

import click

from bot.runtime.logs import scrub
from storage.errors import UserError

#: Every sub-command: its name and where it is defined ("module:attribute").
COMMANDS: dict[str, str] = {
    "account": "bot.cli.accounts:account_command",
    "accounts": "bot.cli.book:accounts_group",
    "analyze": "bot.cli.analyze:analyze_command",
    "crm": "bot.cli.crm:crm_group",
    "db": "bot.cli.data:db_group",
    "demo": "bot.cli.demo:demo_command",
    "digest": "bot.cli.accounts:digest_command",
    "email-preview": "bot.cli.mail:email_preview_command",
    "eval": "bot.cli.analyze:eval_command",
    "forget": "bot.cli.privacy:forget_command",
    "import": "bot.cli.data:import_command",
    "run": "bot.cli.serve:run_command",
    "secrets": "bot.cli.secrets:secrets_group",
    "teams-package": "bot.cli.teams:teams_package_command",
    "train": "bot.cli.data:train_command",
}


class TonewatchGroup(click.Group):
    """Loads a sub-command's module only when it is named, and turns errors into one clear line and a
    non-zero exit, never a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands or cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        module_name, attribute = COMMANDS[cmd_name].split(":")
        command: click.Command = getattr(importlib.import_module(module_name), attribute)
        return command

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
            from bot.config.settings import debug_tracebacks

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
    from bot.config.settings import early_logging, secrets_in_environment
    from bot.runtime.logs import configure_logging

    # Until a command reads the settings (`run` applies TONEWATCH_LOG_LEVEL/FORMAT from them, .env
    # included), log warnings and worse, never printing a secret the environment holds.
    level, form = early_logging()
    configure_logging(level, form, secrets=secrets_in_environment())


def main() -> None:
    cli(prog_name="tonewatch")
