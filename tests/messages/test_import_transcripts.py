"""`tonewatch import` reads a call transcript as `/ingest` does: the customer's lines only."""

from __future__ import annotations

import pytest

from bot.messages.importer import ImportRejected, inbound_from_record, validate_records

CALL = (
    "CSM (Maria): Great news on the renewal, thanks for your time today.\n"
    "Customer (Rhea): Honestly the sync failures are hurting us.\n"
    "CSM (Maria): I'm sorry, we'll fix it this week.\n"
    "Customer (Omar): We need it fixed before the audit."
)


def _row(text: str, **extra: object) -> dict:
    return {"account": "Stark", "text": text, "created_at": "2026-11-17T10:00:00Z", "source": "call", **extra}


def test_a_labelled_call_keeps_the_customers_lines_and_drops_ours() -> None:
    message = inbound_from_record(_row(CALL), max_text_chars=20_000)
    assert message.text == "Honestly the sync failures are hurting us.\nWe need it fixed before the audit."


def test_the_id_of_a_row_without_one_comes_from_the_whole_transcript() -> None:
    other_agent_words = CALL.replace("we'll fix it this week", "we'll fix it by Friday")
    first = inbound_from_record(_row(CALL), max_text_chars=20_000)
    second = inbound_from_record(_row(other_agent_words), max_text_chars=20_000)
    assert first.text == second.text
    assert first.external_id != second.external_id


@pytest.mark.parametrize("speakers", [["Ana"], "Ana", "Ana, Someone Else"])
def test_customer_speakers_name_the_customers_lines_as_a_list_or_a_csv_cell(speakers: object) -> None:
    transcript = "Ana: The exports are empty again.\nBen: Looking into it now."
    message = inbound_from_record(_row(transcript, customer_speakers=speakers), max_text_chars=20_000)
    assert message.text == "The exports are empty again."


def test_a_call_whose_customer_lines_cannot_be_told_is_a_bad_row() -> None:
    transcript = "Ana: The exports are empty again.\nBen: Looking into it now."
    with pytest.raises(ImportRejected, match="line 4: .*customer_speakers"):
        validate_records([{**_row(transcript), "_line": 4}], "calls.jsonl", 20_000)


def test_other_sources_keep_speaker_labels_as_written() -> None:
    message = inbound_from_record({**_row(CALL), "source": "email"}, max_text_chars=20_000)
    assert message.text == CALL
