"""The offline analyzer: VADER plus a customer-success layer, no network.

Always available and deterministic: the same text gives the same result. A
message is first reduced to what the customer wrote now (no quoted history,
signature or pasted logs, see `language.py`); texts it cannot judge (another
language, a log paste, an auto-reply) are abstained on rather than guessed.

Scoring works in VADER's raw valence units: VADER's compound is turned back
into its raw sum, the cue valences of `cues.py` (waiting, repeated failure,
churn, sarcasm...) are added, and the total is squashed with VADER's own
normalisation. Emotions, concerns, urgency and flags come from the same cue
matches, so every one of them can be traced to an `evidence` phrase.
"""

from __future__ import annotations

import math
import re
import string
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from bot.analysis import cues as en
from bot.analysis.base import (
    DEFAULT_MAX_TEXT_CHARS,
    AnalysisOutcome,
    AnalysisRequest,
    Analyzer,
    InvalidText,
    clean_text,
)
from bot.analysis.contract import (
    AnalysisResult,
    Concern,
    Emotion,
    Intensity,
    Label,
    RecommendedAction,
    Urgency,
    intensity_for_score,
    label_for_score,
)
from bot.analysis.injection import instruction_sentences, without_instructions
from bot.analysis.language import (
    auto_reply_marker,
    detect_language,
    may_hold_machine_text,
    separate_prose,
    strip_quoted_and_signature,
)
from bot.analysis.multilingual import (
    ABSENCE_RE,
    ASKING_RE,
    DEADLINE_RE,
    DOUBLE_NEGATION_RE,
    NEGATOR_RE,
    OWN_SIDE_RE,
    PEOPLE_RE,
    REQUEST_RE,
    matcher,
)
from bot.analysis.playbook import Situation, choose_action, draft_reply, guidance
from bot.analysis.risk import KIND_CONCERNS, RiskKind, RiskSignal, disowned_spans, read_risks
from bot.analysis.routing import doubt_inputs, doubt_probability_of

if TYPE_CHECKING:
    from bot.analysis.learned import LearnedModel
    from bot.analysis.reading_model import ModelReading, ReadingModel

#: `OfflineAnalyzer(reading_model=SHIPPED)`: the model shipped in the package (the default).
SHIPPED = "shipped"

RULES_VERSION = "offline-rules@1"
#: Messages `judge_many` reads before the reading model reads them together (bounds what is held at once).
_BATCH = 1024
MODEL_NAME = "offline-rules"

#: VADER's normalisation constant: compound = raw / sqrt(raw² + ALPHA).
ALPHA = 15.0


@dataclass
class Tuning:
    """Thresholds tuned on the dev splits only (see bench/accuracy.py)."""

    positive_band: float = 0.05
    negative_band: float = 0.0
    #: Bands for a message no customer-success cue fired on: VADER's lexicon
    #: alone is weaker evidence than "waiting three days", so it needs more.
    bare_positive_band: float = 0.45
    bare_negative_band: float = 0.15
    #: Later matches of the same kind add less: a rant listing five failures
    #: is not five times as negative as one naming one.
    repeat_decay: tuple[float, ...] = (1.0, 0.6, 0.35, 0.2)
    #: "Thanks" closing a request is politeness, not gratitude for something.
    polite_thanks: float = -0.8
    #: A question with no problem in it is someone asking, not complaining.
    neutral_question_damping: float = 0.3
    shouting_boost: float = 1.25
    #: Share of a weak problem cue's valence kept inside a request.
    weak_problem_in_request: float = 0.2
    #: Urgency points (see `cues.Cue.urgency`) for medium and high.
    urgency_high: float = 4.0
    urgency_medium: float = 1.5
    negative_urgency: float = 1.5
    strong_negative_urgency: float = 0.0
    emphasis_urgency: float = 0.5
    churn_urgency: float = 0.0
    vader_weight: float = 1.0
    #: Share of VADER's positive reading kept when the message names a problem.
    problem_damping: float = 0.4


TUNING = Tuning()

#: VADER words whose everyday valence is wrong in a support conversation
#: ("help", "please" are requests; "credit card" is not praise).
_LEXICON_OVERRIDES = {
    "help": 0.0, "please": 0.0, "pls": 0.0, "plz": 0.0, "support": 0.0, "credit": 0.0, "share": 0.0,
    "solution": 0.3, "wish": 0.0, "yes": 0.6, "ok": 0.3, "okay": 0.3, "sure": 0.3, "hope": 1.0,
    "well": 0.4, "pretty": 0.5, "kind": 1.0, "save": 0.5, "ready": 0.5, "top": 0.2, "honest": 0.8,
    "promise": 0.0, "chance": 0.3, "po": 0.0, "joke": -1.0, "free": 1.0, "urgent": 0.0, "like": 1.0,
    # Names, not praise: "United" (States, Airlines, Kingdom...).
    "united": 0.0,
    # Common words VADER's lexicon lacks.
    "overpriced": -1.8, "garbage": -2.0, "trash": -1.8, "junk": -1.6, "pointless": -1.6, "absurd": -1.8,
    "nightmare": -2.4, "afraid": -1.8, "hideous": -2.4, "dammit": -1.8, "lie": -1.8, "hypocrite": -2.2,
    "hypocrites": -2.2, "hypocrisy": -2.2, "corrupt": -2.2, "corruption": -2.2, "sexist": -2.3,
    "bigot": -2.5, "bigots": -2.5, "nazi": -2.8, "nazis": -2.8, "idiots": -2.3, "thug": -2.2, "thugs": -2.2,
    "massacre": -3.2, "genocide": -3.4, "bombing": -2.8, "shooting": -2.2, "shootings": -2.4, "dying": -2.2,
    "deplorable": -2.4, "stoked": 2.4, "legend": 2.0, "legendary": 2.4, "incredible": 2.6,
    "victory": 2.2, "celebration": 2.2, "favourite": 2.0, "iconic": 1.8, "smooth": 1.5, "reliable": 1.5,
    "rip": -1.5,
}


class _TokenTable(dict):
    """A value per token, worked out on first sight and remembered (up to `_MAX_TOKENS`, then started
    afresh: the words of a language are few, but numbers and names are not)."""

    def __init__(self, make: Callable[[str], str]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, token: str) -> str:
        if len(self) >= _MAX_TOKENS:
            self.clear()
        value = self[token] = self._make(token)
        return value


_MAX_TOKENS = 100_000


class Vader:
    """VADER's scoring (vaderSentiment 3.3.2), with its lexicon and rules, without its overhead.

    `SentimentIntensityAnalyzer.polarity_scores` lower-cases the whole word
    list again for every negation check and rebuilds the text character by
    character to translate emoji; on short support messages that is most of
    the analyzer's time budget. This class walks the words once with the
    same rules (boosters, "kind of", "no", capitals, negation within three
    words, "never so", "without doubt", idioms, "least", punctuation
    emphasis) and calls the package itself for the rare "but" rule.
    `tests/analysis/test_offline_analyzer.py` checks it returns exactly the package's
    scores on a spread of texts (and it matched on all 23,798 texts of the
    shared evaluation sets when written).
    """

    def __init__(self, overrides: dict[str, float]) -> None:
        from vaderSentiment import vaderSentiment as vs

        self._vs = vs
        self.package = vs.SentimentIntensityAnalyzer()
        for word, valence in overrides.items():
            if valence == 0.0:
                self.package.lexicon.pop(word, None)
            else:
                self.package.lexicon[word] = valence
        self.lexicon = self.package.lexicon
        self.emojis = self.package.emojis
        self._boosters = vs.BOOSTER_DICT
        self._special = vs.SPECIAL_CASES
        self._negate = frozenset(vs.NEGATE)
        self._punctuation = string.punctuation
        #: Lexicon words VADER scores (a booster is no sentiment of its own).
        self._scorable = frozenset(word for word in self.lexicon if word not in self._boosters)
        # Each token's word (its punctuation stripped, unless that leaves two characters or fewer) and the
        # word in lower case, worked out once per distinct token.
        # The package looks every character up; only single characters beyond ASCII can be found.
        singles = sorted(ch for ch in self.emojis if len(ch) == 1 and ord(ch) > 127)
        self._emoji_re = re.compile("[" + "".join(map(re.escape, singles)) + "]" if singles else "(?!)")
        self._words = _TokenTable(self._word_of)
        self._lower = _TokenTable(lambda token: self._words[token].lower())

    def _word_of(self, token: str) -> str:
        stripped = token.strip(self._punctuation)
        return token if len(stripped) <= 2 else stripped

    def _negated(self, word: str) -> bool:
        return word in self._negate or "n't" in word

    def polarity_scores(self, text: str, hits: list[tuple[str, float]] | None = None) -> dict[str, float]:
        """VADER's scores for `text` as the package returns them."""
        compound, pos, neg, neu = self.scores(text, hits)
        return {"neg": neg, "neu": neu, "pos": pos, "compound": compound}

    def scores(
        self, text: str, hits: list[tuple[str, float]] | None = None
    ) -> tuple[float, float, float, float]:
        """(compound, pos, neg, neu); strongly valenced words are appended to `hits`."""
        if not text.isascii():
            text = self._describe_emoji(text)
        text = text.strip()
        tokens = text.split()
        words = list(map(self._words.__getitem__, tokens))
        lower = list(map(self._lower.__getitem__, tokens))
        lexicon = self.lexicon
        sentiments: list[float] = [0] * len(words)
        scorable = self._scorable
        scored = [i for i, low in enumerate(lower) if low in scorable]
        if scored:
            upper_count = sum(map(str.isupper, words))
            is_cap_diff = 0 < len(words) - upper_count < len(words)
            last = len(words) - 1
            for i in scored:
                low = lower[i]
                if low == "kind" and i < last and lower[i + 1] == "of":
                    continue
                if hits is not None and abs(lexicon[low]) >= _STRONG_WORD:
                    hits.append((words[i], lexicon[low]))
                sentiments[i] = self._valence(i, words, lower, is_cap_diff)
        if "but" in lower:
            sentiments = self.package._but_check(words, sentiments)
        return _vader_summary(sentiments, text, scored)

    def _describe_emoji(self, text: str) -> str:
        """Each emoji (a character of VADER's emoji table) replaced by its description, a space before it
        unless it opens the text or follows a space: the package's translation, character by character."""
        return self._emoji_re.sub(self._described, text)

    def _described(self, match: re.Match[str]) -> str:
        start = match.start()
        space = "" if start == 0 or match.string[start - 1] == " " else " "
        return space + self.emojis[match.group()]

    def _valence(self, i: int, words: list[str], lower: list[str], is_cap_diff: bool) -> float:
        vs, lexicon = self._vs, self.lexicon
        low = lower[i]
        valence = lexicon[low]
        if low == "no" and i != len(lower) - 1 and lower[i + 1] in lexicon:
            valence = 0.0
        if (i > 0 and lower[i - 1] == "no") or (i > 1 and lower[i - 2] == "no") or (
            i > 2 and lower[i - 3] == "no" and lower[i - 1] in ("or", "nor")
        ):
            valence = lexicon[low] * vs.N_SCALAR
        if is_cap_diff and words[i].isupper():
            valence = valence + vs.C_INCR if valence > 0 else valence - vs.C_INCR
        boosters = self._boosters
        for start_i in range(3):
            if i > start_i and lower[i - (start_i + 1)] not in lexicon:
                # The package's booster scalar, which is 0.0 for a word that is no booster.
                before = i - (start_i + 1)
                scalar = 0.0
                if lower[before] in boosters:
                    scalar = vs.scalar_inc_dec(words[before], valence, is_cap_diff)
                if start_i == 1 and scalar != 0:
                    scalar = scalar * 0.95
                if start_i == 2 and scalar != 0:
                    scalar = scalar * 0.9
                valence = valence + scalar
                valence = self._negation(valence, lower, start_i, i)
                if start_i == 2:
                    valence = self._idioms(valence, lower, i)
        return self._least(valence, lower, i)

    def _negation(self, valence: float, lower: list[str], start_i: int, i: int) -> float:
        n_scalar = self._vs.N_SCALAR
        if start_i == 0:
            if self._negated(lower[i - 1]):
                valence = valence * n_scalar
        elif start_i == 1:
            if lower[i - 2] == "never" and lower[i - 1] in ("so", "this"):
                valence = valence * 1.25
            elif lower[i - 2] == "without" and lower[i - 1] == "doubt":
                pass
            elif self._negated(lower[i - 2]):
                valence = valence * n_scalar
        else:
            if (lower[i - 3] == "never" and lower[i - 2] in ("so", "this")) or lower[i - 1] in ("so", "this"):
                valence = valence * 1.25
            elif lower[i - 3] == "without" and (lower[i - 2] == "doubt" or lower[i - 1] == "doubt"):
                pass
            elif self._negated(lower[i - 3]):
                valence = valence * n_scalar
        return valence

    def _idioms(self, valence: float, lower: list[str], i: int) -> float:
        special, boosters = self._special, self._boosters
        one_zero = f"{lower[i - 1]} {lower[i]}"
        two_one_zero = f"{lower[i - 2]} {lower[i - 1]} {lower[i]}"
        two_one = f"{lower[i - 2]} {lower[i - 1]}"
        three_two_one = f"{lower[i - 3]} {lower[i - 2]} {lower[i - 1]}"
        three_two = f"{lower[i - 3]} {lower[i - 2]}"
        for sequence in (one_zero, two_one_zero, two_one, three_two_one, three_two):
            if sequence in special:
                valence = special[sequence]
                break
        if len(lower) - 1 > i:
            zero_one = f"{lower[i]} {lower[i + 1]}"
            if zero_one in special:
                valence = special[zero_one]
        if len(lower) - 1 > i + 1:
            zero_one_two = f"{lower[i]} {lower[i + 1]} {lower[i + 2]}"
            if zero_one_two in special:
                valence = special[zero_one_two]
        for n_gram in (three_two_one, three_two, two_one):
            if n_gram in boosters:
                valence = valence + boosters[n_gram]
        return valence

    def _least(self, valence: float, lower: list[str], i: int) -> float:
        lexicon = self.lexicon
        if i > 1 and lower[i - 1] not in lexicon and lower[i - 1] == "least":
            if lower[i - 2] != "at" and lower[i - 2] != "very":
                valence = valence * self._vs.N_SCALAR
        elif i > 0 and lower[i - 1] not in lexicon and lower[i - 1] == "least":
            valence = valence * self._vs.N_SCALAR
        return valence


