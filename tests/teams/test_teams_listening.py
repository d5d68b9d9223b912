# ruff: noqa: F811 - the Teams fixtures are imported by name, and tests take them as parameters
"""Listening in Teams: customer messages stored and analyzed, staff told apart, edits, deletes, commands.

Every test drives the real /api/messages of the real aiohttp app against the
Bot Connector stand-in, which checks at teardown that nothing internal was
posted where a guest or another tenant's member can read it.
"""

from __future__ import annotations

from sqlmodel import func, select

from handlers.teams.cards import REFUSAL
from storage.db import session_scope
from storage.models import Analysis, TeamsConversation, WorkItem
from tests.fakes.bot_connector import (  # noqa: F401  (fixtures)
    ALERTS,
    CUSTOMER,
    DOMAIN_CUSTOMER,
    ESCALATION,
    GLOBEX,
    GUEST,
    GUESTS,
    SHARED,
    STAFF,
    bot_connector,
    failure,
    teams,
    teams_database_url,
    wait_for,
)


def analysis_item(teams, message_id: int) -> str:
    with session_scope(teams.core.engine) as session:
        return session.exec(
            select(WorkItem.status).where(WorkItem.kind == "analyze", WorkItem.subject == str(message_id))
        ).one()


def analyses(teams, message_id: int) -> int:
    with session_scope(teams.core.engine) as session:
        query = select(func.count()).select_from(Analysis).where(Analysis.message_id == message_id)
        return session.exec(query).one()


async def test_another_tenants_message_is_stored_as_the_customers_and_alerts_the_internal_channel(teams):
    await teams.set_up()
    root, thread, activity = await teams.alert_posted()

    [stored] = teams.messages()
    assert (stored.platform, stored.place_key, stored.external_id) == ("teams", SHARED, activity["id"])
    assert stored.is_customer and stored.author == "Maria" and stored.author_email == "maria@acme.test"
    assert stored.thread_key == activity["id"] and stored.status == "analyzed"
    assert "Critical" in root.everything and "Acme Corp" in root.everything
    assert thread.thread == root.id and "Draft reply" in thread.everything
    assert not teams.connector.posts(SHARED)  # nothing about the customer reaches the customer
    metrics = await (await teams.http.get("/metrics")).text()
    assert 'tonewatch_messages_stored_total{platform="teams"} 1.0' in metrics


async def test_guests_and_listed_domains_write_as_the_customer_and_our_people_do_not(teams):
    await teams.set_up()
    teams.core.places.watch("teams", GUESTS, "initech", "Initech", is_external=True)
    teams.core.places.watch("teams", GLOBEX, "globex", "Globex", is_external=False)
    with session_scope(teams.core.engine) as session:
        from storage.book import update_account

        update_account(session, "Globex", values={}, domains=["globex.test"])

    await teams.say(GUESTS, GUEST, "The export is still broken, please look at it.")
    await teams.say(GUESTS, STAFF, "Looking into it now, Pat.")
    await teams.say(GLOBEX, DOMAIN_CUSTOMER, "Our invoices are wrong again.")
    await teams.say(GLOBEX, STAFF, "Sorry Jo, fixing them today.")

    stored = {m.text: m for m in teams.messages()}
    assert stored["The export is still broken, please look at it."].is_customer
    assert not stored["Looking into it now, Pat."].is_customer
    assert stored["Our invoices are wrong again."].is_customer
    assert not stored["Sorry Jo, fixing them today."].is_customer
    assert {m.author for m in teams.messages() if m.is_customer} == {"Pat", "Jo"}


async def test_messages_of_unwatched_channels_are_not_read(teams):
    await teams.set_up()
    before = len(teams.connector.requests_to("/members/" + GUEST))
    await teams.say(GUESTS, GUEST, "Anything at all")
    assert teams.messages() == []
    assert len(teams.connector.requests_to("/members/" + GUEST)) == before  # not even looked up


async def test_a_redelivered_message_is_stored_and_alerted_once(teams):
    await teams.set_up()
    activity = teams.connector.activity(SHARED, CUSTOMER, ESCALATION)
    for _ in range(3):
        response = await teams.send(activity)
        assert response.status == 201
    await teams.posted_alert()
    await teams.idle()
    assert len(teams.messages()) == 1 and len(teams.alerts()) == 1
    assert len(teams.alert_cards()) == 1
    metrics = await (await teams.http.get("/metrics")).text()
    assert 'tonewatch_duplicate_deliveries_total{platform="teams"} 2.0' in metrics


async def test_a_failed_lookup_stores_nothing_and_teams_redelivery_then_stores_once(teams):
    await teams.set_up()
    teams.connector.enqueue("member", failure(403))
    activity = teams.connector.activity(SHARED, CUSTOMER, "Where is my invoice?")
    assert (await teams.send(activity)).status == 500
    assert teams.messages() == []
    assert (await teams.send(activity)).status == 201
    assert [m.text for m in teams.messages()] == ["Where is my invoice?"]


