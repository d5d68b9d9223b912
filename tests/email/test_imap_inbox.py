# ruff: noqa: F811  (the dovecot fixtures are imported, and test parameters share their names)
"""Connected inboxes against a real Dovecot on loopback: delivery, resume, recreated mailboxes, outages,
and the mail real customers send (charsets, HTML, attachments, forwards, broken MIME)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

import pytest
from sqlmodel import col, select

from bot.alerts.policy import PolicyThresholds
from bot.alerts.service import AlertService
from bot.analysis.offline import OfflineAnalyzer
from bot.cli.mail import preview
from bot.config.settings import load_settings
from bot.messages.pipeline import ANALYZE, MessagePipeline
from bot.runtime.worker import Worker
from handlers.email.inbox import EMAIL_PLACE, PLATFORM, InboxPoller, MailConverter
from handlers.email.senders import AccountDirectory
from scheduler.inbox_jobs import InboxJobs
from storage.db import session_scope
from storage.errors import ConfigError
from storage.inbox_state import inbox_statuses
from storage.models import Account, Alert, CustomerMessage, InboxState, WorkItem
from storage.queue import PENDING
from tests.fakes.imap_server import DovecotServer, dovecot, dovecot_server  # noqa: F401

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
OURS = "tonewatch.io"


def mail(
    sender: str,
    subject: str,
    body: str,
    *,
    message_id: str | None,
    to: str = f"support@{OURS}",
    in_reply_to: str | None = None,
    references: str | None = None,
    sent: datetime = NOW - timedelta(hours=1),
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(sent)
    if message_id:
        message["Message-ID"] = f"<{message_id}>"
    if in_reply_to:
        message["In-Reply-To"] = f"<{in_reply_to}>"
    if references:
        message["References"] = references
    message.set_content(body)
    return message


@pytest.fixture
def pipeline(sqlite_engine):
    return MessagePipeline(sqlite_engine, OfflineAnalyzer())


@pytest.fixture
def poller(sqlite_engine, pipeline):
    directory = AccountDirectory(sqlite_engine, [OURS], {"globex-mail.com": "Globex"})
    return InboxPoller(
        sqlite_engine, pipeline, MailConverter(sqlite_engine, directory, 20_000), retry_base_seconds=60
    )


def stored(engine) -> list[CustomerMessage]:
    with session_scope(engine) as session:
        return list(session.exec(select(CustomerMessage).order_by(col(CustomerMessage.id))).all())


def account_name(engine, account_id: int | None) -> str | None:
    with session_scope(engine) as session:
        account = session.get(Account, account_id) if account_id else None
        return account.name if account else None


def test_new_mail_is_stored_once_with_account_thread_and_subject(
    dovecot: DovecotServer, poller, sqlite_engine
):
    dovecot.append(
        mail(
            "Anna Schmidt <anna@acme.com>",
            "Export keeps failing",
            "Hi,\n\nThe export failed again this morning.\n\nBest regards,\nAnna\nHead of Ops, ACME",
            message_id="m1@acme.com",
        ).as_bytes()
    )
    dovecot.append(
        mail(
            f"Tom <tom@{OURS}>",
            "Re: Export keeps failing",
            "Sorry Anna, we are on it.\n\nOn Mon, Anna wrote:\n> The export failed again this morning.",
            message_id=f"r1@{OURS}",
            to="anna@acme.com",
            in_reply_to="m1@acme.com",
            references="<m1@acme.com>",
        ).as_bytes()
    )

    result = poller.poll(dovecot.inbox(), NOW)

    assert (result.status, result.read, result.stored, result.duplicates) == ("ok", 2, 2, 0)
    customer, staff = stored(sqlite_engine)
    assert customer.platform == PLATFORM and customer.place_key == EMAIL_PLACE
    assert customer.external_id == "m1@acme.com" and customer.is_customer and customer.status == "pending"
    # The subject leads the text (the alert card shows it); the signature is gone.
    assert customer.text == "Export keeps failing\n\nHi,\n\nThe export failed again this morning."
    assert customer.author == "Anna Schmidt <anna@acme.com>" and customer.author_email == "anna@acme.com"
    assert customer.source_kind == "email" and customer.created_at == NOW - timedelta(hours=1)
    assert account_name(sqlite_engine, customer.account_id) == "acme.com"
    # Our own reply: staff (not scored), filed under the customer it was sent to, in the same thread.
    assert not staff.is_customer and staff.status == "skipped"
    assert staff.account_id == customer.account_id
    assert staff.thread_key == customer.thread_key == "m1@acme.com"
    assert staff.text == "Export keeps failing\n\nSorry Anna, we are on it."
    with session_scope(sqlite_engine) as session:
        assert session.get(Account, customer.account_id).domains == "acme.com"
        queued = session.exec(select(WorkItem).where(WorkItem.kind == ANALYZE)).all()
        assert [item.subject for item in queued] == [str(customer.id)]

    again = poller.poll(dovecot.inbox(), NOW + timedelta(minutes=1))
    assert (again.status, again.read, again.stored) == ("ok", 0, 0)
    assert len(stored(sqlite_engine)) == 2


@pytest.mark.slow
def test_a_restart_resumes_after_the_last_uid_without_duplicates(
    dovecot: DovecotServer, sqlite_engine, pipeline, poller
):
    for number in range(3):
        dovecot.append(
            mail(
                "bob@initech.com",
                f"Question {number}",
                f"Question number {number}?",
                message_id=f"q{number}@initech.com",
            ).as_bytes()
        )
    assert poller.poll(dovecot.inbox(), NOW).stored == 3

    dovecot.restart()  # the mail server restarts …
    dovecot.append(
        mail("bob@initech.com", "Question 3", "One more question?", message_id="q3@initech.com").as_bytes()
    )
    directory = AccountDirectory(sqlite_engine, [OURS])
    restarted = InboxPoller(
        sqlite_engine, pipeline, MailConverter(sqlite_engine, directory, 20_000)
    )  # … and so do we
    result = restarted.poll(dovecot.inbox(), NOW + timedelta(minutes=1))

    assert (result.read, result.stored, result.duplicates) == (1, 1, 0)  # only the new mail was fetched
    assert [m.external_id for m in stored(sqlite_engine)] == [f"q{n}@initech.com" for n in range(4)]
    with session_scope(sqlite_engine) as session:
        state = session.exec(select(InboxState)).one()
        assert (
            state.last_uid == 4 and state.uidvalidity == dovecot.uidvalidity() and state.messages_stored == 4
        )
        assert state.locked_by is None


def test_a_recreated_mailbox_is_read_again_and_message_ids_stop_duplicates(
    dovecot: DovecotServer, poller, sqlite_engine
):
    first = [
        mail("carol@umbrella.org", f"Issue {n}", f"Issue {n} is open.", message_id=f"u{n}@umbrella.org")
        for n in range(2)
    ]
    for message in first:
        dovecot.append(message.as_bytes())
    inbox = dovecot.inbox()
    assert poller.poll(inbox, NOW).stored == 2
    old_validity = dovecot.uidvalidity()

    dovecot.recreate_folder()  # e.g. restored from a backup: UIDs start over
    for message in first:
        dovecot.append(message.as_bytes())
    dovecot.append(
        mail("carol@umbrella.org", "Issue 2", "A new one.", message_id="u2@umbrella.org").as_bytes()
    )
    result = poller.poll(inbox, NOW + timedelta(minutes=1))

    assert dovecot.uidvalidity() != old_validity
    assert result.uidvalidity_changed
    assert (result.read, result.stored, result.duplicates) == (3, 1, 2)
    assert len(stored(sqlite_engine)) == 3


@pytest.mark.slow
def test_an_unreachable_inbox_backs_off_reports_and_recovers(dovecot: DovecotServer, poller, sqlite_engine):
    dovecot.append(mail("dave@hooli.com", "Hello", "Are you there?", message_id="h1@hooli.com").as_bytes())
    inbox = dovecot.inbox()
    dovecot.stop()

    down = poller.poll(inbox, NOW)
    assert down.status == "failed" and down.error == "connection refused"
    [status] = inbox_statuses(sqlite_engine)
    assert not status.ok and status.failures == 1 and status.last_error == "connection refused"
    assert status.next_attempt_at == NOW + timedelta(seconds=60)

    assert poller.poll(inbox, NOW + timedelta(seconds=30)).status == "not_due"  # backing off
    dovecot.start()
    assert poller.poll(inbox, NOW + timedelta(seconds=30)).status == "not_due"
    second = NOW + timedelta(seconds=60)
    assert poller.poll(inbox, second).stored == 1
    [status] = inbox_statuses(sqlite_engine)
    assert (
        status.ok and status.failures == 0 and status.last_error is None and status.last_success_at == second
    )


def test_a_wrong_password_is_a_reported_failure_with_growing_backoff(
    dovecot: DovecotServer, poller, sqlite_engine
):
    inbox = dovecot.inbox(password="wrong-password")
    first = poller.poll(inbox, NOW)
    assert first.status == "failed" and "AUTHENTICATIONFAILED" in (first.error or "")
    assert "wrong-password" not in (first.error or "")
    poller.poll(inbox, NOW + timedelta(seconds=60))
    [status] = inbox_statuses(sqlite_engine)
    assert status.failures == 2 and status.next_attempt_at == NOW + timedelta(seconds=60 + 120)


def test_imaps_with_a_private_ca_works_and_an_unverifiable_certificate_is_reported(
    dovecot: DovecotServer, poller, sqlite_engine
):
    if dovecot.tls_port is None:
        pytest.skip("openssl is not installed; the TLS test needs a self-signed certificate")
    dovecot.append(
        mail("ivy@acme.com", "Over TLS", "Encrypted all the way.", message_id="t1@acme.com").as_bytes()
    )

    unverified = poller.poll(dovecot.inbox(tls=True, port=dovecot.tls_port), NOW)
    assert unverified.status == "failed" and "CERTIFICATE_VERIFY_FAILED" in (unverified.error or "")
    assert stored(sqlite_engine) == []

    trusted = dovecot.inbox(name="tls", tls=True, port=dovecot.tls_port, ca_file=str(dovecot.cert_path))
    assert poller.poll(trusted, NOW + timedelta(hours=1)).stored == 1


async def test_the_job_polls_every_inbox_and_one_down_does_not_stop_the_others(
    dovecot: DovecotServer, poller, sqlite_engine
):
    dovecot.append(
        mail("erin@acme.com", "Hi", "Quick question about SSO.", message_id="e1@acme.com").as_bytes()
    )
    down = dovecot.inbox(port=1, name="broken")  # nothing listens on port 1
    woken: list[bool] = []
    jobs = InboxJobs(poller, [down, dovecot.inbox()], on_stored=lambda: woken.append(True))

    results = await jobs.poll_inboxes(NOW)

    assert [(r.inbox, r.status) for r in results] == [("broken", "failed"), ("test inbox", "ok")]
    assert results[1].stored == 1 and woken == [True]


def test_charsets_html_only_and_a_large_attachment(dovecot: DovecotServer, poller, sqlite_engine):
    latin = (
        b"From: =?iso-8859-1?q?Ren=E9_Dupont?= <rene@acme.fr>\r\nTo: support@tonewatch.io\r\n"
        b"Subject: =?iso-8859-1?q?Probl=E8me_de_facturation?=\r\nMessage-ID: <l1@acme.fr>\r\n"
        b"Date: Mon, 23 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + "La facture est fausse, c'est très décevant.".encode("iso-8859-1")
        + b"\r\n"
    )
    cp1252 = (
        b"From: max@globex-mail.com\r\nTo: support@tonewatch.io\r\nSubject: Quote\r\n"
        b"Message-ID: <w1@globex>\r\n"
        b"Content-Type: text/plain; charset=windows-1252\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + "We were promised “five nines” – that’s not what we got. Cost: 500€.".encode("windows-1252")
        + b"\r\n"
    )
    japanese = EmailMessage()
    japanese["From"] = "taro@example.co.jp"
    japanese["To"] = "support@tonewatch.io"
    japanese["Subject"] = "請求書について"
    japanese["Message-ID"] = "<j1@example.co.jp>"
    japanese.set_content("請求書の金額が間違っています。至急確認してください。", charset="shift_jis")
    html_only = EmailMessage()
    html_only["From"] = "pat@initech.com"
    html_only["To"] = "support@tonewatch.io"
    html_only["Subject"] = "Dashboard"
    html_only["Message-ID"] = "<h1@initech.com>"
    html_only.set_content(
        "<html><head><style>p{color:red}</style></head><body><p>The <b>dashboard</b> is down&nbsp;again.</p>"
        "<script>alert(1)</script></body></html>",
        subtype="html",
    )
    attachment = mail(
        "quinn@acme.com", "Logs attached", "Logs of the failed sync are attached.", message_id="a1@acme.com"
    )
    attachment.add_attachment(
        bytes(range(256)) * 12_000, maintype="application", subtype="octet-stream", filename="sync.log.gz"
    )  # 3 MB, far beyond what is fetched
    for raw in (latin, cp1252, japanese.as_bytes(), html_only.as_bytes(), attachment.as_bytes()):
        dovecot.append(raw)

    result = poller.poll(dovecot.inbox(), NOW)

    assert (result.stored, result.skipped) == (5, 0)
    texts = {m.external_id: m.text for m in stored(sqlite_engine)}
    assert texts["l1@acme.fr"] == "Problème de facturation\n\nLa facture est fausse, c'est très décevant."
    assert (
        texts["w1@globex"] == "Quote\n\nWe were promised “five nines” – that’s not what we got. Cost: 500€."
    )
    assert (
        texts["j1@example.co.jp"] == "請求書について\n\n請求書の金額が間違っています。至急確認してください。"
    )
    assert texts["h1@initech.com"] == "Dashboard\n\nThe dashboard is down again."
    assert texts["a1@acme.com"] == "Logs attached\n\nLogs of the failed sync are attached."
    accounts = {m.external_id: account_name(sqlite_engine, m.account_id) for m in stored(sqlite_engine)}
    assert accounts["w1@globex"] == "Globex"  # TONEWATCH_DOMAIN_ACCOUNTS mapping


def test_malformed_mime_is_read_as_far_as_possible_and_never_blocks_the_inbox(
    dovecot: DovecotServer, poller, sqlite_engine
):
    broken_boundary = (
        b"From: sam@acme.com\r\nSubject: Broken\r\nMessage-ID: <b1@acme.com>\r\n"
        b'Content-Type: multipart/alternative; boundary="never-used"\r\n\r\n'
        b"The invoice total is wrong and nobody answers.\r\n"
    )
    bad_base64 = (
        b"From: sam@acme.com\r\nSubject: =?utf-8?b?broken?=\r\nMessage-ID: <b2@acme.com>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"VGhlIHN5bmMgaXMgc2xvdw==!!!not base64\r\n"
    )
    unknown_charset = (
        b"From: sam@acme.com\r\nSubject: Charset\r\nMessage-ID: <b3@acme.com>\r\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\r\n\r\n"
        + "Überweisung fehlgeschlagen".encode()
        + b"\r\n"
    )
    no_headers = b"just some bytes \xff\xfe without any header\r\n"
    for raw in (broken_boundary, bad_base64, unknown_charset, no_headers):
        dovecot.append(raw)
    dovecot.append(
        mail("sam@acme.com", "Fine", "This one is well formed.", message_id="b5@acme.com").as_bytes()
    )

    result = poller.poll(dovecot.inbox(), NOW)

    assert result.status == "ok" and result.read == 5
    texts = {m.external_id: m.text for m in stored(sqlite_engine)}
    assert texts["b1@acme.com"] == "Broken\n\nThe invoice total is wrong and nobody answers."
    assert "The sync is slow" in texts["b2@acme.com"]
    assert texts["b3@acme.com"] == "Charset\n\nÜberweisung fehlgeschlagen"
    assert texts["b5@acme.com"] == "Fine\n\nThis one is well formed."
    assert result.skipped == 1  # no sender: nobody to attribute it to
    with session_scope(sqlite_engine) as session:
        assert session.exec(select(InboxState)).one().last_uid == 5  # nothing is read twice


def test_a_forwarded_customer_mail_counts_as_the_customer_and_threads_follow_in_reply_to(
    dovecot: DovecotServer, poller, sqlite_engine
):
    forwarded = mail(
        f"Tom <tom@{OURS}>",
        "Fwd: Cancelling our plan",
        "FYI, see below. Can someone call them?\n\n"
        "---------- Forwarded message ---------\n"
        "From: Vera Lang <vera@acme.com>\n"
        "Date: Mon, 23 Nov 2026 at 09:00\n"
        "Subject: Cancelling our plan\n"
        f"To: Tom <tom@{OURS}>\n\n"
        "We have decided to cancel at the end of the month. The outages were too much.\n\n"
        "Kind Regards,\nVera\n",
        message_id=f"f1@{OURS}",
        to=f"support@{OURS}",
    )
    reply = mail(
        "vera@acme.com",
        "Re: Cancelling our plan",
        "Please also delete our data.",
        message_id="v2@acme.com",
        in_reply_to=f"f1@{OURS}",
    )
    dovecot.append(forwarded.as_bytes())
    dovecot.append(reply.as_bytes())

    poller.poll(dovecot.inbox(), NOW)

    first, second = stored(sqlite_engine)
    assert first.is_customer and first.author == "Vera Lang <vera@acme.com>"
    assert first.text == (
        "Cancelling our plan\n\nWe have decided to cancel at the end of the month. The outages were too much."
    )
    assert account_name(sqlite_engine, first.account_id) == "acme.com"
    assert second.thread_key == first.thread_key == f"f1@{OURS}"


def test_only_the_customers_new_words_are_stored_and_email_preview_shows_the_same_text(
    dovecot: DovecotServer, poller, sqlite_engine
):
    """Quoted history, signatures, display-name tricks and blank plain parts, read over IMAP; the same
    bytes through `tonewatch email-preview`'s reading give the stored text."""
    danish = mail(
        "Mette <mette@acme.com>",
        "SV: Export",
        "Eksporten fejler stadig, og ingen svarer.\n\nMed venlig hilsen\nMette Hansen\nDriftschef\n\n"
        f"Fra: Tom <tom@{OURS}>\nSendt: 23. november 2026 09:00\nTil: Mette\nEmne: Export\n\n"
        "Vi har rettet fejlen.\n",
        message_id="d1@acme.com",
    )
    trick = mail(
        f"ceo@{OURS} <mallory@globex-mail.com>",
        "Invoice",
        "Pay the attached invoice today.\n\nSent from my iPhone",
        message_id="t1@globex-mail.com",
    )
    blank_plain = mail("Ivan <ivan@initech.com>", "Portal", "\n", message_id="h1@initech.com")
    blank_plain.add_alternative(
        "<p>The portal is down <i>again</i>.</p><div>On Mon, Tom &lt;tom@tonewatch.io&gt; wrote:</div>"
        "<blockquote>We fixed it.</blockquote>",
        subtype="html",
    )
    sent = [danish.as_bytes(), trick.as_bytes(), blank_plain.as_bytes()]
    for raw in sent:
        dovecot.append(raw)

    poller.poll(dovecot.inbox(), NOW)

    rows = stored(sqlite_engine)
    assert [row.text for row in rows] == [
        "Export\n\nEksporten fejler stadig, og ingen svarer.",
        "Invoice\n\nPay the attached invoice today.",
        "Portal\n\nThe portal is down again.",
    ]
    assert rows[1].author_email == "mallory@globex-mail.com" and rows[1].is_customer
    assert account_name(sqlite_engine, rows[1].account_id) == "Globex"
    directory = AccountDirectory(None, [OURS], {})
    assert [preview(raw, directory, 20_000)["text"] for raw in sent] == [row.text for row in rows]