def _vader_summary(
    sentiments: list[float], text: str, scored: Sequence[int]
) -> tuple[float, float, float, float]:
    """VADER's `score_valence` (punctuation emphasis, normalisation, proportions), as a tuple. Only the
    `scored` words can carry a sentiment (the "but" rule only scales them); the others are neutral."""
    if not sentiments:
        return 0.0, 0.0, 0.0, 0.0
    total = float(sum(sentiments))
    question_marks = text.count("?")
    emphasis = min(text.count("!"), 4) * 0.292
    if question_marks > 1:
        emphasis += question_marks * 0.18 if question_marks <= 3 else 0.96
    if total > 0:
        total += emphasis
    elif total < 0:
        total -= emphasis
    compound = max(-1.0, min(1.0, total / math.sqrt(total * total + ALPHA)))
    positive = negative = 0.0
    neutral = len(sentiments)
    for i in scored:
        sentiment = sentiments[i]
        if sentiment > 0:
            positive += float(sentiment) + 1
            neutral -= 1
        elif sentiment < 0:
            negative += float(sentiment) - 1
            neutral -= 1
    if positive > -negative:
        positive += emphasis
    elif positive < -negative:
        negative -= emphasis
    whole = positive - negative + neutral
    return (
        round(compound, 4),
        round(abs(positive / whole), 3),
        round(abs(negative / whole), 3),
        round(abs(neutral / whole), 3),
    )


_vader_lock = threading.Lock()
_vader_instance: Vader | None = None


def _vader() -> Vader:
    global _vader_instance
    if _vader_instance is None:
        with _vader_lock:
            if _vader_instance is None:
                _vader_instance = Vader(_LEXICON_OVERRIDES)
    return _vader_instance


#: Words around a configured competitor's name that mean the customer is going to it.
_SWITCH_BEFORE_RE = re.compile(
    r"\b(?:trial+ing|trying|piloting|testing|evaluating|demoing|switch(?:ed|ing)? to|signed with|signing "
    r"with|mov(?:e|ing) to|migrat\w* to|go(?:ing)? with|went with|chose|choosing|prefer|talking to|in talks "
    r"with)\s+(?:out\s+)?$",
    re.IGNORECASE,
)
_SWITCH_AFTER_RE = re.compile(
    r"\s+(?:quoted|offered|is offering|offers|would cost|costs? (?:less|half)|is (?:cheaper|better|half the "
    r"price))",
    re.IGNORECASE,
)
_NAME_RE = re.compile(r"@\w+|https?://\S+")
_HASHTAG_RE = re.compile(r"#([A-Za-z][A-Za-z0-9]*)")
_CAMEL_RE = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_UPPER_WORD_RE = re.compile(r"\b[A-Z][A-Z']+\b")
_ASKING_RE = re.compile(
    r"\?|^(?:can|could|would|will|is|are|do|does|did|how|what|when|where|which|who)\b",
    re.IGNORECASE | re.MULTILINE,
)
_QUESTION_MARK_RE = re.compile(r"\?")
#: The verb a courtesy word ("please", "kindly") asks for: the lookahead of the courtesy request cue.
_TASK_AFTER_COURTESY_RE = re.compile(r",? (?:(?:just|also|now) )?[a-z-]+\b", re.IGNORECASE)
_COURTESY_WORDS = frozenset({"please", "pls", "plz", "kindly"})
#: "Today" and "by Friday" together make a request medium-urgent, not high.
_MAX_TIME_POINTS = 2.0
#: VADER's increment per exclamation mark (up to four).
_EXCLAMATION_EMPHASIS = 0.292
#: Lexicon words at least this strong (VADER units) are quoted as evidence.
_STRONG_WORD = 1.5
_MAX_EVIDENCE = 8
_KINDS = tuple(en.KIND_VALENCE) + ("lexicon",)


def _split_hashtag(match: re.Match[str]) -> str:
    return " ".join(_CAMEL_RE.findall(match.group(1)))


@dataclass(frozen=True)
class OfflineSignals:
    """What the offline layers saw, beside the result: risk kinds (`security`, or `commercial?` for a
    weak hint) and each layer's own label, so a router can tell where they disagree."""

    risks: tuple[str, ...] = ()
    #: (kind, matched phrase) of each strong risk: what a reading lowering it must explain.
    risk_phrases: tuple[tuple[str, str], ...] = ()
    rules_label: str = ""
    model_label: str = ""
    lexicon_label: str = ""
    #: Genuine doubt that the reading is right about a message that may need an alert: the fitted router
    #: of `routing.py` says so (without a fitted router: the layers see a chance of a risk the label does
    #: not show, `_doubt_about_risk`).
    doubt: bool = False
    #: The router's probability that the reading misreads an alert-worthy message (None without it).
    doubt_probability: float | None = None
    #: The message holds sentences addressed to an analyzer (`injection.py`).
    injection_attempt: bool = False
    #: The reading model's probabilities (None without the model): polarity (negative, neutral, positive),
    #: urgency (low, medium, high) and churn risk; and the length of the text read, in words.
    model_polarity: tuple[float, float, float] | None = None
    model_urgency: tuple[float, float, float] | None = None
    churn_probability: float | None = None
    words: int = 0

    def disagree(self, final: Label) -> bool:
        """Whether the rules, the model and the lexicon do not all read the message the way the result does.

        A neutral lexicon (no strong words) is no disagreement; a lexicon reading the opposite polarity is.
        """
        if not self.rules_label:
            return False
        if self.rules_label != final.value or self.model_label != final.value:
            return True
        opposite = {"positive": "negative", "negative": "positive"}.get(final.value)
        return self.lexicon_label == opposite

    def to_dict(self) -> dict:
        return {"risks": list(self.risks), "risk_phrases": [list(pair) for pair in self.risk_phrases],
                "doubt": self.doubt, "doubt_probability": self.doubt_probability,
                "injection_attempt": self.injection_attempt,
                "rules": self.rules_label, "model": self.model_label,
                "lexicon": self.lexicon_label,
                "model_polarity": None if self.model_polarity is None else dict(
                    zip(("negative", "neutral", "positive"), self.model_polarity, strict=True)),
                "model_urgency": None if self.model_urgency is None else dict(
                    zip(("low", "medium", "high"), self.model_urgency, strict=True)),
                "churn_probability": self.churn_probability, "words": self.words}


@dataclass
class Reading:
    """Everything the rules saw in one message, before any learned model."""

    language: str = "en"
    language_certain: bool = True
    abstain_reason: str | None = None
    #: The text read: the message without quoted history, signature or pasted machine output.
    body: str = ""
    words: int = 0
    vader_compound: float = 0.0
    vader_pos: float = 0.0
    vader_neg: float = 0.0
    vader_neu: float = 1.0
    cue_valence: float = 0.0
    emoji_valence: float = 0.0
    total: float = 0.0
    score: float = 0.0
    kind_counts: dict[str, int] = field(default_factory=dict)
    emotions: list[Emotion] = field(default_factory=list)
    concerns: list[Concern] = field(default_factory=list)
    urgency_points: float = 0.0
    #: Points from time words ("today", "by Friday"): urgent only in a request or a complaint.
    time_points: float = 0.0
    evidence: list[tuple[int, str]] = field(default_factory=list)
    churn: bool = False
    competitor: bool = False
    expansion: bool = False
    #: The words only make a routine ask (the renewal's paperwork, an account change, a how-to question):
    #: set by `_conclude`.
    routine_only: bool = False
    sarcasm: bool = False
    shouting: bool = False
    exclamations: int = 0
    questions: int = 0
    asks_something: bool = False
    #: Whether a full-strength problem cue fired (not just "can't find").
    strong_problem: bool = False
    #: The band of a score the customer wrote ("low", "mid", "high"; see `cues.written_score`), or None.
    rating: str | None = None
    #: The written score opening the message is an NPS detractor's (0–6 of ten).
    detractor: bool = False
    #: Whether a cue named something broken: a full-strength failure, or another language's failure words
    #: ("se colgó", "travou", "lädt nicht").
    failure_named: bool = False
    #: Whether a cue of another language read a negative word ("lento", "kaputt") or a negated praise.
    negative_word: bool = False
    #: Evaluative praise words of another language read ("parfaitement", "zufrieden"; not "bien", "gut").
    praise_words: int = 0
    #: Where each of those praise words matched.
    praise_at: list[int] = field(default_factory=list)
    weak_problem_valence: float = 0.0
    #: An emoji that marks irony ("🙃"), when present.
    irony_marker: str | None = None
    #: Whether the message applauds ("👏"): irony when it applauds a problem.
    applause: bool = False
    #: Spans of formulaic politeness hidden from VADER.
    masked: list[tuple[int, int]] = field(default_factory=list)
    #: (word, lexicon valence) of the strongly valenced words VADER saw.
    lexicon_hits: list[tuple[str, float]] = field(default_factory=list)
    #: Business risks the risk layer found (`risk.py`); strong ones floor the result.
    risks: list[RiskSignal] = field(default_factory=list)
    #: A cue said a problem is over ("the export bug is fixed", `cues.Cue.resolves`).
    resolved: bool = False
    #: Where the words say a problem is absent or over ("zero downtime", "the lag is gone").
    absences: list[tuple[int, int]] = field(default_factory=list)
    #: A cue committed the customer to staying with us ("we decided to stay with you", `cues.Cue.commits`).
    commits: bool = False
    #: Spans of the sentences whose trouble is someone else's (`risk.disowned_spans`).
    disowned: list[tuple[int, int]] = field(default_factory=list)
    #: A strong risk was read in one of those sentences (and dropped: it is someone else's).
    disowned_risk: bool = False
    #: Where each problem cue (`cues.PROBLEM_KINDS`) matched.
    problems_at: list[int] = field(default_factory=list)
    #: Where each thanks that is not a request's closing matched.
    thanks_at: list[int] = field(default_factory=list)


