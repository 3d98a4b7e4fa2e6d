"""A Hypothesis state machine over payment on the real engines and the provider sandbox (:8091).

Several players (each with a card saved by a first top-up) start payments through the REST
API as a browser would (top-ups, purchases of a published game, donations, full and partial
preorders; at the provider's page, with the saved card, or from the wallet), pay them at the
sandbox's page, and the sandbox's notifications are delivered to the in-process app, also
duplicated and reordered; an attacker sends forged notifications, signed ones whose metadata
names another of our payments, ones about a provider payment of another amount, pays a
preorder through ``POST /payments``, skips the top-up limits there, starts service purposes,
buys an unpublished game and pays with another player's saved card; payers refund and cancel
preorders; the game on sale is unpublished and published again; a preordered game is
released (the remainders charged). After every step:

- the ledger check finds nothing it did not find before the run;
- every payment still has the payer, purpose, reference, game, amount and provider payment it
  was created with; a succeeded one was paid at the provider by exactly its own provider
  payment (the one created for it), for its amount, naming it in its metadata; none is
  charged to another player's card;
- a succeeded preorder payment is its payer's own preorder's, for that preorder's amount;
  a prepaid or completed preorder was paid by its owner's own payment, a completed one for
  its price (prepayment and remainder);
- every attack on creation is refused with nothing created: a preorder paid through
  ``POST /payments``, a top-up past its limits, a service purpose, a game not (or no longer)
  published, another player's saved card; a succeeded top-up is within the limits;
- each wallet balance is what that user's own payments and refunds made it, and no user's
  balance moves by another user's action.

Bounded for ``make test`` (a fixed, derandomized run); ``PAYMENT_FUZZ_SCALE=N`` runs N times
as many sequences (``PAYMENT_FUZZ_SCALE=10 pytest ...test_payment_state_machine.py``).
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import Awaitable, Coroutine
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
import pytest
from games_support import announced_game, publish, unpublish
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from notifications_support import Receiver, local_receiver
from parovoz_kit.infrastructure import Infrastructure, open_infrastructure
from parovoz_kit.service import build_app, job_runner
from parovoz_payment.clients.providers import ProviderConfig, YooKassaProvider
from parovoz_payment.clients.providers.signatures import body_signature
from parovoz_payment.domain.methods import PaymentMethod
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.providers import ProviderPaymentRequest
from parovoz_payment.jobs.ledger_check import check_ledger
from parovoz_payment.jobs.preorders import preorder_release
from parovoz_payment.main import SERVICE
from parovoz_payment.settings import PaymentSettings
from parovoz_payment.use_cases.preorder_release import run_preorder_release
from parovoz_testing.tokens import user_token
from sqlalchemy import text
from users_support import player

SCALE = max(1, int(os.environ.get("PAYMENT_FUZZ_SCALE", "1")))
SANDBOX = "http://127.0.0.1:8091"
PAYMENTS = "/api/v1/payments"
RETURN_URL = "https://parovoz.example/return"
GAME_PRICE = 49_900
#: Top-up amounts within the limits (100.00..15,000.00 RUB); far below the balance cap.
TOP_UPS = (20_000, 60_000, 150_050)
#: .13 kopecks: the sandbox declines the card (insufficient funds).
DONATIONS = (5_000, 12_345, 7_013)
USERS = 3
T = TypeVar("T")


# -- the world one run shares: its own event loop, engines, app and notification receiver ----
@dataclass
class World:
    loop: asyncio.AbstractEventLoop
    stack: AsyncExitStack
    infrastructure: Infrastructure
    client: httpx.AsyncClient
    receiver: Receiver
    adapter: YooKassaProvider
    secret: str
    #: check -> offenders the ledger check found before the run (other tests' leftovers).
    baseline: dict[str, int] = field(default_factory=dict)
    tokens: dict[uuid.UUID, str] = field(default_factory=dict)

    def run(self, awaitable: Coroutine[Any, Any, T] | Awaitable[T]) -> T:
        return self.loop.run_until_complete(awaitable)  # type: ignore[arg-type]

    def auth(self, user_id: uuid.UUID, key: bool = False) -> dict[str, str]:
        if user_id not in self.tokens:
            self.tokens[user_id] = user_token(str(user_id))
        headers = {"Authorization": f"Bearer {self.tokens[user_id]}"}
        return headers | ({"Idempotency-Key": str(uuid.uuid4())} if key else {})


async def open_world(loop: asyncio.AbstractEventLoop) -> World:
    stack = AsyncExitStack()
    payment_settings = PaymentSettings(environment="test")
    infrastructure = await stack.enter_async_context(open_infrastructure(payment_settings))
    app = build_app(SERVICE, infrastructure, job_runner(SERVICE, infrastructure))
    client = await stack.enter_async_context(
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://payment")
    )
    receiver = await stack.enter_async_context(local_receiver())
    adapter = YooKassaProvider(ProviderConfig())
    stack.push_async_callback(adapter.aclose)
    secret = payment_settings.providers.webhook_secret.get_secret_value()
    world = World(loop, stack, infrastructure, client, receiver, adapter, secret)
    world.baseline = await ledger_offenders(infrastructure)
    return world


WORLD: World | None = None


def world() -> World:
    assert WORLD is not None
    return WORLD


async def ledger_offenders(infrastructure: Infrastructure) -> dict[str, int]:
    async with infrastructure.session_factory() as session:
        report = await check_ledger(session)
    return {violation.check: violation.count for violation in report.violations}


# -- what the machine remembers of each payment and preorder -----------------------------------
@dataclass
class Tracked:
    id: uuid.UUID
    user_id: uuid.UUID
    purpose: str
    reference: str | None
    game_id: uuid.UUID | None
    amount_minor: int
    wallet_minor: int
    provider_payment_id: str | None  # the one stored at creation
    confirmation_url: str | None
    status: str


@dataclass
class TrackedPreorder:
    id: uuid.UUID
    user_id: uuid.UUID
    game_id: uuid.UUID
    prepayment_minor: int
    payment_id: uuid.UUID | None


def money(minor: int) -> dict[str, object]:
    return {"amount_minor": minor, "currency": "RUB"}


def yookassa_value(minor: int) -> str:
    return f"{minor // 100}.{minor % 100:02d}"


class PaymentMachine(RuleBasedStateMachine):
    """Rules have no preconditions: which rule runs never depends on what the engines
    answered (Hypothesis replays a prefix and must draw the same); a rule with nothing to act
    on does nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.w = world()
        self.users = [player() for _ in range(USERS)]
        self.streamer = uuid.uuid4()
        self.payments: dict[uuid.UUID, Tracked] = {}
        self.preorders: dict[uuid.UUID, TrackedPreorder] = {}
        self.verified: set[uuid.UUID] = set()
        self.saved: dict[uuid.UUID, str] = {}
        self.balances = dict.fromkeys(self.users, 0)
        #: Users whose wallets the current step may move (its actor's).
        self.movers: set[uuid.UUID] = set()

    @initialize()
    def published_game_and_funded_players(self) -> None:
        infrastructure = self.w.infrastructure
        self.game_id, self.developer_id = self.w.run(
            announced_game(infrastructure, GAME_PRICE, title="Конечный автомат")
        )
        self.w.run(publish(infrastructure, self.game_id, self.developer_id))
        self.listed = True
        self.upcoming = self.w.run(
            announced_game(infrastructure, GAME_PRICE, title="Конечный автомат")
        )  # announced, not released
        # Every player starts with a paid top-up that saves their card, so wallet and
        # saved-card payments happen from the start,
        for user in range(USERS):
            self.top_up(user, TOP_UPS[-1], save=True)
            if self.pending():
                self.pay_at_sandbox(len(self.pending()) - 1)
        self.saved = self.w.run(self.saved_methods())
        for user in range(USERS):  # and has bought the game from the wallet (refundable)
            self.buy_game(user, wallet=True)
        self.movers = set(self.users)  # the invariants check the setup like any step

    async def saved_methods(self) -> dict[uuid.UUID, str]:
        """Each player's saved card (the one their first top-up saved)."""
        async with self.w.infrastructure.session_factory() as session:
            found = await session.execute(
                text("SELECT user_id, id FROM saved_methods WHERE user_id = ANY(:users)"),
                {"users": self.users},
            )
            return {row.user_id: str(row.id) for row in found}

    def method_of(self, user_id: uuid.UUID, saved: bool) -> str:
        """``bank_card`` (the provider's page), or the user's saved card when asked for."""
        return self.saved.get(user_id, "bank_card") if saved else "bank_card"

    # -- helpers -----------------------------------------------------------------------------
    def post(self, path: str, body: dict[str, Any] | None, user_id: uuid.UUID) -> httpx.Response:
        self.movers = {user_id}
        response = self.w.run(
            self.w.client.post(f"{PAYMENTS}{path}", json=body, headers=self.w.auth(user_id, True))
        )
        assert response.status_code < 500, response.text
        return response

    def started(
        self, response: httpx.Response, user_id: uuid.UUID, *, forbidden: bool = False
    ) -> Tracked | None:
        """Remember the payment a 201 started (with its provider payment as stored now); a
        ``forbidden`` one must have been refused, nothing created."""
        if response.status_code != 201:
            assert response.status_code in (400, 403, 404, 409, 422), response.text
            return None
        assert not forbidden, f"a payment that must be refused was started: {response.text}"
        data = response.json()["data"]
        attributes = data["attributes"]
        payment_id = uuid.UUID(data["id"])
        tracked = self.remember(payment_id, attributes.get("confirmation_url"))
        assert tracked.user_id == user_id
        return tracked

    def remember(self, payment_id: uuid.UUID, confirmation_url: str | None) -> Tracked:
        row = self.w.run(self.rows([payment_id]))[payment_id]
        tracked = Tracked(
            id=payment_id,
            user_id=row["user_id"],
            purpose=row["purpose"],
            reference=row["reference"],
            game_id=row["game_id"],
            amount_minor=row["amount_minor"],
            wallet_minor=row["wallet_amount_minor"],
            provider_payment_id=row["provider_payment_id"],
            confirmation_url=confirmation_url,
            status=row["status"],
        )
        self.payments[payment_id] = tracked
        return tracked

    async def rows(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
        async with self.w.infrastructure.session_factory() as session:
            found = await session.execute(
                text(
                    "SELECT id, user_id, purpose, reference, game_id, amount_minor,"
                    " wallet_amount_minor, gift_card_amount_minor, provider_payment_id, status"
                    " FROM payments WHERE id = ANY(:ids)"
                ),
                {"ids": ids},
            )
            return {row.id: dict(row._mapping) for row in found}

    def pending(self) -> list[Tracked]:
        return [
            p
            for p in self.payments.values()
            if p.status == "pending" and p.confirmation_url and p.provider_payment_id
        ]

    def at_provider(self) -> list[Tracked]:
        return [p for p in self.payments.values() if p.provider_payment_id]

    def deliver(self, body: bytes, signature: str | None) -> httpx.Response:
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers["X-Sandbox-Signature"] = signature
        return self.w.run(self.w.client.post("/webhooks/yookassa", content=body, headers=headers))

    def replay(self, payment: Tracked, order: str = "sent", repeat: int = 1) -> int:
        """The sandbox's recorded notifications of the payment, replayed to the local receiver
        and delivered to the in-process app as they came (their own bytes and signature)."""
        self.movers = {payment.user_id}
        receiver = self.w.receiver
        receiver.received.clear()

        async def replayed() -> None:
            async with httpx.AsyncClient(base_url=SANDBOX) as sandbox:
                answer = await sandbox.post(
                    "/sandbox/notifications/replay",
                    json={
                        "provider": "yookassa",
                        "payment_id": payment.provider_payment_id,
                        "order": order,
                        "seed": 7,
                        "repeat": repeat,
                        "url": receiver.url,
                    },
                )
            assert answer.status_code == 200, answer.text

        self.w.run(replayed())
        captured = list(receiver.received)
        for notification in captured:
            response = self.deliver(
                notification.body, notification.headers.get("x-sandbox-signature")
            )
            assert response.status_code == 200, response.text
        return len(captured)

    def signed(self, provider_payment_id: str, payment_id: uuid.UUID) -> httpx.Response:
        """A notification with a valid signature whose object is ``provider_payment_id`` and
        whose metadata names ``payment_id`` (as if the provider's body could be chosen)."""
        body = json.dumps(
            {
                "type": "notification",
                "event": "payment.succeeded",
                "object": {
                    "id": provider_payment_id,
                    "status": "succeeded",
                    "metadata": {"payment_id": str(payment_id)},
                },
            }
        ).encode()
        return self.deliver(body, body_signature(body, self.w.secret))

    def refresh(self) -> None:
        rows = self.w.run(self.rows(list(self.payments)))
        for payment_id, row in rows.items():
            self.payments[payment_id].status = row["status"]

    # -- users start payments ----------------------------------------------------------------
    @rule(user=st.integers(0, USERS - 1), amount=st.sampled_from(TOP_UPS), saved=st.booleans())
    def top_up(self, user: int, amount: int, saved: bool = False, save: bool = False) -> None:
        user_id = self.users[user]
        body = {
            "data": {
                "type": "walletTopUp",
                "attributes": {
                    "amount": money(amount),
                    "method": self.method_of(user_id, saved),
                    "save_method": save,
                    "return_url": RETURN_URL,
                },
            }
        }
        self.started(self.post("/wallet/top-ups", body, user_id), user_id)

    def payment_body(self, purpose: str, amount: int, **attributes: object) -> dict[str, Any]:
        return {
            "data": {
                "type": "paymentCreation",
                "attributes": {
                    "purpose": purpose,
                    "amount": money(amount),
                    "region": "RU",
                    "method": "bank_card",
                    "return_url": RETURN_URL,
                    **attributes,
                },
            }
        }

    @rule(user=st.integers(0, USERS - 1), wallet=st.booleans())
    def buy_game(self, user: int, wallet: bool) -> None:
        user_id = self.users[user]
        extra: dict[str, object] = {"game_id": str(self.game_id)}
        if wallet:
            extra |= {"method": "wallet", "use_wallet": True}
        body = self.payment_body("game_purchase", GAME_PRICE, **extra)
        # While the game is unpublished, nothing may sell it.
        self.started(self.post("", body, user_id), user_id, forbidden=not self.listed)

    @rule()
    def toggle_listing(self) -> None:
        """developer-portal unpublishes the game on sale, or publishes it again."""
        infrastructure = self.w.infrastructure
        change = unpublish if self.listed else publish
        self.w.run(change(infrastructure, self.game_id, self.developer_id))
        self.listed = not self.listed
        self.movers = set()

    @rule(user=st.integers(0, USERS - 1), amount=st.sampled_from(DONATIONS), wallet=st.booleans())
    def donate(self, user: int, amount: int, wallet: bool) -> None:
        user_id = self.users[user]
        attributes: dict[str, object] = {
            "streamer_id": str(self.streamer),
            "amount": money(amount),
            "method": "wallet" if wallet else "bank_card",
            "return_url": RETURN_URL,
        }
        if wallet:
            attributes["use_wallet"] = True
        body = {"data": {"type": "donation", "attributes": attributes}}
        self.started(self.post("/donations", body, user_id), user_id)

    @rule(
        user=st.integers(0, USERS - 1),
        kind=st.sampled_from(["full", "partial"]),
        saved=st.booleans(),
    )
    def preorder(self, user: int, kind: str, saved: bool) -> None:
        """A preorder paid in full or in part (the remainder charged to the saved card at the
        release), at the provider's page or with the saved card at once."""
        user_id = self.users[user]
        game_id = self.upcoming[0]
        body = {
            "data": {
                "type": "preorderCreation",
                "attributes": {
                    "game_id": str(game_id),
                    "region": "RU",
                    "currency": "RUB",
                    "prepayment": kind,
                    "method": self.method_of(user_id, saved),
                    "return_url": RETURN_URL,
                },
            }
        }
        response = self.post("/preorders", body, user_id)
        if response.status_code != 201:
            assert response.status_code in (400, 404, 409, 422), response.text
            return
        data = response.json()["data"]
        attributes = data["attributes"]
        payment_id = attributes["prepayment_payment_id"]
        preorder = TrackedPreorder(
            id=uuid.UUID(data["id"]),
            user_id=user_id,
            game_id=game_id,
            prepayment_minor=attributes["prepayment_amount"]["amount_minor"],
            payment_id=uuid.UUID(payment_id) if payment_id else None,
        )
        self.preorders[preorder.id] = preorder
        if preorder.payment_id is not None:
            self.remember(preorder.payment_id, attributes.get("confirmation_url"))

    # -- the sandbox and its notifications ---------------------------------------------------
    @rule(index=st.integers(0, 10_000))
    def pay_at_sandbox(self, index: int) -> None:
        """The buyer pays at the provider's page; its notifications reach the app."""
        payments = self.pending()
        if not payments:
            return
        payment = payments[index % len(payments)]
        self.movers = {payment.user_id}

        async def paid() -> int:
            async with httpx.AsyncClient() as browser:
                answer = await browser.get(payment.confirmation_url or "", follow_redirects=False)
            return answer.status_code

        assert self.w.run(paid()) == 303
        self.replay(payment)
        self.refresh()

    @rule(
        index=st.integers(0, 10_000),
        order=st.sampled_from(["sent", "reversed", "shuffled"]),
        repeat=st.integers(1, 3),
    )
    def redeliver(self, index: int, order: str, repeat: int) -> None:
        """The provider's notifications again: duplicated and out of order."""
        payments = self.at_provider()
        if not payments:
            return
        self.replay(payments[index % len(payments)], order, repeat)
        self.refresh()

    @rule(index=st.integers(0, 10_000), victim=st.integers(0, 10_000))
    def forged(self, index: int, victim: int) -> None:
        """A notification whose body was changed after signing, or that is not signed."""
        payments = self.at_provider()
        if not payments:
            return
        source = payments[index % len(payments)]
        target = payments[victim % len(payments)]
        self.movers = set()
        body = json.dumps(
            {
                "type": "notification",
                "event": "payment.succeeded",
                "object": {
                    "id": source.provider_payment_id,
                    "status": "succeeded",
                    "metadata": {"payment_id": str(target.id)},
                },
            }
        ).encode()
        wrong = body_signature(body, "a-guessed-secret")
        for signature in (wrong, None):
            assert self.deliver(body, signature).status_code == 401

    @rule(victim=st.integers(0, 10_000), source=st.integers(0, 10_000))
    def mismatched(self, victim: int, source: int) -> None:
        """A signed notification whose object is another payment's provider payment (maybe a
        paid one) and whose metadata names a pending payment."""
        targets = self.pending()
        if not targets:
            return
        target = targets[victim % len(targets)]
        others = [p for p in self.at_provider() if p.id != target.id]
        if not others:
            return
        chosen = others[source % len(others)]
        self.movers = set()
        assert chosen.provider_payment_id is not None
        response = self.signed(chosen.provider_payment_id, target.id)
        assert response.status_code == 200, response.text  # taken: the provider stops retrying
        self.refresh()

    @rule(victim=st.integers(0, 10_000), delta=st.sampled_from([-100, 100, 1_000_000]))
    def other_amount(self, victim: int, delta: int) -> None:
        """A provider payment of another amount, paid, named in a signed notification about
        a pending payment."""
        targets = self.pending()
        if not targets:
            return
        target = targets[victim % len(targets)]
        self.movers = set()
        amount = max(100, target.amount_minor - target.wallet_minor + delta)

        async def paid_elsewhere() -> str:
            created = await self.w.adapter.create_payment(
                ProviderPaymentRequest(
                    payment_id=uuid.uuid4(),  # names nothing of ours (no notification applies)
                    amount=Money(amount, "RUB"),
                    description="state machine: another amount",
                    return_url=RETURN_URL,
                    method=PaymentMethod.BANK_CARD,
                ),
                str(uuid.uuid4()),
            )
            async with httpx.AsyncClient() as browser:
                answer = await browser.get(created.confirmation_url or "", follow_redirects=False)
            assert answer.status_code == 303
            return created.provider_payment_id

        provider_payment_id = self.w.run(paid_elsewhere())
        response = self.signed(provider_payment_id, target.id)
        assert response.status_code == 200, response.text  # taken: the provider stops retrying
        self.refresh()

    # -- refunds -----------------------------------------------------------------------------
    def refundable(self) -> list[Tracked]:
        return [
            p
            for p in self.payments.values()
            if p.status == "succeeded" and p.purpose in ("game_purchase", "donation")
        ]

    @rule(
        index=st.integers(0, 10_000),
        destination=st.sampled_from(["original_method", "wallet"]),
        stranger=st.booleans(),
    )
    def refund(self, index: int, destination: str, stranger: bool) -> None:
        payments = self.refundable()
        if not payments:
            return
        payment = payments[index % len(payments)]
        requester = payment.user_id
        if stranger:
            requester = next(u for u in self.users if u != payment.user_id)
        body = {
            "data": {
                "type": "refundRequest",
                "attributes": {"reason": "customer_request", "destination": destination},
            }
        }
        response = self.post(f"/{payment.id}/refunds", body, requester)
        if stranger:
            assert response.status_code == 404, response.text
        else:
            assert response.status_code in (200, 201, 409, 422), response.text
        self.refresh()

    @rule(index=st.integers(0, 10_000), stranger=st.booleans())
    def cancel_preorder(self, index: int, stranger: bool) -> None:
        """Its owner cancels a preorder (its prepayment goes back); for anyone else it does
        not exist."""
        preorders = list(self.preorders.values())
        if not preorders:
            return
        preorder = preorders[index % len(preorders)]
        requester = preorder.user_id
        if stranger:
            requester = next(u for u in self.users if u != preorder.user_id)
        response = self.post(f"/preorders/{preorder.id}/cancel", None, requester)
        if stranger:
            assert response.status_code == 404, response.text
        else:
            assert response.status_code in (200, 409, 422), response.text
        self.refresh()

    # -- what the attacker tries -------------------------------------------------------------
    @rule(
        attacker=st.integers(0, USERS - 1),
        index=st.integers(0, 10_000),
        amount=st.sampled_from([100, 1_000]),
    )
    def pay_a_preorder_through_payments(self, attacker: int, index: int, amount: int) -> None:
        """Item 1: a preorder paid off through ``POST /payments`` for a token amount, by its
        owner or by someone else; paid at once if it is started."""
        preorders = list(self.preorders.values())
        if not preorders:
            return
        target = preorders[index % len(preorders)]
        user_id = self.users[attacker]
        body = self.payment_body(
            "preorder", amount, reference=str(target.id), game_id=str(target.game_id)
        )
        self.started(self.post("", body, user_id), user_id, forbidden=True)

    @rule(
        attacker=st.integers(0, USERS - 1),
        victim=st.integers(1, USERS - 1),
        purpose=st.sampled_from(["wallet_top_up", "game_purchase"]),
    )
    def pay_with_another_players_card(self, attacker: int, victim: int, purpose: str) -> None:
        """A payment charged to another player's saved card (its id as the method)."""
        user_id = self.users[attacker]
        card = self.saved.get(self.users[(attacker + victim) % USERS])
        if card is None:
            return
        if purpose == "wallet_top_up":
            body = self.payment_body(purpose, TOP_UPS[0], method=card)
        else:
            body = self.payment_body(purpose, GAME_PRICE, method=card, game_id=str(self.game_id))
        self.started(self.post("", body, user_id), user_id, forbidden=True)

    @rule(user=st.integers(0, USERS - 1), amount=st.sampled_from([100, 2_000_000]))
    def top_up_past_the_limits(self, user: int, amount: int) -> None:
        """Item 2: a top-up through ``POST /payments`` below the minimum or above the maximum."""
        user_id = self.users[user]
        body = self.payment_body("wallet_top_up", amount)
        self.started(self.post("", body, user_id), user_id, forbidden=True)

    @rule(
        user=st.integers(0, USERS - 1),
        purpose=st.sampled_from(["subscription", "greenlight_fee"]),
    )
    def start_a_service_purpose(self, user: int, purpose: str) -> None:
        """Item 3: a user starts a payment only a service may start."""
        user_id = self.users[user]
        body = self.payment_body(purpose, 1, reference=f"subscription:{uuid.uuid4()}")
        self.started(self.post("", body, user_id), user_id, forbidden=True)

    @rule(user=st.integers(0, USERS - 1))
    def buy_an_unpublished_game(self, user: int) -> None:
        """Item 7: a priced game that was never published is bought."""
        user_id = self.users[user]
        body = self.payment_body("game_purchase", GAME_PRICE, game_id=str(self.upcoming[0]))
        self.started(self.post("", body, user_id), user_id, forbidden=True)

    # -- the release -------------------------------------------------------------------------
    @rule()
    def release(self) -> None:
        """developer-portal publishes the preordered game; the release job runs."""
        if not self.preorders:
            return
        infrastructure = self.w.infrastructure
        game_id, developer_id = self.upcoming
        self.movers = {p.user_id for p in self.preorders.values() if p.game_id == game_id}
        self.w.run(publish(infrastructure, game_id, developer_id))
        self.w.run(run_preorder_release(preorder_release(infrastructure)))
        self.upcoming = self.w.run(
            announced_game(infrastructure, GAME_PRICE, title="Конечный автомат")
        )
        self.refresh()

    # -- after every step --------------------------------------------------------------------
    @invariant()
    def ledger_is_green(self) -> None:
        found = self.w.run(ledger_offenders(self.w.infrastructure))
        new = {c: n for c, n in found.items() if n > self.w.baseline.get(c, 0)}
        assert not new, f"ledger check: new violations {new}"

    async def unknown_payments(self) -> list[Any]:
        """The players' payments the machine did not start (a preorder's remainder)."""
        async with self.w.infrastructure.session_factory() as session:
            found = await session.execute(
                text(
                    "SELECT id, user_id, purpose, reference FROM payments"
                    " WHERE user_id = ANY(:users) AND NOT id = ANY(:known)"
                ),
                {"users": self.users, "known": list(self.payments)},
            )
            return list(found)

    async def cards_of_others(self) -> list[Any]:
        """Payments charged to a saved card of someone other than their payer."""
        async with self.w.infrastructure.session_factory() as session:
            found = await session.execute(
                text(
                    "SELECT p.id, p.user_id, m.user_id AS card_owner FROM payments p"
                    " JOIN saved_methods m ON m.id = p.saved_method_id"
                    " WHERE p.user_id = ANY(:users) AND m.user_id <> p.user_id"
                ),
                {"users": self.users},
            )
            return list(found)

    def adopt_remainders(self) -> None:
        """A payment of a player the machine did not start is the remainder the release
        charged for the payer's own preorder, and is followed from now on."""
        for row in self.w.run(self.unknown_payments()):
            ours = {str(p.id): p for p in self.preorders.values()}
            preorder = ours.get(row.reference)
            assert row.purpose == "preorder" and preorder is not None, row
            assert preorder.user_id == row.user_id, row
            self.remember(row.id, None)

    @invariant()
    def payments_settle_only_what_they_were_created_for(self) -> None:
        self.adopt_remainders()
        assert self.w.run(self.cards_of_others()) == []
        if not self.payments:
            return
        rows = self.w.run(self.rows(list(self.payments)))
        for payment_id, tracked in self.payments.items():
            row = rows[payment_id]
            now = (row["user_id"], row["purpose"], row["reference"], row["game_id"])
            assert now == (tracked.user_id, tracked.purpose, tracked.reference, tracked.game_id)
            assert row["amount_minor"] == tracked.amount_minor, row
            assert row["provider_payment_id"] == tracked.provider_payment_id, (
                f"payment {payment_id}: provider payment {row['provider_payment_id']}, created "
                f"with {tracked.provider_payment_id}"
            )
            if row["status"] != "succeeded":
                continue
            if tracked.purpose == "wallet_top_up":
                assert 10_000 <= tracked.amount_minor <= 1_500_000, row
            if payment_id not in self.verified:
                self.verify_at_provider(row)
                self.verified.add(payment_id)

    def verify_at_provider(self, row: dict[str, Any]) -> None:
        """A succeeded payment's provider part was paid by its own provider payment."""
        provider_part = (
            row["amount_minor"] - row["wallet_amount_minor"] - row["gift_card_amount_minor"]
        )
        if provider_part == 0:
            assert row["provider_payment_id"] is None, row
            return
        provider_payment_id = row["provider_payment_id"]
        assert provider_payment_id is not None, row

        async def view() -> dict[str, Any]:
            async with httpx.AsyncClient(base_url=SANDBOX) as sandbox:
                answer = await sandbox.get(f"/sandbox/payments/yookassa/{provider_payment_id}")
            assert answer.status_code == 200, answer.text
            provider_object: dict[str, Any] = answer.json()["provider_object"]
            return provider_object

        paid = self.w.run(view())
        assert paid["status"] == "succeeded", (row, paid)
        assert paid["amount"] == {"value": yookassa_value(provider_part), "currency": "RUB"}, (
            row,
            paid["amount"],
        )
        assert paid["metadata"].get("payment_id") == str(row["id"]), (row, paid["metadata"])

    @invariant()
    def preorders_are_paid_by_their_own_payments(self) -> None:
        if not self.preorders:
            return
        self.adopt_remainders()
        ours = {p.payment_id: p for p in self.preorders.values() if p.payment_id}
        for tracked in self.payments.values():
            if tracked.purpose != "preorder" or tracked.status != "succeeded":
                continue
            preorder = ours.get(tracked.id)
            if preorder is None:  # a remainder: of its payer's own preorder (checked above)
                assert tracked.reference is not None
                preorder = self.preorders[uuid.UUID(tracked.reference)]
                assert tracked.user_id == preorder.user_id
                continue
            assert tracked.user_id == preorder.user_id
            assert tracked.reference == str(preorder.id)
            assert tracked.amount_minor == preorder.prepayment_minor

        async def stored() -> list[Any]:
            async with self.w.infrastructure.session_factory() as session:
                found = await session.execute(
                    text(
                        "SELECT id, user_id, status, prepayment_payment_id, remainder_payment_id,"
                        " price_minor FROM preorders"
                        " WHERE id = ANY(:ids)"
                    ),
                    {"ids": list(self.preorders)},
                )
                return list(found)

        for row in self.w.run(stored()):
            preorder = self.preorders[row.id]
            assert row.user_id == preorder.user_id
            assert row.prepayment_payment_id == preorder.payment_id, row
            if row.status in ("prepaid", "completed"):
                payment = self.payments[preorder.payment_id]  # type: ignore[index]
                assert payment.status == "succeeded", (row, payment)
            if row.status == "completed":  # the prepayment and the remainder make the price
                paid = preorder.prepayment_minor
                if row.remainder_payment_id is not None:
                    remainder = self.payments[row.remainder_payment_id]
                    assert remainder.status == "succeeded", (row, remainder)
                    assert remainder.user_id == preorder.user_id, (row, remainder)
                    assert remainder.reference == str(preorder.id), (row, remainder)
                    paid += remainder.amount_minor
                assert paid == row.price_minor, row

    @invariant()
    def wallets_move_only_by_their_owners(self) -> None:
        for user_id in self.users:
            answer = self.w.run(
                self.w.client.get(f"{PAYMENTS}/wallet", headers=self.w.auth(user_id))
            )
            assert answer.status_code == 200, answer.text
            balance = answer.json()["data"]["attributes"]["balance"]["amount_minor"]
            if user_id not in self.movers:
                assert balance == self.balances[user_id], (
                    f"wallet of {user_id} moved from {self.balances[user_id]} to {balance} "
                    f"by another user's action"
                )
            assert balance == self.w.run(self.own_doing(user_id)), user_id
            self.balances[user_id] = balance
        self.movers = set()

    async def own_doing(self, user_id: uuid.UUID) -> int:
        """The balance the user's own settled top-ups, wallet spends and refunds make."""
        async with self.w.infrastructure.session_factory() as session:
            found = await session.execute(
                text(
                    "SELECT coalesce((SELECT sum(amount_minor) FROM payments WHERE user_id = :u"
                    "   AND purpose = 'wallet_top_up' AND status = 'succeeded'), 0)"
                    " - coalesce((SELECT sum(wallet_amount_minor) FROM payments"
                    "   WHERE user_id = :u AND status = 'succeeded'), 0)"
                    " + coalesce((SELECT sum(to_wallet_minor) FROM refunds WHERE user_id = :u"
                    "   AND status = 'succeeded'), 0)"
                ),
                {"u": user_id},
            )
            return int(found.scalar_one())


def test_payment_state_machine() -> None:
    global WORLD
    loop = asyncio.new_event_loop()
    try:
        WORLD = loop.run_until_complete(open_world(loop))
        try:
            run_state_machine_as_test(
                PaymentMachine,
                settings=settings(
                    max_examples=10 * SCALE,
                    stateful_step_count=20,
                    deadline=None,
                    derandomize=True,
                    suppress_health_check=list(HealthCheck),
                    database=None,
                ),
            )
        finally:
            loop.run_until_complete(WORLD.stack.aclose())
            WORLD = None
    finally:
        loop.close()


pytestmark = pytest.mark.timeout(240 * SCALE)
