"""Reading the CLI's input files (.jsonl, .csv, stdin) with clear errors for bad ones."""

from __future__ import annotations

import csv
import itertools
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from storage.errors import UserError

csv.field_size_limit(10_000_000)


class BadInputFile(UserError):
    pass


#: The longest line read (a CSV record may span several): far above any message's limit, and it bounds
#: what one line can make the reader hold.
MAX_LINE_BYTES = 4 * 1024 * 1024


def _open(path: str) -> tuple[str, BinaryIO]:
    if path == "-":
        return "stdin", sys.stdin.buffer
    file = Path(path)
    if not file.exists():
        raise BadInputFile(f"{path}: no such file")
    if file.is_dir():
        raise BadInputFile(f"{path}: is a folder, not a file")
    try:
        return path, file.open("rb")
    except OSError as exc:
        raise BadInputFile(f"{path}: cannot be read ({exc.strerror})") from None


def _decoded_lines(name: str, stream: BinaryIO) -> Iterator[str]:
    """The stream's lines, read and decoded one at a time (never the whole file); binary data,
    bytes that are not UTF-8 and over-long lines are refused with the line's number."""
    number = 0
    while raw := stream.readline(MAX_LINE_BYTES + 1):
        number += 1
        if b"\x00" in raw:
            raise BadInputFile(f"{name}: looks binary (NUL bytes on line {number}), expected UTF-8 text")
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            raise BadInputFile(f"{name}: line {number} is longer than {MAX_LINE_BYTES:,} bytes")
        try:
            yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise BadInputFile(f"{name}: not UTF-8 text (line {number}, byte {exc.start})") from None


def read_text_source(path: str) -> tuple[str, str]:
    """(display name, decoded content) for a path or `-` (stdin); refuses binary and non-UTF-8 data."""
    name, stream = _open(path)
    try:
        return name, "".join(_decoded_lines(name, stream))
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def _format_of(name: str, first: str) -> str:
    lowered = name.lower()
    if lowered.endswith(".jsonl") or lowered.endswith(".ndjson"):
        return "jsonl"
    if lowered.endswith(".csv"):
        return "csv"
    if lowered.endswith(".json"):
        return "jsonl"
    if first.lstrip().startswith("{"):
        return "jsonl"
    if name == "stdin" and "text" not in [c.strip().lower() for c in first.split(",")]:
        return "lines"
    if name == "stdin":
        return "csv"
    raise BadInputFile(f"{name}: unknown file type; use .jsonl or .csv")


def read_records(path: str, required: tuple[str, ...] = ("text",)) -> Iterator[dict]:
    """Rows of a .jsonl/.csv file (or stdin) as dicts; each has every `required` field.

    Read line by line as the rows are taken. stdin may also be plain text, one message per line.
    """
    name, stream = _open(path)
    try:
        lines = _decoded_lines(name, stream)
        blank: list[str] = []
        first = ""
        for line in lines:  # the first line with something on it tells the format
            blank.append(line)
            if line.strip():
                first = line
                break
        kind = _format_of(name, first)
        content = itertools.chain(blank, lines)
        if kind == "lines":
            if "text" not in required or len(required) > 1:
                raise BadInputFile(f"{name}: expected CSV with columns {', '.join(required)} or JSON lines")
            for line in content:
                if line.strip():
                    yield {"text": line.rstrip("\r\n")}
            return
        if kind == "jsonl":
            yield from _read_jsonl(name, content, required)
        else:
            yield from _read_csv(name, content, required)
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def _read_jsonl(name: str, content: Iterable[str], required: tuple[str, ...]) -> Iterator[dict]:
    seen_any = False
    for number, line in enumerate(content, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadInputFile(f"{name}: line {number} is not valid JSON ({exc.msg})") from None
        except RecursionError:
            raise BadInputFile(f"{name}: line {number} nests its JSON too deeply") from None
        except ValueError:  # an integer of more than 4,300 digits
            raise BadInputFile(f"{name}: line {number} has a number with too many digits") from None
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


def _read_csv(name: str, content: Iterable[str], required: tuple[str, ...]) -> Iterator[dict]:
    reader = csv.DictReader(content)
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
