"""`tonewatch run` as an operator starts it: with only the ingest webhook configured."""

from __future__ import annotations

import asyncio
import os
import signal

import aiohttp
import sqlalchemy as sa

from tests.support.run_process import start_tonewatch_run

TOKEN = "ingest-token-for-tests-0123456789"


async def wait_until(predicate, timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def test_run_serves_ingest_alone_and_analyzes_what_arrives(tmp_path):
    database = tmp_path / "run.db"
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TEAMS_", "ANTHROPIC_"))},
        "DATABASE_URL": f"sqlite:///{database}",
        "TONEWATCH_INGEST_TOKEN": TOKEN,
    }
    process, url = await start_tonewatch_run(environment, tmp_path)
    try:
        ticket = {
            "account": "Acme",
            "text": "Production is down again and nobody answers. Fix it today!",
            "source": "ticket",
            "external_id": "zd-1",
            "created_at": "2026-11-20T09:00:00Z",
        }
        async with aiohttp.ClientSession() as http:
            assert (await http.get(f"{url}/healthz")).status == 200
            refused = await http.post(f"{url}/ingest", json=ticket, headers={"Authorization": "Bearer wrong"})
            assert refused.status == 401
            headers = {"Authorization": f"Bearer {TOKEN}"}
            first = await http.post(f"{url}/ingest", json=ticket, headers=headers)
            again = await http.post(f"{url}/ingest", json=ticket, headers=headers)
            assert (first.status, again.status) == (201, 200)
            assert (await again.json())["duplicate"] is True
            metrics = await (await http.get(f"{url}/metrics")).text()
            # One ticket stored (the duplicate counted apart), one refused for its token.
            assert 'tonewatch_messages_stored_total{platform="ingest"} 1.0' in metrics
            assert 'tonewatch_duplicate_deliveries_total{platform="ingest"} 1.0' in metrics
        engine = sa.create_engine(f"sqlite:///{database}")

        def analyzed() -> list:
            with engine.connect() as connection:
                return connection.execute(sa.text("select status, label from messages")).all()

        def alerts() -> list:
            with engine.connect() as connection:
                return connection.execute(sa.text("select severity from alerts")).scalars().all()

        await wait_until(lambda: analyzed() == [("analyzed", "negative")])
        # The alert decision follows the analysis; stored for the digest, with no chat platform to post to.
        await wait_until(lambda: alerts() == ["critical"])
        engine.dispose()
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 20) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
