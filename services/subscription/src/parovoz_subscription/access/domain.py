"""The access decision (PRODUCT.md "Access"): may this user play this game on this device now?

Plain Python over plain inputs: the user's subscriptions, each plan's terms for this game (its
catalog answer, regions, device limit), the game's facts, the user's facts and devices. No I/O.

The reasons, in their fixed precedence (the first check that fails answers):

1. ``GAME_NOT_AVAILABLE``: the game is not published.
2. ``GAME_REGION_RESTRICTED``: the game is not offered in the user's region.
3. ``AGE_RESTRICTION_VIOLATION``: the user is younger than the game's age rating.
   (1-3 are about the game and the user: no subscription changes them, so they come first.)
4. No subscription grants access now (``trial``, ``active``, ``pending_payment`` within its
   grace, ``cancelled`` before its period end): ``SUBSCRIPTION_SUSPENDED`` if one is
   suspended, else ``SUBSCRIPTION_EXPIRED`` if one has ended (expired, or a period that ran
   out before the job moved it), else ``NO_ACTIVE_SUBSCRIPTION`` (none, or only one waiting
   for its first payment).
5. ``GAME_NOT_IN_SUBSCRIPTION``: no granting subscription's plan has the game now (its
   catalog answer: included, new release, or removed at an announced instant).
6. ``PLAN_REGION_RESTRICTED``: every granting plan with the game is not offered in the region.
7. ``DEVICE_LIMIT_EXCEEDED``: the device is new and the user already has the limit of devices
   (the largest ``max_devices`` of the granting plans, the default when none grants).

Entitlement, not billing: a subscription grants access by its status and its paid (or grace)
period alone; a failed charge moves no instant already paid for. An allowed answer names the
subscription with the latest ``access_until`` (its own access end capped by an announced
catalog removal) and says whether the device must be registered.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from parovoz_subscription.subscriptions.domain import (
    GRANTS_ACCESS,
    PlanType,
    SubscriptionStatus,
)

#: A device id as the launcher chooses it: 1 to this many characters.
DEVICE_ID_LIMIT = 128


class AccessReason(StrEnum):
    """Why access was granted or denied (the REST code; gRPC has its own enum names)."""

    GRANTED = "GRANTED"
    GAME_NOT_AVAILABLE = "GAME_NOT_AVAILABLE"
    GAME_REGION_RESTRICTED = "GAME_REGION_RESTRICTED"
    AGE_RESTRICTION_VIOLATION = "AGE_RESTRICTION_VIOLATION"
    SUBSCRIPTION_SUSPENDED = "SUBSCRIPTION_SUSPENDED"
    SUBSCRIPTION_EXPIRED = "SUBSCRIPTION_EXPIRED"
    NO_ACTIVE_SUBSCRIPTION = "NO_ACTIVE_SUBSCRIPTION"
    GAME_NOT_IN_SUBSCRIPTION = "GAME_NOT_IN_SUBSCRIPTION"
    PLAN_REGION_RESTRICTED = "PLAN_REGION_RESTRICTED"
    DEVICE_LIMIT_EXCEEDED = "DEVICE_LIMIT_EXCEEDED"


class AccessSource(StrEnum):
    """How the user holds the granting subscription (family and corporate seats: later)."""

    OWN = "own"


class HeldSubscription(Protocol):
    """What access reads of a subscription (``subscriptions.domain.Subscription`` is one)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def plan_id(self) -> uuid.UUID: ...
    @property
    def plan_type(self) -> PlanType: ...
    @property
    def status(self) -> SubscriptionStatus: ...
    def access_until(self) -> datetime | None: ...


@dataclass(frozen=True, slots=True)
class HeldEntitlement:
    """A subscription reduced to what access needs (what the cache keeps of it)."""

    id: uuid.UUID
    plan_id: uuid.UUID
    plan_type: PlanType
    status: SubscriptionStatus
    until: datetime | None

    def access_until(self) -> datetime | None:
        return self.until

    @classmethod
    def of(cls, subscription: HeldSubscription) -> HeldEntitlement:
        return cls(
            subscription.id,
            subscription.plan_id,
            subscription.plan_type,
            subscription.status,
            subscription.access_until(),
        )


@dataclass(frozen=True, slots=True)
class PlanTerms:
    """A plan's terms for one game: its catalog answer (``included``, ``until`` an announced
    removal or the end of a new release's window), where it is offered (empty: everywhere)
    and how many devices its subscribers may register."""

    plan_id: uuid.UUID
    included: bool
    until: datetime | None
    regions: frozenset[str]
    max_devices: int

    def has_game_at(self, now: datetime) -> bool:
        return self.included and (self.until is None or now < self.until)

    def offered_in(self, region: str | None) -> bool:
        return region is None or not self.regions or region in self.regions


@dataclass(frozen=True, slots=True)
class GameTerms:
    """A game's facts access decides on (from the games read model)."""

    published: bool
    #: Where it may be played; empty: the developer named none (restricts nothing).
    regions: frozenset[str]
    #: The age its rating asks for ("16+" -> 16; unrated: 0).
    minimum_age: int

    def offered_in(self, region: str | None) -> bool:
        return region is None or not self.regions or region in self.regions


@dataclass(frozen=True, slots=True)
class UserTerms:
    """The user's facts (users read model); ``None`` fields are unknown."""

    region: str | None
    birth_date: date | None


