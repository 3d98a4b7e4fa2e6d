"""Developer accounts: who publishes on Parovoz, under which legal identity."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from parovoz_kit.errors import BusinessRuleViolation, ValidationFailed


class LegalEntityType(StrEnum):
    LLC = "llc"  # ООО
    JOINT_STOCK_COMPANY = "joint_stock_company"  # АО
    SOLE_PROPRIETOR = "sole_proprietor"  # ИП
    SELF_EMPLOYED = "self_employed"  # самозанятый
    FOREIGN_COMPANY = "foreign_company"


class DeveloperStatus(StrEnum):
    PENDING_VERIFICATION = "pending_verification"
    ACTIVE = "active"
    SUSPENDED = "suspended"


class PublishingTrack(StrEnum):
    GREENLIGHT = "greenlight"  # a new indie account: games go through greenlight first
    DIRECT = "direct"  # a studio verified by the platform


#: Russian organisations have a 10-digit ИНН; individuals (ИП, самозанятые) a 12-digit one.
_ORGANISATIONS = {LegalEntityType.LLC, LegalEntityType.JOINT_STOCK_COMPANY}
_INN_10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN_12_WEIGHTS_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN_12_WEIGHTS_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _check_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def is_valid_inn(inn: str, entity: LegalEntityType) -> bool:
    """ИНН with its check digits (the Federal Tax Service's algorithm)."""
    if not inn.isdigit():
        return False
    if entity in _ORGANISATIONS:
        return len(inn) == 10 and _check_digit(inn, _INN_10_WEIGHTS) == int(inn[9])
    return (
        len(inn) == 12
        and _check_digit(inn, _INN_12_WEIGHTS_11) == int(inn[10])
        and _check_digit(inn, _INN_12_WEIGHTS_12) == int(inn[11])
    )


@dataclass(frozen=True)
class AccountApplication:
    """What a user submits to open a developer account."""

    company_name: str
    legal_entity_type: LegalEntityType
    tax_id: str
    contact_email: str
    country_code: str
    display_name: str | None = None


@dataclass(frozen=True)
class DeveloperAccount:
    id: uuid.UUID
    owner_user_id: uuid.UUID
    company_name: str
    display_name: str
    legal_entity_type: LegalEntityType
    tax_id: str
    contact_email: str
    country_code: str
    status: DeveloperStatus
    publishing_track: PublishingTrack
    verified: bool
    created_at: datetime
    updated_at: datetime


def open_account(
    application: AccountApplication, owner_user_id: uuid.UUID, now: datetime
) -> DeveloperAccount:
    """A new account waits for verification and starts on the greenlight track."""
    foreign = application.legal_entity_type is LegalEntityType.FOREIGN_COMPANY
    if not foreign and not is_valid_inn(application.tax_id, application.legal_entity_type):
        raise ValidationFailed(
            "tax_id is not a valid ИНН for this legal entity type "
            "(10 digits for an organisation, 12 for an individual, with check digits).",
            code="INVALID_TAX_ID",
            pointer="/data/attributes/tax_id",
        )
    if foreign == (application.country_code == "RU"):
        raise BusinessRuleViolation(
            "A foreign company registers outside RU; a Russian legal entity registers in RU.",
            code="COUNTRY_MISMATCH",
            pointer="/data/attributes/country_code",
        )
    return DeveloperAccount(
        id=uuid.uuid4(),
        owner_user_id=owner_user_id,
        company_name=application.company_name,
        display_name=application.display_name or application.company_name,
        legal_entity_type=application.legal_entity_type,
        tax_id=application.tax_id,
        contact_email=application.contact_email,
        country_code=application.country_code,
        status=DeveloperStatus.PENDING_VERIFICATION,
        publishing_track=PublishingTrack.GREENLIGHT,
        verified=False,
        created_at=now,
        updated_at=now,
    )


def verify_as_studio(account: DeveloperAccount, now: datetime) -> DeveloperAccount | None:
    """The platform verified the account as a studio (``admin.developer.verified.v1``): it is
    verified, on the ``direct`` publishing track and ``active`` — unless suspended, which only
    the platform lifts (a suspended account stays suspended, verified). None when it already is
    all that (a repeated verification changes nothing)."""
    status = (
        DeveloperStatus.SUSPENDED
        if account.status is DeveloperStatus.SUSPENDED
        else DeveloperStatus.ACTIVE
    )
    if (account.verified, account.publishing_track, account.status) == (
        True,
        PublishingTrack.DIRECT,
        status,
    ):
        return None
    return replace(
        account,
        verified=True,
        publishing_track=PublishingTrack.DIRECT,
        status=status,
        updated_at=max(now, account.updated_at),
    )
