"""Personal data out of a text before it leaves for a third-party model.

`redact` replaces personal data and credentials with placeholders and counts
what it replaced: secrets (API keys, tokens, passwords given with their name)
[SECRET], e-mail addresses (also written "jane [at] acme [dot] com") [EMAIL],
IBANs [IBAN], payment card numbers [CARD], public IP addresses [IP], phone
numbers [PHONE], street addresses and UK postcodes [ADDRESS], and people's
names where the writing marks them as names — after a greeting ("Hi Jane,"),
under a sign-off ("Best regards,\nMaria Lopez"), after "my name is", before
an e-mail address ("Jane Quill <...>") [NAME].

Each detector validates what it finds (phone numbers with libphonenumber,
cards with the Luhn checksum and a known issuer prefix, IBANs with their
mod-97 check digits and country format, IPs with `ipaddress`, secrets must
hold a digit), so ordinary numbers — error codes, versions, dates, prices,
ticket ids, private IPs — stay as they are: the model needs them to judge the
message. Every detector needs a digit, an '@', a bracket or a capital letter
to match; text without any of those is never changed.

Placeholders contain no digits, no '@' and no capitalized word, so a later
detector never matches what an earlier one inserted.

The team's corpus `tests/data/pii_corpus.csv` is the specification.
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import phonenumbers
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

EMAIL = "[EMAIL]"
PHONE = "[PHONE]"
CARD = "[CARD]"
IBAN_PLACEHOLDER = "[IBAN]"
ADDRESS = "[ADDRESS]"
NAME = "[NAME]"
SECRET = "[SECRET]"
IP = "[IP]"

#: Regions whose national-format numbers (no "+country" prefix) are looked
#: for; numbers written with a "+" prefix are found whatever the region. Chosen
#: for where B2B customers mostly write from; a longer list costs ~0.3 ms per
#: region per message.
DEFAULT_PHONE_REGIONS: tuple[str, ...] = ("US", "GB", "DE", "FR", "ES", "IT", "NL", "AU", "IN", "BR")


@dataclass(frozen=True)
class RedactionResult:
    """The redacted text and how many items of each kind were replaced."""

    text: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


_EMAIL_RE = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")

# An IBAN candidate: country, check digits, then up to 30 letters/digits, in
# print groups of four or written solid. Candidates may run into the next word
# ("... 3000 is the account"); `_redact_ibans` shortens them until one validates.
_IBAN_CANDIDATE_RE = re.compile(r"\b[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]{1,4}){3,8}\b")

# A card candidate: 13–19 digits solid, or in the printed groupings
# (4-4-4-4[-3], Amex 4-6-5, Diners 4-6-4) with one consistent separator.
_CARD_CANDIDATE_RE = re.compile(
    r"(?<![\w.,/-])(?:\d{13,19}|\d{4}([ -])\d{4}\1\d{4}\1\d{1,7}|\d{4}([ -])\d{6}\2\d{4,5})(?![\w/-]|[.,]\d)"
)

_EN_STREET_TYPES = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|"
    r"Parkway|Pkwy|Highway|Hwy|Square|Sq|Circle|Cir|Trail|Alley|Crescent|Close|Row|Plaza)"
)
_EN_NAME_WORD = r"(?:[A-Z][A-Za-z'-]*\.?|\d{1,3}(?:st|nd|rd|th))"
_UNIT = r"(?:,?\s+(?:Suite|Ste|Apt|Apartment|Unit|Floor|Fl|#)\.?\s*#?\s*[A-Za-z0-9-]+)?"
_ADDRESS_RES = (
    # "221B Baker Street", "350 5th Ave, Suite 400", "1600 Pennsylvania Avenue NW"
    re.compile(
        rf"\b\d{{1,6}}[A-Za-z]?\s+(?:[NSEW]\.?\s+)?(?:{_EN_NAME_WORD}\s+){{1,4}}{_EN_STREET_TYPES}\b\.?"
        rf"(?:\s+(?:NW|NE|SW|SE|N|S|E|W)\b)?{_UNIT}"
    ),
    # German, Dutch, Nordic: the street type is a suffix and the number follows ("Hauptstraße 5a").
    re.compile(
        r"\b[A-ZÄÖÜÅØÆ][\wäöüßåøæ.-]*(?:straße|strasse|str\.|weg|gasse|platz|allee|damm|ufer|chaussee|"
        r"laan|straat|gracht|plein|vej|gatan|gata|veien)\s+\d{1,4}\s?[a-zA-Z]?\b"
    ),
    # French: "12 rue de la Paix", "12 bis, avenue des Champs-Élysées"
    re.compile(
        r"\b\d{1,4}(?:\s?(?:bis|ter))?,?\s+(?i:rue|avenue|av\.|boulevard|bd|place|impasse|allée|chemin|quai|route)"
        r"\s+(?:(?:de|du|des|la|le|l'|d')\s*)*[A-ZÉÈÀ][\w'-]*(?:\s+[A-ZÉÈÀ][\w'-]*){0,3}"
    ),
    # Spanish, Italian, Portuguese: type first, number after ("Calle Mayor 3", "Via Roma 10,").
    # "Via" is also an English word, so its number must end the phrase (comma, full stop or end).
    re.compile(
        r"\b(?:Calle|Avenida|Avda\.|Plaza|Paseo|Carrer|Viale|Piazza|Corso|Rua|Via)\s+"
        r"(?:(?:de|del|della|dei|di|da|do|la|las|los)\s+)*[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*){0,3},?\s+\d{1,4}[a-zA-Z]?"
        r"(?=\s*(?:[,.;\n]|$))"
    ),
)

# Product names that look like "<number> <Name> Drive/Way" but are not addresses.
_ADDRESS_FALSE_FRIENDS = re.compile(r"\b(?:Google|Shared|One|My)\s+Drive\b")

# A UK postcode ("NW1 6XE", "SW1A 2AA"): it names a handful of houses. The inward code's letters
# never include C, I, K, M, O or V, which keeps "Q3 4PM" and the like out.
_UK_POSTCODE_RE = re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR) ?\d[ABD-HJLNP-UW-Z]{2}\b")

# "dana [at] initech [dot] io", "dana(at)initech.io": an address spelled out to dodge scrapers.
_SPELLED_EMAIL_RE = re.compile(
    r"(?i)(?<![\w.+-])[\w.+-]+\s*[\[({]\s*at\s*[\])}]\s*[\w-]+"
    r"(?:\s*(?:[\[({]\s*dot\s*[\])}]|\.)\s*[A-Za-z0-9-]+)+"
)

# Credentials: a vendor's key format, a JWT, a bearer token, a value given with its name
# ("password: ...", "api_key=..."), or a long random-looking string. Group "secret" is replaced;
# it must hold a digit.
_SECRET_RES = (
    re.compile(r"\b(?P<secret>(?:sk|pk|rk)[-_](?:ant-|proj-|live_|test_)?[A-Za-z0-9_-]{16,})"),
    re.compile(r"\b(?P<secret>(?:xox[abposre]|xapp)-[A-Za-z0-9-]{10,})"),
    re.compile(
        r"\b(?P<secret>gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|glpat-[A-Za-z0-9_-]{20,})"
    ),
    re.compile(r"\b(?P<secret>(?:AKIA|ASIA)[0-9A-Z]{16})\b"),
    re.compile(r"\b(?P<secret>AIza[0-9A-Za-z_-]{35})"),
    re.compile(r"\b(?P<secret>eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})"),
    re.compile(r"(?i)\bbearer\s+(?P<secret>[A-Za-z0-9._~+/=-]{16,})"),
    re.compile(
        r"(?i)\b(?:api[_ -]?key|secret(?:[_ -]?key)?|access[_ -]?(?:key|token)|auth[_ -]?token|token"
        r"|password|passwd|pwd|passcode)[\"']?\s*[:=]\s*[\"']?(?P<secret>[^\s'\",;]{6,})"
    ),
    re.compile(
        r"(?<![A-Za-z0-9+/=_-])(?P<secret>(?=[A-Za-z0-9+/=_-]*[a-z])(?=[A-Za-z0-9+/=_-]*[A-Z])"
        r"[A-Za-z0-9+/=_-]{32,})"
    ),
)

# Addresses in private networks say nothing about who wrote; the model may need them.
_PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(net)
    for net in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
)
_IPV4_CANDIDATE_RE = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)")
_IPV6_CANDIDATE_RE = re.compile(r"(?<![\w:.])(?=[0-9A-Fa-f:]*::?[0-9A-Fa-f]*:)[0-9A-Fa-f:]{3,39}(?![\w:])")
_VERSION_BEFORE_RE = re.compile(r"(?i)(?:\bv|version|build|release|rev)\s*$")

# Names, where the writing marks them as one. A name word is capitalized; common
# addressees ("Hi team,") are not names.
_NAME_WORD = r"[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿß'’-]+"
_FULL_NAME = rf"{_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,2}}"
_TITLE = r"(?:(?:Mr|Mrs|Ms|Dr|Prof|Herr|Frau|Mme|Mlle|Sr|Sra|Dott|Dña)\.?[ \t]+)"
_NOT_NAMES = frozenset(
    """team all there everyone everybody folks guys support sales billing finance again both friends
    colleagues together zusammen alle tous toutes todos equipo equipe équipe time today thanks thank
    customer customers sir madam madame partner partners""".split()
)
_GREETING_RE = re.compile(
    rf"(?m)(?:^|(?<=[.!?])[ \t]+)(?:Hi|Hello|Hey|Dear|Morning|Good morning|Good afternoon|Hallo|Liebe[rs]?|"
    rf"Sehr geehrte[rs]?|Bonjour|Bonsoir|Cher|Chère|Hola|Estimad[oa]s?|Olá|Oi|Ciao|Gentile|Beste|Hej|"
    rf"Thanks|Thank you|Cheers|Merci|Danke|Gracias|Grazie|Obrigad[oa])"
    rf"[ \t]+{_TITLE}?(?P<name>{_FULL_NAME})(?=[ \t]*(?:[,!:;\n]|$))"
)
_SIGN_OFF = (
    r"(?:Thanks|Thank you|Many thanks|Thanks again|Thx|Cheers|Best|All the best|Best wishes|Regards|"
    r"Best regards|Kind regards|Warm regards|Warmest regards|Sincerely|Yours sincerely|Yours truly|"
    r"Respectfully|BR|Viele Grüße|Beste Grüße|Liebe Grüße|Mit freundlichen Grüßen|Freundliche Grüße|"
    r"Grüße|Gruß|Cordialement|Bien cordialement|Bien à vous|Salutations|Merci|Saludos|Un saludo|"
    r"Atentamente|Gracias|Abraços|Atenciosamente|Cumprimentos|Obrigad[oa]|Cordiali saluti|Saluti|"
    r"Grazie|Met vriendelijke groet|Groeten|Vriendelijke groet)"
)
_SIGNATURE_RE = re.compile(
    rf"(?m)^[ \t]*{_SIGN_OFF}[ \t]*[,!.]?[ \t]*(?:\n[ \t]*|(?<=,)[ \t]*|[ \t]+[-–—][ \t]*)"
    rf"(?P<name>{_FULL_NAME})[ \t]*$"
)
# "-- Tom Becker", or the signature delimiter line "-- " with the name under it.
_DASH_SIGNATURE_RE = re.compile(rf"(?m)^[ \t]*(?:--|[-–—])[ \t]*(?:\n[ \t]*)?(?P<name>{_FULL_NAME})[ \t]*$")
_SELF_NAMED_RE = re.compile(
    rf"(?i:\bmy name is|\bmy name's|\bje m'appelle|\bme llamo|\bmi nombre es|\bmein name ist|"
    rf"\bich heiße|\bmeu nome é|\bmi chiamo)[ \t]+(?P<name>{_FULL_NAME})"
)
_DISPLAY_NAME_RE = re.compile(rf"(?P<q>[\"']?)(?P<name>{_FULL_NAME})(?P=q)[ \t]*<\[EMAIL\]>")


def redact(text: str, phone_regions: Iterable[str] = DEFAULT_PHONE_REGIONS) -> RedactionResult:
    """Replace personal data in `text` with placeholders; see the module docstring."""
    counts: Counter[str] = Counter()
    # Secrets first: their digit runs must not be half-taken for a phone or a card.
    text = _redact_secrets(text, counts)
    text = _sub_counted(_EMAIL_RE, text, EMAIL, counts, "email")
    text = _sub_counted(_SPELLED_EMAIL_RE, text, EMAIL, counts, "email")
    text = _redact_ibans(text, counts)
    text = _redact_cards(text, counts)
    # Before phones: libphonenumber would read some dotted addresses as numbers.
    text = _redact_ips(text, counts)
    text = _redact_phones(text, tuple(phone_regions), counts)
    text = _redact_addresses(text, counts)
    # Last: a display name is found by the [EMAIL] that follows it.
    text = _redact_names(text, counts)
    return RedactionResult(text=text, counts={kind: n for kind, n in counts.items() if n})


def _sub_counted(
    pattern: re.Pattern[str], text: str, placeholder: str, counts: Counter[str], kind: str
) -> str:
    new_text, replaced = pattern.subn(placeholder, text)
    counts[kind] += replaced
    return new_text


def _is_valid_iban(candidate: str) -> bool:
    try:
        IBAN(candidate)
    except SchwiftyException:
        return False
    return True


def _redact_ibans(text: str, counts: Counter[str]) -> str:
    pieces: list[str] = []
    position = 0
    for match in _IBAN_CANDIDATE_RE.finditer(text):
        if match.start() < position:
            continue
        candidate = match.group(0)
        # Shorten by trailing groups until valid: the candidate may have swallowed a short next word.
        while candidate:
            if _is_valid_iban(candidate):
                pieces.append(text[position : match.start()])
                pieces.append(IBAN_PLACEHOLDER)
                position = match.start() + len(candidate)
                counts["iban"] += 1
                break
            cut = candidate.rfind(" ")
            if cut < 0:
                break
            candidate = candidate[:cut]
    pieces.append(text[position:])
    return "".join(pieces)


def _luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _has_card_issuer_prefix(digits: str) -> bool:
    """Whether the number starts like a card of a major network (Visa, Mastercard, Amex, ...).

    Luhn alone passes one random number in ten; requiring an issuer prefix
    keeps order numbers and timestamps (which mostly start with 1) intact.
    """
    first = digits[0]
    if first in "456":
        return True
    if first == "3":
        return digits[:2] in {"30", "34", "35", "36", "37", "38", "39"}
    if first == "2":
        return 2221 <= int(digits[:4]) <= 2720
    return False


def _redact_cards(text: str, counts: Counter[str]) -> str:
    def replace(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        if 13 <= len(digits) <= 19 and _has_card_issuer_prefix(digits) and _luhn_valid(digits):
            counts["card"] += 1
            return CARD
        return match.group(0)

    return _CARD_CANDIDATE_RE.sub(replace, text)


def _is_part_of_identifier(text: str, start: int, end: int) -> bool:
    """Whether a number is glued to an identifier ("INV-2024-000123", "#4155552671", "ID4155552671")."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return before.isalnum() or before in "#-_/" or after.isalnum() or after in "_/"


