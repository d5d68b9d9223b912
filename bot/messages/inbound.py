"""The rules every way in (POST /ingest, `tonewatch import`, the chat and e-mail handlers) applies to a
message before it becomes a `storage.inbound.InboundMessage`."""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import timedelta

from storage.inbound import SourceKind

#: What every way in (POST /ingest, `tonewatch import`) accepts: one rule, one set of numbers.
MAX_ACCOUNT_CHARS = 200
MAX_AUTHOR_CHARS = 300
MAX_ID_CHARS = 250
#: A created_at further in the future than this is a wrong clock or a wrong field.
FUTURE_TOLERANCE = timedelta(days=1)
#: The survey scores a message may carry, by kind.
SCORE_RANGES = {SourceKind.nps: (0.0, 10.0), SourceKind.csat: (1.0, 5.0)}


def score_problem(kind: SourceKind, score: float | None, source: str) -> str | None:
    """Why `score` cannot go with a message of this kind (None: it can)."""
    if score is None:
        return None
    if kind not in SCORE_RANGES:
        return f"a score is only taken with source nps (0–10) or csat (1–5), not {source}"
    low, high = SCORE_RANGES[kind]
    if not low <= score <= high:  # NaN is in no range
        return f"{kind.value.upper()} scores run from {low:g} to {high:g}"
    return None


CONTROL_CHARACTERS = "must not contain control characters (NUL, escape, line breaks…)"


def has_control_characters(value: str) -> bool:
    """Whether a name or an id holds a character no person types in one: C0/C1 controls, DEL, NUL,
    a lone surrogate. Every way in refuses such names and ids the same way (on every database):
    PostgreSQL cannot store NUL at all, and `forget --account` could never name such an account."""
    return any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value)


def stable_external_id(*parts: object) -> str:
    """An id for sources that give none, stable across re-imports of the same row."""
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode("utf-8")).hexdigest()
    return f"h:{digest[:32]}"