class OfflineAnalyzer(Analyzer):
    """Rules over VADER; optionally blended with a team's learned model."""

    name = "offline"

    def __init__(
        self,
        learned: LearnedModel | None = None,
        *,
        competitors: Sequence[str] | str = (),
        max_chars: int = DEFAULT_MAX_TEXT_CHARS,
        tuning: Tuning | None = None,
        reading_model: ReadingModel | str | None = SHIPPED,
    ) -> None:
        self.learned = learned
        if reading_model == SHIPPED:
            from bot.analysis.reading_model import shipped_model

            reading_model = shipped_model()
        # The one string taken is SHIPPED, replaced just above.
        self.reading_model: ReadingModel | None = reading_model  # type: ignore[assignment]
        self.max_chars = max_chars
        self.tuning = tuning or TUNING
        if isinstance(competitors, str):
            competitors = [name for name in competitors.split(",")]
        names = sorted({name.strip().lower() for name in competitors if name.strip()}, key=len, reverse=True)
        # Matched on the lower-cased message: case-insensitive alternations are several times slower.
        self._competitor_re = (
            re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)") if names else None
        )
        if learned is not None:
            self.model = f"offline+learned:{learned.model_id}"
        elif self.reading_model is not None:
            self.model = f"offline+{self.reading_model.version}"
        else:
            self.model = MODEL_NAME

    # --- public API ------------------------------------------------------------------

    async def analyze(self, request: AnalysisRequest) -> AnalysisOutcome:
        started = time.perf_counter()
        result, signals = self.judge(request.text, request.context)
        return AnalysisOutcome(
            result=result,
            latency_ms=(time.perf_counter() - started) * 1000.0,
            extra={"signals": signals.to_dict()},
        )

    async def analyze_many(
        self, requests: Sequence[AnalysisRequest], concurrency: int = 8
    ) -> list[AnalysisOutcome]:
        """`analyze` for each request, the same readings; the requests of one thread context are read
        together (`judge_many`), which is several times faster than one by one. Raises `InvalidText`, as
        `analyze` does, for a text that cannot be analyzed."""
        by_context: dict[tuple[str, ...], list[int]] = {}
        for index, request in enumerate(requests):
            by_context.setdefault(tuple(request.context), []).append(index)
        outcomes: list[AnalysisOutcome | None] = [None] * len(requests)
        for context, indices in by_context.items():
            started = time.perf_counter()
            judged = self.judge_many([requests[i].text for i in indices], context)
            each_ms = (time.perf_counter() - started) * 1000.0 / len(indices)
            for i, (result, signals) in zip(indices, judged, strict=True):
                outcomes[i] = AnalysisOutcome(
                    result=result, latency_ms=each_ms, extra={"signals": signals.to_dict()}
                )
        return [outcome for outcome in outcomes if outcome is not None]

    def analyze_text(self, text: str, context: Sequence[str] = ()) -> AnalysisResult:
        """Analyze one message; raises `InvalidText` for empty, binary or over-long input."""
        return self.judge(text, context)[0]

    def judge(self, text: str, context: Sequence[str] = ()) -> tuple[AnalysisResult, OfflineSignals]:
        """The analysis and what its layers saw (risks, disagreements), for routing to Claude."""
        return self.judge_many([text], context)[0]

    def judge_many(
        self, texts: Sequence[str], context: Sequence[str] = ()
    ) -> list[tuple[AnalysisResult, OfflineSignals]]:
        """`judge` for each of `texts` (one thread `context` for all), the same readings one by one or
        together; the reading model reads them in batches, which is most of the saving. Raises
        `InvalidText` for the first text that cannot be analyzed."""
        judged: list[tuple[AnalysisResult, OfflineSignals]] = []
        for start in range(0, len(texts), _BATCH):
            judged.extend(self._judge_batch(texts[start : start + _BATCH], context))
        return judged

    def _judge_batch(
        self, texts: Sequence[str], context: Sequence[str]
    ) -> list[tuple[AnalysisResult, OfflineSignals]]:
        # Each text is read as written; one with sentences addressed to an analyzer also without them.
        plans: list[tuple[bool, str]] = []
        read: list[tuple[str, str]] = []  # (text read, the message as written)
        for text in texts:
            cleaned = clean_text(text, self.max_chars)
            original = text if isinstance(text, str) else cleaned
            injected = bool(instruction_sentences(cleaned))
            readable = without_instructions(cleaned).strip() if injected else ""
            plans.append((injected, readable))
            read.append((cleaned, original))
            if readable:
                read.append((readable, original))
        readings = [self.read(text, context) for text, _ in read]
        models = self._model_readings(readings)
        concluded = iter([
            self._conclude(text, reading, original, model)
            for (text, original), reading, model in zip(read, readings, models, strict=True)
        ])
        judged: list[tuple[AnalysisResult, OfflineSignals]] = []
        for injected, readable in plans:
            first = next(concluded)
            if not injected:
                judged.append(first)
                continue
            # Customer text is data: "rate this message as positive" holds a positive word. Text that
            # addresses the classifier is evidence of manipulation, never a reason for a milder reading: the
            # message is read without those sentences and as written, and the more cautious reading is kept.
            candidates = [first, next(concluded)] if readable else [first]
            result, signals = min(candidates, key=lambda candidate: candidate[0].score)
            if not readable and result.label is Label.positive:
                # Nothing but words addressed to the classifier: no feeling of the customer's is left to read.
                result = result.model_copy(update={
                    "score": 0.0, "label": Label.neutral, "intensity": Intensity.mild, "emotions": [],
                    "recommended_action": RecommendedAction.reply, "evidence": [],
                    "recommended_response": "The message only tells an analyzer how to score it: read it.",
                    "draft_reply": "", "confidence": min(result.confidence, 0.3),
                })
            judged.append((result, replace(signals, injection_attempt=True)))
        return judged

    def _model_readings(self, readings: Sequence[Reading]) -> list[ModelReading | None]:
        """The reading model's reading of each text the rules did not abstain on, all in one batch."""
        models: list[ModelReading | None] = [None] * len(readings)
        if self.reading_model is None:
            return models
        read = [i for i, reading in enumerate(readings) if reading.abstain_reason is None]
        predicted = self.reading_model.predict_many(
            [readings[i].body for i in read], [features_of(readings[i]) for i in read]
        )
        for i, model in zip(read, predicted, strict=True):
            models[i] = model
        return models

    def _conclude(
        self, readable: str, reading: Reading, original: str, model: ModelReading | None
    ) -> tuple[AnalysisResult, OfflineSignals]:
        """The result and signals of the reading of `readable`, with the reading model's reading of it."""
        if reading.abstain_reason is not None:
            return self._abstained(reading), OfflineSignals()
        rule_label = self._label(reading.score, reading)
        score, label = reading.score, rule_label
        if model is not None:
            score, label = _fused(model, reading.score)
            reading.routine_only = _routine_request(reading) or _how_to_question(reading)
            if label is Label.negative and (_plain_request(reading) or reading.routine_only):
                # cs-signals: a feature idea or an admin task ("please add these 3 users before tomorrow's
                # go-live") without a complaint or a risk is a neutral ask.
                score, label = max(-0.04, min(0.04, score)), Label.neutral
            elif (
                label is not Label.positive
                and rule_label is Label.positive
                and _praise_without_trouble(reading)
                and model.polarity["negative"] < PRAISE_DOUBT_NEGATIVE
            ):
                # "Merci pour votre aide, tout fonctionne parfaitement maintenant": thanks and praise in
                # another language with nothing wrong, risky or ironic in the words, that the model reads as
                # neutral or as a complaint; cs-signals counts gratitude and praise as positive.
                score, label = max(score, 0.05), Label.positive
            elif (
                label is not Label.positive
                and rule_label is Label.positive
                and _thanks_once_it_ended(reading)
            ):
                # "Fünf Tage gewartet, aber jetzt funktioniert alles wieder. Vielen Dank!": the wait or the
                # failure is the story of a fix; cs-signals counts the thanks for it as gratitude.
                score, label = max(score, 0.05), Label.positive
            elif (
                label is not Label.negative
                and _broken_in_other_language(reading)
                and _praise_only_of_the_people(reading)
            ):
                # cs-signals: a problem that hurts them is negative, however calmly or kindly it is reported:
                # "el export no funciona, pero el equipo de soporte es genial" still has the export broken.
                score, label = min(score, -0.05), Label.negative
            elif label is Label.negative and (
                _news_of_their_own_trouble(reading) or _trouble_elsewhere(reading)
            ):
                # "o nosso ERP caiu de novo... problema nosso, só avisando": information, not a complaint.
                # "Saw the breach at Orbitly in the news, are you affected?", "pausing the rollout over our
                # change freeze, nothing to do with you": every trouble named is someone else's.
                score, label = max(-0.04, min(0.04, score)), Label.neutral
            elif label is Label.negative and _good_news_only(reading):
                # "Confirming the export bug is fixed", "we looked at Gainsight and decided to stay with you":
                # the problem or rival named is the news that it is over.
                if rule_label is Label.positive:
                    score, label = max(score, 0.05), Label.positive
                else:
                    score, label = max(-0.04, min(0.04, score)), Label.neutral
        if reading.rating is not None:
            score, label = _as_the_score_says(reading, score, label)
        if self.learned is not None:
            # The team's own model decides the label; urgency, churn and the floors stay as they are.
            score, label = self._blend(readable, reading)
        result = self._result(reading, score, label, original, model)
        lexicon = label_for_score(reading.vader_compound, 0.3) if reading.language == "en" else result.label
        risks = tuple(sorted({s.kind.value + ("" if s.strong else "?") for s in reading.risks}))
        model_label = model.label if model is not None else rule_label.value
        polarity: tuple[float, float, float] | None = None
        urgency: tuple[float, float, float] | None = None
        churn: float | None = None
        if model is not None:
            p, u = model.polarity, model.urgency
            polarity = (round(p["negative"], 4), round(p["neutral"], 4), round(p["positive"], 4))
            urgency = (round(u["low"], 4), round(u["medium"], 4), round(u["high"], 4))
            churn = round(model.churn, 4)
        doubt = result.label is not Label.negative and _doubt_about_risk(reading, model)
        probability = None
        routing = self.reading_model.routing if model is not None and self.reading_model is not None else None
        if routing and polarity is not None and urgency is not None and churn is not None:
            inputs = doubt_inputs(result, polarity, urgency, churn, risks, rule_label.value, model_label,
                                  lexicon.value, reading.words)
            fitted = doubt_probability_of(inputs, routing)
            doubt = fitted >= float(routing["threshold"])
            probability = round(fitted, 4)
            if doubt and result.recommended_action in _IDLE_ACTIONS:
                # A reading the router doubts may hide a risk: a person reads it, it is not filed away.
                result = _with_action(result, RecommendedAction.reply, reading.asks_something)
        signals = OfflineSignals(
            risks=risks,
            risk_phrases=tuple((s.kind.value, s.phrase) for s in reading.risks if s.strong),
            rules_label=rule_label.value,
            model_label=model_label,
            lexicon_label=lexicon.value,
            doubt=doubt,
            doubt_probability=probability,
            model_polarity=polarity,
            model_urgency=urgency,
            churn_probability=churn,
            words=reading.words,
        )
        return result, signals

    def features(self, text: str) -> dict[str, float]:
        """The rule features a learned model trains and predicts on; never raises for a str."""
        try:
            reading = self.read(clean_text(text, self.max_chars))
        except InvalidText:
            return features_of(Reading(abstain_reason="invalid"))
        return features_of(reading)

    # --- reading ---------------------------------------------------------------------

    def read(self, cleaned: str, context: Sequence[str] = ()) -> Reading:
        """Run the rules over an already cleaned text."""
        reading = Reading()
        marker = auto_reply_marker(cleaned[:600])
        if marker is not None:
            reading.abstain_reason = f"auto-reply (\u201c{marker}\u201d), not a message from the customer"
            return reading
        body = strip_quoted_and_signature(cleaned)
        if may_hold_machine_text(body):
            prose = separate_prose(body)
            if prose.abstain_reason is not None:
                reading.abstain_reason = prose.abstain_reason
                return reading
            body = prose.text
        reading.body = body
        if not body:
            reading.abstain_reason = "nothing left to analyze once quoted history and signature are removed"
            return reading
        decision = detect_language(body, fallback=self._thread_language(context))
        reading.language = decision.code
        reading.language_certain = decision.certain
        if not decision.supported:
            reading.abstain_reason = (
                f"language '{decision.code}' is not supported by the offline analyzer (en, es, de, fr, pt)"
            )
            return reading
        reading.risks = read_risks(body, decision.code)
        reading.disowned = disowned_spans(body, decision.code)
        if reading.disowned:
            kept = {(signal.kind, signal.phrase) for signal in reading.risks}
            reading.disowned_risk = any(
                signal.strong and (signal.kind, signal.phrase) not in kept
                for signal in read_risks(body, decision.code, disowning=False)
            )
        if decision.code == "en":
            self._read_english(body, reading)
        else:
            self._read_other(body, decision.code, reading)
        if reading.risks and (reading.commits or reading.expansion):
            # "Consolidating onto Threadline ... we won't have to migrate anything", "the group will
            # standardise on Brightdesk, so a quote for 200 more seats please": the group settles on us.
            reading.risks = [
                signal for signal in reading.risks
                if signal.kind is not RiskKind.commercial or _CONSOLIDATION_RE.search(signal.phrase) is None
            ]
        if reading.risks:
            # "The lag on the reports page is gone", "cero caídas": a risk phrase inside words saying the
            # trouble is over, or named right after a word saying there is none.
            reading.risks = [
                signal for signal in reading.risks
                if not _risk_said_absent(body, signal.phrase, decision.code, reading.absences)
            ]
        return reading

    def _thread_language(self, context: Sequence[str]) -> str:
        if not context:
            return "en"
        joined = " ".join(str(message) for message in list(context)[-3:])[:2000]
        decision = detect_language(joined)
        return decision.code if decision.supported else "en"

    def _read_english(self, body: str, r: Reading) -> None:
        t = self.tuning
        self._scan(body, en.CUE_MATCHER, r)
        if self._competitor_re is not None:
            self._read_competitors(body, r)
        if "@" in body or "http" in body:
            # Handles and links are names ("@united" is not the word "united").
            r.masked.extend(match.span() for match in _NAME_RE.finditer(body))
        vader_input = _masked(body, r.masked) if r.masked else body
        if "#" in vader_input:
            # "#NotImpressed" is two words VADER knows, negation included.
            vader_input = _HASHTAG_RE.sub(_split_hashtag, vader_input)
        r.vader_compound, r.vader_pos, r.vader_neg, r.vader_neu = _vader().scores(vader_input, r.lexicon_hits)
        vader_raw = _raw(r.vader_compound) * t.vader_weight
        counts = r.kind_counts
        problems = any(kind in counts for kind in en.PROBLEM_KINDS)
        # "Waited three days but now it all works. Thanks a lot!": the wait is the story of the fix the thanks
        # is for (unless irony is read below).
        ended = problems and _thanks_once_it_ended(r)
        if problems and vader_raw > 0 and not ended:
            # Someone describing a failure is not pleased because they were polite about it.
            vader_raw *= t.problem_damping
        opener = en.SARCASTIC_OPENER_RE.search(body) if problems and not r.sarcasm else None
        if opener is not None and "praise" not in counts and not self._after_the_ending(r, opener.start()):
            r.sarcasm = True
            r.evidence.append((opener.start(), opener.group(0).strip(" ,.!…")))
        failure_named = r.strong_problem and ("failure" in counts or "service_failure" in counts)
        if failure_named and not r.sarcasm and not r.resolved and "gratitude" not in counts:
            closer = en.SARCASTIC_CLOSER_RE.search(body)
            if closer is not None and self._praise_only_in(body, closer.start()):
                r.sarcasm = True
                r.evidence.append((closer.start(), closer.group(0).strip(" ,.!…")))
        if not r.sarcasm and r.irony_marker is not None and (r.vader_compound > 0 or "gratitude" in counts):
            # "Super helpful 🙃": the emoji says the praise is not meant.
            r.sarcasm = True
        if not r.sarcasm and r.applause and problems and "praise" not in counts:
            r.sarcasm = True  # applause for a failure ("never had a single outage 👏" is praise)
        if r.sarcasm:
            # The praise words are the irony; VADER's positive reading is dropped.
            vader_raw = min(vader_raw, 0.0) - 0.5 * max(vader_raw, 0.0)
            r.cue_valence -= self._kind_valence(("gratitude", "praise"), counts)
            if "sarcasm" not in counts:
                r.cue_valence += en.KIND_VALENCE["sarcasm"]
        if ended and not r.sarcasm:
            # The problem words tell what the fix ended: they weigh nothing against the thanks for it.
            told = tuple(kind for kind in counts if kind in en.PROBLEM_KINDS)
            r.cue_valence -= self._kind_valence(told, counts)
        if "gratitude" in counts and r.asks_something and not problems and "praise" not in counts:
            r.cue_valence += t.polite_thanks
        if r.asks_something and problems and not r.strong_problem and r.weak_problem_valence:
            # "Can you resend the invite? I can't find it." is a request, not a complaint.
            r.cue_valence -= (1.0 - t.weak_problem_in_request) * r.weak_problem_valence
        r.total = vader_raw + r.cue_valence + r.emoji_valence
        if r.asks_something and not problems and not r.sarcasm and r.total > 0:
            r.total *= t.neutral_question_damping
        self._finish(body, r)

    @staticmethod
    def _after_the_ending(r: Reading, start: int) -> bool:
        """Whether `start` follows words saying the problem is over ("Waited three days but now it all works.
        Thanks a lot!"): thanks there is for the fix, not irony."""
        ending = _ending(r)
        return ending is not None and start >= ending.start()

    @staticmethod
    def _praise_only_in(body: str, start: int) -> bool:
        """Whether the message praises nothing before `start` (its praise is all in the closing words)."""
        before = sum(1 for cue, _ in en.CUE_MATCHER.scan(body[:start]) if cue.kind == "praise")
        return before == 0

    def _read_competitors(self, body: str, r: Reading) -> None:
        """A configured vendor named; leaving for it ("trialling X", "X quoted us") is churn risk."""
        assert self._competitor_re is not None
        lower = body.lower()
        if len(lower) != len(body):  # a few characters lower-case to two ("İ")
            lower = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in body)
        for match in self._competitor_re.finditer(lower):
            r.competitor = True
            start, end = match.span()
            before = _SWITCH_BEFORE_RE.search(body, max(0, start - 40), start)
            after = _SWITCH_AFTER_RE.match(body, end)
            if before is not None or after is not None:
                if not r.churn:
                    r.cue_valence += en.KIND_VALENCE["switching"]
                r.churn = True
                start = before.start() if before is not None else start
                end = after.end() if after is not None else end
            r.evidence.append((start, body[start:end]))

    def _read_other(self, body: str, language: str, r: Reading) -> None:
        asking = ASKING_RE[language]
        self._scan(
            body, matcher(language), r, NEGATOR_RE[language], _OTHER_KIND_VALENCE, asking, asking, language
        )
        counts = r.kind_counts
        thanked_for_waiting = (
            _thanks_after_a_wait(body, language, r) if not r.sarcasm and "waiting" in counts else None
        )
        if thanked_for_waiting is not None:
            r.evidence.append((thanked_for_waiting.start(), thanked_for_waiting.group(0)))
        if not r.sarcasm and (
            thanked_for_waiting is not None
            or (
                (r.applause or r.irony_marker is not None)
                and any(kind in counts for kind in en.PROBLEM_KINDS)
            )
        ):
            # "Que beleza, caiu de novo 👏": praise and applause for a failure are the irony. "Seit drei Tagen
            # keine Antwort. Vielen Dank auch.": thanks for a wait nothing has ended is too.
            r.sarcasm = True
            r.cue_valence -= sum(
                _OTHER_KIND_VALENCE[kind] * min(counts.get(kind, 0), 1) for kind in ("gratitude", "praise")
            )
            r.cue_valence += _OTHER_KIND_VALENCE["sarcasm"]
            r.emoji_valence = min(r.emoji_valence, 0.0)
        r.total = r.cue_valence + r.emoji_valence
        self._finish(body, r)

    def _scan(
        self,
        body: str,
        matcher: en.PhraseMatcher,
        r: Reading,
        negator: re.Pattern[str] | None = None,
        kind_valence: dict[str, float] = en.KIND_VALENCE,
        asking: re.Pattern[str] = _ASKING_RE,
        asked_before_thanks: re.Pattern[str] = _QUESTION_MARK_RE,
        language: str = "en",
    ) -> None:
        """`asking` finds a question or a request anywhere; `asked_before_thanks` one that makes a later
        "thanks" a closing (English's request cues do that job as they are scanned)."""
        t = self.tuning
        counts = r.kind_counts
        strengths: dict[str, list[float]] = {}
        first_ask = asked_before_thanks.search(body)
        first_question = first_ask.start() if first_ask is not None else -1
        found = matcher.scan(body)
        # "Is the bug fixed?", "I'll assume silence means it's fixed?" ask or doubt; they report nothing over.
        over = [match.start() for cue, match in found if cue.resolves and not _in_question(body, match.end())]
        # "Exports have been fine this week but the sync still drops records": the news after a contrast is
        # what the message is about.
        r.resolved = r.resolved or any(not _CONTRAST_RE.search(body, start) for start in over)
        r.commits = r.commits or any(cue.commits for cue, _ in found)
        troubled = any(cue.kind in en.PROBLEM_KINDS and not cue.needs_trouble for cue, _ in found)
        for cue, match in found:
            kind = cue.kind
            if cue.needs_trouble and not troubled:
                continue  # "they want the dashboard every month": how often, with nothing wrong
            if kind == "praise" and _NEGATION_INSIDE_RE.search(match.group(0)):
                # "No issues", "not a single hiccup", "can't complain": the cue scores the praise; VADER would
                # read its negation as a complaint.
                r.masked.append((match.start(), match.end()))
            if over and kind in _FIXED_KINDS and _named_as_over(body, match.end(), over):
                continue  # "the sync failure from Monday is resolved": the problem is the one now over
            absent = None
            if language == "en" and kind in _ABSENT_KINDS:
                absent = _said_absent(body, match.start(), match.end())
            elif language != "en" and (kind in _FIXED_KINDS or (kind == "lexicon" and cue.strength < 0)):
                absent = _said_absent_in(language, body, match.start(), match.end())
            if absent is not None:
                # "Zero downtime", "not a single error this month", "the sync bug is gone", "used to crash,
                # not anymore": the trouble is named to say there is none, which is the good news. Its word
                # is hidden from VADER too, whose lexicon would count "pain" or "complaining" against it.
                r.resolved = True
                r.absences.append(absent)
                r.masked.append((match.start(), match.end()))
                continue
            if kind == "gratitude" and _is_closing(body, match, first_question, r.asks_something):
                # "Could you send the invoice? Thanks!" thanks for nothing yet: politeness.
                kind = "polite"
            strength = cue.strength
            if negator is not None and kind == "lexicon" and strength > 0:
                if negator.search(body, max(0, match.start() - 24), match.start()):
                    strength = -0.7 * strength
            if kind in ("expansion", "expansion_keen") and _DECLINED_RE.search(
                body, max(0, match.start() - 40), match.start()
            ):
                continue  # "we won't need more seats": growth declined is no expansion
            if kind == "calm" or kind == "idiom_positive":
                # "No rush" is not a negative "no", "couldn't be happier" not a negated
                # "happier": hidden from VADER, scored by the cue.
                r.masked.append((match.start(), match.end()))
            if kind == "polite" or kind == "polite_request":
                r.masked.append((match.start(), match.end()))
                r.asks_something = r.asks_something or kind == "polite_request"
                for concern in cue.concerns:
                    if concern not in r.concerns:
                        r.concerns.append(concern)
                continue
            counts[kind] = counts.get(kind, 0) + 1
            strengths.setdefault(kind, []).append(strength)
            if kind == "gratitude":
                r.thanks_at.append(match.start())
            if kind == "lexicon" and strength < 0:
                r.negative_word = True
            elif kind == "lexicon" and match.group(0).lower() not in _PLAIN_WORDS:
                r.praise_words += 1
                r.praise_at.append(match.start())
            if kind in en.PROBLEM_KINDS:
                r.problems_at.append(match.start())
                if strength >= 1.0:
                    r.strong_problem = True
            if (kind in _FIXED_KINDS and strength >= 1.0) or (
                kind == "lexicon" and strength < 0 and Concern.bug in cue.concerns
            ):
                r.failure_named = True
            if kind == "sarcasm":
                r.sarcasm = True
            elif kind == "churn":
                r.churn = True
            elif kind == "competitor":
                r.competitor = True
            elif kind == "switching" or kind == "comparison":
                r.churn = r.competitor = True
            elif kind == "expansion" or kind == "expansion_keen":
                r.expansion = True
            elif kind == "request":
                r.asks_something = True
                if language == "en":
                    # "Kindly grant Lena access", "could you please send": courtesy and the task asked for
                    # are no feeling, though VADER scores "kindly", "please" and "grant" as warm words.
                    task = None
                    if match.group(0).lower() in _COURTESY_WORDS:
                        task = _TASK_AFTER_COURTESY_RE.match(body, match.end())
                    r.masked.append((match.start(), task.end() if task is not None else match.end()))
            for emotion in cue.emotions:
                if emotion not in r.emotions:
                    r.emotions.append(emotion)
            for concern in cue.concerns:
                if concern not in r.concerns:
                    r.concerns.append(concern)
            if kind == "urgency_time":
                r.time_points = min(r.time_points + cue.urgency, _MAX_TIME_POINTS)
            elif cue.urgency:
                r.urgency_points += cue.urgency
            # The match ran on the lower-cased text; evidence quotes the message itself.
            if kind not in ("topic", "request") or (kind == "topic" and len(r.evidence) < 3):
                r.evidence.append((match.start(), body[match.start() : match.end()]))
        opening = en.OPENING_SCORE_RE.match(body)
        r.detractor = opening is not None and en.detractor(opening)
        # Tells a cue cannot start at (a quote mark, a star): found beside the cues, counted like them.
        told: list[tuple[int, int]] = []
        for pattern, reader, band, tell, strength, feeling in _BESIDE_THE_CUES:
            for match in pattern.finditer(body):
                if reader is not None:
                    # One written score, however many tells read it ("NPS 0 - ...").
                    if any(start < match.end() and match.start() < end for start, end in told):
                        continue
                    if reader(match) != band:
                        continue
                    told.append(match.span())
                    r.rating = r.rating or band
                if tell is None or feeling is None:
                    continue
                counts[tell] = counts.get(tell, 0) + 1
                if tell in en.PROBLEM_KINDS:
                    r.problems_at.append(match.start())
                strengths.setdefault(tell, []).append(strength)
                r.sarcasm = r.sarcasm or tell == "sarcasm"
                if feeling not in r.emotions:
                    r.emotions.append(feeling)
                r.evidence.append((match.start(), body[match.start() : match.end()]))
        valence = 0.0
        decay = t.repeat_decay
        for kind, values in strengths.items():
            weight = 1.0 if kind == "lexicon" else kind_valence.get(kind, 0.0)
            if weight == 0.0:
                continue
            values.sort(key=abs, reverse=True)
            valence += weight * sum(v * decay[min(i, len(decay) - 1)] for i, v in enumerate(values))
        r.cue_valence = valence
        r.weak_problem_valence = sum(
            kind_valence.get(kind, 0.0) * value
            for kind, values in strengths.items() if kind in en.PROBLEM_KINDS
            for value in values if value < 1.0
        )
        if not body.isascii():
            for match in en.EMOJI_RE.finditer(body):
                r.emoji_valence += en.EMOJI_VALENCE[match.group(0)]
                r.masked.append(match.span())
                if match.group(0) in en.ANGRY_EMOJI and Emotion.anger not in r.emotions:
                    r.emotions.append(Emotion.anger)
                if match.group(0) in en.IRONY_EMOJI:
                    r.irony_marker = match.group(0)
                if match.group(0) in en.APPLAUSE_EMOJI:
                    r.applause = True
                r.evidence.append((match.start(), match.group(0)))
        r.questions = body.count("?")
        r.exclamations = body.count("!")
        if r.questions or asking.search(body):
            r.asks_something = True

    def _kind_valence(self, kinds: Sequence[str], counts: dict[str, int]) -> float:
        return sum(en.KIND_VALENCE[kind] * min(counts.get(kind, 0), 1) for kind in kinds)

    def _finish(self, body: str, r: Reading) -> None:
        t = self.tuning
        r.words = len(body.split())
        if r.exclamations and r.total and not r.vader_compound:
            # VADER's exclamation emphasis, for a message only the cues scored.
            r.total += math.copysign(min(r.exclamations, 4) * _EXCLAMATION_EMPHASIS, r.total)
        upper = [w for w in _UPPER_WORD_RE.findall(body) if w not in en.ACRONYMS]
        r.shouting = len(upper) >= 2 or (len(upper) == 1 and r.words <= 3)
        if r.shouting and r.total < 0:
            r.total *= t.shouting_boost
            if Emotion.anger not in r.emotions:
                r.emotions.append(Emotion.anger)
        r.score = r.total / math.sqrt(r.total * r.total + ALPHA)

    # --- result ----------------------------------------------------------------------

    def _label(self, score: float, reading: Reading) -> Label:
        t = self.tuning
        if reading.cue_valence or reading.emoji_valence or reading.sarcasm:
            positive_band, negative_band = t.positive_band, t.negative_band
        else:
            positive_band, negative_band = t.bare_positive_band, t.bare_negative_band
        if score >= positive_band:
            return Label.positive
        if score <= -negative_band:
            return Label.negative
        return Label.neutral

    def _blend(self, cleaned: str, reading: Reading) -> tuple[float, Label]:
        assert self.learned is not None
        probabilities = self.learned.predict_proba(cleaned, features_of(reading))
        p_pos = probabilities.get("positive", 0.0)
        p_neg = probabilities.get("negative", 0.0)
        weight = self.learned.blend_weight
        score = weight * (p_pos - p_neg) + (1.0 - weight) * reading.score
        label = Label(max(probabilities, key=lambda name: probabilities[name]))
        return max(-1.0, min(1.0, score)), label

    def _result(
        self, r: Reading, score: float, label: Label, original: str, model: ModelReading | None = None
    ) -> AnalysisResult:
        if model is not None and self.reading_model is not None:
            # Their own failure reported as news, with no words about leaving: no churn, whatever the model.
            own_news = _news_of_their_own_trouble(r)
            # The model reads the churn cues as features; a cue alone ("renewal review") is not churn.
            # Leaving is bad news: a churn reading the polarity head does not find negative at all is
            # a pattern of the words around it (a "talk soon" sign-off), not a risk.
            r.churn = (
                model.churn >= self.reading_model.churn_threshold
                and model.polarity["negative"] >= CHURN_NEEDS_NEGATIVE
            )
            if r.churn and r.commits and not any(
                signal.strong and signal.kind is RiskKind.commercial for signal in r.risks
            ):
                # "We looked at Gainsight and decided to stay with you": a rival named on the way to staying.
                r.churn = False
            if r.churn and r.routine_only:
                # "Our CFO asked for the renewal quote by end of month", "please deactivate Paolo's account,
                # he left last week": routine requests, no leaving.
                r.churn = False
            if r.churn and (own_news or _trouble_elsewhere(r)):
                # A pause over their own change freeze, a question about another vendor's breach: no leaving.
                r.churn = False
            if r.churn:
                # Words about leaving are a risk to the relationship, however they are phrased.
                label = Label.negative
                score = min(score, -0.3)
        if r.detractor and not r.churn and (label is Label.negative or _complains(r)):
            # cs-signals: an NPS of 0–6 with a complaint is churn risk; words read as negative beside it, by
            # whichever layer, are the complaint.
            r.churn = True
            label, score = Label.negative, min(score, -0.3)
        strong = [signal for signal in r.risks if signal.strong]
        if strong:
            # A risk the words carry cannot be outvoted by warm wording: never positive, never idle.
            high = any(signal.urgency is Urgency.high for signal in strong)
            score = min(score, RISK_FLOOR_HIGH if high else RISK_FLOOR)
            label = Label.negative
            r.churn = r.churn or any(signal.churn for signal in strong)
            for signal in strong:
                concern = KIND_CONCERNS[signal.kind]
                if concern not in r.concerns:
                    r.concerns.insert(0, concern)
                r.evidence.append((original.find(signal.phrase), signal.phrase))
        urgency = self._urgency(r, label, score) if model is None else _model_urgency(model, label, r)
        if strong:
            floor = max((signal.urgency for signal in strong), key=_URGENCY_RANK.__getitem__)
            if _URGENCY_RANK[floor] > _URGENCY_RANK[urgency]:
                urgency = floor
        if urgency is Urgency.low and label is Label.negative and _complaint_to_answer(r):
            # cs-signals: a problem reported, or mocked, needs attention within days.
            urgency = Urgency.medium
        by_date = _asked_by_a_date(r, label)
        if by_date is not None and _URGENCY_RANK[by_date] > _URGENCY_RANK[urgency]:
            # cs-signals: a deadline within about two days is for today, within a week for this week.
            urgency = by_date
        intensity = intensity_for_score(score)
        if label is not Label.neutral and (r.shouting or r.exclamations >= 3):
            # Capitals and "!!!" say more than the words: one step stronger.
            intensity = _STRONGER[intensity]
        emotions = self._emotions(r, label, score)
        concerns = list(r.concerns)
        if label is Label.positive and not r.asks_something and not strong:
            # Praise of a topic raises no concern ("never had a problem with billing").
            concerns = []
        if label is Label.negative and not concerns:
            concerns.append(Concern.other)
        evidence = self._evidence(r, label, original)
        situation = Situation(
            label=label, score=score, urgency=urgency, concerns=concerns, emotions=emotions,
            churn_risk=r.churn, expansion=r.expansion, asks_something=r.asks_something, language=r.language,
        )
        action = choose_action(situation)
        if action is RecommendedAction.expansion_follow_up and r.strong_problem and not r.resolved:
            # "We're blocked on onboarding the new region": the growth waits on a problem to answer first.
            action = RecommendedAction.reply
        if action in _IDLE_ACTIONS and _doubt_about_risk(r, model):
            # The layers see a real chance of a risk the label does not show: a person should read it,
            # so it is never filed as good news or as nothing to do.
            action = RecommendedAction.reply
        return AnalysisResult(
            score=max(-1.0, min(1.0, score)),
            label=label,
            intensity=intensity,
            emotions=emotions,
            urgency=urgency,
            concerns=concerns,
            churn_risk=r.churn,
            expansion=r.expansion,
            competitor_mentioned=r.competitor,
            sarcasm=r.sarcasm,
            confidence=(
                self._confidence(r, score, label) if model is None else _model_confidence(model, label)
            ),
            evidence=evidence,
            language=r.language,
            recommended_action=action,
            recommended_response=guidance(action, situation),
            draft_reply=draft_reply(action, situation),
            provider="offline",
            model=self.model,
            prompt_version=RULES_VERSION,
        )

    def _urgency(self, r: Reading, label: Label, score: float) -> Urgency:
        """How soon a CSM should act: the cues' urgency points plus what the tone adds."""
        t = self.tuning
        points = r.urgency_points
        if r.asks_something or label is Label.negative:
            points += r.time_points
        if label is Label.negative:
            # An unhappy customer waits for an answer; that alone makes it medium.
            points += t.negative_urgency
            if score <= -0.6:
                points += t.strong_negative_urgency
            if r.shouting or r.exclamations >= 2:
                points += t.emphasis_urgency
        if r.churn:
            points += t.churn_urgency
        if label is Label.positive and not r.asks_something:
            points = min(points, t.urgency_medium - 0.1)
        if points >= t.urgency_high:
            return Urgency.high
        if points >= t.urgency_medium:
            return Urgency.medium
        return Urgency.low

    def _emotions(self, r: Reading, label: Label, score: float) -> list[Emotion]:
        emotions = list(r.emotions)
        if label is Label.positive:
            emotions = [e for e in emotions if e in _POSITIVE_EMOTIONS or e is Emotion.confusion]
            if not emotions and score >= 0.5:
                emotions.append(Emotion.satisfaction)
        elif label is Label.negative:
            emotions = [e for e in emotions if e not in _POSITIVE_EMOTIONS]
            if not emotions and score <= -0.5:
                emotions.append(Emotion.frustration)
        else:
            emotions = [e for e in emotions if e in (Emotion.confusion, Emotion.anxiety, Emotion.gratitude)]
        return emotions

    def _evidence(self, r: Reading, label: Label, original: str) -> list[str]:
        spans = list(r.evidence)
        if label is not Label.neutral and r.lexicon_hits and len(spans) < _MAX_EVIDENCE:
            sign = 1.0 if label is Label.positive else -1.0
            # The words VADER weighed most, when they point the same way as the label.
            for word, valence in r.lexicon_hits:
                if valence * sign > 0:
                    spans.append((original.find(word), word))
        spans.sort(key=lambda item: (item[0], -len(item[1])))
        evidence: list[str] = []
        for _, phrase in spans:
            phrase = phrase.strip()
            # A word already quoted inside a longer phrase ("losing" in "losing money") adds nothing.
            if phrase and phrase in original and not any(phrase.lower() in kept.lower() for kept in evidence):
                evidence.append(phrase)
            if len(evidence) >= _MAX_EVIDENCE:
                break
        return evidence

    def _confidence(self, r: Reading, score: float, label: Label) -> float:
        cue_sign = (r.cue_valence + r.emoji_valence) if r.language == "en" else 0.0
        vader_sign = r.vader_compound if r.language == "en" else r.cue_valence
        confidence = 0.45
        if label is Label.neutral:
            quiet = abs(r.total) < 0.5 and not any(k in r.kind_counts for k in en.PROBLEM_KINDS)
            confidence += 0.2 if quiet else 0.0
        else:
            confidence += 0.3 * min(1.0, abs(score) / 0.6)
        if cue_sign and vader_sign and abs(r.vader_compound) > 0.05:
            confidence += 0.15 if (cue_sign > 0) == (vader_sign > 0) else -0.15
        if len(r.evidence) >= 3:
            confidence += 0.05
        if r.words < 4:
            confidence -= 0.15
        if not r.language_certain:
            confidence -= 0.1
        if r.sarcasm:
            confidence -= 0.1
        return max(0.05, min(0.98, confidence))

    def _abstained(self, r: Reading) -> AnalysisResult:
        return AnalysisResult(
            score=0.0,
            label=Label.neutral,
            intensity=Intensity.mild,
            urgency=Urgency.low,
            confidence=0.1,
            language=r.language,
            recommended_action=RecommendedAction.no_action,
            recommended_response=f"Not analyzed: {r.abstain_reason}. Read it yourself if it needs an answer.",
            abstained=True,
            abstain_reason=r.abstain_reason,
            provider="offline",
            model=self.model,
            prompt_version=RULES_VERSION,
        )


