"""What people ask Tonewatch, read without a language model: a small, documented grammar.

The grammar (the help text below; README "Asking Tonewatch") is tolerant of
phrasing: it looks for a few key words rather than exact sentences, and
account names are matched case-insensitively and fuzzily against the stored
accounts ("acme" finds "Acme Corp", "umbrela" finds "Umbrella Health").

| intent             | say, for example                                        |
|--------------------|---------------------------------------------------------|
| account_status     | how is Acme doing? · status Acme · tell me about Acme · Acme? |
| negative_this_week | who was negative this week? · negative last 14 days     |
| accounts_by_light  | which accounts are red? · yellow accounts · how is everyone doing? |
| top_frustrations   | what are customers frustrated about? · top concerns [for Acme] |
| unanswered         | which negative messages haven't had a reply in 7 days? · unanswered |
| help               | help (and anything the grammar does not recognise)      |
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from bot.health.rules import Light
from storage.queries import account_key

HELP_TITLE = "Ask me about your customers"
#: The grammar, as people read it (the help answer, and README "Asking Tonewatch").
GRAMMAR_LINES = (
    "how is ACCOUNT doing?  (or: status ACCOUNT · tell me about ACCOUNT · ACCOUNT?) — the account card",
    "who was negative this week?  (or: negative last 14 days) — accounts with negative messages, worst first",
    "which accounts are red?  (or: yellow accounts · how is everyone doing?) — accounts by colour",
    "what are customers frustrated about?  (or: top concerns [for ACCOUNT]) — concerns, with examples",
    "which negative messages haven't had a reply in 7 days?  (or: unanswered [N days]) — what waits on us",
    "help — this list",
)

DEFAULT_DAYS = {"negative_this_week": 7, "top_frustrations": 30, "unanswered": 7}
MAX_DAYS = 90


class Intent(StrEnum):
    account_status = "account_status"
    negative_this_week = "negative_this_week"
    accounts_by_light = "accounts_by_light"
    top_frustrations = "top_frustrations"
    unanswered = "unanswered"
    help = "help"


@dataclass(frozen=True)
class Question:
    """A question, read: what is asked, about which account or colour, over how many days."""

    intent: Intent
    text: str
    account: str | None = None
    light: Light | None = None
    days: int | None = None
    #: False when the grammar did not recognise the question (the answer is the help).
    understood: bool = True


@dataclass(frozen=True)
class AccountMatch:
    """How a name written in a question matched the stored accounts."""

    written: str
    name: str | None
    suggestions: tuple[str, ...] = field(default=())

    @property
    def found(self) -> bool:
        return self.name is not None


_MENTION = re.compile(r"<@[A-Z0-9_]+(?:\|[^>]*)?>|@tonewatch\b|^tonewatch[,:]?\s+", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_DAYS = re.compile(r"\b(\d{1,3})\s*(?:days?|d)\b")
_WEEKS = re.compile(r"\b(\d{1,2})\s*weeks?\b")

_HELP = re.compile(r"^(?:help|\?|commands|what can you do|what do you do|how do i use (?:you|this))\W*$")
_UNANSWERED = re.compile(
    r"\b(?:unanswered|un-answered|no (?:reply|replies|response|answer)s?|not (?:been )?(?:replied|answered)"
    r"|(?:haven'?t|hasn'?t|have not|has not|didn'?t|did not)\s+(?:had|got|gotten|received|get)?\s*"
    r"(?:a |an |any )?(?:reply|replies|response|answer)s?|without (?:a |an |any )?(?:reply|response|answer)"
    r"|waiting (?:for|on) (?:a |an )?(?:reply|response|answer|us)|still wait\w*|awaiting (?:a )?reply)\b"
)
_ACCOUNT_PATTERNS = (
    re.compile(
        r"^(?:so\s+)?how(?:'s|’s| is| are| was)\s+(?P<name>.+?)\s+"
        r"(?:doing|going|looking|getting on|faring|feeling|holding up)\b"
    ),
    re.compile(
        r"^(?:what about|how about|status(?: of| for)?|account|card(?: for)?|health(?: of| for)?|"
        r"tell me about|show me|show|check(?: on)?|what'?s up with|what is up with|any news (?:on|from))\s+"
        r"(?P<name>.+)$"
    ),
    re.compile(r"^how(?:'s|’s| is)\s+(?P<name>.+)$"),
)
#: Names that mean "all of them" in "how is everyone doing?".
_EVERYONE = {
    "everyone", "everybody", "customers", "our customers", "the customers", "all customers", "accounts",
    "our accounts", "all accounts", "the accounts", "the portfolio", "portfolio", "things", "we", "us",
    "it", "it all", "everything",
}  # fmt: skip
_FRUSTRATIONS = re.compile(
    r"\b(?:frustrat\w*|complain\w*|concerns?|pain ?points?|unhappy about|upset about|angry about|"
    r"annoyed about|worried about|problems?|issues?|topics?|themes?)\b"
)
_FOR_ACCOUNT = re.compile(r"\b(?:for|at|from|with|of|about)\s+(?P<name>[^?]+?)\s*$")
_LIGHT_WORDS = {"red": Light.red, "yellow": Light.yellow, "amber": Light.yellow, "green": Light.green}
_LIGHT = re.compile(r"\b(red|yellow|amber|green)\b")
_NEGATIVE = re.compile(
    r"\b(?:negative|unhappy|angry|upset|annoyed|frustrated|complained|bad mood|in a bad way|grumpy)\b"
)


def normalize(text: str) -> str:
    """Lower case, one space between words, mentions of Tonewatch and trailing punctuation gone."""
    text = _MENTION.sub(" ", text or "")
    text = text.replace("’", "'")
    return _SPACES.sub(" ", text).strip().casefold().rstrip(" ?!.")


def _days(text: str, intent: Intent) -> int:
    if match := _DAYS.search(text):
        return max(1, min(MAX_DAYS, int(match.group(1))))
    if match := _WEEKS.search(text):
        return max(1, min(MAX_DAYS, 7 * int(match.group(1))))
    if "today" in text or "24 hours" in text:
        return 1
    if "this week" in text or "last week" in text or "past week" in text:
        return 7
    if "fortnight" in text:
        return 14
    if "month" in text:
        return 30
    if "quarter" in text:
        return 90
    return DEFAULT_DAYS.get(intent.value, 7)


def _clean_name(name: str) -> str:
    name = re.sub(r"^(?:the|our|account|customer)\s+", "", name.strip(" '\"?!.,"))
    return re.sub(r"\s+(?:account|customer|these days|lately|now|today|this week)$", "", name).strip()


def _known_account_in(text: str, accounts: Iterable[str]) -> str | None:
    """The one stored account whose name (or its first word) the text mentions, if exactly one."""
    found = set()
    for name in accounts:
        key = account_key(name)
        first = key.split(" ")[0]
        if re.search(rf"\b{re.escape(key)}\b", text) or (
            len(first) >= 4 and re.search(rf"\b{first}\b", text)
        ):
            found.add(name)
    return found.pop() if len(found) == 1 else None


def parse_question(text: str, accounts: Iterable[str] = ()) -> Question:
    """Read a question with the grammar. `accounts` (the stored names) helps find a bare account name."""
    said = normalize(text)
    names = list(accounts)
    if not said or _HELP.match(said):
        return Question(Intent.help, text)
    if _UNANSWERED.search(said):
        return Question(Intent.unanswered, text, days=_days(said, Intent.unanswered))
    for pattern in _ACCOUNT_PATTERNS:
        match = pattern.match(said)
        if match:
            name = _clean_name(match.group("name"))
            if name in _EVERYONE:
                return Question(Intent.accounts_by_light, text)
            if name and not _LIGHT.fullmatch(name):
                return Question(Intent.account_status, text, account=name)
    if _FRUSTRATIONS.search(said):
        named = _FOR_ACCOUNT.search(said)
        account = _known_account_in(said, names) or (_clean_name(named.group("name")) if named else None)
        if account in _EVERYONE or account in ("customers", "them"):
            account = None
        return Question(
            Intent.top_frustrations, text, account=account, days=_days(said, Intent.top_frustrations)
        )
    if light := _LIGHT.search(said):
        return Question(Intent.accounts_by_light, text, light=_LIGHT_WORDS[light.group(1)])
    if _NEGATIVE.search(said):
        return Question(Intent.negative_this_week, text, days=_days(said, Intent.negative_this_week))
    if said in _EVERYONE or said in ("portfolio", "overview", "summary", "accounts"):
        return Question(Intent.accounts_by_light, text)
    known = _known_account_in(said, names)
    if known is not None:
        return Question(Intent.account_status, text, account=known)
    if names and resolve_account(said, names).found:
        return Question(Intent.account_status, text, account=said)
    return Question(Intent.help, text, understood=False)


def resolve_account(written: str, accounts: Iterable[str]) -> AccountMatch:
    """The stored account a written name means: exact, then by its words, then by spelling."""
    names = list(accounts)
    wanted = account_key(_clean_name(written))
    if not wanted:
        return AccountMatch(written, None)
    by_key = {account_key(name): name for name in names}
    if wanted in by_key:
        return AccountMatch(written, by_key[wanted])
    containing = [name for key, name in by_key.items() if re.search(rf"\b{re.escape(wanted)}\b", key)]
    if len(containing) == 1:
        return AccountMatch(written, containing[0])
    if len(containing) > 1:
        return AccountMatch(written, None, tuple(sorted(containing))[:5])
    starting = [name for key, name in by_key.items() if key.startswith(wanted) and len(wanted) >= 3]
    if len(starting) == 1:
        return AccountMatch(written, starting[0])
    close = difflib.get_close_matches(wanted, list(by_key), n=3, cutoff=0.5)
    # Spelling slips ("umbrela health", "acme crop"): also compare with each name's first word.
    firsts = {key.split(" ")[0]: key for key in by_key}
    close_first = difflib.get_close_matches(wanted, list(firsts), n=3, cutoff=0.75)
    best = [firsts[word] for word in close_first] + close
    strong = difflib.get_close_matches(wanted, list(by_key), n=2, cutoff=0.8)
    if len(strong) == 1:
        return AccountMatch(written, by_key[strong[0]])
    if len(close_first) == 1:
        return AccountMatch(written, by_key[firsts[close_first[0]]])
    return AccountMatch(written, None, tuple(dict.fromkeys(by_key[k] for k in best))[:3])
