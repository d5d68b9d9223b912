"""Reading the CLI's input files (.jsonl, .csv, stdin) with clear errors for bad ones."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from bot.errors import UserError

csv.field_size_limit(10_000_000)


class BadInputFile(UserError):
    pass


def read_text_source(path: str) -> tuple[str, str]:
    """(display name, decoded content) for a path or `-` (stdin); refuses binary and non-UTF-8 data."""
    if path == "-":
        raw = sys.stdin.buffer.read()
        name = "stdin"
    else:
        file = Path(path)
        if not file.exists():
            raise BadInputFile(f"{path}: no such file")
        if file.is_dir():
            raise BadInputFile(f"{path}: is a folder, not a file")
        raw = file.read_bytes()
        name = path
    if b"\x00" in raw:
        raise BadInputFile(f"{name}: looks binary (contains NUL bytes), expected UTF-8 text")
    try:
        return name, raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInputFile(f"{name}: not UTF-8 text (byte {exc.start})") from None


def _format_of(name: str, content: str) -> str:
    lowered = name.lower()
    if lowered.endswith(".jsonl") or lowered.endswith(".ndjson"):
        return "jsonl"
    if lowered.endswith(".csv"):
        return "csv"
    if lowered.endswith(".json"):
        return "jsonl"
    first = next((line for line in content.splitlines() if line.strip()), "")
    if first.lstrip().startswith("{"):
        return "jsonl"
    if name == "stdin" and "text" not in [c.strip().lower() for c in first.split(",")]:
        return "lines"
    if name == "stdin":
        return "csv"
    raise BadInputFile(f"{name}: unknown file type; use .jsonl or .csv")


def read_records(path: str, required: tuple[str, ...] = ("text",)) -> Iterator[dict]:
    """Rows of a .jsonl/.csv file (or stdin) as dicts; each has every `required` field.

    stdin may also be plain text, one message per line.
    """
    name, content = read_text_source(path)
    kind = _format_of(name, content)
    if kind == "lines":
        if "text" not in required or len(required) > 1:
            raise BadInputFile(f"{name}: expected CSV with columns {', '.join(required)} or JSON lines")
        for line in content.splitlines():
            if line.strip():
                yield {"text": line}
        return
    if kind == "jsonl":
        yield from _read_jsonl(name, content, required)
    else:
        yield from _read_csv(name, content, required)


def _read_jsonl(name: str, content: str, required: tuple[str, ...]) -> Iterator[dict]:
    seen_any = False
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadInputFile(f"{name}: line {number} is not valid JSON ({exc.msg})") from None
        if not isinstance(record, dict):
            raise BadInputFile(f"{name}: line {number} is not a JSON object")
        missing = [field for field in required if field not in record]
        if missing:
            raise BadInputFile(f"{name}: line {number} has no field {', '.join(repr(m) for m in missing)}")
        seen_any = True
        record["_line"] = number
        yield record
    if not seen_any:
        raise BadInputFile(f"{name}: no records")


def _read_csv(name: str, content: str, required: tuple[str, ...]) -> Iterator[dict]:
    reader = csv.DictReader(io.StringIO(content, newline=""))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not header:
        raise BadInputFile(f"{name}: empty file")
    reader.fieldnames = header
    missing = [field for field in required if field not in header]
    if missing:
        raise BadInputFile(
            f"{name}: missing column {', '.join(repr(m) for m in missing)} (columns: {', '.join(header)})"
        )
    seen_any = False
    try:
        for record in reader:
            seen_any = True
            record["_line"] = reader.line_num
            yield record
    except csv.Error as exc:
        raise BadInputFile(f"{name}: malformed CSV near line {reader.line_num} ({exc})") from None
    if not seen_any:
        raise BadInputFile(f"{name}: no rows")
