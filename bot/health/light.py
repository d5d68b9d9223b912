"""An account's light right now, for the alert card (blocking: run it in a thread)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.health.rules import HealthRules
from bot.health.scoring import compute_health
from storage.db import Engine, transaction
from storage.queries import find_account
from storage.tenants import DEFAULT_TENANT


class AccountLight:
    """Callable(account name, tenant) -> "green", "yellow", "red", or None for an account not stored."""

    def __init__(self, engine: Engine, rules: HealthRules) -> None:
        self.engine = engine
        self.rules = rules

    def __call__(self, account: str, tenant: str = DEFAULT_TENANT) -> str | None:
        with transaction(self.engine) as tx:
            found = find_account(tx, account, tenant)
            if found is None or found.id is None:
                return None
            now = datetime.now(UTC)
            health = compute_health(tx, now, self.rules, account_ids=[found.id], tenant=tenant)
            return health[0].light.value if health else None
