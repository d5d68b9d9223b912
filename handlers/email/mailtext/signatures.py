"""Signatures, sign-offs, "Sent from my iPhone" lines and confidentiality notices at the end of a reply.

Each rule cuts only near the end (what follows the cut is short) and never the first line, so a
message that opens with "Thanks" or mentions a phone number keeps its words.
"""

from __future__ import annotations

import re

_SENT_FROM = re.compile(
    r"^\s*-*\s*(?:Sent from|Sent with|Sent via|Sent using|Get Outlook for|Envoyé de(?:puis)? mon|"
    r"Envoyé depuis|"
    r"Von meinem|Gesendet von|Gesendet mit|Enviado desde|Enviado do meu|Enviado de meu|Enviado via|"
    r"Inviato da|Verstuurd vanaf|Verzonden vanaf|Verzonden met|Skickat från|Sendt fra|Lähetetty|"
    r"Wysłane z|Wysłano z|Odesláno z|Отправлено с|发自我的|從我的|iPhoneから送信|내 .*에서 보냄|Gửi từ)"
    r"\b.{0,80}$",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(
    r"^\s*(?:(?:best|kind|warm|warmest|many|with)?\s*(?:regards|wishes)|best|thanks|thank you|many thanks|"
    r"thanks again|thx|cheers|sincerely|yours sincerely|yours truly|respectfully|take care|all the best|"
    r"mit freundlichen grüßen|mit freundlichen gruessen|freundliche grüße|viele grüße|beste grüße|"
    r"liebe grüße|lg|mfg|gruß|grüße|cordialement|bien cordialement|bien à vous|salutations|"
    r"meilleures salutations|saludos|un saludo|saludos cordiales|atentamente|cordiali saluti|"
    r"distinti saluti|saluti|un saluto|met vriendelijke groet(?:en)?|vriendelijke groet(?:en)?|"
    r"groeten|groetjes|pozdrawiam|z poważaniem|pozdrowienia|med venlig hilsen|venlig hilsen|"
    r"mvh|med vänliga hälsningar|vänliga hälsningar|hälsningar|vänligen|med vennlig hilsen|"
    r"vennlig hilsen|hilsen|atenciosamente|abraços|cumprimentos|s pozdravem|ystävällisin terveisin|"
    r"terveisin|с уважением|trân trọng|よろしくお願いします|よろしくお願いいたします|此致|敬上)"
    r"\s*[,.!]?\s*(?:[A-ZÀ-Þ][\w'.-]*(?:\s+[A-ZÀ-Þ][\w'.-]*){0,2})?\s*$",
    re.IGNORECASE,
)
_DELIMITER = re.compile(r"^\s*--\s*$|^\s*__\s*$")
_NOTICE_SUBJECT = re.compile(
    r"confidential|privileged|vertraulich|confidentiel|confidencial|riservat|vertrouwelijk|fortrolig|"
    r"konfidentiell|poufn|důvěrn|機密|保密|legally|disclaimer",
    re.IGNORECASE,
)
_NOTICE_AUDIENCE = re.compile(
    r"intended|recipient|addressee|empfänger|destinataire|destinatario|ontvanger|modtager|mottagare|"
    r"mottaker|adresat|destinatário|受信者|收件人|notify|delete|prohibited|unauthori[sz]ed",
    re.IGNORECASE,
)
_NOISE_LINE = re.compile(
    r"^\s*(?:please consider the environment|think before you print|this (?:e-?mail|message) has been "
    r"(?:scanned|checked))",
    re.IGNORECASE,
)
_CONTACT = re.compile(
    r"(?:\+?\d[\d ().-]{7,}\d)|(?:[\w.+-]+@[\w-]+\.[\w.-]+)|(?:https?://|www\.)|"
    r"\b(?:tel|phone|mobile|mob|fax|cell|direct|office|t|m|p|e|w)\s*[.:]",
    re.IGNORECASE,
)
_TITLE = re.compile(
    r"\b(?:manager|director|head of|ceo|cto|cfo|coo|vp|vice president|engineer|lead|officer|founder|"
    r"president|consultant|specialist|administrator|analyst|coordinator|geschäftsführer|leiter|"
    r"directeur|responsable|gerente|jefe|direttore|directeur|hoofd)\b",
    re.IGNORECASE,
)
#: A cut only when at most this many lines follow it.
_TAIL = 12


def strip_signature(text: str) -> str:
    """The text without its signature block, sign-off, device line or confidentiality notice."""
    lines = text.split("\n")
    lines = [line for line in lines if not _NOISE_LINE.match(line)]
    cut = len(lines)
    for index in range(1, len(lines)):
        rest = [line for line in lines[index + 1 :] if line.strip()]
        line = lines[index]
        if _DELIMITER.match(line) and len(rest) <= _TAIL + 10:
            cut = index
            break
        if _SENT_FROM.match(line) and len(rest) <= 4:
            cut = index
            break
        if _SIGN_OFF.match(line) and len(rest) <= 8 and all(len(item) <= 100 for item in rest):
            cut = index
            break
    lines = lines[:cut]
    lines = _drop_notice(lines)
    lines = _drop_contact_block(lines)
    lines = _drop_trailing_name(lines)
    return "\n".join(lines).strip()


_NAME_LINE = re.compile(r"[A-ZÀ-Þ][\w'.-]*(?: [A-ZÀ-Þ][\w'.-]*){0,2}|[A-ZÀ-Þ]{1,3}")


def _drop_trailing_name(lines: list[str]) -> list[str]:
    """A name alone on the last line ("…today.\nAnna"), when words come before it."""
    filled = [index for index, line in enumerate(lines) if line.strip()]
    if len(filled) < 2:
        return lines
    last = lines[filled[-1]].strip().rstrip(",")
    if _NAME_LINE.fullmatch(last) and not _SIGN_OFF.match(last):
        return lines[: filled[-1]]
    return lines


def _paragraphs(lines: list[str]) -> list[tuple[int, int]]:
    spans, start = [], None
    for index, line in enumerate([*lines, ""]):
        if line.strip() and start is None:
            start = index
        elif not line.strip() and start is not None:
            spans.append((start, index))
            start = None
    return spans


def _drop_notice(lines: list[str]) -> list[str]:
    """A confidentiality notice (and whatever follows it) in a paragraph after the first."""
    for start, end in _paragraphs(lines)[1:]:
        paragraph = " ".join(lines[start:end])
        if _NOTICE_SUBJECT.search(paragraph) and _NOTICE_AUDIENCE.search(paragraph):
            return lines[:start]
    return lines


def _drop_contact_block(lines: list[str]) -> list[str]:
    """A trailing name block: a name on its first line, then a title, company or contact details
    (short lines, no sentence, no question)."""
    spans = _paragraphs(lines)
    if len(spans) < 2:
        return lines
    start, end = spans[-1]
    block = [line.strip() for line in lines[start:end]]
    if not 2 <= len(block) <= 7 or any(len(line) > 70 or line.endswith("?") for line in block):
        return lines
    if any(re.search(r"[.!]\s*$", line) and len(line.split()) > 4 for line in block):
        return lines
    name = re.split(r"\s*[|,–-]\s*", block[0])[0]
    if not _NAME_LINE.fullmatch(name) or _SIGN_OFF.match(name):
        return lines
    rest = block[1:]
    if any(_CONTACT.search(line) or _TITLE.search(line) for line in rest) or (
        len(rest) == 1 and re.fullmatch(r"[A-ZÀ-Þ&][\w'.&-]*(?: [\w'.&-]+){0,4}", rest[0])
    ):
        return lines[:start]
    return lines
