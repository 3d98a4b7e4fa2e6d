"""Settlement cross-checks (issue #12, item 4): a provider's answer settles a payment only if it
is that payment (the provider's id stored at creation), for its money (amount and currency of
the card part), for a reference the payer may pay. A mismatch moves nothing (no posting, no
change of the payment or of its preorder), is audited, counted, and answered as taken (200) so
the provider stops retrying. The domain rule alone first, then every path on the real engines:
a forged-but-signed YooKassa notification (the issue's example), the confirming GET's answer
applied as the polling job applies it."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from chargebacks_support import taken_at_sandbox
from ledger_support import ledger_violations, net_credits
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.clients.providers.registry import provider_registry
from parovoz_payment.clients.providers.signatures import (
    SIGNATURE_HEADER,
    body_signature,
    tbank_token,
)
from parovoz_payment.db.audit import audit_log
from parovoz_payment.db.donations import SqlDonations
from parovoz_payment.db.payments import SqlPayments
from parovoz_payment.db.preorders import SqlPreorders
from parovoz_payment.domain.donations import new_donation
from parovoz_payment.domain.methods import MethodChoice, PaymentMethod, Provider
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_creation import start_payment
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose, PaymentStatus
from parovoz_payment.domain.payments import Payment
from parovoz_payment.domain.preorders import (
    PART_METADATA,
    PREPAYMENT_PART,
    Preorder,
    PreorderRules,
    PreorderStatus,
    PrepaymentKind,
    new_preorder,
)
from parovoz_payment.domain.providers import ProviderPayment, ProviderPaymentRequest
from parovoz_payment.domain.settlement import (
    MismatchReason,
    ReferenceFacts,
    preorder_facts,
    settlement_mismatch,
)
from parovoz_payment.use_cases.donations import streamer_balance
from parovoz_payment.use_cases.expiry import expire_payment
from parovoz_payment.use_cases.payment_confirmation import apply_confirmed_status
from prometheus_client import REGISTRY
from sqlalchemy import select

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def rub(minor: int) -> Money:
    return Money(minor, "RUB")


def a_payment(
    minor: int = 10_000,
    *,
    provider_id: str | None = "yk-1",
    purpose: PaymentPurpose = PaymentPurpose.WALLET_TOP_UP,
    user_id: uuid.UUID | None = None,
    reference: str | None = None,
    metadata: dict[str, str] | None = None,
    game_id: uuid.UUID | None = None,
    now: datetime = NOW,
) -> Payment:
    payment = start_payment(
        user_id=user_id or uuid.uuid4(),
        purpose=purpose,
        amount=rub(minor),
        region="RU",
        now=now,
        choice=MethodChoice(PaymentMethod.BANK_CARD),
        reference=reference,
        metadata=metadata,
        game_id=game_id,
    )
    if provider_id is not None:
        payment = payment.assign_provider(Provider.YOOKASSA, provider_id, now)
    return payment


def report(
    provider_id: str = "yk-1",
    money: Money | None = None,
    status: PaymentStatus = PaymentStatus.SUCCEEDED,
    *,
    provider: Provider = Provider.YOOKASSA,
    order_id: uuid.UUID | None = None,
) -> ProviderPayment:
    return ProviderPayment(provider, provider_id, status, money or rub(10_000), order_id=order_id)


# -- the domain rule -----------------------------------------------------------------------
def test_the_payments_own_provider_payment_for_its_money_settles() -> None:
    assert settlement_mismatch(a_payment(), report(), None) is None


@pytest.mark.parametrize(
    ("confirmed", "reason"),
    [
        (report("yk-2"), MismatchReason.PROVIDER_PAYMENT_ID),
        (report(provider=Provider.TBANK), MismatchReason.PROVIDER),
        (report(money=rub(9_999)), MismatchReason.AMOUNT),
        (report(money=rub(1_500_000)), MismatchReason.AMOUNT),
        (report(money=Money(10_000, "USD")), MismatchReason.CURRENCY),
        (report(status=PaymentStatus.WAITING_FOR_CAPTURE, money=rub(1)), MismatchReason.AMOUNT),
        # A cancellation moves no money, but only this payment's provider may say it.
        (report("yk-2", status=PaymentStatus.CANCELLED), MismatchReason.PROVIDER_PAYMENT_ID),
    ],
)
def test_another_provider_payment_or_other_money_is_a_mismatch(
    confirmed: ProviderPayment, reason: MismatchReason
) -> None:
    mismatch = settlement_mismatch(a_payment(), confirmed, None)
    assert mismatch is not None and mismatch.reason is reason


def test_a_cancellation_of_this_payment_is_no_mismatch_whatever_its_amount() -> None:
    cancelled = report(money=rub(1), status=PaymentStatus.CANCELLED)
    assert settlement_mismatch(a_payment(), cancelled, None) is None


def test_a_final_payment_is_checked_for_its_identity_only() -> None:
    """Nothing moves for a final payment (a duplicate is a no-op, a contradiction refused by
    the state machine): the provider's later amount is no mismatch, another payment is."""
    succeeded = a_payment().succeed(NOW)
    assert settlement_mismatch(succeeded, report(money=rub(4_000)), None) is None
    mismatch = settlement_mismatch(succeeded, report("yk-2"), None)
    assert mismatch is not None and mismatch.reason is MismatchReason.PROVIDER_PAYMENT_ID


