"""Plain-text rendering of a digest (terminal, e-mail, the console poster). Slack/Teams render their own."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.accounts.value import short_money
from bot.digest.build import Digest
from bot.health.report import points_words, week_span


def change_words(change: int) -> str:
    """A week-over-week change in words: "2 more than last week", "1 fewer", "as many"."""
    if change == 0:
        return "as many as last week"
    return f"{abs(change)} {'more' if change > 0 else 'fewer'} than last week"


def _day(moment) -> str:
    return f"{moment:%b} {moment.day}"


def portfolio_line(digest: Digest) -> str:
    parts = []
    for light in ("green", "yellow", "red"):
        count = digest.counts.get(light, 0)
        change = count - digest.previous_counts.get(light, 0)
        moved = f" ({change_words(change)})" if change and light != "green" else ""
        parts.append(f"{count} {light}{moved}")
    if digest.silent_total:
        parts.append(f"{digest.silent_total} silent")
    return "Portfolio: " + " · ".join(parts)


def value_note(item) -> str:
    """ "$120k ARR, renews in 13 days" for an attention item the account book knows."""
    parts = []
    if item.arr is not None:
        parts.append(f"{short_money(item.arr, item.currency)} ARR")
    if item.days_to_renewal is not None and 0 <= item.days_to_renewal <= 365:
        parts.append(f"renews in {item.days_to_renewal} days")
    return ", ".join(parts)


def render_digest_text(digest: Digest) -> str:
    zone = ZoneInfo(digest.period.zone)
    audience = f" · {digest.owner}'s accounts" if digest.owner else ""
    lines = [f"Customer sentiment · {digest.period.label}{audience}", digest.headline]
    if digest.empty:
        return "\n".join(lines)
    lines.append(portfolio_line(digest))
    if digest.value_at_risk is not None:
        lines.append(digest.value_at_risk.line)
    if digest.attention:
        lines.append("Needs attention")
        for item in digest.attention:
            was = f", was {item.was}" if item.was != item.light else ""
            reasons = "; ".join(item.reasons) or "several small signals"
            value = f" ({value_note(item)})" if value_note(item) else ""
            lines.append(f" • {item.account}{value} — {item.light}, {item.trend}{was}: {reasons}.")
            if item.top_concerns:
                concerns = ", ".join(f"{c.replace('_', ' ')} ({n})" for c, n in item.top_concerns)
                lines.append(f"   Top concerns: {concerns}")
            if item.quote is not None:
                lines.append(f'   "{item.quote.quote}" ({_day(item.quote.created_at.astimezone(zone))})')
        more = digest.attention_total - len(digest.attention)
        if more > 0:
            lines.append(
                f" • and {more} more account{'s' if more > 1 else ''} (tonewatch digest --preview --json)"
            )
    better = [c for c in digest.changes if not c.worse]
    if better:
        shown = ", ".join(f"{c.account} ({c.from_light} → {c.to_light})" for c in better[:6])
        lines.append(f"Improved: {shown}" + (f" and {len(better) - 6} more" if len(better) > 6 else ""))
    if digest.unanswered_total:
        lines.append(f"Unanswered past the reply SLA: {digest.unanswered_total}")
        for waiting in digest.unanswered:
            hours = waiting.hours_waiting(digest.as_of)
            age = f"{hours / 24:.0f} days" if hours >= 48 else f"{hours:.0f} h"
            lines.append(f' • {waiting.account} — waiting {age}: "{waiting.quote}"')
    if digest.silent:
        shown = ", ".join(f"{s.account} ({s.days // 7} weeks)" for s in digest.silent)
        more = digest.silent_total - len(digest.silent)
        lines.append(f"Gone silent: {shown}" + (f" and {more} more" if more > 0 else ""))
    for incident in digest.incidents:
        names = ", ".join(incident.accounts[:8]) + (" …" if len(incident.accounts) > 8 else "")
        lines.append(f"Systemic: {incident.describe(zone)} ({names}).")
    if digest.calm:
        lines.append(digest.template_headline if digest.narrative else "")
    if digest.opportunities:
        shown = " · ".join(
            f'{o.account}: "{o.text}"' if o.kind == "expansion" else f"{o.account} {o.text}"
            for o in digest.opportunities
        )
        lines.append(f"Opportunities: {shown}")
    if digest.top_concerns:
        shown = " · ".join(
            f"{c.concern.replace('_', ' ')} {c.count} ({change_words(c.change)})" for c in digest.top_concerns
        )
        lines.append(f"Top concerns: {shown}")
    precision = digest.precision
    if precision.alerts:
        lines.append(precision.describe())
    if digest.chart:
        lines.append(f"[chart: {digest.chart}]")
    return "\n".join(line for line in lines if line)


_BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float | None]) -> str:
    """Weekly averages (−1..1) as a row of bars; a gap for weeks without messages."""
    return "".join(" " if v is None else _BARS[min(7, int((v + 1) / 2 * 8))] for v in values)


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:+.2f}".replace("-", "−")


def render_account_text(report: dict) -> str:
    """The answer to "how is Acme doing?" for a terminal (the same data as `--json`)."""
    was = report["was"]
    history = []
    if was["7d_ago"] != report["light"]:
        history.append(f"was {was['7d_ago']} last week")
    if was["30d_ago"] != report["light"]:
        history.append(f"{was['30d_ago']} a month ago")
    lines = [
        f"{report['account']} — {report['light']}, {report['trend']}"
        + (f" ({', '.join(history)})" if history else ""),
        f"30-day average {_score(report['average_30d'])} (7-day {_score(report['average_7d'])}, "
        f"90-day {_score(report['average_90d'])}; usual tone {_score(report['baseline'])}) · "
        f"{report['messages']} customer messages in 30 days, {report['negative_messages']} negative · "
        f"{report['open_alerts']} open alert{'s' if report['open_alerts'] != 1 else ''}",
    ]
    book = [
        f"owner {report['owner']}" if report.get("owner") else "",
        f"ARR {report['arr']:,.0f} {report.get('currency') or 'USD'}"
        if report.get("arr") is not None
        else "",
        f"tier {report['tier']}" if report.get("tier") else "",
        f"renews {report['renewal_date']} (in {report['days_to_renewal']} days)"
        if report.get("renewal_date")
        else "",
        "outreach suppressed until the recovery is recorded" if report.get("suppress_outreach") else "",
    ]
    if any(book):
        lines.append(" · ".join(part for part in book if part))
    if report["top_concerns"]:
        lines.append(
            "Top concerns: "
            + ", ".join(f"{c['concern'].replace('_', ' ')} ({c['count']})" for c in report["top_concerns"])
        )
    if report["why"]:
        lines.append(report["scale"])
    for reason in report["why"]:
        quotes = " · ".join(f'"{m["quote"]}"' for m in reason["messages"][:2])
        weight = points_words(reason["points"])
        lines.append(f"Why: {reason['text']} ({weight})" + (f" — {quotes}" if quotes else ""))
    changed = report.get("what_changed")
    if changed:
        moved = [s for s in changed.get("signals", changed.get("moved_by", [])) if s.get("moved", True)]
        lines.append(
            f"What changed: {changed.get('from') or 'new'} → {changed['to']}: "
            + ("; ".join(s["text"] for s in moved) or "several small signals")
        )
    if report["turn_back"]:
        lines.append(report["turn_back"][0].upper() + report["turn_back"][1:])
    if report["expansion"]:
        lines.append("Opportunity: " + " · ".join(f'"{e["quote"]}"' for e in report["expansion"][:2]))
    if report.get("promoter") is not None:
        lines.append(f"Promoter: NPS {report['promoter']:g}")
    if report.get("silent_days"):
        lines.append(f"Silent for {report['silent_days']} days")
    span = week_span(report["weekly_average"], datetime.fromisoformat(report["as_of"]))
    if span is not None:
        first, label = span
        lines.append(f"Weekly average, {label}: {sparkline(report['weekly_average'][first:])}")
    for message in report["recent"][:3]:
        moment = datetime.fromisoformat(message["created_at"])
        lines.append(f'Recent: {moment:%b} {moment.day} "{message["quote"]}" ({_score(message["score"])})')
    return "\n".join(lines)
