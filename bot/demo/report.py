"""The demo's printout: what Slack would show after the week, read back from the Slack stand-in."""

from __future__ import annotations

from collections.abc import Callable

from bot.demo.play import ACCOUNT_QUESTION, CHANNEL_QUESTION, DemoRun
from bot.demo.render import Posted, SlackTranscript, indent, mrkdwn, render_blocks
from bot.demo.script import ALERTS, ASKER, LEAD, LEADS

Echo = Callable[[str], None]
RULE = "═" * 100


def _section(echo: Echo, title: str, where: str = "") -> None:
    echo("")
    echo(RULE)
    echo(title + (f"   ({where})" if where else ""))
    echo(RULE)


def _is_draft(reply: Posted) -> bool:
    return (
        "Draft reply" in reply.text or "Recommended:" in reply.text or "No draft for this one" in reply.text
    )


def _lines(message: Posted, names: dict[str, str]) -> list[str]:
    return render_blocks(message.blocks, names, message.text)


def print_run(run: DemoRun, echo: Echo) -> None:
    names = run.world.names()
    transcript = SlackTranscript(run.api)
    echo("Tonewatch demo: a week of a small customer portfolio, played through the real app on 127.0.0.1.")
    echo(
        "Slack is a local stand-in of its Web API; every event is a signed Events API request. "
        "Offline analyzer, no keys, no network."
    )
    echo(f"Database and charts: {run.out.resolve()}")

    _section(echo, "Set-up", "signed /tonewatch commands, as a CSM would type them")
    shown = [run.setup[0], run.setup[1], run.setup[-1]] if len(run.setup) > 3 else run.setup
    for command, channel, answer in shown:
        echo(indent([f"{command}  in #{names.get(channel, channel)}", f"→ {mrkdwn(answer, names)}"], "  "))
        if command.startswith("/tonewatch watch") and len(run.setup) > 3:
            echo(f"  … and the same in the other {len(run.setup) - 3} customer channels")
    echo(
        f"  History: {run.history} messages from Oct 19 to Nov 15 imported and scored "
        "(as `tonewatch import` does)."
    )

    if run.book:
        _section(echo, "The account book", "owners, value and renewal, set from chat")
        for command, channel, answer in run.book:
            echo(
                indent(
                    [
                        f"{mrkdwn(command, names)}  in #{names.get(channel, channel)}",
                        f"→ {mrkdwn(answer, names)}",
                    ],
                    "  ",
                )
            )

    _section(echo, "The week of Nov 16–22, as it happens", "Slack events and POST /ingest, in time order")
    for day in run.days:
        echo(
            f"  {day.day:%a %b %d}: {day.slack} message(s) in Slack channels, {day.ingested} via POST /ingest"
            f" → {day.alerts} new alert(s)"
        )

    alerts = transcript.channel(ALERTS)
    _section(echo, "Alert threads", f"#cs-alerts: {len(alerts)} alerts, as they stand now")
    for number, root in enumerate(alerts, start=1):
        lines = _lines(root, names)
        echo(indent([f"[{number}] " + lines[0], *lines[1:]], "  "))
        for reply in root.replies:
            if _is_draft(reply):
                echo("    ↳ recommended response and draft reply (below, under Drafts)")
            else:
                echo(indent(_lines(reply, names), "    ↳ "))
        if root.edits:
            echo(f"    (edited {root.edits} time(s) as later messages joined it)")
        echo("")

    _section(echo, "Drafts", "the first reply in each alert's thread; a person edits and sends it")
    for number, root in enumerate(alerts, start=1):
        drafts = [reply for reply in root.replies if _is_draft(reply)]
        if not drafts:
            continue
        echo(indent([f"[{number}] " + _lines(root, names)[0]], "  "))
        echo(indent(_lines(drafts[0], names), "    "))
        echo("")

    dm = transcript.channel(f"D_{ASKER}")
    _section(
        echo, "Account card: Acme Corp", f'@{names.get(ASKER, ASKER)} asked in a DM: "{ACCOUNT_QUESTION}"'
    )
    for message in dm:
        echo(indent(_lines(message, names), "  "))
    for title in transcript.files_in(f"D_{ASKER}"):
        echo(f"  [image shared in the DM: {title}]")
    if run.account_chart:
        echo(f"  (the chart's PNG: {run.account_chart.resolve()})")

    leads = transcript.channel(LEADS)
    replies = [m for m in leads if m.thread_ts]
    where = f"@{names.get(LEAD, LEAD)} mentioned Tonewatch; the answer is in the thread"
    _section(echo, f'Asked by mention in #cs-leads: "{CHANNEL_QUESTION}"', where)
    for reply in replies:
        echo(indent(_lines(reply, names), "  "))

    digests = [m for m in leads if not m.thread_ts and m.text.startswith("Customer sentiment")]
    _section(echo, "Digest", "#cs-leads, Monday Nov 23 09:00 UTC, posted by the scheduler's digest job")
    for digest in digests:
        echo(indent(_lines(digest, names), "  "))
        for title in digest.files:
            echo(f"  [image shared in #cs-leads: {title}]")
    if len(run.digest_outcomes) > 1:
        echo(
            f"  The job ran twice for this week: {', '.join(run.digest_outcomes)} "
            "(each target and week is posted once)."
        )

    owner_dms = [m for m in transcript.channel(f"D_{LEAD}") if not m.thread_ts]
    if owner_dms:
        _section(echo, "Owner DMs", f"alerts on accounts @{names.get(LEAD, LEAD)} owns, by direct message")
        echo(f"  {len(owner_dms)} alert(s) reached @{names.get(LEAD, LEAD)} by DM; the first:")
        echo(indent(_lines(owner_dms[0], names)[:3], "  "))

    if run.crm is not None and run.crm_sync:
        _section(
            echo, "CRM sync", "HubSpot (a local stand-in of its REST API), as the scheduled sync runs it"
        )
        for summary in run.crm_sync:
            echo(f"  {summary['system']}: {summary['matched']} companies matched, {summary['pushed']} pushed")
        for _id, company in sorted(run.crm.companies.items()):
            pushed = {k: v for k, v in company.items() if k.startswith("tonewatch_")}
            if pushed:
                echo(
                    f"  {company.get('name')}: health {pushed.get('tonewatch_health')}, trend "
                    f"{pushed.get('tonewatch_trend')}, outreach suppressed "
                    f"{pushed.get('tonewatch_suppress_outreach')}"
                )
        tasks = list(run.crm.tasks.values())
        if tasks:
            echo(
                f"  {len(tasks)} task(s) for the owner, one per critical alert, e.g. "
                f"\"{tasks[0].get('hs_task_subject')}\" ({tasks[0].get('hs_task_status')})"
            )

    echo("")
    if run.chart is not None:
        echo(f"Chart written to {run.chart}")
    else:
        echo("No chart was written (no account needed attention).")
    violations = run.api.violations()
    calls = len(run.api.calls)
    if violations:
        echo(f"PROBLEM: internal content reached a place customers can read: {violations}")
    else:
        echo(f"Nothing internal was posted where customers can read ({calls} Slack API calls checked).")
    if run.failed_work:
        echo(
            f"{run.failed_work} background work item(s) failed; run with TONEWATCH_LOG_LEVEL=INFO to see why."
        )
    echo(
        f"Done in {run.seconds:.1f} s. To run it for real: put SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET "
        "in .env (manifest.yml creates the app) and start `tonewatch run`."
    )
