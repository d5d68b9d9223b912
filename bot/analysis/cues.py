"""The English customer-success cues VADER does not know.

VADER scores words people use everywhere ("great", "terrible"); it has no idea
that "waiting three days", "second time this month" or "not renewing" are what
an unhappy customer sounds like. Each `Cue` here is a general pattern of how
customers write to a vendor's support or success team, never an n-gram taken
from an evaluation set. A cue belongs to a *kind*; the kind's weight (in
VADER's −4..+4 lexicon units) lives in `KIND_VALENCE`, so tuning moves whole
kinds, not single phrases.

All cues are scanned together by one `PhraseMatcher` (`CUE_MATCHER`); list
order is priority, so where two cues could start at the same word the one
listed first wins, and cues never overlap. Patterns are written in lower case
(the scan lower-cases the message) and must not contain capturing groups.
Besides a valence, a cue may carry emotions, concerns and urgency points
(`Cue.urgency`, summed per message; see `OfflineAnalyzer._urgency`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from bot.analysis.contract import Concern as C
from bot.analysis.contract import Emotion as E
from bot.analysis.patterns import read_pattern, trie_regex

# Building blocks shared by many patterns.
NUM = (
    r"(?:\d+(?:\.\d+)?\+?|a few|a couple(?: of)?|several|many|two|three|four|five|six|seven|eight|nine|ten|"
    r"eleven|twelve|fifteen|twenty|thirty|forty|fifty|an?)"
)
SPAN = r"(?:minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|months?|business days?)"
#: Negations, written to start at "not" ("is not" matches as "not") so a cue
#: is only tried where a negation can start, not at every "is" or "are".
NEG_AUX = (
    r"(?:doesn'?t|didn'?t|won'?t|isn'?t|aren'?t|can'?t|cannot|couldn'?t|wasn'?t|unable to|not able to|still "
    r"not|never|not)"
)
#: Leading counts, without "a"/"an"/"a few": those start too many words to index a cue by.
NUM_LEAD = (
    r"(?:\d+(?:\.\d+)?\+?|several|many|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|"
    r"twenty|thirty|forty|fifty)"
)
ORDINAL = r"(?:second|third|fourth|fifth|sixth|2nd|3rd|4th|5th|6th|nth|umpteenth|100th)"


@dataclass(frozen=True)
class Cue:
    """One pattern and what a match means."""

    kind: str
    pattern: str
    strength: float = 1.0
    emotions: tuple[E, ...] = ()
    concerns: tuple[C, ...] = ()
    urgency: float = 0.0
    #: The match says a problem is over ("the export bug is fixed"): a failure named just before it, in the
    #: same sentence, is that problem, not a complaint (`offline.OfflineAnalyzer._scan`).
    resolves: bool = False
    #: The match commits the customer to staying or growing with us ("we decided to stay with you").
    commits: bool = False
    #: The match says how often, not that anything went wrong ("every month", "several times"): it counts
    #: only beside another problem cue ("the sync fails every day", not "they want the report every month").
    needs_trouble: bool = False


class PhraseMatcher:
    """Finds cues in a text, fast, with the semantics of one big alternation.

    Python's `re` tries every branch of an alternation at every word start,
    which for a few hundred cue phrases costs most of a millisecond per
    message. Here each cue is indexed by the words it can begin with (worked
    out from its pattern once, at import); a scan walks the message's words
    and tries only the cues that can start at each one, in list order, and
    skips past a match like `re.finditer` would.
    """

    def __init__(self, cues: Sequence[Cue]) -> None:
        self.cues = tuple(cues)
        self._by_word: dict[str, list[int]] = {}
        self._by_prefix: dict[str, list[tuple[str, int]]] = {}
        for index, cue in enumerate(self.cues):
            groups, states = read_pattern(cue.pattern)
            if groups:
                raise ValueError(f"cue pattern has a capturing group: {cue.pattern}")
            words, prefixes = _first_words(states)
            if "" in prefixes:
                raise ValueError(f"cannot tell which word cue starts with: {cue.pattern}")
            for word in words:
                self._by_word.setdefault(word, []).append(index)
            for prefix in prefixes:
                self._by_prefix.setdefault(prefix[0], []).append((prefix, index))
        # One regex (a trie of the first words, so `re` scans it in C) finds
        # the words where some cue may start; the cues are tried only there.
        alternatives = [r"\b" + trie_regex(self._by_word) + r"\b(?!')"]
        all_prefixes = [prefix for pairs in self._by_prefix.values() for prefix, _ in pairs]
        if all_prefixes:
            alternatives.append(r"\b" + trie_regex(all_prefixes) + r"[^\W_]*")
        self._starts = re.compile("|".join(alternatives))
        # One alternation per set of cues sharing a first word, compiled on first use
        # and then found by the word itself.
        self._alternations: dict[tuple[int, ...], _Alternation] = {}
        self._per_word: dict[str, _Alternation] = {}

    def scan(self, text: str) -> list[tuple[Cue, re.Match[str]]]:
        """Each cue match in `text`, left to right, not overlapping."""
        original, lower = _fold(text)
        found: list[tuple[Cue, re.Match[str]]] = []
        matched_until = 0
        per_word = self._per_word
        for token in self._starts.finditer(lower):
            start = token.start()
            if start < matched_until:
                continue
            word = token.group()
            pattern = per_word.get(word)
            if pattern is None:
                pattern = self._word_alternation(word)
                if not pattern:
                    continue
            for segment, on_original in pattern:
                match = segment.match(original if on_original else lower, start)
                if match is not None and match.end() > start:
                    matched_until = match.end()
                    group = cast(str, match.lastgroup)  # every alternative is a named group ("c12")
                    found.append((self.cues[int(group[1:])], match))
                    break
        return found

    def _word_alternation(self, word: str) -> _Alternation:
        """The alternations for the cues that can start at `word` (empty when none can)."""
        indices = set(self._by_word.get(word, ()))
        for prefix, index in self._by_prefix.get(word[0], ()):
            if word.startswith(prefix):
                indices.add(index)
        key = tuple(sorted(indices))
        pattern = self._alternations.get(key)
        if pattern is None:
            pattern = self._alternations[key] = self._alternation(key) if key else ()
        if len(self._per_word) < _MAX_CACHED_WORDS:
            self._per_word[word] = pattern
        return pattern

    def _alternation(self, indices: tuple[int, ...]) -> _Alternation:
        """The cues that may start at one word, as alternations in priority order.

        Cue patterns are lower case and run on the lower-cased text, which is
        a third faster than IGNORECASE; a cue that checks capitals ("switch to
        <Vendor>") gets its own pattern, run case-insensitively on the
        original text, in its place in the order.
        """
        segments: list[tuple[re.Pattern[str], bool]] = []
        run: list[int] = []

        def close_run() -> None:
            if run:
                branches = "|".join(f"(?P<c{index}>{self.cues[index].pattern})" for index in run)
                segments.append((re.compile(f"(?:{branches})(?!\\w)"), False))
                run.clear()

        for index in indices:
            pattern = self.cues[index].pattern
            if _CASE_SENSITIVE in pattern:
                close_run()
                segments.append((re.compile(f"(?P<c{index}>{pattern})(?!\\w)", re.IGNORECASE), True))
            else:
                run.append(index)
        close_run()
        return tuple(segments)


#: A cue pattern containing this checks capital letters, so it must see the original text.
_CASE_SENSITIVE = "(?-i:"
_Alternation = tuple[tuple[re.Pattern[str], bool], ...]
#: Words remembered with their alternations (numbers make the set open-ended).
_MAX_CACHED_WORDS = 20_000


def _fold(text: str) -> tuple[str, str]:
    """(text with curly apostrophes straightened, its lower case), both as long as `text`."""
    if "\u2019" in text:
        text = text.replace("\u2019", "'")
    lower = text.lower()
    if len(lower) != len(text):  # a few characters lower-case to two ("İ")
        lower = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    return text, lower


def _first_words(states: set[tuple[str, str]]) -> tuple[set[str], set[str]]:
    """The words a match can begin with, and word prefixes when that set is open (from `read_pattern`)."""
    words = {prefix for prefix, state in states if state != "wild" and prefix}
    prefixes = {prefix for prefix, state in states if state == "wild"}
    return words, prefixes


#: Valence per kind, in VADER lexicon units, added to VADER's raw sum. Tuned on
#: the dev splits only (see bench/accuracy.py); kinds with 0 carry topics,
#: emotions or urgency but no sentiment of their own.
KIND_VALENCE: dict[str, float] = {
    "waiting": -2.2,
    "repeated": -1.9,
    "failure": -1.7,
    "service_failure": -1.6,
    "churn": -2.2,
    "switching": -2.2,
    "comparison": 0.0,
    "competitor": -0.75,
    "expansion": 0.0,
    "expansion_keen": 1.5,
    "idiom_positive": 2.5,
    "sarcasm": -3.0,
    "gratitude": 0.25,
    "praise": 0.75,
    "complaint_question": -1.8,
    "plea": -1.0,
    "anger": -1.5,
    "confusion": 0.0,
    "anxiety": -0.4,
    "disappointment": -0.8,
    "urgency": 0.0,
    "urgency_time": 0.0,
    "calm": 0.0,
    "topic": 0.0,
    "request": 0.0,
    "polite": 0.0,
    "polite_request": 0.0,
}

#: Kinds that describe something going wrong for the customer; a positive
#: opener ("Great,") next to one of these reads as sarcasm.
PROBLEM_KINDS = frozenset(
    {"waiting", "repeated", "failure", "service_failure", "churn", "switching", "complaint_question", "anger",
     "disappointment", "plea"}
)

_FRU = (E.frustration,)
_DIS = (E.disappointment,)

WAITING = [
    Cue("waiting", rf"wait(?:ing|ed)(?: for)?(?: over| more than| almost| nearly| about| like| for)? "
                   rf"{NUM}(?:\+|\s|-)?{SPAN}",
        1.2, _FRU, (C.support_responsiveness,), 1.0),
    Cue("waiting", rf"{SPAN} (?:and|with|but|of) (?:still )?no (?:answer|response|reply|word|update|"
        rf"call ?back|fix|resolution|help)|{SPAN} without (?:a |an |any )?(?:answer|response|reply|word|"
        r"update|call ?back|fix)", 1.2, _FRU, (C.support_responsiveness,), 1.0),
    Cue("waiting", r"still (?:waiting|no (?:answer|response|reply|word|update|news|fix|resolution|refund|"
                   r"solution|call ?back))", 1.2, _FRU, (C.support_responsiveness,), 1.0),
    Cue("waiting", r"on hold(?: for)?", 1.0, _FRU, (C.support_responsiveness,), 0.5),
    Cue("waiting", r"wait(?:ing|ed)? (?:on|for) (?:a |an |any |your |my |our |the )?(?:reply|response|answer|"
                   r"call ?back|update|refund|resolution|fix|someone|somebody|anyone|an agent|a "
                   r"human)", 1.0, _FRU,
        (C.support_responsiveness,), 0.5),
    Cue("waiting", rf"{NUM_LEAD} ?(?:{SPAN}|hr|min) (?:of )?(?:wait(?:ing)?|delay|on hold|late|in line|in a "
                   rf"queue|queue)|{NUM_LEAD}(?:\+| \+)? {SPAN} (?:and counting|later|"
                   rf"now)", 1.0, _FRU, (C.support_responsiveness,), 0.5),
    Cue("waiting", rf"(?:it'?s|it'?s already|already) been (?:over |more than |almost |nearly )?"
                   rf"(?:{NUM}) "
        rf"{SPAN}|(?:no ?one|nobody) (?:has )?(?:even )?(?:acknowledged|looked at|read|touched|picked up)|"
        r"(?:no ?one|nobody) (?:thought|bothered|cared) to (?:mention|tell|inform|warn|notify|ask)",
        1.2, _FRU, (C.support_responsiveness,), 1.0),
    Cue("waiting", r"any (?:answer|response|reply|update|news|word) (?:on|about|regarding|to|"
                   r"from)", 0.6, _FRU,
        (C.support_responsiveness,)),
    Cue("waiting", r"(?:(?<=and )|(?<=still ))counting|(?:got|getting|gotten|get) nowhere|no (?:one|body) "
                   r"(?:to talk|picks up|answers)|hung up|hang(?:s|ing)? up on (?:me|us)|black hole|run "
                   r"?around", 1.0, _FRU,
        (C.support_responsiveness,), 0.5),
    Cue("waiting", rf"tried (?:calling|to call|emailing|to email|contacting|to contact|to reach|reaching|"
                   rf"messaging|to get through)(?: \w+)? (?:{NUM} times|{NUM}x|multiple times|several times|"
                   rf"all day|for {NUM} {SPAN})|tried {NUM}(?:x| "
                   rf"times)", 1.2, _FRU, (C.support_responsiveness,), 0.5),
    Cue("waiting", r"hold times?|wait times?|waiting times?|long (?:wait|lines?|queues?)", 0.8, _FRU,
        (C.support_responsiveness,)),
    Cue("waiting", r"(?:no ?one|nobody|no body|no one) (?:has |have |is |will |can |ever )?(?:answer|respond|"
                   r"repl(?:y|i)|get(?:s|ting)? back|got back|gotten back|call(?:ed|s)? back|pick(?:s|ed)? "
                   r"up|help|contact|follow(?:ed|s)? up|reach(?:ed)? "
                   r"out)\w*", 1.2, _FRU, (C.support_responsiveness,), 0.5),
    Cue("waiting", r"no (?:answer|response|reply|replies|responses|update|updates|call ?back|follow[- "
                   r"]?up)(?: yet| so far| at all| whatsoever| "
                   r"from)?", 1.0, _FRU, (C.support_responsiveness,), 0.5),
    Cue("waiting", r"(?:haven'?t|have not|hasn'?t|has not|didn'?t|did not|never|still haven'?t) (?:heard|"
                   r"gotten|got|received|had) (?:back|(?:a|an|any)(?: \w+)? (?:response|reply|answer|update|"
                   r"call|email))",
        1.2, _FRU, (C.support_responsiveness,), 0.5),
    Cue("waiting", r"(?:haven'?t|have not|hasn'?t|has not|didn'?t|did not|never) (?:responded|replied|"
                   r"answered|called (?:me |us )?back|gotten back|got back|followed up)", 1.2, _FRU,
        (C.support_responsiveness,), 0.5),
    Cue("waiting", r"is (?:any|some)(?:one|body) (?:there|listening|reading (?:this|these)|home|working on "
                   r"(?:this|it)|out there)", 1.4, _FRU, (C.support_responsiveness,), 1.0),
    Cue("waiting", r"(?:ignored|ignoring (?:me|us|my|our)|radio silence|left in the dark|crickets|fell "
                   r"through the cracks|ghosted)", 1.2, _FRU, (C.support_responsiveness,), 0.5),
    Cue("waiting", r"how (?:much )?long(?:er)? (?:do|will|does|must|should|are) (?:i|we|you)(?: have to| "
                   r"need to| expect to)? (?:wait|be waiting)", 1.0, _FRU, (C.support_responsiveness,), 0.5),
    Cue("waiting", r"(?:taking|takes|took|taken) (?:so|too|this|way too) long|(?:taking|takes|took|taken) "
                   r"(?:forever|ages)|(?:so|too|very|really) slow to (?:respond|reply|answer)", 1.0, _FRU,
        (C.support_responsiveness,), 0.5),
    Cue("waiting", rf"(?:multiple|countless|numerous|{NUM_LEAD}) (?:emails|calls|tickets|messages|"
        r"tweets|dms|attempts|requests)(?: later)?(?:,| and| but| with)(?: still)? (?:no|nothing|nobody)",
        1.4, _FRU, (C.support_responsiveness,), 1.0),
    Cue("waiting", r"(?:can'?t|cannot|couldn'?t|unable to|impossible to|trying to) (?:get (?:through|thru|a "
                   r"hold|ahold|anyone|someone)|reach (?:anyone|anybody|someone|a (?:human|person|rep|"
                   r"agent))|talk to (?:a (?:human|person|real person)|anyone|"
                   r"someone))", 1.2, _FRU, (C.support_responsiveness,), 0.5),
    Cue("waiting", r"(?:hung up on|disconnected|call (?:was )?dropped|kept me on hold|transferred (?:me "
                   r")?(?:\w+ )?times)", 1.2, _FRU, (C.support_responsiveness,)),
]

REPEATED = [
    Cue("repeated", rf"{ORDINAL} (?:time|outage|incident|failure|crash|breach|bug|issue|problem|error)s?"
        r"(?: (?:this|in a|in|that|today|now))?(?: (?:week|month|year|quarter|row|days?|weeks|months))?",
        1.2, _FRU + _DIS, (C.reliability,), 1.5),
    Cue("repeated", r"(?:yet|once|over and over|time and time|again and) again|all over again|(?:happen(?:ed|"
                    r"ing|s)?|down|broken|failing|failed|crashed|crashing|delayed|cancell?ed|late|wrong) "
                    r"again",
        1.0, _FRU, (), 0.5),
    Cue("repeated", r"(?:not|isn'?t|wasn'?t) the first time|how many (?:more )?times",
        1.0, _FRU, (C.reliability,), 0.5),
    Cue("repeated", r"every (?:single )?(?:time|day|week|month)|(?:multiple|several|many|countless|numerous|"
                    r"so many|too many) times|(?:twice|three times) (?:this|in|now|already)|(?:recurring|"
                    r"repeated(?:ly)?|constantly|chronic(?:ally)?|persistent)",
        1.0, _FRU, (C.reliability,), 0.5, needs_trouble=True),
    Cue("repeated", r"consistently (?:broken|failing|late|wrong|down|slow|buggy)|not once|never once|not "
                    r"(?:a single|one) (?:time|day|week)|again (?:overnight|today|this (?:morning|week|"
                    r"month)|yesterday|last night)|(?:were|was) told (?:it|this|that) (?:was|would be|had "
                    r"been|is) (?:fixed|resolved|sorted|solved)", 1.2, _FRU + _DIS, (C.reliability,), 0.5),
    Cue("repeated", rf"(?:{ORDINAL}|\d+(?:st|nd|rd|th)) (?:attempt|try|call|email|request|ticket|complaint)|"
        r"keeps? (?:telling|saying|showing|giving|asking|sending|getting)|"
        r"keep (?:getting|being) told|told (?:me|us) (?:\w+ )?(?:again|twice|three times)|"
        r"keeps? (?:on )?(?:failing|crashing|breaking|happening|going down|timing out|logging (?:me|us)"
        r" out|dropping|disconnecting|freezing|getting worse|losing|changing|getting (?:delayed|cancell?ed)|"
        r"erroring)", 1.2, _FRU, (C.reliability,), 0.5),
    Cue("repeated", r"still (?:doesn'?t|does not|don'?t|do not|isn'?t|is not|not|won'?t|can'?t|cannot|"
                    r"hasn'?t|haven'?t|has not|have not|didn'?t|did not|broken|down|failing|having|getting|"
                    r"seeing|happening|no|stuck|missing|wrong|the same)", 1.2, _FRU, (), 0.5),
    # A fix that did not hold: the ticket reopened, or "resolved" contradicted in the next breath.
    Cue("repeated", r"re-?open(?:ed|ing) (?:it|(?:the|this|my|our) (?:ticket|case|issue|bug|incident|"
                    r"request))(?! by mistake| accidentally| for you)|re-?opened[.!]? again|(?:marked|closed|"
                    r"flagged|set) (?:it |this )?(?:as )?['\"‘’“]?(?:resolved|solved|fixed|done|complete)"
                    r"['\"‘’”]?[.,;:!]* (?:but )?(?:it|this|that)(?:'s| is| was|’s)(?: still)? not\b", 1.2,
        _FRU + _DIS, (C.support_responsiveness,), 0.5),
    Cue("repeated", r"(?:same|identical) (?:issue|problem|error|bug|thing|story|excuse) (?:again|as "
                    r"(?:before|last)|keeps)|(?:another|yet another|one more) (?:outage|incident|failure|bug|"
                    r"issue|problem|crash|delay|cancell?ation|error|glitch|disruption|excuse|"
                    r"mistake)", 1.2, _FRU + _DIS, (C.reliability,), 0.5),
]

FAILURE = [
    Cue("failure", rf"{NEG_AUX} (?:even )?(?:work|load|open|connect|sync|log ?in|sign ?in|access|start|run|"
                   rf"respond|"
        r"save|send|print|download|upload|update|install|import|export|complete|process|go through|function|"
        r"display|show (?:up)?|render)", 1.0, _FRU, (C.bug,)),
    Cue("failure", rf"{NEG_AUX} (?:fix|solve|resolve|help with|change anything|make a difference)|(?:were|"
                   rf"was|is|"
        r"are|came back|show(?:s|ed)?) (?:completely |totally |all )?(?:empty|blank)|duplicate[ds]?|"
        r"(?:dropped|deleted|wiped|lost|corrupted|overwrote|overwritten) (?:our|my|all|the|some) (?:\w+ )?"
        r"(?:data|"
        r"notes|records|files|contacts|history|settings|changes|work)", 1.0, _FRU, (C.bug,)),
    Cue("failure", r"(?:suspicious|unknown|unrecogni[sz]ed|unauthori[sz]ed|unusual) (?:logins?|log-?ins?|"
                   r"access|activity|sessions?|charges?)|detected (?:logins?|access|activity)|lock (?:the|"
                   r"our|my) account|(?:accidentally )?deleted (?:a|the|our|my) (?:\w+ )?(?:workspace|"
                   r"account|project|data|records|history|database)|need (?:it|this|them|that) (?:restored|"
                   r"recovered|back)", 1.0, (E.anxiety,),
        (C.security_privacy,), 2.5),
    # Thrown out of the app over and over; a configured timeout ("logs you out after 30 minutes") is not it.
    Cue("failure", r"(?:logs?|logged|logging|kicks?|kicked|kicking|signs?|signed|boots?|booted|throws?|"
                   r"threw) (?:me|us|them|everyone|users|people) out (?:\d+|again|every|constantly|randomly|"
                   r"several|multiple|all the time|repeatedly|twice|three|four|five|six)", 1.0, _FRU,
        (C.bug,)),
    Cue("failure", r"(?:whole|entire|all of (?:our|the)) (?:team|floor|company|office|org\w*|support \w+|"
                   r"staff) (?:is|are) (?:idle|blocked|down|stuck|waiting|"
                   r"unable)", 1.0, (E.anxiety,), (C.reliability,), 3.0),
    Cue("failure", r"(?:our|my) (?:customers|clients|users|members) (?:are|were|keep) (?:getting|seeing|"
                   r"receiving|complaining|affected|impacted|locked out|"
                   r"unable)", 1.0, (E.anxiety,), (C.reliability,), 2.5),
    Cue("failure", r"(?:should have been|supposed to be|meant to be) (?:private|hidden|restricted|secure|"
                   r"internal)|(?:visible|exposed|accessible) to (?:anyone|everyone|the public|other "
                   r"customers|outsiders)|who (?:accessed|viewed|saw|downloaded) (?:it|this|"
                   r"the)", 1.0, (E.anxiety,),
        (C.security_privacy,), 3.0),
    Cue("failure", r"impossible to \w+|(?:please|pls|plz) (?:fix|sort|resolve|look into|address|correct)",
        0.8, _FRU, ()),
    Cue("failure", rf"{NEG_AUX} (?:even )?(?:stream|find|reach|use|play|watch|pay|book|check ?in|change|"
                   rf"order|"
        r"call|contact|track|redeem|activate|cancel|get (?:it|my|our|a|through|in)|make (?:it|a|the)|"
        r"log on|sign on)", 0.6, _FRU, ()),
    Cue("failure", r"(?:not|stopped|stop|quit) (?:working|loading|syncing|responding|functioning|showing|"
                   r"saving|sending|connecting|updating)", 1.0, _FRU, (C.bug,)),
    Cue("failure", r"(?:system|site|service|platform|app|server|website|portal|api|everything|checkout|login|"
                   r"dashboard|database|integration|sync|product|tool|internet|wi-?fi|network|connection|"
                   r"power|signal|email|phone|phones|account|tv|page|link|payment|card|order) (?:is |are |"
                   r"was |went |has (?:been |gone )?|keeps going |goes )?(?:down|offline|unreachable|"
                   r"unavailable|unresponsive|broken|failing|failed|crashed|dead)|(?:internet|power|service|"
                   r"wi-?fi|tv|phone|network|connection|cable|signal) (?:has been |is |was |went |been "
                   r")?out(?: for| again| since| all)",
        1.2, _FRU, (C.reliability,), 1.0),
    Cue("failure", r"outages?|downtime|(?:data|service) loss", 1.0, _FRU, (C.reliability,), 1.5),
    Cue("failure", r"(?:epic ?fail|fail|crash(?:ed|es|ing)?|fail(?:ed|s|ing|ure|ures)|broken|malfunction(?:s|"
                   r"ed|ing)?|unusable|unstable)", 1.0, _FRU, (C.reliability,), 0.5),
    Cue("failure", r"(?:bugs?|buggy|glitch(?:es|y)?|errors?|exceptions?|defects?|regression)", 0.8, (),
        (C.bug,)),
    Cue("failure", r"(?:slow(?:ness|er|est|ly)?|sluggish|lag(?:gy|s|ging)?|laggy|time[ds]? ?out|timeouts?|"
                   r"latency|takes? (?:minutes|forever|ages) to load|loading forever|spinning|hangs?|"
                   r"freez(?:es|ing)|timing out|times out)",
        0.8, _FRU, (C.performance,)),
    Cue("failure", r"(?:doesn'?t|does not|didn'?t|did not|won'?t) (?:match|add up|make sense)|(?:wrong|"
                   r"incorrect|inaccurate) (?:data|numbers|totals?|amount|charge|item|order|invoice|"
                   r"report)", 1.0, (E.confusion,),
        (C.bug,)),
]

SERVICE_FAILURE = [
    # "Late" of a flight or a delivery; not of someone staying late to help, nor of the time of day.
    Cue("service_failure", r"(?:never|rarely|not|seldom|hardly ever|no longer) on time|(?:delay(?:ed|s)?|"
                           r"(?<!stayed )(?<!staying )(?<!stay )(?<!worked )(?<!working )(?<!work )(?<!up )"
                           r"late(?! (?:last night|at night|afternoon|morning|evening|in the day|into the "
                           r"night|tonight|to help|on a))|cancell?(?:ed|ation|ations)|rescheduled|overbooked|"
                           r"oversold|diverted|"
                           r"bumped|stranded|stuck|missed (?:my|our|the) (?:connection|flight|meeting|"
                           r"deadline|delivery))",
        1.0, _FRU, (C.reliability,), 0.5),
    Cue("service_failure", r"(?:lost|missing|damaged|broken|misplaced|stolen|never (?:arrived|received|"
                           r"showed up|came|got)|(?:hasn'?t|has not|haven'?t|have not|didn'?t|did not) "
                           r"(?:arrive|arrived|show(?:n|ed)? up|come|been (?:delivered|shipped|fixed|"
                           r"resolved|processed|refunded|credited)))",
        1.0, _FRU, ()),
    Cue("service_failure", r"(?:price|prices|pricing|invoice|bill|cost|fees?|rate)s? (?:went|gone|has gone|"
                           r"have gone|is going|are going|has gone) up|price (?:increase|hike|jump)|(?:\d+ "
                           r"?%|doubled|tripled) (?:increase|more|higher|price)|(?:constant|real|huge|major|"
                           r"massive|ongoing) (?:headache|pain|hassle|struggle)|headache|hassle|sticking "
                           r"point|deal ?breaker|red flag|(?:has )?stagnated",
        1.0, _FRU + _DIS, (C.pricing,)),
    Cue("service_failure", r"(?:need|want|demand|requesting|request|where(?:'s| is)|still no) (?:a |my |our |"
                           r"the |full )?(?:refund|reimbursement|compensation|money back)|(?:compensat(?:e|"
                           r"ion)|reimburs(?:e|ed|ement|ements|ing))",
        0.7, _FRU, (C.billing,)),
    Cue("service_failure", r"(?:have|has|still have|still has) yet to (?:receive|get|hear|see|arrive|be)|"
                           r"(?:not|never) (?:getting|receiving|received|got) (?:my|our|the|a|any)|"
                           r"(?:haven'?t|have not|hasn'?t|has not) (?:had|got|gotten|received|heard|seen) "
                           r"(?:\w+ )?yet|(?:sent|sending|delivered|received|got|gave|charged) (?:me |us "
                           r")?(?:the |a )?wrong|(?:defective|faulty|broke down|breaks down|leak(?:s|ing)|"
                           r"recall(?:ed)?|(?:more )?repairs?)", 1.0, _FRU, ()),
    Cue("service_failure", r"(?:haven'?t|have not|hasn'?t|has not|didn'?t|did not|never) (?:yet "
                           r")?(?:received|gotten|got|get|been (?:given|sent|told|contacted|informed|"
                           r"notified)) (?:my|our|the|a|an|any|it|them|anything|word)|(?:has not|hasn'?t|"
                           r"have not|haven'?t|still not|not yet) (?:departed|boarded|arrived|moved|left|"
                           r"taken off|shipped|been (?:shipped|delivered|processed|fixed|"
                           r"resolved))", 1.0, _FRU, ()),
    Cue("service_failure", r"(?:didn'?t|did not|doesn'?t|does not|won'?t|will not|don'?t|do not) (?:even "
                           r")?(?:help|care|listen|bother|follow up|call (?:me |us )?back|keep (?:me|us) "
                           r"(?:informed|updated))|left (?:stranded|behind|in the dark|waiting|on hold|"
                           r"without)|(?:never|didn'?t|did not) happen(?:ed)?",
        1.0, _FRU, (C.support_responsiveness,)),
    Cue("service_failure", r"(?:over ?charged|double[- ]charged|charged (?:me |us )?(?:twice|double|again|"
                           r"for nothing)|no refund|(?:still )?(?:haven'?t|have not|didn'?t) (?:got|gotten|"
                           r"received) (?:my|our|a|the) refund|hidden (?:fees?|charges?)|(?:charged|billed) "
                           r"(?:me|us)? ?(?:wrong|incorrectly))", 1.2, _FRU,
        (C.billing,), 0.5),
    Cue("service_failure", r"(?:waste|wasted|wasting) (?:of )?(?:my |our |so much |an? )?(?:time|money|day|"
                           r"hours?|morning|afternoon|evening|weekend)", 1.2, _FRU + _DIS),
    Cue("service_failure", r"(?:rude|unhelpful|not helpful|no help|useless|clueless|incompetent|"
                           r"unprofessional|poor (?:service|support|communication|experience)|bad (?:service|"
                           r"support|experience|customer service)|(?:terrible|horrible|awful|worst|lousy) "
                           r"(?:service|support|experience|customer service))",
        1.0, (E.frustration, E.anger), (C.support_responsiveness,)),
    Cue("service_failure", r"(?:nothing|no one|nobody) (?:is |has been |was )?(?:done|fixed|resolved|"
                           r"helping)|(?:no|zero|without any) (?:help|explanation|communication|compensation|"
                           r"apology|options?|info|information|updates?)", 1.0, _FRU, ()),
]

CHURN = [
    Cue("churn", r"cancel(?:l?ing|l?ed)? (?:our|my|the|this) (?:\w+ )?(?:subscription|account|contract|plan|"
                 r"service|membership|license|licence|order|seats?|"
                 r"renewal)", 1.2, _DIS, (C.contract_renewal,), 1.0),
    Cue("churn", r"(?:want|going|plan(?:ning)?|decided|need|like|have|ready) to (?:cancel|terminate|leave|"
                 r"unsubscribe|quit|churn|move on)", 1.2, _DIS, (C.contract_renewal,), 1.0),
    Cue("churn", r"(?:not|won'?t|will not|aren'?t|are not|don'?t|do not|unlikely to|hesitant to|no longer) "
                 r"(?:be )?(?:going to )?renew(?:ing|al)?"
                 # Another vendor's system let go ("not renewing the old phone system") is no goodbye to us.
                 r"(?! (?:the |our )(?:contract with (?:the )?)?(?:old|legacy|previous|former|outgoing)\b)",
        1.4, _DIS, (C.contract_renewal,), 1.0),
    Cue("churn", r"reconsider(?:ing)? (?:our|the|my|this) (?:\w+ )?(?:renewal|contract|subscription|"
                 r"partnership|relationship|investment|business|membership|loyalty|options)", 1.4, _DIS,
        (C.contract_renewal,), 1.0),
    Cue("churn", r"(?:evaluat|re-?evaluat|look|shopp)(?:e|ing) (?:at |around (?:for )?)?(?:other|alternative|"
                 r"different|new) (?:vendors|providers|options|tools|solutions|platforms|suppliers|carriers|"
                 r"companies)",
        1.2, _DIS, (C.contract_renewal,), 1.0),
    Cue("churn", r"(?:take|taking) (?:our|my) business (?:elsewhere|somewhere else)|(?:last|final) straw|"
                 r"(?:lost|losing) (?:a |me as a |us as a? )?(?:customer|client)|you(?:'ve| have)? (?:just "
                 r")?lost (?:a|me|us|my|our)|close (?:my|our) account|done (?:with|doing business with) "
                 r"(?:you|your)|never (?:again|(?:fly|flying|use|using|buy|buying|order|ordering|book|"
                 r"booking|shop|shopping|"
                 r"recommend)\b.{0,40}?\bagain)", 1.4, _DIS, (C.contract_renewal,), 0.5),
    Cue("churn", r"(?:cut(?:ting)?|reduc(?:e|ing)|drop(?:ping)?|scal(?:e|ing) back) (?:\w+ )?(?:seats|"
                 r"licenses|licences|users|our (?:plan|usage|spend|contract))|downgrad(?:e|ing)|terminat(?:e|"
                 r"ing) (?:our|the|my) (?:\w+ )?(?:contract|agreement|account|subscription)|end(?:ing)? "
                 r"(?:our|the) (?:contract|relationship|partnership|subscription)", 1.2, _DIS,
        (C.contract_renewal,), 0.5),
    Cue("churn", r"move off (?:the|your|this) (?:platform|product|tool|service)|(?:have|leave us|leaves us|"
                 r"left with) no (?:other )?(?:choice|option) but to|(?:already )?cancell?ed (?:in|on|last|"
                 r"our|the|it|back)|be cancell?ing|we'?re done\b|renewal (?:decision|review|conversation) is "
                 r"(?:next|this|coming|in|on)", 1.2, _DIS, (C.contract_renewal,), 1.0),
    Cue("churn", r"(?:decided|decision|plan|planning|going) not to renew|wind(?:ing)? down|phas(?:e|ing) "
                 r"(?:\w+ )?out|sunset(?:ting)? (?:our|the)|stop(?:ping)? using|(?:after|once|when) (?:the|"
                 r"our) account (?:closes|is closed)|(?:cut|cutting|reduc(?:e|ing)|drop(?:ping)?|scal(?:e|"
                 r"ing) back|go(?:ing)? down)(?: \w+){0,3}? (?:seats|licen[cs]es|users) (?:to|at)|\d+ "
                 r"(?:seats|licen[cs]es|users) (?:down )?to \d+|(?:reduce|downsize|cut back|scale down|cut) "
                 r"(?:at|before|for|by) (?:the |our )?renewal|drop (?:the|your|this) (?:tool|product|"
                 r"platform|service|subscription)(?: entirely| altogether)?|drop(?:ping)? (?:down )?to "
                 r"(?:the |a )?(?:basic|cheaper|lower|free|starter|smaller|lite) (?:plan|tier|version|"
                 r"package)|only reason (?:we'?re|we are|i'?m|i am) still (?:here|with you|a customer|"
                 r"customers|using)|(?:up for|under) review", 1.2, _DIS,
        (C.contract_renewal,), 1.0),
    Cue("churn", r"(?:no longer|never again|won'?t ever|will never|won'?t be) (?:fly(?:ing)?|us(?:e|ing)|"
                 r"buy(?:ing)?|book(?:ing)?|shop(?:ping)?|order(?:ing)?|do(?:ing)? business|work(?:ing)? "
                 r"with|recommend(?:ing)?)",
        1.4, _DIS, (C.contract_renewal,), 0.5),
    Cue("churn", r"(?:thinking|considering|think|consider) (?:about |of )?(?:leaving|switching|moving|"
                 r"cancel+ing|churning|dropping you|going elsewhere)", 1.2, _DIS, (C.contract_renewal,), 0.5),
]

_NOT_A_VENDOR = (
    r"(?!(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|"
    r"July|August|September|October|November|December|I|The|This|That|Our|My|Your|It|Q[1-4])\b)"
)

COMPETITOR = [
    # Leaving for someone else: churn risk and a competitor at once.
    Cue("switching", r"(?:switch(?:ing|ed)?|mov(?:e|ing|ed)|migrat(?:e|ing|ed)|go(?:ing)? over|jump(?:ing)? "
                     r"ship)"
        r" (?:over )?to (?:a |an )?(?:competitor|another (?:vendor|provider|tool|platform|solution|company|"
        r"service)|a different (?:vendor|provider|tool|platform|solution|company|service)|"
        rf"{_NOT_A_VENDOR}(?-i:[A-Z][\w.&-]+))", 1.0, _DIS, (C.contract_renewal,), 0.5),
    Cue("switching", r"(?:evaluat|re-?evaluat|look|shopp|consider|explor)(?:e|ing|ed)? (?:at |into "
                     r")?(?:other (?:vendors|providers|tools|solutions|platforms|options)|alternatives|"
                     r"competitors|the competition)|shopping around", 1.0, _DIS, (C.contract_renewal,), 0.5),
    Cue("comparison", r"bake-?off|head[- ]to[- ]head|(?:between|vs\.?|versus) you and|(?:comparing|compare|"
                      r"benchmarking) (?:you|your \w+) (?:with|to|against)|(?:why (?:we|i) (?:don'?t|do not) "
                      r"just|should (?:we|i) just|might as well) (?:use|switch to|go with|move "
                      r"to)", 1.0, _DIS, (C.contract_renewal,), 0.5),
    Cue("competitor", r"(?:competitors?|competition|alternatives?|rival|other (?:vendors|providers|tools|"
                      r"solutions|platforms|airlines|carriers|companies|banks)|cheaper (?:option|offer|deal|"
                      r"quote)s?|(?:better|cheaper) (?:deal|price|offer|service) (?:elsewhere|from|at|with)|"
                      r"(?:offer|quote|proposal|pricing) from (?:a |another |"
                      r"(?-i:[A-Z][\w.&-]+)))", 1.0, (), ()),
]

#: What has a time limit rather than a size: extending a trial, a pilot or a deadline buys time, not growth.
_TIME_BOUND = (r"(?:trial|pilot|poc|evaluation|eval|deadline|due date|grace period|notice period|demo|"
               r"sandbox|payment terms|invoice|quote|offer|discount)s?\b")

EXPANSION = [
    Cue("expansion", rf"(?:more|additional|extra|another {NUM}|{NUM_LEAD} more|{NUM_LEAD} (?:additional|"
                     rf"extra|new)) (?:(?:admin|editor|viewer|analyst|agent|sales|support|paid|named|full|"
                     rf"power|pro|enterprise|standard|basic|creator|developer|guest|member|user) )?(?:seats|"
                     rf"licenses|licences|users|accounts|workspaces|agents|logins|instances|sites)|"
                     # Out of seats, or a bump asked for: the account has grown into its plan.
                     rf"out of (?:seats|licenses|licences|user slots|licen[cs]e slots)|"
                     rf"no (?:more |spare |free )?(?:seats|licenses|licences) left|(?:hit|reached|at|"
                     rf"maxed out) (?:our|the) (?:seat|user|licen[cs]e) (?:limit|cap|count)|bump(?:ing)? "
                     rf"(?:us|our (?:seats|licen[cs]es|plan|seat count|user count)) (?:up )?(?:by|to) "
                     rf"{NUM_LEAD}", 1.0,
        (E.excitement,), (C.contract_renewal,)),
    Cue("expansion", rf"add(?:ing)? (?:these |those |the |our )?(?:{NUM}|more|another|a few|some|extra|"
        rf"additional) (?:\w+ )?(?:seats|licenses|licences|users|people|teams|team members|agents|"
        rf"departments)|add(?:ing)? (?:the|our) (?:\w+ )?(?:team|department|office|site) \(?{NUM_LEAD} "
        r"(?:users|people|seats)", 1.0, (E.excitement,),
        (C.contract_renewal,)),
    Cue("expansion_keen", r"(?:wants?|want) in\b|would love to (?:add|expand|roll|bring|get|extend|grow)|"
                          r"no-?brainer|double (?:the|our) (?:seat|user|licen[cs]e)s?(?: count)?|(?:double|"
                          r"triple) (?:our|the) (?:seats|users|licen[cs]es|usage|"
                          r"footprint)", 1.0, (E.excitement,), ()),
    Cue("expansion", r"roll(?:ing)?(?: \w+){0,3}? out (?:to|across|there|globally|company-?wide|everywhere)|"
                     rf"extend(?:ing)? (?:it|them|this|that|the (?!{_TIME_BOUND})\w+) to "
                     r"(?:our|the|other|more|another)|\d+ "
                     r"(?:more |new |additional )?(?:agents|users|seats|people|employees|staff) (?:will "
                     r")?need (?:access|seats|licen[cs]es|accounts)|add(?:ing)? (?:the |an? )?(?:\w+ "
                     r")?add-?on|(?:second|another|new|additional) workspace|(?:other|more|additional|new|"
                     r"another) (?:teams?|departments?|business units?|offices?|regions?|markets?|countries|"
                     r"subsidiaries|divisions?) (?:want|would|are|could|to|as well|too)|new regions?|"
                     rf"(?:expand|expanding|extend|extending) (?!(?:our|the) (?:\w+ )?{_TIME_BOUND})"
                     r"(?:our|the|to|usage|use|into|across)", 1.0, (E.excitement,),
        ()),
    # A new site of theirs that should run on us too: a new region or team in the customer's words.
    Cue("expansion", r"(?<!n't )(?<!not )(?<!never )(?<!no longer )(?:like|want|need|get|have|send|set up|"
                     r"roll out) (?:the )?same (?:setup|set-up|configuration|config|deployment|rollout|"
                     r"licen[cs]es?|plan) (?:there|for (?:them|it|that|the new|our new|the other|our other))|"
                     r"(?:opening|launching|setting up|standing up) (?:a |an |our )?(?:new |second |third |"
                     r"another )?(?:\w+ )?(?:hub|office|site|plant|branch|location|region|subsidiary|clinic|"
                     r"warehouse)s? (?:in|next|this|early|later|and we|and would|that will)", 1.0,
        (E.excitement,), ()),
    Cue("expansion", r"upgrad(?:e|ing) from \w+ to|upgrad(?:e|ing) (?:to|our|the|my) (?:\w+ )?(?:plan|tier|"
                     r"edition|package|subscription|license|account)|(?:enterprise|premium|pro|business|"
                     r"higher) (?:plan|tier|edition)|(?:scale|scaling) up|grow(?:ing)? (?:our|the) (?:usage|"
                     r"account|team|contract|deployment)|interested in (?:the |your )?(?:\w+ )?(?:plan|tier|"
                     r"add-?on|module|upgrade)", 1.0, (E.excitement,),
        (C.pricing,)),
]

#: Praise in scare quotes: the 'quick' reply, the 'resolved' ticket, the 'heads-up' after the charge. Found
#: beside the cues (a cue starts at a word, and a word followed by a quote is not one).
SCARE_QUOTED_PRAISE_RE = re.compile(
    r"(?<![\w'‘\"“])['‘\"“](?:quick|fast|speedy|prompt|smart|resolved|solved|fixed|heads[- ]up|loyalty|"
    r"improvement|improved|helpful|seamless|easy|simple|intuitive|new and improved|simplified|streamlined|"
    r"proactive|quick fix|scheduled maintenance)['’\"”](?=[\s.,!?;:)]|$)"
    # A quoted name is no irony: the 'Quick' view, the "Smart" filters setting.
    r"(?! (?:view|button|tab|mode|filters?|features?|settings?|options?|menu|plan|tier|package|label|status|"
    r"field|column|template|report|search|start|guide|link|action|toggle|check ?box|flag|workflow)s?\b)",
    re.IGNORECASE,
)

#: A low score written in the text: one or two stars of five, a CSAT of 1–2, an NPS of 0–4.
LOW_RATING_RE = re.compile(
    r"(?<!☆)★{1,2}☆{3,4}(?!☆)|(?:rating|rated|rate|score|csat|gave (?:you|it|us))\W{0,3}(?:[12] ?(?:/|out of|"
    r"of) ?5\b|[12] stars?\b)|\b[12] ?(?:/|out of) ?5 stars?\b|(?:gave|give|giving|rate|rated|rating|left|"
    r"leave|leaving) (?:you |it |us |them |this )?(?:one|two|1|2)[- ]stars?\b|(?:nps|score|rating|"
    r"rated)\W{0,3}[0-4] ?(?:/ ?10|out of 10)\b|\bnps\W{0,3}[0-4]\b(?! ?(?:/|out of) ?5)",
    re.IGNORECASE,
)

#: A score opening a survey verbatim, in any of the five languages: "3 - meh", "9/10 does the job",
#: "Score: 1. Support was okay.", "Note : 2. Bof.", "Bewertung: 1 - naja". A bare number needs a dash after
#: it and a scale needs a comment, so counts ("2 issues"), times ("10:30"), ranges ("10 - 11am") and
#: numbered steps ("1 - Export the report") are no scores; `written_score` rejects dates and proportions.
OPENING_SCORE_RE = re.compile(
    r"\A[\W_]{0,3}(?:(?P<label>nps|csat|score|rating|rated|puntuaci[oó]n|calificaci[oó]n|valoraci[oó]n|nota|"
    r"note|bewertung|punkte?|punktzahl|avalia[cç][aã]o|pontua[cç][aã]o)\s*(?:[:=-]|\bis\b)?\s*)?"
    r"(?P<score>10|[0-9])(?![0-9]|[.,:][0-9]|/[0-9]{1,2}/)"
    r"(?:\s*(?:/|out of|of|de|sur|von|em)\s*(?P<scale>10|5)(?![0-9]|/[0-9]))?"
    r"(?P<rest>\s*(?P<dash>[-–—])\s*(?=[^\W\d_])|\s*[:.,!)|]\s*(?=[^\W\d_])|\s+(?=[^\W\d_])|\s*[.!]?\s*\Z)",
    re.IGNORECASE,
)
#: After "9/10": a date ("9/10 at 2pm works for the review") or a share ("9/10 of our users"), not a score.
_NOT_A_SCORE_AFTER_RE = re.compile(
    r"\s*(?:[-–—:]\s*)?(?:of|de|des|dos|das|der|von|du|at|on|um|à|a las|às)\b|"
    r"[^.!?\n]{0,40}?(?:\d ?(?:am|pm|h)\b|\b(?:works for|meeting|call|review|deadline|due|session|demo|"
    r"webinar|appointment|reunión|llamada|"
    r"réunion|rendez-vous|termin|besprechung|reunião|chamada))",
    re.IGNORECASE,
)
#: Labels of a five-point scale when no scale is written ("CSAT 2", "Rating: 4").
_FIVE_POINT_LABELS = ("csat", "rating", "rated", "calificaci", "valoraci", "bewertung", "avalia")
#: A numbered list goes on: "1 - Export the report. 2 - Send it".
_NEXT_ITEM_RE = re.compile(r"(?:^|[.;!?]\s+)[0-9]{1,2}\s*[-–—.)]\s", re.MULTILINE)


def _score_of(match: re.Match[str]) -> tuple[int, int] | None:
    """(score, scale) of a score `OPENING_SCORE_RE` found; None when the number is no score after all."""
    label, scale = match.group("label"), match.group("scale")
    if label is None and scale is None and match.group("dash") is None:
        return None  # "10 solid" or "3. Open settings": a bare number is a score only before a dash
    text = match.string
    if label is None and _NEXT_ITEM_RE.search(text, match.end()):
        return None
    if scale is not None and _NOT_A_SCORE_AFTER_RE.match(text, match.end("scale")):
        return None
    score = int(match.group("score"))
    if scale is None:
        five = label is not None and label.lower().startswith(_FIVE_POINT_LABELS) and score <= 5
        scale = "5" if five else "10"
    if score > int(scale):
        return None
    return score, int(scale)


def written_score(match: re.Match[str]) -> str | None:
    """The band of a score `OPENING_SCORE_RE` found: "low" (NPS 0–4, CSAT 1–2), "mid" or "high" (9–10 of
    ten, 4–5 of five); None when the number is no score after all."""
    found = _score_of(match)
    if found is None:
        return None
    score, scale = found
    if scale == 5:
        return "low" if score <= 2 else "high" if score >= 4 else "mid"
    return "low" if score <= 4 else "high" if score >= 9 else "mid"


def detractor(match: re.Match[str]) -> bool:
    """Whether a score `OPENING_SCORE_RE` found is an NPS detractor's, 0–6 of ten (cs-signals: with a
    complaint, churn risk). A ticket's CSAT rates the ticket, not the relationship."""
    found = _score_of(match)
    return found is not None and found[1] == 10 and found[0] <= 6


