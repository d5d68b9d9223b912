"""One raw email → what the customer wrote this time, with who, when and which thread.

- MIME: the text/plain body is preferred, an HTML-only body is turned into
  text; attachments are never decoded (a large one costs nothing).
- Charsets: the declared one is used where it decodes cleanly, with the usual
  mislabels corrected (ISO-8859-1 that is really Windows-1252, Shift_JIS that
  is really CP932); otherwise the bytes' own encoding is detected.
- Quoted history and signatures are cut with mail-parser-reply, so only the
  newest reply is scored; a forwarded message keeps the forwarded text.
- Broken input (malformed MIME, bad headers, a truncated fetch) yields what
  can be read and never raises.
"""

from __future__ import annotations

import codecs
import email
import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from mailparser_reply.parser import EmailMessage as ReplyText

from handlers.email.mailtext.history import cut_history
from handlers.email.mailtext.signatures import strip_signature

log = logging.getLogger(__name__)

#: Languages whose reply headers ("On … wrote:", "Am … schrieb") and sign-offs are recognised.
#: Danish and Swedish are left out: their sign-off patterns ("Tak", "/\w+") cut ordinary sentences.
REPLY_LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pl", "cs", "ja", "ko", "zh")

#: The longest id kept verbatim; longer Message-IDs are hashed (the column holds 300).
MAX_ID_CHARS = 250

#: Declared charsets that are routinely wrong, mapped to the superset mail clients really use.
CHARSET_SUPERSETS = {
    "iso-8859-1": "windows-1252",
    "latin1": "windows-1252",
    "latin-1": "windows-1252",
    "us-ascii": "windows-1252",
    "ascii": "windows-1252",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "iso-8859-8-i": "iso-8859-8",
    "utf8": "utf-8",
}

_FORWARD_SUBJECT = re.compile(r"^\s*(?:fwd?|fw|wg|tr|rv|doorst|enc)\s*:", re.IGNORECASE)
_REPLY_PREFIX = re.compile(
    r"^\s*(?:(?:re|aw|sv|antw|odp|ref|fwd?|fw|wg|tr|rv|enc)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE
)
_FORWARD_MARKERS = re.compile(
    r"^[\s>]*(?:-{2,}\s*(?:Forwarded message|Weitergeleitete Nachricht|Message transféré|Mensaje reenviado|"
    r"Messaggio inoltrato|Doorgestuurd bericht|Forwarded Message|Videresendt meddelelse|Videresendt melding|"
    r"Vidarebefordrat meddelande|Przekazana wiadomość|Wiadomość przekazana|Mensagem encaminhada|"
    r"Välitetty viesti|Пересылаемое сообщение|Přeposlaná zpráva|转发邮件信息|转发的邮件|転送メッセージ|"
    r"Tin nhắn đã chuyển tiếp)\s*-*|Begin forwarded message:|Anfang der weitergeleiteten "
    r"Nachricht:|Début du message réexpédié\s*:|Inizio messaggio inoltrato:|Comienzo del mensaje reenviado:|"
    r"Início da mensagem reencaminhada:)\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_FORWARD_HEADER = re.compile(r"^[\s*]*[\w][\w .-]{0,25}?\s*\*?\s*[:：]", re.UNICODE)
_RULE_OR_ORIGINAL = re.compile(r"^\s*(?:[-_=]\s?){5,}.*$")
_HEADER_FROM = re.compile(
    r"^[\s>*]*(?:From|Von|De|Da|Van|Od|Fra|Från|Remetente|Remitente|Expéditeur|Mittente|Lähettäjä|От|差出人|发件人|寄件者)"
    r"\s*\*?\s*[:：]\s*\**\s*(.+)$",
    re.IGNORECASE | re.MULTILINE,
)
_QUOTED_LINE = re.compile(r"^\s*>")
_BLANK_RUNS = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class ParsedEmail:
    """The parts of an email the core needs. Addresses are lower-cased."""

    message_id: str
    subject: str
    sender_name: str
    sender_address: str
    recipients: tuple[str, ...]
    sent_at: datetime | None
    in_reply_to: str | None
    references: tuple[str, ...]
    #: The newest reply only (quoted history and the signature removed), then any forwarded text.
    body: str
    #: The text of a forwarded message alone (empty when the mail is no forward).
    forwarded_body: str
    is_forward: bool
    #: Who wrote the forwarded message, when the body carries one.
    forwarded_sender: str | None
    forwarded_sender_name: str
    #: Out-of-office replies, bounces and bulk mail: no person wrote them.
    automated: bool
    attachments: int
    defects: tuple[str, ...]

    @property
    def sender_domain(self) -> str:
        return domain_of(self.sender_address)

    @property
    def thread_root(self) -> str | None:
        """The conversation's first message id: References lists it first, else the direct parent."""
        if self.references:
            return self.references[0]
        return self.in_reply_to

    @property
    def clean_subject(self) -> str:
        return _REPLY_PREFIX.sub("", self.subject).strip()

    def text(self, max_chars: int, forwarded_only: bool = False) -> str:
        """What is stored and scored: the subject on the first line, then the body, cut to `max_chars`.

        `forwarded_only` keeps just the forwarded message (a colleague's note above it is not the customer's).
        """
        subject = self.clean_subject
        body = self.forwarded_body if forwarded_only and self.forwarded_body else self.body
        if subject and not body.lower().startswith(subject.lower()):
            combined = f"{subject}\n\n{body}" if body else subject
        else:
            combined = body or subject
        return truncate(combined, max_chars)


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].strip().lower() if "@" in address else ""