async def test_an_angry_email_opens_an_alert_whose_card_leads_with_the_subject(
    dovecot: DovecotServer, poller, pipeline, sqlite_engine
):
    dovecot.append(
        mail(
            "gina@acme.com",
            "Outage again?!",
            "This is the third outage this month. It is unacceptable and we are evaluating other vendors.",
            message_id="o1@acme.com",
        ).as_bytes()
    )
    poller.poll(dovecot.inbox(), NOW)
    alerts = AlertService(sqlite_engine, PolicyThresholds(), reply_sla=timedelta(hours=24))
    worker = Worker(sqlite_engine)

    async def analyze(subject: str, attempts: int) -> None:
        await pipeline.analyze_message(int(subject))
        alerts.after_analysis(int(subject))

    worker.register(ANALYZE, analyze)
    assert await worker.run_once() == 1

    with session_scope(sqlite_engine) as session:
        alert = session.exec(select(Alert)).one()
        pending_posts = session.exec(
            select(WorkItem).where(WorkItem.kind == "post_alert", WorkItem.status == PENDING)
        ).all()
    assert alert.severity == "critical" and len(pending_posts) == 1
    card = alerts.card(alert.id)
    assert card.source_platform == "email" and card.account == "acme.com"
    assert card.quote.splitlines()[0] == "Outage again?!" and card.author == "gina@acme.com"
    assert card.draft_reply  # goes in the alert's thread; nothing is sent to the customer


