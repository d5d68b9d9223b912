"""`storage/` is the only place that speaks SQL or holds a database session, and it depends on nothing
in `bot/` or `handlers/`.

Every module under bot/, handlers/ and scheduler/ is parsed (not imported): one that imports
SQLAlchemy or SQLModel, or calls `select(` or `Session(`, speaks SQL, and so does one that runs
statements or ORM operations on a session itself (`.execute(`, `.exec(`, `.add(`, `.get(`…). One that
takes a session from `storage.db` (`Session`, `session_scope`, `read_scope`, `urgent_scope`, `orm`) or
wraps one in a `Transaction` holds a session. None may: the core opens units of work
(`storage.db.transaction` and its read and urgent kinds) and hands them to storage functions.

Nor does the core touch a table row: storage's functions take and return plain values (storage/records.py).
No module outside storage/ and tests/ imports `storage.models` or a table class (`SQLModel, table=True`)
from any storage module.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SQL_PACKAGES = ("sqlalchemy", "sqlmodel")
SQL_CALLS = ("select", "Session", "Transaction")
#: What `storage.db` has that hands out a session rather than a unit of work.
SESSION_NAMES = frozenset({"Session", "session_scope", "read_scope", "urgent_scope", "orm"})
#: What a database session does; called on a `session` outside storage, it is SQL run there.
SESSION_OPERATIONS = frozenset(
    {"execute", "exec", "scalar", "scalars", "get", "add", "add_all", "delete", "merge", "flush", "refresh",
     "commit", "rollback", "query"}
)

def _modules(*packages: str) -> list[Path]:
    return sorted(path for package in packages for path in (ROOT / package).rglob("*.py"))


#: Top-level folders that hold no source of the repository's own: build outputs (see .gitignore).
BUILD_OUTPUTS = ("build", "dist", "out")


def _modules_outside(*packages: str) -> list[Path]:
    """Every module of the repository but those in `packages`, hidden folders (caches, .ci) and build
    outputs."""
    return sorted(
        path
        for path in ROOT.rglob("*.py")
        if not any(part.startswith(".") for part in path.relative_to(ROOT).parts)
        and path.relative_to(ROOT).parts[0] not in (*packages, *BUILD_OUTPUTS)
    )


def _table_classes() -> frozenset[str]:
    """The table classes of storage/models.py: the classes declared with `table=True`."""
    tree = ast.parse((ROOT / "storage" / "models.py").read_text())
    return frozenset(
        node.name
        for node in tree.body
        if isinstance(node, ast.ClassDef)
        and any(
            keyword.arg == "table" and isinstance(keyword.value, ast.Constant) and keyword.value.value is True
            for keyword in node.keywords
        )
    )


TABLES = _table_classes()


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


def _session_names(tree: ast.AST) -> set[str]:
    """What the module takes from `storage.db` that hands out a session."""
    return {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "storage.db"
        for alias in node.names
        if alias.name in SESSION_NAMES
    }


def _session_operations(tree: ast.AST) -> set[str]:
    """`session.execute(…)`, `tx.get(…)` and the like, on a variable named `session` or `tx`."""
    return {
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in ("session", "tx")
        and node.func.attr in SESSION_OPERATIONS
    }


def speaks_sql(source: str) -> list[str]:
    """Why the module's source speaks SQL (empty: it does not)."""
    tree = ast.parse(source)
    reasons = [f"imports {package}" for package in SQL_PACKAGES if package in _imported(tree)]
    reasons += [f"calls {name}(" for name in sorted(_sql_calls(tree))]
    reasons += [f"takes storage.db.{name}" for name in sorted(_session_names(tree))]
    return reasons + [f"runs session.{name}(" for name in sorted(_session_operations(tree))]


