"""PostgreSQL dropping every connection of Tonewatch's (a restart, a failover, an idle timeout) fails no
request, acknowledgement or probe: the app's pooled connections are terminated server-side with
pg_terminate_backend, and the next /ingest, Slack event, /healthz and /readyz still succeed.
"""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import text

from tests.support.slack_requests import CUSTOMER, SHARED, message_event, running_tonewatch, wait_for

pytest_plugins = ("tests.support.slack_fixtures",)

INGEST_TOKEN = "db-loss-ingest-token-0123456789"


def backends(admin, application: str) -> set[int]:
    with admin.connect() as connection:
        query = text("select pid from pg_stat_activity where application_name = :name")
        return set(connection.execute(query, {"name": application}).scalars())


async def terminate(admin, application: str) -> int:
    """Terminate every server-side connection of `application`, and wait until they are gone."""
    with admin.begin() as connection:
        pids = set(
            connection.execute(
                text(
                    "select pid from pg_stat_activity, pg_terminate_backend(pid) "
                    "where application_name = :name and pid <> pg_backend_pid()"
                ),
                {"name": application},
            ).scalars()
        )
    await wait_for(lambda: not pids & backends(admin, application), what="the backends gone")
    return len(pids)


@pytest.mark.postgres
@pytest.mark.slow
async def test_terminated_connections_fail_no_request_and_readiness_stays(
    slack_api, postgres_engine, monkeypatch
) -> None:
    application = f"tw_loss_{uuid.uuid4().hex[:8]}"
    url = postgres_engine.url.render_as_string(hide_password=False)
    url += ("&" if "?" in url else "?") + f"application_name={application}"
    async with running_tonewatch(slack_api, url, monkeypatch, TONEWATCH_INGEST_TOKEN=INGEST_TOKEN) as slack:
        slack.set_up()
        headers = {"Authorization": f"Bearer {INGEST_TOKEN}", "Content-Type": "application/json"}

        async def ingest(n: int) -> int:
            ticket = {
                "account": "Acme",
                "source": "ticket",
                "text": f"Export broke again ({n})",
                "external_id": f"t{n}",
            }
            return (await slack.http.post("/ingest", data=json.dumps(ticket), headers=headers)).status

        assert await ingest(0) == 201
        for round_ in range(1, 4):
            await wait_for(lambda: backends(postgres_engine, application), what="pooled connections")
            assert await terminate(postgres_engine, application) > 0
            # Every path right after the loss: a push, a Slack event's acknowledgement, the probes.
            assert await ingest(round_) == 201
            await terminate(postgres_engine, application)
            event = message_event(SHARED, CUSTOMER, f"Still waiting on the invoice fix ({round_}).")
            assert (await slack.event(event)).status == 200
            await terminate(postgres_engine, application)
            for probe in ("/healthz", "/readyz"):
                response = await slack.http.get(probe)
                assert response.status == 200, await response.text()
        # Nothing lost: every push and every event stored and analyzed.
        await wait_for(
            lambda: len([m for m in slack.messages() if m.status == "analyzed"]) == 7,
            timeout=20,
            what="all seven messages analyzed",
        )
