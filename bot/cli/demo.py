"""`tonewatch demo`: see Tonewatch work in under a minute, with no Slack and no keys."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.common import run_async
from storage.errors import UserError


@click.command("demo")
@click.option(
    "--out",
    "out",
    default="tonewatch-demo",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the demo's database and chart PNGs (its database is replaced on every run).",
)
def demo_command(out: Path) -> None:
    """Play a week of a small portfolio through the real app against a local Slack stand-in, and print it."""
    from bot.demo.play import run_demo
    from bot.demo.report import print_run

    run = run_async(lambda: run_demo(out))
    try:
        print_run(run, click.echo)
    finally:
        run.api.close()
        if run.crm is not None:
            run.crm.close()
    if run.api.violations():
        raise UserError("internal content reached a place customers can read (see above)")
