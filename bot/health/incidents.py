"""Cross-account incidents: several accounts raising the same concern within a few hours.

When reliability complaints arrive from five accounts in one morning, that is
one systemic issue (an outage), not five account problems. A burst counts
when, within `window_hours`, at least `min_accounts` distinct accounts raise
the concern in clearly negative messages (score ≤ −0.3) AND the count is improbable given the
concern's own rate over the previous `baseline_days` (at least `multiplier`
times the expected count, and a Poisson tail probability below `alpha` per
window) — so a large portfolio, where some account always mentions
reliability, does not report a permanent incident, while a small one still
hears about three accounts at once. Overlapping bursts merge into one incident.

Concerns are grouped into families first: an outage shows up as "reliability" in one
account's words, "performance" (exports timing out), "integration" (a sync lagging) or "bug"
(stale dashboards) in others', and those are one pattern (`CONCERN_FAMILIES`). The
incident is named after its family and lists the concerns its messages raised.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from storage.concerns import concern_events, concern_windows
from storage.db import Transaction
from storage.health import account_names_by_id
from storage.tenants import DEFAULT_TENANT

#: Concerns that are symptoms of the same service problem; an incident is reported under the family.
CONCERN_FAMILIES: dict[str, str] = {
    "reliability": "reliability",
    "performance": "reliability",
    "integration": "reliability",
    "bug": "reliability",
}


def concern_family(concern: str) -> str:
    """The family a concern is counted under for incidents (itself when it has none)."""
    return CONCERN_FAMILIES.get(concern, concern)


@dataclass
class Incident:
    concern: str
    start: datetime
    end: datetime
    account_ids: list[int]
    accounts: list[str] = field(default_factory=list)
    message_ids: list[int] = field(default_factory=list)
    expected: float = 0.0
    #: The concerns the incident's messages raised (their family is `concern`).
    raised: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """Stable while the incident grows: the concern and the hour it started (UTC)."""
        return f"{self.concern}:{self.start:%Y-%m-%dT%H}"

    def describe(self, zone: tzinfo) -> str:
        start, end = self.start.astimezone(zone), self.end.astimezone(zone)
        concern = self.concern.replace("_", " ")
        when = (
            f"on {start:%b} {start.day} between {start:%H:%M} and {end:%H:%M}"
            if start.date() == end.date()
            else f"from {start:%b} {start.day} {start:%H:%M} to {end:%b} {end.day} {end:%H:%M}"
        )
        return f"{concern} raised by {len(self.account_ids)} accounts {when}"

    def to_json(self, zone: tzinfo) -> dict:
        return {
            "concern": self.concern,
            "accounts": list(self.accounts),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "messages": len(self.message_ids),
            "message_ids": list(self.message_ids),
            "concerns": list(self.raised or [self.concern]),
            "text": self.describe(zone),
        }


@dataclass(frozen=True)
class IncidentRules:
    window_hours: float = 4.0
    min_accounts: int = 3
    multiplier: float = 2.0
    #: Chance, per window, that ordinary traffic reaches the threshold (there are ~500 windows a week).
    alpha: float = 1e-4
    baseline_days: int = 28
    #: Only concerns raised by clearly negative messages count (the warning score): a passing,
    #: mildly negative mention of a concern is background, not someone hit by an outage.
    max_score: float = -0.3


def _expected_per_window(
    tx: Transaction, start: datetime, rules: IncidentRules, tenant: str
) -> dict[str, float]:
    """For each concern family, how many accounts raise it in a typical window (from the baseline period).

    An account counts once per window however many messages and concerns of the family it
    sent (a morning of complaints from one account is one account in that window).
    """
    baseline_start = start - timedelta(days=rules.baseline_days)
    rows = concern_windows(tx, baseline_start, start, rules.max_score, rules.window_hours, tenant)
    seen = {(concern_family(concern), account_id, window) for concern, account_id, window in rows}
    windows = rules.baseline_days * 24 / rules.window_hours
    counts = Counter(family for family, _, _ in seen)
    return {family: count / windows for family, count in counts.items()}


def poisson_threshold(expected: float, alpha: float) -> int:
    """The smallest count k with P(X ≥ k) < alpha for X ~ Poisson(expected)."""
    if expected <= 0:
        return 1
    term = math.exp(-expected)  # P(X = 0)
    below = 0.0  # P(X < k)
    k = 0
    while 1.0 - below >= alpha and k < 10_000:
        below += term
        k += 1
        term *= expected / k
    return k


def detect_incidents(
    tx: Transaction,
    start: datetime,
    end: datetime,
    rules: IncidentRules | None = None,
    account_ids: list[int] | None = None,
    tenant: str = DEFAULT_TENANT,
) -> list[Incident]:
    """The tenant's incidents whose first message falls in [start, end), oldest first.

    `account_ids` limits the report to incidents touching those accounts (a
    CSM's digest); detection itself always looks at the tenant's whole portfolio (never another
    tenant's customers: their outage is not this tenant's news).
    """
    rules = rules or IncidentRules()
    window = timedelta(hours=rules.window_hours)
    expected = _expected_per_window(tx, start, rules, tenant)
    rows = concern_events(tx, start - window, end, rules.max_score, tenant)
    incidents: list[Incident] = []
    by_concern: dict[str, list] = {}
    raised: dict[int, list[str]] = {}
    for row in rows:
        family = by_concern.setdefault(concern_family(row.concern), [])
        if not family or family[-1].message_id != row.message_id:
            family.append(row)
        raised.setdefault(row.message_id, []).append(row.concern)
    for concern, events in by_concern.items():
        events.sort(key=lambda e: (e.created_at, e.message_id))
        rate = expected.get(concern, 0.0)
        threshold = max(
            rules.min_accounts, math.ceil(rules.multiplier * rate), poisson_threshold(rate, rules.alpha)
        )
        incidents.extend(_bursts(concern, events, window, threshold, expected.get(concern, 0.0)))
    for incident in incidents:
        incident.raised = sorted({c for m in incident.message_ids for c in raised.get(m, ())})
    wanted = set(account_ids) if account_ids is not None else None
    found = [
        i
        for i in incidents
        if start <= i.start < end and (wanted is None or wanted.intersection(i.account_ids))
    ]
    _name_accounts(tx, found)
    return sorted(found, key=lambda i: i.start)


def _bursts(concern: str, events: list, window: timedelta, threshold: int, expected: float) -> list[Incident]:
    """Sliding window over one concern's events; qualifying windows that overlap are merged."""
    incidents: list[Incident] = []
    in_window: Counter = Counter()
    left = 0
    current: Incident | None = None
    for right, event in enumerate(events):
        in_window[event.account_id] += 1
        while events[left].created_at <= event.created_at - window:
            in_window[events[left].account_id] -= 1
            if not in_window[events[left].account_id]:
                del in_window[events[left].account_id]
            left += 1
        if len(in_window) < threshold:
            continue
        members = events[left : right + 1]
        if current is not None and members[0].created_at <= current.end:
            current.end = event.created_at
            for member in members:
                if member.account_id not in current.account_ids:
                    current.account_ids.append(member.account_id)
                if member.message_id not in current.message_ids:
                    current.message_ids.append(member.message_id)
            continue
        current = Incident(
            concern=concern,
            start=members[0].created_at,
            end=event.created_at,
            account_ids=list(dict.fromkeys(m.account_id for m in members)),
            message_ids=[m.message_id for m in members],
            expected=round(expected, 3),
        )
        incidents.append(current)
    return incidents


def _name_accounts(tx: Transaction, incidents: list[Incident]) -> None:
    ids = {a for incident in incidents for a in incident.account_ids}
    if not ids:
        return
    names = account_names_by_id(tx, ids)
    for incident in incidents:
        incident.accounts = [names.get(a, f"account {a}") for a in incident.account_ids]


def active_incident(
    tx: Transaction,
    concern: str,
    now: datetime,
    rules: IncidentRules | None = None,
    tenant: str = DEFAULT_TENANT,
) -> Incident | None:
    """The incident about `concern` still going on at `now` (its last message within one window), if any.

    For the alert path: a warning about this concern can join the systemic incident instead of
    being posted once per account.
    """
    rules = rules or IncidentRules()
    window = timedelta(hours=rules.window_hours)
    family = concern_family(concern)
    ongoing = [
        incident
        for incident in detect_incidents(
            tx, now - 2 * window, now + timedelta(microseconds=1), rules, tenant=tenant
        )
        if incident.concern == family and incident.end >= now - window
    ]
    return ongoing[-1] if ongoing else None
