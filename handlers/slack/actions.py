"""The alert's buttons and modals: Acknowledge, Snooze, Not accurate, Use draft.

State changes are made in the core (`AlertService.set_status`, a stored
`Correction`); refreshing the alert message and thread notes happen in the
background after Slack has its answer. "Use draft" is the one path that posts where the
customer reads — and only when a person submits the modal.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.alerts.actions import (
    acknowledge_after_reply,
    record_reply,
    refresh_card,
    store_correction,
    thread_note,
    thread_of,
)
from bot.alerts.service import AlertCard
from handlers.slack.blocks import (
    ACK,
    CORRECTION_VIEW,
    DRAFT_VIEW,
    NOT_ACCURATE,
    RECOVERED,
    REFUSAL,
    SNOOZE,
    SNOOZES,
    USE_DRAFT,
    correction_modal,
    draft_modal,
)
from handlers.slack.deps import PLATFORM, SlackDeps, home_of
from handlers.slack.directory import display_name, is_external_user
from handlers.slack.payload import (
    MalformedPayload,
    alert_id_in,
    json_type,
    object_field,
    required_id,
    text_field,
)
from handlers.slack.poster import post_customer_reply
from handlers.slack.text import escape
from storage.queries import alert_tenant_of
from storage.types import utcnow

log = logging.getLogger(__name__)


def _action(body: dict) -> dict:
    # handlers/slack/payload.py checked that `actions` is a list of objects.
    return (body.get("actions") or [{}])[0]


def _user_id(body: dict) -> str:
    return required_id(object_field(body, "user", "body"), "id", "user")


def _selected(action: dict, where: str) -> str:
    """The value of the chosen option of a select ("" when none is chosen)."""
    return text_field(object_field(action, "selected_option", where), "value", f"{where}.selected_option")


def _alert_id_of(action: dict) -> int:
    value = action.get("value") or _selected(action, "action")
    return alert_id_in(value, "the action's value")


def _view_alert_id(view: dict) -> int:
    return alert_id_in(view.get("private_metadata"), "view.private_metadata")


def _input(view: dict, block: str, action: str = "value") -> dict:
    """One input's state in a submitted modal ({} when the block was left out)."""
    values = object_field(object_field(view, "state", "view"), "values", "view.state")
    where = f"view.state.values.{block}"
    return object_field(object_field(values, block, "view.state.values"), action, where)


def _chosen(view: dict, block: str) -> str | None:
    state = _input(view, block)
    return _selected(state, f"view.state.values.{block}.value") or None


def _chosen_many(view: dict, block: str) -> list[str]:
    options = _input(view, block).get("selected_options") or []
    where = f"view.state.values.{block}.value.selected_options"
    if not isinstance(options, list) or not all(isinstance(option, dict) for option in options):
        raise MalformedPayload(f"{where} must be an array of objects, not {json_type(options)}")
    return [text_field(option, "value", where) for option in options]


