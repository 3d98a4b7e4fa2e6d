"""GetGame at settlement, and sales held in suspense while developer-portal is down, on the real
engines: a game payment's read model does not know yet is split to its developer (the answer
fills the read model); with developer-portal unreachable the sale settles into
``unattributed_sales`` and the attribution job splits it once developer-portal answers, or
gives it to platform revenue when developer-portal does not know the game. Ledger check green."""

from __future__ import annotations

import socket
import uuid
from dataclasses import replace

import httpx
import pytest
from developer_portal_support import catalogue_at, drafted_game
from ledger_support import ledger_violations, posted, sell_game
from parovoz_kit.errors import Unavailable
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.db.game_owners import SqlGameOwners
from parovoz_payment.db.payments import SqlPayments
from parovoz_payment.db.sales import get_sale
from parovoz_payment.db.tables import game_owners
from parovoz_payment.domain.games import GameOwner
from parovoz_payment.domain.methods import MethodChoice, PaymentMethod, Provider
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_creation import start_payment
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose
from parovoz_payment.domain.payments import Payment
from parovoz_payment.use_cases.payment_ledger import settle
from parovoz_payment.use_cases.sale_attribution import attribute_sale, attribute_waiting_sales
from parovoz_payment.use_cases.sales import sales_ports_with_catalogue
from sqlalchemy import delete


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def settle_with(infrastructure: Infrastructure, game_id: uuid.UUID, catalogue) -> Payment:
    now = infrastructure.clock.now()
    payment = start_payment(
        user_id=uuid.uuid4(),
        purpose=PaymentPurpose.GAME_PURCHASE,
        amount=Money(2_000, "RUB"),
        region="RU",
        now=now,
        choice=MethodChoice(PaymentMethod.BANK_CARD),
        game_id=game_id,
    ).assign_provider(Provider.YOOKASSA, f"test-{uuid.uuid4()}", now)
    payment = payment.succeed(now)
    ports = replace(sales_ports_with_catalogue(infrastructure), catalogue=catalogue)
    async with infrastructure.session_factory.begin() as session:
        await SqlPayments(session).add(payment)
        await settle(session, payment, payment.provider, sales=ports)
    return payment


async def test_a_game_unknown_to_the_read_model_is_split_by_get_game(
    infrastructure: Infrastructure,
) -> None:
    # A game drafted at the running developer-portal, its event not (or no longer) here.
    async with httpx.AsyncClient() as http:
        game = await drafted_game(http, str(uuid.uuid4()))
    async with infrastructure.session_factory.begin() as session:
        await session.execute(delete(game_owners).where(game_owners.c.game_id == game.game_id))
    game_id, developer_id = game.game_id, game.developer_id
    portal = sales_ports_with_catalogue(infrastructure).catalogue
    payment = await settle_with(infrastructure, game_id, portal)
    async with infrastructure.session_factory() as session:
        sale = await get_sale(session, payment.id)
        learned = await SqlGameOwners(session).get(game_id)
    assert sale is not None and sale.developer_id == developer_id
    assert (sale.split.developer.amount_minor, sale.split.platform.amount_minor) == (1_400, 600)
    assert learned is not None and learned.developer_id == developer_id  # the row is filled
    assert await ledger_violations(infrastructure) == []


async def test_a_sale_settled_while_developer_portal_is_down_is_attributed_later(
    infrastructure: Infrastructure,
) -> None:
    async with httpx.AsyncClient() as http:
        game = await drafted_game(http, str(uuid.uuid4()))
    async with infrastructure.session_factory.begin() as session:  # its event may have come
        await session.execute(delete(game_owners).where(game_owners.c.game_id == game.game_id))
    down = catalogue_at(infrastructure, f"127.0.0.1:{_closed_port()}")
    payment = await settle_with(infrastructure, game.game_id, down)
    assert await posted(infrastructure, f"payment:{payment.id}:succeeded") == [
        ("provider", "provider_clearing", "debit", 2_000),
        ("platform", "unattributed_sales", "credit", 2_000),
    ]
    async with infrastructure.session_factory() as session:
        assert await get_sale(session, payment.id) is None
    assert await ledger_violations(infrastructure) == []

    # developer-portal answers (the running one, on 9091; or its event arrived meanwhile):
    # the sale is split to the developer.
    ports = sales_ports_with_catalogue(infrastructure)
    assert ports.catalogue is not None
    await attribute_waiting_sales(infrastructure.unit_of_work, ports.catalogue, ports)
    assert await posted(infrastructure, f"sale-attribution:{payment.id}") == [
        ("developer", "developer_payable_pending", "credit", 1_400),
        ("platform", "platform_revenue", "credit", 600),
        ("platform", "unattributed_sales", "debit", 2_000),
    ]
    async with infrastructure.session_factory() as session:
        sale = await get_sale(session, payment.id)
    assert sale is not None and sale.developer_id == game.developer_id
    # A second runner finds it done.
    again = await attribute_sale(infrastructure.unit_of_work, ports.catalogue, ports, payment.id)
    assert again is False
    assert await ledger_violations(infrastructure) == []


async def test_a_held_sale_of_a_game_nobody_knows_goes_to_platform_revenue(
    infrastructure: Infrastructure,
) -> None:
    down = catalogue_at(infrastructure, f"127.0.0.1:{_closed_port()}")
    payment = await settle_with(infrastructure, uuid.uuid4(), down)
    ports = sales_ports_with_catalogue(infrastructure)
    with pytest.raises(Unavailable):  # still down: nothing moves, the next run asks again
        await attribute_sale(infrastructure.unit_of_work, down, ports, payment.id)
    assert await posted(infrastructure, f"sale-attribution:{payment.id}") == []
    # developer-portal back (the running one): it does not know the game.
    assert ports.catalogue is not None
    assert await attribute_sale(
        infrastructure.unit_of_work, ports.catalogue, ports, payment.id
    ) is (False)
    assert await posted(infrastructure, f"sale-attribution:{payment.id}") == [
        ("platform", "platform_revenue", "credit", 2_000),
        ("platform", "unattributed_sales", "debit", 2_000),
    ]
    assert await ledger_violations(infrastructure) == []


async def test_a_game_known_locally_never_asks(infrastructure: Infrastructure) -> None:
    """Unchanged: no catalogue, unknown game -> platform revenue (``sell_game``)."""
    game = GameOwner(uuid.uuid4(), uuid.uuid4(), "", "game")
    payment = await sell_game(infrastructure, game.game_id, 5_000)
    assert ("platform", "platform_revenue", "credit", 5_000) in await posted(
        infrastructure, f"payment:{payment.id}:succeeded"
    )
