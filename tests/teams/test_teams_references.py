# ruff: noqa: F811 - the Teams fixtures are imported by name, and tests take them as parameters
"""Stored conversation references and Teams' conversation ids, as the Bot Connector client uses them.

References are kept as the Bot Framework's JSON, so a row written by botbuilder's serializer (as the
databases of Tonewatch 0.2.0 hold them) opens a proactive turn as a row written now. Conversation ids
go to the Bot Connector whole, however long (the SDK's conversation operations would cut them at 150).
"""

from __future__ import annotations

import asyncio

from handlers.teams.cards import HELP_TEXT
from handlers.teams.connector import message
from storage.teams_conversations import ConversationInfo
from tests.fakes.bot_connector import (  # noqa: F401  (fixtures)
    ALERTS,
    BOT_ID,
    BOT_NAME,
    HOME_TENANT,
    STAFF,
    TEAM_ID,
    bot_connector,
    teams,
    teams_database_url,
    wait_for,
)


async def test_a_reference_botbuilder_stored_still_opens_a_proactive_post(teams):
    written_by_botbuilder = {
        "activityId": "1700000000001",
        "user": {"id": STAFF, "name": "Sam", "aadObjectId": f"aad-{STAFF}"},
        "bot": {"id": BOT_ID, "name": BOT_NAME},
        "conversation": {
            "isGroup": True,
            "conversationType": "channel",
            "id": ALERTS,
            "tenantId": HOME_TENANT,
        },
        "channelId": "msteams",
        "locale": "en-US",
        "serviceUrl": teams.connector.url,
    }
    info = ConversationInfo(
        conversation_id=ALERTS,
        kind="channel",
        tenant_id=HOME_TENANT,
        team_id=TEAM_ID,
        name="Customer Success › cs-alerts",
        user_id=None,
        service_url=teams.connector.url,
        reference=written_by_botbuilder,
        installed=True,
    )
    await asyncio.to_thread(teams.deps.conversations.remember, info)

    ref = await teams.deps.poster.post(ALERTS, message(text="Tonewatch is here."))

    [posted] = teams.connector.posts(ALERTS, "new_thread")
    assert posted.id == ref and posted.text == "Tonewatch is here."


async def test_a_long_conversation_id_reaches_the_bot_connector_whole(teams):
    chat = "a:1" + "Qx7" * 70  # 213 characters; Teams' 1:1 chat ids are often near or over 150
    teams.connector.add_chat(chat, [STAFF], kind="personal")

    await teams.say(chat, STAFF, "help")

    [answer] = await wait_for(lambda: teams.connector.posts(chat, "send"), what="the answer in the 1:1 chat")
    assert HELP_TEXT.splitlines()[0] in answer.everything
    assert teams.connector.requests_to(f"/v3/conversations/{chat}/members/{STAFF}")