class SlackActions:
    def __init__(self, deps: SlackDeps) -> None:
        self.deps = deps

    def register(self, registrar) -> None:
        registrar.action(ACK, self.acknowledge)
        registrar.action(SNOOZE, self.snooze)
        registrar.action(NOT_ACCURATE, self.open_correction)
        registrar.action(USE_DRAFT, self.open_draft)
        registrar.action(RECOVERED, self.recovered)
        registrar.view(CORRECTION_VIEW, self.save_correction)
        registrar.view(DRAFT_VIEW, self.send_draft)

    async def _card(self, alert_id: int) -> AlertCard | None:
        return await asyncio.to_thread(self.deps.alerts.card, alert_id)

    async def _staff(self, body: dict, context, client: AsyncWebClient, alert_id: int) -> bool:
        """One of our own people, pressing a button of an alert of their own tenant."""
        home = home_of(context)
        if await asyncio.to_thread(self._tenant_of, alert_id) != self.deps.tenant(home):
            return False
        user = await self.deps.directory.user(self.deps.quick(client), _user_id(body))
        return not is_external_user(user, home)

    def _tenant_of(self, alert_id: int) -> str | None:
        return alert_tenant_of(self.deps.engine, alert_id)

    # --- Acknowledge / Snooze -----------------------------------------------------------------

    async def acknowledge(self, ack, body: dict, context, client: AsyncWebClient) -> None:
        alert_id, user_id = _alert_id_of(_action(body)), _user_id(body)
        await ack()
        if await self._staff(body, context, client, alert_id):
            await asyncio.to_thread(self.deps.alerts.set_status, alert_id, "acknowledged")
            self.deps.background.spawn(self._refresh(alert_id, user_id), "refresh an alert")

    async def snooze(self, ack, body: dict, context, client: AsyncWebClient) -> None:
        action = _action(body)
        alert_id, user_id = _alert_id_of(action), _user_id(body)
        choice = _selected(action, "action").split(":", 1)[-1]
        await ack()
        if choice in SNOOZES and await self._staff(body, context, client, alert_id):
            until = utcnow() + timedelta(seconds=SNOOZES[choice][1])
            await asyncio.to_thread(self.deps.alerts.set_status, alert_id, "snoozed", until)
            self.deps.background.spawn(self._refresh(alert_id, user_id), "refresh an alert")

    # --- Recovered ------------------------------------------------------------------------------

    async def recovered(self, ack, body: dict, context, client: AsyncWebClient) -> None:
        """The recovery conversation happened: clear the account's outreach suppression."""
        alert_id, user_id = _alert_id_of(_action(body)), _user_id(body)
        await ack()
        if self.deps.suppression is None or not await self._staff(body, context, client, alert_id):
            return
        result = await asyncio.to_thread(
            self.deps.suppression.recovered_by_alert,
            alert_id,
            f"slack:{user_id}",
            self.deps.tenant(home_of(context)),
        )
        if result is None:
            return
        row, changed = result
        name = escape(row.name)
        note = (
            f"<@{user_id}> recorded the recovery: outreach to *{name}* is no longer suppressed."
            if changed
            else f"<@{user_id}> recorded the recovery; *{name}* was not suppressed."
        )
        self.deps.background.spawn(self._thread_note(alert_id, note), "note a recovery")

    # --- Not accurate ---------------------------------------------------------------------------

    async def open_correction(self, ack, body: dict, context, client: AsyncWebClient) -> None:
        alert_id, trigger = _alert_id_of(_action(body)), required_id(body, "trigger_id", "body")
        await ack()
        card = await self._card(alert_id)
        if card is not None and await self._staff(body, context, client, alert_id):
            await self.deps.quick(client).views_open(trigger_id=trigger, view=correction_modal(card))

    async def save_correction(self, ack, body: dict, view: dict) -> None:
        alert_id, user_id = _view_alert_id(view), _user_id(body)
        label, urgency = _chosen(view, "label"), _chosen(view, "urgency")
        emotions = _chosen_many(view, "emotions")
        note = text_field(_input(view, "note"), "value", "view.state.values.note.value")
        saved = await asyncio.to_thread(
            store_correction,
            self.deps.engine,
            alert_id,
            f"slack:{user_id}",
            label,
            urgency,
            emotions,
            note,
        )
        if not saved:
            await ack(response_action="errors", errors={"label": "This alert no longer exists."})
            return
        await ack()
        said = escape(f"{label or '?'}, urgency {urgency or '?'}")
        note = f"<@{escape(user_id)}> marked this not accurate: {said}."
        self.deps.background.spawn(self._thread_note(alert_id, note), "note a correction")

    async def _thread_note(self, alert_id: int, text: str) -> None:
        await thread_note(self.deps.alerts, self.deps.poster, alert_id, text)

    async def _refresh(self, alert_id: int, user: str) -> None:
        """Show who acknowledged or snoozed it, in the alert message itself."""
        await refresh_card(self.deps.alerts, self.deps.poster, alert_id, user)

    # --- Use draft ------------------------------------------------------------------------------

    async def open_draft(self, ack, body: dict, context, client: AsyncWebClient) -> None:
        alert_id, trigger = _alert_id_of(_action(body)), required_id(body, "trigger_id", "body")
        await ack()
        card = await self._card(alert_id)
        if (
            card is None
            or card.source_platform != PLATFORM
            or not await self._staff(body, context, client, alert_id)
        ):
            return
        quick = self.deps.quick(client)
        try:
            name = "#" + ((await self.deps.directory.channel(quick, card.source_place)).get("name") or "")
        except SlackApiError:
            name = "the customer's channel"
        await quick.views_open(trigger_id=trigger, view=draft_modal(card, name))

    async def send_draft(self, ack, body: dict, view: dict, context, client: AsyncWebClient) -> None:
        """Post the person's reply in the customer's thread — the one customer-facing post."""
        alert_id, user_id = _view_alert_id(view), _user_id(body)
        text = text_field(_input(view, "draft", "text"), "value", "view.state.values.draft.text").strip()
        if not text:
            await ack(response_action="errors", errors={"draft": "Write the reply first."})
            return
        if not await self._staff(body, context, client, alert_id):
            await ack(response_action="errors", errors={"draft": REFUSAL})
            return
        card = await self._card(alert_id)
        if card is None or card.source_platform != PLATFORM:
            await ack(response_action="errors", errors={"draft": "This alert no longer exists."})
            return
        thread_ts = await asyncio.to_thread(thread_of, self.deps.engine, card)
        try:
            ts = await post_customer_reply(self.deps.quick(client), card.source_place, thread_ts, text)
        except (SlackApiError, TimeoutError, OSError) as exc:
            reason = exc.response.get("error") if isinstance(exc, SlackApiError) else type(exc).__name__
            log.warning("reply to %s not posted: %s", card.source_place, reason)
            await ack(
                response_action="errors",
                errors={"draft": f"Slack did not take the reply ({reason}); nothing was sent. Try again."},
            )
            return
        await ack()
        author = display_name(self.deps.directory.users.get(user_id) or {}) or user_id
        await asyncio.to_thread(self._record_reply, card, ts, thread_ts, text, author)
        self.deps.background.spawn(self._note_reply(card, user_id), "note a reply")

    def _record_reply(self, card: AlertCard, ts: str, thread_ts: str, text: str, author: str) -> None:
        record_reply(self.deps.pipeline, card, ts, text, author, thread_ts, utcnow())
        acknowledge_after_reply(self.deps.alerts, card)

    async def _note_reply(self, card: AlertCard, user: str) -> None:
        link = await self.deps.poster.permalink(card.source_place, card.source_external_id)
        where = f" (<{link}|thread>)" if link else ""
        await self._thread_note(card.alert_id, f"<@{user}> sent a reply to the customer{where}.")
