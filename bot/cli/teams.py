"""`tonewatch teams-package`: the Teams app package to upload (Teams admin center or Developer Portal)."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.common import settings
from storage.errors import UserError

NO_APP_ID = (
    "TEAMS_APP_ID is not set. Create an Azure Bot (single-tenant), enable its Microsoft Teams channel, "
    "and set TEAMS_APP_ID to its Microsoft App ID (and TEAMS_APP_PASSWORD, TEAMS_TENANT_ID)"
)


@click.command("teams-package")
@click.option(
    "--out",
    "out",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write tonewatch-teams.zip into.",
)
@click.option("--developer", default="Tonewatch", show_default=True, help="Publisher name shown in Teams.")
@click.option(
    "--website",
    default="https://tonewatch.example.com",
    show_default=True,
    help="Publisher website (https); /privacy and /terms are linked under it.",
)
@click.option(
    "--domain",
    default=None,
    help="Public host serving /api/messages, as a host or a URL (its host goes in validDomains).",
)
def teams_package_command(out: Path, developer: str, website: str, domain: str | None) -> None:
    """Write the Teams app package (manifest v1.25: RSC permissions, shared and private channels, icons),
    zipped, ready to upload."""
    from handlers.teams.package import PackageDetails, bare_host, write_package

    config = settings()
    if config.teams_app_id is None:
        raise UserError(NO_APP_ID)
    if not website.startswith("https://"):
        raise UserError("--website must be an https:// address (Teams requires it)")
    if domain is not None:
        try:
            domain = bare_host(domain)
        except ValueError as exc:
            raise UserError(f"--domain: {exc}") from None
    details = PackageDetails(app_id=config.teams_app_id, developer=developer, website=website, domain=domain)
    path = write_package(details, out)
    click.echo(f"wrote {path}")
    click.echo("Upload it in Teams (Apps › Manage your apps › Upload an app) or the Teams admin center.")
