"""developer-portal over gRPC: GetGame when the read model misses (service token, deadline,
retries — GetGame is idempotent — and a circuit breaker, all from the kit's PeerClient)."""

from __future__ import annotations

import uuid

from parovoz.developer.v1 import developer_service_pb2 as pb
from parovoz.developer.v1.developer_service_pb2_grpc import DeveloperServiceStub
from parovoz_kit.errors import NotFound
from parovoz_kit.grpc.client import PeerClient

from parovoz_payment.domain.games import GameOwner

IDEMPOTENT_METHODS = frozenset({"GetGame", "GetDeveloper"})


class DeveloperPortalCatalogue:
    def __init__(self, peer: PeerClient) -> None:
        self._stub = peer.stub(DeveloperServiceStub)

    async def game_owner(self, game_id: uuid.UUID) -> GameOwner | None:
        try:
            reply = await self._stub.GetGame(pb.GetGameRequest(game_id=str(game_id)))
        except NotFound:
            return None
        game = reply.game
        product_type = pb.ProductType.Name(game.product_type).removeprefix("PRODUCT_TYPE_").lower()
        return GameOwner(
            game_id=uuid.UUID(game.id),
            developer_id=uuid.UUID(game.developer_id),
            title=game.title,
            product_type=product_type,
        )
