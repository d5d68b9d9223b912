"""`tonewatch email-preview`: what Tonewatch reads from one mail, through the inbox's own parsing path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.cli.common import settings
from storage.errors import UserError

if TYPE_CHECKING:
    from handlers.email.parse import ParsedEmail
    from handlers.email.senders import AccountDirectory

#: A mail larger than this is not an .eml anyone previews (the inbox fetches at most 1 MB of one).
MAX_PREVIEW_BYTES = 50_000_000
JSON_KEYS = ("sender", "automated", "forwarded_from", "text")


def _read(path: str) -> bytes:
    file = Path(path)
    if not file.exists():
        raise UserError(f"{path}: no such file")
    if not file.is_file():
        raise UserError(f"{path}: not a file")
    if file.stat().st_size > MAX_PREVIEW_BYTES:
        raise UserError(f"{path}: too large to be one email ({file.stat().st_size} bytes)")
    try:
        return file.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot be read ({exc.strerror or type(exc).__name__})") from None


def preview(raw: bytes, directory: AccountDirectory, max_text_chars: int) -> dict[str, object]:
    """`--json`'s keys (sender, automated, forwarded_from, text: what would be scored), and `forward`."""
    from handlers.email.inbox import read_mail
    from handlers.email.parse import parse_email

    mail: ParsedEmail = parse_email(raw)
    reading = read_mail(mail, directory, max_text_chars)
    if reading is None:
        # Not scored (automated, or nothing left to read): show what the mail says all the same.
        forwarded_only = directory.is_staff(mail.sender_address) and mail.forwarded_sender is not None
        text = mail.text(max_text_chars, forwarded_only=forwarded_only)
    else:
        text = reading.text
    return {
        "sender": mail.sender_address or None,
        "automated": mail.automated,
        "forwarded_from": mail.forwarded_sender,
        "text": text,
        "forward": mail.is_forward,
    }


@click.command("email-preview")
@click.argument("path")
@click.option(
    "--json", "as_json", is_flag=True, help="One JSON object: sender, automated, forwarded_from, text."
)
def email_preview_command(path: str, as_json: bool) -> None:
    """Show what Tonewatch would read and score from one email (.eml), as the inboxes read it."""
    from handlers.email.parse import looks_like_email
    from handlers.email.senders import AccountDirectory

    raw = _read(path)
    problem = looks_like_email(raw)
    if problem is not None:
        raise UserError(f"{path}: {problem}")
    config = settings()
    directory = AccountDirectory(None, config.our_domains, config.domain_accounts)
    shown = preview(raw, directory, config.max_text_chars)
    if as_json:
        click.echo(json.dumps({key: shown[key] for key in JSON_KEYS}, ensure_ascii=False))
        return
    kind = "yes (not scored)" if shown["automated"] else "no"
    click.echo(f"sender: {shown['sender'] or '(none)'}")
    click.echo(f"automated: {kind}")
    if shown["forwarded_from"] or shown["forward"]:
        click.echo(f"forward: yes, from {shown['forwarded_from'] or '(unknown sender)'}")
    click.echo("text:")
    click.echo(str(shown["text"]) or "(nothing to score)")