def _redact_phones(text: str, regions: tuple[str, ...], counts: Counter[str]) -> str:
    spans: list[tuple[int, int]] = []
    # A dotted quad left in the text is a private IP address (public ones are gone): never a phone.
    quads = [match.span() for match in _IPV4_CANDIDATE_RE.finditer(text)]
    for region in regions or ("US",):
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
            in_quad = any(start < match.end and match.start < end for start, end in quads)
            if not in_quad and not _is_part_of_identifier(text, match.start, match.end):
                spans.append((match.start, match.end))
    merged = _merge_spans(spans)
    counts["phone"] += len(merged)
    return _replace_spans(text, merged, PHONE)


def _redact_addresses(text: str, counts: Counter[str]) -> str:
    spans: list[tuple[int, int]] = []
    for pattern in _ADDRESS_RES:
        for match in pattern.finditer(text):
            if not _ADDRESS_FALSE_FRIENDS.search(match.group(0)):
                spans.append(match.span())
    spans.extend(match.span() for match in _UK_POSTCODE_RE.finditer(text))
    merged = _merge_spans(spans)
    counts["address"] += len(merged)
    return _replace_spans(text, merged, ADDRESS)


def _redact_secrets(text: str, counts: Counter[str]) -> str:
    spans: list[tuple[int, int]] = []
    for pattern in _SECRET_RES:
        for match in pattern.finditer(text):
            if any(char.isdigit() for char in match.group("secret")):
                spans.append(match.span("secret"))
    merged = _merge_spans(spans)
    counts["secret"] += len(merged)
    return _replace_spans(text, merged, SECRET)


