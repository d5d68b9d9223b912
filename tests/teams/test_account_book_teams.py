# ruff: noqa: F811 - the Teams fixtures are imported by name, and tests take them as parameters
"""`@Tonewatch account …` and `@Tonewatch recovered …` in Teams: the same verbs as Slack's."""

from __future__ import annotations

from tests.fakes.bot_connector import (  # noqa: F401  (fixtures)
    ALERTS,
    BOT_ID,
    BOT_NAME,
    COLLEAGUE,
    CUSTOMER,
    SHARED,
    STAFF,
    bot_connector,
    teams,
    teams_database_url,
)


def mentioning(*people: tuple[str, str]) -> list[dict]:
    """Entities of an activity mentioning the bot and `people` ((id, name) each)."""
    return [
        {"type": "mention", "text": f"<at>{name}</at>", "mentioned": {"id": pid, "name": name}}
        for pid, name in [(BOT_ID, BOT_NAME), *people]
    ]


async def reply_to(teams, asked: dict) -> str:
    await teams.idle()
    [reply] = [p for p in teams.connector.posts(ALERTS, "reply") if p.thread == asked["id"]]
    return reply.text


async def test_account_verb_names_the_owner_by_mention(teams):
    await teams.set_up()
    asked = await teams.say(
        ALERTS,
        STAFF,
        "account Acme Corp owner <at>Lee</at> arr 48000 renews 2027-01-31",
        mention=True,
        entities=mentioning((COLLEAGUE, "Lee")),
    )
    text = await reply_to(teams, asked)
    assert "**Acme Corp**: owner Lee · ARR 48,000 USD · renews 2027-01-31" in text
    row = teams.core.book.row("Acme Corp")
    assert row.owners[0].teams_user_id == COLLEAGUE and row.owners[0].name == "Lee" and row.arr == 48000
    by_email = await teams.say(
        ALERTS, STAFF, "account Acme Corp owner sam@home.test currency EUR", mention=True
    )
    assert "owner sam" in await reply_to(teams, by_email)
    row = teams.core.book.row("Acme Corp")
    assert row.owner == "sam@home.test" and row.currency == "EUR" and row.arr == 48000


async def test_a_bad_value_is_explained_and_nothing_changes(teams):
    await teams.set_up()
    asked = await teams.say(ALERTS, STAFF, "account Initech arr lots", mention=True)
    assert "arr must be a number" in await reply_to(teams, asked)
    assert teams.core.book.row("Initech") is None


async def test_customers_cannot_set_the_book(teams):
    await teams.set_up()
    await teams.say(SHARED, CUSTOMER, "account Acme Corp arr 1", mention=True)
    await teams.idle()
    assert teams.core.book.row("Acme Corp").arr is None


async def test_recovered_verb_and_the_recovered_button(teams):
    from bot.accounts.suppression import flag
    from storage.db import session_scope
    from storage.queries import find_account
    from tests.fakes.bot_connector import wait_for

    def suppress() -> None:
        with session_scope(teams.core.engine) as session:
            flag(session, find_account(session, "Acme Corp"), "turned red")

    await teams.set_up()
    root, _thread, _activity = await teams.alert_posted()
    suppress()
    asked = await teams.say(ALERTS, STAFF, "recovered acme", mention=True)
    assert "Recovery recorded for **Acme Corp**" in await reply_to(teams, asked)
    assert not teams.core.book.row("Acme Corp").suppress_outreach

    suppress()
    [button] = [a for a in root.actions() if a.get("title") == "Recovered"]
    response = await teams.send(teams.connector.submit(root, STAFF, button["data"]))
    assert response.status == 201
    await wait_for(
        lambda: [p for p in teams.connector.posts(ALERTS, "reply") if "Recovery recorded by" in p.everything],
        what="the recovery note",
    )
    assert not teams.core.book.row("Acme Corp").suppress_outreach


async def test_the_owner_gets_the_alert_in_a_1_to_1_chat(teams):
    from tests.fakes.bot_connector import wait_for

    await teams.set_up()
    asked = await teams.say(
        ALERTS,
        STAFF,
        "account Acme Corp owner <at>Lee</at>",
        mention=True,
        entities=mentioning((COLLEAGUE, "Lee")),
    )
    assert "owner Lee" in await reply_to(teams, asked)
    await teams.alert_posted()
    chat = f"a:{COLLEAGUE}"
    posted = await wait_for(lambda: teams.connector.posts(chat), what="the owner's 1:1 alert")
    assert "Acme Corp" in posted[0].everything and any(
        a.get("title") == "Acknowledge" for a in posted[0].actions()
    )
