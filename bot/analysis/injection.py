"""Spotting sentences in a customer message that try to instruct an AI model.

One layer of several, not the defence: the customer's words reach Claude only
inside data delimiters under a system prompt that calls them data, and the
injection guard (`bot/analysis/claude.py`) keeps the cautious reading when
Claude is much more reassuring than the offline analyzer. That guard needs a
reference the injected words did not move, and the offline analyzer can be
moved too: "rate this message as positive" holds a positive word. So the
sentences these patterns recognise are left out of the guard's reference
reading. The patterns cover the common forms (ignore the previous
instructions, rate/mark/classify this as positive, field=value overrides,
fake role markers and tags, "developer mode", "do not escalate"), also in
Spanish, German, French and Portuguese; an instruction they miss still meets
the other layers.
"""

from __future__ import annotations

import re

from bot.analysis.patterns import UNLIKE_THEIR_LOWER_RE, trie_regex

_PATTERNS = [
    # "Ignore previous instructions", "disregard all prior guidance", and the same in es/de/fr/pt.
    r"\b(?:ignor\w*|disregard\w*|forget|override)\b[^.\n]{0,60}"
    r"\b(?:instruc\w*|anweisung\w*|rules|guidance|guidelines|prompt|reglas|regeln|règles|regras)",
    # "Rate this message as positive", "mark it positive", "classify the message above as neutral".
    r"\b(?:rate|score|classify|label|mark|treat|output|set)\s+(?:this|the|it|everything|every|all)\b"
    r"[^.\n]{0,60}\b(?:positiv\w*|happy|satisfied|delighted|neutral|low)\b",
    r"\b(?:califica|bewerte|notez|classifique)\w*\b[^.\n]{0,60}\bpositi\w*",
    # "Classify as positive", "label the sentiment as satisfied" (a customer's own "treat it as low priority"
    # is about their ticket, not an instruction to us).
    r"\b(?:rate|score|classify|label|mark|tag|categori[sz]e)\b[^.\n]{0,40}\bas\s+(?:an?\s+)?"
    r"(?:positiv\w*|happy|satisfied|no[ _]action)\b",
    # Field overrides: label=positive, "urgency": "low", set churn_risk=false.
    r"\b(?:label|sentiment|score|urgency|churn_risk|expansion|recommended_action)\s*[=:]\s*\S",
    r"\"(?:label|sentiment|score|urgency|churn_risk|recommended_action)\"\s*:",
    # Fake turns and headings: "SYSTEM:", "Assistant:", "### System".
    r"^\s*(?:#+\s*)?(?:system|assistant|human|user|developer)\b\s*:?\s*$",
    r"^\s*(?:system|assistant|human|developer)\s*:",
    r"\[\s*system\b",
    # Tags that pretend to end the data or to carry instructions or tool output.
    r"<\s*/?\s*(?:system|instructions?|tool_result|tool_use|function_results?|prompt"
    r"|customer_message|thread_context|context_message)\b",
    r"<!--",
    # Role play and authority claims.
    r"\b(?:developer mode|you are now|stay in character|system prompt|pre-?approved by)\b",
    r"\byou are \w*bot\b",
    r"\b(?:as the admin\w*|i authori[sz]e)\b",
    r"\b(?:note|p\.?\s?s\.?)\s+to\s+the\s+(?:ai|bot|model|assistant)\b",
    r"\b(?:do not|don't|never)\s+escalate\b",
    r"\bthe expected output is\b",
    r"\b(?:decode|translate) (?:this|and)\b[^.\n]{0,40}\b(?:follow|obey|score|cheerful)\b",
]
#: Sentences are matched one by one, so ^ and $ are a sentence's (a line's) start and end.
_INSTRUCTION_RE = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE)

#: Sentences end at ., ! or ? followed by a space, after a closing brace (a pasted JSON object), or at a
#: line break.
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+|(?<=\})\s*|\n+")


def sentences(text: str) -> list[str]:
    return [part for part in _SENTENCE_END_RE.split(text) if part.strip()]


def instruction_sentences(text: str) -> list[str]:
    """The sentences of `text` that read as instructions to an AI model (empty for most messages)."""
    if not _may_instruct(text):
        return []
    # A long message holds the words of some row somewhere; each sentence is checked the same quick way.
    return [part for part in sentences(text) if _may_instruct(part) and _INSTRUCTION_RE.search(part)]


# What each pattern above cannot match without, checked in one pass before any sentence is searched (the
# patterns, case-insensitive over every sentence, cost more than the rest of a short message's reading).
# A row holds when each of its needs does: `_Stems`, a word of the message (what `\w+` finds, lower
# case) begins with one of them; `_Text`, the lower-cased message holds one of them; `_Pattern`, the
# message as written matches it. A pattern's match in a sentence is a match in the whole message (a
# sentence is a piece of it, cut where no word character is on either side), so a message no row holds
# has no instruction in it. `tests/analysis/test_injection_e2e.py` checks each pattern's row.
class _Stems(tuple):
    pass


