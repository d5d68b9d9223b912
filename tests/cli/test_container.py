"""The container files, read as Docker and Compose read them (no container engine runs here): the compose
wiring, and the Dockerfile doing what .ci/run proves on every change."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((REPO / "compose.yaml").read_text(encoding="utf-8"))


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions (continuation lines joined, comments dropped)."""
    text = re.sub(r"\\\n\s*", " ", (REPO / "Dockerfile").read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_compose_runs_postgres_16_then_the_migration_then_tonewatch() -> None:
    services = compose()["services"]
    postgres, migrate, tonewatch = services["postgres"], services["migrate"], services["tonewatch"]
    assert postgres["image"] == "postgres:16"
    [volume] = postgres["volumes"]
    name, mount = volume.split(":", 1)
    assert name in compose()["volumes"] and mount == "/var/lib/postgresql/data"  # a named volume
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    user, database = postgres["environment"]["POSTGRES_USER"], postgres["environment"]["POSTGRES_DB"]

    for service in (migrate, tonewatch):
        assert service["build"] == "." and service["env_file"] == ".env"
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        url = service["environment"]["DATABASE_URL"]
        assert url.startswith(f"postgresql://{user}:") and url.endswith(f"@postgres:5432/{database}")
        assert "${POSTGRES_PASSWORD" in url  # from .env, never written here
    assert migrate["command"] == ["tonewatch", "db", "upgrade"] and migrate["restart"] == "no"
    assert tonewatch["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert tonewatch["command"][:4] == ["tonewatch", "run", "--host", "0.0.0.0"]
    assert "3000:3000" in tonewatch["ports"]
    assert "${POSTGRES_PASSWORD" in postgres["environment"]["POSTGRES_PASSWORD"]


def test_the_dockerfile_builds_the_wheel_as_ci_does_and_runs_it_unprivileged() -> None:
    steps = instructions()
    stages = [args for kind, args in steps if kind == "FROM"]
    assert stages == ["python:3.11-slim AS builder", "python:3.11-slim AS runtime"]
    runs = [args for kind, args in steps if kind == "RUN"]
    assert any("python -m build" in run for run in runs)
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m build" in ci and "python -m venv" in ci and re.search(r'bin/tonewatch"? demo', ci)
    runtime = steps[[kind for kind, _ in steps].index("FROM", 1) :]
    install = next(args for kind, args in runtime if kind == "RUN" and "pip install" in args)
    assert "tonewatch-*.whl)[postgres]" in install and "python -m venv" in install
    assert ("COPY", "--from=builder /dist /tmp/dist") in runtime
    [user] = [args for kind, args in runtime if kind == "USER"]
    assert user not in ("root", "0") and "useradd --system --uid 10001" in install
    [health] = [args for kind, args in runtime if kind == "HEALTHCHECK"]
    assert "/livez" in health and "/healthz" not in health
    [command] = [args for kind, args in runtime if kind == "CMD"]
    assert command == '["tonewatch", "run", "--host", "0.0.0.0"]'
    assert "the steps are those of .ci/run" in (REPO / "Dockerfile").read_text(encoding="utf-8").lower()


def test_the_build_context_leaves_out_secrets_and_databases() -> None:
    ignored = (REPO / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".env", "*.db", ".git"} <= set(ignored)
    # What `python -m build` needs stays in.
    for needed in (
        "examples",
        "prompts",
        "storage",
        "README.md",
        "pyproject.toml",
        "setup.py",
        "MANIFEST.in",
    ):
        assert needed not in ignored and f"{needed}/" not in ignored