def truncate(text: str, max_chars: int) -> str:
    """At most `max_chars` characters, cut at a word boundary when one is near."""
    if len(text) <= max_chars:
        return text
    cut = text[: max_chars - 1]
    space = cut.rfind(" ", max(0, len(cut) - 200))
    return (cut[:space] if space > 0 else cut).rstrip() + "…"


def normalize_id(value: str | None) -> str | None:
    """ "<abc@host>" → "abc@host"; very long ids become a stable hash."""
    if not value:
        return None
    cleaned = value.strip().strip("<>").strip()
    if not cleaned:
        return None
    if len(cleaned) > MAX_ID_CHARS:
        return "sha256:" + hashlib.sha256(cleaned.encode("utf-8", "replace")).hexdigest()
    return cleaned


def _id_list(value: str) -> tuple[str, ...]:
    ids = re.findall(r"<([^<>\s]+)>", value)
    if not ids:  # some clients omit the angle brackets
        ids = value.split()
    normalized = (normalize_id(item) for item in ids)
    return tuple(dict.fromkeys(item for item in normalized if item))


def decode_bytes(payload: bytes, declared: str | None) -> str:
    """Bytes → text: the declared charset if it fits, else a detected one; never raises."""
    if not payload:
        return ""
    candidates: list[str] = []
    if declared:
        name = declared.strip().strip('"').lower()
        superset = CHARSET_SUPERSETS.get(name)
        if name in ("us-ascii", "ascii"):
            candidates.append("utf-8")  # a client that declared ASCII but wrote UTF-8
        if superset:
            candidates.append(superset)
        candidates.append(name)
    else:
        candidates.append("utf-8")
    for charset in candidates:
        try:
            codecs.lookup(charset)
            return payload.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    if declared and codecs_name(declared) == "utf-8":
        # Declared UTF-8 with a bad byte or two: the rest is UTF-8 all the same. Guessing another
        # charset from the bytes turns every non-ASCII letter into mojibake.
        return payload.decode("utf-8", errors="replace")
    if not declared and _mostly_utf8(payload):
        return payload.decode("utf-8", errors="replace")  # undeclared, and UTF-8 but for a stray byte
    detected = _detect(payload)
    if detected is not None:
        return detected
    return payload.decode("windows-1252" if not declared else "utf-8", errors="replace")


