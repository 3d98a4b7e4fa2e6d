"""developer-portal over gRPC: GetGame when the read model misses, GetPayoutMethod at payout
time (service token, deadline, retries — both are reads — and a circuit breaker, all from the
kit's PeerClient)."""

from __future__ import annotations

import uuid

from parovoz.developer.v1 import developer_service_pb2 as pb
from parovoz.developer.v1.developer_service_pb2_grpc import DeveloperServiceStub
from parovoz_kit.errors import NotFound
from parovoz_kit.grpc.client import PeerClient

from parovoz_payment.domain.games import GameOwner
from parovoz_payment.domain.payouts import BankDetails

IDEMPOTENT_METHODS = frozenset({"GetGame", "GetDeveloper", "GetPayoutMethod"})


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

    async def payout_method(
        self, developer_id: uuid.UUID, payout_method_id: uuid.UUID
    ) -> BankDetails | None:
        """The bank details of the developer's payout method; None when it does not exist
        (or is another developer's). Used for one provider call, never stored or logged."""
        try:
            reply = await self._stub.GetPayoutMethod(
                pb.GetPayoutMethodRequest(
                    developer_id=str(developer_id), payout_method_id=str(payout_method_id)
                )
            )
        except NotFound:
            return None
        method = reply.payout_method
        return BankDetails(
            recipient_name=method.recipient_name,
            inn=method.inn,
            kpp=method.kpp if method.HasField("kpp") else None,
            bik=method.bik,
            account_number=method.account_number,
            bank_name=method.bank_name,
            currency=method.currency,
        )
