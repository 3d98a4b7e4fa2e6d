"""releases' rules: the publication checklist (each need alone, all together), which version is
published, the game's move, rollback's refusals and ``first_published_at``."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from parovoz_developer_portal.builds.domain import GameVersion, VersionStatus
from parovoz_developer_portal.games.domain import Game, GameStatus, ProductType
from parovoz_developer_portal.releases.domain import (
    PublicationBlocked,
    PublicationFacts,
    Release,
    ReleaseKind,
    first_published_at,
    game_status_on_publication,
    live_version,
    missing_needs,
    require_publishable,
    require_rollback,
    rollback_reason,
    version_to_publish,
)
from parovoz_developer_portal.releases.rules import PublicationRules
from parovoz_kit.errors import BusinessRuleViolation, NotFound

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
RULES = PublicationRules(required_locale="ru-RU", min_screenshots=3)
GAME_ID = uuid.uuid4()


def a_game(status: GameStatus = GameStatus.DRAFT) -> Game:
    return Game(
        id=GAME_ID,
        developer_id=uuid.uuid4(),
        title="Паровоз",
        product_type=ProductType.GAME,
        parent_game_id=None,
        status=status,
        created_by_user_id=uuid.uuid4(),
        created_at=NOW,
        updated_at=NOW,
    )


def a_version(
    status: VersionStatus = VersionStatus.APPROVED, age: int = 0, game_id: uuid.UUID = GAME_ID
) -> GameVersion:
    created = NOW - timedelta(days=age)
    return GameVersion(
        id=uuid.uuid4(),
        game_id=game_id,
        developer_id=uuid.uuid4(),
        version_name=f"1.0.{age}",
        changelog={},
        status=status,
        created_at=created,
        updated_at=created,
        created_by_user_id=uuid.uuid4(),
    )


def ready_facts(**changes: object) -> PublicationFacts:
    facts = PublicationFacts(
        version=a_version(),
        verified_platforms=frozenset({"windows_x64"}),
        has_required_metadata=True,
        screenshots=RULES.min_screenshots,
        priced=True,
    )
    return replace(facts, **changes)  # type: ignore[arg-type]


def codes(facts: PublicationFacts) -> list[str]:
    return [need.code for need in missing_needs(facts, RULES)]


def test_a_ready_game_misses_nothing_and_publishes_its_version() -> None:
    facts = ready_facts()
    assert missing_needs(facts, RULES) == []
    assert require_publishable(facts, RULES) == facts.version


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"version": None}, "NO_APPROVED_VERSION"),
        ({"version": a_version(VersionStatus.IN_REVIEW)}, "NO_APPROVED_VERSION"),
        ({"version": a_version(VersionStatus.LIVE)}, "NO_APPROVED_VERSION"),
        ({"verified_platforms": frozenset()}, "NO_VERIFIED_BUILD"),
        ({"has_required_metadata": False}, "METADATA_LOCALE_MISSING"),
        ({"screenshots": RULES.min_screenshots - 1}, "NOT_ENOUGH_SCREENSHOTS"),
        ({"screenshots": 0}, "NOT_ENOUGH_SCREENSHOTS"),
        ({"priced": False}, "PRICE_MISSING"),
    ],
)
def test_each_need_missing_alone_is_the_only_error(changes: dict, code: str) -> None:
    facts = ready_facts(**changes)
    assert codes(facts) == [code]
    with pytest.raises(PublicationBlocked) as refusal:
        require_publishable(facts, RULES)
    assert [need.code for need in refusal.value.needs] == [code]
    assert refusal.value.http_status == 422


def test_every_need_missing_at_once_is_listed_once_each() -> None:
    facts = PublicationFacts(
        version=None,
        verified_platforms=frozenset(),
        has_required_metadata=False,
        screenshots=0,
        priced=False,
    )
    with pytest.raises(PublicationBlocked) as refusal:
        require_publishable(facts, RULES)
    needs = refusal.value.needs
    assert [need.code for need in needs] == [
        "NO_APPROVED_VERSION",
        "METADATA_LOCALE_MISSING",
        "NOT_ENOUGH_SCREENSHOTS",
        "PRICE_MISSING",
    ]
    # Each carries its numbers and names in both languages.
    screenshots = needs[2]
    assert str(RULES.min_screenshots) in screenshots.detail
    assert screenshots.detail_ru and str(RULES.min_screenshots) in screenshots.detail_ru
    assert RULES.required_locale in needs[1].detail


def test_the_rules_numbers_are_the_rules_objects() -> None:
    stricter = PublicationRules(required_locale="ru-RU", min_screenshots=5)
    facts = ready_facts(screenshots=4)
    assert codes(facts) == []
    assert [n.code for n in missing_needs(facts, stricter)] == ["NOT_ENOUGH_SCREENSHOTS"]


def test_the_newest_approved_version_is_published_by_default() -> None:
    old, new = a_version(age=3), a_version(age=1)
    others = [a_version(VersionStatus.IN_REVIEW, age=0), a_version(VersionStatus.LIVE, age=9)]
    assert version_to_publish([old, *others, new], None) == new
    assert version_to_publish(others, None) is None
    assert version_to_publish([], None) is None


def test_a_version_asked_for_is_taken_whatever_its_status_and_an_unknown_one_is_404() -> None:
    in_review = a_version(VersionStatus.IN_REVIEW)
    assert version_to_publish([a_version(), in_review], in_review.id) == in_review
    with pytest.raises(NotFound):
        version_to_publish([a_version()], uuid.uuid4())


@pytest.mark.parametrize(
    ("status", "target"),
    [
        (GameStatus.DRAFT, GameStatus.PUBLISHED),
        (GameStatus.IN_REVIEW, GameStatus.PUBLISHED),
        (GameStatus.UNPUBLISHED, GameStatus.PUBLISHED),
        (GameStatus.PUBLISHED, None),
    ],
)
def test_publication_moves_the_game(status: GameStatus, target: GameStatus | None) -> None:
    assert game_status_on_publication(a_game(status)) == target


@pytest.mark.parametrize("status", [GameStatus.ARCHIVED, GameStatus.REJECTED])
def test_an_archived_or_rejected_game_is_not_published(status: GameStatus) -> None:
    with pytest.raises(BusinessRuleViolation) as refusal:
        game_status_on_publication(a_game(status))
    assert refusal.value.code == "GAME_STATE_CONFLICT"


def test_live_version_is_the_one_live() -> None:
    live = a_version(VersionStatus.LIVE)
    assert live_version([a_version(VersionStatus.DEPRECATED), live]) == live
    assert live_version([a_version()]) is None


def test_rollback_returns_to_a_deprecated_version_and_deprecates_the_live_one() -> None:
    game = a_game(GameStatus.PUBLISHED)
    earlier, current = a_version(VersionStatus.DEPRECATED), a_version(VersionStatus.LIVE)
    assert require_rollback(game, earlier, earlier.id, current) == (earlier, current)


@pytest.mark.parametrize(
    "status",
    [s for s in VersionStatus if s is not VersionStatus.DEPRECATED],
)
def test_rollback_refuses_a_version_that_was_never_live(status: VersionStatus) -> None:
    game = a_game(GameStatus.PUBLISHED)
    target, current = a_version(status), a_version(VersionStatus.LIVE)
    with pytest.raises(BusinessRuleViolation) as refusal:
        require_rollback(game, target, target.id, current)
    assert refusal.value.code == "ROLLBACK_TARGET_INVALID"


def test_rollback_of_a_game_not_on_sale_or_to_another_games_version() -> None:
    earlier = a_version(VersionStatus.DEPRECATED)
    for status in (GameStatus.UNPUBLISHED, GameStatus.DRAFT, GameStatus.ARCHIVED):
        with pytest.raises(BusinessRuleViolation) as refusal:
            require_rollback(a_game(status), earlier, earlier.id, a_version(VersionStatus.LIVE))
        assert refusal.value.code == "GAME_NOT_PUBLISHED"
    with pytest.raises(BusinessRuleViolation) as refusal:
        require_rollback(a_game(GameStatus.PUBLISHED), earlier, earlier.id, None)
    assert refusal.value.code == "GAME_NOT_PUBLISHED"
    foreign = a_version(VersionStatus.DEPRECATED, game_id=uuid.uuid4())
    with pytest.raises(NotFound):
        require_rollback(a_game(GameStatus.PUBLISHED), foreign, foreign.id, a_version())
    with pytest.raises(NotFound):
        require_rollback(a_game(GameStatus.PUBLISHED), None, uuid.uuid4(), a_version())


def test_first_published_at_is_kept_across_republications_and_rollbacks() -> None:
    def entry(kind: ReleaseKind, at: datetime) -> Release:
        return Release(
            id=uuid.uuid4(),
            game_id=GAME_ID,
            developer_id=uuid.uuid4(),
            kind=kind,
            from_version_id=uuid.uuid4(),
            to_version_id=uuid.uuid4(),
            by_user_id=uuid.uuid4(),
            released_at=at,
        )

    assert first_published_at([], NOW) == NOW
    first = NOW - timedelta(days=30)
    history = [
        entry(ReleaseKind.ROLLBACK, first - timedelta(days=1)),  # cannot precede, still ignored
        entry(ReleaseKind.PUBLICATION, first + timedelta(days=2)),
        entry(ReleaseKind.PUBLICATION, first),
    ]
    assert first_published_at(history, NOW) == first


def test_a_blank_rollback_reason_is_no_reason() -> None:
    assert rollback_reason(None) is None
    assert rollback_reason("   ") is None
    assert rollback_reason("  Сохранения не грузятся ") == "Сохранения не грузятся"


def test_an_unpublished_game_goes_back_on_sale_with_its_live_version() -> None:
    live, old = a_version(VersionStatus.LIVE, age=1), a_version(VersionStatus.DEPRECATED, age=5)
    unpublished = a_game(GameStatus.UNPUBLISHED)
    assert version_to_publish([old, live], None, unpublished) == live
    assert version_to_publish([old, live], None, a_game(GameStatus.PUBLISHED)) is None
    newer = a_version(VersionStatus.APPROVED, age=0)
    assert version_to_publish([old, live, newer], None, unpublished) == newer  # approved first
    facts = ready_facts(version=live, game_status=GameStatus.UNPUBLISHED)
    assert missing_needs(facts, RULES) == []
    on_sale = ready_facts(version=live, game_status=GameStatus.PUBLISHED)
    assert codes(on_sale) == ["NO_APPROVED_VERSION"]
    deprecated = ready_facts(version=old, game_status=GameStatus.UNPUBLISHED)
    assert codes(deprecated) == ["NO_APPROVED_VERSION"]