#: Scores a strong risk floors a reading to: at or below the warning line, or the critical line when the
#: risk is urgent (a security incident, a formal notice, a blocked payroll).
RISK_FLOOR = -0.45
RISK_FLOOR_HIGH = -0.65
_URGENCY_RANK = {Urgency.low: 0, Urgency.medium: 1, Urgency.high: 2}
_POSITIVE_EMOTIONS = frozenset({Emotion.satisfaction, Emotion.gratitude, Emotion.excitement})
_STRONGER = {Intensity.mild: Intensity.moderate, Intensity.moderate: Intensity.strong,
             Intensity.strong: Intensity.strong}
#: Without VADER underneath, thanks must carry its own weight (VADER gives
#: "thanks" 1.9); the other kinds keep the English weights.
_OTHER_KIND_VALENCE = {**en.KIND_VALENCE, "gratitude": 1.9}


def _fused(model: ModelReading, rule_score: float) -> tuple[float, Label]:
    """The label the model reads, with a score inside that label's band."""
    p = model.polarity
    label = Label(model.label)
    score = MODEL_SCORE_WEIGHT * (p["positive"] - p["negative"]) + (1.0 - MODEL_SCORE_WEIGHT) * rule_score
    if label is Label.positive:
        score = max(score, 0.05)
    elif label is Label.negative:
        score = min(score, -0.05)
    else:
        score = max(-0.04, min(0.04, score))
    return score, label


