"""notifications' domain: the Russian title, body and link each kind is rendered with, from the
event's facts alone; money without floats; reading keeps the first time."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

from parovoz_developer_portal.notifications.domain import (
    TITLE_MAX,
    NotificationDraft,
    NotificationKind,
    build_checked,
    format_money,
    game_published,
    game_rolled_back,
    game_unpublished,
    greenlight_decided,
    local_source_id,
    moderation_decided,
    payout_status_changed,
    place,
    team_invitation,
    team_member_changed,
    team_ownership_transferred,
)

NOW = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)
DEVELOPER, GAME, VERSION, BUILD, EVENT = (uuid.uuid4() for _ in range(5))
CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


def _russian(draft: NotificationDraft) -> None:
    assert CYRILLIC.search(draft.title) and CYRILLIC.search(draft.body), draft


def test_an_approval_names_the_game_and_version_and_links_to_the_review() -> None:
    draft = moderation_decided(
        developer_id=DEVELOPER,
        game_id=GAME,
        game_title="Поезд в тайгу",
        version_id=VERSION,
        version_name="1.0.2",
        approved=True,
        note="Всё в порядке",
    )
    _russian(draft)
    assert draft.kind is NotificationKind.MODERATION_APPROVED
    assert draft.title == "Версия 1.0.2 игры «Поезд в тайгу» одобрена модерацией"
    assert "Всё в порядке" in draft.body
    assert draft.link.resource_type == "gameVersion" and draft.link.resource_id == VERSION
    assert draft.link.path == f"/games/{GAME}/versions/{VERSION}/review"
    assert draft.developer_id == DEVELOPER
    # Told once per version, whichever decision event tells it.
    assert draft.source_event_id == local_source_id("moderation", VERSION, "decided")


def test_a_rejection_gives_the_moderators_reason() -> None:
    draft = moderation_decided(
        developer_id=DEVELOPER,
        game_id=GAME,
        game_title="Поезд",
        version_id=VERSION,
        version_name="2.0",
        approved=False,
        note="Нет возрастного рейтинга",
    )
    assert draft.kind is NotificationKind.MODERATION_REJECTED
    assert "отклонена" in draft.title
    assert draft.body.startswith("Причина: Нет возрастного рейтинга")


def test_a_builds_verdict_links_to_the_build_and_has_a_stable_source() -> None:
    common = {
        "developer_id": DEVELOPER,
        "game_id": GAME,
        "version_id": VERSION,
        "build_id": BUILD,
        "file_name": "game.zip",
        "platform": "windows_x64",
    }
    verified = build_checked(**common, verified=True, failure=None)  # type: ignore[arg-type]
    failed = build_checked(**common, verified=False, failure="hash_mismatch")  # type: ignore[arg-type]
    _russian(verified)
    _russian(failed)
    assert verified.kind is NotificationKind.BUILD_VERIFIED
    assert failed.kind is NotificationKind.BUILD_FAILED
    assert "SHA-256" in failed.body and "hash_mismatch" not in failed.body
    assert verified.link.path == f"/games/{GAME}/versions/{VERSION}/builds/{BUILD}"
    # No event carries a verdict: the source id is derived, the same on every run.
    assert verified.source_event_id == local_source_id("build", BUILD, "verified")
    assert verified.source_event_id != failed.source_event_id
    again = build_checked(**common, verified=True, failure=None)  # type: ignore[arg-type]
    assert again.source_event_id == verified.source_event_id


def test_publication_rollback_and_unpublication_link_to_the_game() -> None:
    first = game_published(
        developer_id=DEVELOPER,
        game_id=GAME,
        game_title="Поезд",
        republished=False,
        source_event_id=EVENT,
    )
    again = game_published(
        developer_id=DEVELOPER,
        game_id=GAME,
        game_title="Поезд",
        republished=True,
        source_event_id=EVENT,
    )
    rolled = game_rolled_back(
        developer_id=DEVELOPER,
        game_id=GAME,
        game_title="Поезд",
        reason="Сохранения",
        source_event_id=EVENT,
    )
    off = game_unpublished(
        developer_id=DEVELOPER,
        game_id=GAME,
        game_title="Поезд",
        reason=None,
        source_event_id=EVENT,
    )
    assert first.title == "Игра «Поезд» опубликована"
    assert again.title == "Игра «Поезд» снова в магазине"
    assert "Сохранения" in rolled.body and rolled.kind is NotificationKind.GAME_ROLLED_BACK
    assert off.kind is NotificationKind.GAME_UNPUBLISHED
    for draft in (first, again, rolled, off):
        _russian(draft)
        assert draft.link.path == f"/games/{GAME}" and draft.link.resource_type == "game"


def test_a_payout_names_its_amount_in_roubles_and_kopecks_and_its_status() -> None:
    request = uuid.uuid4()
    done = payout_status_changed(
        developer_id=DEVELOPER,
        payout_request_id=request,
        amount_minor=500_000_07,
        currency="RUB",
        new_status="completed",
        failure=None,
        source_event_id=EVENT,
    )
    failed = payout_status_changed(
        developer_id=DEVELOPER,
        payout_request_id=request,
        amount_minor=100_000,
        currency="RUB",
        new_status="failed",
        failure="Счёт закрыт",
        source_event_id=EVENT,
    )
    assert done.title == "Выплата 500\u00a0000,07 RUB: выполнена"
    assert "Счёт закрыт" in failed.body and "не выполнена" in failed.title
    assert done.link.path == f"/finance/payouts/requests/{request}"
    assert done.link.resource_type == "payoutRequest"


def test_money_is_formatted_from_integer_minor_units() -> None:
    assert format_money(0, "RUB") == "0,00 RUB"
    assert format_money(5, "KZT") == "0,05 KZT"
    assert format_money(123_456_789, "RUB") == "1\u00a0234\u00a0567,89 RUB"
    assert format_money(-150, "RUB") == "-1,50 RUB"


def test_greenlight_decisions_with_and_without_the_games_title() -> None:
    approved = greenlight_decided(
        developer_id=DEVELOPER,
        game_id=GAME,
        game_title="Поезд",
        approved=True,
        detail=None,
        source_event_id=EVENT,
    )
    rejected = greenlight_decided(
        developer_id=DEVELOPER,
        game_id=GAME,
        game_title=None,
        approved=False,
        detail=None,
        source_event_id=EVENT,
    )
    assert approved.kind is NotificationKind.GREENLIGHT_APPROVED
    assert "«Поезд»" in approved.title
    assert rejected.kind is NotificationKind.GREENLIGHT_REJECTED
    assert "вашей игры" in rejected.title
    _russian(approved)
    _russian(rejected)


def test_team_events_name_the_role_in_russian_and_link_to_the_team() -> None:
    invitation, member, owner = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    by_id = team_invitation(
        developer_id=DEVELOPER,
        invitation_id=invitation,
        role="editor",
        invitee_user_id=member,
        expires_at=NOW,
        source_event_id=EVENT,
    )
    by_email = team_invitation(
        developer_id=DEVELOPER,
        invitation_id=invitation,
        role="finance",
        invitee_user_id=None,
        expires_at=NOW,
        source_event_id=EVENT,
    )
    joined = team_member_changed(
        developer_id=DEVELOPER,
        user_id=member,
        change="joined",
        role="editor",
        previous_role=None,
        source_event_id=EVENT,
    )
    moved = team_member_changed(
        developer_id=DEVELOPER,
        user_id=member,
        change="role_changed",
        role="admin",
        previous_role="viewer",
        source_event_id=EVENT,
    )
    transferred = team_ownership_transferred(
        developer_id=DEVELOPER,
        previous_owner_user_id=owner,
        owner_user_id=member,
        source_event_id=EVENT,
    )
    assert by_id.title == "Приглашение в команду на роль «редактор»"
    assert str(member) in by_id.body and "08.12.2026 12:00" in by_id.body
    assert "e-mail" in by_email.body and "@" not in by_email.body  # no address travels
    assert by_id.link == by_email.link
    assert by_id.link.path == "/team/invitations" and by_id.link.resource_id == invitation
    assert joined.kind is NotificationKind.TEAM_MEMBER_CHANGED and "«редактор»" in joined.body
    assert "«наблюдатель» → «администратор»" in moved.body
    assert transferred.kind is NotificationKind.TEAM_OWNERSHIP_TRANSFERRED
    for draft in (by_id, by_email, joined, moved, transferred):
        _russian(draft)
        assert draft.link.path.startswith("/team")


def test_placing_clips_a_long_title_and_reading_keeps_the_first_time() -> None:
    draft = game_published(
        developer_id=DEVELOPER,
        game_id=GAME,
        game_title="Д" * 400,
        republished=False,
        source_event_id=EVENT,
    )
    placed = place(draft, uuid.uuid4(), 7, NOW)
    assert len(placed.title) == TITLE_MAX and placed.title.endswith("…")
    assert placed.sequence == 7 and placed.unread and placed.created_at == NOW
    read = placed.read(NOW + timedelta(minutes=1))
    assert not read.unread
    assert read.read(NOW + timedelta(hours=1)) is read