SARCASM = [
    Cue("sarcasm", r"thanks? (?:a lot |again |so much )?for (?:nothing|ruining|wasting|making (?:me|us) "
                   r"(?:wait|miss)|the (?:runaround|non-?answer|canned response|copy[- ]paste)|absolutely "
                   r"nothing|never)",
        1.2, (E.anger, E.frustration)),
    Cue("sarcasm", r"thanks? (?:you )?(?:(?:a lot|again|so much) )?for (?:\w+ ){0,3}?(?:delay\w*|cancel\w*|"
                   r"losing|lost|breaking|broke|ruin\w*|wast\w*|wrong|closing|without|having (?:me|us) "
                   r"(?:wait|sit|stand)\w*|making (?:me|us) (?:wait|miss|late)|leaving (?:me|us)|strand\w*|"
                   r"overcharg\w*|charging (?:me|us)|another|the (?:delay|outage|wait|hassle|headache|"
                   r"trouble)|nothing)", 1.0, (E.anger, E.frustration)),
    Cue("sarcasm", r"(?:oh|ah),? (?:good|great|joy|fun|perfect|nice|lovely|brilliant)[,.!]|exactly (?:how|"
                   r"what) (?:i|we) (?:wanted|needed)|just what (?:i|we) (?:needed|wanted)|yeah,? sure|"
                   r"(?<=but )who'?s counting|can'?t wait to (?:explain|tell|justify|break the news)|(?:they|"
                   r"he|she|my boss|everyone|our (?:board|ceo|cfo|boss|team|customers))(?:'ll| will) (?:be "
                   r")?(?:thrilled|delighted|so happy|overjoyed)|(?:loves?|loving|enjoys?|enjoying) "
                   r"(?:re-?\w+ing|having to|being forced to|starting over|waiting|doing it "
                   r"twice)", 1.0, (E.frustration,)),
    Cue("sarcasm", r"yeah,? right|just what (?:i|we) (?:needed|wanted)|(?:gotta|got to|have to|don'?t you "
                   r"just) love|(?:so|really) glad (?:i|we) (?:waited|paid)|(?:slow clap|bravo|well done|"
                   r"great job|nice job|good job)[,.! ]+(?:\w+ )?(?:another|again|now|yet|broken|down|late|"
                   r"delayed)|what a (?:joke|surprise|shock)|(?:keeps|keep) getting "
                   r"better", 1.0, (E.frustration,)),
    Cue("sarcasm", r"love (?:how|that|it when|the way|being|waiting)\b.{0,80}?\b(?:broken|down|fails?|"
                   r"failing|crash\w*|not|never|no|again|delay\w*|cancel\w*|hold|wait\w*|lost|stuck|late|"
                   r"error\w*|charged)",
        1.0, (E.frustration,)),
    Cue("sarcasm", r"(?:oh )?(?:great|wonderful|fantastic|perfect|brilliant|awesome|lovely|nice|super|"
                   r"amazing|terrific|excellent)[,.!]+ (?:just )?(?:another|more|again|yet another|now|so "
                   r"now|the same)\b",
        1.0, (E.frustration,)),
]

