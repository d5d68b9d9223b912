"""Keeping secrets out of everything Tonewatch prints: log lines, tracebacks, error messages.

Two layers. Known values: the configured secrets (tokens, signing secrets, the
API key, passwords, the database password) are replaced wherever they appear,
and so are the first and last characters of a long one, so a truncated token
("xoxb-1234…") does not slip through. Shapes: secrets obtained at run time,
which no setting names (a workspace's bot token from an OAuth install, a Bot
Framework token, a password in a URL), are recognised by their form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote, urlsplit

REDACTED = "[redacted]"

#: Shorter values are not looked for by value: they would match ordinary words.
MIN_SECRET_CHARS = 8
#: A secret at least this long also has its leading and trailing FRAGMENT_CHARS looked for.
MIN_FRAGMENTED_CHARS = 20
FRAGMENT_CHARS = 8

#: (pattern, replacement) for secrets recognised by their shape.
SHAPES: tuple[tuple[re.Pattern[str], str], ...] = (
    # Slack tokens: bot, user, app-level, configuration, refresh.
    (re.compile(r"\b(xox[abcdeoprs]|xapp|xoxe\.xox[bp])-[A-Za-z0-9-]{6,}"), r"\1-" + REDACTED),
    (re.compile(r"\bsk-ant-[A-Za-z0-9_-]{6,}"), "sk-ant-" + REDACTED),
    # JWTs (Bot Framework and Entra tokens): base64url header.payload.signature.
    (re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"), REDACTED),
    (re.compile(r"(?i)\b(bearer)(\s+)[A-Za-z0-9._~+/=-]{8,}"), r"\1\2" + REDACTED),
    (re.compile(r"(?i)\b(basic)(\s+)[A-Za-z0-9+/]{16,}={0,2}"), r"\1\2" + REDACTED),
    # A password in a URL: scheme://user:PASSWORD@host
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^:/?#\s@'\"]*:)([^@/?#\s'\"]+)(@)"), r"\1" + REDACTED + r"\3"),
    # Secret-named keys in dict reprs and JSON ('client_secret': '…', "access_token": "…").
    (
        re.compile(
            r"""(?i)(['"](?:access_token|refresh_token|bot_token|user_token|id_token|client_secret|"""
            r"""signing_secret|app_password|password|api_key|x-api-key|token)['"]\s*:\s*)(['"])(.*?)\2"""
        ),
        r"\1\2" + REDACTED + r"\2",
    ),
    # ... and in query strings and forms (client_secret=…&).
    (
        re.compile(r"(?i)\b(access_token|refresh_token|client_secret|password|api_key|token)=([^&\s'\"]+)"),
        r"\1=" + REDACTED,
    ),
)


def url_password(url: str | None) -> str | None:
    """The password in a URL such as postgresql://user:password@host/db, if any."""
    if not url:
        return None
    try:
        return urlsplit(url).password
    except ValueError:
        return None


class SecretScrubber:
    """Replaces known secret values, and anything shaped like a secret, with REDACTED."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._values: set[str] = set()
        self._known: re.Pattern[str] | None = None
        self.add(*secrets)

    def add(self, *secrets: str | None) -> None:
        """Look for these values from now on (None, blanks and very short values are ignored)."""
        before = len(self._values)
        for secret in secrets:
            value = (secret or "").strip()
            if len(value) < MIN_SECRET_CHARS:
                continue
            self._values.update({value, quote(value, safe="")})
            if len(value) >= MIN_FRAGMENTED_CHARS:
                self._values.update({value[:FRAGMENT_CHARS], value[-FRAGMENT_CHARS:]})
        if len(self._values) != before:
            # Longest first, so a whole secret is replaced before any fragment of it.
            alternatives = sorted(self._values, key=len, reverse=True)
            self._known = re.compile("|".join(re.escape(value) for value in alternatives))

    @property
    def known(self) -> int:
        return len(self._values)

    def values(self) -> set[str]:
        return set(self._values)

    def scrub(self, text: str) -> str:
        if not text:
            return text
        if self._known is not None:
            text = self._known.sub(REDACTED, text)
        for pattern, replacement in SHAPES:
            text = pattern.sub(replacement, text)
        return text
