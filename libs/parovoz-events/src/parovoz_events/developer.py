"""Events developer-portal publishes on ``developer.events.v1``.

Field names follow seed 001 ("Kafka CloudEvents") where it names them, and the
``parovoz.developer.v1`` gRPC contract (``Game``, ``Developer``) elsewhere.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Literal, Self
from uuid import UUID

from pydantic import Field, StringConstraints, model_validator

from parovoz_events import example_ids as ids
from parovoz_events.base import EventData, register
from parovoz_events.common import Part, Region, Text, UtcDatetime
from parovoz_events.money import PositiveMoney, rub

DeveloperStatus = Literal["pending_verification", "active", "suspended"]
PublishingTrack = Literal["greenlight", "direct"]
LegalEntityType = Literal[
    "llc", "joint_stock_company", "sole_proprietor", "self_employed", "foreign_company"
]
ProductType = Literal["game", "dlc", "software"]
#: The Russian age rating scale (436-FZ).
AgeRating = Literal["0+", "6+", "12+", "16+", "18+"]
Platform = Literal["windows_x64", "linux_x64", "macos_arm64", "macos_x64"]
VersionName = Annotated[str, StringConstraints(min_length=1, max_length=50)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=255)]

_GAME_READERS = ("subscription", "payment", "catalog-library")


class _DeveloperEvent(EventData):
    topic: ClassVar[str] = "developer.events.v1"
    producer: ClassVar[str] = "developer-portal"

    developer_id: UUID = Field(description="Developer account id.")


class _GameEvent(_DeveloperEvent):
    key_field: ClassVar[str] = "game_id"

    game_id: UUID = Field(description="Game (or DLC / software product) id: the aggregate.")


@register
class DeveloperAccountCreated(_DeveloperEvent):
    """A developer account was registered. payment starts its read model of developers."""

    event_type: ClassVar[str] = "developer.account.created.v1"
    key_field: ClassVar[str] = "developer_id"
    consumers: ClassVar[tuple[str, ...]] = ("payment",)

    owner_user_id: UUID = Field(description="User id (auth service) of the account's owner.")
    display_name: Title = Field(description="Name shown to players in the store.")
    legal_entity_type: LegalEntityType = Field(description="Legal form of the account holder.")
    country_code: Region = Field(description="Country of registration, ISO 3166-1 alpha-2.")
    status: DeveloperStatus = Field(description="Status at creation: `pending_verification`.")
    publishing_track: PublishingTrack = Field(
        description="Review route of the account's games: `greenlight` for a new indie account."
    )
    created_at: UtcDatetime = Field(description="When the account was created.")

    example_data: ClassVar[dict[str, object]] = {
        "developer_id": ids.DEVELOPER_ID,
        "owner_user_id": ids.OWNER_USER_ID,
        "display_name": "Моя Игровая Студия",
        "legal_entity_type": "llc",
        "country_code": "RU",
        "status": "pending_verification",
        "publishing_track": "greenlight",
        "created_at": "2025-03-01T09:00:00Z",
    }


@register
class DeveloperAccountStatusChanged(_DeveloperEvent):
    """A developer account's status or publishing track changed (onboarding done, suspension,
    verification as a studio). payment keeps only active developers payable."""

    event_type: ClassVar[str] = "developer.account.status.changed.v1"
    key_field: ClassVar[str] = "developer_id"
    consumers: ClassVar[tuple[str, ...]] = ("payment",)

    previous_status: DeveloperStatus = Field(description="Status before the change.")
    status: DeveloperStatus = Field(description="Status after the change.")
    publishing_track: PublishingTrack = Field(description="Publishing track after the change.")
    verified: bool = Field(description="True once the platform verified the account as a studio.")
    reason: Text | None = Field(description="Why, for suspensions; null otherwise.")
    changed_at: UtcDatetime = Field(description="When the change happened.")

    example_data: ClassVar[dict[str, object]] = {
        "developer_id": ids.DEVELOPER_ID,
        "previous_status": "pending_verification",
        "status": "active",
        "publishing_track": "greenlight",
        "verified": False,
        "reason": None,
        "changed_at": "2025-03-02T12:00:00Z",
    }


@register
class GameCreated(_GameEvent):
    """A game, DLC or software product was created (as a draft). payment learns who earns from
    its sales; subscription starts its read model of games."""

    event_type: ClassVar[str] = "developer.game.created.v1"
    consumers: ClassVar[tuple[str, ...]] = ("payment", "subscription")

    title: Title = Field(description="Main (ru-RU) title.")
    product_type: ProductType = Field(description="Game, DLC or software.")
    parent_game_id: UUID | None = Field(description="For a DLC, the game it extends; else null.")
    status: Literal["draft"] = Field(description="A new game is always a draft.")
    created_at: UtcDatetime = Field(description="When the game was created.")
    created_by_user_id: UUID = Field(description="Team member (user id) who created it.")

    example_data: ClassVar[dict[str, object]] = {
        "developer_id": ids.DEVELOPER_ID,
        "game_id": ids.GAME_ID,
        "title": "Моя Новая Супер Игра",
        "product_type": "game",
        "parent_game_id": None,
        "status": "draft",
        "created_at": "2025-03-03T10:00:00Z",
        "created_by_user_id": ids.MEMBER_USER_ID,
    }

    @model_validator(mode="after")
    def _dlc_has_parent(self) -> Self:
        if (self.product_type == "dlc") != (self.parent_game_id is not None):
            raise ValueError("parent_game_id is required for a dlc and only for a dlc")
        return self


@register
class GameMetadataUpdated(_GameEvent):
    """A game's store-relevant metadata changed. Carries the full current state (not a diff), so
    read models (payment, subscription: age rating, regions, release date) simply upsert."""

    event_type: ClassVar[str] = "developer.game.metadata.updated.v1"
    consumers: ClassVar[tuple[str, ...]] = ("payment", "subscription")

    title: Title = Field(description="Main (ru-RU) title.")
    age_rating: AgeRating | None = Field(description="Age rating; null until set.")
    regions: tuple[Region, ...] = Field(
        description="Regions where the game may be sold and played (ISO 3166-1 alpha-2)."
    )
    platforms: tuple[Platform, ...] = Field(description="Platforms the game has builds for.")
    release_date: date | None = Field(
        description="Announced or actual release date (calendar date); null if not announced."
    )
    updated_at: UtcDatetime = Field(description="When the metadata changed.")
    updated_by_user_id: UUID = Field(description="Team member (user id) who changed it.")

    example_data: ClassVar[dict[str, object]] = {
        "developer_id": ids.DEVELOPER_ID,
        "game_id": ids.GAME_ID,
        "title": "Моя Новая Супер Игра",
        "age_rating": "12+",
        "regions": ["RU", "KZ", "BY"],
        "platforms": ["windows_x64", "linux_x64"],
        "release_date": "2025-06-01",
        "updated_at": "2025-03-04T10:00:00Z",
        "updated_by_user_id": ids.MEMBER_USER_ID,
    }


@register
class GameSubmitted(_GameEvent):
    """A developer sent a game version to moderation (seed 001). The Admin Service starts its
    review and answers with ``admin.game.moderation.approved/rejected.v1``."""

    event_type: ClassVar[str] = "developer.game.submitted.v1"
    consumers: ClassVar[tuple[str, ...]] = ("admin",)

    version_id: UUID = Field(description="The version under review.")
    version_name: VersionName = Field(description="Version name, e.g. `1.0.1`.")
    submitted_at: UtcDatetime = Field(description="When it was submitted.")
    submitted_by_user_id: UUID = Field(description="Team member (user id) who submitted it.")

    example_data: ClassVar[dict[str, object]] = {
        "developer_id": ids.DEVELOPER_ID,
        "game_id": ids.GAME_ID,
        "version_id": ids.VERSION_ID,
        "version_name": "1.0.1",
        "submitted_at": "2025-03-15T14:30:00Z",
        "submitted_by_user_id": ids.MEMBER_USER_ID,
    }


@register
class GamePublished(_GameEvent):
    """An approved game version went live in the store (seed 001). subscription and the catalog
    make it available; payment charges the remainder of preorders at the first publication."""

    event_type: ClassVar[str] = "developer.game.published.v1"
    consumers: ClassVar[tuple[str, ...]] = _GAME_READERS

    version_id: UUID = Field(description="The version now live.")
    published_at: UtcDatetime = Field(description="When it went live.")
    published_by_user_id: UUID | None = Field(
        description="Team member who published it; null when published automatically."
    )
    first_published_at: UtcDatetime = Field(
        description="When the game was first published: equals `published_at` on the release, "
        "earlier on a re-publication (after an unpublication)."
    )

    example_data: ClassVar[dict[str, object]] = {
        "developer_id": ids.DEVELOPER_ID,
        "game_id": ids.GAME_ID,
        "version_id": ids.VERSION_ID,
        "published_at": "2025-06-01T10:00:00Z",
        "published_by_user_id": ids.MEMBER_USER_ID,
        "first_published_at": "2025-06-01T10:00:00Z",
    }


@register
class GameRolledBack(_GameEvent):
    """A live game was rolled back to an earlier version. The game stays published; consumers
    switch the version they serve."""

    event_type: ClassVar[str] = "developer.game.rolled_back.v1"
    consumers: ClassVar[tuple[str, ...]] = _GAME_READERS

    version_id: UUID = Field(description="The version live again after the rollback.")
    rolled_back_from_version_id: UUID = Field(description="The version taken off.")
    reason: Text | None = Field(description="Why, as the developer wrote it; may be null.")
    rolled_back_at: UtcDatetime = Field(description="When the rollback happened.")
    rolled_back_by_user_id: UUID | None = Field(
        description="Team member who rolled back; null when the platform did."
    )

    example_data: ClassVar[dict[str, object]] = {
        "developer_id": ids.DEVELOPER_ID,
        "game_id": ids.GAME_ID,
        "version_id": ids.PREVIOUS_VERSION_ID,
        "rolled_back_from_version_id": ids.VERSION_ID,
        "reason": "Сохранения не загружаются в 1.0.1",
        "rolled_back_at": "2025-06-02T08:00:00Z",
        "rolled_back_by_user_id": ids.MEMBER_USER_ID,
    }


@register
class GameUnpublished(_GameEvent):
    """A game was taken off the store. It can no longer be bought or added to subscriptions;
    owners keep their copies; payment cancels open preorders."""

    event_type: ClassVar[str] = "developer.game.unpublished.v1"
    consumers: ClassVar[tuple[str, ...]] = _GAME_READERS

    reason: Text | None = Field(description="Why; may be null.")
    unpublished_at: UtcDatetime = Field(description="When it left the store.")
    unpublished_by_user_id: UUID | None = Field(
        description="Team member who unpublished it; null when the platform did."
    )

    example_data: ClassVar[dict[str, object]] = {
        "developer_id": ids.DEVELOPER_ID,
        "game_id": ids.GAME_ID,
        "reason": None,
        "unpublished_at": "2025-09-01T00:00:00Z",
        "unpublished_by_user_id": ids.OWNER_USER_ID,
    }


class RegionalPrice(Part):
    """A price set explicitly for one region (VAT included)."""

    region: Region = Field(description="ISO 3166-1 alpha-2 region code.")
    price: PositiveMoney = Field(description="The price in that region's currency.")


class PriceDiscount(Part):
    """A promo period of a game: every price of the game (base, regional, converted) is
    ``percent`` lower from ``starts_at`` (inclusive) to ``ends_at`` (exclusive), rounded down to
    the whole minor unit and never below one minor unit."""

    discount_id: UUID = Field(description="developer-portal's id of the discount.")
    percent: Annotated[int, Field(ge=1, le=99)] = Field(
        description="How much lower, in whole percent (developer-portal allows 1 to 90)."
    )
    starts_at: UtcDatetime = Field(description="First instant of the period (inclusive).")
    ends_at: UtcDatetime = Field(description="End of the period (exclusive).")


@register
class GamePriceChanged(_GameEvent):
    """A game's price list changed: the full list after the change (base + regional prices and
    the discounts not yet over). payment replaces its price table row for the game and prices
    purchases from it (the discount whose period holds the purchase's instant applies)."""

    event_type: ClassVar[str] = "developer.game.price.changed.v1"
    consumers: ClassVar[tuple[str, ...]] = ("payment",)

    is_free: bool = Field(description="True for a free game: no base or regional prices.")
    base_price: PositiveMoney | None = Field(
        description="Base price in RUB, VAT included; null for a free game."
    )
    regional_prices: tuple[RegionalPrice, ...] = Field(
        description="Prices set per region; each wins over a converted base price there."
    )
    changed_at: UtcDatetime = Field(description="When the prices changed.")
    changed_by_user_id: UUID = Field(description="Team member (user id) who changed them.")
    discounts: tuple[PriceDiscount, ...] = Field(
        description=(
            "The game's discounts not over at `changed_at` (active and scheduled), sorted by "
            "start, never overlapping; empty when none. Producers always send it; an event "
            "written before discounts existed (no key) reads as an empty list."
        ),
    )

    example_data: ClassVar[dict[str, object]] = {
        "developer_id": ids.DEVELOPER_ID,
        "game_id": ids.GAME_ID,
        "is_free": False,
        "base_price": rub(99900),
        "regional_prices": [
            {"region": "KZ", "price": {"amount_minor": 549000, "currency": "KZT"}},
            {"region": "BY", "price": {"amount_minor": 3500, "currency": "BYN"}},
        ],
        "changed_at": "2025-03-05T10:00:00Z",
        "changed_by_user_id": ids.MEMBER_USER_ID,
        "discounts": [
            {
                "discount_id": "5b0c2f1e-8a3d-4c6e-9f12-7d4e8a1b2c30",
                "percent": 25,
                "starts_at": "2025-03-10T00:00:00Z",
                "ends_at": "2025-03-17T00:00:00Z",
            }
        ],
    }

    @model_validator(mode="before")
    @classmethod
    def _no_discounts_before_discounts_existed(cls, data: object) -> object:
        # Backward compatible: events stored before v1 gained discounts still validate.
        if isinstance(data, dict) and "discounts" not in data:
            return {**data, "discounts": []}
        return data

    @model_validator(mode="after")
    def _consistent_price_list(self) -> Self:
        if self.is_free and (self.base_price is not None or self.regional_prices):
            raise ValueError("a free game has no base_price and no regional_prices")
        if not self.is_free and self.base_price is None:
            raise ValueError("base_price is required unless the game is free")
        if self.base_price is not None and self.base_price.currency != "RUB":
            raise ValueError("base_price is in RUB")
        regions = [price.region for price in self.regional_prices]
        if len(regions) != len(set(regions)):
            raise ValueError("one regional price per region")
        previous_end = None
        for discount in sorted(self.discounts, key=lambda d: d.starts_at):
            if discount.starts_at >= discount.ends_at:
                raise ValueError("a discount starts before it ends")
            if previous_end is not None and discount.starts_at < previous_end:
                raise ValueError("discounts of a game never overlap")
            previous_end = discount.ends_at
        return self


@register
class PayoutRequested(_DeveloperEvent):
    """A developer asked to be paid out (or the monthly automatic payout asked for them).
    payment checks the available balance, fetches the bank details over gRPC
    (``GetPayoutMethod`` — they never travel in events) and answers with
    ``payment.payout.status.changed.v1``."""

    event_type: ClassVar[str] = "developer.payout.requested.v1"
    key_field: ClassVar[str] = "developer_id"
    consumers: ClassVar[tuple[str, ...]] = ("payment",)

    payout_request_id: UUID = Field(description="developer-portal's id of the payout request.")
    amount: PositiveMoney = Field(description="Amount to pay out.")
    payout_method_id: UUID = Field(
        description="Payout method (bank details) to pay to; payment resolves it with "
        "`GetPayoutMethod`."
    )
    trigger: Literal["on_request", "monthly_automatic"] = Field(
        description="Asked by a team member, or by the monthly automatic payout job."
    )
    requested_at: UtcDatetime = Field(description="When the payout was requested.")
    requested_by_user_id: UUID | None = Field(
        description="Team member who asked; null for an automatic payout."
    )

    example_data: ClassVar[dict[str, object]] = {
        "developer_id": ids.DEVELOPER_ID,
        "payout_request_id": ids.PAYOUT_REQUEST_ID,
        "amount": rub(5000000),
        "payout_method_id": ids.PAYOUT_METHOD_ID,
        "trigger": "on_request",
        "requested_at": "2025-07-17T09:00:00Z",
        "requested_by_user_id": ids.OWNER_USER_ID,
    }

    @model_validator(mode="after")
    def _who_asked(self) -> Self:
        if (self.trigger == "on_request") != (self.requested_by_user_id is not None):
            raise ValueError("requested_by_user_id is set exactly when trigger is on_request")
        return self


TeamRoleName = Literal["owner", "admin", "editor", "finance", "viewer"]
#: The platform's Notification Service (e-mails an invitee, tells members); developer-portal's
#: own ``notifications`` context reads these events too, from its own topic (a producer is never
#: listed among its consumers).
_TEAM_WATCHERS = ("notification",)
_INVITATION_ID = "0b6f3c52-8f0e-4a8e-9a4e-3b1d2a6c7e10"


@register
class TeamInvitationCreated(_DeveloperEvent):
    """An owner or admin invited someone into the account's team, by user id or by e-mail.
    developer-portal's own notifications turn it into an inbox item (the e-mail address itself
    never travels: ``invitee_user_id`` is null for an invitation by e-mail)."""

    event_type: ClassVar[str] = "developer.team.invitation.created.v1"
    key_field: ClassVar[str] = "developer_id"
    consumers: ClassVar[tuple[str, ...]] = _TEAM_WATCHERS

    invitation_id: UUID = Field(description="The invitation's id.")
    role: Literal["admin", "editor", "finance", "viewer"] = Field(
        description="The role the invitee gets by accepting (never owner)."
    )
    invitee_user_id: UUID | None = Field(
        description="The invited user, for an invitation by user id; null for one by e-mail."
    )
    by_email: bool = Field(description="True when the invitation names an e-mail address.")
    invited_by_user_id: UUID = Field(description="The owner or admin who invited.")
    created_at: UtcDatetime = Field(description="When the invitation was sent.")
    expires_at: UtcDatetime = Field(description="Until when it may be accepted.")

    example_data: ClassVar[dict[str, object]] = {
        "developer_id": ids.DEVELOPER_ID,
        "invitation_id": _INVITATION_ID,
        "role": "editor",
        "invitee_user_id": ids.MEMBER_USER_ID,
        "by_email": False,
        "invited_by_user_id": ids.OWNER_USER_ID,
        "created_at": "2025-03-03T10:00:00Z",
        "expires_at": "2025-03-10T10:00:00Z",
    }


@register
class TeamMemberChanged(_DeveloperEvent):
    """Someone joined the team (an accepted invitation), got another role, was removed or
    left. An ownership transfer is ``developer.team.ownership.transferred.v1`` instead."""

    event_type: ClassVar[str] = "developer.team.member.changed.v1"
    key_field: ClassVar[str] = "developer_id"
    consumers: ClassVar[tuple[str, ...]] = _TEAM_WATCHERS

    user_id: UUID = Field(description="The member concerned.")
    change: Literal["joined", "role_changed", "removed", "left"] = Field(
        description="What happened to the member."
    )
    role: TeamRoleName | None = Field(description="Role after the change; null once gone.")
    previous_role: TeamRoleName | None = Field(
        description="Role before the change; null for a member who just joined."
    )
    invitation_id: UUID | None = Field(
        description="The accepted invitation, for `joined`; null otherwise."
    )
    changed_by_user_id: UUID = Field(
        description="Who made the change (the member, to join or leave)."
    )
    changed_at: UtcDatetime = Field(description="When it happened.")

    example_data: ClassVar[dict[str, object]] = {
        "developer_id": ids.DEVELOPER_ID,
        "user_id": ids.MEMBER_USER_ID,
        "change": "joined",
        "role": "editor",
        "previous_role": None,
        "invitation_id": _INVITATION_ID,
        "changed_by_user_id": ids.MEMBER_USER_ID,
        "changed_at": "2025-03-04T08:30:00Z",
    }


@register
class TeamOwnershipTransferred(_DeveloperEvent):
    """The owner handed the account to another member, who is its owner now; the previous
    owner became an admin. An account always has exactly one owner."""

    event_type: ClassVar[str] = "developer.team.ownership.transferred.v1"
    key_field: ClassVar[str] = "developer_id"
    consumers: ClassVar[tuple[str, ...]] = _TEAM_WATCHERS

    previous_owner_user_id: UUID = Field(description="The owner before: an admin now.")
    owner_user_id: UUID = Field(description="The new owner.")
    transferred_at: UtcDatetime = Field(description="When ownership changed hands.")

    example_data: ClassVar[dict[str, object]] = {
        "developer_id": ids.DEVELOPER_ID,
        "previous_owner_user_id": ids.OWNER_USER_ID,
        "owner_user_id": ids.MEMBER_USER_ID,
        "transferred_at": "2025-04-01T12:00:00Z",
    }


__all__ = [
    "AgeRating",
    "DeveloperAccountCreated",
    "DeveloperAccountStatusChanged",
    "GameCreated",
    "GameMetadataUpdated",
    "GamePriceChanged",
    "GamePublished",
    "GameRolledBack",
    "GameSubmitted",
    "GameUnpublished",
    "PayoutRequested",
    "RegionalPrice",
    "TeamInvitationCreated",
    "TeamMemberChanged",
    "TeamOwnershipTransferred",
]
