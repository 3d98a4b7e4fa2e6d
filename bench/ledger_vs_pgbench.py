"""Ledger postings/s beside pgbench's tpcb-like TPS, on the same local PostgreSQL.

    .venv/bin/python bench/ledger_vs_pgbench.py [--seconds 10] [--clients 2]

Both run in scratch databases this script creates and drops (nothing lands in the platform's
databases): ``parovoz_bench_pgbench_<pid>`` initialised by ``pgbench -i``, and
``parovoz_bench_ledger_<pid>`` (owned by the payment role, migrated with payment's Alembic
migrations, so the ledger's triggers and constraints are the real ones).

The ledger side is what payment does when a card payment succeeds: one transaction with three
entries (provider clearing debited; the developer's pending payable and platform revenue
credited, split 70/30), the developer's account looked up per payment, provider and platform
accounts resolved once. Like tpcb-like, the hot rows (provider clearing and platform revenue,
pgbench's branch row at scale 1) are shared by every client. The figure to watch is the ratio:
it is stable across machines where absolute rates are not.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import multiprocessing
import os
import random
import re
import subprocess
import sys
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BINDIR = Path("/usr/lib/postgresql/15/bin")
PORT = 55432
IS_ROOT = os.geteuid() == 0
SUPERUSER = "postgres" if IS_ROOT else getpass.getuser()
PAYMENT_ROLE, PAYMENT_PASSWORD = "payment", "payment-dev-password"  # local-dev credentials


def socket_dir() -> str:
    """The cluster's unix-socket folder, found through the `.run/postgres` state link."""
    folder = (REPO / ".run" / "postgres").resolve() / "socket"
    if not (folder / f".s.PGSQL.{PORT}").exists():
        sys.exit(f"no PostgreSQL socket in {folder}: start the platform first (make dev)")
    return str(folder)


def as_superuser(*command: str, capture: bool = False) -> str:
    """Run a PostgreSQL client as the cluster's superuser (peer auth over the socket)."""
    argv = [str(BINDIR / command[0]), *command[1:]]
    if IS_ROOT:
        argv = ["runuser", "-u", "postgres", "--", *argv]
    done = subprocess.run(argv, capture_output=True, text=True, check=False, cwd="/")
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout if capture else ""


def psql(sql: str) -> None:
    host = socket_dir()
    as_superuser("psql", "-h", host, "-p", str(PORT), "-U", SUPERUSER, "-d", "postgres",
                 "-v", "ON_ERROR_STOP=1", "-qc", sql)  # fmt: skip


def pgbench_tps(database: str, seconds: int, clients: int) -> float:
    host = socket_dir()
    common = ["-h", host, "-p", str(PORT), "-U", SUPERUSER]
    as_superuser("pgbench", *common, "-i", "-q", "-s", "1", database)
    output = as_superuser(
        "pgbench", *common, "-b", "tpcb-like", "-c", str(clients), "-j", str(clients),
        "-T", str(seconds), "-n", database, capture=True,
    )  # fmt: skip
    match = re.search(r"tps = ([0-9.]+)", output)
    if match is None:
        raise RuntimeError(f"no tps in pgbench output:\n{output}")
    return float(match.group(1))


def migrate_ledger_database(url: str) -> None:
    done = subprocess.run(
        [str(REPO / ".venv" / "bin" / "alembic"), "upgrade", "head"],
        cwd=REPO / "services" / "payment",
        env={**os.environ, "PAYMENT_DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"migrating the scratch ledger database failed:\n{done.stderr}")


async def _ledger_client(url: str, start_at: float, seconds: float, number: int) -> int:
    """One client: succeeded-payment postings, each in its own transaction, from ``start_at``
    (wall clock, shared by all clients once they are imported and connected) for ``seconds``."""
    from parovoz_payment.db.ledger import account_for, post
    from parovoz_payment.domain.ledger import credit, debit
    from parovoz_payment.domain.money import Money
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    engine = create_async_engine(url, pool_size=1)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    rng = random.Random(number)
    developers = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(100)]
    try:
        async with sessions.begin() as session:
            clearing = await account_for(
                session, "provider", "yookassa", "provider_clearing", "RUB"
            )
            revenue = await account_for(session, "platform", None, "platform_revenue", "RUB")
        posted = 0
        await asyncio.sleep(max(0.0, start_at - time.time()))
        deadline = start_at + seconds
        while time.time() < deadline:
            price = Money(rng.randint(100_00, 5_000_00), "RUB")
            developer_share = price.portion(70, 100)
            async with sessions.begin() as session:
                developer = await account_for(
                    session, "developer", rng.choice(developers), "developer_payable_pending", "RUB"
                )
                await post(
                    session,
                    f"bench:payment:{uuid.uuid4()}",
                    "payment_succeeded",
                    [
                        debit(clearing, price),
                        credit(developer, developer_share),
                        credit(revenue, price - developer_share),
                    ],
                    reference=str(uuid.uuid4()),
                )
            posted += 1
        return posted
    finally:
        await engine.dispose()


def _run_ledger_client(url: str, start_at: float, seconds: float, number: int) -> int:
    return asyncio.run(_ledger_client(url, start_at, seconds, number))


def ledger_postings_per_second(url: str, seconds: int, clients: int) -> float:
    # One process per client, like pgbench's -j: Python's one core per process is the client's
    # cost, not a handicap shared by all clients.
    with ProcessPoolExecutor(clients, mp_context=multiprocessing.get_context("spawn")) as pool:
        start_at = time.time() + 5  # time to spawn, import and connect, outside the measure
        runs = [pool.submit(_run_ledger_client, url, start_at, seconds, n) for n in range(clients)]
        posted = sum(run.result() for run in runs)
    return posted / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each run (default 10)")
    parser.add_argument("--clients", type=int, default=2, help="concurrent clients (default 2)")
    args = parser.parse_args()
    if not 1 <= args.seconds <= 300 or not 1 <= args.clients <= 16:
        sys.exit("--seconds must be 1..300 and --clients 1..16")

    suffix = os.getpid()
    pgbench_db, ledger_db = f"parovoz_bench_pgbench_{suffix}", f"parovoz_bench_ledger_{suffix}"
    ledger_url = (
        f"postgresql+psycopg://{PAYMENT_ROLE}:{PAYMENT_PASSWORD}@127.0.0.1:{PORT}/{ledger_db}"
    )
    try:
        psql(f"CREATE DATABASE {pgbench_db}")
        psql(f"CREATE DATABASE {ledger_db} OWNER {PAYMENT_ROLE}")
        migrate_ledger_database(ledger_url)
        print(f"pgbench tpcb-like: {args.clients} clients, {args.seconds} s ...", flush=True)
        tps = pgbench_tps(pgbench_db, args.seconds, args.clients)
        print(f"ledger postings:   {args.clients} clients, {args.seconds} s ...", flush=True)
        rate = ledger_postings_per_second(ledger_url, args.seconds, args.clients)
    finally:
        for database in (pgbench_db, ledger_db):
            psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    print(f"{'pgbench tpcb-like TPS':32} {tps:10.1f}")
    print(f"{'ledger postings/s (3 entries)':32} {rate:10.1f}")
    print(f"{'ratio ledger / pgbench':32} {rate / tps:10.3f}")


if __name__ == "__main__":
    main()
