"""The ``job_runs`` table: one row per job and period, the row itself is the lease."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, DateTime, Integer, MetaData, String, Table

JOB_RUNS_TABLE = "job_runs"
RUNNING = "running"
SUCCEEDED = "succeeded"
FAILED = "failed"


def define_job_tables(metadata: MetaData) -> Table:
    """Add ``job_runs`` to ``metadata``; PK (name, period_key) makes a period run once."""
    return Table(
        JOB_RUNS_TABLE,
        metadata,
        Column("name", String(100), primary_key=True),
        Column("period_key", String(64), primary_key=True),
        # Which replica holds (or held) the lease: host/pid/random, for operators.
        Column("holder", String(200), nullable=False),
        Column("status", String(16), nullable=False),
        Column("attempts", Integer, nullable=False, server_default="1"),
        Column("started_at", DateTime(timezone=True), nullable=False),
        # A running holder that stops renewing (crashed) loses the lease after this.
        Column("leased_until", DateTime(timezone=True), nullable=False),
        Column("finished_at", DateTime(timezone=True), nullable=True),
        # The exception type only: messages may carry data that must not be stored.
        Column("last_error", String(200), nullable=True),
        CheckConstraint(f"status IN ('{RUNNING}', '{SUCCEEDED}', '{FAILED}')", name="status"),
    )
