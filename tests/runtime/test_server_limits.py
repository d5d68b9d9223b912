"""`tonewatch run` sheds clients that stall mid-headers or mid-body, and keeps answering the others.

The read timeout is a setting (TONEWATCH_HTTP_READ_TIMEOUT, 30 s by default); here it is 2 s: short, yet
long enough that a test paused for a moment (a loaded machine, a garbage collection) between connecting
and sending its headers is not taken for a client stalling mid-headers.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time

import pytest

from tests.support.run_process import start_tonewatch_run

TOKEN = "ingest-token-for-tests-0123456789"
TIMEOUT = 2.0


@pytest.fixture
async def served(tmp_path):
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TEAMS_", "ANTHROPIC_"))},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'limits.db'}",
        "TONEWATCH_INGEST_TOKEN": TOKEN,
        "TONEWATCH_HTTP_READ_TIMEOUT": str(TIMEOUT),
        "TONEWATCH_HTTP_MAX_CONNECTIONS": "60",
    }
    process, url = await start_tonewatch_run(environment, tmp_path)
    host, port = url.removeprefix("http://").rsplit(":", 1)
    try:
        yield host, int(port)
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)


async def connect(address, first: bytes = b""):
    reader, writer = await asyncio.open_connection(*address)
    if first:
        writer.write(first)
        await writer.drain()
    return reader, writer


async def closed_after(reader) -> tuple[float, bytes]:
    """Seconds until the server closed the connection, and what it said before."""
    start = time.monotonic()
    try:
        said = await asyncio.wait_for(reader.read(), 60)
    except ConnectionResetError:
        # Closed with our bytes unread: the kernel answers with a reset instead of an end of file.
        said = b""
    return time.monotonic() - start, said


async def timed_get(address, path: str = "/healthz") -> tuple[float, bytes]:
    start = time.monotonic()
    reader, writer = await connect(
        address, f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    )
    answer = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    return time.monotonic() - start, answer


@pytest.mark.slow
async def test_stalled_headers_and_bodies_are_closed_and_others_keep_being_answered(served) -> None:
    mid_headers = [await connect(served, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ") for _ in range(20)]
    body_head = (
        f"POST /ingest HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
        'Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{"account": '
    ).encode()
    mid_body = [await connect(served, body_head) for _ in range(20)]
    idle = [await connect(served) for _ in range(5)]

    # Others are answered at once meanwhile.
    for _ in range(5):
        seconds, answer = await timed_get(served)
        assert answer.startswith(b"HTTP/1.1 200") and seconds < 0.5, (seconds, answer[:100])

    for reader, _writer in mid_headers + idle:
        seconds, said = await closed_after(reader)
        assert seconds < TIMEOUT + 3 and said == b"", (seconds, said[:100])
    for reader, _writer in mid_body:
        seconds, said = await closed_after(reader)
        assert seconds < TIMEOUT + 3, seconds
        assert said.startswith(b"HTTP/1.1 408"), said[:200]
        assert "did not arrive" in json.loads(said.partition(b"\r\n\r\n")[2])["error"]


async def test_a_slow_drip_of_header_bytes_does_not_keep_a_connection(served) -> None:
    reader, writer = await connect(served)
    start = time.monotonic()
    with pytest.raises((ConnectionError, OSError)):
        for byte in b"GET /healthz HTTP/1.1\r\nHost: x\r\n" * 10:
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(0.1)  # the client's pace, not a wait for the server
            if reader.at_eof():
                raise ConnectionResetError
    assert time.monotonic() - start < TIMEOUT + 3


async def test_connections_over_the_limit_are_closed_at_once(served) -> None:
    held = [await connect(served, b"GET /healthz HTTP/1.1\r\nHost: x\r\n") for _ in range(60)]
    reader, _writer = await connect(served, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    seconds, said = await closed_after(reader)
    assert said == b"" and seconds < TIMEOUT / 2
    for held_reader, _w in held:
        await closed_after(held_reader)
    seconds, answer = await timed_get(served)
    assert answer.startswith(b"HTTP/1.1 200")