GRATITUDE = [
    Cue("gratitude", r"thanks? (?:you )?(?:so much|very much|a lot|a ton|a million|again)|thank you|thanks|"
                     r"thx|thnx|tysm|tyvm|ty|appreciate(?:d)?|(?:much|greatly|really) appreciated|grateful|"
                     r"kudos|shout ?out|props to|hats off", 1.0, (E.gratitude,)),
]

PRAISE = [
    # Staying with us, said outright: whatever rival or price is named around it, it is no churn.
    Cue("praise", r"(?<!not )(?<!n't )(?:decided|chose|choosing|going|planning|plan|happy|glad|excited) to "
                  r"(?:stay|remain|continue|stick) with (?:you|your \w+|the platform)\b|"
                  r"(?<!not )(?<!n't )(?:will|we'll) (?:stay|remain|continue|stick) with (?:you|your \w+)\b|"
                  r"(?:mov|shift|bring|redirect|reallocat|consolidat|migrat|switch|transition)\w* "
                  r"(?:\w+ ){0,3}(?:budget|spend|licen[cs]es|seats|users|teams?|tools|everything|"
                  r"workloads?|business|entity|division|compan(?:y|ies)|subsidiar(?:y|ies)|side|them|"
                  r"those \w+) (?:over )?(?:off \S+ )?(?:to|onto|into) (?:you|your (?:\w+ )?(?:platform|"
                  r"tool|product|add-?on|module|suite|solution|app|service))\b|"
                  # A merger or a parent's standard that lands on us, or a tool let go for ours.
                  r"standardi[sz]\w* on (?:you|your (?:\w+ )?(?:platform|tool|product|suite|solution|app|"
                  r"service))\b|(?:move|moves|moving|migrate|migrating|switch|switching) (?:\w+ ){0,3}off "
                  r"(?:\S+ ){1,2}(?:onto|to) (?:you|your (?:\w+ )?(?:platform|tool|product))\b|"
                  r"use your (?:\w+ ){0,2}(?:module|add-?on|product|platform|tool)s? instead",
        1.0, (E.satisfaction,), commits=True),
    # A review we came through: "you made the keep list", "yours stays", "sailed through".
    Cue("praise", r"(?:made|on|kept on|stays? on) the (?:keep|approved|preferred|retained) list|(?:you|yours|"
                  r"your (?:\w+ )?(?:tool|platform|product|contract|subscription)) (?:stays?|survived|"
                  r"made the cut|(?:is|are) staying)\b|sailed through",
        1.0, (E.satisfaction,), commits=True),
    # Renewing as it is: "we don't intend to change anything at renewal, same plan please".
    Cue("praise", r"(?:don'?t|do not|won'?t|will not) (?:intend|plan|want|need) to change (?:anything|"
                  r"a thing)|renew\w* (?:it )?as (?:is|it is)|(?:same|unchanged) (?:plan|setup|terms|package|"
                  r"seats|seat count) (?:as (?:last|this) year|again|at (?:the )?renewal)|"
                  r"like-for-like renewal",
        0.6, (E.satisfaction,), commits=True),
    # Going ahead with a renewal: good news, though its terms may still shrink it ("we will proceed with the
    # renewal at 65 licences"), so it outvotes no churn reading.
    Cue("praise", r"(?<!not )(?<!n't )(?:will|'ll|going to|happy to|plan to|intend to|ready to) "
                  r"(?:proceed|go ahead|move forward|continue) with (?:the |our |a )?renewal",
        1.0, (E.satisfaction,)),
    # Staying put: "the group confirmed we'll stay on Threadline", "we'll go ahead on the same terms"; not a
    # person asked to stay on a project.
    Cue("praise", r"(?:we|they|our (?:team|teams|company|organi[sz]ation|org|business|group|brands?|staff|"
                  r"agents|people|users))(?: will|'ll| are going to| get to| can) (?:stay|remain) on "
                  r"(?!(?:this|the|top|track|board|site|schedule|hold|it|that)\b)\w+|"
                  r"instead of (?:pausing|cancell?ing|leaving|switching|reducing|cutting back|downgrading|"
                  r"churning)|(?:decided|chose|agreed) not to (?:pause|cancel|switch|leave|reduce|downgrade|"
                  r"cut back)|"
                  r"(?<!not )(?<!n't )(?:go|going) ahead on (?:the )?same terms|(?:won'?t|will not|don'?t|do "
                  r"not) (?:have|need) to (?:migrate|move|switch|change (?:tools|platforms|systems|vendors))",
        0.6, (E.satisfaction,), commits=True),
    # A problem named only to say it is over ("latency has been fine since the release", "no more timeouts"):
    # listed before FAILURE, so the problem word inside is not read as a complaint. Not when the good
    # state is in the past ("was fine until Monday") or about to turn ("is fine but").
    Cue("praise", r"(?<!till )(?<!until )(?<!once )(?<!when )(?<!if )(?<!unless )(?<!before )(?<!whether )"
                  r"(?:(?:api |page |load |response |query )?(?:latency|performance|speed|load times?|"
                  r"response times?|uptime|stability|sync(?:ing)?|exports?|imports?|reports?|dashboards?|"
                  r"releases?|updates?|builds?|versions?|"
                  r"(?:the )?(?:api|app|integration|connector|platform|system|site|service|webhooks?)) "
                  r"(?:has|have|had) been|(?:latency|performance|speed|load times?|response times?|uptime|"
                  r"stability|the (?:api|app|integration|connector|platform|system|site|service)) (?:is|are)"
                  r"(?: now)?) (?:fine|stable|solid|rock[- ]solid|smooth|snappy|fast|quick|normal|back to "
                  r"normal|great|good|excellent|much better|way better|a lot better|perfect|spot on)"
                  r"(?! until| till| before| but| up until| yesterday| last)",
        1.0, (E.satisfaction,), resolves=True),
    Cue("praise", r"no more (?:latency|lag|timeouts?|time-?outs|errors|crashes|outages|downtime|glitches|"
                  r"duplicates|failed (?:syncs|exports|jobs|payments))(?! than| please)|"
                  r"(?:the )?(?:latency|lag|timeouts?|errors|crashes|glitches|duplicates|slowness) "
                  r"(?:(?:is|are|has|have) )?(?:gone|went away|disappeared|cleared up|stopped)"
                  r"(?! us| me| our| them| again| for now)",
        1.0, (E.satisfaction,), resolves=True),
    # The same, said of the problem itself: "the export bug is fixed", "no longer an issue", "back up within
    # 20 minutes". Not when the fix is awaited ("if the bug is fixed by Friday") or only claimed ("they said
    # it was fixed").
    Cue("praise", r"(?<!if the )(?<!when the )(?<!once the )(?<!until the )(?<!unless the )(?<!if )(?<!once )"
                  r"(?<!when )(?<!until )(?<!unless )(?<!said )(?<!claimed )(?<!thought )(?<!hope )"
                  r"(?:issue|problem|bug|error|errors|glitch|crash|outage|timeouts?|it|that|this|everything)"
                  r"(?:'s| is| was| has been| have been| got| are| were)"
                  r"(?: now| finally| all| fully| properly)? (?:fixed|resolved|sorted(?: out)?)"
                  r"(?! by| before| within| today| yet| until| but| soon| asap| for now| temporarily)|"
                  r"no longer (?:a |an )?(?:problem|issue|blocker|concern)|"
                  r"(?:isn'?t|is not|'s not|aren'?t|are not) (?:a |an )?(?:problem|issue) any ?more|"
                  r"back (?:up|online|to normal) (?:within|in|after) (?:\d+|a few|an?|under)\b",
        1.0, (E.satisfaction,), resolves=True),
    Cue("praise", r"(?:works?|working|worked|runs?|running) (?:great|perfectly|flawlessly|like a charm|well|"
                  r"beautifully|smoothly|fine now|again now)|(?:up and running|back (?:up|online) (?:and|"
                  r"now)|(?:all|issue|problem|it'?s|that'?s) (?:fixed|resolved|sorted)|problem solved|"
                  r"(?:fixed|resolved|sorted) (?:it|the (?:issue|problem)|everything|quickly|fast|so fast|in "
                  r"no time))", 1.0,
        (E.satisfaction,)),
    Cue("praise", r"(?:quick|fast|prompt|speedy|rapid|immediate|great|excellent|amazing|awesome|fantastic|"
                  r"outstanding|superb|wonderful|stellar|top[- ]notch) (?:response|reply|turnaround|help|"
                  r"support|service|fix|resolution|team|job|work|experience)|above and beyond|you rock|you "
                  r"guys rock|made my (?:day|week|morning)|saved (?:the day|my day|us|me)|can'?t wait|ahead "
                  r"of (?:time|schedule)|(?:love|loving|loved) (?:the|your|this|it|using|working)|(?:no|"
                  r"zero) (?:(?:high|critical|major|open|new|significant|material)(?: or \w+)? )?(?:issues|"
                  r"problems|complaints|findings|exceptions|vulnerabilities|non-?conformit(?:y|ies))|"
                  r"not (?:too |that |so |half |at all )?(?:bad|"
                  r"terrible|awful|horrible|shabby)|not the worst|(?:can'?t|cannot|could ?n'?t) complain",
        1.0, (E.satisfaction,)),
    Cue("praise", r"not (?:a single|one) (?:issue|problem|bug|complaint|hiccup|outage|glitch)|never (?:had|"
                  r"have|had any|seen) (?:a |an |any |a single |one )?(?:problem|issue|complaint|outage|"
                  r"incident|bug|hiccup|glitch)s?|(?:nice|great|"
                  r"good|excellent|amazing|awesome|brilliant|solid) (?:work|job)|(?:just|simply) works|"
                  r"actually (?:listens|cares|helps|responds|works)|nps (?:of )?(?:9|10)|(?:9|10)/10|"
                  r"(?:happy|pleased|satisfied|delighted|thrilled) with (?:the|your|our|how|it|this)|miles "
                  r"ahead|(?:way|much|far|so much) better than|reason (?:we|i) chose you|(?:looking forward "
                  r"to|excited (?:for|about)) (?:another|the next|working|continuing|growing|our)|(?:just "
                  r")?renewed for|renewal (?:paperwork )?(?:is )?(?:signed|done|complete)|(?:leadership|team|"
                  r"everyone|management) (?:is|are) (?:thrilled|delighted|stoked|ecstatic|over the moon)",
        1.0, (E.satisfaction,)),
]

