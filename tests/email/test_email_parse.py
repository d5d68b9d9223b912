"""Email parsing without a server: bodies, charsets, reply and signature stripping, forwards, threads,
automated mail, and the sender → account rules."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage

import pytest
from sqlmodel import select

from handlers.email.parse import decode_bytes, normalize_id, parse_email, truncate
from handlers.email.senders import AccountDirectory
from storage.db import session_scope
from storage.models import Account


def build(body: str = "Hello", *, subtype: str = "plain", charset: str = "utf-8", **headers: str) -> bytes:
    message = EmailMessage()
    defaults = {
        "From": "Anna <anna@acme.com>",
        "To": "support@tonewatch.io",
        "Subject": "Question",
        "Message-ID": "<m1@acme.com>",
    }
    for name, value in (defaults | {k.replace("_", "-"): v for k, v in headers.items()}).items():
        message[name] = value
    message.set_content(body, subtype=subtype, charset=charset)
    return message.as_bytes()


def test_headers_become_fields_with_lower_cased_addresses_and_utc_dates():
    parsed = parse_email(
        build(
            "Hi",
            From='"Schmidt, Anna" <Anna.Schmidt@ACME.com>',
            To="support@tonewatch.io, Tom <tom@tonewatch.io>",
            Cc="cfo@acme.com",
            Subject="Re: AW: Invoice #42",
            Date="Mon, 23 Nov 2026 10:00:00 +0100",
            In_Reply_To="<p1@tonewatch.io> (sent by Tom)",
            References="<root@acme.com> <p1@tonewatch.io>",
        )
    )
    assert (parsed.sender_name, parsed.sender_address, parsed.sender_domain) == (
        "Schmidt, Anna",
        "anna.schmidt@acme.com",
        "acme.com",
    )
    assert parsed.recipients == ("support@tonewatch.io", "tom@tonewatch.io", "cfo@acme.com")
    assert parsed.sent_at == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert parsed.in_reply_to == "p1@tonewatch.io" and parsed.references == (
        "root@acme.com",
        "p1@tonewatch.io",
    )
    assert parsed.thread_root == "root@acme.com"
    assert parsed.clean_subject == "Invoice #42" and parsed.text(1000) == "Invoice #42\n\nHi"


def test_quoted_history_and_signatures_are_stripped_in_several_languages():
    english = parse_email(
        build(
            "Still broken.\n- step one fails\n- step two too\n\nBest regards,\nAnna\n\n"
            "On Mon, 23 Nov 2026 at 09:00, Support <support@tonewatch.io> wrote:\n> We fixed it.\n> Really.\n"
        )
    )
    assert english.body == "Still broken.\n- step one fails\n- step two too"  # lists are not signatures
    german = parse_email(
        build(
            "Das ist nicht akzeptabel.\n\nMit freundlichen Grüßen\nAnna\n\n"
            "Am 23.11.2026 um 09:00 schrieb Support <support@tonewatch.io>:\n> Alt.\n"
        )
    )
    assert german.body == "Das ist nicht akzeptabel."
    outlook = parse_email(
        build(
            "Please call me.\n\nFrom: Support <support@tonewatch.io>\nSent: Monday, November 23, 2026 9:00\n"
            "To: Anna <anna@acme.com>\nSubject: Re: Question\n\nOld text\n"
        )
    )
    assert outlook.body == "Please call me."
    dashes = parse_email(build("We need this fixed today.\n\n-- \nAnna Schmidt | ACME | +49 30 1234\n"))
    assert dashes.body == "We need this fixed today."
    bare_quotes = parse_email(build("Agreed.\n> the earlier text\n> more of it\n"))
    assert bare_quotes.body == "Agreed."


def test_an_html_only_mail_becomes_readable_text():
    parsed = parse_email(
        build(
            "<html><body><h1>Outage</h1><p>The <a href='https://x'>dashboard</a> is down.</p>"
            "<ul><li>since 9:00</li></ul><style>.x{}</style></body></html>",
            subtype="html",
        )
    )
    assert "<" not in parsed.body and "Outage" in parsed.body and "The dashboard is down." in parsed.body
    assert "since 9:00" in parsed.body


def test_plain_text_is_preferred_over_html_and_attachments_are_not_read():
    message = EmailMessage()
    message["From"] = "anna@acme.com"
    message["Subject"] = "Logs"
    message.set_content("Plain version.")
    message.add_alternative("<p>HTML version.</p>", subtype="html")
    message.add_attachment(
        b"Not the body, just a file.", maintype="text", subtype="plain", filename="notes.txt"
    )
    parsed = parse_email(message.as_bytes())
    assert parsed.body == "Plain version." and parsed.attachments == 1


@pytest.mark.parametrize(
    ("text", "declared", "encoding"),
    [
        ("Größe ändern, bitte — sofort", "iso-8859-1", "windows-1252"),  # the dash only exists in cp1252
        ("Très déçu du service", "iso-8859-1", "iso-8859-1"),
        ("“Quoted” – 50€", "windows-1252", "windows-1252"),
        ("請求書が間違っています", "shift_jis", "shift_jis"),
        ("①の件について", "shift_jis", "cp932"),  # a Windows-only character under the Shift_JIS label
        ("Счёт неверный, ждём ответа уже неделю", None, "cp1251"),  # no charset declared: detected
        ("plain ascii", "us-ascii", "ascii"),
        ("UTF-8 despite saying ASCII: ünïcode", "us-ascii", "utf-8"),
    ],
)
def test_charsets_are_decoded_even_when_mislabelled(text, declared, encoding):
    assert decode_bytes(text.encode(encoding), declared) == text


def test_an_unknown_or_wrong_charset_falls_back_to_detection():
    assert decode_bytes("Überweisung fehlgeschlagen".encode(), "x-unknown") == "Überweisung fehlgeschlagen"
    assert decode_bytes("Überweisung".encode(), "utf-16") != ""  # never raises


def test_encoded_headers_in_any_charset_are_decoded():
    raw = (
        b"From: =?iso-8859-1?q?Ren=E9?= <rene@acme.fr>\r\nSubject: =?shift_jis?b?kL+LgY+RgsmCwoKigsQ=?=\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nMerci\r\n"
    )
    parsed = parse_email(raw)
    assert parsed.sender_name == "René" and parsed.subject == "請求書について"


def test_a_forward_keeps_the_forwarded_text_and_its_author():
    parsed = parse_email(
        build(
            "Can someone look at this?\n\n---------- Forwarded message ---------\n"
            "From: Vera Lang <Vera@acme.com>\nDate: Mon, 23 Nov 2026 at 09:00\n"
            "Subject: Outage\nTo: tom@tonewatch.io\n\n"
            "Our dashboards have been down for three hours.\n\nThanks,\nVera\n",
            Subject="Fwd: Outage",
            From="tom@tonewatch.io",
        )
    )
    assert parsed.is_forward and parsed.forwarded_sender == "vera@acme.com"
    assert parsed.forwarded_sender_name == "Vera Lang"
    assert parsed.forwarded_body == "Our dashboards have been down for three hours."
    assert parsed.body == "Can someone look at this?\n\nOur dashboards have been down for three hours."
    assert (
        parsed.text(1000, forwarded_only=True) == "Outage\n\nOur dashboards have been down for three hours."
    )


def test_a_message_forwarded_as_an_attachment_is_read_too():
    inner = EmailMessage()
    inner["From"] = "Vera <vera@acme.com>"
    inner["Subject"] = "Outage"
    inner.set_content("Down again since noon.\n\nOn Mon, Support wrote:\n> fixed\n")
    outer = EmailMessage()
    outer["From"] = "tom@tonewatch.io"
    outer["Subject"] = "Fwd: Outage"
    outer.set_content("See attached.")
    outer.add_attachment(inner)
    parsed = parse_email(outer.as_bytes())
    assert parsed.is_forward and parsed.forwarded_sender == "vera@acme.com"
    assert parsed.forwarded_body == "Down again since noon."


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto_Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"X_Autoreply": "yes"},
        {"From": "MAILER-DAEMON@mx.acme.com"},
        {"From": "no-reply@acme.com"},
    ],
)
def test_automated_mail_is_recognised(headers):
    assert parse_email(build("I am out of office until Monday.", **headers)).automated


def test_broken_input_never_raises():
    for raw in (
        b"",
        b"\x00\x01\x02",
        b"Subject: =?utf-8?q?unterminated\r\n\r\nbody",
        b"From: <>\r\n\r\n\r\n",
        b"Content-Type: multipart/mixed\r\n\r\n--\r\n",
        b"Date: yesterday\r\n\r\ntext",
    ):
        parsed = parse_email(raw)
        assert isinstance(parsed.body, str) and "\x00" not in parsed.body


def test_ids_are_normalized_and_long_ones_hashed():
    assert normalize_id(" <abc@host> ") == "abc@host"
    long_id = normalize_id("<" + "x" * 400 + "@host>")
    assert (
        long_id.startswith("sha256:") and len(long_id) < 100 and long_id == normalize_id("x" * 400 + "@host")
    )
    assert normalize_id("<>") is None


def test_long_texts_are_cut_at_a_word():
    text = truncate("word " * 100, 52)
    assert len(text) <= 52 and text.endswith("word…")


@pytest.fixture
def directory(sqlite_engine):
    return AccountDirectory(
        sqlite_engine, ["tonewatch.io"], {"acme-mail.com": "ACME Corp", "cfo@gmail.com": "ACME Corp"}
    )


def test_staff_domains_include_their_subdomains(directory):
    assert directory.is_staff("tom@tonewatch.io") and directory.is_staff("ops@eu.tonewatch.io")
    assert not directory.is_staff("eve@nottonewatch.io") and directory.is_customer_address("eve@acme.com")


def test_accounts_come_from_the_mapping_stored_domains_or_the_domain_itself(directory, sqlite_engine):
    assert directory.account_name("max@acme-mail.com") == "ACME Corp"
    assert directory.account_name("max@eu.acme-mail.com") == "ACME Corp"
    assert directory.account_name("CFO@gmail.com") == "ACME Corp"  # a mapped personal address
    assert directory.account_name("someone@gmail.com") is None  # personal mail names no company
    assert directory.account_name("bob@initech.com") == "initech.com"

    with session_scope(sqlite_engine) as session:
        session.add(Account(name="Initech", name_key="initech", domains="initech.com, initech.de"))
    directory.refresh()
    assert directory.account_name("bob@initech.de") == "Initech"

    directory.remember("umbrella.org", "carol@umbrella.org")
    directory.remember("umbrella.org", "dave@umbrella.org")
    directory.remember("ACME Corp", "cfo@gmail.com")
    with session_scope(sqlite_engine) as session:
        umbrella = session.exec(select(Account).where(Account.name_key == "umbrella.org")).one()
        acme = session.exec(select(Account).where(Account.name_key == "acme corp")).one()
    assert umbrella.domains == "umbrella.org" and acme.domains == ""  # gmail.com is nobody's domain