def reaches_tables(source: str) -> list[str]:
    """Why the module's source reaches storage's table rows (empty: it does not): it imports
    `storage.models` (at any depth of the file, by any spelling) or a table class from a storage module."""
    reasons: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            reasons += ["imports storage.models" for alias in node.names if alias.name == "storage.models"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [alias.name for alias in node.names]
            if node.module == "storage.models" or (node.module == "storage" and "models" in names):
                reasons.append("imports storage.models")
            elif node.module.split(".")[0] == "storage":
                tables = [name for name in names if name in TABLES]
                reasons += [f"imports the table {name} from {node.module}" for name in tables]
        elif isinstance(node, ast.Call) and any(
            isinstance(arg, ast.Constant) and arg.value == "storage.models" for arg in node.args
        ):
            reasons.append("imports storage.models")  # importlib.import_module("storage.models")
    return reasons


def test_the_check_sees_sql_however_it_is_written() -> None:
    assert speaks_sql("from sqlmodel import col\n") == ["imports sqlmodel"]
    assert speaks_sql("import sqlalchemy.exc\n") == ["imports sqlalchemy"]
    assert speaks_sql("def f():\n    from sqlalchemy import text\n") == ["imports sqlalchemy"]
    assert speaks_sql("rows = select(Account)\n") == ["calls select("]
    assert speaks_sql("with Session(engine) as s:\n    pass\n") == ["calls Session("]
    assert speaks_sql("with transaction(engine) as tx:\n    tx.get(Account, 1)\n") == ["runs session.get("]
    assert speaks_sql("from storage.db import Engine, session_scope\n") == ["takes storage.db.session_scope"]
    assert speaks_sql("from storage.db import orm, read_scope\n") == [
        "takes storage.db.orm", "takes storage.db.read_scope"
    ]
    assert speaks_sql("tx = Transaction(session)\n") == ["calls Transaction("]
    assert speaks_sql("from storage.db import Engine, transaction\nhttp = requests.Session()\n") == []
    assert speaks_sql("rows = find_rows(tx, 1)\nhttp.get(url)\n") == []


def test_no_module_outside_storage_speaks_sql() -> None:
    found = {_name(path): speaks_sql(path.read_text()) for path in _modules("bot", "handlers", "scheduler")}
    assert len(found) > 100  # the walk found the packages
    offenders = {name: reasons for name, reasons in sorted(found.items()) if reasons}
    assert not offenders, f"these modules speak SQL or hold a session; give storage a function: {offenders}"


def test_storage_imports_nothing_from_bot_or_handlers() -> None:
    modules = _modules("storage")
    assert any(_name(path) == "storage/queries.py" for path in modules)
    leaks = {
        _name(path): sorted(_imported(ast.parse(path.read_text())) & {"bot", "handlers", "scheduler"})
        for path in modules
    }
    assert not {name: packages for name, packages in leaks.items() if packages}


def test_the_table_check_sees_a_table_however_it_is_imported() -> None:
    assert {"Account", "Alert", "CustomerMessage", "DigestTarget", "HealthChange"} <= TABLES
    assert "AccountInfo" not in TABLES and "UtcDateTime" not in TABLES
    assert reaches_tables("from storage.models import Alert\n") == ["imports storage.models"]
    assert reaches_tables("import storage.models\n") == ["imports storage.models"]
    assert reaches_tables("from storage import models, db\n") == ["imports storage.models"]
    assert reaches_tables("def f():\n    from storage.models import table_of\n") == ["imports storage.models"]
    assert reaches_tables("if TYPE_CHECKING:\n    from storage.models import DigestTarget\n") == [
        "imports storage.models"
    ]
    assert reaches_tables("m = importlib.import_module('storage.models')\n") == ["imports storage.models"]
    assert reaches_tables("from storage.queries import Account, find_account\n") == [
        "imports the table Account from storage.queries"
    ]
    assert reaches_tables("from storage.records import AccountInfo\nfrom storage.db import Engine\n") == []
    assert reaches_tables("from bot.alerts.service import AlertCard\n") == []


def test_no_module_outside_storage_touches_a_table_row() -> None:
    found = {_name(path): reaches_tables(path.read_text()) for path in _modules_outside("storage", "tests")}
    assert "bot/alerts/service.py" in found and "scheduler/jobs.py" in found and "bench/digest.py" in found
    offenders = {name: reasons for name, reasons in sorted(found.items()) if reasons}
    assert not offenders, (
        f"these modules reach storage's table rows; give storage a function that takes and returns "
        f"records (storage/records.py): {offenders}"
    )
