"""Account health on hand-built histories: the lights and trends a person reading the messages would give."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from bot.analysis.base import AnalysisOutcome
from bot.analysis.contract import AnalysisResult, Concern, Intensity, Label, Urgency
from bot.cli import cli
from bot.health.changes import record_colour_changes
from bot.health.incidents import active_incident, detect_incidents
from bot.health.report import UnknownAccount, account_report, find_account
from bot.health.rules import HealthRules, Light, Trend, load_health_rules
from bot.health.scoring import compute_health
from storage.db import session_scope
from storage.errors import ConfigError
from storage.models import CustomerMessage, HealthChange, MessageConcern
from storage.queries import record_analysis
from tests.support.history import History

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
RULES = HealthRules()
TERSE_CYCLE = (-0.2, -0.35, -0.1, -0.65, -0.25, 0.0)


def declining(history: History, name: str = "Acme Corp") -> dict[str, int]:
    """Content for eleven weeks, then two bad weeks ending in a renewal threat."""
    for day in range(90, 15, -3):
        history.say(name, day, 0.4, "Works well, thanks!")
    ids = {
        "sync": history.say(name, 12, -0.5, "The sync failed again.", concerns=("reliability",)),
        "waiting": history.say(
            name, 8, -0.7, "Waiting three days for an answer.", concerns=("support_responsiveness",)
        ),
        "outage": history.say(name, 5, -0.8, "Second outage this month.", concerns=("reliability",)),
        "renewal": history.say(
            name,
            3,
            -0.85,
            "We are reconsidering our renewal.",
            churn=True,
            concerns=("contract_renewal", "reliability"),
        ),
    }
    return ids


def terse(history: History, name: str = "Initech", recent_only: bool = False) -> None:
    """An engineering team that writes tersely: its normal is slightly negative, with the odd blunt line."""
    for index, day in enumerate(range(90, -1, -2)):
        if recent_only and day > 14:
            history.say(name, day, 0.4, "All good here, thanks.")
        else:
            history.say(name, day, TERSE_CYCLE[index % len(TERSE_CYCLE)], "Deploy failed. Logs attached.")


def recovering(history: History, name: str = "Umbrella") -> None:
    for day in range(90, 43, -3):
        history.say(name, day, 0.3)
    for day in range(42, 20, -2):
        history.say(name, day, -0.7, "Broken again.", churn=day == 30, concerns=("bug",))
    for day in range(13, -1, -2):
        history.say(name, day, 0.5, "Much better since the fix, thank you.")


def promoter(history: History, name: str = "Globex") -> dict[str, int]:
    for day in range(80, 6, -4):
        history.say(name, day, 0.35)
    return {
        "nps": history.say(name, 5, 0.8, "Would recommend to anyone.", nps=10),
        "seats": history.say(name, 2, 0.6, "We'd like 50 more seats for the EU team.", expansion=True),
    }


def health_of(engine, name: str, as_of: datetime = NOW, rules: HealthRules = RULES):
    with Session(engine) as session:
        return next(h for h in compute_health(session, as_of, rules) if h.account == name)


def test_declining_account_is_red_and_says_why(any_engine) -> None:
    history = History(any_engine, NOW)
    ids = declining(history)
    health = health_of(any_engine, "Acme Corp")
    assert (health.light, health.trend) == (Light.red, Trend.declining)
    codes = {s.code: s.points for s in health.signals}
    assert codes["churn_risk"] == 3 and codes["critical_messages"] == 6  # three messages ≤ −0.6, +2 each
    assert health.average_7d < health.average_30d < health.average_90d
    assert health.baseline > 0.3  # its normal is content, so this is a deviation
    with Session(any_engine) as session:
        report = account_report(session, "acme corp", NOW, RULES)
    why = {w["code"]: w for w in report["why"]}
    assert why["churn_risk"]["message_ids"] == [ids["renewal"]]
    assert set(why["critical_messages"]["message_ids"]) == {ids["renewal"], ids["outage"], ids["waiting"]}
    assert report["top_concerns"][0] == {"concern": "reliability", "count": 3}
    assert report["was"]["30d_ago"] == "green"
    assert report["turn_back"].startswith("back to yellow when:")


def test_terse_team_is_green_but_the_same_words_from_a_happy_account_are_not(sqlite_engine) -> None:
    history = History(sqlite_engine, NOW)
    terse(history, "Initech")
    terse(history, "Hooli", recent_only=True)
    quiet = health_of(sqlite_engine, "Initech")
    changed = health_of(sqlite_engine, "Hooli")
    assert quiet.baseline < -0.15  # its own normal is negative...
    assert (quiet.light, quiet.trend) == (Light.green, Trend.stable)  # ...and that is not an alarm
    assert changed.light in (Light.yellow, Light.red) and changed.trend is Trend.declining
    assert "below_baseline" in {s.code for s in changed.signals}


def test_recovering_account_was_red_and_is_now_green_and_improving(sqlite_engine) -> None:
    recovering(History(sqlite_engine, NOW))
    then = health_of(sqlite_engine, "Umbrella", NOW - timedelta(days=21))
    now = health_of(sqlite_engine, "Umbrella")
    assert then.light is Light.red and then.trend is Trend.declining
    assert (now.light, now.trend) == (Light.green, Trend.improving)


def test_promoter_is_green_and_an_opportunity(sqlite_engine) -> None:
    history = History(sqlite_engine, NOW)
    ids = promoter(history)
    health = health_of(sqlite_engine, "Globex")
    assert health.light is Light.green and health.is_opportunity
    assert health.promoter == 10 and health.expansion_30d == 1
    with Session(sqlite_engine) as session:
        report = account_report(session, "Globex", NOW, RULES)
    assert [e["id"] for e in report["expansion"]] == [ids["seats"]]


def test_promoter_answer_offsets_one_bad_message_and_a_detractor_adds(sqlite_engine) -> None:
    history = History(sqlite_engine, NOW)
    for name in ("With promoter", "Without promoter", "Detractor"):
        for day in range(60, 10, -5):
            history.say(name, day, 0.3)
        history.say(name, 4, -0.7, "This broke our import.")
    # Before the recent window, so both accounts' recent tone is the one bad message.
    history.say("With promoter", 20, 0.7, "Great product.", nps=9)
    history.say("Detractor", 6, -0.2, "Meh.", nps=3)
    points = {h.account: h.points for h in _all(sqlite_engine)}
    assert points["With promoter"] == points["Without promoter"] - 1
    assert (
        points["Detractor"] == points["Without promoter"] + 2 + 1
    )  # detractor, and −0.2 is below its usual tone


def _all(engine, as_of: datetime = NOW):
    with Session(engine) as session:
        return compute_health(session, as_of, RULES)


def test_open_alerts_count_and_resolved_ones_do_not(sqlite_engine) -> None:
    history = History(sqlite_engine, NOW)
    for name in ("Open", "Closed"):
        for day in range(40, 0, -4):
            history.say(name, day, 0.3)
    history.alert("Open", 2, severity="critical")
    history.alert("Open", 1, severity="warning")
    history.alert("Closed", 2, severity="critical", open_=False)
    healths = {h.account: h for h in _all(sqlite_engine)}
    assert (healths["Open"].open_alerts, healths["Open"].points) == (2, 3)
    assert healths["Open"].light is Light.yellow
    assert (healths["Closed"].open_alerts, healths["Closed"].light) == (0, Light.green)
    # An alert raised after the as-of moment does not exist yet.
    assert {h.account: h.open_alerts for h in _all(sqlite_engine, NOW - timedelta(days=3))}["Open"] == 0


def test_recency_weighting_counts_today_more_than_last_week(sqlite_engine) -> None:
    history = History(sqlite_engine, NOW)
    history.say("Weights", 6, -1.0)
    history.say("Weights", 0, 1.0)
    health = health_of(sqlite_engine, "Weights")
    # Linear weights: 1 for today, 1 − 0.75·6/7 for six days ago.
    old = 1 - 0.75 * 6 / 7
    assert health.average_7d == pytest.approx((1 - old) / (1 + old), abs=1e-3)
    assert health.average_90d > 0


def test_an_account_that_stopped_writing_is_silent(sqlite_engine) -> None:
    history = History(sqlite_engine, NOW)
    for day in range(60, 24, -3):
        history.say("Quiet", day, 0.2)
        history.say("Chatty", day, 0.2)
    history.say("Chatty", 1, 0.2)
    healths = {h.account: h for h in _all(sqlite_engine)}
    assert healths["Quiet"].silent_days == 27
    assert healths["Chatty"].silent_days is None


def test_rules_file_overrides_thresholds(tmp_path, sqlite_engine) -> None:
    declining(History(sqlite_engine, NOW))
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"red_at": 30, "yellow_at": 3}))
    relaxed = load_health_rules(path)
    assert health_of(sqlite_engine, "Acme Corp", rules=relaxed).light is Light.yellow
    path.write_text(json.dumps({"red_at": 2, "yellow_at": 3}))
    with pytest.raises(ConfigError, match="TONEWATCH_HEALTH_RULES: .*red_at must be above yellow_at"):
        load_health_rules(path)
    path.write_text("{nope")
    with pytest.raises(ConfigError, match="not valid JSON"):
        load_health_rules(path)


def test_record_analysis_denormalizes_signals_and_replaces_them(sqlite_engine) -> None:
    history = History(sqlite_engine, NOW)
    message_id = history.say(
        "Acme Corp", 1, -0.8, churn=True, competitor=True, concerns=("reliability", "billing")
    )
    message = history.message(message_id)
    assert (message.urgency, message.churn_risk, message.competitor_mentioned, message.expansion) == (
        "high",
        True,
        True,
        False,
    )
    abstained = AnalysisResult(
        score=0.0,
        label=Label.neutral,
        intensity=Intensity.mild,
        urgency=Urgency.low,
        confidence=0.2,
        abstained=True,
        abstain_reason="unsupported language",
        concerns=[Concern.billing],
    )
    with session_scope(sqlite_engine) as session:
        record_analysis(session, message_id, AnalysisOutcome(result=abstained))
    with Session(sqlite_engine) as session:
        stored = session.get(CustomerMessage, message_id)
        assert (stored.score, stored.churn_risk, stored.urgency) == (None, False, None)
        assert session.exec(select(MessageConcern).where(MessageConcern.message_id == message_id)).all() == []


def test_colour_changes_are_recorded_with_their_messages_and_the_way_back(sqlite_engine) -> None:
    history = History(sqlite_engine, NOW)
    for day in range(60, 10, -3):
        history.say("Acme Corp", day, 0.4)
    bad = history.say("Acme Corp", 2, -0.9, "Cancel our contract.", churn=True)
    with session_scope(sqlite_engine) as session:
        first = record_colour_changes(session, NOW, RULES, "2026-11-23")
    assert [(c.from_light, c.to_light) for c in first] == [(None, "red")]
    assert bad in first[0].message_ids
    assert {s["code"] for s in first[0].signals if s["moved"]} >= {"churn_risk", "critical_messages"}
    with session_scope(sqlite_engine) as session:
        assert record_colour_changes(session, NOW + timedelta(hours=1), RULES, "2026-11-23") == []
    # Three weeks later the bad message has left the window: green again, and the row says what cleared.
    later = NOW + timedelta(days=21)
    for day in range(20, 0, -3):
        History(sqlite_engine, later).say("Acme Corp", day, 0.4)
    with session_scope(sqlite_engine) as session:
        second = record_colour_changes(session, later, RULES, "2026-12-14")
    assert [(c.from_light, c.to_light) for c in second] == [("red", "green")]
    cleared = [s for s in second[0].signals if s.get("cleared")]
    assert {s["code"] for s in cleared} >= {"churn_risk"} and bad in second[0].message_ids
    assert second[0].turn_back.startswith("turns red again with")
    with Session(sqlite_engine) as session:
        assert len(session.exec(select(HealthChange)).all()) == 2
        report = account_report(session, "Acme Corp", later, RULES)
    assert report["what_changed"]["recorded"] and report["what_changed"]["to"] == "green"


def test_unknown_account_names_close_matches(sqlite_engine) -> None:
    history = History(sqlite_engine, NOW)
    history.say("Acme Corp", 1, 0.2)
    history.say("Acme Labs", 1, 0.2)
    with Session(sqlite_engine) as session:
        assert find_account(session, "ACME  corp").name == "Acme Corp"
        with pytest.raises(UnknownAccount) as raised:
            find_account(session, "acme")
    assert str(raised.value).startswith("no account named 'acme'; did you mean ")
    assert set(str(raised.value).split("mean ")[1].rstrip("?").split(", ")) == {"Acme Corp", "Acme Labs"}
    history.say("Globex International", 1, 0.2)
    with Session(sqlite_engine) as session:
        assert find_account(session, "globex").name == "Globex International"  # one account has that word
        assert find_account(session, "Acme L").name == "Acme Labs"  # a prefix only one name has


def test_account_cli_json_and_unknown_name(sqlite_url, sqlite_engine, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    declining(History(sqlite_engine, NOW))
    runner = CliRunner()
    result = runner.invoke(cli, ["account", "ACME corp", "--as-of", "2026-11-23T09:00:00Z", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    for key in (
        "account",
        "light",
        "trend",
        "average_7d",
        "average_30d",
        "average_90d",
        "messages",
        "top_concerns",
        "open_alerts",
        "expansion",
        "why",
    ):
        assert key in data
    assert (data["account"], data["light"], data["trend"]) == ("Acme Corp", "red", "declining")
    earlier = json.loads(
        runner.invoke(cli, ["account", "Acme Corp", "--as-of", "2026-10-01", "--json"]).output
    )
    assert earlier["light"] == "green" and earlier["why"] == []
    text = runner.invoke(cli, ["account", "Acme Corp", "--as-of", "2026-11-23T09:00:00Z"])
    assert text.output.startswith("Acme Corp — red, declining (was yellow last week, green a month ago)")
    missing = runner.invoke(cli, ["account", "Acme Crop"])
    assert missing.exit_code == 1
    assert missing.output.strip() == "error: no account named 'Acme Crop'; did you mean Acme Corp?"


def test_incident_when_several_accounts_raise_the_same_concern_within_hours(any_engine) -> None:
    history = History(any_engine, NOW)
    outage = NOW - timedelta(days=2)
    for index, name in enumerate(["A", "B", "C", "D", "E"]):
        history.say(
            name,
            0,
            -0.6,
            "Sync is down",
            concerns=("reliability",),
            at=outage + timedelta(minutes=35 * index),
        )
    # The same concern spread over days is background, not an incident.
    for index, name in enumerate(["F", "G", "H"]):
        history.say(name, 0, -0.5, "Invoice wrong", concerns=("billing",), at=outage + timedelta(days=index))
    with Session(any_engine) as session:
        incidents = detect_incidents(session, NOW - timedelta(days=7), NOW)
    assert len(incidents) == 1
    incident = incidents[0]
    assert incident.concern == "reliability" and incident.accounts == ["A", "B", "C", "D", "E"]
    assert incident.describe(UTC) == "reliability raised by 5 accounts on Nov 21 between 09:00 and 11:20"
    with Session(any_engine) as session:  # the alert path can fold a sixth warning into it
        assert active_incident(session, "reliability", outage + timedelta(hours=3)).accounts[-1] == "E"
        assert active_incident(session, "billing", outage + timedelta(hours=3)) is None
        assert active_incident(session, "reliability", outage + timedelta(hours=9)) is None


def test_incident_threshold_rises_with_the_concerns_usual_rate(sqlite_engine) -> None:
    history = History(sqlite_engine, NOW)
    # Every four hours for four weeks some account complains about performance: about one per window.
    for hour in range(0, 28 * 24, 4):
        history.say(
            f"P{hour % 7}",
            0,
            -0.4,
            concerns=("performance",),
            at=NOW - timedelta(days=30) + timedelta(hours=hour),
        )
    small, large = NOW - timedelta(days=2), NOW - timedelta(days=1)
    for index in range(3):  # three at once is ordinary here...
        history.say(f"Q{index}", 0, -0.5, concerns=("performance",), at=small + timedelta(minutes=10 * index))
    for index in range(10):  # ...ten at once is not
        history.say(f"R{index}", 0, -0.5, concerns=("performance",), at=large + timedelta(minutes=5 * index))
    with Session(sqlite_engine) as session:
        incidents = detect_incidents(session, NOW - timedelta(days=3), NOW)
    assert [i.start for i in incidents] == [large]
    assert {f"R{i}" for i in range(10)} <= set(incidents[0].accounts)


def test_the_quiet_screen_never_hides_a_signal() -> None:
    """Accounts the vectorized screen skips must be exactly what `evaluate` would say: no signal, green."""
    import numpy as np

    from bot.health.scoring import StatsTable, _QuietColumns, evaluate, quiet_accounts

    rng = np.random.default_rng(3)
    size = 4000
    n_recent = rng.integers(0, 12, size).astype(float)
    n_base = rng.integers(0, 60, size).astype(float)
    n_earlier = np.minimum(n_base, rng.integers(0, 30, size)).astype(float)
    neg_recent = np.floor(n_recent * rng.random(size) * rng.random(size))
    columns = {
        "messages": n_recent + n_base + rng.integers(0, 3, size),
        # Some accounts have gone silent (21 days or more), so the screen's silence test is exercised.
        "last": np.where(n_recent + n_base > 0, 20775.0 - rng.random(size) * 24, -np.inf),
        "n_recent": n_recent,
        "sum_recent": n_recent * rng.uniform(-0.6, 0.6, size),
        "neg_recent": neg_recent,
        "crit_recent": np.where(rng.random(size) < 0.2, np.minimum(neg_recent, 1), 0.0),
        "crit_last": np.full(size, -np.inf),
        "churn_recent": (rng.random(size) < 0.03).astype(float),
        "churn_last": np.full(size, -np.inf),
        "churn_last_any": np.full(size, -np.inf),
        "competitor_recent": (rng.random(size) < 0.03).astype(float),
        "competitor_last": np.full(size, -np.inf),
        "n_earlier": n_earlier,
        "sum_earlier": n_earlier * rng.uniform(-0.6, 0.6, size),
        "n_base": n_base,
        "sum_base": n_base * rng.uniform(-0.5, 0.6, size),
        "neg_base": np.floor(n_base * rng.random(size) * 0.5),
        "crit_base": np.floor(n_base * rng.random(size) * 0.1),
        "neg30": neg_recent,
        "expansion30": (rng.random(size) < 0.05).astype(float),
        "nps_low": np.where(rng.random(size) < 0.05, rng.integers(0, 11, size), np.inf).astype(float),
        "nps_low_at": np.full(size, -np.inf),
        "nps_high": np.where(rng.random(size) < 0.05, rng.integers(0, 11, size), -np.inf).astype(float),
    }
    for days in (7, 30, 90):
        columns[f"n{days}"] = n_recent + (n_base if days == 90 else 0)
        columns[f"avg{days}"] = np.where(columns[f"n{days}"] > 0, rng.uniform(-0.8, 0.8, size), np.nan)
    table = StatsTable(NOW, list(range(1, size + 1)), columns)
    alerts = (rng.random(size) < 0.03).astype(float)
    quiet = quiet_accounts(table, alerts, RULES)
    plain = _QuietColumns(table, RULES)
    assert 0.2 < quiet.mean() < 0.9  # the screen is exercised both ways
    for index in np.flatnonzero(quiet):
        full = evaluate(table.row(int(index)), (int(alerts[index]), 0), RULES, NOW)
        assert full.signals == [] and full.light is Light.green, index
        fast = plain.health(int(index), "x", None, RULES)
        assert (fast.trend, fast.baseline, fast.recent_average, fast.earlier_average) == (
            full.trend,
            full.baseline,
            full.recent_average,
            full.earlier_average,
        )


def test_an_open_alert_adds_points_until_its_conversation_is_settled(sqlite_engine) -> None:
    """An alert left open on a message our people answered, the customer calm since, is bookkeeping
    (acknowledge it), not a risk; one nobody answered still counts."""
    history = History(sqlite_engine, NOW)
    for name in ("Answered", "Waiting"):
        for day in range(60, 6, -4):
            history.say(name, day, 0.3)
        message = history.say(name, 5, -0.4, "Export failed again, please check.", thread=f"{name}-t")
        history.alert(name, 5, severity="critical", message_id=message)
    history.staff("Answered", 4, thread="Answered-t")
    history.say("Answered", 3, 0.5, "Works now, thanks.", thread="Answered-t")
    history.say("Waiting", 3, 0.2, "Any news?", thread="Waiting-other")
    healths = {h.account: h for h in _all(sqlite_engine)}
    assert healths["Answered"].open_alerts == healths["Waiting"].open_alerts == 1
    assert "open_alerts" not in {s.code for s in healths["Answered"].signals}
    assert "open_alerts" in {s.code for s in healths["Waiting"].signals}
    assert healths["Waiting"].points > healths["Answered"].points
