"""The analysis contract: the one result every analyzer returns.

Closed sets (emotions, concerns) are documented here and in the README; an
analyzer that returns anything outside them fails validation, which is how the
Claude analyzer's output is held to the same shape as the offline one.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Label(StrEnum):
    negative = "negative"
    neutral = "neutral"
    positive = "positive"


class Intensity(StrEnum):
    mild = "mild"
    moderate = "moderate"
    strong = "strong"


class Urgency(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


class Emotion(StrEnum):
    """The closed set of emotions a customer message can carry."""

    frustration = "frustration"
    anger = "anger"
    confusion = "confusion"
    disappointment = "disappointment"
    anxiety = "anxiety"
    satisfaction = "satisfaction"
    gratitude = "gratitude"
    excitement = "excitement"


class Concern(StrEnum):
    """The closed set of topics a customer message can raise."""

    billing = "billing"
    pricing = "pricing"
    reliability = "reliability"
    performance = "performance"
    bug = "bug"
    support_responsiveness = "support_responsiveness"
    onboarding = "onboarding"
    integration = "integration"
    security_privacy = "security_privacy"
    data_export = "data_export"
    feature_request = "feature_request"
    contract_renewal = "contract_renewal"
    other = "other"


class RecommendedAction(StrEnum):
    """What the CSM should do, from least to most involved."""

    no_action = "no_action"
    acknowledge = "acknowledge"
    reply = "reply"
    follow_up = "follow_up"
    escalate = "escalate"
    celebrate = "celebrate"
    expansion_follow_up = "expansion_follow_up"


class AnalysisResult(BaseModel):
    """How a customer feels in one message, how urgent it is and what to do.

    `score` is −1 (very negative) .. +1 (very positive). `evidence` quotes the
    exact phrases of the message that drove the result. An analyzer that cannot
    judge the text (an unsupported language, a log paste, an auto-reply)
    abstains: `abstained` is true, `abstain_reason` says why and the score is 0.
    """

    model_config = ConfigDict(extra="forbid", use_enum_values=False)

    score: float = Field(ge=-1.0, le=1.0)
    label: Label
    intensity: Intensity
    emotions: list[Emotion] = Field(default_factory=list)
    urgency: Urgency
    concerns: list[Concern] = Field(default_factory=list)
    churn_risk: bool = False
    expansion: bool = False
    competitor_mentioned: bool = False
    sarcasm: bool = False
    confidence: float = Field(ge=0.0, le=1.0)
    evidence: list[str] = Field(default_factory=list)
    language: str = "en"
    recommended_action: RecommendedAction = RecommendedAction.no_action
    recommended_response: str = ""
    draft_reply: str = ""
    abstained: bool = False
    abstain_reason: str | None = None
    provider: str = "offline"
    model: str = ""
    prompt_version: str = ""
    #: Kinds of commitment the draft makes (refund, credit, discount, date, liability): a person checks it.
    draft_flags: list[str] = Field(default_factory=list)
    #: Where the result was held to the contract (`bot/analysis/guard.py`), e.g. "risk_floor:label:…".
    guard_events: list[str] = Field(default_factory=list)

    @field_validator("score", "confidence")
    @classmethod
    def _round(cls, value: float) -> float:
        return round(float(value), 4)

    @field_validator("emotions", "concerns")
    @classmethod
    def _unique(cls, values: list) -> list:
        seen: list = []
        for value in values:
            if value not in seen:
                seen.append(value)
        return seen

    def to_json_dict(self) -> dict:
        return self.model_dump(mode="json")


def label_for_score(score: float, band: float = 0.05) -> Label:
    """The label a score falls in; `band` is the half-width of neutral."""
    if score >= band:
        return Label.positive
    if score <= -band:
        return Label.negative
    return Label.neutral


def intensity_for_score(score: float) -> Intensity:
    magnitude = abs(score)
    if magnitude >= 0.6:
        return Intensity.strong
    if magnitude >= 0.3:
        return Intensity.moderate
    return Intensity.mild