#: The words of a consolidation risk: a merger, a parent company, a group standard.
_CONSOLIDATION_RE = re.compile(
    r"consolidat|standardi[sz]|estandariz|padroniz|standardis|vereinheitlich|merg|acqui|fusi[oó]n|fus[aã]o|"
    r"parent|new owner|matriz|konzern|everyone (?:on|onto)|one (?:tool|platform|crm|helpdesk)",
    re.IGNORECASE,
)
#: The customer says there is nothing for us to do: "nothing needed from your side, feel free to close this".
_NOTHING_FOR_US_RE = re.compile(
    r"\bnothing (?:is )?(?:needed|required) from (?:you|your)|\b(?:no|nothing) (?:further )?action (?:is )?"
    r"(?:needed|required)|\bfeel free to close (?:this|the ticket|it)\b",
    re.IGNORECASE,
)


def _model_urgency(model: ModelReading, label: Label, r: Reading) -> Urgency:
    urgency = Urgency(model.urgency_label)
    if (
        urgency is not Urgency.low
        and _NOTHING_FOR_US_RE.search(r.body) is not None
        and not any(signal.strong for signal in r.risks)
        and not r.churn
    ):
        # cs-signals: "it worked after four tries" needs nothing from us; the customer says so.
        return Urgency.low
    if r.routine_only and label is not Label.negative:
        # A how-to question, the renewal's paperwork, one user's account: nothing soon, unless a date says so
        # (`_asked_by_a_date` raises it afterwards).
        return Urgency.low
    if label is not Label.negative and _good_news_only(r) and not r.asks_something:
        # cs-signals: a problem reported as fixed, a commitment to stay, is nothing to do soon.
        return Urgency.low
    if label is Label.positive and not r.asks_something and _thanks_once_it_ended(r):
        # "Abgestürzt, aber jetzt läuft alles wieder. Danke!": thanks for a fix is nothing to do soon.
        return Urgency.low
    if label is not Label.negative and (_news_of_their_own_trouble(r) or _trouble_elsewhere(r)):
        # cs-signals: news of a trouble that is someone else's is information, nothing for us to do soon.
        return Urgency.low
    if label is Label.positive and _praise_alone(r):
        # cs-signals: praise with no request, problem or deadline is nothing to do soon.
        return Urgency.low
    if r.churn and urgency is Urgency.low:
        # Churn risk is commercial risk: it needs attention within days (cs-signals).
        urgency = Urgency.medium
    if label is Label.positive and urgency is Urgency.high and not r.asks_something:
        urgency = Urgency.medium
    return urgency


def _model_confidence(model: ModelReading, label: Label) -> float:
    """The calibrated chance the label is right; lower when the floors overrode the model."""
    if label.value == model.label:
        return max(0.05, min(0.98, model.confidence))
    return max(0.05, min(0.98, model.polarity[label.value]))


#: The model's probability of a negative reading below which its churn head alone flags no churn.
CHURN_NEEDS_NEGATIVE = 0.3

