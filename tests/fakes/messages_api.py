"""A local stand-in for Anthropic's Messages API, for tests that drive the real SDK over HTTP.

`FakeMessagesAPI` is a stdlib HTTP server on 127.0.0.1, port 0, in a thread.
It answers `POST /v1/messages` the way the API does, records every request
(path, headers, JSON body) and answers from a queue of scripted replies, or,
when the queue is empty, from `respond(body) -> Reply` (by default a neutral
analysis through the `record_analysis` tool).

    def test_x(messages_api):  # the fixture below, or `with running_messages_api() as api:`
        messages_api.enqueue(rate_limited(), tool_use({...}))
        client = anthropic.AsyncAnthropic(api_key="test-key", base_url=messages_api.url)

The reply builders below produce what the real API sends: tool_use answers,
429 with retry-after, 529 overloaded_error, 5xx, 404 for an unknown model,
refusals, max_tokens stops, truncated bodies and slow answers.

It also serves the Message Batches API with the real wire format
(`anthropic.types.messages.MessageBatch`, results as JSONL of
`MessageBatchIndividualResponse`): `POST /v1/messages/batches` validates and
records a batch, `GET /v1/messages/batches/{id}` reports it and
`GET /v1/messages/batches/{id}/results` streams its results. A batch ends at
the first check after its creation, each request answered by `respond(params)`
(or by `batch_outcomes[custom_id]`, e.g. `errored_result()`); with
`hold_batches = True` it stays `in_progress` until `end_batch(id)`.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

DEFAULT_MODEL = "claude-haiku-4-5"
TOOL_NAME = "record_analysis"

_ids = itertools.count(1)
_CUSTOMER_MESSAGE_RE = re.compile(r"<customer_message>\n?(.*?)\n?</customer_message>", re.DOTALL)


@dataclass
class Reply:
    """One scripted HTTP answer; `delay` holds it back (to outlast a client timeout)."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    raw: bytes

    @property
    def body(self) -> dict[str, Any]:
        return json.loads(self.raw)

    @property
    def customer_message(self) -> str | None:
        """The text between the <customer_message> tags of the last user turn."""
        return customer_message_of(self.body)


def customer_message_of(body: dict[str, Any]) -> str | None:
    content = body["messages"][-1]["content"]
    if isinstance(content, list):
        content = "".join(block.get("text", "") for block in content if isinstance(block, dict))
    match = _CUSTOMER_MESSAGE_RE.search(content)
    return match.group(1) if match else None


# --- reply builders ----------------------------------------------------------------------------


