"""Starting `tonewatch run` as an operator would: a separate process, on a free port, until SIGTERM."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path


async def start_tonewatch_run(environment: dict[str, str], cwd: Path, timeout: float = 60.0):
    """(the process, its base URL) once it says it is listening; its stderr stays readable."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--port",
        "0",
        cwd=cwd,
        env=environment,
        stderr=asyncio.subprocess.PIPE,
    )
    banner = ""
    while "listening on" not in banner:
        line = await asyncio.wait_for(process.stderr.readline(), timeout)
        if not line:
            raise RuntimeError("tonewatch run exited before listening")
        banner = line.decode()
    return process, banner.split("listening on ", 1)[1].strip()
