"""Which part of a message is the customer's own words, and in what language.

Before scoring, a message loses what the customer did not write just now:
quoted email history, signatures, pasted logs and code. Auto-replies and log
pastes with no prose around them are not scored at all (the analyzer
abstains). The language decision is cheap for the common case: a stopword
count settles English and the four supported languages; only texts it cannot
settle go to py3langid, whose model loads on first use and whose decisions are
cached.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache

from bot.analysis.cues import Cue, PhraseMatcher

SUPPORTED_LANGUAGES = ("en", "es", "de", "fr", "pt")

# --- quoted history and signatures -------------------------------------------------

_QUOTE_HEADER_RE = re.compile(
    r"^[ \t]*(?:On\b[^\n]{0,300}(?:\n[^\n]{0,120})?\bwrote:"  # Gmail / Apple Mail
    r"|El\b[^\n]{0,300}(?:\n[^\n]{0,120})?\bescribió:|"
    r"Am\b[^\n]{0,300}(?:\n[^\n]{0,120})?\bschrieb[^\n]{0,120}:|Le\b[^\n]{0,300}(?:\n[^\n]{0,120})?\ba "
    r"écrit\s?:|Em\b[^\n]{0,300}(?:\n[^\n]{0,120})?\bescreveu:|-{2,}\s*(?:Original Message|Forwarded message|"
    r"Mensaje original|Ursprüngliche Nachricht|Message d'origine|Mensagem original)\s*-{2,}|"
    r"_{10,}\s*$"  # Outlook's rule above the quoted header
    r"|From:[^\n]*\n(?:[^\n]*\n){0,2}[ \t]*(?:Sent|Date|To|Subject):|De:[^\n]*\n(?:[^\n]*\n){0,2}[ "
    r"\t]*(?:Enviado|Envoyé|Fecha|Date|Para|À|Asunto|Objet|Assunto):|Von:[^\n]*\n(?:[^\n]*\n){0,2}[ "
    r"\t]*(?:Gesendet|Datum|An|Betreff):)",
    re.MULTILINE | re.IGNORECASE,
)
_SIGNATURE_START_RE = re.compile(
    r"^[ \t]*(?:--[ \t]*$|(?:CONFIDENTIALITY NOTICE|DISCLAIMER|LEGAL NOTICE|PRIVILEGED (?:AND|&) "
    r"CONFIDENTIAL)\b|This (?:e-?mail|message|communication)(?: and any (?:files|attachments)[^.\n]{0,40})? "
    r"(?:is|are|may (?:be|contain)|contains?) (?:confidential|privileged|intended)|The information "
    r"(?:contained )?in this (?:e-?mail|message|communication)|Sent from my \w+|Sent from (?:Mail|Outlook|"
    r"Yahoo)|Get Outlook for \w+|Sent via \w+|Enviado desde mi \w+|Von meinem \w+ gesendet|Envoyé de mon \w+|"
    r"Enviado do meu \w+)",
    re.MULTILINE | re.IGNORECASE,
)
#: A sign-off alone on its line, followed only by a few short lines (name,
#: title, company, phone): the rest of the message is a signature.
_SIGN_OFF_RE = re.compile(
    r"^[ \t]*(?:best(?: regards| wishes)?|kind regards|warm(?:est)? regards|regards|many thanks|thanks(?: "
    r"again)?|thank you|cheers|sincerely|yours(?: truly| sincerely)?|all the best|talk soon|br|saludos(?: "
    r"cordiales)?|un saludo|atentamente|gracias|mit freundlichen grüßen|viele grüße|beste grüße|liebe grüße|"
    r"lg|mfg|gruß|danke|cordialement|bien à vous|bien cordialement|merci|atenciosamente|abraços|obrigad[oa]|"
    r"att)[ \t]*[,.!]?[ \t]*$",
    re.MULTILINE | re.IGNORECASE,
)
_MAX_SIGNATURE_LINES = 6
_MAX_SIGNATURE_LINE_CHARS = 80


def strip_quoted_and_signature(text: str) -> str:
    """The text the customer wrote now: no quoted history, no signature block."""
    if ">" in text:
        lines = [line for line in text.split("\n") if not line.lstrip().startswith(">")]
        text = "\n".join(lines)
    header = _QUOTE_HEADER_RE.search(text)
    if header and header.start() > 0:
        text = text[: header.start()]
    signature = _SIGNATURE_START_RE.search(text)
    if signature and signature.start() > 0:
        text = text[: signature.start()]
    if "\n" in text:
        text = _strip_sign_off(text)
    return text.strip()


def _strip_sign_off(text: str) -> str:
    for match in _SIGN_OFF_RE.finditer(text):
        if match.start() == 0:
            continue
        tail = text[match.end() :].strip("\n")
        tail_lines = [line for line in tail.split("\n") if line.strip()]
        if len(tail_lines) <= _MAX_SIGNATURE_LINES and all(
            len(line) <= _MAX_SIGNATURE_LINE_CHARS for line in tail_lines
        ):
            return text[: match.start()]
    return text


# --- auto-replies ------------------------------------------------------------------

#: Phrases only auto-replies use.
_AUTO_REPLY_SURE = (
    r"automatic reply|auto(?:matic)?[- ]?(?:reply|response)|autoreply",
    r"this is an automated (?:message|response|reply|email)|do not reply to this (?:email|message)",
    r"respuesta automática|abwesenheitsnotiz|automatische antwort|réponse automatique|resposta automática",
)
#: Phrases auto-replies use, but a customer might too ("I'll be out of office
#: next week, please fix it before").
_AUTO_REPLY_LIKELY = (
    r"out of (?:the )?office",
    r"(?:i am|i'm|i will be|i'll be) (?:currently )?(?:away|out of (?:the )?office|out|on (?:annual |"
    r"parental |maternity |paternity |sick )?(?:leave|vacation|holiday|pto))(?: from| until| and| with| "
    r"through|\.|,)",
    r"(?:limited|no) access to (?:my )?e-?mail",
    r"(?:in urgent cases|for urgent (?:matters|issues|requests)|if (?:your request|this) is urgent),? please "
    r"(?:contact|reach|call|email)",
    r"keinen zugriff auf (?:meine )?e-?mails?|in dringenden fällen|en caso de urgencia|en cas d'urgence|em "
    r"caso de urgência",
    r"(?:will|shall) (?:respond|reply|get back to you|answer)(?: to (?:your|all) (?:message|email|"
    r"e-mail)s?)? (?:when|upon|as soon as|after) (?:i|my) (?:return|get back|am back)",
    r"fuera de la oficina|estaré fuera|de vacaciones hasta",
    r"nicht im büro|im urlaub|bin (?:ab|bis) [^\n]{0,30} (?:nicht erreichbar|abwesend)",
    r"absent du bureau|je suis absent|en congés?",
    r"fora do escritório|estou ausente",
)
_AUTO_REPLY_MATCHER = PhraseMatcher(
    tuple(Cue("sure", pattern) for pattern in _AUTO_REPLY_SURE)
    + tuple(Cue("likely", pattern) for pattern in _AUTO_REPLY_LIKELY)
)
_OPENING = 12
#: Every auto-reply phrase above contains one of these; a message with none
#: of them skips the phrase scan (plain `in` checks beat a regex here).
_AUTO_REPLY_STEMS = (
    "auto",
    "office",
    "away",
    "leave",
    "vacation",
    "holiday",
    "pto",
    "until",
    "through",
    "mail",
    "return",
    "back",
    "urgent",
    "oficina",
    "fuera",
    "vacaciones",
    "automát",
    "abwesen",
    "büro",
    "urlaub",
    "zugriff",
    "dringend",
    "erreichbar",
    "absent",
    "congé",
    "urgence",
    "escritório",
    "ausente",
    "urgência",
    "urgencia",
)


def auto_reply_marker(text: str) -> str | None:
    """The phrase that marks `text` as an auto-reply, or None.

    A phrase only auto-replies use, two different auto-reply phrases, or one
    that opens the message; a customer who mentions once, mid-message, that
    they will be out of office still gets scored.
    """
    lower = text.lower()
    for stem in _AUTO_REPLY_STEMS:
        if stem in lower:
            break
    else:
        return None
    markers = [
        (cue.kind, match.start(), text[match.start() : match.end()])
        for cue, match in _AUTO_REPLY_MATCHER.scan(text)
    ]
    if not markers:
        return None
    for kind, _, phrase in markers:
        if kind == "sure":
            return phrase
    if markers[0][1] < _OPENING or len({phrase.lower() for _, _, phrase in markers}) >= 2:
        return markers[0][2]
    return None


# --- code and log pastes -----------------------------------------------------------

_MACHINE_LINE_RE = re.compile(
    r"^\s*(?:\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d"  # ISO timestamp
    r"|\[?\d\d:\d\d:\d\d"  # clock time
    r"|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d+ \d\d:\d\d"  # syslog
    r"|\[?(?:DEBUG|INFO|WARN|WARNING|ERROR|FATAL|TRACE|CRITICAL)\]?[\s:]|at "
    r"[\w$.<>/]+\(.*\)\s*$"  # Java / JS stack frame
    r"|File \"[^\"]+\", line \d+"  # Python stack frame
    r"|Traceback \(most recent call last\)|(?:[\w.]+\.)?\w+(?:Error|Exception):|[{}\[\]][,;]?\s*$|"
    r"\"[\w.-]+\"\s*:"  # JSON member
    r"|(?:def|class|function|import|const|var|public|private|package)\s+[\w.]+[^\n]*[:;{(]\s*$|(?:SELECT|"
    r"INSERT|UPDATE|DELETE|CREATE)\s|[$#]\s+\w+"  # shell prompt
    r"|<[\w/!][^>]*>\s*$"  # markup line
    r"|[\w.\[\]]+\s*=\s*[\w.]+\(.*\)\s*;?\s*$"  # assignment from a call
    r"|[\w.]+\([^()]*\)\s*;?\s*$"  # bare call
    r")"
)
#: A call transcript's line: a clock time, a speaker and what they said ("[00:08:50] Ama Boateng (Tidewater):
#: Right, we did think about it"), which a log line's timestamp would otherwise claim.
_TRANSCRIPT_LINE_RE = re.compile(
    r"^\[?\d{1,2}:\d\d(?::\d\d)?\]?\s+[^\W\d_][\w .'’-]{0,40}?(?:\s*\([^)]{0,60}\))?\s*:\s+"
    r"(?:\S+\s+){3,}\S+"
)
#: A stack trace runs from its header to the next blank line; its indented
#: source lines look like prose to a line-by-line test.
_TRACEBACK_START_RE = re.compile(
    r"^\s*(?:Traceback \(most recent call last\)|Exception in thread|(?:[\w.]+\.)?\w+(?:Error|Exception)(?::|"
    r"\s+at\b)|Caused by:|\s+at [\w$.<>/]+\()"
)
_CODE_FENCE_RE = re.compile(r"```.*?(?:```|\Z)", re.DOTALL)
_WORD_RE = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_DROP_SYMBOLS = str.maketrans("", "", "{}[]();=<>:\"\\/|_$#")
_MIN_PROSE_WORDS = 6


@dataclass(frozen=True)
class Prose:
    """The customer's words, or why there are none worth scoring."""

    text: str
    machine_lines: int
    abstain_reason: str | None = None


