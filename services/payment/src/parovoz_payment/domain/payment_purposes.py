"""Who may start a payment of each purpose, and through which path (issue #12, "one creation
path per purpose"). The one table of it: every path that creates a payment says where it comes
from (an :class:`Origin`) and ``use_cases.payment_flow.create_payment`` asks :func:`check_origin`
before anything is stored.

- Users, over REST, each purpose through its own route (its rules: the route stores what the
  payment pays for and sets the reference itself): game purchases, card verifications and
  top-ups through ``POST /payments`` (top-ups through ``POST /wallet/top-ups`` too), donations
  through ``POST /donations``, gift cards through ``POST /gift-cards/purchases``, preorder
  payments through ``POST /preorders`` (the preorder's own amount, by its owner:
  :func:`check_preorder_payment`).
- Services, over gRPC (``CreatePayment``, ``ChargeSavedMethod``), only the purposes they own:
  subscription its ``subscription`` periods and card verifications (a trial), greenlight its
  ``greenlight_fee``. A user never starts a service's purpose; a service never starts another
  service's, nor a user's.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from parovoz_kit.errors import BusinessRuleViolation, PermissionDenied

from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose
from parovoz_payment.domain.preorders import Preorder, PreorderStatus

_PURPOSE_POINTER = "/data/attributes/purpose"
_SERVICE_PREFIX = "service:"


class Route(StrEnum):
    """The user-facing routes that start a payment."""

    PAYMENTS = "POST /payments"
    WALLET_TOP_UPS = "POST /wallet/top-ups"
    DONATIONS = "POST /donations"
    GIFT_CARD_PURCHASES = "POST /gift-cards/purchases"
    PREORDERS = "POST /preorders"


@dataclass(frozen=True)
class Origin:
    """Where a payment is being started from: a user's route, or a service over gRPC (its
    name from its verified token, never from the request)."""

    route: Route | None = None
    service: str | None = None

    def __post_init__(self) -> None:
        if (self.route is None) == (self.service is None):
            raise ValueError("an origin is a user's route or a service, exactly one")

    @classmethod
    def user(cls, route: Route) -> Origin:
        return cls(route=route)

    @classmethod
    def grpc(cls, subject: str) -> Origin:
        """A service's call; ``subject`` is its token's (``service:<name>``)."""
        return cls(service=subject.removeprefix(_SERVICE_PREFIX))


@dataclass(frozen=True)
class PurposePaths:
    routes: frozenset[Route] = frozenset()
    services: frozenset[str] = frozenset()


def _paths(*routes: Route, services: tuple[str, ...] = ()) -> PurposePaths:
    return PurposePaths(frozenset(routes), frozenset(services))


#: Per purpose, the user routes and the owning services that may start it (nothing else may).
PURPOSE_PATHS: Mapping[PaymentPurpose, PurposePaths] = MappingProxyType(
    {
        PaymentPurpose.GAME_PURCHASE: _paths(Route.PAYMENTS),
        PaymentPurpose.WALLET_TOP_UP: _paths(Route.PAYMENTS, Route.WALLET_TOP_UPS),
        PaymentPurpose.CARD_VERIFICATION: _paths(Route.PAYMENTS, services=("subscription",)),
        PaymentPurpose.DONATION: _paths(Route.DONATIONS),
        PaymentPurpose.GIFT_CARD: _paths(Route.GIFT_CARD_PURCHASES),
        PaymentPurpose.PREORDER: _paths(Route.PREORDERS),
        PaymentPurpose.SUBSCRIPTION: _paths(services=("subscription",)),
        PaymentPurpose.GREENLIGHT_FEE: _paths(services=("greenlight",)),
    }
)


def check_origin(purpose: PaymentPurpose, origin: Origin) -> None:
    """Refuses a payment of ``purpose`` started from ``origin`` unless the table allows it: a
    user is answered 422 ``PAYMENT_PURPOSE_NOT_ALLOWED`` (naming the route that starts it, if
    any), a service 403 ``PAYMENT_PURPOSE_NOT_OWNED`` (PERMISSION_DENIED over gRPC)."""
    paths = PURPOSE_PATHS[purpose]
    if origin.service is not None:
        if origin.service not in paths.services:
            raise PermissionDenied(
                f"A {purpose.value} payment is not started by {origin.service}.",
                code="PAYMENT_PURPOSE_NOT_OWNED",
            )
        return
    assert origin.route is not None
    if origin.route in paths.routes:
        return
    where = sorted(route.value for route in paths.routes)
    hint = f" Start it with {where[0]}." if where else " Only a platform service starts it."
    raise BusinessRuleViolation(
        f"A {purpose.value} payment is not started with {origin.route.value}.{hint}",
        code="PAYMENT_PURPOSE_NOT_ALLOWED",
        pointer=_PURPOSE_POINTER,
    )


def check_game_on_sale(published: bool) -> None:
    """A game purchase needs a game published in the store (payment's read model of
    developer-portal's published/unpublished events): never reviewed, never published or taken
    off the store, it is not sold, whatever its price."""
    if not published:
        raise BusinessRuleViolation(
            "This game is not published in the store and cannot be bought.",
            code="GAME_NOT_PUBLISHED",
            pointer="/data/attributes/game_id",
        )


def check_preorder_payment(
    preorder: Preorder | None,
    *,
    user_id: uuid.UUID,
    amount: Money,
    game_id: uuid.UUID | None,
    region: str,
) -> None:
    """A preorder's prepayment is its own: the preorder named exists, is the payer's, waits
    for its prepayment (none started yet) and the payment is exactly its prepayment, for its
    game and region. Anything else is refused (422 ``PREORDER_PAYMENT_MISMATCH``) before a
    payment exists; another user's preorder is not told apart from an unknown one."""
    if (
        preorder is None
        or preorder.user_id != user_id
        or preorder.status is not PreorderStatus.AWAITING_PREPAYMENT
        or preorder.prepayment_payment_id is not None
        or amount != preorder.prepayment
        or game_id != preorder.game_id
        or region != preorder.region
    ):
        raise BusinessRuleViolation(
            "A preorder's payment is its own prepayment, started by its owner with the preorder.",
            code="PREORDER_PAYMENT_MISMATCH",
        )


__all__ = [
    "PURPOSE_PATHS",
    "Origin",
    "PurposePaths",
    "Route",
    "check_game_on_sale",
    "check_origin",
    "check_preorder_payment",
]
