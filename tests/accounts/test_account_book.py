
"""The account book: imported from a file, shown by the CLI, set from Slack, mapping mail domains."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import select

from bot.accounts.book import AccountBook
from bot.accounts.entry import BookEntry
from handlers.email.senders import AccountDirectory
from storage.book import PersonInfo
from storage.db import session_scope
from storage.migrate import upgrade
from storage.models import Account, AccountOwner, Person
from tests.support.cli import err, out, tonewatch
from tests.support.slack_requests import ALERTS, CUSTOMER, STAFF

pytest_plugins = ("tests.support.slack_fixtures",)

BOOK_CSV = """account,owner_email,arr,currency,tier,renewal_date,domains,crm_id,notes
Acme Corp,sam@ourco.test,48000,USD,enterprise,2027-01-31,acme.com;acme.io,hubspot:123,ignored
Globex,kim@ourco.test,$120k,,mid-market,2026-12-20,globex.com,0015g00000XyZ,
Bad Inc,not-an-email,12,USD,,,,,
Initech,,abc,,,,,,
"""


def test_import_applies_good_rows_reports_bad_ones_by_line_and_is_idempotent(tmp_path: Path):
    book = tmp_path / "book.csv"
    book.write_text(BOOK_CSV)
    first = tonewatch("accounts", "import", str(book))
    assert first.returncode == 1
    assert "line 4: owner_email: 'not-an-email' is not an email address" in err(first)
    assert "line 5: arr must be a number" in err(first)
    assert "2 new account(s)" in out(first)
    again = tonewatch("accounts", "import", str(book))
    assert again.returncode == 1 and "0 new account(s), 2 updated" in out(again)

    listed = json.loads(out(tonewatch("accounts", "list", "--json")))
    assert [row["account"] for row in listed] == ["Acme Corp", "Globex"]  # the bad rows changed nothing
    acme, globex = listed
    assert acme["owner"] == "sam@ourco.test" and acme["arr"] == 48000 and acme["currency"] == "USD"
    assert acme["tier"] == "enterprise" and acme["renewal_date"] == "2027-01-31"
    assert acme["domains"] == ["acme.com", "acme.io"] and acme["crm"] == {"hubspot": "123"}
    assert len(acme["owners"]) == 1  # the second import did not add the owner twice
    assert (
        globex["arr"] == 120000 and globex["currency"] == "USD" and globex["crm"] == {"id": "0015g00000XyZ"}
    )

    report = json.loads(out(tonewatch("account", "acme corp", "--json")))
    for key in ("owner", "arr", "currency", "tier", "renewal_date", "crm", "suppress_outreach"):
        assert key in report
    assert report["owner"] == "sam@ourco.test" and report["renewal_date"] == "2027-01-31"
    assert report["suppress_outreach"] is False and "light" in report and "why" in report  # old keys kept
    text = out(tonewatch("account", "Acme Corp"))
    assert "owner sam@ourco.test · ARR 48,000 USD · tier enterprise · renews 2027-01-31" in text


def test_import_jsonl_and_unreadable_files(tmp_path: Path):
    book = tmp_path / "book.jsonl"
    book.write_text(
        json.dumps(
            {
                "account": "Umbrella",
                "owner_email": "lee@ourco.test",
                "arr": 9000,
                "renewal_date": "2027-03-01",
                "domains": ["umbrella.test"],
                "extra": {"x": 1},
            }
        )
        + "\n{not json\n"
        + json.dumps({"account": "Umbrella", "renewal_date": "31/01/2027"})
        + "\n"
    )
    result = tonewatch("accounts", "import", str(book))
    assert result.returncode == 1
    assert "line 2: not valid JSON" in err(result)
    assert "line 3: renewal_date must be a date like 2027-01-31" in err(result)
    listed = out(tonewatch("accounts", "list"))
    assert "Umbrella · owner lee@ourco.test · arr 9,000 USD" in listed and "renews 2027-03-01" in listed
    missing = tonewatch("accounts", "import", str(tmp_path / "nope.csv"))
    assert (
        missing.returncode == 1 and err(missing).startswith("error:") and "Traceback" not in err(missing)
    )
    no_account = tmp_path / "wrong.csv"
    no_account.write_text("name,arr\nAcme,1\n")
    wrong = tonewatch("accounts", "import", str(no_account))
    assert wrong.returncode == 1 and "including account" in err(wrong)


def test_owners_are_people_matched_by_email_and_replaced(sqlite_engine):
    book = AccountBook(sqlite_engine)
    book.apply(BookEntry("Acme", owners=[PersonInfo(email="sam@ourco.test")]))
    book.apply(
        BookEntry("Globex", owners=[PersonInfo(name="Sam Lee", email="SAM@ourco.test", slack_user_id="U1")])
    )
    book.apply(
        BookEntry("Acme", owners=[PersonInfo(email="kim@ourco.test"), PersonInfo(email="sam@ourco.test")])
    )
    with session_scope(sqlite_engine) as session:
        people = session.exec(select(Person).order_by(Person.email)).all()
        assert [(p.email, p.name, p.slack_user_id) for p in people] == [
            ("kim@ourco.test", "kim", None),
            ("sam@ourco.test", "Sam Lee", "U1"),
        ]
        acme = session.exec(select(Account).where(Account.name == "Acme")).one()
        assert acme.owner == "kim@ourco.test"  # the primary owner: what per-owner digests filter on
        assert len(session.exec(select(AccountOwner)).all()) == 3


def test_book_domains_map_inbox_senders_to_accounts(sqlite_engine):
    AccountBook(sqlite_engine).apply(BookEntry("Acme Corp", domains=["acme.com"]))
    directory = AccountDirectory(
        sqlite_engine, our_domains=["ourco.test"], domain_accounts={"globex.io": "Globex"}
    )
    directory.refresh()
    assert directory.account_name("maria@eu.acme.com") == "Acme Corp"
    assert directory.account_name("cfo@globex.io") == "Globex"  # the setting still maps too


def test_migration_downgrades_and_upgrades_again(any_engine):
    upgrade(any_engine, "0008")
    upgrade(any_engine)
    AccountBook(any_engine).apply(BookEntry("Acme", arr=1.0, owners=[PersonInfo(email="a@b.test")]))
    assert AccountBook(any_engine).row("acme").arr == 1.0


async def test_slack_account_verb_sets_owner_value_and_renewal(slack):
    answer = await slack.command(
        f"account Acme Corp owner <@{STAFF}|sam> arr 48k renews 2027-01-31 tier enterprise", channel=ALERTS
    )
    assert answer.text.startswith("New account. *Acme Corp*: owner Sam · ARR 48,000 USD")
    assert answer.args["response_type"] == "ephemeral"
    row = slack.core.book.row("Acme Corp")
    assert row.owner == "sam@home.test" and row.arr == 48000 and row.renewal_date.isoformat() == "2027-01-31"
    assert row.owners[0].slack_user_id == STAFF and row.tier == "enterprise"
    shown = await slack.command("account acme", channel=ALERTS)
    assert shown.text.startswith(
        "*Acme Corp*: owner Sam · ARR 48,000 USD · tier enterprise · renews 2027-01-31"
    )
    bad = await slack.command("account Acme Corp renews tomorrow", channel=ALERTS)
    assert bad.text.startswith(":no_entry:") and "2027-01-31" in bad.text
    by_email = await slack.command(
        "account Acme Corp owner <mailto:kim@home.test|kim@home.test>", channel=ALERTS
    )
    assert "owner kim" in by_email.text and slack.core.book.row("Acme Corp").owner == "kim@home.test"


async def test_slack_account_verb_is_for_our_people_only(slack):
    refused = await slack.command(
        f"account Acme Corp owner <@{CUSTOMER}> arr 1", user=CUSTOMER, channel=ALERTS
    )
    assert "Acme Corp" not in refused.text
    assert slack.core.book.row("Acme Corp") is None


def test_forget_account_removes_its_book_entry_and_owner_links(any_engine):
    from bot.privacy.erasure import forget_account

    AccountBook(any_engine).apply(
        BookEntry("Acme", arr=10.0, owners=[PersonInfo(email="sam@ourco.test")], domains=["acme.test"])
    )
    forget_account(any_engine, "Acme")
    assert AccountBook(any_engine).row("Acme") is None
    with session_scope(any_engine) as session:
        assert session.exec(select(AccountOwner)).all() == []
        assert [p.email for p in session.exec(select(Person)).all()] == ["sam@ourco.test"]  # our own person


def test_forget_email_of_two_owners_removes_them_without_a_clash(any_engine):
    from bot.privacy.erasure import forget_address

    book = AccountBook(any_engine)
    book.apply(BookEntry("Acme", owners=[PersonInfo(email="sam@ourco.test")]))
    book.apply(BookEntry("Globex", owners=[PersonInfo(email="kim@ourco.test")]))
    forget_address(any_engine, "sam@ourco.test")
    forget_address(any_engine, "kim@ourco.test")  # a second erased person: no unique "[erased]" clash
    with session_scope(any_engine) as session:
        assert session.exec(select(Person)).all() == [] and session.exec(select(AccountOwner)).all() == []
    assert "sam@ourco.test" not in json.dumps([row.to_json() for row in book.rows()])
