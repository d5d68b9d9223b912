"""Plain-text renderings for the terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.analysis.contract import AnalysisResult


def _words(values) -> str:
    return ", ".join(str(v).replace("_", " ") for v in values) or "—"


def render_result(result: AnalysisResult) -> str:
    if result.abstained:
        return f"abstained: {result.abstain_reason} (language {result.language})"
    flags = [
        name
        for name, on in (
            ("churn risk", result.churn_risk),
            ("competitor mentioned", result.competitor_mentioned),
            ("expansion signal", result.expansion),
            ("sarcasm", result.sarcasm),
        )
        if on
    ]
    lines = [
        f"{result.label} {result.score:+.2f} ({result.intensity}) · urgency {str(result.urgency).upper()}"
        f" · confidence {result.confidence:.2f} · {result.language}",
        f"Emotions: {_words(result.emotions)}",
        f"Concerns: {_words(result.concerns)}",
    ]
    if flags:
        lines.append(f"Flags: {', '.join(flags)}")
    if result.evidence:
        lines.append("Why: " + " · ".join(f'"{phrase}"' for phrase in result.evidence))
    if result.recommended_response:
        lines.append(f"Recommended ({str(result.recommended_action).replace('_', ' ')}): "
                     f"{result.recommended_response}")
    if result.draft_reply:
        lines.append("Draft reply (edit before sending):")
        lines.extend(f"> {line}" for line in result.draft_reply.splitlines())
    lines.append(f"[{result.provider} · {result.model} · {result.prompt_version}]")
    return "\n".join(lines)


def render_evaluation(report: dict) -> str:
    lines = [
        f"task {report['task']} · {report['messages']} messages"
        + (f" ({report['skipped']} skipped)" if report.get("skipped") else ""),
        f"accuracy {report['accuracy']:.3f} · macro-F1 {report['macro_f1']:.3f}"
        f" · {report['messages_per_second']:,.0f} messages/s",
        "",
        f"{'class':<16}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}",
    ]
    for label, stats in report["per_class"].items():
        lines.append(
            f"{label:<16}{stats['precision']:>10.3f}{stats['recall']:>10.3f}"
            f"{stats['f1']:>10.3f}{stats['support']:>10}"
        )
    labels = list(report["confusion"].keys())
    lines += ["", "confusion (rows gold, columns predicted)", " " * 16 + "".join(f"{p:>14}" for p in labels)]
    for gold in labels:
        row = report["confusion"][gold]
        lines.append(f"{gold:<16}" + "".join(f"{row.get(p, 0):>14}" for p in labels))
    return "\n".join(lines)


def render_team_precision(report: dict) -> str:
    """`eval --team`: per severity, alerts, reviewed, accurate and precision."""
    def percent(value: float | None) -> str:
        return "—" if value is None else f"{value:.0%}"

    lines = [
        f"the team's own precision, {report['from'][:10]} to {report['to'][:10]} ({report['days']} days)",
        "reviewed: acknowledged, snoozed, answered with the draft, or marked Not accurate",
        "",
        f"{'severity':<14}{'alerts':>8}{'reviewed':>10}{'accurate':>10}{'not accurate':>14}{'precision':>11}",
    ]
    for name, row in [*report["by_severity"].items(), ("all", report["total"])]:
        lines.append(
            f"{name:<14}{row['alerts']:>8}{row['reviewed']:>10}{row['accurate']:>10}"
            f"{row['not_accurate']:>14}{percent(row['precision']):>11}"
        )
    return "\n".join(lines)
