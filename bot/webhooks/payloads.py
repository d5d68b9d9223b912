"""The `data` of events built from stored rows (never the customer's words)."""

from __future__ import annotations

from sqlmodel import Session

from storage.models import Account, Analysis, CustomerMessage

MESSAGE_ANALYZED = "message.analyzed"


def analyzed_event(session: Session, message_id: int) -> dict[str, object]:
    message = session.get(CustomerMessage, message_id)
    if message is None:
        return {"message_id": message_id}
    analysis = session.get(Analysis, message.latest_analysis_id) if message.latest_analysis_id else None
    account = session.get(Account, message.account_id) if message.account_id else None
    data: dict[str, object] = {
        "message_id": message.id,
        "account": account.name if account else None,
        "account_id": message.account_id,
        "platform": message.platform,
        "source": message.source_kind,
        "created_at": message.created_at.isoformat(),
    }
    if analysis is not None:
        data |= {
            "score": analysis.score,
            "label": analysis.label,
            "urgency": analysis.urgency,
            "concerns": list(analysis.concerns),
            "emotions": list(analysis.emotions),
            "churn_risk": analysis.churn_risk,
            "expansion": analysis.expansion,
            "competitor_mentioned": analysis.competitor_mentioned,
            "recommended_action": analysis.recommended_action,
            "abstained": analysis.abstained,
        }
    return data
