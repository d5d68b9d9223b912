"""The Teams app package: manifest.json (schema v1.25) and its two icons, zipped, ready to upload.

The manifest names the Azure Bot's app id (TEAMS_APP_ID) as the bot and as
the Entra app whose resource-specific consent (RSC) lets Tonewatch read every
message of the channels and chats it is added to (ChannelMessage.Read.Group,
ChatMessage.Read.Chat), not only those that mention it, and the members of
those channels (ChannelMember.Read.Group: in a shared channel, people of other
organisations join the channel without joining the team, and Tonewatch tells
customers from staff by membership). `supportedChannelTypes` lets a team add
the bot to its shared and private channels, where customer conversations with
other organisations happen, not only to standard channels. The icons are drawn
here: 192×192 in colour, and a 32×32 outline that is white on transparent, as
Teams requires. No Agents SDK import: the CLI builds this without the `teams` extra.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from storage.errors import UserError

MANIFEST_VERSION = "1.25"
SCHEMA = f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
RSC_PERMISSIONS = ("ChannelMessage.Read.Group", "ChatMessage.Read.Chat", "ChannelMember.Read.Group")
#: Beyond standard channels (the default), the channel types the bot can be added to.
SUPPORTED_CHANNEL_TYPES = ("sharedChannels", "privateChannels")
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
ACCENT = "#1D3557"
COLOR_SIZE, OUTLINE_SIZE = 192, 32

#: The bot's commands as Teams suggests them (titles ≤ 32 characters, descriptions ≤ 128).
COMMANDS = (
    ("watch", "Score the customer's messages here: watch [account]"),
    ("unwatch", "Stop watching this channel or chat"),
    ("alerts", "Make this internal channel the alert channel"),
    ("status", "What Tonewatch does with this channel"),
    ("digest here", "The weekly digest in this internal channel: digest here [mon 09:00 Europe/Paris]"),
    ("how is", "Ask about an account: how is Acme doing?"),
    ("help", "What Tonewatch can do"),
)


@dataclass(frozen=True)
class PackageDetails:
    app_id: str
    developer: str = "Tonewatch"
    website: str = "https://tonewatch.example.com"
    privacy_url: str | None = None
    terms_url: str | None = None
    #: The public host of /api/messages (optional; listed in validDomains). See `bare_host`.
    domain: str | None = None


def bare_host(value: str) -> str:
    """The host of `value`, a host name (`bot.example.com`, `*.example.com`) or a URL
    (`https://bot.example.com/api/messages`): what Teams expects in validDomains. ValueError names
    what is wrong."""
    text = value.strip()
    if not text or any(c.isspace() for c in text):
        raise ValueError(f"{value!r} is not a host name or URL")
    parts = urlsplit(text if "://" in text else f"//{text}")
    if parts.scheme not in ("", "http", "https"):
        raise ValueError(f"{value!r}: only an https:// address or a bare host name")
    if parts.username is not None or parts.password is not None:
        raise ValueError(f"{value!r}: no user name or password in the domain")
    host = (parts.hostname or "").rstrip(".")
    wildcard = host.startswith("*.")
    labels = (host[2:] if wildcard else host).split(".")
    try:
        labels = [label.encode("idna").decode("ascii") if not label.isascii() else label for label in labels]
    except UnicodeError:
        raise ValueError(f"{value!r} is not a valid host name") from None
    if len(labels) < 2 or not all(_HOST_LABEL.match(label) for label in labels):
        raise ValueError(f"{value!r} is not a valid public host name (like bot.example.com)")
    return ("*." if wildcard else "") + ".".join(labels)


def package_version() -> str:
    try:
        return version("tonewatch")
    except PackageNotFoundError:
        return "0.0.0"


def manifest(details: PackageDetails) -> dict[str, Any]:
    website = details.website.rstrip("/")
    return {
        "$schema": SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": package_version(),
        "id": details.app_id,
        "developer": {
            "name": details.developer,
            "websiteUrl": website,
            "privacyUrl": details.privacy_url or f"{website}/privacy",
            "termsOfUseUrl": details.terms_url or f"{website}/terms",
        },
        "name": {"short": "Tonewatch", "full": "Tonewatch: how your customers feel"},
        "description": {
            "short": "Scores customer messages and alerts the right people",
            "full": (
                "Tonewatch reads the customer channels and chats it is added to, scores every customer "
                "message (sentiment, urgency, concerns, churn risk, expansion), posts alerts with a drafted "
                "reply in an internal channel, answers questions about accounts and sends a weekly digest. "
                "Alerts, scores and drafts never appear where customers can read them."
            ),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": ACCENT,
        "bots": [
            {
                "botId": details.app_id,
                "scopes": ["personal", "team", "groupChat"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    {
                        "scopes": ["personal", "team", "groupChat"],
                        "commands": [{"title": title, "description": text} for title, text in COMMANDS],
                    }
                ],
            }
        ],
        "validDomains": [bare_host(details.domain)] if details.domain else [],
        "supportedChannelTypes": list(SUPPORTED_CHANNEL_TYPES),
        "webApplicationInfo": {"id": details.app_id},
        "authorization": {
            "permissions": {
                "resourceSpecific": [{"name": name, "type": "Application"} for name in RSC_PERMISSIONS]
            }
        },
    }


SUPERSAMPLE = 4


def _png(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _icon(size: int, background: tuple[int, ...], stroke: float, dot: bool) -> bytes:
    """A tone wave (one full sine period) across the icon, drawn large and scaled down for smooth edges."""
    import math

    from PIL import Image, ImageDraw

    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), background)
    draw = ImageDraw.Draw(image)
    radius = stroke * big / 2
    left, right = big * 0.18, big * 0.82
    for step in range(400):
        x = left + (right - left) * step / 399
        y = big / 2 - big * 0.18 * math.sin(2 * math.pi * step / 399)
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(255, 255, 255, 255))
    if dot:
        draw.ellipse((big * 0.74, big * 0.16, big * 0.86, big * 0.28), fill=(230, 57, 70, 255))
    return _png(image.resize((size, size), Image.Resampling.LANCZOS))


def color_icon() -> bytes:
    """192×192, full colour: a white tone wave and a red dot on the accent colour."""
    accent = tuple(int(ACCENT[i : i + 2], 16) for i in (1, 3, 5)) + (255,)
    return _icon(COLOR_SIZE, accent, stroke=0.07, dot=True)


def outline_icon() -> bytes:
    """32×32, white on transparent (Teams shows it on its own colours)."""
    return _icon(OUTLINE_SIZE, (0, 0, 0, 0), stroke=0.12, dot=False)


def write_package(details: PackageDetails, folder: Path) -> Path:
    """Write `tonewatch-teams.zip` (manifest.json, color.png, outline.png at its root) into `folder`."""
    if folder.exists() and not folder.is_dir():
        raise UserError(f"--out {folder} is a file; give the folder the package goes in")
    path = folder / "tonewatch-teams.zip"
    if path.is_dir():
        raise UserError(f"{path} is a folder; move it, or give another --out")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.json", json.dumps(manifest(details), indent=2, ensure_ascii=False))
            archive.writestr("color.png", color_icon())
            archive.writestr("outline.png", outline_icon())
    except OSError as exc:  # a parent that is a file, no permission, a full disk
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path