def test_before_its_id_is_stored_only_the_providers_echo_of_our_id_proves_it() -> None:
    payment = a_payment(provider_id=None)
    assert settlement_mismatch(payment, report(order_id=payment.id), None) is None
    for echo in (None, uuid.uuid4()):
        mismatch = settlement_mismatch(payment, report(order_id=echo), None)
        assert mismatch is not None and mismatch.reason is MismatchReason.PROVIDER_PAYMENT_ID


def test_only_the_card_part_is_asked_of_the_provider() -> None:
    payment = start_payment(
        user_id=uuid.uuid4(),
        purpose=PaymentPurpose.DONATION,
        amount=rub(10_000),
        region="RU",
        now=NOW,
        wallet_amount=rub(3_000),
    ).assign_provider(Provider.YOOKASSA, "yk-1", NOW)
    assert settlement_mismatch(payment, report(money=rub(7_000)), None) is None
    mismatch = settlement_mismatch(payment, report(money=rub(10_000)), None)
    assert mismatch is not None and mismatch.reason is MismatchReason.AMOUNT


@pytest.mark.parametrize(
    ("reference", "reason"),
    [
        (ReferenceFacts("donation", None, accepts=False), MismatchReason.REFERENCE_UNKNOWN),
        (ReferenceFacts("donation", uuid.uuid4(), accepts=True), MismatchReason.REFERENCE_OWNER),
    ],
)
def test_a_reference_of_nothing_or_of_someone_else_is_a_mismatch(
    reference: ReferenceFacts, reason: MismatchReason
) -> None:
    mismatch = settlement_mismatch(a_payment(), report(), reference)
    assert mismatch is not None and mismatch.reason is reason


def a_preorder(user_id: uuid.UUID, price_minor: int = 50_000) -> Preorder:
    return new_preorder(
        user_id=user_id,
        game_id=uuid.uuid4(),
        region="RU",
        price=rub(price_minor),
        kind=PrepaymentKind.FULL,
        rules=PreorderRules(),
        now=NOW,
    )


def preorder_payment(preorder: Preorder, minor: int, user_id: uuid.UUID) -> Payment:
    return a_payment(
        minor,
        purpose=PaymentPurpose.PREORDER,
        user_id=user_id,
        reference=str(preorder.id),
        metadata={PART_METADATA: PREPAYMENT_PART},
        game_id=preorder.game_id,
    )