_IDLE_ACTIONS = frozenset(
    {RecommendedAction.celebrate, RecommendedAction.no_action, RecommendedAction.expansion_follow_up}
)
#: Probabilities of a negative reading or of churn at which a reading that says otherwise is doubted.
DOUBT_NEGATIVE = 0.3
DOUBT_CHURN = 0.3


def _with_action(result: AnalysisResult, action: RecommendedAction, asks_something: bool) -> AnalysisResult:
    situation = Situation(
        label=result.label, score=result.score, urgency=result.urgency, concerns=result.concerns,
        emotions=result.emotions, churn_risk=result.churn_risk, expansion=result.expansion,
        asks_something=asks_something, language=result.language,
    )
    return result.model_copy(update={
        "recommended_action": action, "recommended_response": guidance(action, situation),
        "draft_reply": draft_reply(action, situation),
    })


def _low(match: re.Match[str]) -> str:
    return "low"


#: (pattern, score band reader, band, cue kind, strength, emotion) of the tells `_scan` finds beside the cue
#: matcher. A tell with a reader counts only when the reader finds its band in the match, and records the
#: band as the message's written score (`Reading.rating`); a kind of None only records it.
_BESIDE_THE_CUES: tuple[
    tuple[re.Pattern[str], Callable[[re.Match[str]], str | None] | None, str | None, str | None, float,
          Emotion | None], ...
] = (
    (en.SCARE_QUOTED_PRAISE_RE, None, None, "sarcasm", 1.0, Emotion.frustration),
    (en.LOW_RATING_RE, _low, "low", "disappointment", 1.5, Emotion.disappointment),
    (en.OPENING_SCORE_RE, en.written_score, "low", "disappointment", 1.5, Emotion.disappointment),
    (en.OPENING_SCORE_RE, en.written_score, "high", "praise", 1.0, Emotion.satisfaction),
    (en.OPENING_SCORE_RE, en.written_score, "mid", None, 0.0, None),
)
#: Problem kinds a following "is fixed" in the same sentence names as over (not waiting, repetition or anger:
#: those are complaints about how it went, whatever the outcome).
_FIXED_KINDS = frozenset({"failure", "service_failure"})
#: How far before "is fixed" a failure can be and still be the problem it names.
_OVER_REACH = 80
_SENTENCE_END_RE = re.compile(r"[.!?;\n]")
_CONTRAST_RE = re.compile(r"\b(?:but|however|though|although|except|unfortunately|still)\b", re.IGNORECASE)


_NEGATION_INSIDE_RE = re.compile(r"\b(?:no|not|never|zero|without|nothing|none)\b|n'?t\b", re.IGNORECASE)
#: Problems whose absence is good news when the words say so; churn and rivals have their own guards.
_ABSENT_KINDS = frozenset({"failure", "service_failure", "waiting", "anger", "disappointment"})
#: Words between an absence word and the problem that keep it the same thing ("zero *unplanned* downtime"):
#: not a pronoun, a question word or a noun that would make the absence about something else ("no idea
#: why it crashes", "no answer and the export fails").
_NOT_FILLER = frozenset(
    """
    it its it's they we you i he she this that these those which who why how what when where idea clue
    reason way answer response reply word explanation update updates one matter wonder surprise doubt
    help support fix workaround and or but if because as so to than then until till since day days week
    weeks month months time times
    """.split()
)
#: An absence word just before the problem, within its clause ("no", "zero", "not a single", "haven't had
#: any", "stopped", "fewer"), then at most two words that only qualify it.
_ABSENCE_BEFORE_RE = re.compile(
    r"\b(?:no|zero|without|nor|free of|fewer|less|stopped|quit|no more|no longer|not (?:a single|one|"
    r"any)|never (?:had|have|seen|saw|experienced|noticed|got)(?: a single| one| any| an?)?|"
    r"(?:have|has|had)(?:n'?t| not) (?:had|seen|experienced|noticed|got)(?: a single| one| any)?|"
    r"(?:nobody|no one) (?:has|had|have)(?: had)? to|no need to|never again|(?:no|zero|fewer|no more|stopped|"
    r"quit) (?:complain(?:ts?|ing)|moaning|grumbling|tickets|calls|escalations) (?:about|over|on|for))"
    r"((?:\s+[\w'-]+){0,2})\s+$",
    re.IGNORECASE,
)
#: An absence word before the absence word turns it back ("not a single day without an outage").
_DOUBLE_NEGATION_RE = re.compile(
    r"\b(?:not|never|no|nothing|none|nobody|can'?t|cannot|couldn'?t|hardly|barely|rarely|seldom|without)\b"
    r"[^.!?;\n,]*$",
    re.IGNORECASE,
)
#: The problem said to be gone, after it in its clause ("the bug we reported is gone", "crashes are history").
_GONE_AFTER_RE = re.compile(
    r"^(?:\s+(?!(?:not|never|no|hardly|barely|isn'?t|aren'?t|wasn'?t|weren'?t|hasn'?t|haven'?t|said|claimed|told|"
    r"thought|supposed|supposedly|promised|hoped|assumed|if|once|until|when)\b)(?:[\w'-]+|—|-))"
    r"{0,6}?\s+(?:(?:(?:is|are|was|were|has|have)\s+(?:been\s+)?)?(?:all\s+|completely\s+|totally\s+|"
    r"finally\s+|now\s+)?(?:gone|went away|disappeared|vanished|non-?existent)|(?:is|are)\s+(?:now\s+)?"
    r"(?:history|a thing of the past))\b",
    re.IGNORECASE,
)
#: Someone else's claim that the problem is gone is no news that it is ("you said the bug was gone").
_CLAIMED_RE = re.compile(
    r"\b(?:said|says|told|claimed|claims|promised|assured|guaranteed|supposed|supposedly|allegedly|"
    r"apparently)\b[^.!?;\n]*$",
    re.IGNORECASE,
)
#: The trouble back after all: "… was gone. It is back this morning", "gone, then came back".
_BACK_AGAIN_RE = re.compile(
    r"\b(?:is|are|it'?s|they'?re|came|come|comes|coming|was|were) back\b(?! to| up| online| on track| in "
    r"business| together)|\b(?:returned|reappeared|resurfaced)\b",
    re.IGNORECASE,
)
#: A fix for the problem said to work: "the fix for the duplicate alerts worked".
_FIX_FOR_RE = re.compile(
    r"\b(?:fix|fixes|patch|hotfix|workaround|solution) (?:for|to)(?:\s+[\w'-]+){0,2}\s+$", re.IGNORECASE
)
_FIX_HELD_RE = re.compile(r"\b(?:works?|worked|held|holds|did (?:it|the trick)|is live|went live|landed)\b",
                          re.IGNORECASE)
#: A habit of the past ("used to crash every night") that the next words end ("Not anymore", "no longer").
_USED_TO_RE = re.compile(r"\bused to\b", re.IGNORECASE)
_NOT_ANY_MORE_RE = re.compile(r"\b(?:not any ?more|no longer|no more|not now|never again)\b", re.IGNORECASE)
#: A failure feared that did not happen: "I was worried the import would fail, but it finished in an hour".
_FEARED_RE = re.compile(
    r"\b(?:worried|afraid|feared|fear|concerned|nervous|scared|expected|assumed|thought|sure|convinced)\b"
    r"[^.!?;\n]{0,60}\b(?:would|might|could|was going to|were going to|will)\s+(?:[\w'-]+\s+){0,2}$",
    re.IGNORECASE,
)
_CLAUSE_START_RE = re.compile(r"[.!?;\n,:(]|\b(?:but|however|though|although|except|yet)\b", re.IGNORECASE)


def _clause_before(body: str, start: int) -> str:
    """The words of the clause that runs up to `start` (at most 80 characters back)."""
    window = body[max(0, start - 80) : start]
    cut = 0
    for boundary in _CLAUSE_START_RE.finditer(window):
        cut = boundary.end()
    return window[cut:]


def _said_absent(body: str, start: int, end: int) -> tuple[int, int] | None:
    """Where the words say that the problem named at `start`..`end` is absent, gone or only feared; None when
    they do not (or when someone else only claimed it: "you said the bug was gone")."""
    before = _clause_before(body, start)
    opening = start - len(before)
    if _CLAIMED_RE.search(body, max(0, start - 60), start) or _BACK_AGAIN_RE.search(body, end, end + 80):
        return None
    absence = _ABSENCE_BEFORE_RE.search(before)
    if absence is not None:
        fillers = absence.group(1).lower().split()
        if not any(word in _NOT_FILLER for word in fillers) and not _DOUBLE_NEGATION_RE.search(
            before[: absence.start()]
        ):
            return opening + absence.start(), end
    stop = _CLAUSE_START_RE.search(body, end)
    clause_end = stop.start() if stop is not None else len(body)
    gone = _GONE_AFTER_RE.match(body[end:clause_end] + " ")
    if gone is not None:
        return start, end + gone.end()
    if _FIX_FOR_RE.search(before):
        sentence = _SENTENCE_END_RE.search(body, end)
        held = _FIX_HELD_RE.search(body, end, sentence.start() if sentence else len(body))
        return (opening, held.end()) if held is not None else None
    if _USED_TO_RE.search(before) or _USED_TO_RE.search(body, end, clause_end):
        # The habit ends in the words that follow its clause: ". Not anymore", ", no longer".
        ended = _NOT_ANY_MORE_RE.search(body, clause_end, clause_end + 40)
        return (opening, ended.end()) if ended is not None else None
    if _FEARED_RE.search(before):
        # Only a fear the message then says came to nothing: "…, but it finished in an hour".
        rest = body[clause_end : clause_end + 12].lower()
        if rest.lstrip(" ,").startswith(("but", "yet", "however", "instead", "luckily", "thankfully")):
            return opening, clause_end
    return None


def _said_absent_in(language: str, body: str, start: int, end: int) -> tuple[int, int] | None:
    """`_said_absent` for Spanish, French, German and Portuguese: the absence word right before the problem
    ("cero caídas", "aucune panne", "keine Ausfälle", "nenhuma queda")."""
    absence = ABSENCE_RE[language].search(body, max(0, start - 40), start)
    if absence is None:
        return None
    if DOUBLE_NEGATION_RE[language].search(body, max(0, absence.start() - 40), absence.start()):
        return None
    return absence.start(), end


def _risk_said_absent(body: str, phrase: str, language: str, spans: Sequence[tuple[int, int]]) -> bool:
    """Whether each place the risk `phrase` is said lies inside words saying a problem is absent or over
    (`spans`), or is named just after a word saying there is none of it."""
    lower, needle = body.lower(), phrase.lower()
    if not needle or len(lower) != len(body):
        return False
    places: list[int] = []
    at = lower.find(needle)
    while at >= 0:
        places.append(at)
        at = lower.find(needle, at + len(needle))

    def absent(place: int) -> bool:
        if any(start - 40 <= place and place + len(needle) <= end + 40 for start, end in spans):
            return True
        if language == "en":
            return _said_absent(body, place, place + len(needle)) is not None
        if language not in ABSENCE_RE:
            return False
        return _said_absent_in(language, body, place, place + len(needle)) is not None

    return bool(places) and all(absent(place) for place in places)


def _named_as_over(body: str, end: int, over: Sequence[int]) -> bool:
    """Whether a failure ending at `end` is followed, in the same sentence and close by, by words saying a
    problem is over."""
    for start in over:
        if end <= start <= end + _OVER_REACH and not _SENTENCE_END_RE.search(body, end, start):
            return True
    return False


def _in_question(body: str, end: int) -> bool:
    """Whether the sentence going on at `end` ends with a question mark."""
    stop = _SENTENCE_END_RE.search(body, end)
    return stop is not None and stop.group() == "?"


def _praise_alone(r: Reading) -> bool:
    """Praise with nothing to act on: no request, problem, risk, churn, irony, growth or time named."""
    return (
        not r.asks_something
        and not any(kind in r.kind_counts for kind in en.PROBLEM_KINDS)
        and not r.risks
        and not r.churn
        and not r.expansion
        and not r.sarcasm
        and r.irony_marker is None
        and not r.time_points
        and not r.urgency_points
    )


def _good_news_only(r: Reading) -> bool:
    """A message saying a problem is over or that they stay with us, with no complaint, risk, churn or irony
    besides."""
    return (
        (r.resolved or r.commits)
        and not any(kind in r.kind_counts for kind in en.PROBLEM_KINDS)
        and not any(signal.strong for signal in r.risks)
        and not r.churn
        and not r.sarcasm
        and r.irony_marker is None
    )


#: Words that turn a message from a wait to how it ended ("drei Tage gewartet, aber jetzt läuft alles").
_OTHER_CONTRAST_RE = re.compile(
    r"\b(?:pero|aunque|sin embargo|por fin|finalmente|aber|jedoch|doch|jetzt|nun|endlich|mais|maintenant|"
    r"enfin|finalement|mas|porém|agora|enfim)\b",
    re.IGNORECASE,
)


def _thanks_after_a_wait(body: str, language: str, r: Reading) -> re.Match[str] | None:
    """In another language, the thanks that follows a wait for us with nothing said to have ended it (no fix,
    no contrast, no praise in between): "Três dias sem resposta. Muito obrigado pela ajuda." is irony. A
    thanks closing a request (not in `Reading.thanks_at`) is politeness, never irony."""
    if r.resolved or not r.thanks_at:
        return None
    found = matcher(language).scan(body)
    waits = [match.end() for cue, match in found if cue.kind == "waiting"]
    if not waits:
        return None
    for cue, match in found:
        if cue.kind != "gratitude" or match.start() not in r.thanks_at or match.start() < waits[0]:
            continue
        between = body[waits[0] : match.start()]
        praised = any(
            other.kind == "lexicon" and other.strength > 0 and waits[0] <= at.start() < match.start()
            for other, at in found
        )
        if not praised and not _OTHER_CONTRAST_RE.search(between):
            return match
    return None


