"""Socket Mode while Slack cannot be reached: `tonewatch run` serves its probes, readiness says why it
is not ready, and SIGTERM or SIGINT stops it at once (no SIGKILL needed)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket

import aiohttp
import pytest

from tests.support.run_process import start_tonewatch_run


def closed_port() -> int:
    """A local port nothing listens on: Slack, unreachable."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
@pytest.mark.slow
async def test_socket_mode_with_slack_unreachable_stops_on_a_signal(tmp_path, signum) -> None:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TEAMS_", "ANTHROPIC_"))},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'socket.db'}",
        "SLACK_BOT_TOKEN": "xoxb-socket-test",
        "SLACK_APP_TOKEN": "xapp-1-socket-test",
        "SLACK_API_URL": f"http://127.0.0.1:{closed_port()}/api/",
    }
    process, url = await start_tonewatch_run(environment, tmp_path)
    try:
        async with aiohttp.ClientSession() as http:

            async def readiness() -> dict:
                async with http.get(f"{url}/readyz") as response:
                    assert response.status == 503
                    return await response.json()

            answer = await readiness()
            deadline = asyncio.get_running_loop().time() + 20
            while "last error" not in answer["reason"]:  # the first attempt's failure, once made
                assert asyncio.get_running_loop().time() < deadline, answer
                await asyncio.sleep(0.05)  # the poll's pace: the process it asks has the work to do
                answer = await readiness()
            assert answer["status"] == "unhealthy"
            assert answer["reason"].startswith("slack: not connected to Slack in Socket Mode yet"), answer
            assert "ClientConnectorError" in answer["reason"] or "Connect" in answer["reason"], answer
            async with http.get(f"{url}/livez") as live:
                assert live.status == 200
            async with http.get(f"{url}/healthz") as health:
                assert health.status == 503
        process.send_signal(signum)
        assert await asyncio.wait_for(process.wait(), 20) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
