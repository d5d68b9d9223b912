"""`tonewatch analyze` and `tonewatch eval`."""

from __future__ import annotations

import gc
import json
import time
from typing import TYPE_CHECKING

import click

from bot.cli.common import analyzer_for_cli, as_of_moment, run_async, settings
from bot.cli.render import render_evaluation, render_result, render_team_precision
from storage.errors import UserError

if TYPE_CHECKING:
    from bot.analysis.base import Analyzer
    from bot.analysis.contract import AnalysisResult


@click.command("analyze")
@click.argument("text", required=False)
@click.option("--file", "path", help="A .jsonl (field text), .csv (column text) or - for stdin.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per input, in input order.")
def analyze_command(text: str | None, path: str | None, as_json: bool) -> None:
    """Score a message, or every message of a file."""
    from bot.analysis.base import InvalidText, clean_text
    from bot.messages.textfiles import read_records

    if (text is None) == (path is None):
        raise click.UsageError('give either TEXT or --file PATH (e.g. tonewatch analyze "It broke again")')
    config = settings()
    if text is not None:
        cleaned = clean_text(text, config.max_text_chars)
        texts: list[tuple[int, str | None, str | None]] = [(1, cleaned, None)]
    else:
        texts = []
        for record in read_records(path or "-"):
            try:
                texts.append((record["_line"], clean_text(record["text"], config.max_text_chars), None))
            except InvalidText as exc:
                texts.append((record["_line"], None, str(exc)))
    analyzer, close = analyzer_for_cli(config)
    results = run_async(lambda: _analyze_all(analyzer, close, [cleaned for _, cleaned, _ in texts]))
    failures = 0
    pending: list[str] = []  # output lines not written yet: one write per batch, not one per line
    for (line, _text, error), result in zip(texts, results, strict=True):
        if result is None:
            failures += 1
            where = f"line {line}: " if path is not None else ""
            if as_json:
                pending.append(json.dumps({"line": line, "error": error}, ensure_ascii=False))
            _flush(pending)
            click.echo(f"error: {where}{error}", err=True)
        elif as_json:
            pending.append(_JSON.encode(result.to_json_dict()))
        else:
            if len(texts) > 1:
                pending.append(f"— line {line}")
            pending.append(render_result(result))
        if len(pending) >= _OUTPUT_BATCH:
            _flush(pending)
    _flush(pending)
    if failures:
        raise SystemExit(1)


#: Output lines written at once.
_OUTPUT_BATCH = 1000
#: `json.dumps(..., ensure_ascii=False)`, without making an encoder per line.
_JSON = json.JSONEncoder(ensure_ascii=False)


def _flush(lines: list[str]) -> None:
    if lines:
        click.echo("\n".join(lines))
        lines.clear()


async def _analyze_all(analyzer: Analyzer, close, texts: list[str | None]) -> list[AnalysisResult | None]:
    """Each text's result (None where the text was refused). The offline analyzer reads them all at once
    (`judge_many`: the same results, faster); another analyzer reads them one by one."""
    from bot.analysis.base import AnalysisRequest
    from bot.analysis.offline import OfflineAnalyzer

    try:
        if isinstance(analyzer, OfflineAnalyzer):
            # Reading makes many short-lived objects and no reference cycles: the cycle collector, run every
            # few hundred allocations, would only walk the results kept so far, again and again.
            gc.disable()
            try:
                judged = iter(analyzer.judge_many([text for text in texts if text is not None]))
            finally:
                gc.enable()
            return [None if text is None else next(judged)[0] for text in texts]
        return [
            None if text is None else (await analyzer.analyze(AnalysisRequest(text))).result for text in texts
        ]
    finally:
        await close()


@click.command("eval")
@click.argument("path", required=False)
@click.option(
    "--team", is_flag=True,
    help="The team's own precision instead: of the alerts people reviewed, how many they found accurate.",
)
@click.option(
    "--days", type=click.IntRange(min=1, max=3650), default=90, show_default=True,
    help="With --team: the period, in days before --as-of.",
)
@click.option("--as-of", "as_of", metavar="ISO-DATE", help="With --team: when the period ends (default now).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object with the metrics.")
def eval_command(path: str | None, team: bool, days: int, as_of: str | None, as_json: bool) -> None:
    """Measure the analyzer on a labeled text,label CSV (sentiment, complaint or urgency labels), or with
    --team the precision the team's own reviews of alerts give it."""
    from bot.analysis.base import InvalidText, clean_text
    from bot.analysis.metrics import evaluate, task_for_labels
    from bot.messages.textfiles import BadInputFile, read_records

    if (path is None) == (not team):
        raise click.UsageError("give either PATH.csv or --team (e.g. tonewatch eval --team --days 30)")
    config = settings()
    if team:
        _team_precision(config, days, as_of, as_json)
        return
    assert path is not None
    rows = list(read_records(path, required=("text", "label")))
    labels = {str(row["label"]).strip().lower() for row in rows}
    try:
        task = task_for_labels(labels)
    except ValueError as exc:
        raise BadInputFile(f"{path}: {exc}") from None
    gold: list[str] = []
    texts: list[str] = []
    skipped = 0
    for row in rows:
        try:
            texts.append(clean_text(row["text"], config.max_text_chars))
            gold.append(str(row["label"]).strip().lower())
        except InvalidText:
            skipped += 1
    if not texts:
        raise UserError(f"{path}: no analyzable rows")
    analyzer, close = analyzer_for_cli(config)
    started = time.perf_counter()
    predicted = run_async(lambda: _predict_all(analyzer, close, texts, task))
    elapsed = max(time.perf_counter() - started, 1e-9)
    report = evaluate(gold, predicted)
    report.update(
        task=task,
        messages=len(texts),
        skipped=skipped,
        messages_per_second=round(len(texts) / elapsed, 1),
    )
    click.echo(json.dumps(report, ensure_ascii=False) if as_json else render_evaluation(report))


async def _predict_all(analyzer: Analyzer, close, texts: list[str], task: str) -> list[str]:
    from bot.analysis.metrics import predict_for_task

    results = await _analyze_all(analyzer, close, list[str | None](texts))
    return [predict_for_task(result, task) for result in results if result is not None]


def _team_precision(config, days: int, as_of: str | None, as_json: bool) -> None:
    from bot.composition import engine_if_schema, sqlite_file_missing
    from bot.feedback.precision import team_precision

    end = as_of_moment(as_of)
    engine = None if sqlite_file_missing(config.database_url) else engine_if_schema(config)  # reads only
    if engine is None:
        raise UserError(f"no database yet ({config.database_url}); nothing has been reviewed")
    try:
        report = team_precision(engine, end, days)
    finally:
        engine.dispose()
    click.echo(json.dumps(report) if as_json else render_team_precision(report))