#: A threat or a fear that never came to pass, with what ended it: "we were about to escalate, but your team
#: sorted it within the hour", "almost went with a competitor, glad we didn't", "I was dreading the audit but
#: the export had everything". Not a threat still standing ("I was ready to cancel and I still am") or held
#: open ("…, but if it isn't fixed today…"). A cue here, and a guard of the risk layer (`risk._GUARDS`).
AVERTED = (
    r"(?:(?:(?:was|were|had been) (?:just |really |so |all )?(?:about|going|ready|set|"
    r"planning|close|this close|on the verge of|on the point of) (?:to )?|(?:almost|nearly|"
    r"very nearly|came close to|came this close to) )(?:\w+ ){0,3}?"
    r"(?:escalat\w+|cancel\w*|complain\w*|leav(?:e|ing)|left|churn\w*|switch\w*|quit\w*|"
    r"terminat\w+|went (?:with|to)|go (?:with|to)|going (?:with|to)|mov(?:e|ing) (?:to|off)|"
    r"walk(?:ing)? away|drop(?:ping)? (?:you|your)|(?:open|fil|rais|writ|send)\w* (?:a |an )?"
    r"(?:formal )?complaint)|(?:was|were) (?:really |so |a bit |honestly )?(?:dreading|"
    r"worried about|nervous about|anxious about|scared of|afraid of|stressing about))"
    r"[^.!?;\n]{0,80}?(?:,|\b(?:but|until|till|then|when|before|luckily|thankfully|"
    r"fortunately)\b|\s[-—])(?:(?!\b(?:if|unless|once|still|yet|never|not|no one|nobody)\b|n't\b)"
    r"[^.!?;\n]){0,100}?"
    r"\b(?:sorted|fixed|resolved|solved|(?:you|your (?:\w+ ){0,2}|support|(?:the |your )?team|csm|"
    r"account manager) (?:called|rang|phoned|reached out|got back)|stepped in|jumped on|"
    r"turned (?:it|things|this) around|came through|fixed itself|sorted "
    r"itself|went away|changed (?:our|my) minds?|talked (?:me|us) (?:out of|down)|"
    r"walked (?:me|us) through|(?:glad|relieved|happy) (?:we|i) (?:didn'?t|did not|stayed|"
    r"held off|waited)|went (?:fine|smoothly|perfectly|great)|had everything (?:we|they|i|the \w+) (?:needed|"
    r"wanted|asked for))\b"
)


