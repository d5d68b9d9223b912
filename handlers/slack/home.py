"""The App Home tab: the portfolio by light and the open alerts, for our own people (views.publish).

`SlackHome` is the `SlackEvents.home_view` hook; `SlackEvents.on_home_opened`
checks the person is one of ours and publishes what it returns. A home view
holds at most 100 blocks; long lists end with "and N more".
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.health.portfolio import OpenAlert, Portfolio, portfolio_overview
from bot.health.rules import Light
from bot.questions.answer import AnswerOptions, signed
from bot.questions.grammar import GRAMMAR_LINES
from handlers.slack.blocks import LIGHT_EMOJI, context, plain, quoted, slack_date, source_note
from handlers.slack.blocks import section as mrkdwn_section
from handlers.slack.deps import SlackDeps
from handlers.slack.text import escape
from storage.types import utcnow

MAX_HOME_BLOCKS = 100
ACCOUNTS_PER_LIGHT = 15
ALERTS_SHOWN = 10
SEVERITY_EMOJI = {"critical": ":red_circle:", "warning": ":large_orange_circle:", "opportunity": ":seedling:"}


def _account_line(line) -> str:
    alerts = (
        f" · {line.open_alerts} open alert{'s' if line.open_alerts != 1 else ''}" if line.open_alerts else ""
    )
    silent = f" · silent {line.silent_days} days" if line.silent_days else ""
    why = f"\n{escape('; '.join(line.reasons))}" if line.reasons else ""
    return f"*{escape(line.account)}* — {line.trend}{alerts}{silent}{why}"


def _alert_text(alert: OpenAlert, alert_links: dict[int, str], message_links: dict[int, str]) -> str:
    emoji = SEVERITY_EMOJI.get(alert.severity, ":large_blue_circle:")
    count = f" · {alert.message_count} messages" if alert.message_count > 1 else ""
    status = "" if alert.status == "open" else f" · {alert.status}"
    links = [f"<{alert_links[alert.alert_id]}|View alert>"] if alert.alert_id in alert_links else []
    if note := source_note(alert.ref, message_links):
        links.append(note)
    return (
        f"{emoji} *{alert.severity.title()}* · *{escape(alert.account)}*{count}{status} · "
        f"since {slack_date(alert.created_at)}\n{quoted(alert.quote, 300)}"
        + (f"\n{' · '.join(links)}" if links else "")
    )


def home_blocks(
    portfolio: Portfolio, alert_links: dict[int, str], message_links: dict[int, str]
) -> list[dict[str, Any]]:
    counts = " · ".join(
        f"{portfolio.counts.get(light, 0)} {light}" for light in (Light.green, Light.yellow, Light.red)
    )
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": plain("Your customers", 150)},
        context(f"{counts} · as of {slack_date(portfolio.as_of)}"),
    ]
    if not portfolio.accounts:
        blocks.append(
            mrkdwn_section(
                "No accounts yet. Link a customer channel with `/tonewatch watch [account]`, "
                "or import history with `tonewatch import`."
            )
        )
    for light in (Light.red, Light.yellow):
        lines = portfolio.by_light(light)
        if not lines:
            continue
        blocks.append(mrkdwn_section(f"{LIGHT_EMOJI[light]} *{str(light).title()}* ({len(lines)})"))
        blocks.extend(mrkdwn_section(_account_line(line)) for line in lines[:ACCOUNTS_PER_LIGHT])
        if len(lines) > ACCOUNTS_PER_LIGHT:
            blocks.append(context(f"and {len(lines) - ACCOUNTS_PER_LIGHT} more"))
    green = portfolio.by_light(Light.green)
    if green:
        names = ", ".join(f"{escape(line.account)} ({signed(line.average_30d)})" for line in green[:40])
        more = f" and {len(green) - 40} more" if len(green) > 40 else ""
        blocks.append(mrkdwn_section(f"{LIGHT_EMOJI[Light.green]} *Green* ({len(green)}): {names}{more}"))
    blocks.append({"type": "divider"})
    alerts = portfolio.open_alerts
    blocks.append(mrkdwn_section(f"*Open alerts* ({len(alerts)})" if alerts else "*Open alerts*: none."))
    blocks.extend(
        mrkdwn_section(_alert_text(alert, alert_links, message_links)) for alert in alerts[:ALERTS_SHOWN]
    )
    if len(alerts) > ALERTS_SHOWN:
        blocks.append(context(f"and {len(alerts) - ALERTS_SHOWN} more in the alert channel"))
    blocks.append({"type": "divider"})
    asks = " · ".join(escape(line.split("  ")[0]) for line in GRAMMAR_LINES[:-1])
    blocks.append(
        context(
            f"Ask me in a DM or mention @Tonewatch: {asks}. Set-up: `/tonewatch help`. "
            "Nothing here is ever shown to customers."
        )
    )
    return blocks[:MAX_HOME_BLOCKS]


class SlackHome:
    """`SlackEvents.home_view`: the App Home for one of our own people."""

    def __init__(self, deps: SlackDeps, clock: Callable[[], datetime] = utcnow) -> None:
        self.deps = deps
        self.clock = clock

    async def __call__(self, user: str, tenant: str) -> dict[str, Any]:
        rules = AnswerOptions.from_settings(self.deps.settings).rules
        portfolio = await asyncio.to_thread(
            portfolio_overview, self.deps.engine, self.clock(), rules, tenant=tenant
        )
        shown = portfolio.open_alerts[:ALERTS_SHOWN]
        posted = [a for a in shown if a.post_channel and a.post_ref]
        found = await asyncio.gather(
            *(self.deps.poster.permalink(a.post_channel or "", a.post_ref or "") for a in posted)
        )
        alert_links = {a.alert_id: link for a, link in zip(posted, found, strict=True) if link}
        message_links = await self.deps.poster.permalinks([a.ref for a in shown if a.ref is not None])
        return {"type": "home", "blocks": home_blocks(portfolio, alert_links, message_links)}