def test_a_preorder_accepts_its_owners_prepayment_of_its_own_amount_only() -> None:
    owner = uuid.uuid4()
    preorder = a_preorder(owner)
    own = preorder_payment(preorder, 50_000, owner)
    assert preorder_facts(preorder, own) == ReferenceFacts("preorder", owner, accepts=True)
    # 1.00 RUB for a 500.00 RUB preorder; another user's payment; a preorder that is gone.
    assert not preorder_facts(preorder, preorder_payment(preorder, 100, owner)).accepts
    other = preorder_payment(preorder, 50_000, uuid.uuid4())
    mismatch = settlement_mismatch(
        other, report(money=rub(50_000)), preorder_facts(preorder, other)
    )
    assert mismatch is not None and mismatch.reason is MismatchReason.REFERENCE_OWNER
    assert preorder_facts(None, own).owner_id is None
    # Linked to its own prepayment: a second payment of the same amount is not taken.
    linked = replace(preorder, prepayment_payment_id=own.id, status=PreorderStatus.PREPAID)
    assert preorder_facts(linked, own).accepts
    assert not preorder_facts(linked, preorder_payment(preorder, 50_000, owner)).accepts


# -- on the real engines -------------------------------------------------------------------
def mismatches(provider: str, reason: MismatchReason) -> float:
    value = REGISTRY.get_sample_value(
        "payment_settlement_mismatches_total", {"provider": provider, "reason": reason.value}
    )
    return value or 0.0


async def stored(infrastructure: Infrastructure, payment_id: uuid.UUID) -> Payment:
    async with infrastructure.session_factory() as session:
        found = await SqlPayments(session).get(payment_id)
    assert found is not None
    return found.payment


async def add(infrastructure: Infrastructure, payment: Payment) -> Payment:
    async with infrastructure.session_factory.begin() as session:
        await SqlPayments(session).add(payment)
    return payment


async def refusals(infrastructure: Infrastructure, payment_id: uuid.UUID) -> list[dict]:
    async with infrastructure.session_factory() as session:
        rows = await session.execute(
            select(audit_log.c.after)
            .where(
                audit_log.c.subject_id == str(payment_id),
                audit_log.c.action == "payment.settlement_refused",
            )
            .order_by(audit_log.c.id)
        )
        return list(rows.scalars())


def signed_notification(
    infrastructure: Infrastructure, provider_id: str, names: uuid.UUID, minor: int
) -> tuple[bytes, dict[str, str]]:
    """A YooKassa ``payment.succeeded`` about ``provider_id`` whose metadata names ``names``,
    signed as the sandbox signs (a valid signature: only the content lies)."""
    body = json.dumps(
        {
            "type": "notification",
            "event": "payment.succeeded",
            "object": {
                "id": provider_id,
                "status": "succeeded",
                "paid": True,
                "amount": {"value": f"{minor // 100}.{minor % 100:02d}", "currency": "RUB"},
                "metadata": {"payment_id": str(names)},
            },
        }
    ).encode()
    secret = infrastructure.settings.providers.webhook_secret.get_secret_value()  # type: ignore[attr-defined]
    return body, {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: body_signature(body, secret),
    }