#: Idioms VADER reads backwards ("couldn't be happier" has a negation in it):
#: hidden from VADER, scored here.
IDIOMS = [
    Cue("idiom_positive", r"could(?:n'?t| not) be (?:happier|more (?:pleased|satisfied|happy|thrilled))|"
                          r"(?:couldn'?t|could not|can'?t|cannot) (?:ask|wish) for (?:a |anything "
                          r")?(?:better|more)|no complaints(?: (?:at all|here|so far))?|can'?t recommend "
                          r"(?:it|you|them|this) enough|can'?t say enough good|(?:can'?t|cannot|"
                          r"could(?:n'?t| not)) thank (?:you|y'?all|you guys|you all|your team|the team|"
                          r"them) enough",
        1.0, (E.satisfaction,)),
    # "Sick" said of a thing we built is praise; said of a person ("Maria is sick"), of a situation ("sick
    # of", "sick and tired") or with a nauseated face (🤢) it is not.
    Cue("idiom_positive", r"(?:feature|release|update|ui|ux|design|dashboard|integration|api|app|editor|"
                          r"view|builder|webhooks?|v\d+(?:\.\d+)?|this|that|it) (?:is|'s|looks?|looking) "
                          r"(?:so |absolutely |pretty |freaking |honestly |really )?sick"
                          r"(?! of| and| with| today| again|\s*[\U0001F922\U0001F92E\U0001F912\U0001F637])|"
                          r"sick (?:feature|release|update|ui|dashboard|"
                          r"integration|new feature)", 1.0, (E.satisfaction,)),
    # Praise built from trouble words: no way back from us, a pain we took away, time we give back. Not said
    # of a way back that is blocked ("we can't go back to the old version because it crashes"), nor of a
    # relief only wished for ("was supposed to remove the friction").
    Cue("idiom_positive", r"(?:can'?t|cannot|could(?:n'?t| not)) imagine (?:going back|(?:\w+ ){0,3}without "
                          r"(?:it|you|this|them|your|the (?:\w+ )?(?:tool|platform|app|product)))"
                          r"(?!(?: \w+){0,2} (?:\w+ing|being)\b)|"
                          r"(?<!will )(?<!'ll )(?<!going to )(?<!if we )be (?:completely |totally |honestly |"
                          r"so )?"
                          r"lost without|(?:never|not|no way (?:we'?re|i'?m)) going back to (?:the old|our ol"
                          r"d|"
                          r"manual|spreadsheets?|excel|paper|email threads|sticky notes|how (?:it|things) "
                          r"(?:was|were))|wish (?:we|i)(?:'d| had| would have)? (?:switched|moved|signed up|"
                          r"started|found you|bought|done this|come over|made the (?:switch|move)|rolled (?:i"
                          r"t|"
                          r"this) out) (?:\w+ ){0,4}?(?:sooner|earlier)",
        1.0, (E.satisfaction,), commits=True),
    Cue("idiom_positive", r"(?:hard|impossible|difficult) to overstate how (?:(?:much|big a|big of a)\b"
                          r"[^.!?;\n]{0,60}?\b(?:sav(?:ed|es|ing)|help(?:ed|s)|improv\w+|simplif\w+|easier|be"
                          r"tter|"
                          r"faster|difference)\b|(?:helpful|useful|valuable|good|great|grateful|happy|pleased"
                          r")\b)|"
                          # A reply fast enough to surprise: "got back to me in ten minutes on a Sunday, did
                          # not
                          # expect that".
                          r"(?:got back|gets back|replied|responded|answered|called (?:me |us )?back)(?: to ("
                          r"?:me|"
                          r"us))? (?:in|within) (?:\d+|a few|two|five|ten|fifteen|twenty|thirty|under (?:an?|"
                          r"\d+)|"
                          r"less than (?:an?|\d+)) (?:minutes?|mins?|hour)\b(?:[^.!?;\n]{0,40}?(?:didn'?t|did"
                          r" not|"
                          r"never) (?:expect|see)(?:ed)? (?:that|this|it)(?: coming)?(?: at all)?)?",
        1.0, (E.satisfaction,)),
    Cue("idiom_positive", r"(?<!to )(?<!n't )(?<!nt )(?<!not )(?<!should )(?<!would )(?<!could )(?<!will )"
                          r"(?:remov\w*|eliminat\w*|took|takes?|taken|taking|cut|cuts|strip\w*) (?:so much|a "
                          r"(?:lot|ton|great deal) of|all (?:of )?the|most of the|the|all) (?:pain|friction|"
                          r"stress|hassle|headaches?|grunt work|busywork|toil|guesswork|manual work|drudgery)"
                          r"(?: out(?: of)?)?|"
                          r"(?<!to )(?<!n't )(?<!nt )(?<!not )(?:sav(?:es|ed|ing)|giv(?:es|ing)|gave) (?:us |"
                          r"me |my "
                          r"team |our team |them |everyone )?(?:back )?(?:so many |countless |literally |easi"
                          r"ly "
                          r")?(?:hours|days|weeks|a (?:ton|lot) of time|so much time|tons of time)"
                          r"(?: (?:a|per|each|every(?: single)?) (?:day|week|month|sprint|quarter))?|"
                          r"(?:didn'?t|did not|never) (?:expect|think|imagine)(?:ed)? (?:it|this|that|the \w+"
                          r"|"
                          r"\w+) (?:to be|would be|could be) (?:this|so|that) (?:easy|simple|smooth|quick|fas"
                          r"t|"
                          r"painless|good|straightforward)|"
                          # A relief dated from a change of ours: "nobody has had to reset a password since".
                          r"(?:nobody|no one|none of us|not one of us) (?:has|have) (?:had|needed) to [\w' ]{"
                          r"1,40}? "
                          r"since|since [\w' ]{1,40}?,? (?:nobody|no one|none of us|not one of us) (?:has|hav"
                          r"e) "
                          r"(?:had|needed) to|(?:(?<!n't )(?<!not )(?<!never )(?:stopped|quit)|no more|no lon"
                          r"ger|never|"
                          r"not once|(?:have|has)(?:n'?t| not)(?: been| once)?) (?:losing|lost|missing|missed"
                          r"|dropping|dropped|forgetting|forgot(?:ten)?|"
                          r"chasing|chased|double[- ]booking|firefighting|scrambling)\b[\w' ]{0,40}? since",
        1.0, (E.satisfaction,), resolves=True),
    # A trouble of the past told to say it is over: "X used to be a nightmare, now it's painless".
    Cue("idiom_positive", r"(?:used to|before (?:you|your \w+|switching|we switched))\b[^.!?;\n]{0,70}?"
                          r"(?:[.,;:…]+|\s[-—])\s*(?:and |but |that |which )?(?:now|these days|today)\b,? "
                          r"(?:it(?:'s| is| takes| only takes)|takes|(?:they|we)(?:'re| are)|everything(?:'s|"
                          r" is)|"
                          r"it'?s all)(?: \w+){0,2}? (?:painless|easy|effortless|simple|smooth|a breeze|"
                          r"automatic|instant|fine)\b|"
                          r"used to (?:take|eat|cost|burn)(?: up)? (?:us |me )?(?:a whole|an entire|half a|al"
                          r"l|most of "
                          r"(?:a|the)|hours|days|forever|ages|(?:two|three|four|\d+) (?:whole |full )?(?:days"
                          r"|"
                          r"hours))\b[^.!?;\n]{0,50}?(?:[.,;:…]+|\s[-—])\s*(?:and |but )?"
                          r"(?:now|these days|today)\b,? (?:it )?(?:only )?takes (?:a few |about |under |less"
                          r" than "
                          r")?(?:\d+|a|one|two|five|ten|fifteen|twenty|thirty)? ?(?:seconds|secs|minutes|mins"
                          r"|"
                          r"click)\b|"
                          r"(?:used to|before (?:you|your \w+|switching|we switched))\b[^.!?\n]{0,70}?"
                          r"(?:[.,;:…]+|\s[-—])\s*(?:and )?(?:that|the|this|which) (?:problem|issue|pain|head"
                          r"ache|"
                          r"mess)(?: is| has)?(?: simply| completely| totally| just| now)? (?:gone|history|a "
                          r"thing "
                          r"of the past|disappeared)|"
                          # "…was a mess last year; these days we don't even think about it".
                          r"(?:these days|nowadays|now) (?:we|i|nobody|no one) (?:don'?t|do not|never|doesn'?"
                          r"t|"
                          r"does not) (?:even )?(?:think about|notice|worry about|have to think about) it\b",
        1.0, (E.satisfaction,), resolves=True),
    # A threat or a fear that never came to pass: "we were about to escalate, but your team sorted it within
    # the hour", "almost went with a competitor, glad we didn't". Not a threat still standing ("I was ready to
    # cancel and I still am") or held open ("…, but if it isn't fixed today…").
    Cue("idiom_positive", AVERTED, 1.0, (E.satisfaction,), resolves=True, commits=True),
]

