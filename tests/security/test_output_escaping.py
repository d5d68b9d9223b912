# ruff: noqa: F811 - the Teams fixtures are imported by name, and tests take them as parameters
"""Customer text never mentions, pings or links: what reaches the Slack Web API stand-in, and Teams cards.

Hostile strings (broadcast, user, channel and group mentions; masked links; the same once Slack escaped
them) go in through the real surfaces (/ingest, a Slack event, the scheduler's digest, a question, the
App Home) or straight into the real `SlackPoster`, and every `text` and block text the stand-in receives
is read for live markup.
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime
from itertools import count

from hypothesis import strategies as st
from sqlmodel import select

from bot.alerts.service import AlertCard
from bot.outbound.port import AlertNotice
from handlers.teams.cards import alert_card, lines_card, md, notice_card, thread_card
from scheduler.jobs import JobConfig, Outcome, ScheduledJobs
from storage.db import session_scope
from storage.models import WorkItem
from storage.types import utcnow
from tests.fakes.bot_connector import SHARED as TEAMS_SHARED
from tests.fakes.bot_connector import (  # noqa: F401  (fixtures)
    bot_connector,
    teams,
    teams_database_url,
)
from tests.support.fuzz import fuzz
from tests.support.history import History
from tests.support.slack_requests import (
    ALERTS,
    CUSTOMER,
    ESCALATION,
    SHARED,
    STAFF,
    message_event,
    running_tonewatch,
    wait_for,
)

pytest_plugins = ("tests.support.slack_fixtures",)

INGEST_TOKEN = "escaping-ingest-token-0123456789"
NOW = datetime(2026, 11, 23, 9, 5, tzinfo=UTC)

#: Markup a customer must never get Slack to act on.
HOSTILE = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!here|here>",
    "<!subteam^S0EVIL|@oncall>",
    "<@U0EVIL>",
    "<@W0EVIL|boss>",
    "<#C0EVIL>",
    "<#C0EVIL|general>",
    "<https://evil.example/sso|Reset your SSO here>",
    "<http://evil.example>",
    "<mailto:ceo@evil.example|Mail the CEO>",
    "&lt;!channel&gt;",
    "<<!channel>>",
    "&<!everyone>&",
    "[Reset your SSO](https://evil.example)",
    "<at>Sam</at>",
    "**bold** _it_ `code` ~strike~",
]
#: A live token: `<` followed by what Slack acts on. (Tonewatch's own links use other ids and hosts.)
LIVE = re.compile(
    r"<(?:!(?:channel|here|everyone|subteam)|@[UW]0EVIL|#C0EVIL|https?://evil\.example|mailto:)", re.I
)

hostile_text = st.lists(
    st.one_of(st.sampled_from(HOSTILE), st.text(alphabet="<>&!@#|^*_[]()ab :/.", max_size=12)),
    min_size=1,
    max_size=5,
).map("".join)


def live_markup(calls) -> list[str]:
    """Every live token in the `text` and block texts of the given Slack calls."""
    found = []
    for call in calls:
        for shown in (call.text, call.blocks_text):
            found += [f"{call.method}: {m.group(0)!r} in {shown[:200]!r}" for m in LIVE.finditer(shown)]
    return found


def sent(api) -> list:
    return [
        c
        for method in ("chat.postMessage", "chat.update", "chat.postEphemeral", "views.publish")
        for c in api.calls_to(method)
    ]


def card(account: str, quote: str, other: str) -> AlertCard:
    return AlertCard(
        alert_id=next(_alert_ids),
        account=account,
        light="red",
        severity="critical",
        message_count=2,
        status="acknowledged",
        quote=quote,
        score=-0.9,
        intensity="strong",
        emotions=["anger"],
        urgency="high",
        concerns=["reliability"],
        churn_risk=True,
        competitor_mentioned=False,
        expansion=False,
        confidence=0.9,
        evidence=[quote[:50], other],
        reasons=["angry"],
        recommended_response=f"Call {other}",
        draft_reply=f"Hi {account},\n{other}",
        owner=other,
        source_platform="ingest",
        source_place="",
        source_external_id="x",
        source_kind="ticket",
        author=other,
        created_at=NOW,
    )


_alert_ids = count(1000)


async def test_alert_roots_threads_and_updates_never_carry_live_markup(slack) -> None:
    """Property: any account, quote, evidence, draft or owner, through the real SlackPoster."""
    slack.set_up()
    poster = slack.deps.poster

    async def send(example: tuple[str, str, str]) -> None:
        account, quote, other = example
        alert = card(account, quote, other)
        ts = await poster.post_alert(ALERTS, alert)
        await poster.post_alert_thread(ALERTS, ts, alert)
        await poster.update_alert(ALERTS, ts, alert, joined_quote=other)
        await poster.post_message(ALERTS, f"note: {other}", None)  # an unescaped caller: still defused

    await fuzz(st.tuples(hostile_text, hostile_text, hostile_text), send)
    calls = sent(slack.api)
    assert len(calls) >= 400  # the property ran over real posts
    broadcast = re.compile(r"<!(?:channel|here|everyone|subteam)", re.I)
    assert not [c for c in calls if broadcast.search(c.text + c.blocks_text)]
    assert not live_markup([c for c in calls if not c.text.startswith("note: ")])


async def pending_work(slack) -> int:
    with session_scope(slack.core.engine) as session:
        return len(session.exec(select(WorkItem).where(WorkItem.status == "pending")).all())


async def test_ingest_and_slack_events_with_hostile_text_reach_the_alert_channel_escaped(
    slack_api, slack_database_url, monkeypatch
) -> None:
    """End to end: /ingest and a customer's Slack message, analyzed, alerted, posted."""
    async with running_tonewatch(
        slack_api, slack_database_url, monkeypatch, TONEWATCH_INGEST_TOKEN=INGEST_TOKEN
    ) as slack:
        slack.set_up()
        numbers = count(1)

        async def send(example: tuple[str, str]) -> None:
            account, words = example
            n = next(numbers)
            payload = {
                "account": f"{account} {n}",
                "source": "ticket",
                "text": f"{ESCALATION} {words}",
                "author": words[:50] or "someone",
                "external_id": f"esc-{n}",
                "thread": words[:50] or None,
            }
            response = await slack.http.post(
                "/ingest",
                data=json.dumps(payload),
                headers={"Authorization": f"Bearer {INGEST_TOKEN}", "Content-Type": "application/json"},
            )
            assert response.status in (200, 201, 202), await response.text()
            await wait_for(lambda: n <= len(slack.alerts()), timeout=15, what="the alert")
            await wait_for(lambda: _idle(slack), timeout=15, what="the posts")

        await fuzz(st.tuples(hostile_text, hostile_text), send, settings_for(25))
        # Slack delivers a customer's `<!channel>` escaped; plain_text() reads it back as typed.
        ts = f"{time.time():.6f}"
        escaped = "&lt;!channel&gt; &lt;@U0EVIL&gt; &lt;https://evil.example|click&gt; "
        await slack.event(message_event(SHARED, CUSTOMER, escaped + ESCALATION, ts=ts))
        await wait_for(lambda: _idle(slack) and len(slack.alerts()) > 25, timeout=15, what="the alert")
        roots = [c for c in slack.api.posts(ALERTS) if c.ok and not c.args.get("thread_ts")]
        assert len(roots) >= 26
        assert any("&lt;!channel&gt;" in c.text for c in roots)  # shown as typed, in the notification too
        assert not live_markup(sent(slack.api))


