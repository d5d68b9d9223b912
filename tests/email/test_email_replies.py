# ruff: noqa: E501  (the fixture tables keep one mail format per line)
"""Only the customer's new words are read from a mail: quoted history in the reply formats of many mail
clients and languages, signatures and notices, bottom-posted and interleaved replies, HTML, broken MIME,
charsets, display-name tricks and forwards. The fixtures are written here (none is copied from another
project); `tonewatch email-preview` shows the same reading from the command line."""

from __future__ import annotations

import base64
import json
import subprocess
from email.message import EmailMessage

import pytest

from handlers.email.parse import parse_email
from tests.support.cli import tonewatch

NEW = "The export failed again and nobody answered my ticket."


def plain(
    body: str, *, subject: str = "", sender: str = "Anna <anna@acme.com>", charset: str = "utf-8"
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@tonewatch.io"
    if subject:
        message["Subject"] = subject
    message["Message-ID"] = "<m1@acme.com>"
    message.set_content(body, charset=charset)
    return message.as_bytes()


HISTORY = "We deployed a fix yesterday.\nRegards, Tom"

REPLY_HEADERS = {
    "english": "On Mon, 23 Nov 2026 at 09:00, Tom <tom@tonewatch.io> wrote:",
    "english wrapped": "On Mon, 23 Nov 2026 at 09:00, Tom Support <\ntom@tonewatch.io> wrote:",
    "dutch": "Op 23 nov. 2026 om 09:00 heeft Tom <tom@tonewatch.io> het volgende geschreven:",
    "dutch short": "Op 23-11-2026 09:00 schreef Tom <tom@tonewatch.io>:",
    "polish": "W dniu 23 listopada 2026 09:00 użytkownik Tom <tom@tonewatch.io>\nnapisał:",
    "danish": "Den 23. nov. 2026 kl. 09.00 skrev Tom <tom@tonewatch.io>:",
    "swedish": "Den 23 november 2026 09:00:00, Tom (tom@tonewatch.io) skrev:",
    "norwegian": "På 23. november 2026 kl. 09:00, Tom (tom@tonewatch.io) skrev:",
    "german": "Am 23.11.2026 um 09:00 schrieb Tom <tom@tonewatch.io>:",
    "french": "Le lun. 23 nov. 2026 à 09:00, Tom <tom@tonewatch.io> a écrit :",
    "spanish": "El lun, 23 nov 2026 a las 9:00, Tom (<tom@tonewatch.io>) escribió:",
    "portuguese": "Em seg., 23 de nov. de 2026 às 09:00, Tom <tom@tonewatch.io> escreveu:",
    "italian": "Il giorno lun 23 nov 2026 alle ore 09:00 Tom <tom@tonewatch.io> ha scritto:",
    "chinese": "Tom <tom@tonewatch.io> 于2026年11月23日周一 09:00写道：",
    "japanese": "2026年11月23日(月) 9:00 Tom <tom@tonewatch.io>:",
    "vietnamese": "Vào 09:00 23 tháng 11, 2026, Tom <tom@tonewatch.io> đã viết:",
    "date and address": "2026-11-23 9:00 GMT+01:00 Tom <tom@tonewatch.io>:",
    "android": "---- Tom wrote ----",
    "samsung": "-------- Original message --------\nFrom: Tom <tom@tonewatch.io>\nDate: 23/11/2026 09:00 (GMT+01:00)",
    "original message": "-----Original Message-----\nFrom: Tom [mailto:tom@tonewatch.io]\nSent: Monday",
    "samsung spanish": "-------- Mensaje original --------\nDe: Tom <tom@tonewatch.io>\nFecha: 23/11/2026",
}

OUTLOOK_BLOCKS = {
    "english": "From: Tom <tom@tonewatch.io>\nSent: Monday, November 23, 2026 9:00 AM\nTo: Anna\nSubject: RE: Export",
    "bold": "*From:* Tom [mailto:\ntom@tonewatch.io]\n*Sent:* Monday, November 23, 2026 9:00\n*To:* Anna\n*Subject:* Export",
    "danish": "Fra: Tom <tom@tonewatch.io>\nSendt: 23. november 2026 09:00\nTil: Anna\nEmne: SV: Export",
    "swedish": "Från: Tom [mailto:tom@tonewatch.io]\nSkickat: den 23 november 2026 09:00\nTill: Anna\nÄmne: SV: Export",
    "norwegian": "Fra: Tom <tom@tonewatch.io>\nDato: mandag 23. november 2026 09:00\nTil: Anna\nEmne: SV: Export",
    "german": "Von: Tom <tom@tonewatch.io>\nGesendet: Montag, 23. November 2026 09:00\nAn: Anna\nBetreff: AW: Export",
    "french": "De : Tom <tom@tonewatch.io>\nEnvoyé : lundi 23 novembre 2026 09:00\nÀ : Anna\nObjet : RE: Export",
    "spanish": "De: Tom <tom@tonewatch.io>\nEnviado: lunes, 23 de noviembre de 2026 9:00\nPara: Anna\nAsunto: RE: Export",
    "portuguese": "De: Tom <tom@tonewatch.io>\nEnviada em: segunda-feira, 23 de novembro de 2026 09:00\nPara: Anna\n"
    "Assunto: RE: Export",
    "italian": "Da: Tom <tom@tonewatch.io>\nInviato: lunedì 23 novembre 2026 09:00\nA: Anna\nOggetto: R: Export",
    "dutch": "Van: Tom <tom@tonewatch.io>\nVerzonden: maandag 23 november 2026 09:00\nAan: Anna\nOnderwerp: RE: Export",
    "polish": "Od: Tom <tom@tonewatch.io>\nWysłano: poniedziałek, 23 listopada 2026 09:00\nDo: Anna\nTemat: RE: Export",
    "chinese": "发件人: Tom <tom@tonewatch.io>\n发送时间: 2026年11月23日 9:00\n收件人: Anna\n主题: 回复: Export",
    "japanese": "差出人: Tom <tom@tonewatch.io>\n送信日時: 2026年11月23日 9:00\n宛先: Anna\n件名: RE: Export",
    "rule above": "________________________________\nFrom: Tom <tom@tonewatch.io>\nSent: Monday\nTo: Anna",
}


@pytest.mark.parametrize("header", REPLY_HEADERS.values(), ids=REPLY_HEADERS.keys())
def test_reply_headers_in_many_languages_cut_the_quoted_history(header):
    quoted = "\n".join(f"> {line}" for line in HISTORY.split("\n"))
    for history in (quoted, HISTORY):  # quoted with ">" or, as Outlook and phones do, without
        assert parse_email(plain(f"{NEW}\n\n{header}\n\n{history}\n")).body == NEW


@pytest.mark.parametrize("block", OUTLOOK_BLOCKS.values(), ids=OUTLOOK_BLOCKS.keys())
def test_outlook_header_blocks_in_many_languages_cut_the_history(block):
    assert parse_email(plain(f"{NEW}\n\n{block}\n\n{HISTORY}\n")).body == NEW


def test_reply_on_the_same_line_as_the_header_keeps_the_words_before_it():
    body = "Still failing.--- On Mon, 23 Nov 2026 at 09:00, tom@tonewatch.io wrote:\n> Fixed."
    assert parse_email(plain(body)).body == "Still failing."


SIGNATURES = {
    "dash dash": f"{NEW}\n\n-- \nAnna Schmidt\nHead of Operations\nACME Corp",
    "iphone": f"{NEW}\n\nSent from my iPhone",
    "iphone after dashes": f"{NEW}\n\n--Sent from my iPhone",
    "german phone": f"{NEW}\n\nVon meinem iPhone gesendet",
    "outlook mobile": f"{NEW}\n\nGet Outlook for Android",
    "sign-off and title": f"{NEW}\n\nBest regards,\nAnna Schmidt\nHead of Operations | ACME Corp\n+49 30 1234567",
    "german sign-off": f"{NEW}\n\nMit freundlichen Grüßen\nAnna Schmidt",
    "name and title block": f"{NEW}\n\nAnna Schmidt\nHead of Operations\nACME Corp | www.acme.com",
    "confidentiality": f"{NEW}\n\nAnna\n\nCONFIDENTIALITY NOTICE: This e-mail and any attachments are confidential and "
    "intended solely for the addressee. If you received it in error, please notify the sender and delete it.",
    "german notice": f"{NEW}\n\nDiese E-Mail enthält vertrauliche Informationen. Wenn Sie nicht der richtige "
    "Empfänger sind, informieren Sie bitte sofort den Absender.",
}


@pytest.mark.parametrize("body", SIGNATURES.values(), ids=SIGNATURES.keys())
def test_signatures_sign_offs_and_notices_are_not_scored(body):
    assert parse_email(plain(body)).body == NEW


def test_a_message_that_opens_with_thanks_or_names_a_phone_number_keeps_its_words():
    assert parse_email(plain("Thanks!\n\nAnna")).body == "Thanks!"
    kept = "Please call me back on +49 30 1234567 today, the export is down.\nIt is urgent."
    assert parse_email(plain(kept)).body == kept
    for last in ("Ticket 4471-2231 still open", "Please see p. 4 of the contract", "Call me: +49 30 1234567"):
        assert parse_email(plain(f"The export failed.\n\n{last}")).body == f"The export failed.\n\n{last}"
    sentence = "The export is broken.\nThanks, but this is not acceptable.\nWarning: we will escalate."
    assert parse_email(plain(f"{sentence}\nAnna")).body == sentence


def test_a_bottom_posted_reply_keeps_the_words_below_the_quote():
    body = (
        "Hi,\n\nOn Mon, 23 Nov 2026 at 09:00, Tom <tom@tonewatch.io> wrote:\n> We deployed a fix.\n"
        "> Is it better now?\n\nNo, it is worse: the export fails every hour now.\n\nAnna\n"
    )
    assert parse_email(plain(body)).body == "Hi,\n\nNo, it is worse: the export fails every hour now."


def test_an_interleaved_reply_keeps_each_new_line_between_the_quotes():
    body = (
        "On Mon, 23 Nov 2026 at 09:00, Tom <tom@tonewatch.io> wrote:\n"
        "> Did the export run?\n\nNo, it failed twice.\n\n"
        "> Did you get our invoice?\n\nYes, and it is wrong again.\n\n"
        "> Anything else?\n"
    )
    assert parse_email(plain(body)).body == "No, it failed twice.\n\nYes, and it is wrong again."


def _multipart(plain_text: str, html: str) -> bytes:
    message = EmailMessage()
    message["From"] = "Anna <anna@acme.com>"
    message["To"] = "support@tonewatch.io"
    message.set_content(plain_text)
    message.add_alternative(html, subtype="html")
    return message.as_bytes()


def test_html_is_read_when_the_plain_part_is_blank_and_its_blockquote_is_history():
    html = (
        f"<div dir='ltr'><p>{NEW}</p></div><div class='gmail_quote'><div>On Mon, 23 Nov 2026 at 09:00, Tom "
        "&lt;tom@tonewatch.io&gt; wrote:</div><blockquote class='gmail_quote'>We deployed a fix.</blockquote>"
        "</div>"
    )
    for blank in ("", "\n \n", "\u00a0\n"):
        assert parse_email(_multipart(blank, html)).body == NEW
    bottom = (
        "<div>On Mon, Tom &lt;tom@tonewatch.io&gt; wrote:</div><blockquote>Is it better now?</blockquote>"
        "<p>No, it is worse.</p>"
    )
    assert parse_email(_multipart("", bottom)).body == "No, it is worse."


def test_a_multipart_with_the_wrong_boundary_is_decoded_never_read_as_base64():
    text = base64.encodebytes(
        ("Das Portal ist wieder ausgefallen, bitte melden Sie sich. " * 20).encode()
    ).decode()
    raw = (
        "From: Anna <anna@acme.com>\nTo: support@tonewatch.io\nSubject: Portal\nMIME-Version: 1.0\n"
        'Content-Type: multipart/alternative; boundary="declared-boundary"\n\n'
        "--actual-boundary\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
        f"{text}\n--actual-boundary--\n"
    ).encode()
    parsed = parse_email(raw)
    assert parsed.body.startswith("Das Portal ist wieder ausgefallen")
    assert "Content-Transfer-Encoding" not in parsed.body
    undecodable = raw.replace(
        b"--actual-boundary\nContent-Type", b"--actual-boundary\nX-Nothing: 1\nContent-Type"
    )
    undecodable = undecodable.replace(
        b"Content-Transfer-Encoding: base64", b"Content-Transfer-Encoding: x-unknown"
    )
    assert "RGFzIFBvcnRhbC" not in parse_email(undecodable).body  # base64 is dropped if it cannot be decoded


def test_declared_utf8_with_a_bad_byte_keeps_its_letters_and_a_replacement_character():
    russian = "Экспорт снова не работает, это недопустимо."
    html = f"<html><body><p>{russian}</p><p>Ошибка \udcff</p></body></html>"
    payload = html.encode("utf-8", "surrogateescape")
    message = EmailMessage()
    message["From"] = "Ivan <ivan@acme.ru>"
    message["To"] = "support@tonewatch.io"
    message.set_content(payload, maintype="text", subtype="html", params={"charset": "utf-8"}, cte="base64")
    body = parse_email(message.as_bytes()).body
    assert russian in body and "Ошибка \ufffd" in body


def test_undeclared_utf8_with_a_stray_byte_stays_utf8_and_other_charsets_are_still_detected():
    from handlers.email.parse import decode_bytes

    russian = "Экспорт снова не работает, это недопустимо."
    assert decode_bytes(russian.encode() + b"\xff", None) == russian + "\ufffd"
    assert decode_bytes("Grüße aus München".encode("latin-1"), None) == "Grüße aus München"


def test_the_bracketed_address_is_the_sender_whatever_the_display_name_says():
    for sender in ("billing@acme.com <mallory@evil.example>", '"billing@acme.com" <mallory@evil.example>'):
        parsed = parse_email(plain(NEW, sender=sender))
        assert parsed.sender_address == "mallory@evil.example"


def test_a_forward_keeps_the_forwarded_text_and_sender_and_never_its_headers():
    body = (
        "FYI, see below.\n\n---------- Forwarded message ---------\nFrom: Carla <carla@initech.com>\n"
        "Date: Mon, 23 Nov 2026 at 09:00\nSubject: Invoice\nwrong again\nTo: Tom <tom@tonewatch.io>\n"
        "Cc: billing@tonewatch.io\n\nThe invoice is wrong for the third month.\n\nCarla\n"
    )
    parsed = parse_email(plain(body, subject="Fwd: Invoice", sender="Tom <tom@tonewatch.io>"))
    assert parsed.is_forward and parsed.forwarded_sender == "carla@initech.com"
    assert parsed.forwarded_body == "The invoice is wrong for the third month."
    assert parsed.body == "FYI, see below.\n\nThe invoice is wrong for the third month."
    outlook = (
        "Please look at this.\n\n________________________________\nFrom: Carla <carla@initech.com>\n"
        "Sent: Monday, November 23, 2026 9:00 AM\nTo: Tom <tom@tonewatch.io>\nSubject: Invoice\n\n"
        "The invoice is wrong for the third month.\n"
    )
    parsed = parse_email(plain(outlook, subject="FW: Invoice", sender="Tom <tom@tonewatch.io>"))
    assert parsed.forwarded_sender == "carla@initech.com"
    assert parsed.forwarded_body == "The invoice is wrong for the third month."
    assert "To:" not in parsed.body and "Sent:" not in parsed.body


@pytest.mark.parametrize(
    "headers",
    [
        {"Subject": "Automatic reply: Export"},
        {"Subject": "Abwesenheitsnotiz: Export"},
        {"Subject": "Réponse automatique : Export"},
        {"Subject": "Undeliverable: Export"},
        {"Subject": "Export", "Return-Path": "<>"},
        {"Subject": "Export", "From": "No Reply <no_reply@acme.com>"},
        {"Subject": "Export", "Auto-Submitted": "auto-replied"},
    ],
)
def test_out_of_office_replies_and_bounces_are_automated(headers):
    message = EmailMessage()
    message["From"] = headers.pop("From", "Anna <anna@acme.com>")
    for name, value in headers.items():
        message[name] = value
    message.set_content("I am out of the office until Monday.")
    assert parse_email(message.as_bytes()).automated


def test_a_person_writing_about_an_absence_is_not_automated():
    assert not parse_email(plain("I was out of office, sorry.", subject="Re: Out-of-band export")).automated
    assert not parse_email(plain("Hi", subject="Outage report")).automated


# --- tonewatch email-preview --------------------------------------------------------------------------------


def preview(*args: str) -> subprocess.CompletedProcess:
    return tonewatch("email-preview", *args)


def test_email_preview_shows_sender_forward_and_the_scored_text(tmp_path, monkeypatch):
    monkeypatch.setenv("TONEWATCH_OUR_DOMAINS", "tonewatch.io")
    forward = (
        "FYI\n\n---------- Forwarded message ---------\nFrom: Carla <carla@initech.com>\nDate: Mon, 23 Nov 2026\n"
        "Subject: Invoice\nTo: Tom <tom@tonewatch.io>\n\nThe invoice is wrong <b>again</b>.\n"
    )
    (tmp_path / "fwd.eml").write_bytes(
        plain(forward, subject="Fwd: Invoice", sender="Tom <tom@tonewatch.io>")
    )
    shown = preview(str(tmp_path / "fwd.eml"), "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) == {
        "sender": "tom@tonewatch.io",
        "automated": False,
        "forwarded_from": "carla@initech.com",
        "text": "Invoice\n\nThe invoice is wrong <b>again</b>.",  # the customer's words only, as data
    }
    human = preview(str(tmp_path / "fwd.eml")).stdout.decode()
    assert "sender: tom@tonewatch.io" in human and "forward: yes, from carla@initech.com" in human
    assert "automated: no" in human and human.rstrip().endswith("The invoice is wrong <b>again</b>.")
    assert not (tmp_path / "tonewatch.db").exists()  # a preview needs no database

    auto = EmailMessage()
    auto["From"] = "Anna <anna@acme.com>"
    auto["Subject"] = "Out of office"
    auto["Auto-Submitted"] = "auto-replied"
    auto.set_content("I am away until Monday.")
    (tmp_path / "ooo.eml").write_bytes(auto.as_bytes())
    shown = json.loads(preview(str(tmp_path / "ooo.eml"), "--json").stdout)
    assert shown["automated"] is True and shown["sender"] == "anna@acme.com"
    assert "automated: yes (not scored)" in preview(str(tmp_path / "ooo.eml")).stdout.decode()


def test_email_preview_reads_a_saved_mbox_message_with_crlf_lines(tmp_path):
    raw = (
        b"From anna@acme.com Mon Nov 23 10:00:00 2026\r\nFrom: Anna <anna@acme.com>\r\nSubject: Export\r\n\r\n"
        b"The export broke again.\r\n\r\nOn Mon, 23 Nov 2026 at 09:00, Tom <tom@tonewatch.io> wrote:\r\n> Fixed.\r\n"
    )
    (tmp_path / "saved.eml").write_bytes(raw)
    shown = json.loads(preview(str(tmp_path / "saved.eml"), "--json").stdout)
    assert shown["sender"] == "anna@acme.com" and shown["text"] == "Export\n\nThe export broke again."


def test_email_preview_refuses_what_is_not_an_email_with_one_error_line(tmp_path):
    (tmp_path / "binary.eml").write_bytes(bytes(range(256)) * 10)
    (tmp_path / "notes.txt").write_text("Just some notes\nabout the call.\n")
    (tmp_path / "empty.eml").write_bytes(b"")
    (tmp_path / "outlook.msg").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    for name, reason in (
        ("missing.eml", "no such file"),
        ("binary.eml", "binary data"),
        ("notes.txt", "not an email"),
        ("empty.eml", "empty file"),
        ("outlook.msg", "save it as .eml"),
    ):
        shown = preview(str(tmp_path / name), "--json")
        lines = shown.stderr.decode().strip().splitlines()
        assert shown.returncode != 0 and shown.stdout == b""
        assert len(lines) == 1 and lines[0].startswith("error:") and reason in lines[0], (name, lines)