def _is_machine_line(line: str) -> bool:
    stripped = line.strip()
    if not stripped:
        return False
    if _TRANSCRIPT_LINE_RE.match(stripped):
        return False
    if _MACHINE_LINE_RE.match(stripped):
        return True
    if len(stripped) < 12:
        return False
    symbols = len(stripped) - len(stripped.translate(_DROP_SYMBOLS))
    return symbols / len(stripped) > 0.18


def may_hold_machine_text(text: str) -> bool:
    """Cheap test: whether `separate_prose` could find code or log lines in `text` at all."""
    return "\n" in text or "```" in text or text[:1] in "{[<" or _MACHINE_LINE_RE.match(text) is not None


def separate_prose(text: str) -> Prose:
    """Drop pasted code and log lines; abstain when nothing but them is left."""
    fenced = 0
    if "```" in text:
        fenced = sum(block.count("\n") + 1 for block in _CODE_FENCE_RE.findall(text))
        text = _CODE_FENCE_RE.sub("\n", text)
    lines = text.split("\n")
    if len(lines) == 1 and fenced == 0:
        stripped = text.strip()
        looks_like_blob = stripped[:1] in "{[<" and stripped[-1:] in "}]>" and len(stripped) > 20
        if looks_like_blob or (len(stripped) > 40 and _is_machine_line(stripped) and _few_words(stripped)):
            return Prose("", 1, "the message is a pasted code or log snippet, not prose")
        return Prose(text, 0)
    prose_lines = []
    machine = fenced
    in_traceback = False
    for line in lines:
        if _TRACEBACK_START_RE.match(line):
            in_traceback = True
        elif in_traceback and not line.strip():
            in_traceback = False
        if in_traceback or _is_machine_line(line):
            machine += 1
        else:
            prose_lines.append(line)
    prose = "\n".join(prose_lines).strip()
    if machine >= 2 and len(_WORD_RE.findall(prose)) < _MIN_PROSE_WORDS:
        return Prose("", machine, "the message is a pasted code or log snippet, not prose")
    return Prose(prose, machine)


