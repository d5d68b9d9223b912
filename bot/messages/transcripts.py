"""Call transcripts: keep the customer's lines, so our own people's words are not scored as the customer's.

Understood layouts (one turn per label; unlabelled lines continue the turn above):

    Anna: The export failed again.              [00:01:02] Anna: …     00:01:02 Anna: …
    Anna (00:01:02): …                          Anna [00:01]: …
    Anna Schmidt  0:03      ← a speaker line (Otter, Zoom), the text on the lines below
    <v Anna>…</v>           ← WebVTT, with cue numbers and timings skipped

Who the customer is: `customer_speakers` if given; else everyone not in
`agent_speakers`; else the role in the labels ("Customer", "Client", "Caller"
versus "Agent", "Rep", "Support", "CSM"); else the `author` if a label matches.
A labelled transcript where none of these tells is refused, naming the
speakers, rather than scoring our own side as the customer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_TIME = r"\(?\[?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?\]?\)?"
_NAME = r"[^\W\d_][\w .'’&()-]{0,39}?"
_TURN = re.compile(rf"^\s*(?:{_TIME}\s*)?(?P<speaker>{_NAME})\s*(?:{_TIME})?\s*:\s+(?P<text>\S.*)$")
_SPEAKER_LINE = re.compile(rf"^\s*(?P<speaker>{_NAME})\s+{_TIME}\s*$")
_VTT_VOICE = re.compile(r"^\s*<v(?:\.[\w.-]+)?\s+(?P<speaker>[^>]{1,60})>(?P<text>.*?)(?:</v>)?\s*$")
_VTT_TIMING = re.compile(r"^\s*[\d:.,]+\s*-->\s*[\d:.,]+")
_VTT_SKIP = re.compile(r"^\s*(?:WEBVTT.*|NOTE\b.*|\d+)\s*$")

#: Words in a speaker label that say which side it is on.
CUSTOMER_ROLES = ("customer", "client", "caller", "prospect", "buyer", "user", "kunde", "cliente")
AGENT_ROLES = (
    "agent",
    "rep",
    "representative",
    "support",
    "csm",
    "success",
    "account manager",
    "am",
    "ae",
    "sdr",
    "host",
    "interviewer",
    "operator",
    "advisor",
    "consultant",
    "sales",
    "engineer",
)
#: A label with more words than this is a sentence with a colon, not a speaker.
MAX_LABEL_WORDS = 4


class TranscriptError(ValueError):
    """The transcript's customer lines cannot be told apart; the message says what to send."""


@dataclass(frozen=True)
class Turn:
    speaker: str
    text: str


def _label(value: str) -> str | None:
    label = " ".join(value.strip().split())
    if not label or len(label.split()) > MAX_LABEL_WORDS or label.lower() in ("http", "https", "note", "re"):
        return None
    return label


def parse_turns(transcript: str) -> list[Turn]:
    """The speaker turns, or [] when the text does not start as a labelled transcript."""
    turns: list[Turn] = []
    speaker: str | None = None
    lines: list[str] = []
    seen_content = False

    def close() -> None:
        if speaker is not None and any(line.strip() for line in lines):
            turns.append(Turn(speaker, " ".join(line.strip() for line in lines if line.strip())))

    for raw in transcript.splitlines():
        if not raw.strip() or _VTT_TIMING.match(raw) or _VTT_SKIP.match(raw):
            continue
        match = _VTT_VOICE.match(raw) or _TURN.match(raw)
        label = _label(match.group("speaker")) if match else None
        if match is not None and label is not None:
            close()
            speaker, lines = label, [match.group("text")]
            seen_content = True
            continue
        header = _SPEAKER_LINE.match(raw)
        header_label = _label(header.group("speaker")) if header else None
        if header_label is not None:
            close()
            speaker, lines = header_label, []
            seen_content = True
            continue
        if not seen_content:
            return []  # the first line is no speaker label: a plain text
        lines.append(raw)
    close()
    return turns


def _matches(label: str, names: Iterable[str]) -> bool:
    wanted = {" ".join(name.split()).casefold() for name in names if name and name.strip()}
    return label.casefold() in wanted


def _has_role(label: str, roles: tuple[str, ...]) -> bool:
    words = re.findall(r"\w+", label.casefold())
    text = " ".join(words)
    return any(role in words or (" " in role and role in text) for role in roles)


def customer_speakers(
    speakers: list[str],
    *,
    customer: Iterable[str] = (),
    agents: Iterable[str] = (),
    author: str | None = None,
) -> set[str]:
    """Which of `speakers` are the customer's side, or TranscriptError when nothing tells."""
    customer, agents = list(customer), list(agents)
    if customer:
        chosen = {label for label in speakers if _matches(label, customer)}
        if not chosen:
            raise TranscriptError(
                f"none of customer_speakers appears in the transcript; its speakers are {_listed(speakers)}"
            )
        return chosen
    if agents:
        return {label for label in speakers if not _matches(label, agents)}
    by_role = {label for label in speakers if _has_role(label, CUSTOMER_ROLES)}
    if by_role:
        return by_role
    ours = {label for label in speakers if _has_role(label, AGENT_ROLES)}
    if ours:
        return set(speakers) - ours
    if author and any(_matches(label, [author]) for label in speakers):
        return {label for label in speakers if _matches(label, [author])}
    raise TranscriptError(
        f"cannot tell the customer's lines: the speakers are {_listed(speakers)}; "
        "name the customer's in customer_speakers (or ours in agent_speakers)"
    )


def _listed(speakers: list[str]) -> str:
    return ", ".join(dict.fromkeys(speakers)) or "none"


def customer_lines(
    transcript: str,
    *,
    customer: Iterable[str] = (),
    agents: Iterable[str] = (),
    author: str | None = None,
) -> str:
    """The customer's turns, one per line; an unlabelled text is returned whole."""
    turns = parse_turns(transcript)
    if not turns:
        return transcript.strip()
    speakers = list(dict.fromkeys(turn.speaker for turn in turns))
    customer, agents = list(customer), list(agents)
    told = customer or agents or any(_has_role(s, CUSTOMER_ROLES + AGENT_ROLES) for s in speakers)
    if len(speakers) == 1 and not told:
        return transcript.strip()  # one "Label: text" line is more likely prose than a dialogue
    chosen = customer_speakers(speakers, customer=customer, agents=agents, author=author)
    kept = [turn.text for turn in turns if turn.speaker in chosen]
    if not kept:
        raise TranscriptError(f"the transcript has no lines from the customer's side ({_listed(speakers)})")
    return "\n".join(kept)
