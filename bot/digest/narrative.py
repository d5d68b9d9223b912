"""The optional Claude narrative: a short opening paragraph for the digest, from prompts/digest_narrative.

Claude sees only the digest's facts (counts, reasons, concerns, incidents and
redacted quotes) inside a <digest_facts> block the prompt declares to be data.
Any failure — no prompt file, a timeout, an empty or over-long answer — returns
None, and the digest keeps its template headline.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from bot.digest.build import Digest

log = logging.getLogger(__name__)

MAX_NARRATIVE_CHARS = 900


def digest_facts(digest: Digest) -> dict:
    """What the narrator may use: the digest without message ids or chart paths, quotes redacted."""
    from bot.analysis.redaction import redact

    data = digest.to_json()
    for key in ("chart", "narrative", "headline", "target"):
        data.pop(key, None)
    for item in data.get("attention", []):
        if item.get("quote"):
            item["quote"] = {
                "quote": redact(item["quote"]["quote"]).text,
                "created_at": item["quote"]["created_at"],
            }
    for item in data.get("unanswered", []):
        item["quote"] = redact(item["quote"]).text
    for item in data.get("opportunities", []):
        item["text"] = redact(item["text"]).text
    data["template_headline"] = digest.template_headline
    return data


class ClaudeNarrator:
    """Callable narrator: `await narrator(digest)` → paragraph or None."""

    def __init__(self, client: Any, model: str, prompt: Any = None, max_tokens: int = 400) -> None:
        self.client = client
        self.model = model
        self.prompt = prompt
        self.max_tokens = max_tokens

    def _prompt(self):
        if self.prompt is None:
            from bot.analysis.prompts import load_prompt

            self.prompt = load_prompt("digest_narrative")
        return self.prompt

    async def __call__(self, digest: Digest) -> str | None:
        try:
            prompt = self._prompt()
            facts = json.dumps(digest_facts(digest), ensure_ascii=False, default=str)
            response = await self.client.messages.create(
                model=self.model,
                max_tokens=self.max_tokens,
                system=[{"type": "text", "text": prompt.body}],
                messages=[{"role": "user", "content": f"<digest_facts>\n{facts}\n</digest_facts>"}],
            )
        except Exception:  # noqa: BLE001 - the template is the fallback for every failure
            log.warning("digest narrative: Claude call failed; using the template", exc_info=True)
            return None
        if getattr(response, "stop_reason", None) not in (None, "end_turn", "stop_sequence"):
            return None
        text = "".join(getattr(block, "text", "") for block in response.content or []).strip()
        if not text or len(text) > MAX_NARRATIVE_CHARS:
            return None
        return text
