"""Running the `tonewatch` command in a test: in this process, or as a process of its own.

`tonewatch` runs the command through click's runner in the test's process, with the test's environment
and working folder: what it prints, on which stream, and its exit code are what the installed command
gives, without a second interpreter importing everything again. A test whose point is the process
itself (reading a pipe, a signal, a module refused at import, the command as installed) uses
`tonewatch_process`.
"""

from __future__ import annotations

import subprocess
import sys


def tonewatch(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """The CLI in this process, reported as the process would be (exit code, stdout, stderr as bytes).

    An exception the command let escape is raised here, so a test sees it as the failure it is (the
    installed command would print a traceback).
    """
    from click.testing import CliRunner

    from bot.cli import cli

    result = CliRunner().invoke(cli, list(args), input=stdin, prog_name="tonewatch")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout_bytes, result.stderr_bytes)


def tonewatch_process(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """The CLI in a fresh process, in the test's own working folder (so its own SQLite file)."""
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, timeout=120)


def out(process: subprocess.CompletedProcess) -> str:
    return process.stdout.decode("utf-8")


def err(process: subprocess.CompletedProcess) -> str:
    return process.stderr.decode("utf-8")


def assert_clean_failure(process: subprocess.CompletedProcess, *needles: str) -> None:
    """A non-zero exit with one `error:` (or click's `Usage:`) naming each of `needles`, no traceback."""
    message = err(process)
    assert process.returncode != 0
    assert "Traceback" not in message and "Traceback" not in out(process)
    assert message.startswith("error:") or message.startswith("Usage:"), message
    for needle in needles:
        assert needle in message, message