PLEA = [
    Cue("plea", r"(?:some|any)(?:one|body),? (?:please )?help|(?:please|pls|plz) help(?: me| us)?(?=\s*[!.]|"
                r"\s*$)|help(?: me| us)?!|sos|(?:please,? ){2}|(?:get|need|send) (?:someone|somebody|a human|"
                r"a person|an engineer|a real person) (?:to look|on this|to help|to call|to fix)|(?:need|"
                r"want) (?:a|to talk to a|to speak to a|to speak with a) (?:human|real person|person|manager|"
                r"supervisor)|not another (?:bot|canned|automated|"
                r"generic)", 1.0, (E.anxiety, E.frustration), (C.support_responsiveness,), 1.0),
]

COMPLAINT_QUESTION = [
    Cue("complaint_question", r"why (?:is|are|was|were|does|do|did|would|will|won'?t|can'?t|couldn'?t|isn'?t|"
                              r"aren'?t|doesn'?t|don'?t|didn'?t|has|have|hasn'?t|haven'?t|on earth|the hell|"
                              r"tf|in the world|must|should|am i|are we|no|not|so)", 1.0, (E.frustration,)),
    Cue("complaint_question", r"what(?:'s| is) (?:going on|happening|the (?:deal|holdup|hold up|problem|"
                              r"issue)|up with)|what happened to|how (?:is|was) (?:this|that|it) "
                              r"(?:acceptable|possible|ok|okay|fair)|are you (?:kidding|serious|joking)|"
                              r"seriously\?|come on|really\?|(?:you|u) (?:had|have) one job|what gives|where "
                              r"(?:is|are) (?:my|our|the) (?:\w+ )?(?:order|package|parcel|refund|bag|bags|"
                              r"luggage|delivery|money|item|items)|any (?:reason|explanation) why|(?:please|"
                              r"pls|plz) (?:fix|sort) (?:this|it)",
        1.0, (E.frustration,)),
]