def _json_reply(status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> Reply:
    request_id = f"req_fake_{next(_ids)}"
    return Reply(
        status=status,
        body=json.dumps(payload).encode(),
        headers={"content-type": "application/json", "request-id": request_id, **(headers or {})},
    )


def usage(
    input_tokens: int = 1200, output_tokens: int = 180, cache_read: int = 0, cache_creation: int = 0
) -> dict[str, int]:
    return {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cache_read_input_tokens": cache_read,
        "cache_creation_input_tokens": cache_creation,
    }


def message_payload(
    content: list[dict[str, Any]],
    *,
    stop_reason: str,
    model: str = DEFAULT_MODEL,
    usage_counts: dict[str, int] | None = None,
) -> dict[str, Any]:
    return {
        "id": f"msg_fake_{next(_ids)}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": usage_counts or usage(),
    }


def tool_use(
    tool_input: dict[str, Any],
    *,
    tool_name: str = TOOL_NAME,
    stop_reason: str = "tool_use",
    model: str = DEFAULT_MODEL,
    usage_counts: dict[str, int] | None = None,
) -> Reply:
    block = {"type": "tool_use", "id": f"toolu_fake_{next(_ids)}", "name": tool_name, "input": tool_input}
    return _json_reply(
        200, message_payload([block], stop_reason=stop_reason, model=model, usage_counts=usage_counts)
    )


def text_answer(text: str, *, stop_reason: str = "end_turn") -> Reply:
    return _json_reply(200, message_payload([{"type": "text", "text": text}], stop_reason=stop_reason))


def refusal() -> Reply:
    return text_answer("I can't help with that.", stop_reason="refusal")


def max_tokens_stop(partial_input: dict[str, Any] | None = None) -> Reply:
    """The answer ran out of tokens inside the tool call."""
    return tool_use(partial_input or {"score": -0.4, "label": "negative"}, stop_reason="max_tokens")


def api_error(status: int, error_type: str, message: str, headers: dict[str, str] | None = None) -> Reply:
    payload = {"type": "error", "error": {"type": error_type, "message": message}}
    return _json_reply(status, payload, headers)


def rate_limited(retry_after_seconds: float = 0.01) -> Reply:
    return api_error(
        429,
        "rate_limit_error",
        "Number of request tokens has exceeded your per-minute rate limit.",
        {"retry-after": str(retry_after_seconds)},
    )


def overloaded() -> Reply:
    return api_error(529, "overloaded_error", "Overloaded")


def server_error(status: int = 500) -> Reply:
    return api_error(status, "api_error", "Internal server error")


def model_not_found(model: str = DEFAULT_MODEL) -> Reply:
    return api_error(404, "not_found_error", f"model: {model}")


def slow(reply: Reply, delay_seconds: float) -> Reply:
    reply.delay = delay_seconds
    return reply


def truncated_json() -> Reply:
    """A 200 whose JSON body stops half-way (complete HTTP framing, broken JSON)."""
    whole = tool_use(neutral_analysis()).body
    return Reply(status=200, body=whole[: len(whole) // 2], headers={"content-type": "application/json"})


def neutral_analysis(**overrides: Any) -> dict[str, Any]:
    """A complete, valid `record_analysis` input for a neutral request; override any field."""
    fields: dict[str, Any] = {
        "score": 0.0,
        "label": "neutral",
        "intensity": "mild",
        "emotions": [],
        "urgency": "low",
        "concerns": [],
        "churn_risk": False,
        "expansion": False,
        "competitor_mentioned": False,
        "sarcasm": False,
        "confidence": 0.8,
        "evidence": [],
        "language": "en",
        "recommended_action": "reply",
        "recommended_response": "Answer the question in the thread.",
        "draft_reply": "Thanks for asking — I'll get back to you today.",
        "abstained": False,
        "abstain_reason": None,
    }
    fields.update(overrides)
    return fields


def default_respond(body: dict[str, Any]) -> Reply:
    return tool_use(neutral_analysis())


# --- Message Batches ---------------------------------------------------------------------------

MAX_BATCH_REQUESTS = 100_000
MAX_BATCH_BYTES = 256 * 1024 * 1024
_CUSTOM_ID_RE = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


def errored_result(error_type: str = "invalid_request_error", message: str = "bad request") -> dict[str, Any]:
    """A batch request that failed (`MessageBatchErroredResult`)."""
    return {
        "type": "errored",
        "error": {"type": "error", "error": {"type": error_type, "message": message}, "request_id": None},
    }


def expired_result() -> dict[str, Any]:
    return {"type": "expired"}


def canceled_result() -> dict[str, Any]:
    return {"type": "canceled"}


def _result_of(reply: Reply) -> dict[str, Any]:
    """What a live reply becomes inside a batch: its message, or its error."""
    try:
        payload = json.loads(reply.body)
    except ValueError:
        return errored_result("api_error", "the answer was not JSON")
    if reply.status == 200:
        return {"type": "succeeded", "message": payload}
    error = payload.get("error") or {"type": "api_error", "message": "error"}
    return errored_result(error.get("type", "api_error"), error.get("message", ""))


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


@dataclass
class FakeBatch:
    id: str
    requests: list[dict[str, Any]]
    created_at: datetime
    ended_at: datetime | None = None
    results: list[dict[str, Any]] = field(default_factory=list)
    checks: int = 0

    def to_json(self, base_url: str) -> dict[str, Any]:
        counts = {"processing": 0, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}
        if self.ended_at is None:
            counts["processing"] = len(self.requests)
        else:
            for line in self.results:
                counts[line["result"]["type"]] += 1
        return {
            "id": self.id,
            "type": "message_batch",
            "processing_status": "in_progress" if self.ended_at is None else "ended",
            "request_counts": counts,
            "created_at": _iso(self.created_at),
            "expires_at": _iso(self.created_at + timedelta(hours=24)),
            "ended_at": _iso(self.ended_at),
            "archived_at": None,
            "cancel_initiated_at": None,
            "results_url": (
                None if self.ended_at is None else f"{base_url}/v1/messages/batches/{self.id}/results"
            ),
        }


def _batch_problem(body: Any) -> str | None:
    """Why the API would refuse this batch (400 invalid_request_error), or None."""
    requests = body.get("requests") if isinstance(body, dict) else None
    if not isinstance(requests, list) or not requests:
        return "requests: a non-empty list is required"
    if len(requests) > MAX_BATCH_REQUESTS:
        return f"requests: at most {MAX_BATCH_REQUESTS} requests per batch"
    seen: set[str] = set()
    for index, request in enumerate(requests):
        custom_id = request.get("custom_id") if isinstance(request, dict) else None
        if not isinstance(custom_id, str) or not _CUSTOM_ID_RE.match(custom_id):
            return f"requests.{index}.custom_id: must match ^[a-zA-Z0-9_-]{{1,64}}$"
        if custom_id in seen:
            return f"requests.{index}.custom_id: duplicate {custom_id!r}"
        seen.add(custom_id)
        params = request.get("params")
        required = ("model", "max_tokens", "messages")
        if not isinstance(params, dict) or not all(key in params for key in required):
            return f"requests.{index}.params: model, max_tokens and messages are required"
        if params.get("stream"):
            return f"requests.{index}.params.stream: not allowed in a batch"
    return None


# --- the server --------------------------------------------------------------------------------


class FakeMessagesAPI:
    """The Messages API stand-in; see the module docstring."""

    def __init__(self, respond: Callable[[dict[str, Any]], Reply] = default_respond, port: int = 0) -> None:
        # `port`: a fixed port, for a test that first finds nothing listening there (connection refused).
        self.respond = respond
        self.requests: list[RecordedRequest] = []
        self.errors: list[Exception] = []  # exceptions raised by `respond`
        self._queue: deque[Reply] = deque()
        #: Message Batches by id; see the module docstring.
        self.batches: dict[str, FakeBatch] = {}
        self.hold_batches = False
        self.batch_outcomes: dict[str, dict[str, Any]] = {}
        #: Or, per request (`{"custom_id", "params"}`), a result dict; None: answer with `respond`.
        self.batch_outcome_for: Callable[[dict[str, Any]], dict[str, Any] | None] | None = None
        self._lock = threading.RLock()  # re-entrant: `wait_until` conditions may read under it
        self._arrived = threading.Condition(self._lock)
        self._closing = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._serve, name="fake-messages-api", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeMessagesAPI:
        self._thread.start()
        return self

    def close(self) -> None:
        self._closing.set()  # releases handlers still holding back a slow reply
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _serve(self) -> None:
        # A short poll interval: `shutdown` waits for the loop to notice, and tests close many servers.
        self._server.serve_forever(poll_interval=0.01)

    def enqueue(self, *replies: Reply) -> None:
        """Answer the next requests with these replies, in order; then `respond` again."""
        with self._lock:
            self._queue.extend(replies)

    @property
    def message_requests(self) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == "/v1/messages"]

    @property
    def batch_creations(self) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.method == "POST" and r.path == "/v1/messages/batches"]

    def batch_checks(self, batch_id: str) -> int:
        """How many times the batch was retrieved (polled)."""
        with self._lock:
            path = f"/v1/messages/batches/{batch_id}"
            return sum(1 for r in self.requests if r.method == "GET" and r.path == path)

    def end_batch(self, batch_id: str) -> None:
        """Finish a held batch: every request gets its answer."""
        with self._lock:
            self._end(self.batches[batch_id])

    def _end(self, batch: FakeBatch) -> None:
        if batch.ended_at is not None:
            return
        results = []
        for request in batch.requests:
            custom_id = request["custom_id"]
            outcome = self.batch_outcomes.get(custom_id)
            if outcome is None and self.batch_outcome_for is not None:
                outcome = self.batch_outcome_for(request)
            if outcome is None:
                try:
                    outcome = _result_of(self.respond(request["params"]))
                except Exception as exc:  # noqa: BLE001
                    self.errors.append(exc)
                    outcome = errored_result("api_error", f"fake responder failed: {exc!r}")
            results.append({"custom_id": custom_id, "result": outcome})
        batch.results = results
        batch.ended_at = datetime.now(UTC)

    def wait_until(
        self, condition: Callable[[], bool], timeout: float = 10.0, what: str = "condition"
    ) -> None:
        """Block until `condition()` holds after some request arrived (or now)."""
        with self._arrived:
            if not self._arrived.wait_for(condition, timeout=timeout):
                raise AssertionError(f"{what} not met within {timeout}s")

    def _batch_reply(self, recorded: RecordedRequest) -> Reply | None:
        """The Message Batches endpoints (under the lock); None for other paths."""
        path = recorded.path
        if recorded.method == "POST" and path == "/v1/messages/batches":
            if len(recorded.raw) > MAX_BATCH_BYTES:
                return api_error(413, "request_too_large", "Request exceeds the maximum size.")
            try:
                body = recorded.body
            except ValueError:
                return api_error(400, "invalid_request_error", "body is not JSON")
            problem = _batch_problem(body)
            if problem:
                return api_error(400, "invalid_request_error", problem)
            batch = FakeBatch(f"msgbatch_fake_{next(_ids)}", body["requests"], datetime.now(UTC))
            self.batches[batch.id] = batch
            return _json_reply(200, batch.to_json(self.url))
        match = re.fullmatch(r"/v1/messages/batches/([^/]+)(/results)?", path)
        if recorded.method != "GET" or match is None:
            return None
        batch = self.batches.get(match.group(1))
        if batch is None:
            return api_error(404, "not_found_error", f"message batch {match.group(1)} not found")
        if match.group(2) is None:
            batch.checks += 1
            if not self.hold_batches:
                self._end(batch)
            return _json_reply(200, batch.to_json(self.url))
        if batch.ended_at is None:
            return api_error(400, "invalid_request_error", f"message batch {batch.id} is still processing")
        lines = "".join(json.dumps(line) + "\n" for line in batch.results)
        headers = {"content-type": "application/binary", "request-id": f"req_fake_{next(_ids)}"}
        return Reply(200, lines.encode(), headers)

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> list[RecordedRequest]:
        """Block until `count` requests arrived (for callers that do not await the client)."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.requests) >= count, timeout=timeout):
                raise AssertionError(f"expected {count} requests within {timeout}s, got {len(self.requests)}")
            return list(self.requests)

    def _next_reply(self, recorded: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(recorded)
            self._arrived.notify_all()
            if self._queue:
                return self._queue.popleft()
            batch_reply = self._batch_reply(recorded)
            if batch_reply is not None:
                return batch_reply
        if recorded.path == "/v1/messages/count_tokens":
            # The real count depends on the tokenizer; about four characters a token is near enough here.
            try:
                counted = recorded.body
            except ValueError:
                return api_error(400, "invalid_request_error", "body is not JSON")
            parts = [counted.get("system"), counted.get("tools"), counted.get("messages")]
            return _json_reply(200, {"input_tokens": len(json.dumps(parts)) // 4})
        if recorded.path != "/v1/messages":
            return api_error(404, "not_found_error", f"no route {recorded.path}")
        try:
            body = recorded.body
        except ValueError:
            return api_error(400, "invalid_request_error", "body is not JSON")
        try:
            return self.respond(body)
        except Exception as exc:  # noqa: BLE001 — a broken responder shows up as `errors`, not a hang
            self.errors.append(exc)
            return api_error(500, "api_error", f"fake responder failed: {exc!r}")

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; without TCP_NODELAY each answer waits ~40 ms
            # for the client's delayed ACK.
            disable_nagle_algorithm = True

            def do_POST(self) -> None:  # noqa: N802 — the stdlib's name
                self._answer("POST")

            def do_GET(self) -> None:  # noqa: N802 — the stdlib's name
                self._answer("GET")

            def _answer(self, method: str) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                headers = {name.lower(): value for name, value in self.headers.items()}
                recorded = RecordedRequest(method, self.path.split("?")[0], headers, raw)
                reply = api._next_reply(recorded)
                if reply.delay and api._closing.wait(reply.delay):
                    return
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("content-length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its timeout was shorter than our delay)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass  # keep test output clean

        return Handler


@contextmanager
def running_messages_api(
    respond: Callable[[dict[str, Any]], Reply] = default_respond,
) -> Iterator[FakeMessagesAPI]:
    """A started Messages API stand-in, closed on exit."""
    api = FakeMessagesAPI(respond).start()
    try:
        yield api
    finally:
        api.close()


@pytest.fixture
def messages_api() -> Iterator[FakeMessagesAPI]:
    """A started Messages API stand-in, closed after the test."""
    with running_messages_api() as api:
        yield api
