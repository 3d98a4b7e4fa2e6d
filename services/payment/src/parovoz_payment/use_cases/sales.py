"""Revenue share in the ledger: a game purchase's settlement credits the developer's pending
payable and platform revenue (a refund takes both back: ``use_cases.sale_reversals``).

Runs inside the settlement's transaction (holding the payment row) and writes, with the
ledger posting: the sale row, the game's lifetime gross and the ``payment.sale.recorded.v1``
outbox row -- all or nothing.

Who earns: payment's read model of developer-portal's games (``game_owners``), then the game's
price list (developer-portal's price events name the developer too, and a game purchase can
only be created from it), then developer-portal's GetGame when a catalogue is given. A game
none of them knows (a purchase settled before revenue share, or test data) settles as before:
all platform revenue, logged, no sale row. developer-portal unreachable (asked, not answering):
the whole sale waits in the ``unattributed_sales`` suspense account, so the provider's
notification still settles; ``use_cases.sale_attribution`` splits it once developer-portal
answers.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from parovoz_events.payment import SaleRecorded
from parovoz_kit.errors import Unavailable
from parovoz_kit.events.envelope import Event
from parovoz_kit.events.tables import stage_events
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db import sales as db
from parovoz_payment.db.game_owners import SqlGameOwners
from parovoz_payment.db.ledger import PostedTransaction, account_for
from parovoz_payment.db.prices import SqlGamePrices
from parovoz_payment.domain.games import GameCatalogue, owner_of_game
from parovoz_payment.domain.ledger import (
    AccountPurpose,
    Entry,
    OwnerType,
    credit,
    transaction_id_for,
)
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose
from parovoz_payment.domain.payments import Payment
from parovoz_payment.domain.revenue_share import (
    RevenueShareRules,
    SaleReversal,
    SaleSplit,
    no_reversal,
    split_sale,
)
from parovoz_payment.settings import process_settings
from parovoz_payment.use_cases.payment_events import event_money

if TYPE_CHECKING:
    from parovoz_kit.infrastructure import Infrastructure

log = logging.getLogger(__name__)

#: CloudEvents source of payment's events (``Infrastructure.source``).
SOURCE = "/parovoz/payment"


class RubEquivalents(Protocol):
    """A sale's value in the tier currency (RUB kopecks), or None when no rate is known.

    The seam for the currency-rates feature: its rate table implements this and is passed in
    ``SalesPorts.rates``; nothing else changes."""

    async def rub_equivalent(self, session: AsyncSession, money: Money) -> int | None: ...


class NoRates:
    """Until rates exist: only RUB counts toward a game's tier (RUB is converted by identity
    in ``split_sale``); other currencies take the game's current rate."""

    async def rub_equivalent(self, session: AsyncSession, money: Money) -> int | None:
        return None


@dataclass(frozen=True)
class SalesPorts:
    rules: RevenueShareRules
    rates: RubEquivalents = field(default_factory=NoRates)
    #: developer-portal's GetGame, asked when no local read model knows the game.
    catalogue: GameCatalogue | None = None


def default_sales_ports() -> SalesPorts:
    """The process's revenue-share rules from its settings."""
    return SalesPorts(process_settings().revenue_share_rules())


def is_sale(payment: Payment) -> bool:
    return payment.purpose is PaymentPurpose.GAME_PURCHASE and payment.game_id is not None


async def stage_sale_event(session: AsyncSession, event: SaleRecorded, now: datetime) -> None:
    await stage_events(session, [(SaleRecorded.topic, Event.from_data(event, SOURCE, time=now))])


@dataclass
class SalePosting:
    """A sale's (or a reversal's) entries for the caller's ledger posting, the metadata to
    post them with, and what to write once the posting is in (nothing on a replay)."""

    entries: list[Entry]
    metadata: Mapping[str, object]
    _record: Callable[[PostedTransaction], Awaitable[None]] | None = None

    async def recorded(self, posted: PostedTransaction) -> None:
        if self._record is not None and not posted.replayed:
            await self._record(posted)


# -- the settlement's side ----------------------------------------------------------------
async def sale_credits(
    session: AsyncSession, payment: Payment, settlement_key: str, ports: SalesPorts | None = None
) -> SalePosting | None:
    """The developer's and the platform's credits of a game purchase; None when the game's
    developer is unknown (the caller credits platform revenue in full)."""
    ports = ports or default_sales_ports()
    assert payment.game_id is not None and payment.succeeded_at is not None
    gross = payment.captured_amount
    existing = await db.get_sale(session, payment.id)
    if existing is not None and existing.ledger_transaction_id != transaction_id_for(
        settlement_key
    ):
        # Attributed later: the settlement itself was the suspense credit.
        return await unattributed_credits(session, payment)
    if existing is not None:  # settled before: the same credits, so the posting replays
        return SalePosting(
            await _credits(
                session, existing.developer_id, existing.split.developer, existing.split.platform
            ),
            _sale_metadata(existing),
        )
    if not gross.is_positive:
        return None  # nothing captured (fully discounted): nothing to share
    try:
        developer_id = await _earner(session, payment.game_id, ports.catalogue)
    except Unavailable:
        log.warning(
            "game purchase held in suspense: developer-portal cannot say who earns",
            extra={"payment_id": str(payment.id), "game_id": str(payment.game_id)},
        )
        return await unattributed_credits(session, payment)
    if developer_id is None:
        log.error(
            "game purchase settled without revenue share: its developer is unknown",
            extra={"payment_id": str(payment.id), "game_id": str(payment.game_id)},
        )
        return None
    return await new_sale_posting(session, payment, developer_id, settlement_key, ports)