EMOTIONS = [
    Cue("anger", r"(?:unacceptable|outrageous|ridiculous|absurd|pathetic|disgrace(?:ful)?|shameful|furious|"
                 r"livid|pissed|fuming|enraged|infuriat(?:ed|ing|es)|appall(?:ed|ing)|disgust(?:ed|ing|s)?|"
                 r"fed up|sick (?:and tired )?of|wtf|ffs|what the (?:hell|heck|f\w*)|scam|rip-?off|ripped "
                 r"off|robbery|insult(?:s|ed|ing)?|suck(?:s|ed)?|sucky|fuck(?:s|ed|ing|in)?|shit(?:ty|s)?|"
                 r"crap(?:py)?|screw(?:ed)? (?:up|over|me|us)|smh|fleeced|nightmare|horrendous|atrocious|"
                 r"abysmal|dreadful|stinks?)",
        1.0, (E.anger,)),
    Cue("confusion", r"(?:confus(?:ed|es|ing)|unclear|(?:don'?t|do not|doesn'?t|does not|can'?t|cannot) "
                     r"(?:understand|figure out|tell|find|see how)|makes? no sense|not sure (?:how|what|why|"
                     r"where|if|whether)|no idea (?:how|what|why|where)|what does (?:this|that|it) mean|lost "
                     r"as to|puzzl(?:ed|ing)|baffl(?:ed|ing)|contradict(?:s|ed|ing|ory|ion|ions)?|mixed "
                     r"messages)", 1.0, (E.confusion,)),
    Cue("anxiety", r"(?:worried|worrying|concerned|nervous|anxious|afraid|scared|panick?(?:ing|ed)?|at risk|"
                   r"can'?t afford|(?:job|jobs|reputation|launch|go-live|audit) (?:is|are) (?:at stake|on "
                   r"the line|at risk)|depends on (?:this|it|you)|before (?:the|our) (?:deadline|launch|"
                   r"go-live|audit|board meeting)|what if)", 1.0, (E.anxiety,)),
    Cue("disappointment", r"(?:not (?:good|great|happy|pleased|satisfied|impressed|ok|okay|acceptable|"
                          r"ideal)(?: enough| at all)?|disappoint(?:ed|ing|ment)|let ?down|(?:expected|"
                          r"expect) (?:better|more)|not what (?:we|i) (?:expected|paid for|were promised|was "
                          r"promised|signed up for)|unfortunately|sadly|regret (?:buying|signing|choosing|"
                          r"booking|purchasing)|used to be (?:so )?(?:good|great|better|reliable)|"
                          r"(?:promised|told) (?:me|us)\b.{0,40}?\b(?:but|never|still|not)|(?:were|was) "
                          r"(?:promised|told|assured)|(?:isn'?t|wasn'?t)\.)", 1.0, _DIS),
    # A quality complaint about how the product is to use: "clunky", "a step backwards", "my team keeps
    # complaining about it".
    Cue("disappointment", r"clunky|cumbersome|counter-?intuitive|unintuitive|not (?:very |at all )?"
                          r"intuitive|(?:hard|difficult|confusing|awkward|painful|a pain) to (?:use|navigate|"
                          r"find anything|set up|configure|work with)|(?:a |big )?step backwards?|a (?:big |"
                          r"real )?downgrade|(?:keeps?|kept|are|were|have been|has been|started) complaining|"
                          r"nobody (?:likes|wants to use)|(?:team|users|agents|staff|people|everyone) "
                          r"(?:hates?|hated|can'?t stand)",
        1.0, _DIS),
]

URGENCY = [
    Cue("calm", r"(?:no (?:rush|hurry|pressure|stress)|not (?:urgent|a priority|time[- ]sensitive|critical|"
                r"pressing|a big deal)|whenever (?:you|is) (?:can|get a chance|have time|convenient)|at your "
                r"(?:convenience|leisure)|when(?:ever)? you (?:get|have) (?:a )?(?:chance|moment|minute|"
                r"time)|low priority|nice to have|no urgency)", 1.0, (), (), -3.0),
    Cue("urgency", r"(?:urgent(?:ly)?|emergency|asap|critical(?:ly)?|sev ?[01]|p[01]|top priority|time[- "
                   r"]sensitive|mission[- ]critical|high priority)", 1.0, (E.anxiety,), (), 2.5),
    Cue("urgency", r"(?:as soon as (?:possible|you can|you see this|you get this)|immediately|right (?:now|"
                   r"away)|this (?:minute|instant)|escalat(?:e|ed|ing|ion)|(?:call|phone|ring) me (?:today|"
                   r"now|asap|back today|immediately|right away|back asap)|(?:need|want|expect) (?:this|it|"
                   r"an? (?:answer|response|fix|update|call)|someone|somebody|help|a solution)(?: \w+)? "
                   r"(?:now|today|immediately|urgently|asap|by|within|before))", 1.0, (), (),
        2.0),
    Cue("failure", r"(?:prod(?:uction)?|live site|live system|checkout|payments?|login|sign-?in) (?:is |are |"
                   r"has |went |is completely )?(?:down|broken|offline|blocked|failing|not working|"
                   r"unavailable)|(?:complete|total|major|full|global|site-?wide|system-?wide) (?:outage|"
                   r"failure|meltdown)|(?:all|every one of|none of) (?:our|my|the) (?:users|customers|"
                   r"clients|employees|staff|agents|team)(?: can| are| "
                   r"is)?", 1.0, (E.anxiety,), (C.reliability,), 3.0),
    Cue("failure", r"(?:(?:http|error|status|code|got an?|getting|returns?|returning|throwing|throws)[ "
                   r":]*5\d\d|5\d\d (?:errors?|status|response|bad gateway|gateway|internal server|service "
                   r"unavailable)|5xx|internal server error|bad gateway|service unavailable|gateway "
                   r"time-?out)", 1.0, (E.frustration,),
        (C.reliability,), 2.0),
    Cue("failure", r"(?:security (?:incident|issue|breach|hole|flaw|problem)|(?:data )?breach(?:ed)?|hacked|"
                   r"compromised|data leak|leaked|vulnerabilit(?:y|ies)|unauthori[sz]ed (?:access|charges?|"
                   r"login)|phishing|ransomware|exposed (?:data|credentials|passwords?))", 1.0, (E.anxiety,),
        (C.security_privacy,), 3.0),
    Cue("failure", r"(?:los(?:ing|t)|costing|cost) (?:us |me )?(?:money|revenue|sales|customers|orders|deals|"
                   r"thousands|\$\s?\d[\d,.]*k?|business)|money (?:lost|down the drain)|(?:blocking|blocked|"
                   r"blocker|can'?t (?:work|operate|ship|launch|close|bill|invoice|sell|"
                   r"pay))", 1.0, (E.anxiety,), (), 2.5),
    Cue("topic", r"revoke (?:\w+ ){0,4}?(?:access|tokens?|keys?|credentials|permissions|sessions)|(?:left|"
                 r"leaving) the company", 1.0, (), (C.security_privacy,), 2.0),
    Cue("urgency_time", r"renewal (?:decision|date|call|meeting|review) is (?:next|this|on|in)|(?:deadline|"
                        r"due (?:today|tomorrow|tonight|by)|by (?:eod|end of (?:the )?(?:day|week)|tomorrow|"
                        r"tonight|noon|monday|tuesday|wednesday|thursday|friday|this afternoon|this evening|"
                        r"\d{1,2}(?::\d\d)? ?(?:am|pm))|before (?:tomorrow|tonight|friday|monday|the weekend|"
                        r"our (?:launch|demo|meeting))|(?:go-?live|launch|demo|board meeting) (?:is "
                        r")?(?:today|tomorrow|this week|on))",
        1.0, (E.anxiety,), (), 1.5),
    Cue("urgency_time", r"(?:today|tonight|this morning|this afternoon|tomorrow morning|right now|now!|help!|"
                        r"please help|need help|sos)", 1.0, (), (), 1.0),
]