def _idle(slack) -> bool:
    with session_scope(slack.core.engine) as session:
        return not session.exec(select(WorkItem).where(WorkItem.status != "done")).first()


def settings_for(examples: int):
    from hypothesis import settings

    from tests.support.fuzz import FUZZ

    return settings(FUZZ, max_examples=examples)


async def test_digests_notices_answers_and_the_app_home_escape_account_names(slack) -> None:
    slack.set_up()
    slack.api.channels["D_SAM"] = {"id": "D_SAM", "is_im": True, "user": STAFF}
    names = [f"{h} Corp" for h in HOSTILE[:12]]
    history = History(slack.core.engine, NOW)
    for name in names:
        history.account(name, owner="Sam")
        for day in range(60, 8, -4):
            history.say(name, day, 0.3)
        history.say(name, 2, -0.85, f"{name} broke again <!channel> <https://evil.example|fix>", churn=True)
    poster = slack.runtime.scheduled
    assert poster is not None
    jobs = ScheduledJobs(slack.core.engine, poster, JobConfig.from_settings(slack.core.settings))
    await slack.command("digest here mon 09:00 UTC", channel=ALERTS)
    assert await jobs.digest(f"slack:T_HOME:{ALERTS}", now=NOW) is Outcome.posted
    digest = await wait_for(
        lambda: [c for c in slack.api.posts(ALERTS) if "Customer sentiment" in c.blocks_text], what="digest"
    )
    assert "&lt;!channel&gt; Corp" in digest[0].blocks_text + digest[0].text
    notice = AlertNotice(
        kind="attention", key="k", title=f"{names[0]} needs you", lines=names, severity="critical"
    )
    await poster.post_notice(notice)

    history2 = History(slack.core.engine, utcnow())
    for name in names:
        history2.say(name, 1, -0.9, "Everything is broken <!here>", churn=True)
    await slack.event(message_event("D_SAM", STAFF, "which accounts are red?"))
    await wait_for(lambda: [c for c in slack.api.posts("D_SAM") if c.ok], what="the answer")
    await slack.event({"type": "app_home_opened", "user": STAFF, "channel": "D_SAM", "tab": "home"})
    await wait_for(lambda: slack.api.calls_to("views.publish"), what="the home view")

    calls = sent(slack.api)
    assert any("U0EVIL" in c.text + c.blocks_text for c in calls)  # the names were shown
    assert not live_markup(calls)