async def unattributed_credits(session: AsyncSession, payment: Payment) -> SalePosting:
    """The whole sale into suspense, marked so the attribution job finds it."""
    gross = payment.captured_amount
    suspense = await account_for(
        session, OwnerType.PLATFORM, None, AccountPurpose.UNATTRIBUTED_SALES, gross.currency
    )
    metadata = {"payment_id": str(payment.id), "game_id": str(payment.game_id)}
    return SalePosting([credit(suspense, gross)], {**metadata, "unattributed": True})


async def new_sale_posting(
    session: AsyncSession,
    payment: Payment,
    developer_id: uuid.UUID,
    ledger_key: str,
    ports: SalesPorts,
) -> SalePosting:
    """The developer's and the platform's credits of the sale, split by the game's tier now;
    recorded (sale row, game's gross, sale event) with the posting keyed ``ledger_key``."""
    assert payment.game_id is not None and payment.succeeded_at is not None
    gross = payment.captured_amount
    now = payment.succeeded_at
    lifetime = await db.lock_game_revenue(session, payment.game_id, now)
    weight = await ports.rates.rub_equivalent(session, gross)
    split = split_sale(gross, ports.rules, lifetime, weight)
    sale = db.StoredSale(
        payment_id=payment.id,
        game_id=payment.game_id,
        developer_id=developer_id,
        region=payment.region,
        split=split,
        lifetime_before=lifetime,
        reversed=no_reversal(gross.currency),
        ledger_transaction_id=transaction_id_for(ledger_key),
        recorded_at=now,
        available_at=now + ports.rules.hold,
    )

    async def record(posted: PostedTransaction) -> None:
        await db.add_sale(session, sale)
        await db.add_game_revenue(
            session,
            sale.game_id,
            lifetime_delta=split.tier_weight,
            sold=gross,
            refunded=Money.zero(gross.currency),
            now=now,
        )
        event = sale_event(sale, posted.id, sale.split, sale.recorded_at)
        await stage_sale_event(session, event, now)

    entries = await _credits(session, developer_id, split.developer, split.platform)
    return SalePosting(entries, _sale_metadata(sale), record)


async def _earner(
    session: AsyncSession, game_id: uuid.UUID, catalogue: GameCatalogue | None
) -> uuid.UUID | None:
    owners = SqlGameOwners(session)
    owner = await owners.get(game_id)
    if owner is not None:
        return owner.developer_id
    prices = await SqlGamePrices(session).get(game_id)
    if prices is not None:
        return prices.developer_id
    if catalogue is None:
        return None
    return (await owner_of_game(game_id, owners, catalogue)).developer_id


async def _credits(
    session: AsyncSession, developer_id: uuid.UUID, developer: Money, platform: Money
) -> list[Entry]:
    entries = []
    if developer.is_positive:
        pending = await account_for(
            session,
            OwnerType.DEVELOPER,
            developer_id,
            AccountPurpose.DEVELOPER_PAYABLE_PENDING,
            developer.currency,
        )
        entries.append(credit(pending, developer))
    if platform.is_positive:
        revenue = await account_for(
            session, OwnerType.PLATFORM, None, AccountPurpose.PLATFORM_REVENUE, platform.currency
        )
        entries.append(credit(revenue, platform))
    return entries


def _sale_metadata(sale: db.StoredSale) -> dict[str, object]:
    """What the developer's ledger shows next to the posting."""
    return {
        "payment_id": str(sale.payment_id),
        "game_id": str(sale.game_id),
        "developer_id": str(sale.developer_id),
        "region": sale.region,
        "gross_amount_minor": sale.split.gross.amount_minor,
        "platform_fee_amount_minor": sale.split.platform.amount_minor,
        "available_at": sale.available_at.isoformat(),
    }


def sale_event(
    sale: db.StoredSale,
    transaction_id: uuid.UUID,
    parts: SaleSplit | SaleReversal,
    recorded_at: datetime,
    *,
    kind: str = "purchase",
    refund_id: uuid.UUID | None = None,
) -> SaleRecorded:
    """The ``payment.sale.recorded.v1`` of one posting: ``parts`` sold (``purchase``), or taken
    back by a refund or chargeback (negative amounts)."""
    gross, platform, net = (
        event_money(part if kind == "purchase" else -part)
        for part in (parts.gross, parts.platform, parts.developer)
    )
    return SaleRecorded(
        sale_id=transaction_id,
        kind=kind,  # type: ignore[arg-type]
        game_id=sale.game_id,
        developer_id=sale.developer_id,
        payment_id=sale.payment_id,
        refund_id=refund_id,
        region=sale.region,
        gross_amount=gross,
        platform_fee_amount=platform,
        net_amount=net,
        recorded_at=recorded_at,
    )


def sales_ports_with_catalogue(infrastructure: Infrastructure) -> SalesPorts:
    """The settings' rules plus developer-portal's GetGame (the process's one peer client) for
    a game no local read model knows: pass as ``settle(..., sales=...)`` where the caller has
    the infrastructure."""
    from parovoz_payment.clients.developer_portal import (
        IDEMPOTENT_METHODS,
        DeveloperPortalCatalogue,
    )

    target = infrastructure.settings.developer_portal_grpc_target  # type: ignore[attr-defined]
    peer = infrastructure.peer("developer-portal", target, IDEMPOTENT_METHODS)
    return replace(default_sales_ports(), catalogue=DeveloperPortalCatalogue(peer))
