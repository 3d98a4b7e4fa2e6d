"""The audit log's writer and the database's guards, on the real payment database.

Every test uses its own subject ids, so it never depends on what else the shared log holds.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from opentelemetry.sdk.trace import TracerProvider
from parovoz_payment.db.audit import audit_log, record
from parovoz_payment.db.saved_methods import SqlSavedMethods, saved_methods
from parovoz_payment.domain.audit import AuditRecord
from parovoz_payment.settings import PaymentSettings
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool


@pytest.fixture
async def sessions() -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_async_engine(PaymentSettings().database_url, poolclass=NullPool)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


def refund_approved(subject_id: str, **overrides: object) -> AuditRecord:
    fields: dict = {
        "actor": f"{uuid.uuid4()}",
        "action": "refund.approved",
        "subject_type": "refund",
        "subject_id": subject_id,
        "before": {"status": "requires_review", "amount": {"amount_minor": 5000}},
        "after": {"status": "approved", "amount": {"amount_minor": 5000}},
    }
    return AuditRecord(**(fields | overrides))


async def rows_of(sessions: async_sessionmaker[AsyncSession], subject_id: str) -> list:
    async with sessions() as session:
        rows = await session.execute(select(audit_log).where(audit_log.c.subject_id == subject_id))
        return list(rows)


async def test_a_record_is_written_with_the_current_trace_id(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    subject = str(uuid.uuid4())
    entry = refund_approved(subject, request_id="req-1")
    tracer = TracerProvider().get_tracer("test")
    async with sessions.begin() as session:
        with tracer.start_as_current_span("approve refund") as span:
            entry_id = await record(session, entry)
            trace_id = format(span.get_span_context().trace_id, "032x")

    [row] = await rows_of(sessions, subject)
    assert row.id == entry_id
    assert (row.actor, row.action, row.subject_type) == (entry.actor, "refund.approved", "refund")
    assert row.before == {"status": "requires_review", "amount": {"amount_minor": 5000}}
    assert row.after["status"] == "approved"
    assert (row.trace_id, row.request_id) == (trace_id, "req-1")
    assert abs((row.occurred_at - datetime.now(UTC)).total_seconds()) < 60


async def test_outside_a_trace_the_trace_id_is_empty(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    subject = str(uuid.uuid4())
    async with sessions.begin() as session:
        await record(session, refund_approved(subject, before=None))
    [row] = await rows_of(sessions, subject)
    assert row.trace_id is None and row.before is None


async def test_a_rolled_back_operation_leaves_no_audit_row(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    user_id = uuid.uuid4()
    async with sessions.begin() as session:
        method = await SqlSavedMethods(session).add(
            user_id, "tbank", "tbank-rebill-1", "VISA •••• 1111", datetime.now(UTC)
        )

    class Crash(Exception):
        pass

    with pytest.raises(Crash):
        async with sessions.begin() as session:
            before, after = await SqlSavedMethods(session).remove(
                user_id, method.id, datetime.now(UTC)
            )
            await record(
                session,
                AuditRecord(
                    str(user_id),
                    "saved_method.removed",
                    "saved_method",
                    str(method.id),
                    before.audit_state(),
                    after.audit_state(),
                ),
            )
            raise Crash  # e.g. the request failed after both writes

    assert await rows_of(sessions, str(method.id)) == []
    async with sessions() as session:
        removed_at = (
            await session.execute(
                select(saved_methods.c.removed_at).where(saved_methods.c.id == method.id)
            )
        ).scalar_one()
    assert removed_at is None


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET action = 'refund.rejected' WHERE subject_id = :subject",
        "DELETE FROM audit_log WHERE subject_id = :subject",
        "TRUNCATE audit_log",
    ],
)
async def test_the_database_refuses_to_change_the_log(
    sessions: async_sessionmaker[AsyncSession], statement: str
) -> None:
    subject = str(uuid.uuid4())
    async with sessions.begin() as session:
        await record(session, refund_approved(subject))

    with pytest.raises(DBAPIError, match="append-only"):
        async with sessions.begin() as session:
            await session.execute(text("SET LOCAL lock_timeout = '5s'"))
            await session.execute(text(statement), {"subject": subject})

    [row] = await rows_of(sessions, subject)
    assert row.action == "refund.approved"


@pytest.mark.parametrize(
    "state",
    [
        {"provider_token": "pm-123"},
        {"method": {"card_number": "2200000000004444"}},
        {"cards": [{"title": "MIR •••• 4444", "cvc": "123"}]},
        {"Expiry": "12/30"},
    ],
)
def test_a_record_refuses_card_data_and_tokens(state: dict) -> None:
    with pytest.raises(ValueError, match="card data or a token"):
        refund_approved("r-1", after=state)


@pytest.mark.parametrize(
    "action", ["", "created", "Payment.Created", "payment.", "payment created"]
)
def test_a_record_needs_an_action_like_subject_dot_verb(action: str) -> None:
    with pytest.raises(ValueError, match="audit action"):
        refund_approved("r-1", action=action)