async def test_an_edit_is_analyzed_again_and_updates_the_alert_and_a_delete_erases(teams):
    await teams.set_up()
    root, _thread, activity = await teams.alert_posted()
    [stored] = teams.messages()
    assert analyses(teams, stored.id) == 1

    edited = ESCALATION + " Call me today."
    assert (await teams.send(teams.connector.edit(SHARED, CUSTOMER, activity["id"], edited))).status == 201
    await wait_for(lambda: analyses(teams, stored.id) == 2, what="the second analysis")
    update = await wait_for(lambda: teams.connector.posts(ALERTS, "update"), what="the card update")
    assert update[0].id == root.id and "Call me today." in update[0].everything
    assert len(teams.alert_cards()) == 1 and teams.alerts()[0].message_count == 1

    # The same edit again (Teams redelivers) changes nothing: no analysis is queued again.
    await wait_for(lambda: analysis_item(teams, stored.id) == "done", what="the analysis to finish")
    assert (await teams.send(teams.connector.edit(SHARED, CUSTOMER, activity["id"], edited))).status == 201
    assert analysis_item(teams, stored.id) == "done" and analyses(teams, stored.id) == 2

    assert (await teams.send(teams.connector.delete(SHARED, CUSTOMER, activity["id"]))).status == 201
    [erased] = teams.messages()
    assert erased.text is None and erased.status == "deleted"


async def test_a_channel_teams_does_not_name_gets_a_useful_label_on_its_alerts(teams):
    """channelData without names (Teams' General channels): the alert card says whose channel it is."""
    teams.connector.unnamed.add(SHARED)
    for channel in (ALERTS, SHARED):
        await teams.add_bot(channel)
    await teams.say(SHARED, STAFF, "watch Acme Corp", mention=True)
    await teams.say(ALERTS, STAFF, "alerts", mention=True)
    await teams.idle()
    assert teams.core.places.get("teams", SHARED).account == "Acme Corp"
    root, _thread, _activity = await teams.alert_posted()
    assert "Acme Corp's Teams channel" in root.everything
    assert "· a Teams channel" not in root.everything


async def test_watch_in_a_shared_channel_answers_privately_and_alerts_is_refused_there(teams):
    for channel in (ALERTS, SHARED):
        await teams.add_bot(channel)
    await teams.say(SHARED, STAFF, "watch Acme Corp", mention=True)
    await teams.idle()
    place = teams.core.places.get("teams", SHARED)
    assert place.watched and place.account == "Acme Corp" and place.is_external
    private = teams.connector.posts("a:" + STAFF)
    assert len(private) == 1 and "Watching" in private[0].text

    await teams.say(SHARED, STAFF, "alerts", mention=True)
    await teams.idle()
    assert not teams.core.places.get("teams", SHARED).is_alert_channel
    assert "refused" in teams.connector.posts("a:" + STAFF)[-1].text
    assert not teams.connector.posts(SHARED)

    await teams.say(ALERTS, STAFF, "alerts", mention=True)
    await teams.idle()
    assert teams.core.places.alert_channel("teams").external_id == ALERTS
    [answer] = [p for p in teams.connector.posts(ALERTS, "reply") if "Alerts go to" in p.text]
    assert answer.thread  # in the thread of the command, not a new post


async def test_a_mention_by_the_customer_is_their_message_and_gets_no_answer(teams):
    await teams.set_up()
    await teams.say(SHARED, CUSTOMER, "can you help me?", mention=True)
    await teams.idle()
    [stored] = teams.messages()
    assert stored.is_customer and stored.text == "can you help me?"
    assert not teams.connector.posts(SHARED) and not teams.connector.posts("a:" + CUSTOMER)


async def test_an_external_person_in_a_personal_chat_gets_the_refusal_only(teams):
    await teams.say("a:pat", GUEST, "how is Acme doing?")
    await teams.idle()
    [refusal] = teams.connector.posts("a:pat")
    assert refusal.text == REFUSAL


async def test_the_conversation_reference_is_stored_and_refreshed(teams):
    await teams.add_bot(ALERTS)
    with session_scope(teams.core.engine) as session:
        row = session.exec(select(TeamsConversation).where(TeamsConversation.conversation_id == ALERTS)).one()
        assert row.kind == "channel" and row.service_url == teams.connector.url and row.installed
        assert row.reference["conversation"]["id"] == ALERTS
        assert row.name == "Customer Success › cs-alerts"


async def test_other_bots_are_ignored_and_an_author_missing_from_the_roster_counts_as_the_customer(teams):
    await teams.set_up()
    lookups = len(teams.connector.requests_to("/members/28:jira"))
    await teams.say(SHARED, "28:jira", "Ticket ACME-12 moved to Done")
    assert teams.messages() == [] and len(teams.connector.requests_to("/members/28:jira")) == lookups

    await teams.say(SHARED, "29:someone-who-left", "Hello? Anyone?")
    [stored] = teams.messages()
    assert stored.is_customer and stored.text == "Hello? Anyone?"


async def test_teams_markup_is_read_as_text(teams):
    await teams.set_up()
    await teams.say(SHARED, CUSTOMER, "<p>The <b>export</b> fails&nbsp;again</p><p>if a &lt; b</p>")
    assert [m.text for m in teams.messages()] == ["The export fails again\nif a < b"]
