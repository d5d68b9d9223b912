"""How often Tonewatch reads exactly the newest reply, measured on public reply-parser test fixtures.

Usage:
    python bench/email_replies.py FOLDER [FOLDER ...] [--show-misses] [--json]

Each FOLDER is a checkout (or just the test folders) of one of these repositories; none of their data
is shipped with Tonewatch:

- mailgun/talon: `tests/text_quotations_test.py` (each `eq_("expected", extract_from_plain(body))` whose
  both sides are literals), `tests/fixtures/standard_replies/*.eml` (expected "Hello", or the
  `*_reply_text` file beside it) and `tests/fixtures/html_replies/*.html` (HTML-only mails, expected
  "Hi. I am fine. Thanks, Alex", compared without whitespace as talon does);
- zapier/email-reply-parser: `test/test_email_reply_parser.py` (each `assertEqual` of a literal with
  the reply parsed from a file in `test/emails/`);
- SpamScope/mail-parser: `tests/mails/*` carry no expected reply; they are read for robustness (no
  exception, no base64 left in the text).

A plain-text case is wrapped into a minimal email (From a customer, no subject) and read through
`bot.cli.mail.preview`, the function behind `tonewatch email-preview`, which uses the inbox's own
parsing path. A reply counts as read exactly when it equals the expected text after trimming each
line's trailing spaces and the text's outer blank lines.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.cli.mail import preview  # noqa: E402
from handlers.email.mailtext.signatures import strip_signature  # noqa: E402
from handlers.email.parse import parse_email  # noqa: E402
from handlers.email.senders import AccountDirectory  # noqa: E402

DIRECTORY = AccountDirectory(None, ("tonewatch.test",), {})
MAX_CHARS = 20_000
BASE64_RUN = re.compile(r"(?:[A-Za-z0-9+/]{60,}={0,2}\s*){3,}")


@dataclass
class Case:
    corpus: str
    name: str
    raw: bytes
    expected: str


def wrap(text: str) -> bytes:
    message = EmailMessage()
    message["From"] = "Customer <customer@example.com>"
    message["To"] = "support@tonewatch.test"
    message.set_content(text, charset="utf-8")
    return message.as_bytes()


def normalized(text: str, html: bool = False) -> str:
    if html:  # talon compares HTML replies with all whitespace removed (layout is the renderer's)
        return re.sub(r"\s", "", text)
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").strip().split("\n"))


def _literal(node: ast.AST, names: dict[str, str]) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return names.get(node.id)
    return None


def _calls(node: ast.AST, attribute: str) -> list[ast.Call]:
    return [
        call
        for call in ast.walk(node)
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == attribute
    ]


def talon_cases(root: Path) -> list[Case]:
    cases: list[Case] = []
    source = root / "tests" / "text_quotations_test.py"
    if source.is_file():
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for function in (node for node in tree.body if isinstance(node, ast.FunctionDef)):
            if function.decorator_list:
                continue  # patched internals (e.g. talon's line limit): not a statement about the mail
            names: dict[str, str] = {}
            index = 0
            for statement in function.body:
                if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                    target, value = statement.targets[0], _literal(statement.value, {})
                    if isinstance(target, ast.Name) and value is not None:
                        names[target.id] = value
                for call in ast.walk(statement):
                    if not (isinstance(call, ast.Call) and getattr(call.func, "id", "") == "eq_"):
                        continue
                    if len(call.args) < 2:
                        continue
                    expected, inner = _literal(call.args[0], names), call.args[1]
                    if expected is None or not (
                        isinstance(inner, ast.Call)
                        and isinstance(inner.func, ast.Attribute)
                        and inner.func.attr == "extract_from_plain"
                        and inner.args
                    ):
                        continue
                    body = _literal(inner.args[0], names)
                    if body is not None:
                        cases.append(Case("talon", f"{function.name}#{index}", wrap(body), expected))
                        index += 1
    replies = root / "tests" / "fixtures" / "standard_replies"
    if replies.is_dir():
        for eml in sorted(replies.glob("*.eml")):
            expected_file = eml.with_name(eml.stem + "_reply_text")
            expected = expected_file.read_text(encoding="utf-8") if expected_file.is_file() else "Hello"
            cases.append(Case("talon", f"standard_replies/{eml.name}", eml.read_bytes(), expected))
    return cases


def wrap_html(html: str) -> bytes:
    message = EmailMessage()
    message["From"] = "Customer <customer@example.com>"
    message["To"] = "support@tonewatch.test"
    message.set_content(html, subtype="html", charset="utf-8")
    return message.as_bytes()


def talon_html_cases(root: Path) -> list[Case]:
    """`tests/fixtures/html_replies/*.html`: talon expects "Hi. I am fine. Thanks, Alex" from each."""
    folder = root / "tests" / "fixtures" / "html_replies"
    expected = "Hi. I am fine.\n\nThanks,\nAlex"
    return [
        Case("talon-html", f"html_replies/{path.name}", wrap_html(path.read_text(encoding="utf-8")), expected)
        for path in sorted(folder.glob("*.html"))
    ]


def zapier_cases(root: Path) -> list[Case]:
    source = root / "test" / "test_email_reply_parser.py"
    if not source.is_file():
        return []
    cases: list[Case] = []
    tree = ast.parse(source.read_text(encoding="utf-8"))
    for function in (node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)):
        path = None
        for node in ast.walk(function):
            for call in _calls(node, "get_email"):
                name = _literal(call.args[0], {}) if call.args else None
                path = f"test/emails/{name}.txt" if name else path
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "open" and node.args:
                path = _literal(node.args[0], {}) or path
        if path is None:
            continue
        for call in _calls(function, "assertEqual"):
            literals = [_literal(arg, {}) for arg in call.args[:2]]
            others = [arg for arg in call.args[:2] if _literal(arg, {}) is None]
            expected = next((value for value in literals if value is not None), None)
            if expected is None or len(others) != 1:
                continue
            reads_reply = _calls(others[0], "parse_reply") or any(
                isinstance(node, ast.Attribute) and node.attr == "reply" for node in ast.walk(others[0])
            )
            if reads_reply and (root / path).is_file():
                text = (root / path).read_text(encoding="utf-8", errors="replace")
                cases.append(Case("zapier", f"{function.name} ({Path(path).name})", wrap(text), expected))
    return cases


def robustness(root: Path) -> list[tuple[str, str | None]]:
    """mail-parser's mails: (name, problem or None)."""
    folder = root / "tests" / "mails"
    results = []
    for path in sorted(folder.glob("*")) if folder.is_dir() else []:
        try:
            shown = preview(path.read_bytes(), DIRECTORY, MAX_CHARS)
        except Exception as exc:  # noqa: BLE001 - the point is to count these
            results.append((path.name, f"raised {type(exc).__name__}"))
            continue
        text = str(shown["text"])
        problem = "base64 left in the text" if BASE64_RUN.search(text) else None
        results.append((path.name, problem))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    cases: list[Case] = []
    robust: list[tuple[str, str | None]] = []
    for folder in args.folders:
        cases += talon_cases(folder) + talon_html_cases(folder) + zapier_cases(folder)
        robust += robustness(folder)
    misses = []
    signature_only: list[str] = []  # the expected reply keeps a signature that Tonewatch drops on purpose
    for case in cases:
        got = str(preview(case.raw, DIRECTORY, MAX_CHARS)["text"])
        subject = parse_email(case.raw).clean_subject
        if subject and got.startswith(subject):
            got = got[len(subject) :]  # the stored text leads with the subject; the corpora's answers do not
        html = case.corpus.endswith("html")
        if normalized(got, html) != normalized(case.expected, html):
            misses.append((case, got))
            if normalized(got, html) == normalized(strip_signature(case.expected), html):
                signature_only.append(case.name)
    by_corpus: dict[str, list[int]] = {}
    for case in cases:
        tally = by_corpus.setdefault(case.corpus, [0, 0])
        tally[1] += 1
        tally[0] += all(case is not missed for missed, _ in misses)
    exact = len(cases) - len(misses)
    report = {
        "replies": len(cases),
        "read_exactly": exact,
        "share": round(exact / len(cases), 3) if cases else None,
        "differ_only_by_a_signature_dropped": len(signature_only),
        "by_corpus": {
            name: {"replies": total, "read_exactly": ok} for name, (ok, total) in by_corpus.items()
        },
        "robustness": {"mails": len(robust), "problems": {name: why for name, why in robust if why}},
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(
            f"replies read exactly: {exact} of {len(cases)} ({report['share']:.0%})" if cases else "no cases"
        )
        for name, (ok, total) in by_corpus.items():
            print(f"  {name}: {ok} of {total}")
        print(f"misses that differ only by a signature Tonewatch drops on purpose: {len(signature_only)}")
        if robust:
            problems = report["robustness"]["problems"]
            print(f"mails read without a problem: {len(robust) - len(problems)} of {len(robust)}")
            for name, why in problems.items():
                print(f"  {name}: {why}")
    if args.show_misses:
        for case, got in misses:
            print(f"\n--- {case.corpus} {case.name}")
            print(f"expected: {case.expected.strip()!r}\ngot:      {got.strip()!r}")


if __name__ == "__main__":
    main()
