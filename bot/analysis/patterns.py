"""What a regular expression's matches can begin with, read from the pattern itself.

The cue matcher (`cues.PhraseMatcher`) and the risk layer (`risk.py`) hold hundreds
of phrase patterns; trying each at every position of a message is most of their
cost. Both index a pattern by the strings its matches start with, worked out here
once from `re`'s own parse of the pattern (a private module, without type stubs),
and try it only where one of them is. The reading errs towards more: a construct it
does not follow (`\\w+`, `.`, a back reference) ends the known start there and
marks it open to any continuation ("wild"), so the strings found are always a
superset of where a match can begin.
"""

from __future__ import annotations

import re
import re._casefix as _casefix
import re._constants as _sre
import re._parser as _sre_parse

#: Beyond this many start strings a pattern is not indexed (the caller scans it whole).
MAX_EXPANSIONS = 5000

#: Characters a case-insensitive pattern matches to a letter that their `str.lower()` is not ("ſ" to
#: "s", "ı" to "i"; from `re`'s own table): in a text holding one, the lower-cased text does not show
#: every place such a pattern can match.
UNLIKE_THEIR_LOWER_RE = re.compile(
    "[" + "".join(sorted({re.escape(chr(code)) for key, codes in _casefix._EXTRA_CASES.items()
                          for code in (key, *codes) if code > 127})) + "]"
)


def start_states(pattern: str) -> set[tuple[str, str]]:
    """Every (start, state) a match of `pattern` can begin with; letters in lower case.

    State "done": a character that is not a word character (`word_char`) follows the
    start; "open": the pattern may end right after it; "wild": anything may follow.
    A start is "" when the pattern can begin with something other than a word
    character or match nothing. Raises ValueError past `MAX_EXPANSIONS` starts.
    """
    return read_pattern(pattern)[1]


def read_pattern(pattern: str) -> tuple[int, set[tuple[str, str]]]:
    """(how many capturing groups `pattern` has, its `start_states`), from one parse, without compiling it."""
    parsed = _sre_parse.parse(pattern)
    return parsed.state.groups - 1, _expand(parsed, {("", "open")})


def word_char(ch: str) -> bool:
    """A character the start strings run over: a letter, a digit or an apostrophe."""
    return ch.isalnum() or ch == "'"


def trie_regex(words) -> str:
    """An alternation of `words` factored by common prefixes (longest reading first)."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


def _expand(items, states: set[tuple[str, str]]) -> set[tuple[str, str]]:
    for op, arg in items:
        if all(state != "open" for _, state in states):
            return states
        done = {s for s in states if s[1] != "open"}
        live = {s for s in states if s[1] == "open"}
        states = done | _expand_item(op, arg, live)
        if len(states) > MAX_EXPANSIONS:
            raise ValueError("pattern has too many first words")
    return states


def _expand_item(op, arg, states: set[tuple[str, str]]) -> set[tuple[str, str]]:
    if op is _sre.LITERAL:
        return {_extend(prefix, chr(arg).lower()) for prefix, _ in states}
    if op is _sre.IN:
        chars = _charset(arg)
        if chars is None:
            return {(prefix, "wild") for prefix, _ in states}
        return {_extend(prefix, ch) for prefix, _ in states for ch in chars}
    if op is _sre.SUBPATTERN:
        return _expand(arg[-1], states)
    if op is _sre.BRANCH:
        result: set[tuple[str, str]] = set()
        for branch in arg[1]:
            result |= _expand(branch, states)
        return result
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
        low, high, body = arg
        result = set(states) if low == 0 else set()
        once = _expand(body, states)
        if high == 1:
            return result | once
        # More repetitions could add any number of word characters: index by prefix.
        return result | {(prefix, "wild" if state == "open" else state) for prefix, state in once}
    if op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
        return set(states)
    return {(prefix, "wild") for prefix, _ in states}


def _extend(prefix: str, ch: str) -> tuple[str, str]:
    if word_char(ch):
        return prefix + ch, "open"
    return prefix, "done"


def _charset(items) -> list[str] | None:
    chars: list[str] = []
    for op, arg in items:
        if op is _sre.LITERAL:
            chars.append(chr(arg).lower())
        elif op is _sre.RANGE and arg[1] - arg[0] < 40:
            chars.extend(chr(code).lower() for code in range(arg[0], arg[1] + 1))
        elif op is _sre.CATEGORY and arg in (_sre.CATEGORY_SPACE, _sre.CATEGORY_UNI_SPACE):
            chars.append(" ")
        elif op is _sre.CATEGORY and arg in (_sre.CATEGORY_DIGIT, _sre.CATEGORY_UNI_DIGIT):
            chars.extend("0123456789")
        else:
            return None
    return sorted(set(chars))
