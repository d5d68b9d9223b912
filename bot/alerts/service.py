"""Turning analyzed messages into alert threads, durably.

After a message is analyzed, `AlertService.decide_in` asks the policy whether
it warrants an alert, in the transaction that stores the analysis: the
analysis, the alert and the work item that will post it commit together,
so a crash never leaves an analyzed message without its decision, and a retry
never decides (or posts) twice (posting is keyed by the alert id). A message on
an issue that already has an open alert joins that alert — raising its
severity, and escalating a warning to critical when the customer asks again —
instead of opening another.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.accounts.value import ValueRules, tier_decision
from bot.alerts.policy import AlertDecision, PolicyThresholds, Sensitivity, Severity, decide, escalate
from bot.analysis.contract import (
    AnalysisResult,
    Concern,
    Emotion,
    Intensity,
    Label,
    RecommendedAction,
    Urgency,
)
from bot.webhooks import NO_EVENTS, WebhookEvents
from storage.alert_members import (
    add_member,
    alerts_counting,
    counted_among,
    counted_anywhere,
    is_member,
    remaining_members,
    remove_member,
)
from storage.alerts import (
    add_alert_post,
    alert_by_id,
    alerts_in_states,
    carries_erased_words,
    insert_open_alert,
    locked_alert,
    locked_open_alert,
    place_sensitivity,
    save_alert,
)
from storage.book import owners_to_notify
from storage.db import Engine, Transaction, transaction
from storage.erasure import ERASED_MESSAGE, PostedRef, take_alert_posts, take_message_posts
from storage.queries import account_by_id, analysis_by_id, message_by_id
from storage.queue import RUNNING, cancel, enqueue, item_status, requeue
from storage.records import AccountInfo, AlertInfo, AnalysisInfo, MessageInfo
from storage.tenants import DEFAULT_TENANT
from storage.types import utcnow

log = logging.getLogger(__name__)

POST_ALERT = "post_alert"
UPDATE_ALERT = "update_alert"
#: Delete a post of a forgotten customer's alert from Slack or Teams (subject: `retraction_subject`).
RETRACT_POST = "retract_post"
#: A CRM task for a critical alert, and closing it on resolve (bot/crm/sync.py; subject "<alert>:<crm>").
CRM_TASK = "crm_task"
CRM_CLOSE_TASK = "crm_close_task"
#: The alert, by direct message, to one of its account's owners (subject: "<alert>:<platform>:<user>").
DM_OWNER = "dm_alert_owner"


def retraction_subject(post: PostedRef) -> str:
    return json.dumps([post.platform, post.channel, post.root, post.ref], separators=(",", ":"))


OPEN_STATES = ("open", "acknowledged", "snoozed")
#: The draft and recommendation in an alert's thread (bot/alerts/delivery.py posts it).
POST_ALERT_THREAD = "post_alert_thread"
#: Why a message left an alert; the third part of its UPDATE_ALERT subject ("<alert>:<message>:<why>").
EDITED = "edited"
DELETED = "deleted"
#: An edit left nothing on the alert that calls for one: it was resolved.
RESOLVED_BY_EDIT = "resolved"
#: `Session.info` key: decisions `decision_order` made, for `decide_in` in the same transaction.
DECIDED = "alert_decisions"
#: `Session.info` key: the messages of those decisions that an alert counts already.
COUNTED = "alert_counted_messages"


@dataclass(frozen=True)
class AlertChange:
    alert_id: int
    action: str  # "opened" | "joined" | "edited" | "deleted" (a message left it) | "resolved"
    severity: Severity
    post_now: bool


@dataclass
class AlertCard:
    """Everything an alert shows, platform-free; posters render it as Block Kit or an Adaptive Card."""

    alert_id: int
    account: str
    light: str | None
    severity: str
    message_count: int
    status: str
    quote: str
    score: float
    intensity: str
    emotions: list[str]
    urgency: str
    concerns: list[str]
    churn_risk: bool
    competitor_mentioned: bool
    expansion: bool
    confidence: float
    evidence: list[str]
    reasons: list[str]
    recommended_response: str
    draft_reply: str
    owner: str | None
    source_platform: str
    source_place: str
    source_external_id: str
    source_kind: str
    author: str
    created_at: datetime
    reply_due: datetime | None = None
    extra: dict = field(default_factory=dict)
    #: The message quoted (and answered by the draft): what `forget --email` looks for in posts.
    message_id: int | None = None
    #: Commitments the draft makes (refund, credit, discount, date, liability): it needs a person's check.
    draft_flags: list[str] = field(default_factory=list)
    #: Whose alert it is: it goes to this tenant's alert channel only.
    tenant: str = DEFAULT_TENANT


_COMMITMENT_WORDS = {
    "refund": "a refund", "credit": "a credit", "discount": "a discount", "date": "a date",
    "liability": "an admission of fault",
}


def draft_warning(flags: list[str]) -> str | None:
    """The line an alert shows when its draft commits the company, or None."""
    if not flags:
        return None
    kinds = [_COMMITMENT_WORDS.get(flag, flag) for flag in flags]
    listed = kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " and " + kinds[-1]
    return f"Check before sending: the draft offers {listed}, which nobody has approved."


def analysis_result(analysis: AnalysisInfo) -> AnalysisResult:
    return AnalysisResult(
        score=analysis.score,
        label=Label(analysis.label),
        intensity=Intensity(analysis.intensity),
        emotions=[Emotion(e) for e in analysis.emotions],
        urgency=Urgency(analysis.urgency),
        concerns=[Concern(c) for c in analysis.concerns],
        churn_risk=analysis.churn_risk,
        expansion=analysis.expansion,
        competitor_mentioned=analysis.competitor_mentioned,
        sarcasm=analysis.sarcasm,
        confidence=analysis.confidence,
        evidence=list(analysis.evidence),
        language=analysis.language,
        recommended_action=RecommendedAction(analysis.recommended_action),
        recommended_response=analysis.recommended_response,
        draft_reply=analysis.draft_reply,
        abstained=analysis.abstained,
        abstain_reason=analysis.abstain_reason,
        provider=analysis.provider,
        model=analysis.model,
        prompt_version=analysis.prompt_version,
        draft_flags=list(analysis.draft_flags or []),
        guard_events=list(analysis.guard_events or []),
    )


def _alert_event(alert: AlertInfo, tx: Transaction) -> dict:
    """An alert in an outbound event: ids, account, severity, issue; never the customer's words."""
    account = account_by_id(tx, alert.account_id) if alert.account_id else None
    return {
        "alert_id": alert.id,
        "account": account.name if account else None,
        "account_id": alert.account_id,
        "severity": alert.severity,
        "issue": alert.issue_key,
        "status": alert.status,
        "message_id": alert.message_id,
        "message_count": alert.message_count,
        "created_at": alert.created_at.isoformat(),
    }


