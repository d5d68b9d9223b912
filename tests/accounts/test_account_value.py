"""Severity and attention weighed by account value and renewal; the digest's value at risk."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from bot.accounts.book import AccountBook
from bot.accounts.entry import BookEntry
from bot.accounts.value import ValueAtRisk, ValueRules, short_money, tier_decision, value_points
from bot.alerts.policy import AlertDecision, PolicyThresholds, Severity
from bot.alerts.service import AlertService
from bot.digest.build import DigestOptions, build_digest, week_before
from bot.digest.render import render_digest_text
from bot.health.rules import load_health_rules
from storage.db import Transaction
from storage.errors import ConfigError
from tests.support.history import History

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PERIOD = week_before(date(2026, 11, 23), "UTC")
TODAY = date(2026, 11, 23)


def warning() -> AlertDecision:
    return AlertDecision(Severity.warning, "general", ("negative tone",), post_now=False)


def test_a_warning_is_raised_for_a_high_value_account_or_a_renewal_soon():
    rules = ValueRules()
    assert tier_decision(warning(), 20_000, "USD", None, TODAY, rules).severity is Severity.warning
    big = tier_decision(warning(), 150_000, "USD", None, TODAY, rules)
    assert (
        big.severity is Severity.critical and big.post_now and "high-value account ($150k ARR)" in big.reasons
    )
    soon = tier_decision(warning(), None, None, TODAY + timedelta(days=30), TODAY, rules)
    assert soon.severity is Severity.critical and "renews in 30 days" in soon.reasons
    later = tier_decision(warning(), None, None, TODAY + timedelta(days=200), TODAY, rules)
    assert later.severity is Severity.warning
    opportunity = AlertDecision(Severity.opportunity, "expansion", (), post_now=False)
    assert tier_decision(opportunity, 10**7, "USD", TODAY, TODAY, rules) is opportunity


def test_value_points_and_the_value_at_risk_line():
    rules = ValueRules()
    assert value_points(None, None, TODAY, rules) == 0
    assert value_points(120_000, None, TODAY, rules) == 2
    assert value_points(10**7, TODAY + timedelta(days=10), TODAY, rules) == 5  # capped 3 + renewal 2
    line = ValueAtRisk(240_000, "USD", 3, 2, 90).line
    assert line == "$240k ARR at risk, 2 renewals within 90 days"
    assert short_money(1_250_000, "EUR") == "€1.2M" and short_money(900, "CHF") == "900 CHF"


def test_the_rules_file_configures_the_value_rules(tmp_path: Path):
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"value": {"high_arr": 50000, "renewal_days": 30}}))
    rules = load_health_rules(path)
    assert rules.value.high_arr == 50000 and rules.value.renewal_days == 30
    path.write_text(json.dumps({"value": {"renewal_days": -1}}))
    with pytest.raises(ConfigError, match="value.renewal_days"):
        load_health_rules(path)


def test_alert_severity_uses_the_account_book(sqlite_engine):
    history = History(sqlite_engine, datetime.now(UTC))
    alerts = AlertService(
        sqlite_engine,
        PolicyThresholds(critical_score=-0.6, warning_score=-0.3),
        reply_sla=timedelta(hours=24),
    )
    AccountBook(sqlite_engine).apply(BookEntry("Bigco", arr=500_000))
    small = alerts.after_analysis(history.say("Smallco", 0, -0.4, "This is getting annoying."))
    big = alerts.after_analysis(history.say("Bigco", 0, -0.4, "This is getting annoying."))
    assert small is not None and small.severity is Severity.warning
    assert big is not None and big.severity is Severity.critical and big.post_now
    card = alerts.card(big.alert_id)
    assert any("high-value account" in reason for reason in card.reasons)


def test_the_digest_orders_attention_by_value_and_states_value_at_risk(sqlite_engine, tmp_path):
    history = History(sqlite_engine, NOW)
    # Two accounts equally unhappy; the one worth more and renewing soon comes first.
    for account in ("Alpha Small", "Zeta Big"):
        for days in (2, 3, 4, 5):
            history.say(account, days, -0.5)
    history.say("Calm Co", 2, 0.5)
    book = AccountBook(sqlite_engine)
    book.apply(BookEntry("Alpha Small", arr=40_000, currency="USD", renewal_date=date(2027, 6, 1)))
    book.apply(BookEntry("Zeta Big", arr=200_000, currency="USD", renewal_date=date(2026, 12, 10)))
    book.apply(BookEntry("Calm Co", arr=900_000, currency="USD", renewal_date=date(2026, 12, 1)))
    with Session(sqlite_engine) as session:
        digest = build_digest(Transaction(session), PERIOD, DigestOptions(chart_dir=tmp_path))
    names = [a.account for a in digest.attention]
    assert names[:2] == ["Zeta Big", "Alpha Small"], names
    data = digest.to_json()
    assert data["value_at_risk"]["text"] == "$240k ARR at risk, 1 renewal within 90 days"  # Calm Co is green
    first = data["attention"][0]
    assert first["arr"] == 200_000 and first["days_to_renewal"] == 17 and first["value_points"] == 5
    text = render_digest_text(digest)
    assert "$240k ARR at risk, 1 renewal within 90 days" in text
    assert "Zeta Big ($200k ARR, renews in 17 days)" in text
