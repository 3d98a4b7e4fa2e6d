"""Offline licenses' use cases: issue a license when access is allowed now, and the public keys
that verify licenses.

Access is decided exactly as CheckAccess decides it (``access.service.decide``, reached through
the :class:`AccessDecider` port the api layer builds), in the same transaction that records the
license: a new device registered by the decision and the license commit together.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from parovoz_subscription.licenses.domain import OfflineLicense, license_refused, new_license
from parovoz_subscription.licenses.rules import LicenseRules


class Licenses(Protocol):
    async def add(self, license: OfflineLicense) -> None: ...


class LicensesUnitOfWork(Protocol):
    licenses: Licenses

    async def commit(self) -> None: ...


class AccessAnswer(Protocol):
    """What a license needs of an access decision (``access.domain.AccessDecision`` is one)."""

    @property
    def allowed(self) -> bool: ...
    @property
    def reason(self) -> str: ...
    @property
    def subscription_id(self) -> uuid.UUID | None: ...
    @property
    def access_until(self) -> datetime | None: ...


class AccessDecider(Protocol):
    """May this user play this game on this device now (CheckAccess's decision, in ``uow``)?"""

    async def __call__(
        self,
        uow: LicensesUnitOfWork,
        user_id: uuid.UUID,
        game_id: uuid.UUID,
        device_id: str,
        region: str | None,
        now: datetime,
    ) -> AccessAnswer: ...


class LicenseSigner(Protocol):
    """Signs licenses with the active key and publishes every key still in use."""

    @property
    def key_id(self) -> str: ...

    def sign(self, license: OfflineLicense) -> str: ...

    def jwks(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True, slots=True)
class IssuedLicense:
    license: OfflineLicense
    #: The signed token (compact JWS) the launcher keeps.
    token: str


async def issue_license(
    uow: LicensesUnitOfWork,
    decide: AccessDecider,
    signer: LicenseSigner,
    rules: LicenseRules,
    *,
    user_id: uuid.UUID,
    game_id: uuid.UUID,
    device_id: str,
    region: str | None,
    now: datetime,
) -> IssuedLicense:
    """A license for ``game_id`` on ``device_id``, valid ``rules.validity`` (never past the end
    of the access granting it). Access denied: 422 with the access reason as the code. Issuing
    again before expiry is the online renewal: a new license, the earlier one untouched."""
    decision = await decide(uow, user_id, game_id, device_id, region, now)
    if not decision.allowed or decision.subscription_id is None:
        raise license_refused(str(decision.reason))
    license = new_license(
        user_id=user_id,
        game_id=game_id,
        device_id=device_id,
        subscription_id=decision.subscription_id,
        access_until=decision.access_until,
        key_id=signer.key_id,
        validity=rules.validity,
        now=now,
    )
    token = signer.sign(license)
    await uow.licenses.add(license)
    await uow.commit()
    return IssuedLicense(license, token)


def published_keys(signer: LicenseSigner) -> Mapping[str, Any]:
    """The JWK Set of the keys licenses are verified with: the active one and the retired ones
    still published (RFC 8037 OKP keys)."""
    return signer.jwks()
