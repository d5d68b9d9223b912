"""Where quoted history starts in a mail's text, and which new lines sit between or below the quotes.

A boundary is a line (or a header wrapped over a few lines) that introduces an earlier message:
"On … wrote:" in many languages, Android's "---- X wrote ----", "-----Original Message-----" and
Samsung's "-------- Original message --------", a date-and-address line ("2014-10-17 11:28 X <a@b>:"),
an Outlook header block ("From:/Sent:/To:/Subject:", "Fra:/Sendt:/Til:", "Von:/Gesendet:/An:",
"De :/Envoyé :/À :", bold `*From:*` …), or a long rule line above one of those.

What follows a boundary is history, except in replies written below or between `>` quotes: there the
unquoted lines after the quotes are the customer's new words and are kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: "wrote" in the languages mail clients write reply headers in.
_WROTE = (
    r"wrote|writes|sent|schrieb|hat geschrieben|a écrit|a ecrit|escribió|escribio|ha escrito|ha scritto|"
    r"scrisse|escreveu|schreef|het volgende geschreven|geschreven|napisał\(a\)|napisała|napisał|napisal|"
    r"nadesłał|napsal\(a\)|napsal|skrev|kirjoitti|написал\(а\)|написала|написал|đã viết|yazdı|írta|"
    r"έγραψε|כתב|scris"
)
#: Words that open a reply header line ("On", "Am", "Le", "El", "Op", "Den", "W dniu", "Vào", …).
_OPENERS = (
    r"On|Am|Le|El|Il|Il giorno|Em|Op|Den|Dnia|W dniu|Vào|På|Dne|Kl\.|Às|A las|Le \w+|Ngày|Tarihinde|"
    r"В|Στις|Pe"
)
_WROTE_LINE = re.compile(
    rf"^(?P<prefix>.*?)(?:-{{2,}}\s*)?\b(?:{_OPENERS})\b.{{3,300}}?(?:\b|\s)(?:{_WROTE})\s*[:：]?\s*-*\s*$",
    re.IGNORECASE,
)
#: "X <x@y> wrote:", "2011/4/7 X <x@y>:" — an address or a time, then "wrote" or a closing colon.
_ADDRESS_WROTE = re.compile(
    rf"^(?:-{{2,}}\s*)?.{{0,200}}?(?:@[\w.-]+\.\w+|\d{{1,2}}:\d{{2}}).{{0,120}}?(?:\b(?:{_WROTE})\s*[:：]|>\s*[:：])\s*$",
    re.IGNORECASE,
)
_DATE_ADDRESS = re.compile(
    r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})\b.{0,120}?"
    r"<?[\w.+'-]+@[\w-]+(?:\.[\w-]+)+>?\s*[:：]?\s*$"
)
_ANDROID = re.compile(rf"^-{{2,}}\s*.{{1,120}}?\s(?:{_WROTE})\s*-{{2,}}\s*$", re.IGNORECASE)
_ORIGINAL = re.compile(
    r"^[\s*]*-{2,}\s*(?:Original(?:e)? Message|Original Nachricht|Ursprüngliche Nachricht|Originalnachricht|"
    r"Message d'origine|Message original|Mensaje original|Mensaje Original|Messaggio originale|"
    r"Oorspronkelijk bericht|Origineel bericht|Originalmeddelande|Ursprungligt meddelande|"
    r"Oprindelig meddelelse|Opprinnelig melding|Original melding|Wiadomość oryginalna|"
    r"Oryginalna wiadomość|Mensagem original|Mensagem Original|Původní zpráva|Pôvodná správa|"
    r"Alkuperäinen viesti|Eredeti üzenet|Исходное сообщение|Оригинальное сообщение|Tin nhắn gốc|"
    r"Orijinal mesaj|原始邮件|原始郵件|原邮件|元のメッセージ|원본 메시지|Reply message|Reply Message)"
    r"\s*-*\s*$",
    re.IGNORECASE,
)
_CJK_WROTE = re.compile(r"(?:写道|寫道|のメッセージ|が書きました|님이 작성)\s*[:：]?\s*$")
_RULE = re.compile(r"^\s*(?:[-_=]\s?){10,}\s*$")

_FROM_WORDS = (
    r"From|Von|Absender|De|Da|Van|Afzender|Od|Fra|Från|Frá|Lähettäjä|От|Kimden|Feladó|Remetente|"
    r"Remitente|Expéditeur|Mittente|Người gửi|差出人|发件人|發件人|寄件者|보낸 사람"
)
_OTHER_HEADER_WORDS = (
    r"Sent|Date|To|Cc|Bcc|Subject|Reply-To|Gesendet|An|Betreff|Datum|Kopie|Envoyé|Envoye|À|A|Objet|"
    r"Enviado|Enviada|Fecha|Para|Asunto|Assunto|Data|Inviato|Oggetto|Verzonden|Aan|Onderwerp|"
    r"Verstuurd|Wysłano|Wysłane|Do|Temat|DW|Sendt|Til|Emne|Dato|Skickat|Till|Ämne|Kopia|Lähetetty|"
    r"Vastaanottaja|Aihe|Отправлено|Дата|Кому|Тема|Копия|Tarih|Kime|Konu|Odesláno|Komu|Předmět|"
    r"Ngày gửi|Đến|Chủ đề|Gửi|日付|送信日時|宛先|件名|发送时间|發送時間|收件人|主题|主題|日期|寄件日期|"
    r"收件者|主旨|抄送|보낸 날짜|받는 사람|제목|Organization"
)
_HEADER_LINE = re.compile(
    rf"^[\s>]*\**\s*(?P<word>{_FROM_WORDS}|{_OTHER_HEADER_WORDS})\s*\**\s*[:：]\s*\**(?P<value>.*)$",
    re.IGNORECASE,
)
_FROM_LINE = re.compile(rf"^[\s>]*\**\s*(?:{_FROM_WORDS})\s*\**\s*[:：]", re.IGNORECASE)
_QUOTED = re.compile(r"^\s*>")
#: A first line that may start a reply header wrapped over several lines (an opener, a date, an address).
_MAY_WRAP = re.compile(rf"^(?:-{{2,}}\s*)?(?:(?:{_OPENERS})\b|\d)|.*[@<]", re.IGNORECASE)
#: How many lines a wrapped reply header may span.
_WRAP = 6


@dataclass(frozen=True)
class Boundary:
    line: int  # index of the first line of history
    end: int  # index of the header's last line
    prefix: str  # new words written on the header's own line, before it
    kind: str  # "wrote", "original", "headers", "rule"


def _unquote(line: str) -> str:
    return re.sub(r"^(?:\s*>)+\s?", "", line).strip()


def header_block_end(lines: list[str], start: int) -> int | None:
    """The last line of an Outlook-style header block starting at `start`, or None if there is none.

    A block has a From line and at least one other header line (or three header lines of any kind)
    within a few lines; wrapped values (a subject on two lines, `[mailto:` split) belong to it.
    """
    if not _HEADER_LINE.match(lines[start]):
        return None
    headers, has_from, last = 0, False, start
    index = start
    while index < len(lines) and index < start + 10:
        line = lines[index]
        if not line.strip():
            break
        if _HEADER_LINE.match(line):
            headers += 1
            has_from = has_from or bool(_FROM_LINE.match(line))
            last = index
        elif index - last > 2:
            break
        index += 1
    if (has_from and headers >= 2) or headers >= 3:
        return last
    return None


def _wrote_header(lines: list[str], index: int) -> tuple[int, str] | None:
    """(last line, prefix) when a reply header ("On … wrote:") starts at `index`."""
    first = lines[index].strip()
    if not first or _QUOTED.match(lines[index]):
        return None
    joined = first
    wraps = _WRAP if _MAY_WRAP.match(first) else 1
    for end in range(index, min(len(lines), index + wraps)):
        if end > index:
            extra = _unquote(lines[end])
            if not extra:
                continue
            joined = f"{joined} {extra}"
        if len(joined) > 400:
            return None
        if end == index:
            if _ANDROID.match(joined) or _ORIGINAL.match(joined):
                return end, ""
        if _CJK_WROTE.search(joined) and (re.search(r"\d", joined) or "@" in joined):
            return end, ""
        match = _WROTE_LINE.match(joined)
        if match is not None and not re.search(r"(?:[:：]|-{2,})\s*$|@|\d:\d\d", joined):
            match = None  # "On Monday the file was sent" is a sentence, not a reply header
        if match is not None:
            prefix = match.group("prefix").rstrip(" -")
            if prefix and end > index:
                return None  # a sentence that merely contains "on", continued below
            return end, prefix
        if _DATE_ADDRESS.match(joined) or _ADDRESS_WROTE.match(joined):
            if end == index or joined.rstrip().endswith((":", "：")):
                return end, ""
    return None


def find_boundary(lines: list[str], start: int = 0) -> Boundary | None:
    """The first boundary at or after line `start` (quoted lines are never boundaries)."""
    for index in range(start, len(lines)):
        line = lines[index]
        if _QUOTED.match(line) or not line.strip():
            continue
        if _RULE.match(line):
            following = [i for i in range(index + 1, min(len(lines), index + 5)) if lines[i].strip()]
            if not following:
                if index + 1 >= len(lines) or not any(item.strip() for item in lines[index + 1 :]):
                    return Boundary(index, index, "", "rule")
                continue
            nxt = following[0]
            if (
                header_block_end(lines, nxt) is not None
                or _wrote_header(lines, nxt) is not None
                or _QUOTED.match(lines[nxt])
            ):
                return Boundary(index, index, "", "rule")
            continue
        end = header_block_end(lines, index)
        if end is not None:
            return Boundary(index, end, "", "headers")
        wrote = _wrote_header(lines, index)
        if wrote is not None:
            end, prefix = wrote
            kind = "original" if _ORIGINAL.match(line.strip()) else "wrote"
            return Boundary(index, end, prefix, kind)
    return None


def cut_history(text: str) -> tuple[str, Boundary | None, list[str]]:
    """(the new words, the first boundary, the lines from it on) for one reply's text."""
    lines = text.split("\n")
    boundary = find_boundary(lines)
    if boundary is None:
        return text, None, []
    kept = lines[: boundary.line]
    if boundary.prefix:
        kept.append(boundary.prefix)
    after = lines[boundary.end + 1 :]
    kept += _new_lines_among_quotes(after)
    return "\n".join(kept), boundary, lines[boundary.line :]


def _new_lines_among_quotes(after: list[str]) -> list[str]:
    """Unquoted lines written below or between `>` quotes (bottom-posted or interleaved replies).

    Only when the history is `>`-quoted: a history quoted without `>` (Outlook) runs to the end.
    """
    first = next((line for line in after if line.strip()), None)
    if first is None or not _QUOTED.match(first):
        return []
    kept: list[str] = []
    for index, line in enumerate(after):
        if _wrapped_quote(after, index):
            continue  # a quoted line the client wrapped: "> see (http://x/a" + "b=1)"
        if _QUOTED.match(line):
            if kept and kept[-1].strip():
                kept.append("")
            continue
        if line.strip() and (boundary := find_boundary(after[index : index + _WRAP])) is not None:
            if boundary.line == 0:
                nested, _, _ = cut_history("\n".join(after[index:]))
                kept += nested.split("\n")
                break
        kept.append(line)
    return kept


def _wrapped_quote(lines: list[str], index: int) -> bool:
    line = lines[index]
    if _QUOTED.match(line) or not line.strip() or index == 0 or index + 1 >= len(lines):
        return False
    return (
        bool(_QUOTED.match(lines[index - 1]) and _QUOTED.match(lines[index + 1])) and len(line.split()) <= 2
    )