def test_teams_cards_show_customer_markdown_as_typed() -> None:
    link = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(")
    for hostile in HOSTILE:
        alert = card(f"{hostile} Corp", f"Please {hostile} now", hostile)
        texts = json.dumps([alert_card(alert, where=hostile), thread_card(alert)])
        shown = [
            block["text"] for block in _text_blocks(json.loads(texts)) if isinstance(block.get("text"), str)
        ]
        assert shown
        for text in shown:
            assert not link.search(text), text
            assert "<at>" not in text and "**bold**" not in text, text
    lines = lines_card("[x](https://evil.example)", [" • [y](https://evil.example) <at>Sam</at>"])
    assert "\\[x\\](https://evil.example)" in json.dumps(lines, ensure_ascii=False).replace("\\\\", "\\")
    notice = notice_card(
        AlertNotice(kind="a", key="k", title="t", lines=["**x** [y](z)"], severity="warning")
    )
    assert md("**x** [y](z)") in [b["text"][2:] for b in _text_blocks(notice)]


def _text_blocks(node) -> list[dict]:
    found = []
    if isinstance(node, dict):
        if node.get("type") == "TextBlock":
            found.append(node)
        for value in node.values():
            found += _text_blocks(value)
    elif isinstance(node, list):
        for item in node:
            found += _text_blocks(item)
    return found


async def test_teams_alerts_through_the_adapter_show_customer_markdown_as_typed(teams) -> None:
    """End to end in Teams: a hostile account name and customer text, over HTTP to the real adapter."""
    await teams.set_up()
    hostile_account = "[Reset your SSO](https://evil.example) **Acme**"
    teams.core.places.watch("teams", TEAMS_SHARED, "acme-shared", hostile_account, is_external=True)
    words = "<at>Sam</at> [click here](https://evil.example/sso) **now** _please_ "
    root, thread, _activity = await teams.alert_posted(words + ESCALATION)
    link = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(")
    shown = [b["text"] for post in (root, thread) for b in _text_blocks(post.cards)]
    assert any("evil.example" in text for text in shown)  # the words are shown…
    for text in shown:
        assert not link.search(text), text  # …but never as a link,
        assert "<at>" not in text and "**now**" not in text and "**Acme**" not in text, (
            text
        )  # a mention, bold
    assert "\\[Reset your SSO\\](https://evil.example) \\*\\*Acme\\*\\*" in "\n".join(shown)
