"""`storage/` is the only place that speaks SQL, and it depends on nothing in `bot/` or `handlers/`.

Every module under bot/, handlers/ and scheduler/ is parsed (not imported): one that imports
SQLAlchemy or SQLModel, or calls `select(` or `Session(`, speaks SQL. `STILL_SPEAKING_SQL` names
the modules that still do; it must be exactly the set found, so a new module speaking SQL fails
here, and so does a module that stopped speaking it while still listed (take it off the list).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SQL_PACKAGES = ("sqlalchemy", "sqlmodel")
SQL_CALLS = ("select", "Session")

#: Modules outside storage/ that still speak SQL; each is to move its queries into storage.
STILL_SPEAKING_SQL = frozenset(
    {
        "bot/alerts/actions.py",
        "bot/alerts/delivery.py",
        "bot/alerts/replies.py",
        "bot/alerts/service.py",
        "bot/digest/build.py",
        "bot/messages/pipeline.py",
        "bot/messages/places.py",
        "bot/questions/answer.py",
        "bot/questions/claude.py",
        "bot/questions/lookups.py",
        "bot/questions/service.py",
        "handlers/slack/oauth.py",
    }
)


def _modules(*packages: str) -> list[Path]:
    return sorted(path for package in packages for path in (ROOT / package).rglob("*.py"))


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _imported(tree: ast.AST) -> set[str]:
    """The top-level package of every module imported, at any depth of the file."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def _sql_calls(tree: ast.AST) -> set[str]:
    """`select(…)` and `Session(…)` called by their bare names (an imported SQL construct)."""
    return {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in SQL_CALLS
    }


def speaks_sql(source: str) -> list[str]:
    """Why the module's source speaks SQL (empty: it does not)."""
    tree = ast.parse(source)
    reasons = [f"imports {package}" for package in SQL_PACKAGES if package in _imported(tree)]
    return reasons + [f"calls {name}(" for name in sorted(_sql_calls(tree))]


def test_the_check_sees_sql_however_it_is_written() -> None:
    assert speaks_sql("from sqlmodel import col\n") == ["imports sqlmodel"]
    assert speaks_sql("import sqlalchemy.exc\n") == ["imports sqlalchemy"]
    assert speaks_sql("def f():\n    from sqlalchemy import text\n") == ["imports sqlalchemy"]
    assert speaks_sql("rows = select(Account)\n") == ["calls select("]
    assert speaks_sql("with Session(engine) as s:\n    pass\n") == ["calls Session("]
    assert speaks_sql("from storage.db import Engine, session_scope\nhttp = requests.Session()\n") == []


def test_only_the_listed_modules_outside_storage_speak_sql() -> None:
    found = {_name(path): speaks_sql(path.read_text()) for path in _modules("bot", "handlers", "scheduler")}
    offenders = {name for name, reasons in found.items() if reasons}
    assert len(found) > 100  # the walk found the packages
    new = {name: found[name] for name in sorted(offenders - STILL_SPEAKING_SQL)}
    assert not new, f"these modules speak SQL; give storage a function instead: {new}"
    stopped = sorted(STILL_SPEAKING_SQL - offenders)
    assert not stopped, f"these modules no longer speak SQL; take them off STILL_SPEAKING_SQL: {stopped}"


def test_storage_imports_nothing_from_bot_or_handlers() -> None:
    modules = _modules("storage")
    assert any(_name(path) == "storage/queries.py" for path in modules)
    leaks = {
        _name(path): sorted(_imported(ast.parse(path.read_text())) & {"bot", "handlers", "scheduler"})
        for path in modules
    }
    assert not {name: packages for name, packages in leaks.items() if packages}
