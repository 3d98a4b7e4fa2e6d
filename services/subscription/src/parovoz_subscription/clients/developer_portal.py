"""developer-portal over gRPC: ``GetGame`` when access's games read model has never heard of a
game (service token, deadline, retries — a read — and a circuit breaker, all from the kit's
PeerClient). developer-portal down: ``Unavailable``; no such game: None."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from parovoz.developer.v1 import developer_service_pb2 as pb
from parovoz.developer.v1.developer_service_pb2_grpc import DeveloperServiceStub
from parovoz_kit.clock import Clock
from parovoz_kit.errors import NotFound
from parovoz_kit.infrastructure import Infrastructure

from parovoz_subscription.access.facts import GameFacts

IDEMPOTENT_METHODS = frozenset({"GetGame"})


def _enum(enum: Any, value: int, prefix: str) -> str | None:
    name: str = enum.Name(value)
    return None if name.endswith("UNSPECIFIED") else name.removeprefix(prefix).lower()


def _age_rating(value: int) -> str | None:
    name = _enum(pb.AgeRating, value, "AGE_RATING_")  # "16_plus"
    return None if name is None else name.removesuffix("_plus") + "+"


def game_facts_of(game: pb.Game, now: datetime) -> GameFacts:
    """developer-portal's ``Game`` as access reads it, as of its ``updated_at``."""
    as_of = game.updated_at.ToDatetime(tzinfo=UTC) if game.HasField("updated_at") else now
    release = (
        date(game.release_date.year, game.release_date.month, game.release_date.day)
        if game.HasField("release_date")
        else None
    )
    age_rating = _age_rating(game.age_rating)
    regions = tuple(sorted({region.upper() for region in game.regions}))
    # developer-portal's Game may come without its store attributes (age rating, regions,
    # release date): then the metadata is unknown, not "as of updated_at", so any metadata
    # event (even an older one) fills it in.
    described = age_rating is not None or bool(regions) or release is not None
    return GameFacts(
        game_id=uuid.UUID(game.id),
        developer_id=uuid.UUID(game.developer_id) if game.developer_id else None,
        product_type=_enum(pb.ProductType, game.product_type, "PRODUCT_TYPE_"),
        parent_game_id=uuid.UUID(game.parent_game_id) if game.parent_game_id else None,
        age_rating=age_rating,
        regions=regions,
        release_date=release,
        published=game.status == pb.GAME_STATUS_PUBLISHED,
        metadata_at=as_of if described else None,
        listing_at=as_of,
        source="grpc",
        updated_at=now,
    )


class DeveloperPortalGames:
    """``GameDirectory`` answered by developer-portal's DeveloperService."""

    def __init__(self, infrastructure: Infrastructure, clock: Clock) -> None:
        target = infrastructure.settings.developer_portal_grpc_target  # type: ignore[attr-defined]
        peer = infrastructure.peer("developer-portal", target, IDEMPOTENT_METHODS)
        self._stub = peer.stub(DeveloperServiceStub)
        self._clock = clock

    async def game(self, game_id: uuid.UUID) -> GameFacts | None:
        try:
            reply = await self._stub.GetGame(pb.GetGameRequest(game_id=str(game_id)))
        except NotFound:
            return None
        return game_facts_of(reply.game, self._clock.now())


def developer_portal_games(infrastructure: Infrastructure) -> DeveloperPortalGames:
    """The process's one ``GameDirectory``."""
    return infrastructure.shared(
        "developer-portal-games",
        lambda: DeveloperPortalGames(infrastructure, infrastructure.clock),
    )