def _few_words(text: str) -> bool:
    words = _WORD_RE.findall(text)
    return len(words) < max(4, len(text) // 12)


# --- language ----------------------------------------------------------------------

_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "the and is are was were be been have has had do does did not no you your we our i my me it this "
        "that what when where why how who will would can could should please thanks thank hi hello hey to of "
        "in on for with at from by an just about there they them their still any all can't don't i'm it's "
        "won't doesn't didn't isn't haven't get got need want know let so but if or as up out some".split()
    ),
    "es": frozenset(
        "el la los las es está están son fue un una unos que por para con sin pero muy más gracias hola "
        "nuestro nuestra mi mis su sus yo usted ustedes nosotros hemos han tengo tenemos funciona sistema "
        "desde hace otra vez todavía aún cuando porque también esto este esta eso hoy ya nadie del al hasta "
        "ningún ninguna estoy estamos nada vamos".split()
    ),
    "de": frozenset(
        "der die das und ist sind war nicht kein keine ich wir sie es ein eine einen mit für auf bei von zu "
        "dem den des noch schon immer wieder bitte danke hallo unser unsere mein meine haben hat habe seit "
        "warum wann heute sofort auch aber oder wenn weil funktioniert niemand geht".split()
    ),
    "fr": frozenset(
        "le la les est sont était un une des du et pas ne je nous vous il elle ce cette ces avec pour sur "
        "dans par mais très merci bonjour notre nos mon mes votre vos toujours encore depuis aujourd'hui "
        "fonctionne personne plus rien j'ai c'est n'est qu'il".split()
    ),
    "pt": frozenset(
        "o os as é são está estão foi um uma uns umas que por para com sem mas muito mais obrigado obrigada "
        "olá oi nosso nossa meu minha seu sua eu você vocês nós não já ainda hoje desde quando porque também "
        "isso este esta nada ninguém funciona sistema estou estamos tenho temos nao vamos".split()
    ),
}
#: Everyday words of a support conversation, one language each (no word of English or of another of the
#: five): what settles a short message ("Factura pendiente", "Tudo certo, valeu", "Sehr gut") that has
#: no function word to count.
_SUPPORT_WORDS: dict[str, frozenset[str]] = {
    "es": frozenset(
        "factura facturas novedad novedades pendiente puedo puede pueden podrían revisar revisarlo deja "
        "vale servicio cuenta usuario usuarios contraseña correo pago ayuda necesito necesitamos aquí "
        "ahora mañana ayer sigue listo quedó cuándo dónde qué cómo muchas saludos caído cayó colgó "
        "informe buenos días alguna algún bueno buena llega pasa carga fin mes suscripción renovación "
        "arreglan arreglen cobraron".split()
    ),
    "pt": frozenset(
        "fatura faturas novidade novidades pendente posso pode podem poderiam verificar vou caiu travou "
        "beleza resolvido atendimento tudo funcionando bem valeu pela pelo ótimo ótima conta usuário "
        "usuários senha pagamento ajuda preciso precisamos aqui agora amanhã ontem continua onde bom boa "
        "então certo alguma algum tem chega fim mês assinatura renovação "
        "resolverem cobraram".split()
    ),
    "fr": frozenset(
        "facture factures attente nouvelles nickel compte utilisateur utilisateurs paiement besoin ici "
        "demain semaine ça marche panne planté tout tous oui avez pouvez pourriez reçois résilie résilier "
        "résilions résiliation abonnement renouvellement".split()
    ),
    "de": frozenset(
        "sehr rechnung offen neuigkeiten toller tolle gibt können könnten konto benutzer nutzer passwort "
        "zahlung hilfe brauchen gestern woche läuft kaputt alles ja nein jetzt bereits leider gerne "
        "vielen abgestürzt fehler antwort bekommen kündigen kündigung verlängerung "
        "monatsende".split()
    ),
}
#: Words as much Spanish, Portuguese or French as English: they count for the other language beside a word of
#: its own ("No me deja entrar", "Vamos cancelar no fim do mês", "On résilie"), not beside a borrowed thanks
#: or greeting alone ("No worries, gracias!" stays English).
_SHARED_WITH_ENGLISH: dict[str, frozenset[str]] = {
    "es": frozenset({"no", "me"}),
    # Portuguese "no" is "in the" ("no fim do mês"); "do" stays English, as it reads in place names
    # ("São João do Rei").
    "pt": frozenset({"me", "no"}),
    "fr": frozenset({"on"}),
}
_BORROWED = frozenset("gracias hola adiós obrigado obrigada valeu olá merci bonjour danke hallo".split())
#: Letters only one of the languages writes ("¿", "ñ", "ã", "ß"): one more count for it. A name with an
#: accent ("José", "Jürgen") does not outweigh English words, and English wins a tie.
_OWN_LETTERS = {"es": frozenset("¿¡ñ"), "pt": frozenset("ãõ"), "fr": frozenset("èùûœ"), "de": frozenset("ß")}
#: A French elided article or pronoun opening a word ("d'exporter", "l'export", "qu'il").
_ELISION_RE = re.compile(r"\b(?:d|l|j|qu|c|n|s)'[^\W\d_]{2,}")