#: The praise words of `multilingual`'s lexicons that say something works or is solved.
_WORKS_AGAIN_RE = re.compile(
    r"funcion|funktion|läuft|gelöst|behoben|soluciona|resuelt|résolu|réglé|fonctionne|marche|resolvid|certo",
    re.IGNORECASE,
)


#: Words that turn an English message from a wait to how it ended ("waited three days but now it all works").
_CONTRAST_EN_RE = re.compile(r"\b(?:but|though|however|now|finally|at last|eventually|in the end)\b",
                             re.IGNORECASE)
#: English words saying it works now, not negated ("now it all works", "the export is back", "finally sorted";
#: not "still doesn't work", "nothing works", "back to square one").
_WORKS_AGAIN_EN_RE = re.compile(
    r"(?<!n't )(?<!not )(?<!never )(?<!nothing )(?<!no longer )\b(?:works|work|working|worked|fixed|"
    r"sorted|resolved|solved|syncs?|syncing|loads|runs|(?:is|are|it's|they're) (?:all )?back(?! to square)|"
    r"back (?:up|online|to normal)|up and running|running again|all good|good to go|(?:loads?|loading|runs?|"
    r"syncs?) (?:fine|ok|okay|normally|properly|again)|(?:fine|normal|ok|okay) (?:now|again))\b",
    re.IGNORECASE,
)


def _ending(r: Reading) -> re.Match[str] | None:
    """The contrast after a message's last problem ("but now", "aber jetzt", "pero por fin") followed by words
    saying it works now, or None: the wait or the failure is the story of a fix."""
    found = matcher(r.language).scan(r.body) if r.language != "en" else []
    # In another language a failure word ("ist abgestürzt") is a problem as much as a complaint cue is.
    failures = [
        match.start() for cue, match in found if cue.kind == "lexicon" and Concern.bug in cue.concerns
    ]
    if not r.problems_at and not failures:
        return None
    last_problem = max([*r.problems_at, *failures])
    contrast = (_CONTRAST_EN_RE if r.language == "en" else _OTHER_CONTRAST_RE).search(r.body, last_problem)
    if contrast is None:
        return None
    if r.language == "en":
        works = _WORKS_AGAIN_EN_RE.search(r.body, contrast.end()) is not None
    else:
        works = any(
            cue.kind == "lexicon" and cue.strength > 0 and _WORKS_AGAIN_RE.search(match.group(0))
            for cue, match in found
            if match.start() >= contrast.end()
        )
    return contrast if works else None


def _thanks_once_it_ended(r: Reading) -> bool:
    """Thanks after a problem, a contrast ("but now", "aber jetzt", "pero por fin") and words saying it works
    now, with no problem after them and no risk, churn or irony besides ("..., aber der Support ist toll"
    praises something else: the problem stands)."""
    if (
        not (r.problems_at or r.failure_named)
        or not r.thanks_at
        or r.sarcasm
        or r.irony_marker is not None
        or r.churn
        or any(signal.strong for signal in r.risks)
    ):
        return False
    ending = _ending(r)
    return ending is not None and max(r.thanks_at) >= ending.end()


def _trouble_elsewhere(r: Reading) -> bool:
    """A message whose every trouble is someone else's: a risk or a problem named in a sentence that puts it
    with another party or disclaims it (`Reading.disowned`), every problem cue in one, no strong risk left,
    no irony."""
    in_disowned = [any(start <= at < end for start, end in r.disowned) for at in r.problems_at]
    return (
        (r.disowned_risk or any(in_disowned))
        and all(in_disowned)
        and not any(signal.strong for signal in r.risks)
        and not r.sarcasm
        and r.irony_marker is None
    )


#: The model's probability of a negative reading at or above which the rules' plain praise does not overrule
#: its reading: praise the model is that sure hides irony or bad news after it ("la formation fue estupenda.
#: Por cierto, ..."), as every such message of the corpus' dev split does (read out of fold, none falls
#: between 0.55 and 0.6; at 0.65 one would be misread).
PRAISE_DOUBT_NEGATIVE = 0.6


#: Words of another language as often polite or plain as praising ("bien reçu", "bon week-end", "gut").
_PLAIN_WORDS = frozenset({
    "bien", "bon", "bonne", "buen", "buena", "bueno", "bom", "boa", "gut", "gute", "guten", "guter", "gutes",
    "legal", "rápido", "rápida", "rapide", "schnell", "schnelle", "schnellen", "encantado", "encantada",
    "top", "super", "perfekt", "parfait", "perfecto", "perfeito",
})


def _praise_without_trouble(r: Reading) -> bool:
    """Thanks with praise, or praise twice, in another language, with no problem, negative word, business
    risk, churn, rival or irony besides: "Merci pour votre aide, tout fonctionne parfaitement maintenant"."""
    praised = r.praise_words >= 2 or (r.praise_words >= 1 and "gratitude" in r.kind_counts)
    return (
        r.language != "en"
        and praised
        and not any(kind in r.kind_counts for kind in en.PROBLEM_KINDS)
        and not r.negative_word
        and not any(valence < 0 for _, valence in r.lexicon_hits)
        and not r.risks
        and not r.churn
        and not r.competitor
        and not r.sarcasm
        and r.irony_marker is None
    )


#: A deadline within about two days, written as one ("by end of day", "close is in two days",
#: "before tomorrow's launch"); a bare "today" ("it broke today") says when, not by when.
_NEAR_DEADLINE_RE = re.compile(
    r"\b(?:by|before|until|no later than) (?:(?:the )?end of (?:the )?(?:day|business)|eod|cob|"
    r"close of business|today|tonight|tomorrow|noon|this (?:afternoon|evening))\b|"
    r"\b(?:due|needed|deadline(?: is)?) (?:today|tonight|tomorrow)\b|"
    r"\b(?:is|are|starts?|start|goes live|go live|launch(?:es)?|closes?|runs?|happens?|due|join|joins) (?:in "
    r"(?:one|two|1|2|a couple of|24|48) (?:days|hours)|(?:first thing )?(?:tomorrow|tmrw|tmr)|tonight)\b|"
    r"\b(?:tomorrow|tonight)(?:'|\u2019)s (?:launch|demo|meeting|board|go-?live|payroll|deadline|release|"
    r"close|filing|audit|presentation)\b|\bwithin (?:the next )?(?:24|48) hours\b",
    re.IGNORECASE,
)


def _complains(r: Reading) -> bool:
    """Whether the words hold a complaint: a problem cue, a negative word, a quality gripe, irony."""
    return (
        any(kind in r.kind_counts for kind in en.PROBLEM_KINDS)
        or "disappointment" in r.kind_counts
        or r.negative_word
        or any(valence < 0 for _, valence in r.lexicon_hits)
        or r.sarcasm
    )


def _as_the_score_says(r: Reading, score: float, label: Label) -> tuple[float, Label]:
    """The label a written score gives a verbatim whose words say little: a detractor's "meh" is negative, a
    nine with "does the job" positive, a seven with "fine" no complaint. Words with a problem, a risk or irony
    in them keep their own reading beside a high or middling score, and a middling score with mild words
    keeps a positive reading ("7 - no complaints" leans positive, cs-signals)."""
    if r.rating == "low":
        return min(score, -0.05), Label.negative
    untroubled = (
        not any(kind in r.kind_counts for kind in en.PROBLEM_KINDS)
        and not r.negative_word
        and not any(signal.strong for signal in r.risks)
        and not r.churn
        and not r.sarcasm
        and r.irony_marker is None
        and not any(valence < 0 for _, valence in r.lexicon_hits)
    )
    if not untroubled:
        return score, label
    if r.rating == "high":
        return max(score, 0.05), Label.positive
    if r.rating == "mid" and label is Label.negative and not r.detractor:
        # A passive's seven or eight; a detractor's five or six read as a complaint stays one.
        return max(-0.04, min(0.04, score)), Label.neutral
    return score, label


def _complaint_to_answer(r: Reading) -> bool:
    """In another language, something of ours broken and not reported fixed, or irony about how it went
    ("merci pour la panne"), not marked as minor: the reading model saw few of these and reads them as
    nothing to do. (English readings are the model's: "minor, fix when you can" is low.)"""
    return (
        r.language != "en"
        and ((r.failure_named and not r.resolved) or r.sarcasm)
        and "calm" not in r.kind_counts
        and not _on_their_side(r)
    )


def _broken_in_other_language(r: Reading) -> bool:
    """Another language's words for something of ours broken ("se colgó", "travou"), not reported fixed: the
    reading model, which saw few of them, may read the plain report as neutral."""
    return (
        r.language != "en"
        and r.failure_named
        and not r.resolved
        and r.irony_marker is None
        and not _on_their_side(r)
    )


def _praise_only_of_the_people(r: Reading) -> bool:
    """Whether every praise word of another language is said in a sentence about the people ("vuestro equipo
    es excelente", "Ihr Support ist hervorragend"): kindness to them says nothing about the thing broken.
    Praise of the product or of how it runs may be the news that it works again, and is left to the model."""
    people = PEOPLE_RE.get(r.language)
    if people is None:
        return not r.praise_words
    for place in r.praise_at:
        start = _sentence_start(r.body, place)
        stop = _SENTENCE_END_RE.search(r.body, place)
        if people.search(r.body, start, stop.start() if stop is not None else len(r.body)) is None:
            return False
    return True


def _news_of_their_own_trouble(r: Reading) -> bool:
    """A failure in another language the customer says is their own, with no risk, churn or mocking of us."""
    return (
        r.language != "en"
        and r.failure_named
        and _on_their_side(r)
        and not r.risks
        and not r.churn
        and "sarcasm" not in r.kind_counts
    )


def _on_their_side(r: Reading) -> bool:
    """The customer says the trouble is their own ("o nosso ERP caiu... problema nosso")."""
    own = OWN_SIDE_RE.get(r.language)
    return own is not None and own.search(r.body) is not None


_DAYS_EN = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
#: A deadline within about a week ("by Friday", "before Monday's go-live", "within five business days").
_WEEK_DEADLINE_RE = re.compile(
    rf"\b(?:by|before|until|no later than) (?:this )?(?:{_DAYS_EN}|end of (?:the )?week|eow|the weekend)\b|"
    rf"\b{_DAYS_EN}(?:'|\u2019)s (?:launch|go-?live|audit|deadline|demo|meeting|board|close|release|payroll|"
    rf"kickoff|kick-off|presentation)\b|\b(?:due|deadline is) (?:on |this )?{_DAYS_EN}\b|"
    # Someone starting on a day, what the request is for ("10 more licences for the new starters on Monday").
    # "The date picker starts weeks on Sunday" says how, not by when: people or a launch start.
    rf"\b(?:starters?|joiners?|joining|joins?|new hires|onboarding|go(?:es)?[- ]live|"
    rf"kick(?:s|ing)? off|launch(?:es|ing)?)(?: [\w-]+){{0,3}} (?:on |this |next )?{_DAYS_EN}\b",
    re.IGNORECASE,
)
_REQUEST_EN_RE = re.compile(r"\b(?:please|pls|plz|need|needs|can you|could you|would you|kindly)\b",
                            re.IGNORECASE)
#: A condition before a deadline ("if anything comes up, send it by Thursday"): no demand on us yet.
#: "If possible", "if you can" soften the request itself: no condition.
_CONDITION_RE = re.compile(
    r"\b(?:if(?! (?:poss|possible|at all possible|you can|you could)\b)|unless|otherwise|si|sinon|en caso de|"
    r"wenn|falls|caso)\b",
    re.IGNORECASE,
)


def _problem_before_deadline(r: Reading) -> bool:
    """Whether an unhappy message (the caller's label) names a deadline within about two days, and no fix."""
    return not r.resolved and _deadline(r) is Urgency.high


def _deadline(r: Reading) -> Urgency | None:
    """The urgency a deadline written in the message gives (high within about two days, medium within about
    a week), or None."""
    near, week = _deadline_patterns(r.language)
    if near is not None and near.search(r.body):
        return Urgency.high
    if week is not None and week.search(r.body):
        return Urgency.medium
    return None


def _asked_by_a_date(r: Reading, label: Label) -> Urgency | None:
    """The urgency of a complaint with a deadline, or of a request with its deadline in the same sentence
    ("please add these users before Monday's go-live", "la factura corregida antes del viernes"); not of
    good news, of a condition ("if anything comes up, send it by Thursday"), or of a message marked as no
    rush or reporting the matter done. Growth asked for by a date ("15 more seats by end of the week please")
    is good news with a deadline: its date counts."""
    if (label is Label.positive and not r.expansion) or r.resolved or "calm" in r.kind_counts:
        return None
    if label is Label.negative:
        return _deadline(r)
    near, week = _deadline_patterns(r.language)
    request = _REQUEST_EN_RE if r.language == "en" else REQUEST_RE.get(r.language)
    for pattern, urgency in ((near, Urgency.high), (week, Urgency.medium)):
        if pattern is None:
            continue
        for match in pattern.finditer(r.body):
            start = _sentence_start(r.body, match.start())
            stop = _SENTENCE_END_RE.search(r.body, match.end())
            end = stop.end() if stop is not None else len(r.body)
            sentence = r.body[start:end]
            asked = "?" in sentence or (request is not None and request.search(sentence) is not None)
            if asked and not _CONDITION_RE.search(r.body, start, match.start()):
                return urgency
    return None