TOPICS = [
    Cue("topic", r"(?:invoices?|invoic(?:ed|ing)|billing|billed|bills?|charges?|charged|refunds?|refunded|"
                 r"payments?|paid|receipts?|credit card|card (?:was|got) (?:charged|declined)|chargeback|"
                 r"credit note|purchase order|po number)", 1.0, (), (C.billing,)),
    Cue("topic", r"(?:price|prices|pricing|cost|costs|expensive|overpriced|discount|quote|fees?|(?:too "
                 r")?pricey|afford|budget|per seat)", 1.0, (), (C.pricing,)),
    Cue("topic", r"(?:uptime|reliab(?:le|ility)|unreliable|availability|incident|status page|sla)", 1.0, (),
        (C.reliability,)),
    Cue("topic", r"(?:performance|speed|load times?|response times?|takes (?:a |so )?long)", 1.0, (),
        (C.performance,)),
    Cue("topic", r"(?:support (?:ticket|team|request|case)|tickets?|case (?:number|#|id)|your support|"
                 r"customer (?:service|support|care)|help ?desk|(?:account|success) manager|csm|\bagents?\b|"
                 r"(?:respond|response|reply|replies|answer|get back "
                 r"to)\b)", 1.0, (), (C.support_responsiveness,)),
    Cue("topic", r"(?:onboard(?:ing)?|set ?up|setting up|getting started|training|tutorial|documentation|"
                 r"docs|walkthrough|kick-?off|implementation|learning curve|how (?:do|to) (?:i|we)? ?(?:set|"
                 r"configure|use))",
        1.0, (), (C.onboarding,)),
    Cue("topic", r"(?:integrations?|integrat(?:e|ed|ing)|api|apis|webhooks?|sso|saml|oauth|connector|"
                 r"plug-?in|zapier|salesforce|hubspot|slack|jira|sync(?:ing|ed)?|"
                 r"endpoint)", 1.0, (), (C.integration,)),
    Cue("topic", r"(?:security|privacy|gdpr|ccpa|hipaa|soc ?2|iso ?27001|passwords?|2fa|mfa|encrypt(?:ed|ion|"
                 r"s)?|personal data|pii|permissions?|access control|dpa)", 1.0, (), (C.security_privacy,)),
    Cue("topic", r"(?:export(?:s|ing|ed)?|csv|download (?:our|my|the|all) (?:data|reports?|records)|data "
                 r"dump|backups?|migrat(?:e|ing|ion) (?:our|the) data)", 1.0, (), (C.data_export,)),
    Cue("topic", r"(?:feature requests?|would be (?:great|nice|helpful|awesome) (?:if|to)|(?:please |could "
                 r"you |can you )?(?:add|build|support) (?:a |an |the )?(?:option|feature|ability|way|"
                 r"setting|toggle)|roadmap|wish (?:list|you|it|there)|(?:any|are there) plans to|possible to "
                 r"(?:add|get|have)|missing (?:a |the )?feature)", 1.0, (), (C.feature_request,)),
    Cue("topic", r"(?:renew(?:al|als|ing|ed)?|contracts?|subscriptions?|licen[cs]es?|seats|terms of (?:the|"
                 r"our) (?:agreement|contract))", 1.0, (), (C.contract_renewal,)),
]

REQUESTS = [
    Cue("request", r"(?:could|can|would|will) (?:you|someone|somebody|we|i)(?: please| kindly)? (?:send|"
                   r"share|move|resend|update|change|confirm|schedule|reschedule|set up|add|remove|check|"
                   r"look|let|provide|help|tell|give|forward|book|cancel the (?:meeting|call)|arrange|email|"
                   r"call)|please (?:send|share|confirm|find|see|let|advise|update|forward|review|sign)|let "
                   r"(?:me|us) know|i'?d like to|we'?d like to|do you (?:have|offer|know|support)|quick "
                   r"question|just (?:checking|confirming|wanted to (?:check|confirm|ask))|following up "
                   r"on", 1.0),
    # "Please add the three users", "pls reset Maria's 2FA", "kindly change the owner": an admin task asked
    # for ("please send", "please confirm" are the cue above's). Only the courtesy word is the cue, so the
    # task's own words ("add 12 seats", "cancel our plan") are still read by their cues; asking to fix or to
    # cancel is left to the problem and churn cues.
    Cue("request", r"(?:please|pls|plz|kindly)(?=,? (?:just |also |now )?(?:add|remove|reset|enable|disable|"
                   r"activate|deactivate|reactivate|give|grant|bump|change|create|delete|upgrade|transfer|"
                   r"invite|issue|re-?issue|extend|provision|set|switch|move|merge|assign|unlock|restore|"
                   r"re-?send|revoke|rename|raise|increase|approve|process|amend|adjust|correct|include|"
                   r"attach|book|schedule|reschedule|arrange|onboard|offboard|whitelist|allowlist|turn on|"
                   r"turn off|switch on|switch off|copy|cc|loop in|return|archive|unarchive|export|import|"
                   r"send|share|confirm|find|see|let|advise|update|forward|review|sign)\b)", 1.0),
]

#: Formulaic politeness VADER reads as sentiment ("Good morning" is not joy,
#: "thanks in advance" is not gratitude for anything yet, "I'd like to" is a
#: request, "looks like" is a hedge). Matched first, and blanked out of the
#: text VADER sees.
POLITE = [
    Cue("polite", r"good (?:morning|afternoon|evening|day)|happy (?:monday|tuesday|wednesday|thursday|friday|"
                  r"saturday|sunday|new year|holidays|weekend|thanksgiving|easter|diwali|hanukkah|eid)|dear "
                  r"(?:team|all|support|sir|madam|colleagues|customer success)"),
    Cue("polite", r"(?:sorry|apologies) (?:if this is|for the|for this|for my|for asking|if it'?s)(?: a| "
                  r"such a)? (?:dumb|stupid|silly|basic|obvious|newbie|naive)? ?question|sorry to (?:bother|"
                  r"bug|trouble)"),
    Cue("polite", r"(?:thanks|thank you|thx|cheers|ta),? (?:got it|noted|received|will do|will check|"
                  r"forwarding|passing (?:this|it) on|(?:we|i)(?:'ll| will) (?:forward|share|review|look|"
                  r"check|take a look|get back))|(?:got it|noted|received|understood|ok|okay|will do),? "
                  r"(?:thanks|thank you|thx|cheers)"),
    Cue("polite", r"hope (?:you(?:'re| are) (?:well|doing well|good|having a (?:good|great|nice) \w+)|this "
                  r"(?:email |message |note )?finds you well|all is well|you(?:'re| are) (?:keeping )?well|"
                  r"you (?:had|have) (?:had )?a (?:good|great|nice|lovely) \w+)"),
    Cue("polite", r"have a (?:good|great|nice|lovely|wonderful) (?:day|weekend|week|one|evening|morning|"
                  r"afternoon)"),
    Cue("polite", r"(?:thanks|thank you|tia) in (?:advance|adv)"),
    Cue("polite", r"(?:kind|best|warm|warmest) regards|looking forward to (?:hearing|your|speaking|talking|"
                  r"the)"),
    Cue("polite_request", r"(?:i'd|we'd|you'd|would) like"),
    Cue("polite", r"(?:looks?|seems?|sounds?|feels?) like|like (?:a|an|the|this|that|it|to|my|our)"),
    Cue("polite", r"customer care", concerns=(C.support_responsiveness,)),
    Cue("polite", r"free (?:trial|tier|plan)|feel free"),
    # A concession before praise ("I hate to admit it, but the new dashboard beats mine"): no dislike in it.
    Cue("polite", r"(?:i |we )?hate to admit(?: it| this)?"),
]

ALL_CUES: tuple[Cue, ...] = tuple(
    POLITE + WAITING + REPEATED + SARCASM + CHURN + COMPETITOR + EXPANSION + GRATITUDE + IDIOMS + PRAISE
    + COMPLAINT_QUESTION + PLEA + URGENCY + FAILURE + SERVICE_FAILURE + EMOTIONS + REQUESTS + TOPICS
)


#: One matcher for all English cues; list order is priority, so a longer
#: phrase listed earlier wins over a word inside it listed later.
CUE_MATCHER = PhraseMatcher(ALL_CUES)

#: Openers that, followed by a problem in the same message, are read as irony.
SARCASTIC_OPENER_RE = re.compile(
    r"(?:^|[.!?]\s+)(?:(?:nice|good|great|glad|lovely) to see\b|(?:oh,? |well,? |wow,? )?(?:great|wonderful|"
    r"fantastic|perfect|brilliant|awesome|lovely|nice|super|amazing|terrific|excellent|hooray|yay|woo-?hoo|"
    r"bravo|cool|sweet|love it|(?:i )?love how|thanks a lot|way to go|good job|nice job|great job|well "
    r"done)\b[,.!…]+)",
    re.IGNORECASE,
)

#: Praise closing a message about a failure ("...logged me out 6 times today. amazing work guys"): the
#: last words are the irony. Read only when every praise cue of the message is inside it.
SARCASTIC_CLOSER_RE = re.compile(
    r"(?:^|[.!?,]\s+|\s(?:lol|lmao|smh)\s+)(?:(?:oh |wow,? |just |really |truly |simply )?(?:amazing|great|"
    r"fantastic|brilliant|awesome|stellar|impressive|excellent|outstanding|top-notch|nice|good|super) "
    r"(?:work|job|stuff|service)|well done|impressive|bravo|kudos|way to go|love (?:that|it)(?: for us)?)"
    r"(?: (?:guys|team|folks|everyone|all|people|y'all|devs|there))?[\s.!…🙄🙃👏]*$",
    re.IGNORECASE,
)

#: Upper-case words that are names, not shouting.
ACRONYMS = frozenset(
    {
        "API", "SSO", "CSV", "URL", "PDF", "SLA", "CSM", "CEO", "CTO", "CFO", "VP", "IT", "HR", "US", "UK",
        "EU", "USA", "OK", "FAQ", "UI", "UX", "SDK", "SAML", "GDPR", "SOC", "ID", "PO", "EOD", "ETA", "AM",
        "PM", "FYI", "TBD", "QA", "DM", "PR", "CRM", "ERP", "AWS", "SQL", "JSON", "XML", "HTTP", "HTTPS",
        "DNS", "VPN", "IP", "SMS", "MFA", "TLS", "SSL", "CC", "BCC", "ASAP", "N/A", "NA", "TV", "LA", "NYC",
        "SFO", "JFK", "LAX", "ORD", "DFW", "ATL", "BOS", "DCA", "IAD", "EWR", "LGA", "DEN", "PHX", "CLT",
        "PHL", "MIA", "SEA", "IAH", "MCO", "FLL", "LAS", "SAN", "AA", "UA", "DL", "WN", "B6", "VX",
    }
)

#: Emoji whose meaning in a customer chat this table decides (VADER would
#: read 👋 "waving hand" as praise and 🔥 "fire" as a disaster). They are
#: hidden from VADER and scored here, in VADER lexicon units; other emoji are
#: left to VADER's own descriptions.
EMOJI_VALENCE: dict[str, float] = {
    "👍": 1.8, "👌": 1.6, "🙏": 1.4, "❤": 2.2, "❤️": 2.2, "💯": 1.6, "👏": 1.6, "🚀": 1.4, "✅": 1.2,
    "🎉": 2.0, "🥳": 2.0, "🤩": 2.2, "😍": 2.2, "🥰": 2.2, "💪": 1.2, "⭐": 1.2, "🌟": 1.4, "🙌": 1.8,
    "💙": 2.0, "💚": 2.0, "💜": 2.0, "🧡": 2.0, "💛": 2.0, "😀": 1.8, "😃": 1.8, "😄": 1.8, "😁": 1.8,
    "😊": 1.8, "🙂": 1.2, "😂": 1.0, "🔥": 1.5,
    "👎": -2.2, "😡": -2.6, "🤬": -3.0, "😠": -2.4, "😤": -2.0, "😞": -1.8, "😩": -1.8, "😫": -1.6,
    "💩": -2.0, "🙄": -1.6, "😒": -1.6, "❌": -1.0, "🤦": -1.8, "🤦‍♂️": -1.8, "🤦‍♀️": -1.8, "😕": -1.2,
    "☹": -1.6, "☹️": -1.6, "🙁": -1.6, "😣": -1.4, "😖": -1.6, "😓": -1.0, "😑": -1.0, "😐": -0.4,
    "😢": -1.8, "😭": -2.0, "😰": -1.8, "😱": -1.8,
    "🙃": -0.6, "👋": 0.0, "👀": 0.0, "🤷": 0.0, "🤷‍♂️": 0.0, "🤷‍♀️": 0.0, "🤔": -0.2,
}
EMOJI_RE = re.compile("|".join(sorted((re.escape(e) for e in EMOJI_VALENCE), key=len, reverse=True)))

#: Emoji that mark the words around them as ironic.
IRONY_EMOJI = frozenset({"🙃", "🙄"})
#: Applause for a problem ("down again in the middle of Black Friday 👏") is irony; for praise it is not.
APPLAUSE_EMOJI = frozenset({"👏"})

ANGRY_EMOJI = frozenset({"😡", "🤬", "😠", "😤", "👎", "💩"})