async def test_a_paid_100_rub_top_ups_notification_naming_a_pending_15000_rub_one_settles_none(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    """The issue's example: the object is a paid 100.00 RUB top-up at YooKassa, the metadata
    names another, pending 15,000.00 RUB top-up of ours."""
    now = infrastructure.clock.now()
    user_id = uuid.uuid4()
    small = a_payment(10_000, provider_id=None, user_id=user_id, now=now)
    small_at_provider = await taken_at_sandbox(infrastructure, small.id, 10_000)
    small = await add(
        infrastructure, small.assign_provider(Provider.YOOKASSA, small_at_provider, now)
    )
    big = await add(
        infrastructure,
        a_payment(1_500_000, provider_id=f"yk-{uuid.uuid4()}", user_id=user_id, now=now),
    )
    counted = mismatches("yookassa", MismatchReason.PROVIDER_PAYMENT_ID)

    body, headers = signed_notification(infrastructure, small_at_provider, big.id, 10_000)
    for _ in range(3):  # the provider's retries: every one answered as taken
        answer = await client.post("/webhooks/yookassa", content=body, headers=headers)
        assert answer.status_code == 200, answer.text

    assert (await stored(infrastructure, big.id)).status is PaymentStatus.PENDING
    assert (await stored(infrastructure, small.id)).status is PaymentStatus.PENDING
    assert await net_credits(infrastructure, big.id) == {}
    assert await net_credits(infrastructure, small.id) == {}
    [refusal] = await refusals(infrastructure, big.id)  # audited once, counted every time
    assert refusal["reason"] == "provider_payment_id"
    assert refusal["reported_provider_payment_id"] == small_at_provider
    assert refusal["settled"] is False
    assert mismatches("yookassa", MismatchReason.PROVIDER_PAYMENT_ID) == counted + 3
    assert await ledger_violations(infrastructure) == []

    # The true notification of the 100.00 RUB top-up settles that one, for its 100.00 RUB.
    body, headers = signed_notification(infrastructure, small_at_provider, small.id, 10_000)
    answer = await client.post("/webhooks/yookassa", content=body, headers=headers)
    assert answer.status_code == 200, answer.text
    assert (await stored(infrastructure, small.id)).status is PaymentStatus.SUCCEEDED
    assert (await net_credits(infrastructure, small.id))["user_wallet"] == 10_000
    assert (await stored(infrastructure, big.id)).status is PaymentStatus.PENDING
    assert await ledger_violations(infrastructure) == []


async def test_a_provider_payment_of_another_amount_settles_nothing(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    """The provider took 100.00 RUB for the payment we created for 200.00 RUB (the confirming
    GET says so): not settled, neither for 200.00 nor for 100.00."""
    now = infrastructure.clock.now()
    payment = a_payment(20_000, provider_id=None, now=now)
    at_provider = await taken_at_sandbox(infrastructure, payment.id, 10_000)
    payment = await add(
        infrastructure, payment.assign_provider(Provider.YOOKASSA, at_provider, now)
    )
    counted = mismatches("yookassa", MismatchReason.AMOUNT)

    body, headers = signed_notification(infrastructure, at_provider, payment.id, 20_000)
    answer = await client.post("/webhooks/yookassa", content=body, headers=headers)
    assert answer.status_code == 200, answer.text

    assert (await stored(infrastructure, payment.id)).status is PaymentStatus.PENDING
    assert await net_credits(infrastructure, payment.id) == {}
    [refusal] = await refusals(infrastructure, payment.id)
    assert (refusal["reason"], refusal["expected"], refusal["reported"]) == (
        "amount",
        "20000",
        "10000",
    )
    assert mismatches("yookassa", MismatchReason.AMOUNT) == counted + 1
    assert await ledger_violations(infrastructure) == []


async def test_a_confirmed_status_in_another_currency_settles_nothing(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    """The polling path (the expiry job applies the confirming GET's answer the same way)."""
    payment = await add(
        infrastructure,
        a_payment(20_000, provider_id=f"yk-{uuid.uuid4()}", now=infrastructure.clock.now()),
    )
    counted = mismatches("yookassa", MismatchReason.CURRENCY)
    confirmed = report(str(payment.provider_payment_id), Money(20_000, "USD"))

    result = await apply_confirmed_status(
        infrastructure.unit_of_work, infrastructure.clock, payment.id, confirmed
    )

    assert result.status is PaymentStatus.PENDING
    after = await stored(infrastructure, payment.id)
    assert (after.status, after.updated_at) == (PaymentStatus.PENDING, payment.updated_at)
    assert await net_credits(infrastructure, payment.id) == {}
    [refusal] = await refusals(infrastructure, payment.id)
    assert refusal["reason"] == "currency"
    assert mismatches("yookassa", MismatchReason.CURRENCY) == counted + 1
    scraped = (await client.get("/metrics")).text  # what Prometheus scrapes
    assert 'payment_settlement_mismatches_total{provider="yookassa",reason="currency"}' in scraped
    assert await ledger_violations(infrastructure) == []


async def test_another_users_payment_naming_a_preorder_changes_nothing(
    infrastructure: Infrastructure,
) -> None:
    now = infrastructure.clock.now()
    owner, stranger = uuid.uuid4(), uuid.uuid4()
    preorder = new_preorder(
        user_id=owner,
        game_id=uuid.uuid4(),
        region="RU",
        price=rub(50_000),
        kind=PrepaymentKind.FULL,
        rules=PreorderRules(),
        now=now,
    )
    async with infrastructure.session_factory.begin() as session:
        await SqlPreorders(session).add(preorder)

    async def settle_for(user_id: uuid.UUID, minor: int) -> Payment:
        payment = await add(
            infrastructure,
            a_payment(
                minor,
                provider_id=f"yk-{uuid.uuid4()}",
                purpose=PaymentPurpose.PREORDER,
                user_id=user_id,
                reference=str(preorder.id),
                metadata={"preorder_id": str(preorder.id), PART_METADATA: PREPAYMENT_PART},
                game_id=preorder.game_id,
                now=now,
            ),
        )
        confirmed = report(str(payment.provider_payment_id), rub(minor))
        return await apply_confirmed_status(
            infrastructure.unit_of_work, infrastructure.clock, payment.id, confirmed
        )

    async def current() -> Preorder:
        async with infrastructure.session_factory() as session:
            found = await SqlPreorders(session).get(preorder.id)
        assert found is not None
        return found

    owners_refused = mismatches("yookassa", MismatchReason.REFERENCE_OWNER)
    states_refused = mismatches("yookassa", MismatchReason.REFERENCE_STATE)
    # Another user's payment of the full price; the owner's own 1.00 RUB payment.
    stranger_pays = await settle_for(stranger, 50_000)
    one_rouble = await settle_for(owner, 100)

    for refused, reason in (
        (stranger_pays, "reference_owner"),
        (one_rouble, "reference_state"),
    ):
        assert refused.status is PaymentStatus.PENDING
        assert (await stored(infrastructure, refused.id)).status is PaymentStatus.PENDING
        assert await net_credits(infrastructure, refused.id) == {}
        assert [r["reason"] for r in await refusals(infrastructure, refused.id)] == [reason]
    untouched = await current()  # still awaiting its prepayment, linked to nothing
    assert untouched.status is PreorderStatus.AWAITING_PREPAYMENT
    assert untouched.prepayment_payment_id is None and untouched.updated_at == preorder.updated_at
    assert mismatches("yookassa", MismatchReason.REFERENCE_OWNER) == owners_refused + 1
    assert mismatches("yookassa", MismatchReason.REFERENCE_STATE) == states_refused + 1
    assert await ledger_violations(infrastructure) == []

    # The owner's prepayment of the preorder's own amount is taken.
    paid = await settle_for(owner, 50_000)
    assert paid.status is PaymentStatus.SUCCEEDED
    after = await current()
    assert after.status is PreorderStatus.PREPAID and after.prepayment_payment_id == paid.id
    assert (await net_credits(infrastructure, paid.id))["preorder_advance"] == 50_000
    assert await ledger_violations(infrastructure) == []


async def test_a_tbank_notification_naming_another_order_settles_nothing(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    """T-Bank's variant of the issue's example: a signed notification about a paid 100.00 RUB
    payment whose ``OrderId`` names our pending 15,000.00 RUB top-up. Answered ``OK``."""
    now = infrastructure.clock.now()
    tbank = provider_registry(infrastructure).get(Provider.TBANK)
    small_id = uuid.uuid4()
    created = await tbank.create_payment(
        ProviderPaymentRequest(
            payment_id=small_id,
            amount=rub(10_000),
            description="settlement cross-check test",
            return_url="http://127.0.0.1:9/return",
            method=PaymentMethod.BANK_CARD,
        ),
        str(uuid.uuid4()),
    )
    async with httpx.AsyncClient() as browser:  # the buyer pays on the sandbox's page
        page = await browser.get(created.confirmation_url or "", follow_redirects=False)
    assert page.status_code == 303, page.text
    big = start_payment(
        user_id=uuid.uuid4(),
        purpose=PaymentPurpose.WALLET_TOP_UP,
        amount=rub(1_500_000),
        region="RU",
        now=now,
        choice=MethodChoice(PaymentMethod.BANK_CARD),
    ).assign_provider(Provider.TBANK, str(uuid.uuid4().int % 10**12), now)
    await add(infrastructure, big)
    counted = mismatches("tbank", MismatchReason.PROVIDER_PAYMENT_ID)

    providers = infrastructure.settings.providers  # type: ignore[attr-defined]
    params: dict[str, object] = {
        "TerminalKey": providers.tbank_terminal_key,
        "OrderId": str(big.id),
        "Success": True,
        "Status": "CONFIRMED",
        "PaymentId": int(created.provider_payment_id),
        "ErrorCode": "0",
        "Amount": 1_500_000,
    }
    params["Token"] = tbank_token(params, providers.tbank_password.get_secret_value())
    answer = await client.post("/webhooks/tbank", json=params)
    assert (answer.status_code, answer.text) == (200, "OK")

    assert (await stored(infrastructure, big.id)).status is PaymentStatus.PENDING
    assert await net_credits(infrastructure, big.id) == {}
    [refusal] = await refusals(infrastructure, big.id)
    assert refusal["reason"] == "provider_payment_id"
    assert refusal["reported_amount_minor"] == 10_000  # what T-Bank's GetState confirmed
    assert mismatches("tbank", MismatchReason.PROVIDER_PAYMENT_ID) == counted + 1
    assert await ledger_violations(infrastructure) == []


async def test_the_expiry_jobs_polling_settles_no_other_amount_and_audits_it_once(
    infrastructure: Infrastructure,
) -> None:
    """A pending payment past its hour: the job asks the provider, which took 100.00 RUB for
    our 200.00 RUB payment. Neither settled nor cancelled (the money is at the provider: a
    person decides), audited once however often the job runs, counted every time."""
    clock = infrastructure.clock
    created_at = clock.now() - timedelta(hours=2)
    payment = a_payment(20_000, provider_id=None, now=created_at)
    at_provider = await taken_at_sandbox(infrastructure, payment.id, 10_000)
    payment = await add(
        infrastructure, payment.assign_provider(Provider.YOOKASSA, at_provider, created_at)
    )
    counted = mismatches("yookassa", MismatchReason.AMOUNT)
    providers = provider_registry(infrastructure)

    for _ in range(2):
        result = await expire_payment(infrastructure.unit_of_work, providers, clock, payment.id)
        assert result.status is PaymentStatus.PENDING

    assert (await stored(infrastructure, payment.id)).status is PaymentStatus.PENDING
    assert await net_credits(infrastructure, payment.id) == {}
    [refusal] = await refusals(infrastructure, payment.id)
    assert (refusal["reason"], refusal["reported_amount_minor"]) == ("amount", 10_000)
    assert mismatches("yookassa", MismatchReason.AMOUNT) == counted + 2
    assert await ledger_violations(infrastructure) == []


async def test_a_donation_settles_once_and_only_for_its_donor(
    infrastructure: Infrastructure,
) -> None:
    """Another user's payment naming a donation, and a second payment of the same donation
    after the first took the money, move nothing; the streamer is credited once."""
    now = infrastructure.clock.now()
    donor, stranger, streamer = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    donation = new_donation(
        user_id=donor, streamer_id=streamer, amount=rub(30_000), message=None, now=now
    )
    async with infrastructure.session_factory.begin() as session:
        await SqlDonations(session).add(donation)

    async def settle_for(user_id: uuid.UUID) -> Payment:
        payment = await add(
            infrastructure,
            a_payment(
                30_000,
                provider_id=f"yk-{uuid.uuid4()}",
                purpose=PaymentPurpose.DONATION,
                user_id=user_id,
                reference=donation.payment_reference,
                now=now,
            ),
        )
        confirmed = report(str(payment.provider_payment_id), rub(30_000))
        return await apply_confirmed_status(
            infrastructure.unit_of_work, infrastructure.clock, payment.id, confirmed
        )

    strangers = await settle_for(stranger)
    first = await settle_for(donor)
    again = await settle_for(donor)

    assert first.status is PaymentStatus.SUCCEEDED
    for refused, reason in ((strangers, "reference_owner"), (again, "reference_state")):
        assert refused.status is PaymentStatus.PENDING
        assert await net_credits(infrastructure, refused.id) == {}
        assert [r["reason"] for r in await refusals(infrastructure, refused.id)] == [reason]
    async with infrastructure.session_factory() as session:
        assert await streamer_balance(session, streamer) == rub(28_500)  # 30,000 less 5 %
    assert await ledger_violations(infrastructure) == []
