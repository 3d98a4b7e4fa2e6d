"""SQLAlchemy implementation of the games storage port: games, their localized metadata, and
the reads of the game routes, each one round trip (the game and the caller's role together)."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, TypeVar

from parovoz_kit.errors import Conflict
from parovoz_kit.read_cache import ReadCache
from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.sql import Executable, Select

from parovoz_developer_portal.games.domain import (
    AgeRating,
    Game,
    GameFilter,
    GameStatus,
    LocalizedMetadata,
    Platform,
    Position,
    ProductType,
    SystemRequirements,
)
from parovoz_developer_portal.tables import games, metadata, team_members
from parovoz_developer_portal.team.domain import TeamRole

game_metadata = Table(
    "game_metadata",
    metadata,
    Column("game_id", ForeignKey("games.id", ondelete="CASCADE"), nullable=False),
    Column("language_code", String(16), nullable=False),
    Column("title", String(255), nullable=False),
    Column("short_description", String(1000), nullable=True),
    Column("full_description", String(20000), nullable=True),
    Column("tags", ARRAY(String(64)), nullable=False),
    Column("genres", ARRAY(String(64)), nullable=False),
    Column("system_requirements", JSONB, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by_user_id", UUID(as_uuid=True), nullable=False),
    PrimaryKeyConstraint("game_id", "language_code"),
)

_GAME_COLUMNS = [column for column in games.c if column.name != "description"]


def _game(row: Any) -> Game:
    return Game(
        id=row.id,
        developer_id=row.developer_id,
        title=row.title,
        product_type=ProductType(row.product_type),
        parent_game_id=row.parent_game_id,
        status=GameStatus(row.status),
        created_by_user_id=row.created_by_user_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        published_at=row.published_at,
        age_rating=AgeRating(row.age_rating) if row.age_rating else None,
        regions=tuple(row.regions or ()),
        release_date=row.release_date,
    )


def _locale(row: Any, prefix: str = "") -> LocalizedMetadata:
    """A row of game_metadata (its columns named ``prefix`` + column name)."""
    values = row._mapping
    requirements = values[f"{prefix}system_requirements"]
    return LocalizedMetadata(
        game_id=values[f"{prefix}game_id"],
        language_code=values[f"{prefix}language_code"],
        title=values[f"{prefix}title"],
        short_description=values[f"{prefix}short_description"],
        full_description=values[f"{prefix}full_description"],
        tags=tuple(values[f"{prefix}tags"]),
        genres=tuple(values[f"{prefix}genres"]),
        system_requirements=tuple(
            (
                platform,
                SystemRequirements(
                    requirements[platform]["minimum"], requirements[platform].get("recommended")
                ),
            )
            for platform in Platform
            if platform in requirements
        ),
        updated_at=values[f"{prefix}updated_at"],
        updated_by_user_id=values[f"{prefix}updated_by_user_id"],
    )


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _your_game(game_id: Any, user_id: Any) -> Select[Any]:
    """The game with the caller's role in its account: no row for another account's game."""
    return (
        select(*_GAME_COLUMNS, team_members.c.role)
        .join(
            team_members,
            and_(
                team_members.c.developer_id == games.c.developer_id,
                team_members.c.user_id == user_id,
            ),
        )
        .where(games.c.id == game_id)
    )


# The reads of the game routes, built once (their parameters bound at each call).
_GAME_OF_MEMBER = _your_game(bindparam("game_id"), bindparam("user_id"))
_LOCKED_GAME_OF_MEMBER = _GAME_OF_MEMBER.with_for_update(of=games)
_LOCALE = game_metadata.alias("locale")
_GAME_WITH_LOCALE = _GAME_OF_MEMBER.add_columns(
    *(column.label(f"locale_{column.name}") for column in _LOCALE.c)
).outerjoin(
    _LOCALE,
    and_(_LOCALE.c.game_id == games.c.id, _LOCALE.c.language_code == bindparam("language")),
)
_GAME_VIEW = _GAME_OF_MEMBER.add_columns(
    select(func.array_agg(game_metadata.c.language_code))
    .where(game_metadata.c.game_id == games.c.id)
    .scalar_subquery()
    .label("locales")
)


_LOCALES = (
    select(game_metadata)
    .where(game_metadata.c.game_id == bindparam("game_id"))
    .order_by(game_metadata.c.language_code)
)
_INSERT_LOCALE = pg_insert(game_metadata)
_UPSERT_LOCALE = _INSERT_LOCALE.on_conflict_do_update(
    index_elements=[game_metadata.c.game_id, game_metadata.c.language_code],
    set_={
        column.name: _INSERT_LOCALE.excluded[column.name]
        for column in game_metadata.c
        if column.name not in ("game_id", "language_code")
    },
)


@functools.cache
def _page_query(statuses: bool, types: bool, text: bool, after: bool) -> Select[Any]:
    """A page of the caller's account's games with these filters (parameters bound at each
    call): built once a shape, so a list costs no statement building."""
    conditions = [games.c.developer_id == team_members.c.developer_id]
    if statuses:
        conditions.append(games.c.status.in_(bindparam("statuses", expanding=True)))
    if types:
        conditions.append(games.c.product_type.in_(bindparam("types", expanding=True)))
    if text:
        pattern = bindparam("pattern")
        conditions.append(
            or_(
                games.c.title.ilike(pattern, escape="\\"),
                exists().where(
                    game_metadata.c.game_id == games.c.id,
                    game_metadata.c.title.ilike(pattern, escape="\\"),
                ),
            )
        )
    if after:
        conditions.append(
            tuple_(games.c.created_at, games.c.id)
            < tuple_(bindparam("after_created_at"), bindparam("after_id"))
        )
    page = (
        select(*_GAME_COLUMNS)
        .where(*conditions)
        .order_by(games.c.created_at.desc(), games.c.id.desc())
        .limit(bindparam("limit", type_=Integer))
        .lateral("page")
    )
    return (
        select(team_members.c.role, page)
        .select_from(team_members)
        .outerjoin(page, true())
        .where(team_members.c.user_id == bindparam("user_id"))
        .order_by(page.c.created_at.desc(), page.c.id.desc())
    )


T = TypeVar("T")


class SqlGames:
    """Games and their texts. The hot lone reads of the game routes (a game with the caller's
    role, a page of games, a game with one language's texts) are kept in the process's
    ``ReadCache`` when one is given, filed under the game's developer account: the database's
    triggers (revision 0014) and every local commit forget them (parovoz_kit.read_cache)."""

    def __init__(self, session: AsyncSession, read_cache: ReadCache | None = None) -> None:
        self._session = session
        self._cache = read_cache

    async def _cached(
        self,
        key: Hashable,
        read: Callable[[], Awaitable[T | None]],
        scope_of: Callable[[T], uuid.UUID | None],
    ) -> T | None:
        """``read()``, or its answer kept from before; inside a transaction always ``read()``
        (a transaction sees its own changes, and locks what it reads)."""
        cache = self._cache
        if cache is None or self._session.in_transaction():
            return await read()
        kept: T | None = cache.get(key)
        if kept is not None:
            return kept
        generation = cache.generation()
        value = await read()
        scope = scope_of(value) if value is not None else None
        if scope is not None:
            cache.put(key, str(scope), value, generation)
        return value

    async def _read(self, statement: Executable, parameters: dict[str, Any]) -> Sequence[Row[Any]]:
        """A lone read (the unit of work has not begun) runs on a connection of its own in
        autocommit: one round trip, no BEGIN and ROLLBACK around it. Inside the unit of
        work's transaction it runs there (and sees what it changed)."""
        engine = self._session.bind
        if self._session.in_transaction() or not isinstance(engine, AsyncEngine):
            return (await self._session.execute(statement, parameters)).all()
        async with engine.connect() as connection:
            reader = await connection.execution_options(isolation_level="AUTOCOMMIT")
            return (await reader.execute(statement, parameters)).all()

    # --- games --------------------------------------------------------------------------------
    async def add(self, game: Game) -> None:
        values = {
            **game.__dict__,
            "product_type": game.product_type.value,
            "status": game.status.value,
            "age_rating": game.age_rating.value if game.age_rating else None,
            "regions": list(game.regions),
        }
        try:
            async with self._session.begin_nested():
                await self._session.execute(insert(games).values(values))
        except IntegrityError:
            raise self._title_taken(game.title) from None

    @staticmethod
    def _title_taken(title: str) -> Conflict:
        return Conflict(
            f"This developer already has a product titled {title!r}.",
            detail_ru=f"У разработчика уже есть продукт с названием «{title}».",
            code="RESOURCE_ALREADY_EXISTS",
            pointer="/data/attributes/title",
        )

    async def get(self, game_id: uuid.UUID) -> Game | None:
        query = select(*_GAME_COLUMNS).where(games.c.id == game_id)
        row = (await self._session.execute(query)).first()
        return _game(row) if row else None

    async def save_status(self, game: Game) -> None:
        await self._session.execute(
            update(games)
            .where(games.c.id == game.id)
            .values(
                status=game.status.value,
                updated_at=game.updated_at,
                published_at=game.published_at,
            )
        )

    async def save_attributes(self, game: Game) -> None:
        values = {
            "title": game.title,
            "age_rating": game.age_rating.value if game.age_rating else None,
            "regions": list(game.regions),
            "release_date": game.release_date,
            "updated_at": game.updated_at,
        }
        try:
            async with self._session.begin_nested():
                await self._session.execute(
                    update(games).where(games.c.id == game.id).values(values)
                )
        except IntegrityError:
            raise self._title_taken(game.title) from None

    async def game_of_member(
        self, game_id: uuid.UUID, user_id: uuid.UUID, *, lock: bool = False
    ) -> tuple[Game, TeamRole] | None:
        """The game and the caller's role in its account (None: not a game of the caller's
        account), in one query; ``lock`` holds the game's row until the transaction ends."""
        query = _LOCKED_GAME_OF_MEMBER if lock else _GAME_OF_MEMBER
        parameters = {"game_id": game_id, "user_id": user_id}
        row = (await self._session.execute(query, parameters)).first()
        return (_game(row), TeamRole(row.role)) if row else None

    async def game_with_locale(
        self, game_id: uuid.UUID, user_id: uuid.UUID, language: str
    ) -> tuple[Game, TeamRole, LocalizedMetadata | None] | None:
        """The game, the caller's role and the game's texts in ``language`` (None if it has
        none), in one round trip."""

        async def read() -> tuple[Game, TeamRole, LocalizedMetadata | None] | None:
            parameters = {"game_id": game_id, "user_id": user_id, "language": language}
            rows = await self._read(_GAME_WITH_LOCALE, parameters)
            if not rows:
                return None
            row = rows[0]
            locale = _locale(row, "locale_") if row.locale_game_id is not None else None
            return _game(row), TeamRole(row.role), locale

        key = ("game_with_locale", game_id, user_id, language)
        return await self._cached(key, read, lambda found: found[0].developer_id)

    async def game_view(
        self, game_id: uuid.UUID, user_id: uuid.UUID
    ) -> tuple[Game, TeamRole, tuple[str, ...]] | None:
        """The game, the caller's role and the game's locales, in one round trip."""

        async def read() -> tuple[Game, TeamRole, tuple[str, ...]] | None:
            rows = await self._read(_GAME_VIEW, {"game_id": game_id, "user_id": user_id})
            if not rows:
                return None
            row = rows[0]
            return _game(row), TeamRole(row.role), tuple(sorted(row.locales or ()))

        key = ("game_view", game_id, user_id)
        return await self._cached(key, read, lambda found: found[0].developer_id)

    async def page_of_member(
        self,
        user_id: uuid.UUID,
        game_filter: GameFilter,
        after: Position | None,
        limit: int,
    ) -> tuple[TeamRole, list[Game]] | None:
        """The caller's role and up to ``limit`` of their account's games, newest first, after
        ``after``; None when the caller belongs to no account. One round trip."""
        parameters: dict[str, Any] = {"user_id": user_id, "limit": limit}
        if game_filter.statuses:
            parameters["statuses"] = sorted(status.value for status in game_filter.statuses)
        if game_filter.product_types:
            parameters["types"] = sorted(kind.value for kind in game_filter.product_types)
        if game_filter.text:
            parameters["pattern"] = _like(game_filter.text)
        if after is not None:
            parameters["after_created_at"] = after.created_at
            parameters["after_id"] = after.game_id
        query = _page_query(
            "statuses" in parameters,
            "types" in parameters,
            "pattern" in parameters,
            after is not None,
        )

        async def read() -> tuple[TeamRole, tuple[Game, ...]] | None:
            rows = await self._read(query, parameters)
            if not rows:
                return None
            return TeamRole(rows[0].role), tuple(_game(row) for row in rows if row.id is not None)

        key = ("page_of_member", user_id, game_filter, after, limit)
        # An empty page names no account to file it under: not kept.
        found = await self._cached(
            key, read, lambda page: page[1][0].developer_id if page[1] else None
        )
        return None if found is None else (found[0], list(found[1]))

    # --- localized metadata -------------------------------------------------------------------
    async def locales(self, game_id: uuid.UUID) -> list[LocalizedMetadata]:
        rows = await self._session.execute(_LOCALES, {"game_id": game_id})
        return [_locale(row) for row in rows]

    async def languages(self, game_id: uuid.UUID) -> tuple[str, ...]:
        query = (
            select(game_metadata.c.language_code)
            .where(game_metadata.c.game_id == game_id)
            .order_by(game_metadata.c.language_code)
        )
        return tuple((await self._session.execute(query)).scalars())

    async def locale(self, game_id: uuid.UUID, language: str) -> LocalizedMetadata | None:
        query = select(game_metadata).where(
            game_metadata.c.game_id == game_id, game_metadata.c.language_code == language
        )
        row = (await self._session.execute(query)).first()
        return _locale(row) if row else None

    async def has_locale(self, game_id: uuid.UUID, language: str) -> bool:
        query = select(
            exists().where(
                game_metadata.c.game_id == game_id, game_metadata.c.language_code == language
            )
        )
        return bool((await self._session.execute(query)).scalar())

    async def put_locale(self, locale: LocalizedMetadata) -> None:
        values = {
            "game_id": locale.game_id,
            "language_code": locale.language_code,
            "title": locale.title,
            "short_description": locale.short_description,
            "full_description": locale.full_description,
            "tags": list(locale.tags),
            "genres": list(locale.genres),
            "system_requirements": {
                platform.value: {"minimum": needs.minimum, "recommended": needs.recommended}
                for platform, needs in locale.system_requirements
            },
            "updated_at": locale.updated_at,
            "updated_by_user_id": locale.updated_by_user_id,
        }
        await self._session.execute(_UPSERT_LOCALE, values)

    async def delete_locale(self, game_id: uuid.UUID, language: str) -> None:
        await self._session.execute(
            delete(game_metadata).where(
                game_metadata.c.game_id == game_id, game_metadata.c.language_code == language
            )
        )


__all__: Sequence[str] = ["SqlGames", "game_metadata"]