#: Common words of other Latin-script languages (Dutch, Italian, Polish,
#: Swedish...): enough of them sends the text to py3langid even when a few
#: English-looking words ("we", "is") would win the count.
_OTHER_LATIN_STOPWORDS = frozenset(
    "het een niet wij ik dit dat van voor op al echt nog geen maar zijn heb hebben wachten antwoord il che "
    "di per sono della nessuno questo questa anche grazie ancora nie jest się na że ale już czy dla tak och "
    "att det inte jag vi har är för med som".split()
)
_NON_LATIN_RE = re.compile(
    r"[\u0370-\u03ff\u0400-\u052f\u0590-\u05ff\u0600-\u06ff\u0900-\u0dff\u0e00-\u0e7f\u1100-\u11ff"
    r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]"
)
_LETTER_RE = re.compile(r"[^\W\d_]")
_LANGID_MIN_CONFIDENCE = 0.85
_LANGID_MIN_WORDS = 4

_identifier = None
_identifier_lock = threading.Lock()


@dataclass(frozen=True)
class LanguageDecision:
    """A language code, and whether the analyzer can score it."""

    code: str
    supported: bool
    certain: bool


def detect_language(text: str, fallback: str = "en") -> LanguageDecision:
    """The language of `text`; `fallback` when the text is too short to tell."""
    words = _WORD_RE.findall(text.lower())
    if not words:
        return LanguageDecision(fallback, True, False)
    if not text.isascii():
        letters = len(_LETTER_RE.findall(text))
        if letters and len(_NON_LATIN_RE.findall(text)) / letters > 0.3:
            code, _ = _langid(text)
            return LanguageDecision(code, code in SUPPORTED_LANGUAGES, True)
    # Distinct stopwords per language: set intersections run in C, and a
    # repeated "the" says no more about the language than one.
    vocabulary = set(words)
    ascii_only = text.isascii()
    elided = "'" in text and _ELISION_RE.search(text.lower()) is not None
    counted: dict[str, int] = {}
    claimed: set[str] = set()  # words shared with English that another language's own words claim
    for code, stops in _STOPWORDS.items():
        hits = len(stops.intersection(vocabulary))
        shared = _SHARED_WITH_ENGLISH.get(code, frozenset()).intersection(vocabulary)
        if code != "en" and (len(words) < _LANGID_MIN_WORDS or hits or shared):
            # Support words and letters only weigh in a short text, or beside a function word of the language:
            # an English sentence naming "São Paulo" or "la factura" stays English.
            hits += len(_SUPPORT_WORDS[code].difference(stops).intersection(vocabulary))
            if shared and not (stops | _SUPPORT_WORDS[code]).intersection(vocabulary).issubset(_BORROWED):
                hits += len(shared)
                claimed |= shared
            if not ascii_only and not _OWN_LETTERS[code].isdisjoint(text):
                hits += 1
            if code == "fr" and elided:
                hits += 1
        counted[code] = hits
    counted["en"] -= len(claimed)
    best, best_hits, second_hits = "en", -1, -1
    for code, hits in counted.items():
        if hits > best_hits:
            best, best_hits, second_hits = code, hits, best_hits
        elif hits > second_hits:
            second_hits = hits
    foreign = len(_OTHER_LATIN_STOPWORDS.intersection(vocabulary))
    if best_hits >= 2 and best_hits >= 2 * second_hits and foreign * 2 < best_hits:
        return LanguageDecision(best, True, True)
    if len(words) < _LANGID_MIN_WORDS:
        # Too short for any detector; a lone "thanks" or "Hallo" goes to the
        # stopword winner, or the thread's language.
        return LanguageDecision(best if best_hits else fallback, True, False)
    code, confidence = _langid(text)
    if code in SUPPORTED_LANGUAGES:
        return LanguageDecision(code, True, confidence >= _LANGID_MIN_CONFIDENCE)
    if confidence >= _LANGID_MIN_CONFIDENCE and (best_hits <= 1 or foreign >= best_hits):
        return LanguageDecision(code, False, True)
    return LanguageDecision(best if best_hits else fallback, True, False)


@lru_cache(maxsize=4096)
def _langid(text: str) -> tuple[str, float]:
    global _identifier
    if _identifier is None:
        with _identifier_lock:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    code, confidence = _identifier.classify(text)
    return str(code), float(confidence)
