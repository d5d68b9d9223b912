"""The console's poster: every post as terminal text or as JSON lines (`tonewatch digest`, the scheduler
without a chat platform, tests)."""

from __future__ import annotations

import json
import sys
import threading
from typing import TextIO

from bot.alerts.delivery import thread_text
from bot.alerts.service import AlertCard
from bot.digest.build import Digest
from bot.digest.render import render_digest_text
from bot.outbound.port import AlertNotice, Destination, Poster, PostReceipt


class ConsolePoster(Poster):
    """Writes to a terminal (readable text) or as JSON lines (one object per post).

    A terminal is ours alone, so every destination is internal; a written line cannot be taken back.
    """

    platform = "console"

    def __init__(self, stream: TextIO | None = None, as_json: bool = False) -> None:
        self.stream = stream
        self.as_json = as_json
        self._lock = threading.Lock()
        self._lines = 0

    def _write(self, text: str) -> None:
        stream = self.stream or sys.stdout
        stream.write(text + "\n")
        stream.flush()

    def _post(self, kind: str, where: str | None, text: str, fields: dict) -> str:
        with self._lock:
            self._lines += 1
            ref = f"{kind}:{self._lines}"
            if self.as_json:
                shown = {"type": kind, "target": where, "ref": ref, **fields}
                self._write(json.dumps(shown, ensure_ascii=False))
            else:
                self._write(f"— {kind}{f' → {where}' if where else ''} —\n{text}\n")
            return ref

    async def is_internal(self, channel: str, *, unknown_raises: bool = False) -> bool:
        return True

    async def post_alert(self, channel: str, card: AlertCard) -> str:
        text = f"{card.severity} · {card.account}: \u201c{card.quote}\u201d"
        return self._post("alert", channel, text, {"alert_id": card.alert_id, "text": text})

    async def refresh_alert(self, channel: str, ref: str, card: AlertCard) -> None:
        text = f"{card.severity} · {card.account}: {card.status}"
        self._post("alert_update", channel, text, {"alert_id": card.alert_id, "ref": ref, "text": text})

    async def update_alert(
        self, channel: str, ref: str, card: AlertCard, joined_quote: str | None, note: str | None = None
    ) -> str | None:
        await self.refresh_alert(channel, ref, card)
        line = note or (f"New message on this issue: \u201c{joined_quote}\u201d" if joined_quote else None)
        return await self.post_note(channel, ref, line) if line else None

    async def post_alert_thread(self, channel: str, ref: str, card: AlertCard) -> str | None:
        return await self.post_note(channel, ref, thread_text(card))

    async def post_note(self, channel: str, ref: str, text: str) -> str:
        return self._post("thread", channel, text, {"root": ref, "text": text})

    async def retract_post(self, channel: str, root: str, ref: str) -> None:
        return None

    async def post_digest(self, target: Destination, digest: Digest) -> PostReceipt:
        with self._lock:
            if self.as_json:
                self._write(
                    json.dumps(
                        {"type": "digest", "target": target.key, **digest.to_json()}, ensure_ascii=False
                    )
                )
            else:
                self._write(f"— digest for {target.key} —\n{render_digest_text(digest)}\n")
        return PostReceipt(self.platform, f"{target.key}:{digest.period.key}")

    async def post_notice(self, notice: AlertNotice, target: Destination | None = None) -> PostReceipt:
        with self._lock:
            if self.as_json:
                self._write(
                    json.dumps(
                        {"type": "alert", "target": target.key if target else None, **notice.to_json()},
                        ensure_ascii=False,
                    )
                )
            else:
                where = f" → {target.key}" if target else ""
                self._write(f"— {notice.kind}{where} —\n{notice.render_text()}\n")
        return PostReceipt(self.platform, notice.key)
