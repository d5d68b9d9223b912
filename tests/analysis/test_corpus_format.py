"""The team's labeled corpus (tests/data/cs_messages.csv) keeps its shape.

Other tests use the corpus as a specification of the analyzers, so a malformed
row or a value outside the contract's closed sets must fail here, not later as
a puzzling score.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from bot.analysis.contract import Concern, Emotion, Label, Urgency

CORPUS_PATH = Path(__file__).resolve().parents[1] / "data" / "cs_messages.csv"

HEADER = [
    "id",
    "phenomenon",
    "text",
    "label",
    "urgency",
    "churn_risk",
    "expansion",
    "competitor",
    "sarcasm",
    "emotions",
    "concerns",
    "language",
    "abstain",
]
LANGUAGES = {"en", "es", "de", "fr", "pt", "other"}
FLAG_COLUMNS = ("churn_risk", "expansion", "competitor", "sarcasm", "abstain")
PHENOMENA = {
    "repeated_failure",
    "waiting_silence",
    "sarcasm",
    "churn",
    "competitor",
    "expansion",
    "urgency",
    "transactional_neutral",
    "thanks_greeting",
    "emoji",
    "intensity_caps",
    "negation",
    "quoted_history",
    "signature",
    "multilingual",
    "abstain",
    "positive_feedback",
    "mixed",
    "plain_negative",
    "plain_neutral",
    "confusion",
    "billing",
    "security",
    "injection",
}
MIN_ROWS = 150
MIN_ROWS_PER_PHENOMENON = 5
MIN_ROWS_PER_FOREIGN_LANGUAGE = 4


def _read_rows() -> tuple[list[str], list[dict[str, str]]]:
    with CORPUS_PATH.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    header, parsed = _read_rows()
    assert header == HEADER
    return parsed


def _split(cell: str) -> list[str]:
    return [part for part in cell.split(";") if part]


def test_every_row_has_all_columns_and_text(rows: list[dict[str, str]]) -> None:
    for row in rows:
        # DictReader puts surplus cells under None and fills missing ones with None.
        assert None not in row, row["id"]
        assert all(value is not None for value in row.values()), row["id"]
        assert row["text"].strip(), row["id"]


def test_enough_rows_and_unique_ids(rows: list[dict[str, str]]) -> None:
    assert len(rows) >= MIN_ROWS
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)), [name for name, count in Counter(ids).items() if count > 1]


def test_values_are_in_the_contract_closed_sets(rows: list[dict[str, str]]) -> None:
    labels = {member.value for member in Label}
    urgencies = {member.value for member in Urgency}
    emotions = {member.value for member in Emotion}
    concerns = {member.value for member in Concern}
    for row in rows:
        assert row["label"] in labels, row["id"]
        assert row["urgency"] in urgencies, row["id"]
        assert set(_split(row["emotions"])) <= emotions, row["id"]
        assert set(_split(row["concerns"])) <= concerns, row["id"]
        assert row["language"] in LANGUAGES, row["id"]
        assert row["phenomenon"] in PHENOMENA, row["id"]
        for column in FLAG_COLUMNS:
            assert row[column] in {"0", "1"}, (row["id"], column)


def test_every_phenomenon_is_covered(rows: list[dict[str, str]]) -> None:
    counts = Counter(row["phenomenon"] for row in rows)
    thin = {name: counts[name] for name in PHENOMENA if counts[name] < MIN_ROWS_PER_PHENOMENON}
    assert not thin


def test_multilingual_rows_cover_each_supported_language(rows: list[dict[str, str]]) -> None:
    counts = Counter(row["language"] for row in rows if row["phenomenon"] == "multilingual")
    for language in ("es", "de", "fr", "pt"):
        assert counts[language] >= MIN_ROWS_PER_FOREIGN_LANGUAGE, language
