"""The team's PII corpus (tests/data/pii_corpus.csv) is the specification of what never leaves for Claude.

Each row gives a text, the fragments that must not survive redaction and the
exact redacted text; "keep" rows must come through unchanged (ordinary numbers,
private addresses, "Hi team"). The last test sends every row through a real
`ClaudeAnalyzer` — the anthropic SDK over HTTP to the local Messages API
stand-in — as the message and as thread context, and searches the request
bodies the server received.
"""

from __future__ import annotations

import csv
import ipaddress
import json
from pathlib import Path

import anthropic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.analysis.base import AnalysisRequest
from bot.analysis.claude import ClaudeAnalyzer
from bot.analysis.prompts import load_prompt
from bot.analysis.redaction import redact
from tests.fakes import ScriptedAnalyzer, baseline_result

CORPUS_PATH = Path(__file__).resolve().parents[1] / "data" / "pii_corpus.csv"
HEADER = ["id", "kind", "text", "must_not_survive", "redacted"]
KINDS = {"email", "phone", "iban", "card", "address", "name", "secret", "ip", "mixed", "keep"}


def load_corpus() -> list[dict[str, str]]:
    with CORPUS_PATH.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


CORPUS = load_corpus()
PERSONAL = [row for row in CORPUS if row["kind"] != "keep"]


def fragments(row: dict[str, str]) -> list[str]:
    return [fragment for fragment in row["must_not_survive"].split("|") if fragment]


def test_the_corpus_keeps_its_shape() -> None:
    with CORPUS_PATH.open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == HEADER
    ids = [row["id"] for row in CORPUS]
    assert len(ids) == len(set(ids)) and len(PERSONAL) >= 40
    assert {row["kind"] for row in CORPUS} == KINDS
    for row in CORPUS:
        if row["kind"] == "keep":
            assert row["must_not_survive"] == "" and row["redacted"] == row["text"], row["id"]
        else:
            # A fragment missing from its own text would make the "did not survive" checks vacuous.
            assert fragments(row) and all(f in row["text"] for f in fragments(row)), row["id"]


@pytest.mark.parametrize("row", CORPUS, ids=[row["id"] for row in CORPUS])
def test_each_row_is_redacted_exactly_as_the_corpus_says(row: dict[str, str]) -> None:
    result = redact(row["text"])

    assert result.text == row["redacted"]
    for fragment in fragments(row):
        assert fragment not in result.text
    assert redact(result.text).text == result.text  # idempotent: placeholders are never redacted again


async def test_no_personal_data_of_the_corpus_reaches_the_messages_api(messages_api) -> None:
    client = anthropic.AsyncAnthropic(api_key="test-key", base_url=messages_api.url, max_retries=0)
    analyzer = ClaudeAnalyzer(
        client,
        "claude-haiku-4-5",
        load_prompt("analyze_message"),
        ScriptedAnalyzer(lambda text: baseline_result()),
        context_messages=len(PERSONAL),
    )
    try:
        for row in PERSONAL:
            outcome = await analyzer.analyze(AnalysisRequest(row["text"]))
            assert outcome.fallback_reason is None, outcome.fallback_reason
        # The same texts as the earlier messages of a thread.
        await analyzer.analyze(AnalysisRequest("Any news?", context=tuple(row["text"] for row in PERSONAL)))
    finally:
        await client.close()

    requests = messages_api.message_requests
    assert len(requests) == len(PERSONAL) + 1
    for request, row in zip(requests, PERSONAL, strict=False):
        assert request.customer_message == row["redacted"]
    for request in requests:
        body = request.body
        # Besides the conversation, a request carries only our own fixed text: the prompt and the tool.
        assert set(body) == {"model", "max_tokens", "system", "tools", "tool_choice", "messages"}
        assert [block["text"] for block in body["system"]] == [analyzer.prompt.body]
        assert [tool["name"] for tool in body["tools"]] == ["record_analysis"]
        conversation = json.dumps(body["messages"], ensure_ascii=False) + json.dumps(body["messages"])
        for row in PERSONAL:
            for fragment in fragments(row):
                assert fragment not in conversation, f"{row['id']}: {fragment!r} reached the Messages API"


#: Addresses that name no one outside the customer's own network; every other one is personal data.
KEPT_NETWORKS = [
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")
]


@settings(max_examples=150, deadline=None)
@given(st.ip_addresses(v=4))
def test_a_public_ipv4_address_is_redacted_and_a_private_one_kept(address) -> None:
    text = f"Traffic from {address} was blocked at 10:30."
    local = (
        address.is_loopback
        or address.is_link_local
        or address.is_unspecified
        or address.is_multicast
        or any(address in network for network in KEPT_NETWORKS)
    )

    result = redact(text)

    assert result.text == (text if local else "Traffic from [IP] was blocked at 10:30.")
