"""Media's rules without I/O: what an upload may declare, what the stored object's size and
first bytes must be (magic numbers), the object key, and the order of a list."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from parovoz_developer_portal.games.domain import Game, GameStatus, ProductType
from parovoz_developer_portal.media.domain import (
    Media,
    MediaStatus,
    MediaType,
    StoredFacts,
    check_stored_object,
    is_abandoned,
    mark_ready,
    media_locale,
    numbered,
    reordered,
    request_upload,
    safe_file_name,
    sniffed_content_type,
)
from parovoz_developer_portal.media.rules import MediaRules
from parovoz_kit.errors import BusinessRuleViolation, PayloadTooLarge, ValidationFailed

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
RULES = MediaRules(
    bucket="developer-media",
    max_file_bytes=2 * 1024**3,
    upload_url_ttl_seconds=3600,
    display_url_ttl_seconds=900,
    abandoned_upload_after_seconds=24 * 3600,
    allowed_content_types=frozenset({"image/jpeg", "image/png", "video/mp4"}),
)
JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01"
PNG_HEAD = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0d"
MP4_HEAD = b"\x00\x00\x00\x20ftypisom"


def a_game(status: GameStatus = GameStatus.DRAFT) -> Game:
    return Game(
        id=uuid.uuid4(),
        developer_id=uuid.uuid4(),
        title="Игра",
        product_type=ProductType.GAME,
        parent_game_id=None,
        status=status,
        created_by_user_id=uuid.uuid4(),
        created_at=NOW,
        updated_at=NOW,
    )


def upload(
    media_type: MediaType = MediaType.SCREENSHOT,
    content_type: str = "image/png",
    size: int = 1000,
    game: Game | None = None,
    file_name: str = "shot.png",
) -> Media:
    return request_upload(
        RULES,
        game or a_game(),
        uuid.uuid4(),
        media_type,
        "ru-RU",
        file_name,
        content_type,
        size,
        NOW,
    )


# --- what an upload may declare ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("media_type", "content_type"),
    [
        (MediaType.SCREENSHOT, "image/jpeg"),
        (MediaType.SCREENSHOT, "image/png"),
        (MediaType.CAPSULE, "IMAGE/PNG"),
        (MediaType.TRAILER, "video/mp4"),
    ],
)
def test_pictures_are_jpeg_or_png_and_trailers_mp4(
    media_type: MediaType, content_type: str
) -> None:
    media = upload(media_type, content_type)
    assert media.status is MediaStatus.PENDING_UPLOAD
    assert media.content_type == content_type.lower()
    assert media.position is None


@pytest.mark.parametrize(
    ("media_type", "content_type"),
    [
        (MediaType.SCREENSHOT, "video/mp4"),
        (MediaType.TRAILER, "image/png"),
        (MediaType.CAPSULE, "image/gif"),
        (MediaType.SCREENSHOT, "text/plain"),
    ],
)
def test_another_type_is_refused(media_type: MediaType, content_type: str) -> None:
    with pytest.raises(BusinessRuleViolation) as refused:
        upload(media_type, content_type)
    assert refused.value.code == "UNSUPPORTED_MEDIA_CONTENT_TYPE"
    assert refused.value.pointer == "/data/attributes/content_type"


def test_a_type_the_rules_do_not_allow_is_refused_even_if_it_fits_the_media_type() -> None:
    narrow = replace(RULES, allowed_content_types=frozenset({"image/png"}))
    with pytest.raises(BusinessRuleViolation):
        request_upload(
            narrow, a_game(), uuid.uuid4(), MediaType.SCREENSHOT, "ru-RU", "a.jpg", "image/jpeg",
            10, NOW,
        )  # fmt: skip


def test_the_size_limit_is_the_rules() -> None:
    assert upload(size=RULES.max_file_bytes).file_size_bytes == RULES.max_file_bytes
    with pytest.raises(PayloadTooLarge) as refused:
        upload(size=RULES.max_file_bytes + 1)
    assert refused.value.code == "FILE_TOO_LARGE"
    assert refused.value.http_status == 413


def test_an_archived_game_takes_no_media() -> None:
    with pytest.raises(BusinessRuleViolation) as refused:
        upload(game=a_game(GameStatus.ARCHIVED))
    assert refused.value.code == "MEDIA_GAME_ARCHIVED"


def test_the_object_key_follows_the_seed_layout_with_a_safe_name() -> None:
    game = a_game()
    media = upload(game=game, file_name="../../etc/Мой скрин (1).png")
    assert media.object_key == (
        f"{game.developer_id}/{game.id}/media/screenshot/{media.id}/{safe_file_name(media.file_name)}"
    )
    assert media.file_name == "../../etc/Мой скрин (1).png"  # shown as given
    name = safe_file_name(media.file_name)
    assert "/" not in name and ".." not in name and " " not in name
    assert name.endswith(".png")


@pytest.mark.parametrize("name", ["...", "////", "ёжик", "a\\b\\..", "x" * 400 + ".jpeg"])
def test_a_safe_name_is_never_empty_nor_longer_than_its_column(name: str) -> None:
    safe = safe_file_name(name)
    assert 0 < len(safe) <= 255
    assert not safe.startswith(".")
    assert set(safe) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


def test_a_long_name_keeps_its_extension() -> None:
    assert safe_file_name("x" * 400 + ".jpeg").endswith(".jpeg")


# --- the stored object ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("head", "found"),
    [
        (JPEG_HEAD, "image/jpeg"),
        (PNG_HEAD, "image/png"),
        (MP4_HEAD, "video/mp4"),
        (b"\x00\x00\x00\x18ftypmp42", "video/mp4"),
        (b"hello, world", None),
        (b"\x89PNG", None),  # a cut signature is no PNG
        (b"\xff\xd8", None),
        (b"", None),
        (b"GIF89a......", None),
    ],
)
def test_magic_numbers_tell_the_type(head: bytes, found: str | None) -> None:
    assert sniffed_content_type(head) == found


def test_an_object_of_the_declared_size_and_type_is_accepted() -> None:
    media = upload(MediaType.SCREENSHOT, "image/jpeg", size=5000)
    assert check_stored_object(RULES, media, StoredFacts(5000, JPEG_HEAD)) is None
    trailer = upload(MediaType.TRAILER, "video/mp4", size=77)
    assert check_stored_object(RULES, trailer, StoredFacts(77, MP4_HEAD)) is None


@pytest.mark.parametrize(
    ("declared", "stored", "code"),
    [
        ("image/jpeg", StoredFacts(5000, PNG_HEAD), "MEDIA_CONTENT_TYPE_MISMATCH"),
        ("image/png", StoredFacts(5000, JPEG_HEAD), "MEDIA_CONTENT_TYPE_MISMATCH"),
        ("image/png", StoredFacts(5000, MP4_HEAD), "MEDIA_CONTENT_TYPE_MISMATCH"),
        ("image/png", StoredFacts(5000, b"just some text"), "MEDIA_CONTENT_UNRECOGNIZED"),
        ("image/png", StoredFacts(4999, PNG_HEAD), "MEDIA_SIZE_MISMATCH"),
        ("image/png", StoredFacts(5001, PNG_HEAD), "MEDIA_SIZE_MISMATCH"),
        ("image/png", StoredFacts(RULES.max_file_bytes + 1, PNG_HEAD), "STORED_FILE_TOO_LARGE"),
    ],
)
def test_an_object_that_is_not_what_was_declared_is_rejected_with_its_reason(
    declared: str, stored: StoredFacts, code: str
) -> None:
    media = upload(MediaType.SCREENSHOT, declared, size=5000)
    rejection = check_stored_object(RULES, media, stored)
    assert rejection is not None and rejection.code == code
    assert rejection.reason and rejection.reason_ru
    error = rejection.error()
    assert (error.http_status, error.code) == (422, code)


# --- order ------------------------------------------------------------------------------------
def ready_list(count: int) -> list[Media]:
    game = a_game()
    return [mark_ready(upload(game=game), place, NOW) for place in range(1, count + 1)]


def test_a_reorder_numbers_the_list_in_the_new_order_and_moves_only_what_changed() -> None:
    first, second, third = ready_list(3)
    later = NOW + timedelta(minutes=1)
    moved = reordered([first, second, third], [third.id, second.id, first.id], later)
    assert {media.id: media.position for media in moved} == {third.id: 1, first.id: 3}
    assert all(media.updated_at == later for media in moved)
    assert reordered([first, second, third], [first.id, second.id, third.id], later) == []


@pytest.mark.parametrize(
    "pick",
    [
        lambda a, b, c: [a.id, b.id],  # one left out
        lambda a, b, c: [a.id, b.id, c.id, uuid.uuid4()],  # an unknown one
        lambda a, b, c: [a.id, b.id, b.id, c.id],  # one twice
        lambda a, b, c: [a.id, a.id, b.id],  # one twice, one left out: same length
        lambda a, b, c: [],
    ],
)
def test_a_reorder_must_name_every_ready_media_exactly_once(pick) -> None:  # type: ignore[no-untyped-def]
    media = ready_list(3)
    with pytest.raises(BusinessRuleViolation) as refused:
        reordered(media, pick(*media), NOW)
    assert refused.value.code == "MEDIA_ORDER_MISMATCH"
    assert refused.value.pointer == "/data/attributes/media_ids"


def test_an_empty_list_is_reordered_by_an_empty_order() -> None:
    assert reordered([], [], NOW) == []


def test_closing_up_after_a_deletion_renumbers_from_one() -> None:
    first, _deleted, third, fourth = ready_list(4)
    moved = numbered([first, third, fourth], NOW)
    assert {media.id: media.position for media in moved} == {third.id: 2, fourth.id: 3}


# --- abandoned uploads ------------------------------------------------------------------------
def test_only_a_media_awaiting_its_upload_too_long_is_abandoned() -> None:
    pending = upload()
    later = timedelta(seconds=RULES.abandoned_upload_after_seconds)
    assert not is_abandoned(RULES, pending, NOW + later - timedelta(seconds=1))
    assert is_abandoned(RULES, pending, NOW + later + timedelta(seconds=1))
    ready = mark_ready(pending, 1, NOW)
    assert not is_abandoned(RULES, ready, NOW + 10 * later)


def test_a_locale_is_canonical_and_a_malformed_one_points_at_its_field() -> None:
    assert upload().language_code == "ru-RU"
    media = request_upload(
        RULES, a_game(), uuid.uuid4(), MediaType.SCREENSHOT, "en-us", "a.png", "image/png", 1, NOW
    )
    assert media.language_code == "en-US"
    with pytest.raises(ValidationFailed) as refused:
        request_upload(
            RULES, a_game(), uuid.uuid4(), MediaType.SCREENSHOT, "ru_RU", "a.png", "image/png",
            1, NOW,
        )  # fmt: skip
    assert refused.value.code == "INVALID_LANGUAGE_CODE"
    assert (refused.value.pointer, refused.value.parameter) == (
        "/data/attributes/language_code",
        None,
    )
    with pytest.raises(ValidationFailed) as in_query:
        media_locale("xx_YY", parameter="filter[language_code]")
    assert (in_query.value.pointer, in_query.value.parameter) == (None, "filter[language_code]")
