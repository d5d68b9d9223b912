"""Local stand-ins of the HubSpot and Salesforce REST APIs, each in a thread of its own (the tests'
and `tonewatch demo`'s: tests/fakes/crm_apis.py re-exports them).

They answer the calls the CRM sync makes (and only those: anything else is a 404 the test sees),
check the bearer token, keep the records and record every request so tests can check what was
sent. `fail_next(n, status)` makes the next n requests fail (429 with Retry-After: 0 by default).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "crm-test-token-0123456789"
STAMP = "2026-01-01T00:00:00.000Z"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: Any


@dataclass
class _Server:
    requests: list[Request] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)

    #: An ssl.SSLContext to serve HTTPS with (Salesforce's client only speaks https).
    tls: Any = None

    def __post_init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._ids = itertools.count(9001)

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    def start(self):
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(timeout=10)
        return self

    async def _serve(self) -> None:
        app = web.Application(middlewares=[self._check])
        self.routes(app)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=self.tls)
        await site.start()
        self.port = self._runner.addresses[0][1]

    def close(self) -> None:
        async def stop() -> None:
            if self._runner is not None:
                await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def fail_next(self, count: int = 1, status: int = 429) -> None:
        self.failures.extend([status] * count)

    @web.middleware
    async def _check(self, request: web.Request, handler):
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            self.refused.append(f"{request.method} {request.path}")
            return web.json_response([{"message": "Session expired or invalid"}], status=401)
        raw = await request.read()
        body = json.loads(raw) if raw else None
        query = {key: ",".join(request.query.getall(key)) for key in request.query}
        self.requests.append(Request(request.method, request.path, query, body))
        if self.failures:
            status = self.failures.pop(0)
            return web.json_response({"message": "slow down"}, status=status, headers={"Retry-After": "0"})
        return await handler(request)

    def calls(self, method: str, prefix: str) -> list[Request]:
        return [r for r in self.requests if r.method == method and r.path.startswith(prefix)]


class FakeHubSpot(_Server):
    def __init__(self) -> None:
        super().__init__()
        #: company id → properties
        self.companies: dict[str, dict[str, Any]] = {}
        #: owner id → (email, first, last)
        self.owners: dict[str, tuple[str, str, str]] = {}
        #: task id → properties
        self.tasks: dict[str, dict[str, Any]] = {}
        self.task_associations: dict[str, list] = {}

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/crm/v3/objects/companies", self._companies)
        app.router.add_get("/crm/v3/objects/companies/{id}", self._company)
        app.router.add_patch("/crm/v3/objects/companies/{id}", self._update_company)
        app.router.add_get("/crm/v3/owners/{id}", self._owner)
        app.router.add_post("/crm/v3/objects/tasks", self._create_task)
        app.router.add_patch("/crm/v3/objects/tasks/{id}", self._update_task)

    @staticmethod
    def _object(object_id: str, properties: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": object_id,
            "properties": properties,
            "createdAt": STAMP,
            "updatedAt": STAMP,
            "archived": False,
        }

    async def _companies(self, request: web.Request) -> web.Response:
        # One `properties` parameter per name, or one comma-separated list: HubSpot takes both.
        wanted = [name for value in request.query.getall("properties", []) for name in value.split(",")]
        ids = sorted(self.companies)
        start = int(request.query.get("after") or 0)
        page = ids[start : start + 2]  # small pages, so paging is exercised
        body: dict[str, Any] = {
            "results": [
                self._object(i, {k: v for k, v in self.companies[i].items() if k in wanted}) for i in page
            ]
        }
        if start + 2 < len(ids):
            body["paging"] = {"next": {"after": str(start + 2), "link": "x"}}
        return web.json_response(body)

    async def _company(self, request: web.Request) -> web.Response:
        company = self.companies.get(request.match_info["id"])
        if company is None:
            return web.json_response({"message": "not found"}, status=404)
        return web.json_response(self._object(request.match_info["id"], company))

    async def _update_company(self, request: web.Request) -> web.Response:
        company = self.companies.get(request.match_info["id"])
        body = await request.json()
        if company is None or set(body) != {"properties"}:
            return web.json_response({"message": "bad request"}, status=400)
        company.update(body["properties"])
        return web.json_response(self._object(request.match_info["id"], company))

    async def _owner(self, request: web.Request) -> web.Response:
        owner = self.owners.get(request.match_info["id"])
        if owner is None:
            return web.json_response({"message": "not found"}, status=404)
        email, first, last = owner
        return web.json_response(
            {
                "id": request.match_info["id"],
                "email": email,
                "firstName": first,
                "lastName": last,
                "userId": 1,
                "createdAt": STAMP,
                "updatedAt": STAMP,
                "archived": False,
                "type": "PERSON",
            }
        )

    async def _create_task(self, request: web.Request) -> web.Response:
        body = await request.json()
        properties = body.get("properties") or {}
        if not properties.get("hs_task_subject") or not properties.get("hs_timestamp"):
            return web.json_response({"message": "hs_task_subject and hs_timestamp are required"}, status=400)
        task_id = str(next(self._ids))
        self.tasks[task_id] = dict(properties)
        self.task_associations[task_id] = body.get("associations") or []
        return web.json_response(self._object(task_id, properties), status=201)

    async def _update_task(self, request: web.Request) -> web.Response:
        task = self.tasks.get(request.match_info["id"])
        if task is None:
            return web.json_response({"message": "not found"}, status=404)
        task.update((await request.json())["properties"])
        return web.json_response(self._object(request.match_info["id"], task))


class FakeSalesforce(_Server):
    """Served over HTTPS with a test CA's certificate (`trustme`): simple-salesforce builds https URLs."""

    VERSION = "v59.0"

    def __init__(self, tls: Any) -> None:
        super().__init__(tls=tls)
        #: account id → fields (Owner as {"Email", "Name"})
        self.accounts: dict[str, dict[str, Any]] = {}
        self.tasks: dict[str, dict[str, Any]] = {}
        self.queries: list[str] = []

    def routes(self, app: web.Application) -> None:
        base = f"/services/data/{self.VERSION}"
        app.router.add_get(f"{base}/query/", self._query)
        app.router.add_get(f"{base}/sobjects/Account/{{id}}", self._account)
        app.router.add_patch(f"{base}/sobjects/Account/{{id}}", self._update_account)
        app.router.add_post(f"{base}/sobjects/Task/", self._create_task)
        app.router.add_patch(f"{base}/sobjects/Task/{{id}}", self._update_task)

    async def _query(self, request: web.Request) -> web.Response:
        soql = request.query.get("q", "")
        self.queries.append(soql)
        if not soql.startswith("SELECT ") or " FROM Account" not in soql:
            return web.json_response([{"errorCode": "MALFORMED_QUERY"}], status=400)
        fields = [f.strip() for f in soql.removeprefix("SELECT ").split(" FROM ")[0].split(",")]
        records = []
        for account_id, account in self.accounts.items():
            record: dict[str, Any] = {"attributes": {"type": "Account"}, "Id": account_id}
            for name in fields:
                if name.startswith("Owner."):
                    record.setdefault("Owner", {})[name.split(".", 1)[1]] = account["Owner"].get(
                        name.split(".", 1)[1]
                    )
                elif name != "Id":
                    record[name] = account.get(name)
            records.append(record)
        return web.json_response({"totalSize": len(records), "done": True, "records": records})

    async def _account(self, request: web.Request) -> web.Response:
        account = self.accounts.get(request.match_info["id"])
        if account is None:
            return web.json_response([{"errorCode": "NOT_FOUND"}], status=404)
        return web.json_response(
            {"Id": request.match_info["id"], **{k: v for k, v in account.items() if k != "Owner"}}
        )

    async def _update_account(self, request: web.Request) -> web.Response:
        account = self.accounts.get(request.match_info["id"])
        if account is None:
            return web.json_response([{"errorCode": "NOT_FOUND"}], status=404)
        account.update(await request.json())
        return web.Response(status=204)

    async def _create_task(self, request: web.Request) -> web.Response:
        body = await request.json()
        if not body.get("WhatId") or not body.get("Subject"):
            return web.json_response([{"errorCode": "REQUIRED_FIELD_MISSING"}], status=400)
        task_id = f"00T{next(self._ids)}"
        self.tasks[task_id] = body
        return web.json_response({"id": task_id, "success": True, "errors": []}, status=201)

    async def _update_task(self, request: web.Request) -> web.Response:
        task = self.tasks.get(request.match_info["id"])
        if task is None:
            return web.json_response([{"errorCode": "NOT_FOUND"}], status=404)
        task.update(await request.json())
        return web.Response(status=204)
