"""Read models of access: games (from developer-portal's events) and users (from the user
service), tables on `parovoz_subscription.tables.metadata`, and their queries.

A game's row holds two independent parts, each with the event time it is as of: the metadata
(age rating, regions, release date; ``metadata_at``) and the publication state (``published``;
``listing_at``). A write only lands when it is newer than what the row holds for that part, so
an event delivered late never overwrites a newer state (nor one GetGame answered).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    String,
    Table,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY, UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_subscription.access.facts import GameFacts, GameSource, UserFacts
from parovoz_subscription.tables import metadata

access_games = Table(
    "access_games",
    metadata,
    Column("game_id", UUID(as_uuid=True), primary_key=True),
    Column("developer_id", UUID(as_uuid=True), nullable=True),
    #: game | dlc | software; null while only metadata or publication events are known.
    Column("product_type", String(16), nullable=True),
    Column("parent_game_id", UUID(as_uuid=True), nullable=True),
    Column("age_rating", String(3), nullable=True),
    #: ISO 3166-1 alpha-2 codes; empty: the developer named none (restricts nothing).
    Column("regions", ARRAY(String(2)), nullable=False, server_default="{}"),
    Column("release_date", Date, nullable=True),
    Column("published", Boolean, nullable=False, server_default="false"),
    #: Event time of the metadata held; null until metadata is known.
    Column("metadata_at", DateTime(timezone=True), nullable=True),
    #: Event time of the publication state held; null until one is known.
    Column("listing_at", DateTime(timezone=True), nullable=True),
    #: `event` (developer.events.v1) or `grpc` (GetGame answered a miss).
    Column("source", String(8), nullable=False),
    #: When this row last changed (the service's clock).
    Column("updated_at", DateTime(timezone=True), nullable=False),
    CheckConstraint(
        "age_rating IS NULL OR age_rating IN ('0+', '6+', '12+', '16+', '18+')",
        name="age_rating",
    ),
    CheckConstraint("source IN ('event', 'grpc')", name="source"),
)

access_users = Table(
    "access_users",
    metadata,
    Column("user_id", UUID(as_uuid=True), primary_key=True),
    Column("region", String(2), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("blocked", Boolean, nullable=False),
    #: When the user service answered this profile: fresh for the TTL after it.
    Column("fetched_at", DateTime(timezone=True), nullable=False),
)

_G = access_games.c


def _game(row: Any) -> GameFacts:
    return GameFacts(
        game_id=row.game_id,
        developer_id=row.developer_id,
        product_type=row.product_type,
        parent_game_id=row.parent_game_id,
        age_rating=row.age_rating,
        regions=tuple(row.regions or ()),
        release_date=row.release_date,
        published=row.published,
        metadata_at=row.metadata_at,
        listing_at=row.listing_at,
        source=row.source,
        updated_at=row.updated_at,
    )


class SqlReadModels:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # --- games -----------------------------------------------------------------------------

    async def game(self, game_id: uuid.UUID) -> GameFacts | None:
        row = (
            await self._session.execute(select(access_games).where(_G.game_id == game_id))
        ).first()
        return _game(row) if row is not None else None

    async def games(self, game_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, GameFacts]:
        rows = await self._session.execute(select(access_games).where(_G.game_id.in_(game_ids)))
        return {row.game_id: _game(row) for row in rows}

    async def game_created(
        self,
        game_id: uuid.UUID,
        *,
        developer_id: uuid.UUID,
        product_type: str,
        parent_game_id: uuid.UUID | None,
        now: datetime,
    ) -> bool:
        """The game's fixed facts (who owns it, what it is). A game is born a draft: nothing
        else changes. True when the row changed."""
        statement = insert(access_games).values(
            game_id=game_id,
            developer_id=developer_id,
            product_type=product_type,
            parent_game_id=parent_game_id,
            source="event",
            updated_at=now,
        )
        query = statement.on_conflict_do_update(
            index_elements=[_G.game_id],
            set_={
                "developer_id": statement.excluded.developer_id,
                "product_type": statement.excluded.product_type,
                "parent_game_id": statement.excluded.parent_game_id,
                "updated_at": statement.excluded.updated_at,
            },
            where=or_(_G.product_type.is_(None), _G.developer_id.is_(None)),
        ).returning(_G.game_id)
        return (await self._session.execute(query)).first() is not None

    async def game_metadata(
        self,
        game_id: uuid.UUID,
        *,
        developer_id: uuid.UUID,
        age_rating: str | None,
        regions: Sequence[str],
        release_date: date | None,
        at: datetime,
        now: datetime,
    ) -> bool:
        """The game's metadata as of ``at``; False (nothing written) when the row already
        holds metadata as of ``at`` or later."""
        statement = insert(access_games).values(
            game_id=game_id,
            developer_id=developer_id,
            age_rating=age_rating,
            regions=sorted(set(regions)),
            release_date=release_date,
            metadata_at=at,
            source="event",
            updated_at=now,
        )
        query = statement.on_conflict_do_update(
            index_elements=[_G.game_id],
            set_={
                "developer_id": statement.excluded.developer_id,
                "age_rating": statement.excluded.age_rating,
                "regions": statement.excluded.regions,
                "release_date": statement.excluded.release_date,
                "metadata_at": statement.excluded.metadata_at,
                "updated_at": statement.excluded.updated_at,
            },
            where=or_(_G.metadata_at.is_(None), _G.metadata_at < statement.excluded.metadata_at),
        ).returning(_G.game_id)
        return (await self._session.execute(query)).first() is not None

    async def game_listing(
        self,
        game_id: uuid.UUID,
        *,
        developer_id: uuid.UUID,
        published: bool,
        at: datetime,
        now: datetime,
    ) -> bool:
        """The game is (or is no longer) published since ``at``; False when a later state is
        already held."""
        statement = insert(access_games).values(
            game_id=game_id,
            developer_id=developer_id,
            published=published,
            listing_at=at,
            source="event",
            updated_at=now,
        )
        query = statement.on_conflict_do_update(
            index_elements=[_G.game_id],
            set_={
                "published": statement.excluded.published,
                "listing_at": statement.excluded.listing_at,
                "updated_at": statement.excluded.updated_at,
            },
            where=or_(_G.listing_at.is_(None), _G.listing_at < statement.excluded.listing_at),
        ).returning(_G.game_id)
        return (await self._session.execute(query)).first() is not None

    async def remember_game(self, game: GameFacts) -> GameFacts:
        """Store a game developer-portal answered (GetGame) unless a row arrived meanwhile
        (events win: they are at least as new); the row held afterwards."""
        source: GameSource = game.source
        statement = (
            insert(access_games)
            .values(
                game_id=game.game_id,
                developer_id=game.developer_id,
                product_type=game.product_type,
                parent_game_id=game.parent_game_id,
                age_rating=game.age_rating,
                regions=sorted(set(game.regions)),
                release_date=game.release_date,
                published=game.published,
                metadata_at=game.metadata_at,
                listing_at=game.listing_at,
                source=source,
                updated_at=game.updated_at,
            )
            .on_conflict_do_nothing(index_elements=[_G.game_id])
        )
        await self._session.execute(statement)
        held = await self.game(game.game_id)
        return held if held is not None else game

    # --- users -----------------------------------------------------------------------------

    async def user(self, user_id: uuid.UUID) -> UserFacts | None:
        row = (
            await self._session.execute(
                select(access_users).where(access_users.c.user_id == user_id)
            )
        ).first()
        if row is None:
            return None
        return UserFacts(
            user_id=row.user_id,
            region=row.region,
            birth_date=row.birth_date,
            blocked=row.blocked,
            fetched_at=row.fetched_at,
        )

    async def remember_user(self, user: UserFacts) -> bool:
        """Store the profile the user service answered (the newest fetch wins); True when the
        region, birth date or blocked flag changed (cached access answers are then stale)."""
        columns = access_users.c
        before = await self.user(user.user_id)
        statement = insert(access_users).values(
            user_id=user.user_id,
            region=user.region,
            birth_date=user.birth_date,
            blocked=user.blocked,
            fetched_at=user.fetched_at,
        )
        query = statement.on_conflict_do_update(
            index_elements=[columns.user_id],
            set_={
                "region": statement.excluded.region,
                "birth_date": statement.excluded.birth_date,
                "blocked": statement.excluded.blocked,
                "fetched_at": statement.excluded.fetched_at,
            },
            where=columns.fetched_at <= statement.excluded.fetched_at,
        )
        await self._session.execute(query)
        return before is None or (before.region, before.birth_date, before.blocked) != (
            user.region,
            user.birth_date,
            user.blocked,
        )

    async def forget_user(self, user_id: uuid.UUID) -> bool:
        """The user service no longer knows the user: drop the cached profile."""
        result = await self._session.execute(
            access_users.delete()
            .where(access_users.c.user_id == user_id)
            .returning(access_users.c.user_id)
        )
        return result.first() is not None
