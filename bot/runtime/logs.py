"""How the command line logs: one handler on stderr, text for people or JSON for log pipelines.

`TONEWATCH_LOG_FORMAT=text` (the default) prints
`2026-11-23 09:00:00,123 WARNING bot.runtime.worker work item … failed [work_item_kind=post_alert]`;
`json` prints one object per line with `ts`, `level`, `logger`, `message` and
every extra field the call gave (`event_id`, `message_id`, `account`,
`work_item_kind`, …), plus `exc_info` for a traceback.

Every line passes through a `SecretScrubber` first (bot/runtime/scrub.py): configured
secrets and anything shaped like a token never reach the output, whatever
library logged them and at whatever level.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
import time
from datetime import UTC, datetime
from typing import Any, TextIO

from bot.runtime.scrub import SecretScrubber

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
#: Libraries that say something at INFO on every request, job run or import (Alembic lists its plugins
#: when a command first needs it, after logging is set up); heard at DEBUG only.
CHATTY_AT_INFO = ("httpx", "apscheduler", "alembic")

#: Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    return {key: value for key, value in vars(record).items() if key not in _STANDARD and key[:1] != "_"}


class ScrubSecrets(logging.Filter):
    """Rewrites a record's message, traceback and extra fields with the secrets replaced."""

    def __init__(self, scrubber: SecretScrubber) -> None:
        super().__init__()
        self.scrubber = scrubber
        self._plain = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string still gets logged, scrubbed
            message = f"{record.msg!r} % {record.args!r}"
        record.msg, record.args = self.scrubber.scrub(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._plain.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.scrubber.scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = self.scrubber.scrub(record.stack_info)
        for key, value in extra_fields(record).items():
            if isinstance(value, str):
                setattr(record, key, self.scrubber.scrub(value))
        return True


class TextFormatter(logging.Formatter):
    """The classic line, with any extra fields appended as [key=value …]."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - the stdlib's name
        line = super().formatMessage(record)
        extras = extra_fields(record)
        if extras:
            line += " [" + " ".join(f"{key}={value}" for key, value in sorted(extras.items())) + "]"
        return plain_line(line)


#: Characters a text log line shows escaped: line breaks and other controls (a forged second line,
#: a terminal escape sequence), whatever text the message carries.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def plain_line(text: str) -> str:
    """THE rule for text logs: one record, one line, no control characters (shown as `\\n`, `\\x1b`).
    Tracebacks are appended after it by the formatter, as they always were."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in extra_fields(record).items():
            entry.setdefault(key, value)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc_info"] = record.exc_text
        if record.stack_info:
            entry["stack_info"] = record.stack_info
        return json.dumps(entry, default=str, ensure_ascii=False)


class TonewatchHandler(logging.StreamHandler):
    """The CLI's handler: stderr (looked up at each write, so a swapped sys.stderr is honoured)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        logging.Handler.__init__(self)
        self._fixed_stream = stream
        self.scrubber = SecretScrubber()
        self.addFilter(ScrubSecrets(self.scrubber))

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return self._fixed_stream or sys.stderr

    @stream.setter
    def stream(self, value: TextIO | None) -> None:
        self._fixed_stream = value


def _ours() -> TonewatchHandler | None:
    return next((h for h in logging.getLogger().handlers if isinstance(h, TonewatchHandler)), None)


def configure_logging(
    level: str = "WARNING", fmt: str = "text", secrets=(), stream: TextIO | None = None
) -> TonewatchHandler | None:
    """Log to stderr at `level` in `fmt`, never printing `secrets`; call again to change level or format.

    Like `logging.basicConfig`, it leaves alone a process whose logging someone else set up
    (a test runner, an application embedding Tonewatch), and then returns None.
    """
    root = logging.getLogger()
    handler = _ours()
    if handler is None:
        if root.handlers:
            return None
        handler = TonewatchHandler(stream)
        root.addHandler(handler)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.scrubber.add(*secrets)
    level_name = str(level).upper()
    root.setLevel(level_name if level_name in logging.getLevelNamesMapping() else logging.WARNING)
    for name in CHATTY_AT_INFO:
        logging.getLogger(name).setLevel(logging.NOTSET if root.level <= logging.DEBUG else logging.WARNING)
    # Library warnings (warnings.warn) become log records: same format, same scrubbing.
    logging.captureWarnings(True)
    return handler


def protect(*secrets: str | None) -> None:
    """Never print these values (added to the CLI's handler, when it is installed)."""
    handler = _ours()
    if handler is not None:
        handler.scrubber.add(*secrets)


def scrub(text: str) -> str:
    """`text` with the protected secrets and anything shaped like a secret replaced."""
    handler = _ours()
    return (handler.scrubber if handler is not None else SecretScrubber()).scrub(text)


def announce(message: str, **fields: Any) -> None:
    """A line an operator always sees (start-up banner, shutdown), whatever the level.

    In JSON format it is a log object like any other (so every stderr line parses); in text
    format, or when the CLI's handler is not installed, it is the plain line.
    """
    handler = _ours()
    if handler is None or not isinstance(handler.formatter, JsonFormatter):
        print(scrub(message), file=sys.stderr, flush=True)
        return
    record = logging.makeLogRecord(
        {"name": "tonewatch", "levelno": logging.INFO, "levelname": "INFO", "msg": message, **fields}
    )
    handler.handle(record)


class RefusedRequests:
    """Rate-limited WARNING lines about refused requests: which route and why (a fixed reason, never
    the request's headers or body), at most one line per route and reason every `interval` seconds,
    with how many were refused in between. A flood of forged requests is a few lines a minute."""

    def __init__(self, logger: logging.Logger, interval: float = 60.0, clock=None) -> None:
        self.logger = logger
        self.interval = interval
        self.clock = clock or time.monotonic
        self._last: dict[tuple[str, str], float] = {}
        self._quiet: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def __call__(self, route: str, reason: str, status: int) -> None:
        key = (route, reason)
        now = self.clock()
        with self._lock:
            last = self._last.get(key)
            if last is not None and now - last < self.interval:
                self._quiet[key] = self._quiet.get(key, 0) + 1
                return
            self._last[key] = now
            quiet = self._quiet.pop(key, 0)
        more = f" ({quiet} more since the last line)" if quiet else ""
        self.logger.warning(
            "refused %s: %s (%d)%s", route, reason, status, more,
            extra={"route": route, "reason": reason, "status": status, "refused_since": quiet},
        )  # fmt: skip


#: Bolt's request verification logs each forged request with its whole body (up to 4 MiB) at INFO.
_BOLT_VERIFICATION_LOGGERS = ("slack_bolt.RequestVerification", "slack_bolt.AsyncRequestVerification")


class DropRejectedBodies(logging.Filter):
    """Drops a library's record of a refused request's body, at every level (customer text that
    `forget` and retention never reach, and a log flood); `RefusedRequests` says it instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = str(record.msg)
        except Exception:  # noqa: BLE001 - unreadable means not shown
            return False
        return not message.startswith("Invalid request signature detected") and "body:" not in message


def silence_rejected_bodies(*loggers: logging.Logger) -> None:
    """Install `DropRejectedBodies` on Bolt's verification loggers (and any given)."""
    for logger in (*(logging.getLogger(name) for name in _BOLT_VERIFICATION_LOGGERS), *loggers):
        if not any(isinstance(f, DropRejectedBodies) for f in logger.filters):
            logger.addFilter(DropRejectedBodies())
