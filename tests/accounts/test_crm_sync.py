"""The CRM sync against local stand-ins of the HubSpot and Salesforce REST APIs (tests/fakes/crm_apis.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.accounts.book import AccountBook
from bot.accounts.entry import BookEntry
from bot.accounts.suppression import flag
from bot.alerts.policy import PolicyThresholds
from bot.alerts.service import AlertService
from bot.config.settings import load_settings
from bot.crm.factory import build_crm_clients
from bot.crm.sync import CrmSync
from bot.health.rules import load_health_rules
from bot.runtime.worker import Worker
from storage.db import session_scope
from storage.queries import find_account
from tests.fakes.crm_apis import TOKEN, FakeHubSpot, FakeSalesforce
from tests.support.cli import err, out, tonewatch
from tests.support.history import History

RULES = load_health_rules(None, -0.6, -0.3)


@pytest.fixture
def hubspot() -> Iterator[FakeHubSpot]:
    fake = FakeHubSpot().start()
    fake.owners["7"] = ("sam@ourco.test", "Sam", "Lee")
    fake.companies["101"] = {
        "name": "Acme Corp",
        "domain": "acme.com",
        "hubspot_owner_id": "7",
        "arr": "48000",
        "renewal_date": "2027-01-31",
        "tier": "enterprise",
    }
    fake.companies["102"] = {"name": "Globex Industries", "domain": "https://www.globex.com", "arr": "120000"}
    fake.companies["103"] = {"name": "Renamed In CRM", "domain": "", "arr": "5000"}
    fake.companies["104"] = {"name": "Nobody We Know", "domain": "nobody.test"}
    try:
        yield fake
        assert fake.refused == []
    finally:
        fake.close()


@pytest.fixture
def salesforce(tmp_path, monkeypatch) -> Iterator[FakeSalesforce]:
    import ssl

    import trustme

    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    bundle = tmp_path / "test-ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))  # requests trusts the test CA, nothing else changes
    fake = FakeSalesforce(context).start()
    fake.accounts["001A"] = {
        "Name": "Acme Corp",
        "Website": "acme.com",
        "OwnerId": "005S",
        "Owner": {"Email": "sam@ourco.test", "Name": "Sam Lee"},
        "ARR__c": 48000,
        "Renewal_Date__c": "2027-01-31",
        "Tier__c": "enterprise",
    }
    try:
        yield fake
        assert fake.refused == []
    finally:
        fake.close()


def seed(engine) -> None:
    now = datetime.now(UTC)
    history = History(engine, now)
    for days in (1, 2, 3, 4):
        history.say("Acme Corp", days, -0.8, churn=True)
    history.say("Globex", 1, 0.5)
    history.say("Initech", 1, 0.4)
    book = AccountBook(engine)
    book.apply(BookEntry("Globex", domains=["globex.com"]))
    book.apply(BookEntry("Initech", crm={"hubspot": "103"}))


def hubspot_env(monkeypatch, hubspot: FakeHubSpot, database_url: str) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("TONEWATCH_HUBSPOT_TOKEN", TOKEN)
    monkeypatch.setenv("TONEWATCH_HUBSPOT_URL", hubspot.url)


def test_hubspot_sync_pulls_by_id_domain_and_name_and_pushes_once(
    hubspot, sqlite_url, sqlite_engine, monkeypatch
):
    seed(sqlite_engine)
    with session_scope(sqlite_engine) as session:
        flag(session, find_account(session, "Acme Corp"), "turned red")
    hubspot_env(monkeypatch, hubspot, sqlite_url)
    hubspot.fail_next(1)  # a 429 first: retried after Retry-After
    done = tonewatch("crm", "sync", "--json")
    assert done.returncode == 0, err(done)
    [summary] = json.loads(out(done))
    assert summary | {"errors": []} == summary and summary["matched"] == 3 and summary["unmatched"] == 1
    assert summary["pushed"] == 3

    book = {row.name: row for row in AccountBook(sqlite_engine).rows()}
    acme, globex, initech = book["Acme Corp"], book["Globex"], book["Initech"]
    assert acme.owner == "sam@ourco.test" and acme.owners[0].name == "Sam Lee"  # by name
    assert acme.arr == 48000 and acme.renewal_date == date(2027, 1, 31) and acme.tier == "enterprise"
    assert acme.crm == {"hubspot": "101"} and "acme.com" in acme.domains
    assert globex.crm == {"hubspot": "102"} and globex.arr == 120000  # by domain
    assert initech.arr == 5000  # by the CRM id stored on it, whatever the CRM calls it

    pushed = hubspot.companies["101"]
    assert pushed["tonewatch_health"] == "red" and pushed["tonewatch_suppress_outreach"] == "true"
    assert pushed["tonewatch_churn_risk"] == "true" and pushed["tonewatch_trend"] in ("stable", "declining")
    assert pushed["tonewatch_last_negative"] == (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    assert float(pushed["tonewatch_average_30d"]) < -0.5
    assert hubspot.companies["102"]["tonewatch_suppress_outreach"] == "false"
    assert "tonewatch_health" not in hubspot.companies["104"]  # unmatched: untouched
    [listing, *_] = hubspot.calls("GET", "/crm/v3/objects/companies")
    assert "hubspot_owner_id" in listing.query["properties"]

    patches = len(hubspot.calls("PATCH", "/crm/v3/objects/companies/"))
    [second] = json.loads(out(tonewatch("crm", "sync", "--json")))
    assert second["pushed"] == 0 and second["unchanged"] == 3  # nothing pushed twice
    assert len(hubspot.calls("PATCH", "/crm/v3/objects/companies/")) == patches


def test_crm_sync_without_a_crm_is_a_clear_error(sqlite_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    done = tonewatch("crm", "sync")
    assert done.returncode == 1 and err(done).startswith("error: no CRM configured")


def _service(engine, systems):
    return AlertService(
        engine,
        PolicyThresholds(critical_score=-0.6, warning_score=-0.3),
        reply_sla=timedelta(hours=24),
        crm_systems=systems,
    )


async def test_a_critical_alert_makes_one_hubspot_task_closed_on_resolve(hubspot, sqlite_engine, monkeypatch):
    seed(sqlite_engine)
    AccountBook(sqlite_engine).apply(BookEntry("Acme Corp", crm={"hubspot": "101"}))
    hubspot_env(monkeypatch, hubspot, "sqlite://")
    clients, pushed = build_crm_clients(load_settings(env_file=None))
    sync = CrmSync(sqlite_engine, clients, pushed, RULES)
    worker = Worker(sqlite_engine)
    sync.register(worker)
    alerts = _service(sqlite_engine, ("hubspot",))
    history = History(sqlite_engine, datetime.now(UTC))
    opened = alerts.after_analysis(history.say("Acme Corp", 0, -0.9, "We are cancelling.", churn=True))
    assert opened is not None and opened.severity == "critical"
    assert await worker.run_once() == 1
    [(task_id, task)] = hubspot.tasks.items()
    assert (
        task["hs_task_status"] == "NOT_STARTED" and "critical alert on Acme Corp" in task["hs_task_subject"]
    )
    assert task["hubspot_owner_id"] == "7"
    assert hubspot.task_associations[task_id][0]["to"] == {"id": "101"}
    assert "cancelling" not in json.dumps(task)  # the customer's words stay in Tonewatch
    # A second critical message joins the alert: no second task.
    alerts.after_analysis(history.say("Acme Corp", 0, -0.95, "Really, we are done.", churn=True))
    await worker.run_once()
    assert len(hubspot.tasks) == 1
    alerts.set_status(opened.alert_id, "resolved")
    assert await worker.run_once() == 1
    assert hubspot.tasks[task_id]["hs_task_status"] == "COMPLETED"


async def test_salesforce_pull_push_and_tasks(salesforce, sqlite_engine, monkeypatch):
    seed(sqlite_engine)
    with session_scope(sqlite_engine) as session:
        flag(session, find_account(session, "Acme Corp"), "turned red")
    monkeypatch.setenv("TONEWATCH_SALESFORCE_URL", salesforce.url)
    monkeypatch.setenv("TONEWATCH_SALESFORCE_TOKEN", TOKEN)
    monkeypatch.setenv(
        "TONEWATCH_CRM_FIELDS", json.dumps({"salesforce": {"light": "Health__c", "trend": ""}})
    )
    settings = load_settings(env_file=None)
    clients, pushed = build_crm_clients(settings)
    sync = CrmSync(sqlite_engine, clients, pushed, RULES)
    [summary] = sync.sync()
    assert summary.errors == [] and summary.matched == 1 and summary.pushed == 1
    assert "Owner.Email" in salesforce.queries[0] and "Renewal_Date__c" in salesforce.queries[0]
    acme = AccountBook(sqlite_engine).row("Acme Corp")
    assert acme.owner == "sam@ourco.test" and acme.arr == 48000 and acme.crm == {"salesforce": "001A"}
    fields = salesforce.accounts["001A"]
    assert fields["Health__c"] == "red" and fields["Tonewatch_Suppress_Outreach__c"] is True
    assert "Tonewatch_Trend__c" not in fields  # turned off by an empty name
    assert sync.sync()[0].pushed == 0

    worker = Worker(sqlite_engine)
    sync.register(worker)
    alerts = _service(sqlite_engine, ("salesforce",))
    opened = alerts.after_analysis(
        History(sqlite_engine, datetime.now(UTC)).say("Acme Corp", 0, -0.9, churn=True)
    )
    await worker.run_once()
    [(task_id, task)] = salesforce.tasks.items()
    assert task["WhatId"] == "001A" and task["OwnerId"] == "005S" and task["Status"] == "Not Started"
    alerts.set_status(opened.alert_id, "resolved")
    await worker.run_once()
    assert salesforce.tasks[task_id]["Status"] == "Completed"


def test_crm_settings_are_checked(monkeypatch):
    from storage.errors import ConfigError

    monkeypatch.setenv("TONEWATCH_SALESFORCE_URL", "https://example.my.salesforce.com")
    with pytest.raises(ConfigError, match="TONEWATCH_SALESFORCE_TOKEN"):
        load_settings(env_file=None)
    monkeypatch.delenv("TONEWATCH_SALESFORCE_URL")
    monkeypatch.setenv("TONEWATCH_CRM_FIELDS", '{"hubspot": {"mood": "x"}}')
    with pytest.raises(ConfigError, match="TONEWATCH_CRM_FIELDS"):
        load_settings(env_file=None)