@pytest.mark.slow
def test_inbox_settings_read_json_or_a_yaml_file_and_name_what_is_wrong(monkeypatch, tmp_path):
    path = tmp_path / "inboxes.yaml"
    path.write_text(
        "inboxes:\n"
        "  - name: Support\n    host: imap.example.com\n    user: support@example.com\n"
        "    password_env: SUPPORT_IMAP_PASSWORD\n"
        "  - host: imap.example.com\n    user: csm@example.com\n"
        "    password: app-pass\n    folder: Customers\n"
    )
    monkeypatch.setenv("SUPPORT_IMAP_PASSWORD", "from-env")
    monkeypatch.setenv("TONEWATCH_INBOXES", str(path))
    monkeypatch.setenv("TONEWATCH_OUR_DOMAINS", "Example.com, example.io")
    monkeypatch.setenv("TONEWATCH_DOMAIN_ACCOUNTS", json.dumps({"ACME.com": "ACME Corp"}))
    settings = load_settings(env_file=None)
    support, csm = settings.inboxes
    assert support.secret() == "from-env" and support.effective_port == 993 and support.label == "Support"
    assert csm.key == "csm@example.com@imap.example.com:993/Customers"
    assert settings.our_domains == ("example.com", "example.io")
    assert settings.domain_accounts == {"acme.com": "ACME Corp"}
    assert "app-pass" not in repr(settings)

    monkeypatch.setenv(
        "TONEWATCH_INBOXES", '[{"host": "imap.example.com", "user": "u", "password": "p", "tls": false}]'
    )
    with pytest.raises(ConfigError, match="TONEWATCH_INBOXES: .*inbox 1: .*unencrypted"):
        load_settings(env_file=None)
    monkeypatch.setenv("TONEWATCH_INBOXES", '[{"user": "u", "password": "p"}]')
    with pytest.raises(ConfigError, match="inbox 1: host: Field required"):
        load_settings(env_file=None)
    monkeypatch.setenv("TONEWATCH_INBOXES", "")
    monkeypatch.setenv("TONEWATCH_INGEST_TOKEN", "short")
    with pytest.raises(ConfigError, match="TONEWATCH_INGEST_TOKEN: .*at least 16"):
        load_settings(env_file=None)