def _mostly_utf8(payload: bytes) -> bool:
    """Many well-formed multi-byte UTF-8 letters and at most a few bytes that are not."""
    text = payload.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    letters = sum(1 for char in text if ord(char) > 0x7F) - bad
    return 0 < bad <= max(2, letters // 50) and letters >= 5 * bad


def codecs_name(charset: str) -> str | None:
    """The codec's canonical name ("UTF8" → "utf-8"), or None for an unknown charset."""
    try:
        return codecs.lookup(charset.strip().strip('"')).name
    except LookupError:
        return None


def _detect(payload: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(payload).best()
    return str(best) if best is not None else None


def _header(message: Message, name: str) -> str:
    """A header as text; a malformed one is decoded as far as possible instead of raising."""
    try:
        value = message.get(name)
    except Exception:  # noqa: BLE001 - the email package raises many kinds on broken headers
        value = None
        for key, raw in message.raw_items() if hasattr(message, "raw_items") else message.items():
            if key.lower() == name.lower():
                value = raw
                break
    if value is None:
        return ""
    text = str(value)
    if "=?" in text:  # an encoded word the policy left alone (broken header)
        try:
            text = str(email.header.make_header(email.header.decode_header(text)))
        except Exception:  # noqa: BLE001
            pass
    return " ".join(text.split())


def _raw_header(message: Message, name: str) -> str:
    """A header as the sender wrote it (encoded words decoded), before the address parser rewrote it."""
    items = message.raw_items() if hasattr(message, "raw_items") else message.items()
    for key, raw in items:
        if key.lower() != name.lower():
            continue
        text = str(raw)
        if "=?" in text:
            try:
                text = str(email.header.make_header(email.header.decode_header(text)))
            except Exception:  # noqa: BLE001 - a broken encoded word stays as written
                pass
        return " ".join(text.split())
    return ""


def _addresses(message: Message, *names: str) -> list[tuple[str, str]]:
    values = [_header(message, name) for name in names]
    pairs = getaddresses([value for value in values if value])
    return [(name.strip(), address.strip().lower()) for name, address in pairs if "@" in address]


_ANGLE_ADDRESS = re.compile(r"<\s*(?:mailto:)?([^<>\s@]+@[^<>\s@]+)\s*>")


def _sender(message: Message) -> tuple[str, str]:
    """(display name, address) of who sent the mail.

    The address in angle brackets is the real one: in `a@x <b@y>` (quoted or not) the mail came
    from b@y, whatever the display name claims.
    """
    for name in ("From", "Sender", "Reply-To"):
        value = _raw_header(message, name)
        if not value:
            continue
        bracketed = _ANGLE_ADDRESS.search(value)
        if bracketed is not None:
            display = value[: bracketed.start()].strip().strip('"').strip()
            return " ".join(display.split()), bracketed.group(1).strip().lower()
        pairs = _addresses(message, name)
        if pairs:
            return pairs[0]
    return "", ""


def _sent_at(message: Message) -> datetime | None:
    raw = _header(message, "Date")
    if not raw:
        return None
    try:
        moment = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


#: Subjects of out-of-office replies and bounces, in the languages mail servers write them.
_AUTOMATED_SUBJECT = re.compile(
    r"^\s*(?:automatic reply|auto[- ]?reply|autoreply|out of (?:the )?office|ooo\b|abwesenheitsnotiz|"
    r"automatische antwort|abwesend|réponse automatique|absence du bureau|respuesta automática|"
    r"fuera de la oficina|risposta automatica|fuori sede|automatisch antwoord|afwezig|autosvar|"
    r"frånvaro|automatisk svar|fravær|automatyczna odpowiedź|resposta automática|ausente|"
    r"undeliverable|undelivered mail|delivery status notification|mail delivery failed|"
    r"returned mail|delivery has failed|failure notice|nicht zustellbar|non remis|no entregado)\b",
    re.IGNORECASE,
)
_AUTOMATED_SENDERS = re.compile(
    r"^(?:mailer-daemon|postmaster|no[-_.]?reply|do[-_.]?not[-_.]?reply|bounces?(?:[+-].*)?)$"
)


def _is_automated(message: Message, sender: str) -> bool:
    auto = _header(message, "Auto-Submitted").lower()
    if auto and auto != "no":
        return True
    if _header(message, "Precedence").lower() in ("bulk", "junk", "list", "auto_reply"):
        return True
    if _header(message, "X-Autoreply") or _header(message, "X-Autorespond"):
        return True
    if _header(message, "List-Unsubscribe") and _header(message, "List-Id"):
        return True
    if message.get_content_type() == "multipart/report":  # a delivery or read report
        return True
    if _raw_header(message, "Return-Path").replace(" ", "") == "<>":  # only bounces come from nobody
        return True
    if _AUTOMATED_SUBJECT.match(_header(message, "Subject")):
        return True
    return bool(_AUTOMATED_SENDERS.match(sender.partition("@")[0]))


def _part_text(part: Message) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - a broken transfer encoding
        payload = None
    if payload is None:
        raw = part.get_payload()
        return raw if isinstance(raw, str) else ""
    if not isinstance(payload, bytes):
        return str(payload)
    text = decode_bytes(payload, part.get_content_charset())
    if part.get_content_subtype() == "html":
        text = html_to_text(text)
    return text


def html_to_text(html: str) -> str:
    """Readable text from an HTML body (layout kept, markup and scripts dropped).

    Quoted history (`<blockquote>`) becomes `>` lines, so the plain-text rules that keep new words
    written between or below quotes apply to HTML mail too.
    """
    if not html.strip():
        return ""
    from inscriptis import get_text

    try:
        return get_text(_quote_blockquotes(html))
    except Exception:  # noqa: BLE001 - lxml gives up on some broken markup
        try:
            return get_text(html)
        except Exception:  # noqa: BLE001
            return re.sub(r"<[^>]+>", " ", html)


def _quote_blockquotes(html: str) -> str:
    import lxml.html
    from inscriptis import get_text

    if "<blockquote" not in html.lower():
        return html
    tree = lxml.html.document_fromstring(html)
    for quote in tree.xpath("//blockquote[not(ancestor::blockquote)]"):
        inner = get_text(lxml.html.tostring(quote, encoding="unicode")).strip("\n")
        block = lxml.html.Element("pre")
        block.text = "\n".join(f"> {line}".rstrip() for line in inner.split("\n")) + "\n"
        block.tail = quote.tail
        quote.getparent().replace(quote, block)
    return lxml.html.tostring(tree, encoding="unicode")


def _is_attachment(part: Message) -> bool:
    try:
        disposition = part.get_content_disposition()
    except Exception:  # noqa: BLE001
        disposition = None
    if disposition == "attachment":
        return True
    binary = part.get_content_maintype() not in ("text", "multipart", "message")
    return binary and part.get_filename() is not None


TEXT_OR_BROKEN = ("text", "multipart")


def _body_part(message: Message) -> Message | None:
    """The part holding the message's own text: plain preferred, HTML otherwise."""
    if isinstance(message, EmailMessage):
        try:
            body = message.get_body(preferencelist=("plain", "html"))
        except Exception:  # noqa: BLE001 - malformed structure; walk it by hand below
            body = None
        if body is not None:
            return body
    fallback = None
    for part in message.walk():
        if part.is_multipart() or _is_attachment(part):
            continue
        if part.get_content_maintype() == "message":
            break  # the attached message's parts are its own, not ours
        if part.get_content_type() == "text/plain":
            return part
        if part.get_content_type() == "text/html" and fallback is None:
            fallback = part
    if fallback is None and not message.is_multipart() and message.get_content_maintype() in TEXT_OR_BROKEN:
        # A plain message, or a "multipart" whose boundary never appears: its body is the text.
        return message
    return fallback


def _html_part(message: Message) -> Message | None:
    for part in message.walk():
        if part.get_content_maintype() == "message":
            break
        if part.get_content_type() == "text/html" and not _is_attachment(part):
            return part
    return None


def _salvaged_body(message: Message) -> Message | None:
    """The text part of a multipart whose declared boundary never appears (another one is used)."""
    payload = message.get_payload()
    if not isinstance(payload, str):
        return None
    found = re.search(r"^--([^\s]{1,200})\s*$", payload, re.MULTILINE)
    if found is None:
        return None
    boundary = found.group(1)
    rebuilt = f'Content-Type: multipart/mixed; boundary="{boundary}"\n\n{payload}'
    salvaged = email.message_from_string(rebuilt, policy=policy.default)
    if not salvaged.is_multipart():
        return None
    part = _body_part(salvaged)
    return part if part is not None and part is not salvaged else None


def _attached_message(message: Message) -> Message | None:
    """A message forwarded as an attachment (message/rfc822)."""
    for part in message.walk():
        if part.get_content_type() == "message/rfc822":
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                return payload[0]
    return None


def _count_attachments(message: Message) -> int:
    return sum(1 for part in message.walk() if not part.is_multipart() and _is_attachment(part))


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")


_BASE64_BLOCK = re.compile(
    r"(?:^[A-Za-z0-9+/]{56,}={0,2}[ \t]*\n){3,}(?:^[A-Za-z0-9+/]*={0,2}[ \t]*$)?", re.MULTILINE
)


def _normalize(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = _BASE64_BLOCK.sub("", text)  # an undecoded attachment or part is never words
    text = _CONTROL.sub("", text)
    lines = [line.rstrip() for line in text.split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


@dataclass(frozen=True)
class _Reply:
    newest: str
    forwarded: str
    forwarded_header: str


def split_reply(text: str, forward_subject: bool = False) -> _Reply:
    """The newest reply (no quotes, no signature) and, for a forward, the forwarded message.

    `forward_subject`: the subject says "Fwd:"/"WG:"/…, so a header block below the note opens the
    forwarded message rather than quoted history.
    """
    text = _normalize(text)
    if not text:
        return _Reply("", "", "")
    lines = text.split("\n")
    marker = next(
        (
            index
            for index, line in enumerate(lines)
            if not _QUOTED_LINE.match(line) and _FORWARD_MARKERS.match(line)
        ),
        None,
    )
    if marker is not None:
        # The forward marker ends the forwarder's note; what follows it is the forwarded message.
        header, forwarded = _forward_parts(lines[marker + 1 :])
        return _Reply(_newest("\n".join(lines[:marker])), _newest(forwarded), header)
    cut, boundary, history = cut_history(text)
    if forward_subject and boundary is not None and boundary.kind in ("headers", "original", "rule"):
        header, forwarded = _forward_parts(history)
        if header:
            return _Reply(_newest(cut), _newest(forwarded), header)
    return _Reply(_newest(cut, cut_done=True), "", "")


def _newest(text: str, cut_done: bool = False) -> str:
    """One message's own words: history cut, then mail-parser-reply's cut, quotes and signature dropped."""
    if not cut_done:
        text, _, _ = cut_history(text)
    if not text.strip():
        return ""
    parsed = ReplyText(text=text, languages=list(REPLY_LANGUAGES), keep_hyphen_lists=True).read()
    replies = parsed.replies or []
    # full_body: its header cut only. Its signature rules ("Thanks," anywhere below the first line) cut
    # sentences such as "Thanks, but this is not acceptable"; strip_signature only cuts near the end.
    newest = replies[0].full_body if replies else text
    return strip_signature(_drop_quoted(newest))


def _forward_parts(lines: list[str]) -> tuple[str, str]:
    """(the forwarded message's header block, its text) from the lines below a forward marker."""
    index = 0
    while index < len(lines) and (not lines[index].strip() or _RULE_OR_ORIGINAL.match(lines[index])):
        index += 1
    header: list[str] = []
    if index < len(lines) and _FORWARD_HEADER.match(lines[index]):
        while index < len(lines) and lines[index].strip():
            header.append(lines[index])
            index += 1
    return "\n".join(header), "\n".join(lines[index:])


def _drop_quoted(text: str) -> str:
    kept = [line for line in text.split("\n") if not _QUOTED_LINE.match(line)]
    return _BLANK_RUNS.sub("\n\n", "\n".join(kept)).strip()


def _forwarded_sender(header_block: str) -> tuple[str, str]:
    match = _HEADER_FROM.search(header_block)
    if match is None:
        return "", ""
    name, address = parseaddr(match.group(1).replace("[mailto:", "<").replace("]", ">"))
    return name.strip().strip('"'), address.strip().lower()


#: Headers that make a file an email (one of the sender's, or two of the others).
_SENDER_HEADERS = frozenset({"from", "sender", "reply-to"})
_MAIL_HEADERS = frozenset(
    {
        "to",
        "cc",
        "subject",
        "date",
        "message-id",
        "received",
        "return-path",
        "mime-version",
        "content-type",
        "in-reply-to",
        "references",
        "delivered-to",
        "x-mailer",
        "user-agent",
        "content-transfer-encoding",
    }
)


def looks_like_email(raw: bytes) -> str | None:
    """None when `raw` reads as an RFC 5322 message, else why not ("binary data", "no mail headers")."""
    if not raw.strip():
        return "empty file, not an email"
    head = raw[:8192]
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "an Outlook .msg file, not an email in RFC 822 form (save it as .eml)"
    if b"\x00" in head:
        return "binary data, not an email"
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 13, 12, 27))
    if controls > len(head) // 20:
        return "binary data, not an email"
    raw = raw.removeprefix(b"\xef\xbb\xbf").lstrip(b"\r\n")
    if raw.startswith(b"From ") and not re.match(rb"From[ \t]*:", raw):
        raw = raw.partition(b"\n")[2]  # an mbox "From sender date" line before the headers
    header_end = re.search(rb"\r?\n\r?\n", raw)
    block = raw[: header_end.start() if header_end else 65536]
    names = {
        match.group(1).decode("ascii").lower()
        for match in re.finditer(rb"^([A-Za-z0-9][A-Za-z0-9-]*)[ \t]*:", block, re.MULTILINE)
    }
    if not names or not re.match(rb"[ \t]*[A-Za-z0-9][A-Za-z0-9-]*[ \t]*:", raw.lstrip(b"\r\n")):
        return "no mail headers, not an email"
    if names & _SENDER_HEADERS or len(names & _MAIL_HEADERS) >= 2:
        return None
    return "no mail headers, not an email"


def parse_email(raw: bytes) -> ParsedEmail:
    """Parse a raw RFC 5322 message (possibly truncated or malformed); never raises."""
    message = email.message_from_bytes(raw, policy=policy.default)
    defects = [type(defect).__name__ for part in message.walk() for defect in getattr(part, "defects", [])]
    sender_name, sender_address = _sender(message)
    recipients = tuple(dict.fromkeys(address for _, address in _addresses(message, "To", "Cc")))
    subject = _header(message, "Subject")

    body_part = _body_part(message)
    if body_part is message and message.get_content_maintype() == "multipart" and not message.is_multipart():
        body_part = _salvaged_body(message) or body_part
    body_text = _part_text(body_part) if body_part is not None else ""
    if not body_text.strip():
        html = _html_part(message)
        if html is not None and html is not body_part:
            body_text = _part_text(html)  # a blank text/plain beside the real HTML
    reply = split_reply(body_text, forward_subject=bool(_FORWARD_SUBJECT.match(subject)))
    newest, forwarded, forwarded_header = reply.newest, reply.forwarded, reply.forwarded_header
    is_forward = bool(_FORWARD_SUBJECT.match(subject)) or bool(forwarded)
    forwarded_name, forwarded_address = _forwarded_sender(forwarded_header) if forwarded else ("", "")

    attached = _attached_message(message)
    if attached is not None and not forwarded:
        inner_part = _body_part(attached)
        inner = split_reply(_part_text(inner_part) if inner_part is not None else "")
        forwarded = inner.newest
        inner_senders = _addresses(attached, "From")
        forwarded_name, forwarded_address = inner_senders[0] if inner_senders else ("", "")
        is_forward = True

    body = newest if not forwarded else (f"{newest}\n\n{forwarded}" if newest else forwarded)
    return ParsedEmail(
        message_id=normalize_id(_header(message, "Message-ID")) or "",
        subject=subject,
        sender_name=sender_name.strip('"'),
        sender_address=sender_address,
        recipients=recipients,
        sent_at=_sent_at(message),
        in_reply_to=next(iter(_id_list(_header(message, "In-Reply-To"))), None),
        references=_id_list(_header(message, "References")),
        body=body.strip(),
        forwarded_body=forwarded.strip(),
        is_forward=is_forward,
        forwarded_sender=forwarded_address or None,
        forwarded_sender_name=forwarded_name,
        automated=_is_automated(message, sender_address),
        attachments=_count_attachments(message),
        defects=tuple(dict.fromkeys(defects)),
    )
