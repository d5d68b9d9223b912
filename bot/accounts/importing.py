"""`tonewatch accounts import PATH`: the account book from a .csv or .jsonl file.

Columns (any order, any case): account, owner_email, arr, currency, tier, renewal_date, domains,
crm_id, owner_dm (yes/no: whether the owners get alerts by direct message; yes unless said). Only
`account` is required; an empty cell leaves what the book has; other columns are ignored. Each bad
row is reported with its line number and skipped; the good rows are applied together (one
transaction). Importing the same file again changes nothing.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.accounts.entry import (
    BookEntry,
    parse_account,
    parse_arr,
    parse_crm_id,
    parse_currency,
    parse_domains,
    parse_owner_emails,
    parse_renewal_date,
    parse_switch,
    parse_tier,
    with_dm,
)
from bot.messages.textfiles import BadInputFile, read_text_source

COLUMNS = (
    "account", "owner_email", "arr", "currency", "tier", "renewal_date", "domains", "crm_id", "owner_dm"
)


@dataclass
class ParsedBook:
    entries: list[tuple[int, BookEntry]] = field(default_factory=list)
    #: (line, problem)
    problems: list[tuple[int, str]] = field(default_factory=list)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def entry_from_record(record: dict[str, Any]) -> BookEntry:
    """One row → an entry, or ValueError naming the column and the problem."""
    row = {str(key).strip().lower(): value for key, value in record.items() if key is not None}

    def field_of(column: str, parse: Callable[[Any], Any]) -> Any:
        value = row.get(column)
        if _blank(value):
            return None
        try:
            return parse(value)
        except ValueError as exc:
            problem = str(exc)
            raise ValueError(problem if problem.startswith(column) else f"{column}: {problem}") from None

    if _blank(row.get("account")):
        raise ValueError("account: missing")
    entry = BookEntry(account=field_of("account", parse_account))
    entry.owners = field_of("owner_email", parse_owner_emails)
    dm = field_of("owner_dm", parse_switch)
    if dm is not None:
        if entry.owners is None:
            raise ValueError("owner_dm: give owner_email in the same row")
        entry.owners = with_dm(entry.owners, dm)
    arr = field_of("arr", parse_arr)
    if arr is not None:
        entry.arr, entry.currency = arr
    entry.currency = field_of("currency", parse_currency) or entry.currency
    entry.tier = field_of("tier", parse_tier)
    entry.renewal_date = field_of("renewal_date", parse_renewal_date)
    entry.domains = field_of("domains", parse_domains) or []
    entry.crm = field_of("crm_id", parse_crm_id)
    return entry


def _has_lone_surrogate(record: dict) -> bool:
    """JSON may escape half a surrogate pair ("\\ud800"): no database or UTF-8 output takes it."""
    try:
        json.dumps(record, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _records(name: str, content: str) -> list[tuple[int, dict | str]]:
    """(line, record or problem) for each row of the file."""
    lowered = name.lower()
    if lowered.endswith(".jsonl") or lowered.endswith(".ndjson") or lowered.endswith(".json"):
        rows: list[tuple[int, dict | str]] = []
        for number, line in enumerate(content.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                rows.append((number, f"not valid JSON ({exc.msg})"))
                continue
            except RecursionError:
                rows.append((number, "nests its JSON too deeply"))
                continue
            except ValueError:  # an integer of more than 4,300 digits
                rows.append((number, "has a number with too many digits"))
                continue
            if not isinstance(record, dict):
                rows.append((number, "must be a JSON object"))
            elif _has_lone_surrogate(record):
                rows.append((number, "a string holds an unpaired surrogate escape (\\ud800-\\udfff)"))
            else:
                rows.append((number, record))
        return rows
    if lowered.endswith(".csv"):
        reader = csv.DictReader(io.StringIO(content, newline=""))
        header = [str(column).strip().lower() for column in reader.fieldnames or []]
        if "account" not in header:
            raise BadInputFile(f"{name}: the first line must name the columns, including account")
        rows = []
        try:
            for record in reader:
                extra = record.pop(None, None)
                number = reader.line_num
                rows.append((number, f"{len(extra)} more cell(s) than columns" if extra else record))
        except csv.Error as exc:
            raise BadInputFile(f"{name}: line {reader.line_num}: {exc}") from None
        return rows
    raise BadInputFile(f"{name}: unknown file type; use .csv or .jsonl")


def parse_book_file(path: str) -> ParsedBook:
    name, content = read_text_source(path)
    parsed = ParsedBook()
    for line, record in _records(name, content):
        if isinstance(record, str):
            parsed.problems.append((line, record))
            continue
        try:
            parsed.entries.append((line, entry_from_record(record)))
        except ValueError as exc:
            parsed.problems.append((line, str(exc)))
    return parsed
