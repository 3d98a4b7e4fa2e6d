"""The configured provider adapters, each behind its own circuit breaker, and routing.

``route`` takes the routing table's candidates for a method and currency, in order of
preference, and returns the first whose breaker is not open: when YooKassa keeps failing,
RUB card payments go to T-Bank until YooKassa's reset timeout lets a trial call through.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

from parovoz_kit.errors import ParovozError, Unavailable
from parovoz_kit.grpc.breaker import BreakerState, CircuitBreaker
from parovoz_kit.infrastructure import Infrastructure

from parovoz_payment.clients.providers.config import ProviderConfig
from parovoz_payment.clients.providers.tbank import TBankProvider
from parovoz_payment.clients.providers.yookassa import YooKassaProvider
from parovoz_payment.domain.methods import (
    MethodChoice,
    PaymentMethod,
    Provider,
    RoutingRules,
    candidate_providers,
    choose_provider,
)
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.providers import (
    PaymentProvider,
    ProviderNotification,
    ProviderPayment,
    ProviderPaymentRequest,
    ProviderRefund,
)
from parovoz_payment.domain.receipts import Receipt

T = TypeVar("T")


class GuardedProvider:
    """A :class:`PaymentProvider` whose calls pass a circuit breaker. ``Unavailable`` (down,
    timeout, 5xx) counts as a failure; a refusal is an answer, so it counts as a success."""

    def __init__(
        self,
        inner: PaymentProvider,
        *,
        failure_threshold: int,
        reset_timeout_seconds: float,
        clock: Callable[[], float],
    ) -> None:
        self.name = inner.name
        self.inner = inner
        self._clock = clock
        self._reset_timeout = reset_timeout_seconds
        self._opened_at = 0.0
        self.breaker = CircuitBreaker(
            f"payment provider {inner.name.value}",
            failure_threshold=failure_threshold,
            reset_timeout_seconds=reset_timeout_seconds,
            clock=clock,
            on_state_change=self._state_changed,
        )

    def _state_changed(self, state: BreakerState) -> None:
        if state is BreakerState.OPEN:
            self._opened_at = self._clock()

    @property
    def is_open(self) -> bool:
        """Open and still cooling down; once the reset timeout passed, a trial call may go."""
        return (
            self.breaker.state is BreakerState.OPEN
            and self._clock() - self._opened_at < self._reset_timeout
        )

    async def _guarded(self, call: Callable[[], Awaitable[T]]) -> T:
        self.breaker.before_call()
        try:
            result = await call()
        except Unavailable:
            self.breaker.record_failure()
            raise
        except ParovozError:
            self.breaker.record_success()
            raise
        except BaseException:
            self.breaker.record_neutral()
            raise
        self.breaker.record_success()
        return result

    async def create_payment(
        self, request: ProviderPaymentRequest, idempotency_key: str
    ) -> ProviderPayment:
        return await self._guarded(lambda: self.inner.create_payment(request, idempotency_key))

    async def get_payment(self, provider_payment_id: str) -> ProviderPayment:
        return await self._guarded(lambda: self.inner.get_payment(provider_payment_id))

    async def capture(
        self, provider_payment_id: str, amount: Money, idempotency_key: str
    ) -> ProviderPayment:
        return await self._guarded(
            lambda: self.inner.capture(provider_payment_id, amount, idempotency_key)
        )

    async def cancel(self, provider_payment_id: str, idempotency_key: str) -> ProviderPayment:
        return await self._guarded(lambda: self.inner.cancel(provider_payment_id, idempotency_key))

    async def refund(
        self,
        provider_payment_id: str,
        amount: Money,
        receipt: Receipt | None,
        idempotency_key: str,
    ) -> ProviderRefund:
        return await self._guarded(
            lambda: self.inner.refund(provider_payment_id, amount, receipt, idempotency_key)
        )

    async def get_refund(self, provider_refund_id: str) -> ProviderRefund:
        return await self._guarded(lambda: self.inner.get_refund(provider_refund_id))

    def verify_notification(self, headers: Mapping[str, str], body: bytes) -> ProviderNotification:
        # Local computation: no call to the provider, nothing for the breaker to judge.
        return self.inner.verify_notification(headers, body)


class ProviderRegistry:
    def __init__(
        self,
        adapters: Mapping[Provider, PaymentProvider],
        *,
        rules: RoutingRules | None = None,
        failure_threshold: int = 5,
        reset_timeout_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rules = rules or RoutingRules()
        self._providers = {
            provider: GuardedProvider(
                adapter,
                failure_threshold=failure_threshold,
                reset_timeout_seconds=reset_timeout_seconds,
                clock=clock,
            )
            for provider, adapter in adapters.items()
        }

    @classmethod
    def from_config(
        cls,
        config: ProviderConfig,
        *,
        rules: RoutingRules | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> ProviderRegistry:
        factories = {Provider.YOOKASSA: YooKassaProvider, Provider.TBANK: TBankProvider}
        adapters = {p: factories[p](config) for p in config.enabled_providers()}
        return cls(
            adapters,
            rules=rules,
            failure_threshold=config.breaker_failure_threshold,
            reset_timeout_seconds=config.breaker_reset_timeout_seconds,
            clock=clock,
        )

    @property
    def providers(self) -> tuple[Provider, ...]:
        return tuple(self._providers)

    def get(self, provider: Provider) -> GuardedProvider:
        """The adapter of a provider (e.g. the one a payment is already at)."""
        try:
            return self._providers[provider]
        except KeyError:
            raise Unavailable(
                f"Payment provider {provider.value} is not configured.",
                code="PROVIDER_NOT_CONFIGURED",
            ) from None

    def is_open(self, provider: Provider) -> bool:
        """Whether routing should skip the provider (its breaker is open, or it is not set up)."""
        guarded = self._providers.get(provider)
        return guarded is None or guarded.is_open

    def route(
        self,
        choice: MethodChoice | PaymentMethod | None,
        currency: str,
        saved_with: Provider | None = None,
    ) -> GuardedProvider:
        """The provider to take a new payment: the first candidate whose breaker is closed."""
        candidates = candidate_providers(choice, currency, self._rules, saved_with=saved_with)
        return self._providers[choose_provider(candidates, self.is_open)]

    async def aclose(self) -> None:
        for guarded in self._providers.values():
            close = getattr(guarded.inner, "aclose", None)
            if close is not None:
                await close()


def provider_registry(infrastructure: Infrastructure) -> ProviderRegistry:
    """The process's one registry (its breakers must see every call), shared by REST and
    gRPC and closed with the process's infrastructure."""
    settings = infrastructure.settings
    return infrastructure.shared(
        "payment-providers",
        lambda: ProviderRegistry.from_config(settings.providers),  # type: ignore[attr-defined]
    )
