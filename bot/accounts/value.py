"""Weighing alerts and attention by what an account is worth and how close its renewal is.

The rules live in the health rules file under `value` (docs/health.md):

- an alert that would be a warning is raised to critical (and posted at once) when its account's
  annual value is at least `high_arr`, or its renewal is within `renewal_days`;
- the digest's attention list is ordered by health points plus value points: one point per
  `arr_step` of annual value (at most `arr_points_cap`) and `renewal_points` when the renewal is
  within `renewal_days`;
- the digest states the annual value of the accounts needing attention and how many of them renew
  within `renewal_days`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from bot.alerts.policy import AlertDecision, Severity


class ValueRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    #: At or above this annual value, warnings are raised to critical. 0 turns it off.
    high_arr: float = Field(default=100_000, ge=0)
    #: A renewal this many days away or fewer raises warnings, adds attention points, is counted.
    renewal_days: int = Field(default=90, ge=0, le=730)
    #: One attention point per this much annual value…
    arr_step: float = Field(default=50_000, gt=0)
    #: …up to this many.
    arr_points_cap: int = Field(default=3, ge=0, le=20)
    renewal_points: int = Field(default=2, ge=0, le=20)


def days_to(renewal: date | None, today: date) -> int | None:
    return (renewal - today).days if renewal is not None else None


def renews_soon(renewal: date | None, today: date, rules: ValueRules) -> bool:
    days = days_to(renewal, today)
    return days is not None and 0 <= days <= rules.renewal_days


def value_points(arr: float | None, renewal: date | None, today: date, rules: ValueRules) -> int:
    points = min(rules.arr_points_cap, int((arr or 0) // rules.arr_step))
    if renews_soon(renewal, today, rules):
        points += rules.renewal_points
    return points


def short_money(amount: float, currency: str | None) -> str:
    """48000 USD → "$48k"; 1_200_000 EUR → "€1.2M"; 950 GBP → "£950"."""
    symbol = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}.get(currency or "USD")
    if amount >= 1_000_000:
        figure = f"{amount / 1_000_000:.1f}".rstrip("0").rstrip(".") + "M"
    elif amount >= 1_000:
        figure = f"{amount / 1_000:.0f}k"
    else:
        figure = f"{amount:.0f}"
    return f"{symbol}{figure}" if symbol else f"{figure} {currency}"


def tier_decision(
    decision: AlertDecision,
    arr: float | None,
    currency: str | None,
    renewal: date | None,
    today: date,
    rules: ValueRules,
) -> AlertDecision:
    """A warning at a high-value account, or one renewing soon, becomes critical (posted at once)."""
    if decision.severity is not Severity.warning:
        return decision
    reasons = []
    if rules.high_arr and arr is not None and arr >= rules.high_arr:
        reasons.append(f"high-value account ({short_money(arr, currency)} ARR)")
    if renews_soon(renewal, today, rules):
        reasons.append(f"renews in {days_to(renewal, today)} days")
    if not reasons:
        return decision
    return dataclasses.replace(
        decision, severity=Severity.critical, post_now=True, reasons=(*decision.reasons, *reasons)
    )


@dataclass
class ValueAtRisk:
    """The annual value of the accounts needing attention, and how many renew soon."""

    arr: float
    currency: str | None
    accounts: int
    renewals: int
    renewal_days: int

    @property
    def line(self) -> str:
        if self.currency:
            money = short_money(self.arr, self.currency)
        else:
            money = f"{self.arr:,.0f} (mixed currencies)"
        plural = "s" if self.renewals != 1 else ""
        return f"{money} ARR at risk, {self.renewals} renewal{plural} within {self.renewal_days} days"

    def to_json(self) -> dict:
        return {
            "arr": self.arr,
            "currency": self.currency,
            "accounts": self.accounts,
            "renewals": self.renewals,
            "renewal_days": self.renewal_days,
            "text": self.line,
        }
