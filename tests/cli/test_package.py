"""The package: the wheel `python -m build` makes carries everything the commands need, the version comes
from its metadata, and a Slack-only install runs without the Teams SDK (`.ci/run` installs the wheel in a
fresh virtual environment and runs `tonewatch demo` from outside the checkout)."""

from __future__ import annotations

import email
import subprocess
import sys
import tomllib
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def tonewatch(
    *args: str, block: tuple[str, ...] = (), env: dict | None = None
) -> subprocess.CompletedProcess:
    """The CLI in a fresh process; the modules in `block` cannot be imported (as if not installed)."""
    code = (
        "import sys\n"
        + "".join(f"sys.modules[{name!r}] = None\n" for name in block)
        + "from bot.cli import main\n"
        + f"sys.argv = ['tonewatch', *{list(args)!r}]\n"
        + "main()\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env, cwd=Path.cwd()
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(REPO)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    [path] = out.glob("tonewatch-*.whl")
    return path


@pytest.mark.slow
def test_the_wheel_carries_the_examples_prompts_and_migrations(wheel: Path) -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert wheel.name == f"tonewatch-{project['version']}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for name in ("portfolio.jsonl", "README.md"):
            # Real files, byte for byte the checkout's (a symlink would not survive the sdist).
            assert archive.read(f"bot/data/examples/{name}") == (REPO / "examples" / name).read_bytes()
        for prompt in (REPO / "prompts").glob("*@v*.md"):
            assert f"prompts/{prompt.name}" in names
        for migration in (REPO / "storage" / "migrations" / "versions").glob("0*.py"):
            assert f"storage/migrations/versions/{migration.name}" in names
        alembic = {"storage/alembic.ini", "storage/migrations/env.py", "storage/migrations/script.py.mako"}
        assert alembic <= names
        info = f"tonewatch-{project['version']}.dist-info"
        assert "tonewatch = bot.cli:main" in archive.read(f"{info}/entry_points.txt").decode()
        metadata = email.message_from_bytes(archive.read(f"{info}/METADATA"))
    assert not any(name.startswith("tests/") for name in names)
    requires = metadata.get_all("Requires-Dist")
    microsoft = [r for r in requires if r.startswith("microsoft-agents")]
    assert microsoft and all('extra == "teams"' in r and "==1.9.0" in r for r in microsoft), microsoft
    assert not [r for r in requires if r.startswith(("botbuilder", "msrest"))]
    assert {"teams", "postgres", "hubspot", "salesforce", "dev"} <= set(metadata.get_all("Provides-Extra"))
    assert any(r.startswith("psycopg") and 'extra == "postgres"' in r for r in requires)


def test_version_comes_from_the_package_metadata() -> None:
    shown = tonewatch("--version")
    assert shown.returncode == 0
    assert shown.stdout.strip() == f"tonewatch {version('tonewatch')}"


@pytest.mark.slow
def test_the_readme_import_works_outside_the_checkout(tmp_path: Path) -> None:
    """`tonewatch import examples/portfolio.jsonl` in a folder without examples/ reads the shipped copy."""
    assert not (tmp_path / "examples").exists() and Path.cwd() == tmp_path
    imported = tonewatch("import", "examples/portfolio.jsonl", "--no-analyze", "--json")
    assert imported.returncode == 0, imported.stderr
    assert '"new": 252' in imported.stdout and "example shipped with tonewatch" in imported.stderr
    missing = tonewatch("import", "examples/nothing.jsonl")
    assert (
        missing.returncode == 1 and missing.stderr.startswith("error:") and "Traceback" not in missing.stderr
    )


#: The Teams SDK (the Microsoft 365 Agents SDK's packages all live under this name).
BLOCK_TEAMS = ("microsoft_agents",)
#: Everything the Teams extra pulls or pulled, that a Slack-only run must not import.
TEAMS_SDKS = ("microsoft_agents", "botbuilder", "botframework", "msrest")


def test_teams_configured_without_the_teams_extra_names_the_extra(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(REPO),
        "TEAMS_APP_ID": "00000000-0000-0000-0000-000000000001",
        "TEAMS_APP_PASSWORD": "secret",
        "TEAMS_TENANT_ID": "00000000-0000-0000-0000-000000000002",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'teams.db'}",
    }
    refused = tonewatch("run", "--port", "0", block=BLOCK_TEAMS, env=env)
    assert refused.returncode == 1
    [line] = refused.stderr.strip().splitlines()
    assert line.startswith("error:") and "pip install 'tonewatch[teams]'" in line


@pytest.mark.slow
def test_a_slack_only_install_never_imports_the_teams_sdk() -> None:
    """Every module outside the Teams handlers imports with the Teams SDK missing, and imports none."""
    modules = sorted(
        ".".join(path.relative_to(REPO).with_suffix("").parts)
        for package in ("bot", "handlers", "scheduler", "storage")
        for path in (REPO / package).rglob("*.py")
        if not {"migrations", "teams"} & set(path.parts) and path.name != "__main__.py"
    )
    code = (
        "import importlib, sys\n"
        + "".join(f"sys.modules[{name!r}] = None\n" for name in TEAMS_SDKS)
        + f"for name in {modules!r}:\n    importlib.import_module(name)\n"
        + "import handlers.teams.package\n"  # the package writer needs no SDK either
        + f"sdk = {TEAMS_SDKS!r}\n"
        + "print(sorted(m for m in sys.modules if m.startswith(sdk) and sys.modules[m]))\n"
    )
    imported = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO
    )
    assert imported.returncode == 0, imported.stderr[-2000:]
    assert imported.stdout.strip() == "[]"
