"""Outreach suppression: hold marketing and renewal automation off an account that is hurting.

An account is flagged `suppress_outreach` when it turns red or its light worsens (a recorded colour
change to a worse colour; the hourly colour check records them). The flag stays until one of our
people records the recovery conversation (`/tonewatch recovered ACCOUNT`, or the Recovered button on
an alert); a later worsening flags it again. Each change is emitted as
`account.suppression_changed` in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.webhooks import NO_EVENTS, WebhookEvents
from storage.book import BookRow, book_row, set_suppression
from storage.db import Engine, Transaction, transaction
from storage.errors import UserError
from storage.queries import account_by_id, find_account
from storage.records import AccountInfo, HealthChangeInfo
from storage.tenants import DEFAULT_TENANT

_RANK = {None: 0, "green": 0, "yellow": 1, "red": 2}
SYSTEM = "tonewatch"


def worsened(change: HealthChangeInfo, before: str | None) -> bool:
    return _RANK.get(change.to_light, 0) > _RANK.get(before, 0)


def _event(account: AccountInfo, by: str | None) -> dict:
    return {
        "account": account.name,
        "account_id": account.id,
        "suppress_outreach": account.suppress_outreach,
        "reason": account.suppression_reason,
        "changed_by": by,
    }


def flag(
    tx: Transaction, account: AccountInfo, reason: str, events: WebhookEvents = NO_EVENTS
) -> bool:
    """Flag the account (in the caller's transaction); returns whether it was not flagged before."""
    flagged = set_suppression(tx, account.id, True, reason, SYSTEM)
    if flagged is None:
        return False
    events.emit(tx, "account.suppression_changed", _event(flagged, SYSTEM))
    return True


def flag_worsened(
    tx: Transaction, changes: Sequence[tuple[HealthChangeInfo, str | None]], events: WebhookEvents = NO_EVENTS
) -> int:
    """Flag the accounts whose recorded change made them worse; returns how many were newly flagged."""
    flagged = 0
    for change, before in changes:
        if not worsened(change, before):
            continue
        account = account_by_id(tx, change.account_id)
        if account is None:
            continue
        reason = "turned red" if change.to_light == "red" else f"worsened to {change.to_light}"
        flagged += flag(tx, account, reason, events)
    return flagged


class Suppression:
    def __init__(self, engine: Engine, events: WebhookEvents = NO_EVENTS) -> None:
        self.engine = engine
        self.events = events

    def recovered(self, name: str, by: str, tenant: str = DEFAULT_TENANT) -> tuple[BookRow, bool]:
        """Record the recovery conversation: clear the flag. Returns (the account, whether it changed)."""
        with transaction(self.engine) as tx:
            account = find_account(tx, name, tenant)
            if account is None:
                raise UserError(f"no account named {name!r}")
            cleared = set_suppression(tx, account.id, False, "recovery recorded", by)
            if cleared is not None:
                self.events.emit(tx, "account.suppression_changed", _event(cleared, by))
            return book_row(tx, account.id), cleared is not None

    def recovered_by_alert(
        self, alert_id: int, by: str, tenant: str = DEFAULT_TENANT
    ) -> tuple[BookRow, bool] | None:
        """`recovered` for the account of the tenant's alert (the button on its card)."""
        from storage.alerts import alert_by_id

        with transaction(self.engine) as tx:
            alert = alert_by_id(tx, alert_id)
            if alert is None or alert.tenant != tenant:
                return None  # a button of another tenant's card is no button here
            account = account_by_id(tx, alert.account_id) if alert.account_id else None
            name = account.name if account else None
        return self.recovered(name, by, tenant) if name else None
