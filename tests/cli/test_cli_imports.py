"""A command loads only what it uses: `tonewatch --help` imports the sub-command modules (it shows their
help) but none of the database, web, chat, settings or numeric libraries behind them.

The checks read `sys.modules` in a fresh process, so they hold on any machine, however loaded."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest

from bot.cli import COMMANDS, cli

#: Libraries (and Tonewatch packages) that the listing of commands has no use for.
HEAVY_FOR_HELP = (
    "bot.composition",
    "bot.config.settings",
    "bot.analysis",
    # storage.errors (the two error tiers every command raises) is all of storage the listing loads.
    "storage.db",
    "storage.models",
    "storage.queries",
    "storage.migrate",
    "handlers",
    "scheduler",
    "sqlalchemy",
    "sqlmodel",
    "alembic",
    "aiohttp",
    "slack_bolt",
    "slack_sdk",
    "pydantic",
    "pydantic_settings",
    "anthropic",
    "apscheduler",
    "numpy",
    "sklearn",
    "matplotlib",
)

#: What `tonewatch analyze TEXT` with no database has no use for: the servers, the chat platforms, the
#: scheduler and the database itself.
HEAVY_FOR_ANALYZE = (
    "bot.runtime.server",
    "bot.webhooks",
    "bot.alerts",
    "handlers",
    "scheduler",
    # The error types and tenant names of storage are all it may load: no database code.
    "storage.db",
    "storage.models",
    "storage.queries",
    "storage.migrate",
    "sqlalchemy",
    "aiohttp",
    "slack_bolt",
    "slack_sdk",
    "apscheduler",
    "anthropic",
    "sklearn",
    "matplotlib",
)


def loaded_after(*args: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    """Run the CLI with `args` in a fresh process; its output and the modules it had imported by the end."""
    code = (
        "import json, sys\n"
        "from bot.cli import main\n"
        f"sys.argv = ['tonewatch', *{list(args)!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    process = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    return process, set(json.loads(process.stderr.strip().splitlines()[-1]))


def present(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(p for p in packages if any(m == p or m.startswith(p + ".") for m in modules))


def test_help_lists_every_command_without_loading_what_they_use() -> None:
    process, modules = loaded_after("--help")
    assert process.returncode == 0
    listed = process.stdout.split("Commands:", 1)[1].split()
    assert set(COMMANDS) <= set(listed)
    # The help shows each command's own help, so each sub-command module was imported...
    assert {target.split(":")[0] for target in COMMANDS.values()} <= modules
    # ...and none of them pulled in what only running a command needs.
    assert present(modules, HEAVY_FOR_HELP) == []


@pytest.mark.slow
def test_analyze_loads_neither_servers_nor_platforms_nor_the_database() -> None:
    process, modules = loaded_after("analyze", "the export is broken again")
    assert process.returncode == 0, process.stderr[-2000:]
    assert process.stdout.startswith("negative")
    assert present(modules, HEAVY_FOR_ANALYZE) == []


def test_each_entry_of_the_command_table_is_the_command_of_that_name() -> None:
    context = click.Context(cli)
    assert cli.list_commands(context) == sorted(COMMANDS)
    for name in COMMANDS:
        command = cli.get_command(context, name)
        assert isinstance(command, click.Command)
        assert command.name == name
    assert cli.get_command(context, "no-such-command") is None