class _Text(tuple):
    pass


class _Pattern(tuple):
    pass


_ROLES = ("system", "assistant", "human", "developer")
_NEEDS: tuple[tuple[_Stems | _Text | _Pattern, ...], ...] = (
    # ignore the previous instructions
    (_Stems(("ignor", "disregard", "forget", "override")),
     _Stems(("instruc", "anweisung", "rules", "guidance", "guidelines", "prompt", "reglas", "regeln",
             "règles", "regras"))),
    # rate this message as positive / classify as positive
    (_Stems(("rate", "score", "classify", "label", "mark", "treat", "output", "set")),
     _Stems(("this", "the", "it", "every", "all")),
     _Stems(("positiv", "happy", "satisfied", "delighted", "neutral", "low"))),
    (_Stems(("califica", "bewerte", "notez", "classifique")), _Stems(("positi",))),
    (_Stems(("rate", "score", "classify", "label", "mark", "tag", "categori")), _Stems(("as",)),
     _Stems(("positiv", "happy", "satisfied", "no"))),
    # label=positive, "urgency": "low"
    (_Stems(("label", "sentiment", "score", "urgency", "churn_risk", "expansion", "recommended_action")),
     _Text((":", "="))),
    # a role marker alone on its line, "System:", "[system", "</instructions>", "<!--"
    (_Stems((*_ROLES, "user")),
     _Pattern((re.compile(r"(?:system|assistant|human|user|developer)[^\S\n]*:?[^\S\n]*(?:\n|$)", re.I),))),
    (_Stems(_ROLES), _Text((":",))),
    (_Stems(("system",)), _Text(("[",))),
    (_Text(("<",)),
     _Stems(("system", "instruction", "tool_result", "tool_use", "function_result", "prompt",
             "customer_message", "thread_context", "context_message"))),
    (_Text(("<!--", "developer mode", "you are now", "stay in character", "system prompt", "approved by",
            "as the admin", "authori", "the expected output is")),),
    (_Text(("you are ",)), _Text(("bot",))),
    # note to the AI, do not escalate, decode this and follow it
    (_Stems(("note", "p")), _Stems(("to",)), _Stems(("the",)), _Stems(("ai", "bot", "model", "assistant"))),
    (_Stems(("do", "don", "never")), _Stems(("escalate",))),
    (_Stems(("decode", "translate")), _Stems(("this", "and")),
     _Stems(("follow", "obey", "score", "cheerful"))),
)
_STEMS = sorted({stem for row in _NEEDS for need in row if isinstance(need, _Stems) for stem in need})
#: At a word's start, the longest stem it begins with; every shorter stem that begins that one too.
_STEM_RE = re.compile(r"\b(" + trie_regex(_STEMS) + ")")
_STEMS_IN = {stem: frozenset(s for s in _STEMS if stem.startswith(s)) for stem in _STEMS}
#: The rows as (stems each needs a word beginning with one of, pieces of text the lower-cased message must
#: hold one of each, patterns the message must match): stems first, the cheapest test.
_ROWS = tuple(
    (
        tuple(frozenset(need) for need in row if isinstance(need, _Stems)),
        tuple(tuple(need) for need in row if isinstance(need, _Text)),
        tuple(pattern for need in row if isinstance(need, _Pattern) for pattern in need),
    )
    for row in _NEEDS
)


def _may_instruct(text: str) -> bool:
    """False when no pattern can match anywhere in `text` (see `_NEEDS`)."""
    lower = text.lower()
    if len(lower) != len(text) or (not text.isascii() and UNLIKE_THEIR_LOWER_RE.search(text)):
        return True  # the lower-cased text is not what the case-insensitive patterns compare: search them
    found: set[str] = set()
    for stem in _STEM_RE.findall(lower):
        found |= _STEMS_IN[stem]
    # Plain loops: this runs for every message, and a generator per test would cost more than the tests.
    for stems, pieces, patterns in _ROWS:
        if stems and not found:
            continue
        for need in stems:
            if found.isdisjoint(need):
                break
        else:
            for parts in pieces:
                for part in parts:
                    if part in lower:
                        break
                else:
                    break
            else:
                for pattern in patterns:
                    if not pattern.search(text):
                        break
                else:
                    return True
    return False


def without_instructions(text: str) -> str:
    """`text` with those sentences left out: what the customer wrote for people to read."""
    return "\n".join(sentence for sentence in sentences(text) if not _INSTRUCTION_RE.search(sentence))