def _is_public_ip(candidate: str) -> bool:
    try:
        address = ipaddress.ip_address(candidate)
    except ValueError:
        return False
    if address.is_loopback or address.is_link_local or address.is_unspecified or address.is_multicast:
        return False
    return not any(address in network for network in _PRIVATE_NETWORKS if network.version == address.version)


def _redact_ips(text: str, counts: Counter[str]) -> str:
    spans: list[tuple[int, int]] = []
    for pattern in (_IPV4_CANDIDATE_RE, _IPV6_CANDIDATE_RE):
        for match in pattern.finditer(text):
            if _VERSION_BEFORE_RE.search(text, 0, match.start()):
                continue  # "version 2.14.1.3" is a version, not an address
            if _is_public_ip(match.group(0)):
                spans.append(match.span())
    merged = _merge_spans(spans)
    counts["ip"] += len(merged)
    return _replace_spans(text, merged, IP)


def _redact_names(text: str, counts: Counter[str]) -> str:
    spans: list[tuple[int, int]] = []
    for pattern in (_GREETING_RE, _SIGNATURE_RE, _DASH_SIGNATURE_RE, _SELF_NAMED_RE, _DISPLAY_NAME_RE):
        for match in pattern.finditer(text):
            words = match.group("name").split()
            if not any(word.casefold() in _NOT_NAMES for word in words):
                spans.append(match.span("name"))
    merged = _merge_spans(spans)
    counts["name"] += len(merged)
    return _replace_spans(text, merged, NAME)


def _merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _replace_spans(text: str, spans: list[tuple[int, int]], placeholder: str) -> str:
    pieces: list[str] = []
    position = 0
    for start, end in spans:
        pieces.append(text[position:start])
        pieces.append(placeholder)
        position = end
    pieces.append(text[position:])
    return "".join(pieces)
