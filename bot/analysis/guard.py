"""Holding Claude's reading to the analysis contract.

Claude's answer passes the schema already; these checks are about meaning:

- **score bands**: the label must be the one its score falls in (`label_for_score`);
  a "neutral" at −0.99 is recomputed to negative;
- **risk floors**: where the offline risk layer found a strong risk (a termination
  notice, another tenant's data, a blocked payroll, a breach claim), Claude may
  not read the message as less negative, less urgent or without churn risk than
  the risk layer did — unless its evidence quotes the very words the risk layer
  matched, i.e. it read that sentence and explains it ("we have *no plans to
  cancel*");
- **drafts**: a drafted reply that commits the company — a refund, a credit, a
  discount, a date, an admission of liability — is flagged for a person to check
  before it is sent (`draft_flags`; the alert card says so).

Each intervention is a guard event (`guard_events`), stored with the analysis
and counted in `/metrics`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from bot.analysis.contract import AnalysisResult, Label, RecommendedAction, Urgency, label_for_score
from bot.analysis.risk import guarded

_IDLE = frozenset(
    {RecommendedAction.celebrate, RecommendedAction.no_action, RecommendedAction.expansion_follow_up}
)

_LABEL_RANK = {Label.negative: 0, Label.neutral: 1, Label.positive: 2}
_URGENCY_RANK = {Urgency.low: 0, Urgency.medium: 1, Urgency.high: 2}

#: Kinds of commitment a draft must not make on its own, with patterns in en/es/fr/de/pt.
_COMMITMENTS: dict[str, str] = {
    "refund": r"\brefund\w*|\breimburs\w*|money back|reembols\w*|rembours\w*|erstatt\w*|r[üu]ckerstatt\w*|"
              r"devolu[çc][ãa]o|devolver (?:el|o) (?:dinero|dinheiro)",
    "credit": r"\b(?:issue|apply|give|offer|add|provide|grant)\w* (?:\w+ ){0,3}(?:service |account |sla )?credits?\b|"
              r"\bcredits? (?:of|for|worth) |\bcr[ée]dito\b|\bavoir\b|gutschrift\w*",
    "discount": r"\bdiscount\w*|\b\d{1,2} ?(?:%|percent) off\b|(?:\w+ )?months? (?:free|at no (?:cost|charge))|"
                r"free (?:month|months|of charge|upgrade)|no charge|(?:not|won'?t) (?:charge|bill) you|waive\w*|"
                r"descuento\w*|desconto\w*|remise|r[ée]duction|rabatt\w*|nachlass\w*|kostenlos\w*",
    # A date for a fix, not a time for the next update ("I'll update you by 3 pm" is fine).
    # A date for a fix, not a time for the next update ("I'll update you by 3 pm" is fine).
    "date": r"\b(?:fix\w*|patch\w*|resolv\w*|ship\w*|deploy\w*|releas\w*|live|done|in place|complet\w*|"
            r"restor\w*|deliver\w*|corregid\w*|resuelt\w*|solucionad\w*|corrig\w*|r[ée]solu\w*|r[ée]tabli\w*|"
            r"behoben|gel[öo]st|korrigiert|corrigid\w*|resolvid\w*)\b[^.\n]{0,40}?\b(?:(?:by|before|on|within|"
            r"no later than|this|next|until)\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
            r"tomorrow|tonight|today|end of (?:the )?(?:day|week|month)|eod|eow|week|month|\d{1,2}(?:st|nd|rd|th)?\b|"
            r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|\d+ (?:hours?|days?|business days))|"
            r"(?:monday|tuesday|wednesday|thursday|friday|tomorrow|next week)\b|antes del?|para el|"
            r"el (?:lunes|martes|mi[ée]rcoles|jueves|viernes)|avant (?:le|la|vendredi|lundi|demain)|d'ici|"
            r"bis (?:zum|morgen|freitag|montag|ende)|at[ée] (?:o|a|amanh[ãa]|sexta|segunda))",
    "liability": r"\b(?:take|accept)s? (?:full )?responsibility for (?:the|your|any) (?:\w+ )?(?:loss|losses|"
                 r"damage|damages|outage)|\bcover (?:the|your|all) (?:\w+ )?costs?\b|"
                 r"\b(?:our|my) (?:fault|mistake|negligence|error caused)|\bwe (?:are|were|'re) "
                 r"(?:liable|responsible for (?:the|your) (?:loss|losses|damage))|\bwe (?:will )?"
                 r"(?:compensate|cover (?:the|your) (?:loss|losses|costs))|\bwe breached\b|"
                 r"\backnowledge (?:the |a )?breach|"
                 r"nuestra culpa|notre faute|unser (?:fehler|verschulden)|nossa culpa|culpa nossa",
}
_COMMITMENT_RE = {kind: re.compile(pattern, re.IGNORECASE) for kind, pattern in _COMMITMENTS.items()}


def draft_commitments(draft: str) -> list[str]:
    """The kinds of commitment a drafted reply makes (`refund`, `credit`, `discount`, `date`, `liability`)."""
    return [kind for kind, pattern in _COMMITMENT_RE.items() if draft and pattern.search(draft)]


def _normalized(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").split()).casefold()


def _explained(evidence: Sequence[str], phrase: str, language: str) -> bool:
    """Whether one of Claude's quotes covers the phrase the risk layer matched *and* says why it is no risk.

    Quoting the risky words alone proves nothing (Claude quotes them when it agrees); the quote must also
    hold what makes them harmless: "no plans to cancel", "we evaluated X last year and chose you".
    """
    target = _normalized(phrase)
    for quote in evidence:
        normalized = _normalized(quote)
        if normalized and target in normalized and guarded(quote, language):
            return True
    return False


def hold_to_contract(
    claude: AnalysisResult,
    offline: AnalysisResult,
    signals: Mapping | None,
) -> tuple[AnalysisResult, list[str]]:
    """Claude's result made consistent with its score and the offline risk floors; the events that fired."""
    events: list[str] = []
    update: dict = {}
    banded = label_for_score(claude.score)
    if banded is not claude.label and not claude.abstained:
        events.append(f"label_recomputed:{claude.label.value}->{banded.value}")
        update["label"] = banded
    label = update.get("label", claude.label)
    strong = [(kind, phrase) for kind, phrase in ((signals or {}).get("risk_phrases") or ())]
    if strong and not offline.abstained:
        unexplained = [
            phrase for _, phrase in strong if not _explained(claude.evidence, phrase, offline.language)
        ]
        if unexplained:
            if _LABEL_RANK[label] > _LABEL_RANK[offline.label]:
                events.append(f"risk_floor:label:{label.value}->{offline.label.value}")
                update["label"] = offline.label
                update["score"] = min(claude.score, offline.score)
            elif claude.score > offline.score and offline.label is Label.negative and label is Label.negative:
                update["score"] = min(claude.score, offline.score)
            if _URGENCY_RANK[claude.urgency] < _URGENCY_RANK[offline.urgency]:
                events.append(f"risk_floor:urgency:{claude.urgency.value}->{offline.urgency.value}")
                update["urgency"] = offline.urgency
            if offline.churn_risk and not claude.churn_risk:
                events.append("risk_floor:churn_risk")
                update["churn_risk"] = True
            if claude.recommended_action in _IDLE and "recommended_action" not in update:
                # A standing risk is never good news or nothing to do, whatever the label.
                events.append(f"risk_floor:action:{claude.recommended_action.value}")
                update["recommended_action"] = offline.recommended_action
                update["recommended_response"] = offline.recommended_response
            if update.get("label") is not None and update["label"] is not claude.label:
                # The action, the guidance and the draft were written for the reading we overrode.
                update.update(
                    recommended_action=offline.recommended_action,
                    recommended_response=offline.recommended_response,
                    draft_reply=offline.draft_reply,
                )
    if update.get("churn_risk") and claude.recommended_action.value in ("celebrate", "no_action",
                                                                        "expansion_follow_up", "acknowledge"):
        update.setdefault("recommended_action", offline.recommended_action)
        update.setdefault("recommended_response", offline.recommended_response)
    draft = update.get("draft_reply", claude.draft_reply)
    flags = draft_commitments(draft)
    if flags:
        events.extend(f"draft_commitment:{kind}" for kind in flags)
    update["draft_flags"] = flags
    update["guard_events"] = [*claude.guard_events, *events]
    result = AnalysisResult.model_validate(claude.model_dump() | update)
    return result, events
