"""``execute_refusing`` on the real PostgreSQL: a named unique index broken raises the caller's
error and leaves the transaction usable; another integrity error propagates."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from parovoz_kit.db import execute_refusing, new_metadata
from parovoz_kit.errors import Conflict
from sqlalchemy import (
    CheckConstraint,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

metadata = new_metadata()
things = Table(
    "things",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(20), nullable=False),
    Column("size", Integer, nullable=False),
    CheckConstraint("size >= 0", name="size_not_negative"),
)
Index("uq_things_name", things.c.name, unique=True)


def taken() -> Conflict:
    return Conflict("That name is taken.", code="NAME_TAKEN")


async def test_a_named_index_raises_the_callers_error_and_the_transaction_goes_on(
    schema_engine: Callable[[MetaData], AsyncEngine],
) -> None:
    engine = await schema_engine(metadata)
    refusals = {"uq_things_name": taken}
    async with AsyncSession(engine) as session, session.begin():
        await execute_refusing(session, insert(things).values(id=1, name="a", size=1), refusals)
        with pytest.raises(Conflict) as refused:
            await execute_refusing(session, insert(things).values(id=2, name="a", size=1), refusals)
        assert refused.value.code == "NAME_TAKEN"
        await execute_refusing(session, insert(things).values(id=3, name="b", size=1), refusals)
        with pytest.raises(Conflict):
            await execute_refusing(
                session, update(things).where(things.c.id == 3).values(name="a"), refusals
            )
        renamed = await execute_refusing(
            session, update(things).where(things.c.id == 3).values(name="c"), refusals
        )
        assert renamed.rowcount == 1
        names = (await session.execute(select(things.c.name).order_by(things.c.id))).scalars()
        assert list(names) == ["a", "c"]


async def test_an_integrity_error_not_named_propagates(
    schema_engine: Callable[[MetaData], AsyncEngine],
) -> None:
    engine = await schema_engine(metadata)
    async with AsyncSession(engine) as session, session.begin():
        with pytest.raises(IntegrityError):
            await execute_refusing(
                session, insert(things).values(id=1, name="a", size=-1), {"uq_things_name": taken}
            )
