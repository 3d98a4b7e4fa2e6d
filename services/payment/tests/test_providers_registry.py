"""ProviderRegistry: breakers per provider and failover, with YooKassa on a closed port and
T-Bank on the running sandbox. The breaker clock is moved by hand; nothing sleeps."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from parovoz_kit.errors import BusinessRuleViolation, Unavailable
from parovoz_kit.grpc.breaker import CircuitOpen
from parovoz_payment.clients.providers import ProviderConfig, ProviderRegistry
from parovoz_payment.domain.methods import MethodChoice, PaymentMethod, Provider
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import PaymentStatus
from parovoz_payment.domain.providers import ProviderPaymentRequest

THRESHOLD = 3
RESET_SECONDS = 30.0


class ManualClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def registry(clock: ManualClock) -> AsyncIterator[ProviderRegistry]:
    config = ProviderConfig(
        yookassa_base_url="http://127.0.0.1:1",  # nothing listens: connection refused
        breaker_failure_threshold=THRESHOLD,
        breaker_reset_timeout_seconds=RESET_SECONDS,
    )
    built = ProviderRegistry.from_config(config, clock=clock)
    yield built
    await built.aclose()


def request() -> ProviderPaymentRequest:
    return ProviderPaymentRequest(
        payment_id=uuid.uuid4(),
        amount=Money(10_000, "RUB"),
        description="failover test",
        return_url="http://127.0.0.1:9/return",
        method=PaymentMethod.BANK_CARD,
    )


async def fail_yookassa(registry: ProviderRegistry, times: int) -> None:
    for _ in range(times):
        with pytest.raises(Unavailable) as caught:
            await registry.get(Provider.YOOKASSA).create_payment(request(), str(uuid.uuid4()))
        assert caught.value.code == "PROVIDER_UNAVAILABLE"


async def test_breaker_opens_and_routing_fails_over(
    registry: ProviderRegistry, clock: ManualClock
) -> None:
    assert registry.route(PaymentMethod.BANK_CARD, "RUB").name is Provider.YOOKASSA
    await fail_yookassa(registry, THRESHOLD - 1)
    assert not registry.is_open(Provider.YOOKASSA)
    await fail_yookassa(registry, 1)
    assert registry.is_open(Provider.YOOKASSA)
    with pytest.raises(CircuitOpen):
        await registry.get(Provider.YOOKASSA).get_payment("anything")

    chosen = registry.route(PaymentMethod.BANK_CARD, "RUB")
    assert chosen.name is Provider.TBANK
    created = await chosen.create_payment(request(), str(uuid.uuid4()))
    assert created.provider is Provider.TBANK and created.status is PaymentStatus.PENDING

    # Only YooKassa takes SBP, and card payments in other currencies: nothing to fail over to.
    for choice, currency in ((PaymentMethod.SBP, "RUB"), (PaymentMethod.BANK_CARD, "USD")):
        with pytest.raises(Unavailable) as caught:
            registry.route(choice, currency)
        assert caught.value.code == "NO_PROVIDER_AVAILABLE"

    # After the reset timeout, YooKassa gets one trial call; failing it opens the breaker again.
    clock.now += RESET_SECONDS
    assert registry.route(MethodChoice(method=PaymentMethod.BANK_CARD), "RUB").name is (
        Provider.YOOKASSA
    )
    await fail_yookassa(registry, 1)
    assert registry.is_open(Provider.YOOKASSA)
    assert registry.route(PaymentMethod.BANK_CARD, "RUB").name is Provider.TBANK


async def test_saved_method_routes_only_to_its_provider(
    registry: ProviderRegistry,
) -> None:
    saved = MethodChoice(saved_method_id=uuid.uuid4())
    assert registry.route(saved, "RUB", saved_with=Provider.TBANK).name is Provider.TBANK
    await fail_yookassa(registry, THRESHOLD)
    with pytest.raises(Unavailable) as caught:
        registry.route(saved, "RUB", saved_with=Provider.YOOKASSA)
    assert caught.value.code == "NO_PROVIDER_AVAILABLE"


async def test_refusals_do_not_open_the_breaker(registry: ProviderRegistry) -> None:
    tbank = registry.get(Provider.TBANK)
    for _ in range(THRESHOLD + 1):
        with pytest.raises(BusinessRuleViolation):
            await tbank.create_payment(
                ProviderPaymentRequest(
                    payment_id=uuid.uuid4(),
                    amount=Money(-5, "RUB"),  # T-Bank refuses: ErrorCode 251
                    description="refused",
                    return_url=None,
                ),
                str(uuid.uuid4()),
            )
    assert not registry.is_open(Provider.TBANK)


async def test_disabled_provider_is_never_routed_to(clock: ManualClock) -> None:
    only_tbank = ProviderRegistry.from_config(ProviderConfig(yookassa_enabled=False), clock=clock)
    try:
        assert only_tbank.providers == (Provider.TBANK,)
        assert only_tbank.route(PaymentMethod.BANK_CARD, "RUB").name is Provider.TBANK
        with pytest.raises(Unavailable) as caught:
            only_tbank.get(Provider.YOOKASSA)
        assert caught.value.code == "PROVIDER_NOT_CONFIGURED"
    finally:
        await only_tbank.aclose()
