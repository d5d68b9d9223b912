"""The whole portfolio at a glance (the Slack App Home, a Teams tab): accounts by light, open alerts.

Platform-free: `portfolio_overview` reads it as of `now`; the platforms draw it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.health.report import quote
from bot.health.rules import LIGHT_ORDER, HealthRules, Light
from bot.health.scoring import compute_health
from bot.questions.answer import MessageRef, message_refs
from storage.db import Engine, transaction
from storage.health import newest_open_alerts
from storage.tenants import DEFAULT_TENANT

SEVERITY_ORDER = {"critical": 0, "warning": 1, "opportunity": 2}


@dataclass
class AccountLine:
    account: str
    owner: str | None
    light: Light
    trend: str
    points: int
    open_alerts: int
    reasons: list[str]
    average_30d: float | None
    silent_days: int | None


@dataclass
class OpenAlert:
    alert_id: int
    account: str
    severity: str
    status: str
    message_count: int
    created_at: datetime
    quote: str
    ref: MessageRef | None
    #: Where the alert itself was posted (a channel and its message), when it was.
    post_channel: str | None
    post_ref: str | None


@dataclass
class Portfolio:
    as_of: datetime
    counts: dict[Light, int]
    accounts: list[AccountLine] = field(default_factory=list)
    open_alerts: list[OpenAlert] = field(default_factory=list)

    def by_light(self, light: Light) -> list[AccountLine]:
        return [a for a in self.accounts if a.light is light]


def portfolio_overview(
    engine: Engine, now: datetime, rules: HealthRules, alert_limit: int = 20, tenant: str = DEFAULT_TENANT
) -> Portfolio:
    """The tenant's portfolio: its accounts and its open alerts, nobody else's."""
    with transaction(engine) as tx:
        healths = compute_health(tx, now, rules, tenant=tenant)
        accounts = sorted(
            (
                AccountLine(
                    account=h.account,
                    owner=h.owner,
                    light=h.light,
                    trend=str(h.trend),
                    points=h.points,
                    open_alerts=h.open_alerts,
                    reasons=[s.text for s in sorted(h.signals, key=lambda s: -s.points) if s.points > 0][:2],
                    average_30d=h.average_30d,
                    silent_days=h.silent_days,
                )
                for h in healths
            ),
            key=lambda a: (-LIGHT_ORDER[a.light], -a.points, a.account.casefold()),
        )
        rows = newest_open_alerts(tx, tenant, now, alert_limit)
        refs = message_refs(tx, [row.message_id for row in rows if row.message_id])
    alerts = [
        OpenAlert(
            alert_id=row.id,
            account=row.name or "Unknown account",
            severity=row.severity,
            status=row.status,
            message_count=row.message_count,
            created_at=row.created_at,
            quote=quote(row.text),
            ref=refs.get(row.message_id),
            post_channel=row.post_channel,
            post_ref=row.post_ref,
        )
        for row in rows
    ]
    alerts.sort(key=lambda a: (SEVERITY_ORDER.get(a.severity, 3), -a.created_at.timestamp()))
    counts = {light: sum(1 for a in accounts if a.light is light) for light in Light}
    return Portfolio(now, counts, accounts, alerts)
