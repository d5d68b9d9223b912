"""POST /ingest on a real aiohttp server (port 0): auth, validation, idempotency, every source kind, and a
detractor that opens a recovery alert once the worker has analyzed it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from aiohttp import web
from sqlmodel import col, select

from bot.accounts.book import AccountBook
from bot.alerts.policy import PolicyThresholds
from bot.alerts.service import POST_ALERT, AlertService
from bot.analysis.offline import OfflineAnalyzer
from bot.messages.pipeline import ANALYZE, MessagePipeline
from bot.runtime.telemetry import Telemetry
from bot.runtime.worker import Worker
from handlers.ingest.routes import IngestDeps, mount_ingest
from storage.db import session_scope
from storage.models import Account, Alert, CustomerMessage, WorkItem

TOKEN = "ingest-token-0123456789abcdef"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


class IngestServer:
    def __init__(self, url: str, session: aiohttp.ClientSession, deps: IngestDeps, woken: list[bool]) -> None:
        self.url = url
        self.session = session
        self.deps = deps
        self.woken = woken

    async def post(
        self,
        payload=None,
        *,
        raw: bytes | None = None,
        token: str | None = TOKEN,
        content_type: str = "application/json",
        headers: dict | None = None,
    ) -> tuple[int, dict]:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        sent["Content-Type"] = content_type
        data = raw if raw is not None else json.dumps(payload).encode()
        async with self.session.post(self.url, data=data, headers=sent) as response:
            return response.status, await response.json()


@asynccontextmanager
async def serve_ingest(engine) -> AsyncIterator[IngestServer]:
    """The ingest route on a real aiohttp server on 127.0.0.1, port 0."""
    woken: list[bool] = []
    deps = IngestDeps(
        pipeline=MessagePipeline(engine, OfflineAnalyzer()),
        token=TOKEN,
        max_text_chars=5000,
        max_body_bytes=50_000,
        max_batch=20,
        telemetry=Telemetry(),
        on_stored=lambda: woken.append(True),
        clock=lambda: NOW,
        book=AccountBook(engine),
    )
    app = web.Application()
    mount_ingest(app, deps)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with aiohttp.ClientSession() as session:
            yield IngestServer(f"http://127.0.0.1:{port}/ingest", session, deps, woken)
    finally:
        await runner.cleanup()


@pytest.fixture
async def ingest(sqlite_engine) -> AsyncIterator[IngestServer]:
    async with serve_ingest(sqlite_engine) as server:
        yield server


def messages(engine) -> list[CustomerMessage]:
    with session_scope(engine) as session:
        return list(session.exec(select(CustomerMessage).order_by(col(CustomerMessage.id))).all())


def ticket(**overrides) -> dict:
    payload = {
        "account": "ACME Corp",
        "source": "ticket",
        "text": "The SSO login fails for half of our team since this morning.",
        "author": "Anna Schmidt",
        "external_id": "zd-48213",
        "created_at": "2026-11-23T09:30:00Z",
    }
    payload.update(overrides)
    return payload


@pytest.mark.parametrize(
    ("token", "header"),
    [
        (None, None),
        ("wrong-token-0123456789abcdef", None),
        (TOKEN[:-1], None),
        (None, f"Basic {TOKEN}"),
        (None, TOKEN),
    ],
)
async def test_a_missing_or_wrong_token_is_refused_and_nothing_is_stored(
    ingest, sqlite_engine, token, header
):
    status, body = await ingest.post(
        ticket(), token=token, headers={"Authorization": header} if header else None
    )
    assert status == 401 and body == {"error": "missing or wrong bearer token"}
    assert messages(sqlite_engine) == []
    rejected = ingest.deps.telemetry.requests_rejected.labels(path="/ingest", reason="auth")
    assert rejected._value.get() == 1


async def test_the_right_token_stores_a_ticket_and_wakes_the_worker(ingest, sqlite_engine):
    status, body = await ingest.post(ticket(unknown_field="ignored", via={"nested": True}))
    assert status == 201 and body["duplicate"] is False
    [stored] = messages(sqlite_engine)
    assert body["id"] == stored.id
    assert (stored.platform, stored.place_key, stored.external_id, stored.source_kind) == (
        "ingest",
        "ticket",
        "zd-48213",
        "ticket",
    )
    assert stored.created_at == datetime(2026, 11, 23, 9, 30, tzinfo=UTC) and stored.author == "Anna Schmidt"
    assert stored.status == "pending" and ingest.woken == [True]
    with session_scope(sqlite_engine) as session:
        assert session.get(Account, stored.account_id).name == "ACME Corp"
        assert session.exec(select(WorkItem.subject).where(WorkItem.kind == ANALYZE)).all() == [
            str(stored.id)
        ]


async def test_a_retry_is_answered_200_with_the_stored_id(ingest, sqlite_engine):
    first_status, first = await ingest.post(ticket())
    retry_status, retry = await ingest.post(ticket(text="edited text is not a new message"))
    assert (first_status, retry_status) == (201, 200)
    assert retry == {"id": first["id"], "duplicate": True}
    # The same external id from another source is another message.
    other_status, other = await ingest.post(ticket(source="freshdesk"))
    assert other_status == 201 and other["id"] != first["id"]
    assert len(messages(sqlite_engine)) == 2 and ingest.woken == [True, True]


async def test_without_an_external_id_the_same_payload_is_still_recognised(ingest, sqlite_engine):
    payload = ticket(external_id=None)
    assert (await ingest.post(payload))[0] == 201
    status, body = await ingest.post(payload)
    assert status == 200 and body["duplicate"] is True
    assert len(messages(sqlite_engine)) == 1


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({k: v for k, v in ticket().items() if k != "account"}, "account", "Field required"),
        (ticket(account="   "), "account", "at least 1 character"),
        (ticket(text=""), "text", "text is empty"),
        ({k: v for k, v in ticket().items() if k != "text"}, "text", "Field required"),
        (ticket(source="fax"), "source", "must be one of ticket, nps, csat, chat, call"),
        (ticket(source="nps", score=11), "score", "NPS scores run from 0 to 10"),
        (ticket(source="csat", score=0), "score", "CSAT scores run from 1 to 5"),
        (ticket(score=3), "score", "only taken with source nps (0–10) or csat (1–5)"),
        (ticket(score="high"), "score", "valid number"),
        (ticket(created_at="yesterday"), "created_at", "valid datetime"),
        (ticket(created_at="2026-12-01T00:00:00Z"), "created_at", "is in the future"),
        (ticket(text="x" * 5001), "text", "the limit is 5,000"),
        (ticket(external_id=True), "external_id", "must be a string or a number"),
    ],
)
async def test_validation_errors_name_the_field_and_store_nothing(
    ingest, sqlite_engine, payload, field, message
):
    status, body = await ingest.post(payload)
    assert status == 422, body
    assert body["error"].endswith("nothing was stored") and field in body["error"]
    [error] = [e for e in body["errors"] if e["field"] == field]
    assert message in error["message"] and "index" not in error
    assert messages(sqlite_engine) == []


async def test_a_batch_is_all_or_nothing_and_errors_carry_the_index(ingest, sqlite_engine):
    batch = [
        ticket(external_id="t1"),
        ticket(external_id="t2", source="nps", score=42),
        ticket(external_id="t3"),
    ]
    status, body = await ingest.post(batch)
    assert status == 422 and body["errors"] == [
        {"field": "score", "message": "NPS scores run from 0 to 10", "index": 1}
    ]
    assert messages(sqlite_engine) == []

    batch[1]["score"] = 9
    status, body = await ingest.post(batch)
    assert status == 201 and (body["stored"], body["duplicates"]) == (3, 0)
    assert [item["duplicate"] for item in body["items"]] == [False, False, False]
    status, body = await ingest.post([*batch, ticket(external_id="t4")])
    assert status == 201 and [item["duplicate"] for item in body["items"]] == [True, True, True, False]
    assert len(messages(sqlite_engine)) == 4


# On SQLite this guards storage/db.py's explicit BEGIN: with pysqlite's own transaction handling,
# releasing the first SAVEPOINT (store_message, get_or_create_account) would commit half the batch.
@pytest.mark.parametrize("engine_kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_a_batch_that_fails_in_the_database_leaves_nothing_behind(request, engine_kind, monkeypatch):
    engine = request.getfixturevalue(f"{engine_kind}_engine")
    from storage import bulk_store

    real = bulk_store.insert_for
    calls = {"n": 0}

    def failing_on_the_second(tx, table):
        """The accounts and messages are written; the next statement (their work items) fails."""
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real(tx, table)

    monkeypatch.setattr("storage.bulk_store.insert_for", failing_on_the_second)
    async with serve_ingest(engine) as ingest:
        async with ingest.session.post(
            ingest.url,
            json=[ticket(external_id="a"), ticket(external_id="b")],
            headers={"Authorization": f"Bearer {TOKEN}"},
        ) as response:
            assert response.status == 500
    assert messages(engine) == []
    with session_scope(engine) as session:
        assert session.exec(select(Account)).all() == []


@pytest.mark.parametrize(
    ("raw", "content_type", "status", "error"),
    [
        (b"{not json", "application/json", 400, "not valid JSON"),
        (b"\xff\xfe{}", "application/json", 400, "not UTF-8"),
        (b"42", "application/json", 400, "send a JSON object"),
        (b"[]", "application/json", 400, "the batch is empty"),
        (b'["just a string"]', "application/json", 422, "invalid (item)"),
        (json.dumps(ticket()).encode(), "text/plain", 415, "Content-Type: application/json"),
        (json.dumps(ticket()).encode(), "application/x-www-form-urlencoded", 415, "Content-Type"),
        (
            json.dumps([ticket(external_id=str(n)) for n in range(21)]).encode(),
            "application/json",
            413,
            "at most 20 items",
        ),
        (json.dumps(ticket(text="y" * 60_000)).encode(), "application/json", 413, "over 50,000 bytes"),
    ],
)
async def test_malformed_requests_are_refused_with_the_right_status(
    ingest, sqlite_engine, raw, content_type, status, error
):
    got_status, body = await ingest.post(raw=raw, content_type=content_type)
    assert got_status == status and error in body["error"]
    assert messages(sqlite_engine) == []


async def test_a_chunked_body_over_the_limit_is_refused_without_a_content_length(ingest, sqlite_engine):
    async def chunks():
        for _ in range(20):
            yield b" " * 5_000  # 100 kB of JSON whitespace, no Content-Length
        yield json.dumps(ticket()).encode()

    async with ingest.session.post(
        ingest.url,
        data=chunks(),
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    ) as response:
        assert response.status == 413
    assert messages(sqlite_engine) == []


async def test_each_source_kind_is_stored_with_its_kind_and_score(ingest, sqlite_engine):
    payloads = [
        ticket(source="zendesk", external_id="z-1"),
        {
            "account": "ACME Corp",
            "source": "nps",
            "score": 9,
            "text": "Great product, love the reports.",
            "external_id": "n-1",
        },
        {
            "account": "ACME Corp",
            "source": "csat",
            "score": 2,
            "text": "Took four days to get an answer.",
            "external_id": "c-1",
        },
        {
            "account": "ACME Corp",
            "source": "chat",
            "text": "Is there an API for exports?",
            "external_id": "ch-1",
        },
        {
            "account": "ACME Corp",
            "source": "call",
            "external_id": "call-1",
            "text": "Agent: Thanks for joining.\nCustomer: Our exports keep timing out.\nAgent: Sorry.",
        },
        {
            "account": "ACME Corp",
            "source": "nps",
            "score": 7,
            "external_id": "n-2",
        },  # a score without comment
    ]
    status, body = await ingest.post(payloads)
    assert status == 201 and body["stored"] == 6
    kinds = [(m.place_key, m.source_kind, m.source_score) for m in messages(sqlite_engine)]
    assert kinds == [
        ("zendesk", "ticket", None),
        ("nps", "nps", 9.0),
        ("csat", "csat", 2.0),
        ("chat", "chat", None),
        ("call", "call", None),
        ("nps", "nps", 7.0),
    ]
    texts = [m.text for m in messages(sqlite_engine)]
    assert texts[4] == "Our exports keep timing out."  # the customer's lines only
    assert texts[5] == "NPS 7/10 (no comment)"


async def test_a_call_transcript_needs_to_say_who_the_customer_is(ingest, sqlite_engine):
    transcript = (
        "[00:00:02] Tom: Hi Vera, thanks for making time.\n[00:00:06] Vera: Honestly, the rollout is a mess."
    )
    payload = {"account": "ACME Corp", "source": "call", "text": transcript, "external_id": "call-2"}
    status, body = await ingest.post(payload)
    assert status == 422 and body["errors"][0]["field"] == "text"
    assert "speakers are Tom, Vera" in body["errors"][0]["message"]

    status, _ = await ingest.post(payload | {"customer_speakers": ["vera"]})
    assert status == 201
    assert messages(sqlite_engine)[0].text == "Honestly, the rollout is a mess."


async def test_an_nps_detractor_opens_a_critical_recovery_alert_after_analysis(ingest, sqlite_engine):
    payload = {
        "account": "Globex",
        "source": "nps",
        "score": 3,
        "text": "It works, I guess.",
        "author": "Max",
        "external_id": "nps-77",
        "created_at": "2026-11-23T08:00:00+01:00",
    }
    status, body = await ingest.post(payload)
    assert status == 201
    alerts = AlertService(sqlite_engine, PolicyThresholds(), reply_sla=timedelta(hours=24))
    worker = Worker(sqlite_engine)

    async def analyze(subject: str, attempts: int) -> None:
        await ingest.deps.pipeline.analyze_message(int(subject))
        alerts.after_analysis(int(subject), now=NOW)

    worker.register(ANALYZE, analyze)
    assert await worker.run_once() == 1

    with session_scope(sqlite_engine) as session:
        alert = session.exec(select(Alert)).one()
        post = session.exec(select(WorkItem).where(WorkItem.kind == POST_ALERT)).one()
    assert alert.severity == "critical" and alert.message_id == body["id"] and post.subject == str(alert.id)
    card = alerts.card(alert.id)
    assert (
        "NPS detractor (3)" in card.reasons and card.source_kind == "nps" and card.source_platform == "ingest"
    )
    assert card.account == "Globex" and card.created_at == datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


async def test_a_promoter_does_not_open_a_recovery_alert(ingest, sqlite_engine):
    payload = {
        "account": "Globex",
        "source": "nps",
        "score": 10,
        "text": "Fantastic support, thank you!",
        "external_id": "nps-78",
    }
    assert (await ingest.post(payload))[0] == 201
    [message] = messages(sqlite_engine)
    await ingest.deps.pipeline.analyze_message(message.id)
    change = AlertService(sqlite_engine, PolicyThresholds(), timedelta(hours=24)).after_analysis(message.id)
    assert change is None or change.severity.value == "opportunity"


@pytest.mark.parametrize(
    ("transcript", "options", "expected"),
    [
        (
            "Agent: Hi!\nCustomer: The export fails.\nIt fails daily.\nAgent: Sorry.",
            {},
            "The export fails. It fails daily.",
        ),
        (
            "[00:00:01] Tom (CSM): Hello\n[00:00:04] Anna Schmidt: We are frustrated.\n"
            "Anna Schmidt (00:00:09): Really.",
            {},
            "We are frustrated.\nReally.",
        ),
        (
            "Anna Schmidt  0:03\nWe are unhappy with latency.\nTom Becker  0:10\nLet me check.",
            {"agents": ["tom becker"]},
            "We are unhappy with latency.",
        ),
        (
            "WEBVTT\n\n1\n00:00:01.000 --> 00:00:03.000\n<v Tom>Hello</v>\n\n"
            "2\n00:00:04.000 --> 00:00:06.000\n"
            "<v Anna>Invoices are wrong.</v>",
            {"customer": ["Anna"]},
            "Invoices are wrong.",
        ),
        ("Speaker 1: Welcome.\nSpeaker 2: We might cancel.", {"author": "Speaker 2"}, "We might cancel."),
        (
            "The export failed. Reason: unknown.\nPlease help.",
            {},
            "The export failed. Reason: unknown.\nPlease help.",
        ),
        ("Hi team: the export is broken.", {}, "Hi team: the export is broken."),
    ],
)
def test_transcripts_keep_only_the_customers_lines(transcript, options, expected):
    from bot.messages.transcripts import customer_lines

    assert customer_lines(transcript, **options) == expected


def test_a_transcript_with_only_our_side_is_refused():
    from bot.messages.transcripts import TranscriptError, customer_lines

    with pytest.raises(TranscriptError, match="no lines from the customer"):
        customer_lines("Agent: Hello?\nAgent: Anyone there?")
    with pytest.raises(TranscriptError, match="none of customer_speakers appears"):
        customer_lines("Tom: Hi\nVera: Hello", customer=["Anna"])


async def test_a_payload_can_set_the_accounts_owner_value_and_renewal(ingest, sqlite_engine):
    status, _ = await ingest.post(
        ticket(owner_email="Sam@OurCo.test", arr="$48,000", renewal_date="2027-01-31T00:00:00Z")
    )
    assert status == 201
    row = AccountBook(sqlite_engine).row("acme corp")
    assert row.owner == "sam@ourco.test" and row.arr == 48000 and row.renewal_date.isoformat() == "2027-01-31"
    status, _ = await ingest.post(ticket(external_id="T-2", arr=50000))  # no owner given: the owner stays
    row = AccountBook(sqlite_engine).row("acme corp")
    assert row.owner == "sam@ourco.test" and row.arr == 50000


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("owner_email", "sam at ourco", "is not an email address"),
        ("arr", -5, "arr must be between 0"),
        ("arr", "lots", "arr must be a number"),
        ("renewal_date", "next year", "renewal_date must be a date like 2027-01-31"),
    ],
)
async def test_bad_account_fields_are_refused_and_nothing_is_stored(
    ingest, sqlite_engine, field, value, message
):
    status, body = await ingest.post(ticket(**{field: value}))
    assert status == 422 and field in body["error"]
    [error] = [e for e in body["errors"] if e["field"] == field]
    assert message in error["message"]
    assert messages(sqlite_engine) == [] and AccountBook(sqlite_engine).row("acme corp") is None


async def test_a_named_tenant_has_its_own_account_and_its_own_ids(ingest, sqlite_engine):
    """The same account name and ticket id in two tenants are two accounts and two messages."""
    assert (await ingest.post(ticket(arr=100)))[0] == 201
    status, body = await ingest.post(ticket(tenant="slack:T_OTHER", arr=900))
    assert status == 201 and body["duplicate"] is False
    stored = messages(sqlite_engine)
    assert sorted(m.tenant for m in stored) == ["default", "slack:T_OTHER"]
    assert len({m.account_id for m in stored}) == 2
    assert AccountBook(sqlite_engine).row("acme corp").arr == 100
    assert AccountBook(sqlite_engine).row("acme corp", "slack:T_OTHER").arr == 900
    for bad in ("slack T1", "x" * 201, "slack:\u0000"):
        status, body = await ingest.post(ticket(tenant=bad, external_id="zd-2"))
        assert status == 422 and [e["field"] for e in body["errors"]] == ["tenant"]
    assert len(messages(sqlite_engine)) == 2
