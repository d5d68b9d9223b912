"""The rules that turn an account's signals into green / yellow / red. Documented in docs/health.md.

Every threshold is a field of `HealthRules`; a team overrides any of them with
a JSON file named by TONEWATCH_HEALTH_RULES (for example `{"red_at": 6}`).

Risk points (all counted over the recent window, 14 days unless noted):

| signal                                                   | points                          |
|----------------------------------------------------------|---------------------------------|
| each open problem (strongly negative messages, score     | +2, at most +6                  |
|   ≤ −0.6, one per conversation, not settled) beyond the  |                                 |
|   number usual for this account (usual count + its       |                                 |
|   square root once the usual count is at least one)      |                                 |
| recovering: settled problems of ≥ 2 such messages        | +2                              |
| churn risk (cancel, not renew, cut seats)                | +3 (one mild hint alone: +1)    |
| gone silent (21 days)                                    | +2                              |
| competitor mentioned                                     | +1                              |
| share of negative messages (≤ −0.3) above the account's  | +1 from 0.25 more, +2 from 0.50 |
|   own usual share                                        |   (needs 3 recent messages)     |
| tone below the account's own baseline                    | +1 from 0.25 lower, +2 from 0.5 |
| 30-day average ≤ −0.45 (unhappy even if that is normal)  | +2                              |
| open alerts                                              | +1 each, +2 if critical; ≤ +4   |
| NPS detractor (0–6) in the last 30 days                  | +2                              |
| NPS promoter (9–10) in the last 90 days                  | −1                              |
| trend declining                                          | +1                              |
| (share, below-baseline and declining together: at most +2; they read the same messages)    |

Light: red from 5 points, yellow from 2, green below. The baseline is the
account's mean score over days 14–90, pulled toward a portfolio prior when it
has few messages, so a terse engineering team whose normal is −0.2 is judged
against −0.2, not against zero.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bot.accounts.value import ValueRules
from storage.errors import ConfigError


class Light(StrEnum):
    green = "green"
    yellow = "yellow"
    red = "red"


class Trend(StrEnum):
    improving = "improving"
    stable = "stable"
    declining = "declining"


LIGHT_ORDER = {Light.green: 0, Light.yellow: 1, Light.red: 2}


class HealthRules(BaseModel):
    """Windows, thresholds and points of the traffic light. See the module docstring for the table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Signals (severity counts, churn, competitor, trend) are counted over this many days.
    recent_days: int = Field(default=14, ge=3, le=60)
    #: The trend compares the recent window with this many days just before it.
    earlier_days: int = Field(default=28, ge=7, le=120)
    #: The baseline ("this account's normal") is days recent_days..baseline_days.
    baseline_days: int = Field(default=90, ge=30, le=365)
    #: The tone assumed for an account with little history, and how many messages it counts as.
    baseline_prior: float = Field(default=0.1, ge=-1, le=1)
    baseline_prior_weight: float = Field(default=5.0, ge=0, le=100)
    #: The usual share of negative messages assumed for an account with little history.
    baseline_negative_share_prior: float = Field(default=0.15, ge=0, le=1)
    #: The usual share of strongly negative messages assumed for an account with little history.
    baseline_critical_share_prior: float = Field(default=0.03, ge=0, le=1)
    #: The recent mean is pulled toward the baseline as if by this many messages, so one
    #: message alone cannot swing the tone signal by its full distance.
    recent_prior_weight: float = Field(default=1.0, ge=0, le=20)

    critical_score: float = Field(default=-0.6, ge=-1, le=0)
    warning_score: float = Field(default=-0.3, ge=-1, le=0)
    #: A message raises a concern that counts when its score is at most this (a negative message).
    concern_max_score: float = Field(default=-0.05, ge=-1, le=1)

    trend_delta: float = Field(default=0.15, gt=0, le=2)
    #: A trend must end outside this neutral band in its direction (declining: recent mean at most
    #: −trend_band; improving: at least +trend_band).
    trend_band: float = Field(default=0.1, ge=0, le=1)
    trend_min_recent: int = Field(default=2, ge=1)
    trend_min_earlier: int = Field(default=3, ge=1)

    critical_points: int = 2
    critical_cap: int = 6
    churn_points: int = 3
    #: One churn-flagged message that is not strongly negative, with no competitor named: a hint to ask about.
    churn_hint_points: int = 1
    #: Settled problems (answered, the customer calm since) of at least this many strongly negative
    #: messages in the recent window leave the account recovering: this many points.
    recovering_min_messages: int = Field(default=2, ge=1)
    recovering_points: int = 2
    #: An account gone silent (see silent_days) is a risk of its own.
    silent_points: int = 2
    competitor_points: int = 1
    negative_share_min_messages: int = Field(default=3, ge=1)
    negative_share_step: float = Field(default=0.25, gt=0, le=1)
    drop_step: float = Field(default=0.25, gt=0, le=2)
    persistent_average: float = Field(default=-0.45, ge=-1, le=0)
    persistent_points: int = 2
    open_alert_points: int = 1
    open_critical_alert_points: int = 2
    open_alert_cap: int = 4
    detractor_max: float = Field(default=6, ge=0, le=10)
    detractor_days: int = Field(default=30, ge=1)
    detractor_points: int = 2
    promoter_min: float = Field(default=9, ge=0, le=10)
    promoter_points: int = -1
    declining_points: int = 1
    #: Negative share, tone below baseline and declining read the same messages: together at most this.
    tone_cap: int = Field(default=2, ge=0)

    yellow_at: int = Field(default=2, ge=1)
    red_at: int = Field(default=5, ge=2)

    #: An account is silent after this many days without a customer message (having spoken before).
    silent_days: int = Field(default=21, ge=3)
    silent_min_messages: int = Field(default=3, ge=1)

    #: Alert severity and attention order by account value and renewal (bot/accounts/value.py).
    value: ValueRules = Field(default_factory=ValueRules)

    @model_validator(mode="after")
    def _consistent(self) -> HealthRules:
        if self.warning_score <= self.critical_score:
            raise ValueError("warning_score must be above critical_score")
        if self.red_at <= self.yellow_at:
            raise ValueError("red_at must be above yellow_at")
        if self.baseline_days <= self.recent_days:
            raise ValueError("baseline_days must be longer than recent_days")
        return self

    @property
    def window_days(self) -> int:
        """How far back any rule looks (the SQL scans this much history)."""
        return max(self.baseline_days, self.recent_days + self.earlier_days, 90)

    def light_for(self, points: int) -> Light:
        if points >= self.red_at:
            return Light.red
        if points >= self.yellow_at:
            return Light.yellow
        return Light.green


def load_health_rules(
    path: str | Path | None = None, critical_score: float | None = None, warning_score: float | None = None
) -> HealthRules:
    """The default rules, with TONEWATCH_CRITICAL_SCORE/WARNING_SCORE and a JSON file's overrides applied."""
    values: dict = {}
    if critical_score is not None:
        values["critical_score"] = critical_score
    if warning_score is not None:
        values["warning_score"] = warning_score
    if path:
        file = Path(path)
        try:
            loaded = json.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"TONEWATCH_HEALTH_RULES: {file} does not exist") from None
        except json.JSONDecodeError as exc:
            raise ConfigError(f"TONEWATCH_HEALTH_RULES: {file} is not valid JSON ({exc.msg})") from None
        if not isinstance(loaded, dict):
            raise ConfigError(f"TONEWATCH_HEALTH_RULES: {file} must hold a JSON object")
        values.update(loaded)
    try:
        return HealthRules(**values)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'rules'}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"TONEWATCH_HEALTH_RULES: {problems}") from None
