"""Fuzzing the offline analyzer and the pipeline: any input gives a valid analysis or a clear refusal.

tests/analysis/test_offline_analyzer.py already fuzzes short texts and word salads
without context; this adds every Unicode category (controls, format and bidi
characters, unassigned code points, lone surrogates), thread context, texts
around and far past the length limit, inputs that are not text at all, and
the stored path: whatever text is stored ends analyzed or marked not
analyzable, and the pipeline never raises.
"""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime
from itertools import count
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from bot.analysis.base import AnalysisRequest, InvalidText
from bot.analysis.contract import AnalysisResult, Label
from bot.analysis.offline import OfflineAnalyzer
from bot.messages.pipeline import MessagePipeline
from storage.db import create_db_engine, session_scope
from storage.inbound import InboundMessage
from storage.migrate import upgrade
from storage.models import Analysis, CustomerMessage

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: What an InvalidText says, one pattern per reason (bot/analysis/base.py clean_text).
REASONS = re.compile(
    r"text is empty"
    r"|text is [\d,]+ characters; the limit is [\d,]+"
    r"|text contains NUL bytes \(binary data\?\)"
    r"|text is not valid UTF-8 \(binary data\?\)"
    r"|text must be a string, not \w+"
)

#: Every character but surrogates, weighted towards the kinds that trip text code up.
ANY_CHARACTER = st.one_of(
    st.characters(exclude_categories=["Cs"]),
    st.characters(categories=["Cc", "Cf", "Co", "Cn", "Zl", "Zp", "Zs", "Mn", "Me"]),
    st.sampled_from(
        ["\u202e", "\u2067", "\u200f", "\u200b", "\ufeff", "\u0301", "İ", "ß", "ﬁ", "\U0001f621"]
    ),
)
TEXTS = st.text(ANY_CHARACTER, max_size=400)
WORDS = st.sampled_from(
    ["broken", "again", "thanks", "cancel", "renewal", "!!!", "😡", "👍", "URGENT", "not", "great",
     "kaputt", "gracias", "очень", "плохо", "遅い", "سيء", "> quoted", "--", "\n", "\t", "\x00"]
)  # fmt: skip
CONTEXTS = st.lists(st.one_of(TEXTS, st.lists(WORDS, max_size=8).map(" ".join)), max_size=5).map(tuple)


def long_text(seed: str, length: int) -> str:
    return (seed * (length // max(1, len(seed)) + 1))[:length]


def check_contract(result: AnalysisResult, text: str) -> None:
    """What every stored analysis relies on, whatever the text was."""
    assert AnalysisResult.model_validate(result.model_dump()) == result
    assert -1.0 <= result.score <= 1.0 and 0.0 <= result.confidence <= 1.0
    # ISO 639-1 where the language has a code there; py3langid names a few without one in
    # ISO 639-3 ("yue" Cantonese, "hbo" Ancient Hebrew).
    assert re.fullmatch(r"[a-z]{2,3}", result.language), result.language
    # Stored as JSON in a UTF-8 database: nothing in it may be unencodable.
    json.dumps(result.to_json_dict(), ensure_ascii=False).encode("utf-8")
    for phrase in result.evidence:
        assert phrase and phrase in text, f"evidence {phrase!r} is not quoted from the message"
    if result.abstained:
        assert result.score == 0.0 and result.abstain_reason
    # The label never contradicts the score's sign.
    if result.label is Label.positive:
        assert result.score > 0
    if result.label is Label.negative:
        assert result.score <= 0


def analyze_or_refuse(analyzer: OfflineAnalyzer, text: object, context: tuple[str, ...] = ()) -> None:
    try:
        result = analyzer.analyze_text(text, context)  # type: ignore[arg-type]
    except InvalidText as exc:
        assert REASONS.fullmatch(str(exc)), f"unclear refusal: {exc}"
        return
    check_contract(result, text if isinstance(text, str) else bytes(text).decode("utf-8"))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def analyzer() -> OfflineAnalyzer:
    return OfflineAnalyzer(competitors="Zendesk, Intercom")


@FUZZ
@given(text=TEXTS, context=CONTEXTS)
def test_any_text_in_any_thread_gives_a_valid_analysis_or_a_clear_refusal(analyzer, text, context):
    analyze_or_refuse(analyzer, text, context)


@FUZZ
@given(
    text=st.lists(
        st.one_of(WORDS, st.characters(categories=["Cs"]), st.text(ANY_CHARACTER, max_size=3)), max_size=40
    ).map("".join)
)
def test_lone_surrogates_never_reach_the_result(analyzer, text):
    """A text decoded with errors="surrogateescape" still gives an analysis that can be stored."""
    analyze_or_refuse(analyzer, text)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.one_of(
        st.text(ANY_CHARACTER, min_size=1, max_size=12), st.lists(WORDS, min_size=1, max_size=6).map(" ".join)
    ),
    length=st.sampled_from([1, 19_999, 20_000, 20_001, 40_000]),
)
def test_texts_at_and_past_the_limit_are_analyzed_or_refused_for_their_length(analyzer, seed, length):
    text = long_text(seed, length)
    if "\x00" in text:  # binary data is named before the length
        with pytest.raises(InvalidText, match="NUL bytes"):
            analyzer.analyze_text(text)
    elif length > 20_000:
        with pytest.raises(InvalidText, match=f"text is {length:,} characters; the limit is 20,000"):
            analyzer.analyze_text(text)
    else:
        analyze_or_refuse(analyzer, text)


@FUZZ
@given(max_chars=st.integers(min_value=1, max_value=300), text=TEXTS)
def test_the_limit_counts_the_characters_as_sent(max_chars, text):
    """Over the limit is refused before anything is cleaned away; within it, the usual contract holds."""
    analyzer = OfflineAnalyzer(max_chars=max_chars)
    if len(text) > max_chars and "\x00" not in text:
        with pytest.raises(InvalidText, match=f"the limit is {max_chars:,}"):
            analyzer.analyze_text(text)
    else:
        analyze_or_refuse(analyzer, text)


@FUZZ
@given(
    value=st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.lists(st.text(max_size=5), max_size=3),
        st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
        st.binary(max_size=200),
    )  # fmt: skip
)
def test_what_is_not_text_is_refused_and_utf8_bytes_read_as_their_text(analyzer, value):
    if isinstance(value, bytes):
        try:
            decoded = value.decode("utf-8")
        except UnicodeDecodeError:
            with pytest.raises(InvalidText, match="not valid UTF-8"):
                analyzer.analyze_text(value)  # type: ignore[arg-type]
            return
        try:
            expected = analyzer.analyze_text(decoded)
        except InvalidText as exc:
            with pytest.raises(InvalidText, match=re.escape(str(exc))):
                analyzer.analyze_text(value)  # type: ignore[arg-type]
            return
        assert analyzer.analyze_text(value).score == expected.score  # type: ignore[arg-type]
        return
    with pytest.raises(InvalidText, match=f"text must be a string, not {type(value).__name__}"):
        analyzer.analyze_text(value)  # type: ignore[arg-type]


