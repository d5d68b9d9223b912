"""Load on /slack/events: N events/s for S seconds, with redeliveries, against a real `tonewatch run`.

The far sides are local stand-ins: the Slack Web API (tests/fakes/slack_api.py) and the
Messages API (tests/fakes/messages_api.py) answering after a fixed delay, so the analyzer
takes ~2 s per message exactly as a slow LLM would (policy `all`). Reported: ack latency
p50/p95/p99/max, events sent, stored, analyzed, alert posts, duplicates.

    python bench/slack_load.py                      # 50 events/s for 60 s, 10 % redelivered, 2 s analyzer
    python bench/slack_load.py --rate 20 --seconds 10 --json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.places import PlaceRegistry  # noqa: E402
from storage.db import create_db_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from tests.fakes.messages_api import FakeMessagesAPI, default_respond, slow  # noqa: E402
from tests.fakes.slack_api import FakeSlackAPI  # noqa: E402
from tests.run_process import start_tonewatch_run  # noqa: E402
from tests.slack_requests import (  # noqa: E402
    ALERTS,
    CUSTOMER,
    SHARED,
    base_environment,
    event_body,
    message_event,
    populate,
    signed_headers,
)

TEXTS = [
    "The export failed again this morning. Third time this week — please fix it today.",
    "Thanks, the new dashboard looks great!",
    "Can you send me the invoice for October?",
    "We're still waiting on an answer about the SSO issue. Is anyone there?",
    "Production is down for our EU users, error 502 everywhere. Need help ASAP.",
    "ok, sounds good",
    "Honestly we're reconsidering the renewal if reliability doesn't improve.",
    "We'd like to add 30 more seats for the Berlin team next month.",
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


async def send(http: aiohttp.ClientSession, url: str, body: str, retry: int | None) -> tuple[float, int]:
    headers = signed_headers(body, "application/json")
    if retry:
        headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
    started = time.perf_counter()
    async with http.post(f"{url}/slack/events", data=body.encode(), headers=headers) as response:
        await response.read()
        return (time.perf_counter() - started) * 1000, response.status


async def run(
    rate: float, seconds: float, redeliver: float, analyzer_seconds: float, drain_seconds: float
) -> dict:
    slack = FakeSlackAPI().start()
    populate(slack)
    llm = FakeMessagesAPI(lambda body: slow(default_respond(body), analyzer_seconds)).start()
    folder = Path(tempfile.mkdtemp(prefix="tonewatch-load-"))
    database_url = f"sqlite:///{folder / 'load.db'}"
    engine = create_db_engine(database_url)
    upgrade(engine)
    places = PlaceRegistry(engine)
    places.watch("slack", SHARED, "acme-shared", "Acme Corp", is_external=True)
    places.set_alert_channel("slack", ALERTS, "cs-alerts", is_external=False)
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ANTHROPIC_", "TONEWATCH_"))},
        **base_environment(slack, database_url),
        "ANTHROPIC_API_KEY": "bench-key",
        "ANTHROPIC_BASE_URL": llm.url,
        "TONEWATCH_LLM_POLICY": "all",
        "TONEWATCH_LLM_TIMEOUT": "30",
        "TONEWATCH_WORKER_CONCURRENCY": "256",
        "TONEWATCH_LOG_LEVEL": "WARNING",
    }
    process, url = await start_tonewatch_run(environment, folder)
    asyncio.create_task(process.stderr.read())  # keep draining its log
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    random.seed(20261123)
    total = int(rate * seconds)
    unique = 0
    try:
        connector = aiohttp.TCPConnector(limit=200)
        async with aiohttp.ClientSession(connector=connector) as http:
            tasks: list[asyncio.Task] = []
            start = time.perf_counter()

            async def fire(at: float, body: str, retry: int | None) -> None:
                await asyncio.sleep(max(0.0, at - (time.perf_counter() - start)))
                latency, status = await send(http, url, body, retry)
                latencies.append(latency)
                statuses[status] = statuses.get(status, 0) + 1

            for n in range(total):
                at = n / rate
                ts = f"1763900000.{n:06d}"
                event = message_event(SHARED, CUSTOMER, random.choice(TEXTS), ts=ts)
                body = json.dumps(event_body(event, event_id=f"Ev{n:08d}"))
                tasks.append(asyncio.create_task(fire(at, body, None)))
                unique += 1
                if random.random() < redeliver:
                    tasks.append(asyncio.create_task(fire(at + random.uniform(0.5, 3.0), body, 1)))
            await asyncio.gather(*tasks)
            send_seconds = time.perf_counter() - start

        def counts() -> dict:
            with engine.connect() as connection:
                row = connection.execute(
                    sa.text(
                        "select count(*), count(distinct external_id), "
                        "sum(case when status = 'analyzed' then 1 else 0 end) from messages"
                    )
                ).one()
            return {"stored": row[0], "distinct": row[1], "analyzed": row[2] or 0}

        drained_at = None
        deadline = time.perf_counter() + drain_seconds
        while time.perf_counter() < deadline:
            now = counts()
            if now["analyzed"] >= unique:
                drained_at = time.perf_counter() - start
                break
            await asyncio.sleep(0.5)
        final = counts()
        roots = [c for c in slack.posts(ALERTS) if c.ok and not c.args.get("thread_ts")]
        with engine.connect() as connection:
            alert_rows = connection.execute(
                sa.text("select count(*) from alerts where post_ref is not null")
            ).scalar()
        return {
            "rate_per_second": rate,
            "seconds": seconds,
            "analyzer_seconds": analyzer_seconds,
            "events_sent": unique,
            "redeliveries_sent": len(latencies) - unique,
            "http_statuses": statuses,
            "send_seconds": round(send_seconds, 2),
            "ack_ms": {
                "p50": round(statistics.median(latencies), 1),
                "p95": round(percentile(latencies, 0.95), 1),
                "p99": round(percentile(latencies, 0.99), 1),
                "max": round(max(latencies), 1),
            },
            "stored": final["stored"],
            "lost": unique - final["distinct"],
            "duplicates": final["stored"] - final["distinct"],
            "analyzed": final["analyzed"],
            "all_analyzed_after_seconds": round(drained_at, 1) if drained_at else None,
            "llm_requests": len(llm.message_requests),
            "alert_roots_posted": len(roots),
            "alerts_with_a_post": alert_rows,
            "duplicate_alert_posts": len(roots) - alert_rows,
        }
    finally:
        process.terminate()
        await process.wait()
        slack.close()
        llm.close()
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=50.0, help="events per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--redeliver", type=float, default=0.10, help="share of events Slack sends twice")
    parser.add_argument("--analyzer-seconds", type=float, default=2.0)
    parser.add_argument("--drain-seconds", type=float, default=180.0, help="how long to wait for analysis")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = asyncio.run(
        run(args.rate, args.seconds, args.redeliver, args.analyzer_seconds, args.drain_seconds)
    )
    if args.json:
        print(json.dumps(report))
        return
    for key, value in report.items():
        print(f"{key:>28}: {value}")


if __name__ == "__main__":
    main()
