"""`tonewatch` run as an operator runs it, with every line it prints kept, for tests that read its output.

Both pipes are read all along (a DEBUG-level process writes far more than a
pipe buffer holds, and would block on a full one). The start-up banner is
recognised in either log format: the text line "tonewatch listening on URL"
or the JSON object carrying `url`.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


def announced_url(line: str) -> str | None:
    """The base URL a start-up banner line gives, in text or JSON format."""
    try:
        entry = json.loads(line)
    except ValueError:
        entry = None
    if isinstance(entry, dict) and entry.get("url"):
        return str(entry["url"])
    if "listening on " in line:
        return line.split("listening on ", 1)[1].strip()
    return None


@dataclass
class LoggedProcess:
    """A running `python -m bot ARGS…`, its stdout and stderr lines, and its URL once it listens."""

    process: asyncio.subprocess.Process
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    _readers: list[asyncio.Task] = field(default_factory=list)

    @classmethod
    async def start(cls, args: list[str], environment: dict[str, str], cwd: Path) -> LoggedProcess:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *args,
            cwd=cwd,
            env=environment,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        started = cls(process)
        for stream, lines in ((process.stdout, started.stdout), (process.stderr, started.stderr)):
            started._readers.append(asyncio.create_task(_read(stream, lines)))
        return started

    @property
    def output(self) -> str:
        """Everything printed so far, stdout then stderr."""
        return "".join(self.stdout) + "".join(self.stderr)

    async def wait_for_line(
        self, predicate: Callable[[str], object], timeout: float = 20.0, what: str = "a line"
    ):
        """The first stderr line `predicate` accepts (waiting for it); fails if the process ends first."""
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for line in self.stderr[seen:]:
                if predicate(line):
                    return line
            seen = len(self.stderr)
            if self.process.returncode is not None and all(r.done() for r in self._readers):
                if not any(predicate(line) for line in self.stderr[seen:]):
                    raise AssertionError(f"the process ended without {what}:\n{self.output[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}:\n{self.output[-3000:]}")
            await asyncio.sleep(0.02)

    async def listening(self, timeout: float = 60.0) -> str:
        """The base URL, once the banner says the server listens."""
        line = await self.wait_for_line(announced_url, timeout, "the start-up banner")
        url = announced_url(line)
        assert url is not None
        return url

    async def finish(self, timeout: float = 30.0) -> int:
        """The exit code of a process that ends by itself, with all its output read."""
        code = await asyncio.wait_for(self.process.wait(), timeout)
        await asyncio.wait_for(asyncio.gather(*self._readers), 5)
        return code

    async def terminate(self, timeout: float = 20.0) -> int:
        """SIGTERM, then the exit code once it has shut down."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        return await self.finish(timeout)

    async def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
        await self.process.wait()
        for reader in self._readers:
            reader.cancel()
        await asyncio.gather(*self._readers, return_exceptions=True)


async def _read(stream: asyncio.StreamReader | None, lines: list[str]) -> None:
    assert stream is not None
    while line := await stream.readline():
        lines.append(line.decode("utf-8", errors="replace"))


def files_written(
    folder: Path, suffixes: tuple[str, ...] = (".log", ".txt", ".json", ".jsonl")
) -> dict[str, str]:
    """The text of every file a run left in `folder` that could be a log, by path."""
    return {
        str(path): path.read_text(encoding="utf-8", errors="replace")
        for path in folder.rglob("*")
        if path.is_file() and (path.suffix in suffixes or "log" in path.name.lower())
    }
