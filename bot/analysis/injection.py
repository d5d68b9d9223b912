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
    return [sentence for sentence in sentences(text) if _INSTRUCTION_RE.search(sentence)]


def without_instructions(text: str) -> str:
    """`text` with those sentences left out: what the customer wrote for people to read."""
    return "\n".join(sentence for sentence in sentences(text) if not _INSTRUCTION_RE.search(sentence))