@FUZZ
@given(text=TEXTS, context=CONTEXTS)
def test_the_async_path_gives_what_the_sync_path_gives(analyzer, text, context):
    """The worker calls `analyze`; it raises exactly what `analyze_text` raises, or returns its result."""
    try:
        expected = analyzer.analyze_text(text, context)
    except InvalidText as exc:
        with pytest.raises(InvalidText, match=re.escape(str(exc))):
            asyncio.run(analyzer.analyze(AnalysisRequest(text, context)))
        return
    assert asyncio.run(analyzer.analyze(AnalysisRequest(text, context))).result == expected


# --- the stored path -----------------------------------------------------------------------------


AROUND_500 = [499, 500, 501, 5_000]


def test_whatever_text_is_stored_ends_analyzed_or_marked_not_analyzable(tmp_path: Path):
    """The pipeline never raises for a stored text, and never leaves it pending."""
    engine = create_db_engine(f"sqlite:///{tmp_path / 'fuzz.db'}")
    upgrade(engine)
    pipeline = MessagePipeline(engine, OfflineAnalyzer(), max_text_chars=500)
    ids = count(1)

    @FUZZ
    @given(
        text=st.one_of(
            TEXTS,
            st.builds(
                long_text,
                st.text(ANY_CHARACTER, min_size=1, max_size=6),
                st.sampled_from([499, 500, 501, 5_000]),
            ),
        ),
        thread=st.booleans(),
    )
    def store_and_analyze(text: str, thread: bool) -> None:
        n = next(ids)
        stored = pipeline.store(
            InboundMessage(
                platform="slack",
                external_id=f"{n}.0",
                text=text,
                created_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
                account="Fuzz Corp",
                place_key="C_FUZZ",
                thread_key="T1" if thread else None,
            )
        )
        outcome = asyncio.run(pipeline.analyze_message(stored.id))
        with session_scope(engine) as session:
            message = session.get(CustomerMessage, stored.id)
            assert message is not None and message.text == text  # stored exactly as received
            analyses = session.exec(select(Analysis).where(Analysis.message_id == stored.id)).all()
            if message.status == "analyzed":
                assert outcome is not None and len(analyses) == 1
                [analysis] = analyses
                assert -1.0 <= analysis.score <= 1.0
                # An abstention is kept, but its 0 must not count as a neutral reading in health.
                assert message.score == (None if analysis.abstained else analysis.score)
            else:
                assert message.status == "invalid" and outcome is None and analyses == []
                assert (message.status_reason or "").startswith("text "), message.status_reason

    try:
        store_and_analyze()
    finally:
        engine.dispose()
