"""review's and releases' use cases over an in-memory unit of work (no engines): what a
submission, a decision, a publication and a rollback store and emit, per publishing track."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from parovoz_developer_portal.accounts.domain import (
    DeveloperAccount,
    DeveloperStatus,
    LegalEntityType,
    PublishingTrack,
)
from parovoz_developer_portal.builds.domain import GameVersion, Platform, VersionStatus
from parovoz_developer_portal.builds.uploads import BuildStatus, GameBuild, UploadType
from parovoz_developer_portal.games.domain import Game, GameStatus, ProductType
from parovoz_developer_portal.media.domain import MediaType
from parovoz_developer_portal.pricing.domain import GamePrices, PriceList
from parovoz_developer_portal.releases.domain import PublicationBlocked, Release
from parovoz_developer_portal.releases.rules import PublicationRules
from parovoz_developer_portal.releases.service import publish_game, roll_back_game
from parovoz_developer_portal.review.domain import (
    GreenlightDecision,
    ModerationDecision,
    Outcome,
    Submission,
)
from parovoz_developer_portal.review.service import (
    record_moderation_decision,
    submit_version_for_review,
)
from parovoz_developer_portal.team.domain import Actor, TeamRole
from parovoz_events import EventData
from parovoz_kit.errors import BusinessRuleViolation, NotFound

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
RULES = PublicationRules(required_locale="ru-RU", min_screenshots=3)


@dataclass
class Store:
    """Everything the fakes hold, by id."""

    accounts: dict[uuid.UUID, DeveloperAccount] = field(default_factory=dict)
    games: dict[uuid.UUID, Game] = field(default_factory=dict)
    versions: dict[uuid.UUID, GameVersion] = field(default_factory=dict)
    builds: list[GameBuild] = field(default_factory=list)
    locales: set[tuple[uuid.UUID, str]] = field(default_factory=set)
    screenshots: dict[uuid.UUID, int] = field(default_factory=dict)
    priced: set[uuid.UUID] = field(default_factory=set)
    submissions: dict[uuid.UUID, Submission] = field(default_factory=dict)
    greenlight: list[GreenlightDecision] = field(default_factory=list)
    releases: list[Release] = field(default_factory=list)


class FakeUnitOfWork:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.emitted: list[EventData] = []
        self.committed = False
        self.accounts = self.games = self.builds = self.media = self.prices = self
        self.reviews = self.releases = self

    def emit(self, item: EventData) -> object:
        self.emitted.append(item)
        return item

    async def commit(self) -> None:
        self.committed = True

    # accounts, games
    async def get(self, some_id: uuid.UUID) -> Any:
        return self.store.accounts.get(some_id) or self.store.games.get(some_id)

    async def save_status(self, game: Game) -> None:
        self.store.games[game.id] = game

    async def has_locale(self, game_id: uuid.UUID, locale: str) -> bool:
        return (game_id, locale) in self.store.locales

    # builds
    async def version(self, version_id: uuid.UUID) -> GameVersion | None:
        return self.store.versions.get(version_id)

    version_for_update = version

    async def versions_of_game(self, game_id: uuid.UUID) -> list[GameVersion]:
        found = [v for v in self.store.versions.values() if v.game_id == game_id]
        return sorted(found, key=lambda v: v.created_at, reverse=True)

    async def save_version(self, version: GameVersion) -> None:
        self.store.versions[version.id] = version

    async def builds_of_version(self, version_id: uuid.UUID) -> list[GameBuild]:
        return [b for b in self.store.builds if b.version_id == version_id]

    # media, prices
    async def count_ready(self, game_id: uuid.UUID, media_type: MediaType) -> int:
        assert media_type is MediaType.SCREENSHOT
        return self.store.screenshots.get(game_id, 0)

    async def current(self, game_id: uuid.UUID) -> GamePrices:
        price_list = PriceList(True, None) if game_id in self.store.priced else None
        return GamePrices(game_id, price_list, 1 if price_list else 0, None, None)

    # reviews, releases
    async def lock_game(self, game_id: uuid.UUID) -> None:
        pass

    async def add(self, item: Submission | Release) -> None:
        if isinstance(item, Submission):
            self.store.submissions[item.id] = item
        else:
            self.store.releases.append(item)

    async def pending(self, version_id: uuid.UUID) -> Submission | None:
        return next(
            (
                s
                for s in self.store.submissions.values()
                if s.version_id == version_id and s.pending
            ),
            None,
        )

    async def save_decision(self, submission: Submission) -> None:
        self.store.submissions[submission.id] = submission

    async def greenlight_approved(self, developer_id: uuid.UUID, game_id: uuid.UUID) -> bool:
        return any(
            d.approved and (d.developer_id, d.game_id) == (developer_id, game_id)
            for d in self.store.greenlight
        )

    async def of_game(self, game_id: uuid.UUID) -> list[Release]:
        return [r for r in self.store.releases if r.game_id == game_id]


class World:
    """One studio, its game, and helpers to give it versions and a shop window."""

    def __init__(self, track: PublishingTrack = PublishingTrack.DIRECT) -> None:
        self.store = Store()
        developer_id = uuid.uuid4()
        self.owner = Actor(developer_id=developer_id, user_id=uuid.uuid4(), role=TeamRole.OWNER)
        self.store.accounts[developer_id] = DeveloperAccount(
            id=developer_id,
            owner_user_id=self.owner.user_id,
            company_name="Студия",
            display_name="Студия",
            legal_entity_type=LegalEntityType.LLC,
            tax_id="7707083893",
            contact_email="dev@example.com",
            country_code="RU",
            status=DeveloperStatus.ACTIVE,
            publishing_track=track,
            verified=track is PublishingTrack.DIRECT,
            created_at=NOW,
            updated_at=NOW,
        )
        self.game = Game(
            id=uuid.uuid4(),
            developer_id=developer_id,
            title="Паровоз",
            product_type=ProductType.GAME,
            parent_game_id=None,
            status=GameStatus.DRAFT,
            created_by_user_id=self.owner.user_id,
            created_at=NOW,
            updated_at=NOW,
        )
        self.store.games[self.game.id] = self.game
        self.age = 0

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.store)

    def version(self, status: VersionStatus, verified: bool = True) -> GameVersion:
        self.age += 1
        version = GameVersion(
            id=uuid.uuid4(),
            game_id=self.game.id,
            developer_id=self.game.developer_id,
            version_name=f"1.0.{self.age}",
            changelog={},
            status=status,
            created_at=NOW + timedelta(minutes=self.age),
            updated_at=NOW,
            created_by_user_id=self.owner.user_id,
            platforms=("windows_x64",),
        )
        self.store.versions[version.id] = version
        self.store.builds.append(
            GameBuild(
                id=uuid.uuid4(),
                version_id=version.id,
                game_id=self.game.id,
                developer_id=self.game.developer_id,
                platform=Platform.WINDOWS_X64,
                file_name="game.zip",
                file_size_bytes=1024,
                content_type="application/zip",
                s3_path="builds/game.zip",
                upload_type=UploadType.SINGLE,
                status=BuildStatus.VERIFIED if verified else BuildStatus.PROCESSING,
                created_at=NOW,
                updated_at=NOW,
            )
        )
        return version

    def shop_window(self) -> None:
        self.store.locales.add((self.game.id, "ru-RU"))
        self.store.screenshots[self.game.id] = 3
        self.store.priced.add(self.game.id)

    def status(self, version: GameVersion) -> VersionStatus:
        return self.store.versions[version.id].status

    def game_status(self) -> GameStatus:
        return self.store.games[self.game.id].status


async def test_a_direct_studio_submits_and_the_approval_readies_the_game() -> None:
    world = World()
    version = world.version(VersionStatus.READY_FOR_REVIEW)
    uow = world.uow()
    await submit_version_for_review(uow, world.owner, world.game.id, version.id, NOW)
    assert uow.committed and [type(e).__name__ for e in uow.emitted] == ["GameSubmitted"]
    assert (world.status(version), world.game_status()) == (
        VersionStatus.IN_REVIEW,
        GameStatus.IN_REVIEW,
    )
    decision = ModerationDecision(Outcome.APPROVED, world.game.id, version.id, None, None, NOW)
    assert await record_moderation_decision(world.uow(), decision, NOW)
    assert (world.status(version), world.game_status()) == (
        VersionStatus.APPROVED,
        GameStatus.DRAFT,
    )
    assert not await record_moderation_decision(world.uow(), decision, NOW)  # applied once
    [submission] = world.store.submissions.values()
    assert submission.outcome is Outcome.APPROVED


async def test_the_greenlight_track_waits_for_greenlights_approval() -> None:
    world = World(PublishingTrack.GREENLIGHT)
    version = world.version(VersionStatus.READY_FOR_REVIEW)
    uow = world.uow()
    with pytest.raises(BusinessRuleViolation) as refusal:
        await submit_version_for_review(uow, world.owner, world.game.id, version.id, NOW)
    assert refusal.value.code == "GREENLIGHT_APPROVAL_REQUIRED"
    assert not uow.committed and uow.emitted == []
    world.store.greenlight.append(
        GreenlightDecision(uuid.uuid4(), world.game.id, world.game.developer_id, True, NOW)
    )
    await submit_version_for_review(world.uow(), world.owner, world.game.id, version.id, NOW)
    assert world.status(version) is VersionStatus.IN_REVIEW


async def test_unverified_builds_and_other_tenants_are_refused() -> None:
    world = World()
    processing = world.version(VersionStatus.PROCESSING, verified=False)
    with pytest.raises(BusinessRuleViolation) as refusal:
        await submit_version_for_review(world.uow(), world.owner, world.game.id, processing.id, NOW)
    assert refusal.value.code == "BUILDS_INCOMPLETE"
    stranger = replace(world.owner, developer_id=uuid.uuid4())
    ready = world.version(VersionStatus.READY_FOR_REVIEW)
    with pytest.raises(NotFound):
        await submit_version_for_review(world.uow(), stranger, world.game.id, ready.id, NOW)
    assert world.status(ready) is VersionStatus.READY_FOR_REVIEW


async def test_publish_then_a_second_version_then_rollback() -> None:
    world = World()
    uow = world.uow()
    with pytest.raises(PublicationBlocked) as refusal:
        await publish_game(uow, world.owner, world.game.id, None, RULES, NOW)
    assert len(refusal.value.needs) == 4 and not uow.committed
    world.shop_window()
    first = world.version(VersionStatus.APPROVED)
    uow = world.uow()
    released = await publish_game(uow, world.owner, world.game.id, None, RULES, NOW)
    assert (released.from_version_id, released.to_version_id) == (None, first.id)
    [published] = uow.emitted
    assert published.first_published_at == NOW  # type: ignore[attr-defined]
    assert world.game_status() is GameStatus.PUBLISHED

    second = world.version(VersionStatus.APPROVED)
    later = NOW + timedelta(days=1)
    uow = world.uow()
    await publish_game(uow, world.owner, world.game.id, None, RULES, later)
    [again] = uow.emitted
    assert again.first_published_at == NOW  # type: ignore[attr-defined]
    assert (world.status(first), world.status(second)) == (
        VersionStatus.DEPRECATED,
        VersionStatus.LIVE,
    )

    uow = world.uow()
    back = await roll_back_game(uow, world.owner, world.game.id, first.id, " ", later)
    assert (back.from_version_id, back.to_version_id, back.reason) == (second.id, first.id, None)
    assert (world.status(first), world.status(second)) == (
        VersionStatus.LIVE,
        VersionStatus.DEPRECATED,
    )
    assert [type(e).__name__ for e in uow.emitted] == ["GameRolledBack"]
    assert [r.kind.value for r in world.store.releases] == [
        "publication",
        "publication",
        "rollback",
    ]
