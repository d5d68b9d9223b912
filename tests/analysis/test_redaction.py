"""Personal data is replaced before a text leaves for Claude; ordinary numbers are kept."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.analysis.redaction import redact

# (text, expected counts, fragments that must be gone)
PERSONAL_DATA = [
    (
        "Reach me at maria.lopez+billing@acme-corp.co.uk or (415) 555-2671.",
        {"email": 1, "phone": 1},
        ["maria.lopez", "acme-corp.co.uk", "555-2671"],
    ),
    ("Call +44 20 7946 0958 before 5pm", {"phone": 1}, ["7946"]),
    ("Ruf mich an: 030 12345678 oder +49 30 12345678", {"phone": 2}, ["12345678"]),
    ("mon numéro: 06 12 34 56 78, merci", {"phone": 1}, ["06 12 34 56 78"]),
    ("support line 1-800-555-0199 ext. 12", {"phone": 1}, ["555-0199"]),
    (
        "Card 4111 1111 1111 1111 was charged twice; the other one is 5500-0000-0000-0004.",
        {"card": 2},
        ["4111", "5500"],
    ),
    ("Amex 378282246310005 declined", {"card": 1}, ["378282246310005"]),
    ("Please refund to DE89 3704 0044 0532 0130 00 which is my account", {"iban": 1}, ["3704", "DE89"]),
    ("IBAN: GB82WEST12345698765432, thanks", {"iban": 1}, ["GB82WEST"]),
    ("Notre IBAN est FR14 2004 1010 0505 0001 3M02 606", {"iban": 1}, ["FR14", "3M02"]),
    ("Ship it to 221B Baker Street, London", {"address": 1}, ["221B", "Baker"]),
    ("Our HQ moved to 350 5th Ave, Suite 400, New York", {"address": 1}, ["350 5th", "Suite 400"]),
    ("Unser Büro: Hauptstraße 5a, 10115 Berlin", {"address": 1}, ["Hauptstraße 5a"]),
    ("Le bureau est au 12 rue de la Paix à Paris", {"address": 1}, ["rue de la Paix"]),
    ("Sede: Via Roma 10, Roma. Madrid: Calle Mayor 3.", {"address": 2}, ["Roma 10", "Mayor 3"]),
]

ORDINARY_TEXTS = [
    "We get HTTP 502 and 504 errors since 10:30 UTC, error code E1042.",
    "After upgrading to version 2.14.1 (build 20240115) the API v3 endpoint /api/v3/items/987654 fails.",
    "Release 10.4.2 broke it; 1.2.3-rc.4 was fine.",
    "It started on 2024-01-15, again on 15/01/2024 and on 12.01.2024.",
    "The price went up from $49 to $64 per user per month, $1,299.00 a year, 49,99 € or 12 450,00 €.",
    "We have 250 seats, 3 workspaces and 99.9% uptime in the SLA; NPS 61, CSAT 98.2%.",
    "Invoice INV-2024-000123, PO 4500012345, ticket #4155552671, order 100234.",
    "IP 192.168.1.10 port 8080, timestamp 1700000000000, latency 4500 ms.",
    "Error 0x80070005 in the Windows client.",
    "Our ARR is 2.400.000 EUR and we plan 150 more seats in Q3 2025.",
    "We exported 1 234 567 rows in 45 minutes.",
    "Years 2023 2024 2025 2026 were all great with you.",
    "We use 3 Google Drive folders and Via the API 2 requests fail every minute.",
    "Tracking number 1Z999AA10123456784 shows it was delivered.",
]


@pytest.mark.parametrize(("text", "counts", "gone"), PERSONAL_DATA)
def test_personal_data_is_replaced_and_counted(text: str, counts: dict[str, int], gone: list[str]) -> None:
    result = redact(text)

    assert result.counts == counts
    for fragment in gone:
        assert fragment not in result.text
    for kind, count in counts.items():
        assert result.text.count(f"[{kind.upper()}]") == count


@pytest.mark.parametrize("text", ORDINARY_TEXTS)
def test_ordinary_numbers_are_kept(text: str) -> None:
    result = redact(text)

    assert result.text == text
    assert result.counts == {}
    assert result.total == 0


def test_numbers_that_fail_their_checksum_are_kept() -> None:
    # One digit off: the IBAN check digits and the card's Luhn sum no longer hold.
    text = "IBAN DE89 3704 0044 0532 0130 01 and card 4111 1111 1111 1112"

    assert redact(text).text == text


def test_a_whole_message_keeps_its_meaning_and_loses_its_personal_data() -> None:
    text = (
        "Hi, this is Dana (dana@initech.io, +1 415 555 2671). Since version 4.2 the sync fails with "
        "HTTP 502 about 30 times a day. We were charged $2,400 twice on card 4111-1111-1111-1111; "
        "please call me or write to our office at 1600 Pennsylvania Avenue NW."
    )

    result = redact(text)

    assert result.counts == {"email": 1, "phone": 1, "card": 1, "address": 1}
    assert "[EMAIL]" in result.text and "[PHONE]" in result.text and "[CARD]" in result.text
    assert "[ADDRESS]" in result.text
    for kept in ("version 4.2", "HTTP 502", "30 times a day", "$2,400 twice"):
        assert kept in result.text


def test_redaction_is_idempotent() -> None:
    for text, _, _ in PERSONAL_DATA:
        once = redact(text).text
        assert redact(once).text == once


def test_phone_regions_decide_which_national_numbers_are_found() -> None:
    text = "Ruf mich an: 030 12345678"

    assert redact(text, phone_regions=("DE",)).counts == {"phone": 1}
    assert redact(text, phone_regions=("US",)).counts == {}


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        alphabet=st.characters(blacklist_categories=("Nd", "Cs", "Lu", "Lt"), blacklist_characters="@[({")
    )
)
def test_text_without_digits_at_signs_brackets_or_capitals_is_never_changed(text: str) -> None:
    # Every detector needs a digit, an '@', a bracket ("jane [at] acme") or a capital (a name);
    # anything else passing through untouched is the guarantee.
    assert redact(text).text == text