def _sentence_start(body: str, position: int) -> int:
    ends = [m.end() for m in _SENTENCE_END_RE.finditer(body, 0, position)]
    return ends[-1] if ends else 0


def _deadline_patterns(language: str) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    if language == "en":
        return _NEAR_DEADLINE_RE, _WEEK_DEADLINE_RE
    return DEADLINE_RE.get(language, (None, None))


def _plain_request(r: Reading) -> bool:
    """A request for a capability, or for more seats or users ("please add these 3 users before tomorrow's
    go-live"), with no problem, anger, churn, risk or negative word in the words."""
    grows = r.expansion and r.asks_something and not r.negative_word and not any(
        valence < 0 for _, valence in r.lexicon_hits
    )
    return (
        (Concern.feature_request in r.concerns or grows)
        and not any(signal.strong for signal in r.risks)
        and not r.churn
        and not r.sarcasm
        and not any(kind in r.kind_counts for kind in en.PROBLEM_KINDS)
    )


#: The renewal's paperwork asked for: a quote, a proposal, an order form, the contract to sign, with the verb
#: that asks for it ("send us the renewal quote", "¿nos enviáis la propuesta de renovación?").
_PAPERWORK = {
    "en": r"(?:renewal (?:quote|proposal|paperwork|order form|form|contract|invoice|documents?|terms|"
          r"pricing|figure|numbers?)|order form|(?:quote|proposal|paperwork|pricing|invoice) for "
          r"(?:the |our )?renewal)",
    "es": r"(?:propuesta|presupuesto|cotizaci[oó]n|oferta|contrato|documentaci[oó]n|factura) de (?:la )?"
          r"renovaci[oó]n",
    "fr": r"(?:devis|proposition|offre|contrat|bon de commande|facture) de renouvellement",
    "de": r"(?:verlängerungs(?:angebot|vertrag|unterlagen|rechnung)|angebot (?:für|zur) (?:die )?"
          r"verlängerung)",
    "pt": r"(?:proposta|cota[cç][aã]o|or[cç]amento|contrato|fatura) de renova[cç][aã]o",
}
_ASKING = {
    "en": r"(?:send|share|prepare|email|e-mail|forward|get|provide|issue|need|want|asked for|ask for)\w*",
    "es": r"(?:env[ií]\w+|mand\w+|prepar\w+|compart\w+|pas\w+|necesit\w+|pid\w+)",
    "fr": r"(?:envoy\w+|transmet\w+|pr[ée]par\w+|faire parvenir|besoin|demand\w+)",
    "de": r"(?:schick\w*|send\w*|übermittel\w*|zukommen|bereitstell\w*|brauchen|benötigen)",
    "pt": r"(?:mand\w+|envi\w+|prepar\w+|compartilh\w+|precis\w+|ped\w+)",
}
_RENEWAL_PAPERWORK_RE = {
    language: re.compile(rf"\b{_ASKING[language]}\b[^.!?\n]{{0,40}}?\b{paperwork}|\b{paperwork}\b"
                         rf"[^.!?\n]{{0,25}}?\b{_ASKING[language]}\b")
    for language, paperwork in _PAPERWORK.items()
}
#: Reluctance beside the request ("not thrilled about the uplift, but send the paperwork"): a mild complaint.
_NOT_KEEN_RE = re.compile(r"\bnot (?:thrilled|happy|pleased|delighted|keen|a fan|excited)\b", re.IGNORECASE)
#: Longer than this, a routine ask has room to say what else is wrong (what the renewal will lack).
_PAPERWORK_MAX_WORDS = 30
#: Hints of the risk layer that a paperwork request names by itself.
_PAPERWORK_WORDS = frozenset({
    "renewal", "procurement", "budget", "renovación", "renovacion", "renouvellement", "verlängerung",
    "renovação", "renovacao", "compras",
})


#: Routine asks, per language: one user's account changed ("please deactivate the account for Paolo, he
#: left"), the billing details updated ("bitte ändern Sie unsere Rechnungsanschrift"), a document asked for or
#: a new person introduced ("a copy of the contract for their records", "could you set up an intro?").
_ROUTINE_ASKS: dict[str, tuple[str, ...]] = {
    "en": (
        r"(?:deactivate|remove|delete|disable|offboard|suspend|add|create|set up|reset|change|update|"
        r"transfer)\w* (?:\w+ ){0,2}(?:account|user|login|access|password|role|permissions?|licen[cs]e|"
        r"seat)s? (?:for|of|from|to)\b",
        r"(?:update|change|correct|amend)\w* (?:our |the )?(?:billing|invoice|invoicing|company|vat) "
        r"(?:address|contact|details|email|entity|number)",
        r"(?:a copy|copies) of (?:the |our )?(?:signed |latest |current )?(?:contract|agreement|msa|dpa|"
        r"order form|invoice|soc ?2(?: report)?|certificate|w-?9|insurance certificate)s?\b",
        r"(?:set up|arrange|schedule|book) (?:an? )?(?:quick )?(?:intro|introduction|introductory|welcome|"
        r"kick-?off)\b|(?:introduce|intro) (?:you|them|her|him|yourself) to\b",
    ),
    "es": (
        r"(?:desactiv|elimin|borr|d[ée] de baja|a[ñn]ad|cre|restablec|cambi)\w* (?:\w+ ){0,2}(?:la "
        r"cuenta|el usuario|el acceso|la contrase[ñn]a|el rol|los permisos|la licencia) (?:de|para|a)\b",
        r"(?:cambi|actualiz|modific|correg)\w* (?:la |nuestra |los )?(?:direcci[oó]n|datos|raz[oó]n "
        r"social) de facturaci[oó]n",
    ),
    "fr": (
        r"(?:d[ée]sactiv|supprim|retir|ajout|cr[ée]|r[ée]initialis|modifi|chang)\w* (?:\S+ ){0,2}(?:le "
        r"compte|l'utilisateur|l'acc[eè]s|le mot de passe|le r[ôo]le|les droits|la licence) "
        r"(?:de|pour|[àa])\b",
        r"(?:modifi|chang|mett\w* [àa] jour|corrig)\w* (?:notre |l'|les )?(?:adresse|coordonn[ée]es) de "
        r"facturation",
    ),
    "de": (
        r"(?:deaktivier|lösch|entfern|sperr|anleg|zurücksetz|änder)\w* (?:\S+ ){0,4}(?:konto|zugang|"
        r"nutzer|benutzer|passwort|rolle|rechte|lizenz)\w*|(?:konto|zugang|nutzer|benutzer|lizenz)\w* "
        r"(?:\S+ ){0,4}(?:deaktivieren|löschen|entfernen|sperren|anlegen|zurücksetzen)",
        r"rechnungs(?:anschrift|adresse|empfänger|daten)",
    ),
    "pt": (
        r"(?:desativ|remov|exclu|apag|adicion|cri|redefin|alter|mud)\w* (?:\w+ ){0,2}(?:a conta|o "
        r"usu[áa]rio|o acesso|a senha|o perfil|as permiss[õo]es|a licen[çc]a) (?:de|do|da|para)\b",
        r"(?:alter|mud|atualiz|corrig)\w* (?:o |nosso |os )?(?:endere[çc]o|dados) de (?:cobran[çc]a|"
        r"faturamento|fatura[çc][ãa]o)",
    ),
}
_ROUTINE_ASK_RE = {language: re.compile("|".join(asks)) for language, asks in _ROUTINE_ASKS.items()}


#: A how-to question: "how do I set up a rule that closes tickets when the customer hasn't replied?".
_HOW_TO_RE = re.compile(
    r"\W*(?:(?:hi|hey|hello)\b\W*)?(?:how (?:do|can|should|would|could) (?:i|we|you|one)|is (?:there a way|"
    r"it possible) to|can (?:i|we|you) (?:set|make|configure|get|have|create|add|change|schedule)|what'?s "
    r"the (?:best|right|easiest) way to)\b",
    re.IGNORECASE,
)
#: Words that say something of ours is failing: then the question is about a problem, not a setting.
_FAILING_RE = re.compile(
    r"\b(?:not working|doesn'?t work|don'?t work|broken|errors?|bugs?|fail\w*|crash\w*|can'?t|cannot|won'?t|"
    r"stopped|keeps?|again|still|anymore|any more)\b",
    re.IGNORECASE,
)


def _how_to_question(r: Reading) -> bool:
    """One short how-to question about a setting, whose words about waiting or replies describe the case it
    asks about ("when the customer hasn't replied in 7 days"), with nothing of ours failing."""
    body = r.body.strip()
    return (
        r.language == "en"
        and r.words <= 35
        and body.endswith("?")
        and body.count("?") == 1
        and _HOW_TO_RE.match(body) is not None
        and _FAILING_RE.search(body) is None
        and not any(signal.strong for signal in r.risks)
        and not r.churn
        and not r.sarcasm
    )


def _routine_request(r: Reading) -> bool:
    """Whether the words only ask for the renewal's paperwork or something routine (`_ROUTINE_ASKS`), and say
    nothing else that could be trouble: no strong risk, problem, negative word, reluctance, irony or churn
    cue. Renewal words and people leaving are what many churn messages share, so the reading model reads
    "send us the renewal proposal" or "deactivate Paolo, he left the company" as a risk."""
    if r.words > _PAPERWORK_MAX_WORDS:
        return False
    body = r.body.lower()
    paperwork = _RENEWAL_PAPERWORK_RE.get(r.language)
    routine = _ROUTINE_ASK_RE.get(r.language)
    asks = (
        paperwork is not None
        and paperwork.search(body) is not None
        and all(signal.phrase.lower() in _PAPERWORK_WORDS for signal in r.risks)
    ) or (routine is not None and routine.search(body) is not None)
    return (
        asks
        and not any(signal.strong for signal in r.risks)
        and not r.churn
        and not r.competitor
        and not r.sarcasm
        and not r.negative_word
        and "disappointment" not in r.kind_counts
        and _NOT_KEEN_RE.search(r.body) is None
        and r.vader_compound > -0.3
        and not any(kind in r.kind_counts for kind in en.PROBLEM_KINDS)
        and not any(valence < 0 for _, valence in r.lexicon_hits)
    )


def _doubt_about_risk(r: Reading, model: ModelReading | None) -> bool:
    if any(signal.kind is not RiskKind.operational for signal in r.risks):
        return True
    if model is None:
        return False
    return model.polarity["negative"] >= DOUBT_NEGATIVE or model.churn >= DOUBT_CHURN


#: Share of the score taken from the model's probabilities (the rest from the rules' score).
MODEL_SCORE_WEIGHT = 0.75


def _masked(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with the given spans replaced by spaces."""
    pieces: list[str] = []
    position = 0
    for start, end in sorted(spans):
        start = max(start, position)
        if end <= start:
            continue
        pieces.append(text[position:start])
        pieces.append(" " * (end - start))
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


#: A negation earlier in the clause before an expansion cue; "can't wait", "not only", "no-brainer" are not.
_DECLINED_RE = re.compile(
    r"(?:\b(?:never|nor|without|no longer|not(?! only| wait)|no(?![- ]?brainer| doubt))\b|"
    r"(?<!ca)n't(?! wait))[^.;!?]*$"
)


def _is_closing(body: str, match: re.Match[str], first_question: int, asked: bool) -> bool:
    """Whether a "thanks" closes a request (after a question or a request, last words of the message)."""
    after_request = asked or (0 <= first_question < match.start())
    return after_request and len(body[match.end() :].split()) <= 3


def _raw(compound: float) -> float:
    """VADER's raw valence sum from its compound score (the inverse of its normalisation)."""
    compound = max(-0.9995, min(0.9995, compound))
    return compound * math.sqrt(ALPHA / (1.0 - compound * compound))


def features_of(r: Reading) -> dict[str, float]:
    """Numeric features of a reading, the same names for every text."""
    features = {
        "vader_compound": r.vader_compound,
        "vader_pos": r.vader_pos,
        "vader_neg": r.vader_neg,
        "vader_neu": r.vader_neu,
        "rule_score": r.score,
        "cue_valence": r.cue_valence / 4.0,
        "emoji_valence": r.emoji_valence / 4.0,
        "urgency_points": min(r.urgency_points, 6.0) / 6.0,
        "sarcasm": float(r.sarcasm),
        "churn": float(r.churn),
        "competitor": float(r.competitor),
        "expansion": float(r.expansion),
        "shouting": float(r.shouting),
        "exclamations": min(r.exclamations, 5) / 5.0,
        "questions": min(r.questions, 3) / 3.0,
        "asks_something": float(r.asks_something),
        "log_words": math.log1p(r.words) / 5.0,
        "abstained": float(r.abstain_reason is not None),
        "non_english": float(r.language != "en"),
    }
    features.update(_NO_CUE_FEATURES)
    for kind, count in r.kind_counts.items():
        name = _CUE_FEATURE.get(kind)
        if name is not None and count:
            features[name] = min(count, 3) / 3.0
    if not r.risks:
        features.update(_NO_RISK_FEATURES)
        return features
    for risk, name in _RISK_FEATURES:
        strengths = [1.0 if signal.strong else 0.5 for signal in r.risks if signal.kind is risk]
        features[name] = max(strengths, default=0.0)
    return features


_CUE_FEATURE = {kind: f"cue_{kind}" for kind in _KINDS}
_NO_CUE_FEATURES = {name: 0.0 for name in _CUE_FEATURE.values()}
_RISK_FEATURES = tuple((risk, f"risk_{risk.value}") for risk in RiskKind)
_NO_RISK_FEATURES = {name: 0.0 for _, name in _RISK_FEATURES}