class AlertService:
    def __init__(
        self,
        engine: Engine,
        thresholds: PolicyThresholds,
        reply_sla: timedelta,
        quiet_hours=None,
        events: WebhookEvents = NO_EVENTS,
        value_rules: ValueRules | None = None,
        crm_systems: tuple[str, ...] = (),
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine = engine
        #: CRMs that get a task per critical alert (bot/crm/sync.py), queued with the alert's change.
        self.crm_systems = crm_systems
        #: Warnings at high-value accounts or near renewal become critical (bot/accounts/value.py).
        self.value_rules = value_rules or ValueRules()
        #: Outbound webhook events (alert.opened, alert.resolved), recorded with each change.
        self.events = events
        self.thresholds = thresholds
        self.reply_sla = reply_sla
        #: Optional callable(now) -> bool; True while alerts other than critical should wait.
        self.quiet_hours = quiet_hours
        #: What "now" is for a new decision (the demo replays its week on its own clock).
        self.clock = clock

    def after_analysis(self, message_id: int, now: datetime | None = None) -> AlertChange | None:
        """`decide_in`, in a transaction of its own, for a message analyzed earlier."""
        with transaction(self.engine) as tx:
            return self.decide_in(tx, message_id, now)

    def decide_in(self, tx: Transaction, message_id: int, now: datetime | None = None) -> AlertChange | None:
        """`after_analysis` inside the caller's transaction: the one that stores the analysis."""
        now = now or self.clock()
        # Decided already by `decision_order` in this transaction, or now.
        ordered = tx.memo.get(DECIDED, {})
        decided = ordered.pop(message_id) if message_id in ordered else self._decide(tx, message_id, now)
        left = None
        counted = tx.memo.get(COUNTED)
        if message_id in counted if counted is not None else counted_anywhere(tx, message_id):
            # Decided again after it was counted on an alert: the customer edited it.
            # It leaves the alerts it no longer belongs to (all of them when its new
            # words call for no alert; the one of its old issue when they are about something else).
            keep = self._open_key(decided[0], decided[2]) if decided else None
            left = self._leave(tx, message_id, EDITED, now, keep_open_key=keep)
        if decided is None:
            return left
        message, analysis, decision = decided
        return self._open_or_join(tx, message, analysis, decision, now)

    def follow_deletion_in(self, tx: Transaction, message_id: int) -> AlertChange | None:
        """A customer deleted the message (its text is gone, in this transaction): it leaves its alerts.

        An alert with other messages left shows them instead and says so in its thread; an alert with
        nothing left is resolved, and its card, draft and thread lines are taken back."""
        return self._leave(tx, message_id, DELETED, self.clock())

    def _leave(
        self, tx: Transaction, message_id: int, why: str, now: datetime, keep_open_key: str | None = None
    ) -> AlertChange | None:
        change = None
        followed: set[int] = set()
        for alert in alerts_counting(tx, message_id, OPEN_STATES):
            if keep_open_key is not None and alert.open_key == keep_open_key:
                continue  # still on this alert: `_join` refreshes it
            remove_member(tx, alert.id, message_id)
            followed.add(alert.id)
            change = self._without(tx, alert, message_id, why, now) or change
        if why == DELETED:
            # Lines quoting the deleted words, and drafts answering them, on alerts that stay; the
            # card of an alert closed before, which still quotes them, is shown without them.
            posts, cards = take_message_posts(tx, [message_id])
            for post in posts:
                enqueue(tx, RETRACT_POST, retraction_subject(post))
            for alert_id, _quoted in cards:
                if alert_id not in followed:
                    enqueue(tx, UPDATE_ALERT, f"{alert_id}:{message_id}:erased")
        return change

    def _without(
        self, tx: Transaction, alert: AlertInfo, message_id: int, why: str, now: datetime
    ) -> AlertChange | None:
        """The alert after `message_id` left it: shown with the messages still calling for it, or resolved."""
        alert_id = alert.id
        posted = bool(alert.post_ref) or item_status(tx, POST_ALERT, str(alert_id)) == RUNNING
        remaining = [
            (member, analysis)
            for member in remaining_members(tx, alert_id)
            if member.id != message_id and (analysis := self._alert_worthy(tx, member, now)) is not None
        ]
        if remaining:
            shown, shown_analysis = alert.message_id, alert.analysis_id
            if alert.message_id == message_id or alert.message_id not in [m.id for m, _ in remaining]:
                newest, analysis = remaining[-1]
                shown, shown_analysis = newest.id, analysis.id
            alert = replace(
                alert,
                message_count=max(1, alert.message_count - 1),
                message_id=shown,
                analysis_id=shown_analysis,
                updated_at=now,
            )
            save_alert(tx, alert)
            if posted:
                enqueue(tx, UPDATE_ALERT, f"{alert_id}:{message_id}:{why}")
                if why == DELETED:
                    # Its draft answered the deleted words (taken back); the card's message gets one.
                    requeue(tx, POST_ALERT_THREAD, str(alert_id))
            return AlertChange(alert_id, why, Severity(alert.severity), posted)
        shown_analysis = alert.analysis_id
        if why == EDITED and alert.message_id == message_id:
            # The card shows the message as it reads now, with its new reading (not the old evidence).
            edited = message_by_id(tx, message_id)
            if edited is not None and edited.latest_analysis_id is not None:
                shown_analysis = edited.latest_analysis_id
        alert = replace(alert, status="resolved", open_key=None, analysis_id=shown_analysis, updated_at=now)
        save_alert(tx, alert)
        cancel(tx, (POST_ALERT, POST_ALERT_THREAD), str(alert_id))
        if why == DELETED:
            for post in take_alert_posts(tx, [alert_id]):
                enqueue(tx, RETRACT_POST, retraction_subject(post))
        elif posted:
            enqueue(tx, UPDATE_ALERT, f"{alert_id}:{message_id}:{RESOLVED_BY_EDIT}")
        log.info(
            "alert %s resolved: the customer %s their message", alert_id, why, extra={"alert_id": alert_id}
        )
        return AlertChange(alert_id, "resolved", Severity(alert.severity), posted)

    def _alert_worthy(self, tx: Transaction, message: MessageInfo, now: datetime) -> AnalysisInfo | None:
        """The message's latest analysis if it still calls for an alert."""
        if message.latest_analysis_id is None or message.status == "pending":
            return None
        found = self._latest_decision(tx, message)
        return found[0] if found is not None else None

    def _decide(
        self, tx: Transaction, message_id: int, now: datetime
    ) -> tuple[MessageInfo, AnalysisInfo, AlertDecision] | None:
        message = message_by_id(tx, message_id)
        if message is None or not message.is_customer or message.latest_analysis_id is None:
            return None
        quiet = bool(self.quiet_hours and self.quiet_hours(now))
        found = self._latest_decision(tx, message, quiet_hours=quiet)
        if found is None:
            return None
        analysis, decision = found
        account = account_by_id(tx, message.account_id) if message.account_id else None
        return message, analysis, self._tiered(account, decision, now)

    def _latest_decision(
        self, tx: Transaction, message: MessageInfo, quiet_hours: bool = False
    ) -> tuple[AnalysisInfo, AlertDecision] | None:
        """The message's latest analysis and the alert it calls for, or None when it calls for none."""
        if message.latest_analysis_id is None:
            return None
        analysis = analysis_by_id(tx, message.latest_analysis_id)
        if analysis is None:
            return None
        decision = decide(
            analysis_result(analysis),
            thresholds=self.thresholds,
            sensitivity=self._sensitivity(tx, message),
            source_score=message.source_score,
            source_kind=message.source_kind,
            quiet_hours=quiet_hours,
        )
        return (analysis, decision) if decision is not None else None

    def _tiered(self, account: AccountInfo | None, decision: AlertDecision, now: datetime) -> AlertDecision:
        if account is None:
            return decision
        return tier_decision(
            decision, account.arr, account.currency, account.renewal_date, now.date(), self.value_rules
        )

    def decision_order(self, tx: Transaction, message_ids: Sequence[int]) -> list[int]:
        """The order to decide these messages in, within one transaction: by the key of the alert
        each would open or join (messages that alert nothing first), then by id.

        Deciding locks (or inserts) that alert. Every transaction deciding several messages takes
        those locks in this one order, so two workers' batches on the same issues wait for each other
        instead of deadlocking (and losing a second to the database's deadlock check). The decisions
        are kept for `decide_in`, which then does not make them again."""
        now = self.clock()
        decided = tx.memo.setdefault(DECIDED, {})
        # Which of them an alert counts already (edited since): one query for the batch.
        tx.memo.setdefault(COUNTED, set()).update(counted_among(tx, message_ids))
        for message_id in message_ids:
            decided[message_id] = self._decide(tx, message_id, now)

        def key(message_id: int) -> tuple[str, int]:
            found = decided[message_id]
            return (self._open_key(found[0], found[2]) if found else "", message_id)

        return sorted(message_ids, key=key)

    @staticmethod
    def _open_key(message: MessageInfo, decision: AlertDecision) -> str:
        if message.account_id:
            return f"{message.account_id}:{decision.issue_key}"
        return f"{message.tenant}:0:{decision.issue_key}"  # no account: one open alert per tenant and issue

    @staticmethod
    def _sensitivity(tx: Transaction, message: MessageInfo) -> Sensitivity:
        """The message's place's sensitivity, looked up once per place per transaction (a batch of
        analyses decides many messages from the same few channels)."""
        if not message.place_key:
            return Sensitivity.normal
        known: dict[tuple[str, str, str], Sensitivity] = tx.memo.setdefault("place_sensitivity", {})
        key = (message.tenant, message.platform, message.place_key)
        if key not in known:
            sensitivity = place_sensitivity(tx, *key)
            known[key] = Sensitivity(sensitivity) if sensitivity is not None else Sensitivity.normal
        return known[key]

    def _open_or_join(
        self,
        tx: Transaction,
        message: MessageInfo,
        analysis: AnalysisInfo,
        decision: AlertDecision,
        now: datetime,
    ) -> AlertChange:
        open_key = self._open_key(message, decision)
        # Already locked by this transaction (a batch with several messages on one issue): no need
        # to ask again. Locked until commit: two messages joining at once must not both count from
        # the same old message_count. By id: the alert as this transaction last wrote it is read
        # back from the transaction itself (`alert_by_id` runs no query for an alert it holds).
        locked: dict[str, int] = tx.memo.setdefault("locked_alerts", {})
        held = locked.get(open_key)
        existing = alert_by_id(tx, held) if held is not None else locked_open_alert(tx, open_key)
        if existing is None:
            # Another transaction may have opened it since: then this message joins that one.
            existing, opened = insert_open_alert(
                tx,
                tenant=message.tenant,
                account_id=message.account_id,
                message_id=message.id,
                analysis_id=analysis.id,
                severity=decision.severity.value,
                issue_key=decision.issue_key,
                open_key=open_key,
                now=now,
            )
            if opened:
                alert = existing
                locked[open_key] = alert.id
                add_member(tx, alert.id, message.id)
                self.events.emit(tx, "alert.opened", _alert_event(alert, tx), occurred_at=now)
                if decision.severity is Severity.critical:
                    self._crm_tasks(tx, alert.id, CRM_TASK)
                if decision.post_now:
                    enqueue(tx, POST_ALERT, str(alert.id))
                return AlertChange(alert.id, "opened", decision.severity, decision.post_now)
        locked[open_key] = existing.id
        return self._join(tx, existing, message, analysis, decision, now)

    def _join(
        self,
        tx: Transaction,
        alert: AlertInfo,
        message: MessageInfo,
        analysis: AnalysisInfo,
        decision: AlertDecision,
        now: datetime,
    ) -> AlertChange:
        current = Severity(alert.severity)
        severity = escalate(current, decision.severity)
        # An edited message already on the alert is analyzed again: it updates the alert but is not
        # another message. (One edited into something alert-worthy joins like any other.)
        edited = alert.message_id == message.id or is_member(tx, alert.id, message.id)
        if current is Severity.warning and decision.severity is Severity.warning and not edited:
            severity = Severity.critical  # the customer is asking again
        if severity is Severity.critical and current is not Severity.critical:
            self._crm_tasks(tx, alert.id, CRM_TASK)  # escalated: a CRM task, once per alert
        add_member(tx, alert.id, message.id)
        # A worse message ends a snooze.
        status = "open" if alert.status == "snoozed" and severity.rank > current.rank else alert.status
        alert = replace(
            alert,
            severity=severity.value,
            message_count=alert.message_count + (0 if edited else 1),
            message_id=message.id,
            analysis_id=analysis.id,
            updated_at=now,
            status=status,
        )
        save_alert(tx, alert)
        post_now = severity is Severity.critical or decision.post_now
        subject = f"{alert.id}:{message.id}" + (f":edit{analysis.id}" if edited else "")
        if alert.post_ref or item_status(tx, POST_ALERT, str(alert.id)) == RUNNING:
            # In flight: the card being posted was read before this message joined. The update
            # waits for the post (bot/alerts/delivery.py), then shows this message in the thread.
            enqueue(tx, UPDATE_ALERT, subject)
        elif post_now:
            enqueue(tx, POST_ALERT, str(alert.id))  # a queued post reads the card as it is then
        return AlertChange(alert.id, "joined", severity, post_now)

    def _crm_tasks(self, tx: Transaction, alert_id: int, kind: str) -> None:
        for system in self.crm_systems:
            enqueue(tx, kind, f"{alert_id}:{system}")

    def card(self, alert_id: int, light: str | None = None) -> AlertCard | None:
        """What the alert shows now: the message that opened it (the first still on it) and its analysis.

        Messages that joined are lines in the alert's thread; the card keeps the one that started it,
        with the alert's count and severity.
        """
        with transaction(self.engine) as tx:
            alert = alert_by_id(tx, alert_id)
            if alert is None or alert.message_id is None or alert.analysis_id is None:
                return None
            message, analysis = self._opening(tx, alert_id, alert.message_id, alert.analysis_id)
            account = account_by_id(tx, alert.account_id) if alert.account_id else None
            if message is None or analysis is None:
                return None
            result = analysis_result(analysis)
            decision = decide(
                result,
                thresholds=self.thresholds,
                source_score=message.source_score,
                source_kind=message.source_kind,
            )
            if decision is not None:
                decision = self._tiered(account, decision, utcnow())
            return AlertCard(
                alert_id=alert_id,
                account=account.name if account else "Unknown account",
                light=light,
                severity=alert.severity,
                message_count=alert.message_count,
                status=alert.status,
                quote=message.text[:500] if message.text else ERASED_MESSAGE,
                score=analysis.score,
                intensity=analysis.intensity,
                emotions=list(analysis.emotions),
                urgency=analysis.urgency,
                # Praise that mentions a topic ("the most reliable vendor we have") raises no concern.
                concerns=[] if analysis.label == "positive" else list(analysis.concerns),
                churn_risk=analysis.churn_risk,
                competitor_mentioned=analysis.competitor_mentioned,
                expansion=analysis.expansion,
                confidence=analysis.confidence,
                evidence=list(analysis.evidence),
                reasons=list(decision.reasons) if decision else [],
                recommended_response=analysis.recommended_response,
                draft_reply=analysis.draft_reply,
                draft_flags=list(analysis.draft_flags or []),
                owner=account.owner if account else None,
                source_platform=message.platform,
                source_place=message.place_key,
                source_external_id=message.external_id,
                source_kind=message.source_kind,
                author=message.author,
                created_at=message.created_at,
                reply_due=message.created_at + self.reply_sla,
                message_id=message.id,
                tenant=alert.tenant,
            )

    @staticmethod
    def _opening(
        tx: Transaction, alert_id: int, newest_message_id: int, newest_analysis_id: int
    ) -> tuple[MessageInfo | None, AnalysisInfo | None]:
        """The first message still counted on the alert, with its latest analysis (else the newest)."""
        for member in remaining_members(tx, alert_id)[:1]:
            if member.latest_analysis_id is not None:
                analysis = analysis_by_id(tx, member.latest_analysis_id)
                if analysis is not None:
                    return member, analysis
        return message_by_id(tx, newest_message_id), analysis_by_id(tx, newest_analysis_id)

    def record_post(
        self,
        alert_id: int,
        channel: str,
        ref: str,
        *,
        platform: str,
        message_id: int | None = None,
        then_queue: str | None = None,
    ) -> bool:
        """Store where the alert's card (quoting `message_id`) was posted, and queue `then_queue` for it
        in the same commit (the thread reply: a crash in between would leave it never posted).

        A `forget` that ran while the card was on its way is made good here: a forgotten alert's card
        is queued to be deleted (and False returned), a card quoting words erased meanwhile to be drawn
        again without them. So is a card whose only message the customer deleted meanwhile (the alert
        was resolved, nothing left to show)."""
        with transaction(self.engine) as tx:
            # The message's lock before the alert's: the order every writer takes them in.
            erased = carries_erased_words(tx, message_id)
            alert = locked_alert(tx, alert_id)
            gone = erased and alert is not None and alert.status == "resolved"
            if gone and alert is not None and not remaining_members(tx, alert.id):
                # Its only message was deleted while the card was on its way: take the card back.
                cancel(tx, (POST_ALERT_THREAD,), str(alert_id))
                alert = None
            if alert is None:
                enqueue(tx, RETRACT_POST, retraction_subject(PostedRef(platform, channel, ref, ref)))
                return False
            save_alert(tx, replace(alert, post_channel=channel, post_ref=ref))
            add_alert_post(tx, alert_id, platform, channel, ref)
            if erased:
                enqueue(tx, UPDATE_ALERT, f"{alert_id}:{message_id}:erased")
            if then_queue:
                enqueue(tx, then_queue, str(alert_id))
            if alert.account_id is not None:
                # The account's owners hear of it by DM too (each owner's `dm_alerts`), once per alert.
                for user in owners_to_notify(tx, alert.account_id, platform):
                    enqueue(tx, DM_OWNER, f"{alert_id}:{platform}:{user}")
            return True

    def record_thread_post(
        self, alert_id: int, platform: str, channel: str, root: str, ref: str, message_id: int | None = None
    ) -> None:
        """Keep a thread post's reference, and the message whose words it carries, so `forget` can take
        it back (Teams cannot list a thread). A post whose alert or words were forgotten while it was on
        its way is queued to be deleted instead."""
        with transaction(self.engine) as tx:
            # The message's lock before the alert's: the order every writer takes them in.
            erased = carries_erased_words(tx, message_id)
            alert = locked_alert(tx, alert_id)
            if alert is None or erased:
                enqueue(tx, RETRACT_POST, retraction_subject(PostedRef(platform, channel, root, ref)))
                return
            add_alert_post(tx, alert_id, platform, channel, ref, message_id)

    def posted_ref(self, alert_id: int) -> tuple[str | None, str | None]:
        with transaction(self.engine) as tx:
            alert = alert_by_id(tx, alert_id)
            return (alert.post_channel, alert.post_ref) if alert else (None, None)

    def snoozed_until(self, alert_id: int) -> datetime | None:
        with transaction(self.engine) as tx:
            alert = alert_by_id(tx, alert_id)
            return alert.snoozed_until if alert else None

    def set_status(
        self, alert_id: int, status: str, snoozed_until: datetime | None = None
    ) -> AlertInfo | None:
        """Acknowledge, snooze or resolve; a resolved alert frees its issue for a new one."""
        with transaction(self.engine) as tx:
            alert = alert_by_id(tx, alert_id)
            if alert is None:
                return None
            resolving = status == "resolved" and alert.status != "resolved"
            alert = replace(
                alert,
                status=status,
                snoozed_until=snoozed_until,
                updated_at=utcnow(),
                open_key=None if status == "resolved" else alert.open_key,
            )
            save_alert(tx, alert)
            if resolving:
                self.events.emit(tx, "alert.resolved", _alert_event(alert, tx))
                self._crm_tasks(tx, alert_id, CRM_CLOSE_TASK)
            return alert

    def open_alerts(self, account_id: int | None = None) -> list[AlertInfo]:
        with transaction(self.engine) as tx:
            return alerts_in_states(tx, OPEN_STATES, account_id)