@dataclass(frozen=True, slots=True)
class Devices:
    """The user's registered devices as seen for this check."""

    #: The checked device is registered to the user (and not removed).
    known: bool
    #: How many devices the user has registered.
    used: int


@dataclass(frozen=True, slots=True)
class AccessDecision:
    allowed: bool
    reason: AccessReason
    subscription_id: uuid.UUID | None = None
    source: AccessSource | None = None
    access_until: datetime | None = None
    plan_id: uuid.UUID | None = None
    plan_type: PlanType | None = None
    status: SubscriptionStatus | None = None
    devices_used: int = 0
    device_limit: int = 0
    #: Allowed on a device not registered yet: it is registered by this check (under the
    #: user's lock, counting again). Not part of the answer (equal answers ignore it).
    registers_device: bool = field(default=False, compare=False)


def age_at(birth_date: date, now: datetime, zone: ZoneInfo) -> int:
    """Full years at ``now`` in ``zone`` (born 29 February: a year older on 1 March)."""
    today = now.astimezone(zone).date()
    years = today.year - birth_date.year
    if (today.month, today.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def _ended(subscription: HeldSubscription, now: datetime) -> bool:
    if subscription.status is SubscriptionStatus.EXPIRED:
        return True
    until = subscription.access_until()
    return subscription.status in GRANTS_ACCESS and until is not None and now >= until


def _grants(subscription: HeldSubscription, now: datetime) -> datetime | None:
    """The subscription's access end when it grants access at ``now``, else None."""
    if subscription.status not in GRANTS_ACCESS:
        return None
    until = subscription.access_until()
    return until if until is not None and now < until else None


def decide_access(
    *,
    held: Sequence[HeldSubscription],
    plans: Mapping[uuid.UUID, PlanTerms],
    game: GameTerms,
    user: UserTerms,
    region: str | None,
    devices: Devices,
    default_device_limit: int,
    age_zone: ZoneInfo,
    now: datetime,
) -> AccessDecision:
    """The decision (see the module's precedence). ``plans`` holds the terms of every plan of
    ``held``; ``region`` is where the user plays from (the request's, else the profile's)."""
    granting: list[tuple[HeldSubscription, datetime]] = []
    for subscription in held:
        until = _grants(subscription, now)
        if until is not None:
            granting.append((subscription, until))
    limit = max(
        (plans[s.plan_id].max_devices for s, _ in granting if s.plan_id in plans),
        default=default_device_limit,
    )
    used = devices.used

    def denied(reason: AccessReason) -> AccessDecision:
        return AccessDecision(False, reason, devices_used=used, device_limit=limit)

    if not game.published:
        return denied(AccessReason.GAME_NOT_AVAILABLE)
    if not game.offered_in(region):
        return denied(AccessReason.GAME_REGION_RESTRICTED)
    if (
        game.minimum_age > 0
        and user.birth_date is not None
        and age_at(user.birth_date, now, age_zone) < game.minimum_age
    ):
        return denied(AccessReason.AGE_RESTRICTION_VIOLATION)
    if not granting:
        if any(s.status is SubscriptionStatus.SUSPENDED for s in held):
            return denied(AccessReason.SUBSCRIPTION_SUSPENDED)
        if any(_ended(s, now) for s in held):
            return denied(AccessReason.SUBSCRIPTION_EXPIRED)
        return denied(AccessReason.NO_ACTIVE_SUBSCRIPTION)
    with_game = [
        (s, until, plans[s.plan_id])
        for s, until in granting
        if s.plan_id in plans and plans[s.plan_id].has_game_at(now)
    ]
    if not with_game:
        return denied(AccessReason.GAME_NOT_IN_SUBSCRIPTION)
    offered = [(s, until, terms) for s, until, terms in with_game if terms.offered_in(region)]
    if not offered:
        return denied(AccessReason.PLAN_REGION_RESTRICTED)
    best, best_until = offered[0][0], _capped(offered[0][1], offered[0][2])
    for subscription, until, terms in offered[1:]:
        capped = _capped(until, terms)
        if capped > best_until:
            best, best_until = subscription, capped
    registers = not devices.known
    if registers and used >= limit:
        return denied(AccessReason.DEVICE_LIMIT_EXCEEDED)
    return AccessDecision(
        True,
        AccessReason.GRANTED,
        subscription_id=best.id,
        source=AccessSource.OWN,
        access_until=best_until,
        plan_id=best.plan_id,
        plan_type=best.plan_type,
        status=best.status,
        devices_used=used + 1 if registers else used,
        device_limit=limit,
        registers_device=registers,
    )


def _capped(until: datetime, terms: PlanTerms) -> datetime:
    return until if terms.until is None else min(until, terms.until)


def admit_device(decision: AccessDecision, devices: Devices) -> AccessDecision:
    """An allowed decision that registers a device, decided again on the devices counted under
    the user's lock: a device registered meanwhile is known; a slot taken meanwhile may be the
    last one (``DEVICE_LIMIT_EXCEEDED``)."""
    if not decision.registers_device:
        return decision
    if devices.known:
        return replace(decision, devices_used=devices.used, registers_device=False)
    if devices.used >= decision.device_limit:
        return AccessDecision(
            False,
            AccessReason.DEVICE_LIMIT_EXCEEDED,
            devices_used=devices.used,
            device_limit=decision.device_limit,
        )
    return replace(decision, devices_used=devices.used + 1)


@dataclass(frozen=True, slots=True)
class Device:
    """A device registered to a user by its first allowed check."""

    device_id: str
    first_seen_at: datetime
    last_seen_at: datetime
