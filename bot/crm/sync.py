"""The CRM sync, both ways, for every configured CRM.

- **pull**: each company/account's owner, value, tier and renewal date go into the account book,
  matched to a Tonewatch account by the CRM id stored on it, then by email domain, then by name
  (CRM records matching nothing are left alone: Tonewatch accounts come from customers writing).
- **push**: per account linked to the CRM, its light, trend, 30-day average, last negative message
  date, churn risk and outreach suppression, to the properties configured for that CRM; an account
  whose values did not change since its last push is not pushed again.
- **tasks**: one task for the account's owner when a critical alert opens (an NPS detractor opens
  one too), linked to the CRM record, made once per alert; closed when the alert is resolved. Both
  are durable work items queued in the alert's own transaction (`AlertService`).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.accounts.book import apply_entry
from bot.accounts.entry import BookEntry
from bot.alerts.service import CRM_CLOSE_TASK, CRM_TASK
from bot.crm.base import CrmClient, CrmRecord
from bot.health.rules import HealthRules
from bot.health.scoring import compute_health_everywhere
from storage.book import PersonInfo
from storage.crm import (
    alert_account,
    all_accounts,
    close_task_record,
    last_negative_at,
    pushed_fingerprint,
    record_push,
    record_task,
    task_for,
)
from storage.db import Engine, read_transaction, transaction
from storage.queries import account_key
from storage.types import utcnow

log = logging.getLogger(__name__)



@dataclass
class SyncSummary:
    system: str
    pulled: int = 0
    matched: int = 0
    unmatched: int = 0
    pushed: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return dict(self.__dict__)


def _match(record: CrmRecord, system: str, by_id: dict, by_domain: dict, by_name: dict) -> int | None:
    if record.crm_id in by_id:
        return by_id[record.crm_id]
    for domain in record.domains:
        if domain in by_domain:
            return by_domain[domain]
    return by_name.get(account_key(record.name)) if record.name else None


class CrmSync:
    def __init__(
        self,
        engine: Engine,
        clients: dict[str, CrmClient],
        pushed_fields: dict[str, dict[str, str]],
        rules: HealthRules,
        offload: Callable[..., Awaitable[Any]] = asyncio.to_thread,
    ) -> None:
        self.engine = engine
        self.clients = clients
        self.pushed_fields = pushed_fields
        self.rules = rules
        #: Where blocking calls run (see bot/runtime/threads.py).
        self.offload = offload

    # --- pull --------------------------------------------------------------------------------

    def pull(self, client: CrmClient, summary: SyncSummary) -> None:
        records = client.pull()
        summary.pulled = len(records)
        system = client.system
        with transaction(self.engine) as tx:
            accounts = all_accounts(tx)
            by_id = {str(a.crm_ids.get(system)): a.id for a in accounts if a.crm_ids.get(system)}
            by_domain = {domain: a.id for a in accounts for domain in a.domains}
            by_name = {a.name_key: a.id for a in accounts}
            names = {a.id: a.name for a in accounts}
            for record in records:
                account_id = _match(record, system, by_id, by_domain, by_name)
                if account_id is None:
                    summary.unmatched += 1
                    continue
                summary.matched += 1
                owners = (
                    [PersonInfo(name=record.owner_name, email=record.owner_email.lower())]
                    if record.owner_email
                    else None
                )
                apply_entry(
                    tx,
                    BookEntry(
                        account=names[account_id],
                        owners=owners,
                        arr=record.arr,
                        currency=(record.currency or "").upper()[:3] or None,
                        tier=(record.tier or "")[:50] or None,
                        renewal_date=record.renewal_date,
                        domains=record.domains,
                        crm={system: record.crm_id},
                    ),
                )

    # --- push --------------------------------------------------------------------------------

    def values(self, now: datetime) -> dict[int, dict[str, Any]]:
        """What is pushed for every account, by account id (our field names)."""
        with read_transaction(self.engine) as tx:
            healths = compute_health_everywhere(tx, now, self.rules)
            negatives = last_negative_at(tx, [h.account_id for h in healths], self.rules.warning_score)
            suppressed = {a.id: a.suppress_outreach for a in all_accounts(tx)}
        values = {}
        for health in healths:
            if health.account_id not in suppressed:
                continue
            last = negatives.get(health.account_id)
            values[health.account_id] = {
                "light": str(health.light),
                "trend": str(health.trend),
                "average_30d": round(health.average_30d, 3) if health.average_30d is not None else None,
                "last_negative_at": last.date().isoformat() if last else None,
                "churn_risk": any(s.code == "churn_risk" and s.points > 0 for s in health.signals),
                "suppress_outreach": bool(suppressed[health.account_id]),
            }
        return values

    def push(self, client: CrmClient, summary: SyncSummary, values: dict[int, dict[str, Any]]) -> None:
        system = client.system
        mapping = {ours: theirs for ours, theirs in self.pushed_fields.get(system, {}).items() if theirs}
        with read_transaction(self.engine) as tx:
            linked = [
                (a.id, str(a.crm_ids[system]), pushed_fingerprint(tx, a.id, system))
                for a in all_accounts(tx)
                if a.crm_ids.get(system)
            ]
        for account_id, crm_id, before in linked:
            ours = values.get(account_id)
            if ours is None:
                continue
            properties = {theirs: ours[key] for key, theirs in mapping.items() if key in ours}
            fingerprint = hashlib.sha256(
                json.dumps([crm_id, properties], sort_keys=True, default=str).encode()
            ).hexdigest()
            if fingerprint == before:
                summary.unchanged += 1
                continue
            try:
                client.push(crm_id, properties)
            except Exception as exc:  # noqa: BLE001 - one record's failure must not stop the rest
                summary.errors.append(f"push {crm_id}: {type(exc).__name__}")
                log.warning("pushing to %s record %s failed: %s", system, crm_id, type(exc).__name__)
                continue
            with transaction(self.engine) as tx:
                record_push(tx, account_id, system, fingerprint)
            summary.pushed += 1

    def sync(self, now: datetime | None = None) -> list[SyncSummary]:
        """Pull then push, for each CRM (blocking)."""
        now = now or utcnow()
        summaries = []
        for system, client in self.clients.items():
            summary = SyncSummary(system)
            try:
                self.pull(client, summary)
            except Exception as exc:  # noqa: BLE001 - the push still runs on what the book has
                summary.errors.append(f"pull: {type(exc).__name__}: {str(exc)[:200]}")
                log.warning("pulling from %s failed: %s", system, type(exc).__name__)
            summaries.append(summary)
        values = self.values(now)
        for summary in summaries:
            self.push(self.clients[summary.system], summary, values)
        return summaries

    # --- tasks (work items) -------------------------------------------------------------------

    def register(self, worker) -> None:
        worker.register(CRM_TASK, self.create_task)
        worker.register(CRM_CLOSE_TASK, self.close_task)

    def _task_to_make(self, alert_id: int, system: str) -> tuple[str, str, str] | None:
        with read_transaction(self.engine) as tx:
            if task_for(tx, alert_id, system) is not None:
                return None  # made already: once per alert
            found = alert_account(tx, alert_id)
            if found is None:
                return None
            alert, account = found
            crm_id = account.crm_ids.get(system)
            if not crm_id or alert.status == "resolved":
                return None
            subject = f"Tonewatch: {alert.severity} alert on {account.name}"
            body = (
                f"Tonewatch alert #{alert.id} ({alert.issue_key.replace('_', ' ')}), "
                f"{alert.message_count} message(s) so far. Open it in the alert channel; resolving it "
                "there closes this task."
            )
            return str(crm_id), subject, body

    async def create_task(self, subject: str, attempts: int) -> None:
        alert_text, _, system = subject.partition(":")
        client = self.clients.get(system)
        if client is None:
            return
        alert_id = int(alert_text)
        made = await self.offload(self._task_to_make, alert_id, system)
        if made is None:
            return
        task_id = await self.offload(client.create_task, *made)

        def record() -> None:
            with transaction(self.engine) as tx:
                record_task(tx, alert_id, system, task_id)

        await self.offload(record)

    async def close_task(self, subject: str, attempts: int) -> None:
        alert_text, _, system = subject.partition(":")
        client = self.clients.get(system)
        alert_id = int(alert_text)

        def open_task() -> str | None:
            with read_transaction(self.engine) as tx:
                task = task_for(tx, alert_id, system)
                return task.task_id if task is not None and task.status == "open" else None

        task_id = await self.offload(open_task)
        if client is None or task_id is None:
            return
        await self.offload(client.close_task, task_id)

        def closed() -> None:
            with transaction(self.engine) as tx:
                close_task_record(tx, alert_id, system)

        await self.offload(closed)
