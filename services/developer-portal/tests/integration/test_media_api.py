"""Media through the REST API on the real engines and the real S3 endpoint (moto): the client
holds only the pre-signed URL the portal hands out; completion checks the stored object."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any, cast
from urllib.parse import unquote, urlsplit

import httpx
import pytest
from parovoz_developer_portal.media import service as media_service
from parovoz_developer_portal.settings import DeveloperPortalSettings
from parovoz_developer_portal.tables import games
from parovoz_developer_portal.unit_of_work import portal_unit_of_work
from parovoz_kit.infrastructure import Infrastructure
from sqlalchemy import update

PREFIX = "/api/v1/developer"
BUCKET = "developer-media"

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00" + bytes(range(256)) * 8
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR" + bytes(range(256)) * 4
MP4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00" + bytes(range(256)) * 16
TEXT = "Это не картинка, а текстовый файл.\n".encode() * 20


def upload_body(**changes: Any) -> dict[str, Any]:
    attributes = {
        "media_type": "screenshot",
        "language_code": "ru-RU",
        "file_name": "скриншот 01.jpg",
        "content_type": "image/jpeg",
        "file_size_bytes": len(JPEG),
        **changes,
    }
    return {"data": {"type": "mediaUploadRequest", "attributes": attributes}}


def order_body(media_ids: list[str], language_code: str = "ru-RU") -> dict[str, Any]:
    attributes = {
        "language_code": language_code,
        "media_type": "screenshot",
        "media_ids": media_ids,
    }
    return {"data": {"type": "mediaOrder", "attributes": attributes}}


def object_key(upload_url: str) -> str:
    """The key the pre-signed URL names (path style: /<bucket>/<key>)."""
    path = unquote(urlsplit(upload_url).path)
    assert path.startswith(f"/{BUCKET}/")
    return path.removeprefix(f"/{BUCKET}/")


class Gallery:
    """One studio's game and the calls a portal front end makes for its media."""

    def __init__(self, studio: Any) -> None:
        self.studio = studio
        self.client: httpx.AsyncClient = studio.client

    async def open(self, user_id: uuid.UUID | None = None) -> Gallery:
        answer = await self.client.post(
            f"{PREFIX}/games",
            json={
                "data": {
                    "type": "productCreation",
                    "attributes": {"title": f"Игра {uuid.uuid4()}", "product_type": "game"},
                }
            },
            headers=self.studio.auth(self.studio.owner),
        )
        assert answer.status_code == 201, answer.text
        self.game_id = answer.json()["data"]["id"]
        self.media = f"{PREFIX}/games/{self.game_id}/media"
        return self

    def auth(self, user_id: uuid.UUID | None = None) -> dict[str, str]:
        return self.studio.auth(user_id or self.studio.owner)

    async def ask(self, user_id: uuid.UUID | None = None, **changes: Any) -> httpx.Response:
        return await self.client.post(
            f"{self.media}/upload-url", json=upload_body(**changes), headers=self.auth(user_id)
        )

    async def started(self, **changes: Any) -> dict[str, Any]:
        answer = await self.ask(**changes)
        assert answer.status_code == 201, answer.text
        return answer.json()["data"]

    async def complete(self, media_id: str, user_id: uuid.UUID | None = None) -> httpx.Response:
        return await self.client.post(
            f"{self.media}/{media_id}/upload-complete", headers=self.auth(user_id)
        )

    async def uploaded(self, content: bytes, **changes: Any) -> dict[str, Any]:
        """Ask, PUT the bytes with the URL only (as a browser would), complete: the answer."""
        started = await self.started(**{"file_size_bytes": len(content), **changes})
        await put(started, content)
        answer = await self.complete(started["id"])
        assert answer.status_code == 200, answer.text
        return answer.json()["data"]

    async def listed(self, query: str = "", user_id: uuid.UUID | None = None) -> list[dict]:
        answer = await self.client.get(f"{self.media}{query}", headers=self.auth(user_id))
        assert answer.status_code == 200, answer.text
        return answer.json()["data"]


async def put(started: dict[str, Any], content: bytes) -> None:
    attributes = started["attributes"]
    assert attributes["method"] == "PUT"
    async with httpx.AsyncClient() as browser:  # no token: the URL is the only credential
        answer = await browser.put(
            attributes["upload_url"], content=content, headers=attributes["headers"]
        )
    assert answer.status_code == 200, answer.text


def only_error(answer: httpx.Response, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    [error] = answer.json()["errors"]
    return error


@pytest.fixture
async def gallery(studio: Any) -> Gallery:
    return await Gallery(studio).open()


# --- upload, check, show ----------------------------------------------------------------------
async def test_an_upload_through_the_presigned_url_becomes_ready_and_is_shown(
    gallery: Gallery, infrastructure: Infrastructure
) -> None:
    started = await gallery.started()
    attributes = started["attributes"]
    assert attributes["status"] == "pending_upload"
    assert attributes["media_id"] == started["id"]
    assert attributes["headers"] == {"Content-Type": "image/jpeg"}
    assert 0 < attributes["expires_in_seconds"] <= 3600
    key = object_key(attributes["upload_url"])
    studio = gallery.studio
    assert key.startswith(
        f"{studio.developer_id}/{gallery.game_id}/media/screenshot/{started['id']}/"
    )
    assert "/" not in key.rsplit("/", 1)[-1] and " " not in key

    await put(started, JPEG)
    answer = await gallery.complete(started["id"])
    assert answer.status_code == 200, answer.text
    ready = answer.json()["data"]
    assert (ready["id"], ready["attributes"]["status"]) == (started["id"], "ready")
    assert ready["attributes"]["position"] == 1

    [shown] = await gallery.listed()
    assert shown["id"] == started["id"]
    async with httpx.AsyncClient() as browser:
        picture = await browser.get(shown["attributes"]["url"])
    assert picture.content == JPEG

    again = await gallery.complete(started["id"])  # a retried completion answers the same
    assert again.status_code == 200 and again.json()["data"]["attributes"]["position"] == 1
    stored = await infrastructure.storage().head(BUCKET, key)
    assert stored is not None and stored.size == len(JPEG)


async def test_each_list_numbers_its_own_media_and_filters_pick_a_list(gallery: Gallery) -> None:
    first = await gallery.uploaded(JPEG)
    second = await gallery.uploaded(PNG, content_type="image/png", file_name="b.png")
    english = await gallery.uploaded(JPEG, language_code="en-US")
    trailer = await gallery.uploaded(
        MP4, media_type="trailer", content_type="video/mp4", file_name="trailer.mp4"
    )
    capsule = await gallery.uploaded(PNG, media_type="capsule", content_type="image/png")
    assert [m["attributes"]["position"] for m in (first, second, english, trailer, capsule)] == [
        1,
        2,
        1,
        1,
        1,
    ]

    ids = lambda media: [item["id"] for item in media]  # noqa: E731
    assert ids(
        await gallery.listed("?filter[language_code]=ru-RU&filter[media_type]=screenshot")
    ) == [
        first["id"],
        second["id"],
    ]
    assert ids(await gallery.listed("?filter[language_code]=en-US")) == [english["id"]]
    assert ids(await gallery.listed("?filter[media_type]=trailer")) == [trailer["id"]]
    assert len(await gallery.listed()) == 5
    async with portal_unit_of_work(gallery.studio.infrastructure) as uow:
        assert await media_service.screenshot_count(uow, uuid.UUID(gallery.game_id)) == 3


async def test_uploads_completed_at_once_take_distinct_places(gallery: Gallery) -> None:
    started = [await gallery.started() for _ in range(5)]
    for one in started:
        await put(one, JPEG)
    answers = await asyncio.gather(*(gallery.complete(one["id"]) for one in started))
    assert all(answer.status_code == 200 for answer in answers), [a.text for a in answers]
    places = sorted(answer.json()["data"]["attributes"]["position"] for answer in answers)
    assert places == [1, 2, 3, 4, 5]


# --- the stored object decides ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "declared", "code"),
    [
        (PNG, {"content_type": "image/jpeg"}, "MEDIA_CONTENT_TYPE_MISMATCH"),
        (TEXT, {"content_type": "image/png"}, "MEDIA_CONTENT_UNRECOGNIZED"),
        (JPEG, {"file_size_bytes": len(JPEG) + 1}, "MEDIA_SIZE_MISMATCH"),
        (MP4, {"content_type": "image/jpeg"}, "MEDIA_CONTENT_TYPE_MISMATCH"),
    ],
)
async def test_a_stored_object_that_is_not_what_was_declared_is_rejected_and_deleted(
    gallery: Gallery,
    infrastructure: Infrastructure,
    content: bytes,
    declared: dict[str, Any],
    code: str,
) -> None:
    started = await gallery.started(**{"file_size_bytes": len(content), **declared})
    await put(started, content)
    key = object_key(started["attributes"]["upload_url"])
    assert await infrastructure.storage().head(BUCKET, key) is not None

    error = only_error(await gallery.complete(started["id"]), 422)
    assert error["code"] == code
    assert await infrastructure.storage().head(BUCKET, key) is None

    shown = await gallery.client.get(f"{gallery.media}/{started['id']}", headers=gallery.auth())
    attributes = shown.json()["data"]["attributes"]
    assert (attributes["status"], attributes["rejection_code"]) == ("rejected", code)
    assert attributes["rejection_reason"] and attributes["rejection_reason_ru"]
    assert attributes["url"] is None and attributes["position"] is None
    assert await gallery.listed() == []
    rejected = await gallery.listed("?filter[status]=rejected")
    assert [item["id"] for item in rejected] == [started["id"]]
    again = only_error(await gallery.complete(started["id"]), 422)
    assert again["code"] == "MEDIA_ALREADY_REJECTED"


async def test_completing_before_uploading_changes_nothing_and_may_be_retried(
    gallery: Gallery,
) -> None:
    started = await gallery.started(file_size_bytes=len(PNG), content_type="image/png")
    error = only_error(await gallery.complete(started["id"]), 422)
    assert error["code"] == "MEDIA_NOT_UPLOADED"
    await put(started, PNG)
    answer = await gallery.complete(started["id"])
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["attributes"]["status"] == "ready"


async def test_what_an_upload_may_declare(gallery: Gallery) -> None:
    too_large = only_error(await gallery.ask(file_size_bytes=2 * 1024**3 + 1), 413)
    assert too_large["code"] == "FILE_TOO_LARGE"
    assert too_large["source"] == {"pointer": "/data/attributes/file_size_bytes"}
    gif = only_error(await gallery.ask(content_type="image/gif"), 422)
    assert gif["code"] == "UNSUPPORTED_MEDIA_CONTENT_TYPE"
    png_trailer = only_error(await gallery.ask(media_type="trailer", content_type="image/png"), 422)
    assert png_trailer["code"] == "UNSUPPORTED_MEDIA_CONTENT_TYPE"
    for bad in (
        {"file_size_bytes": "1000"},
        {"file_size_bytes": 0},
        {"media_type": "poster"},
        {"file_name": ""},
        {"file_name": "a" * 256},
    ):
        only_error(await gallery.ask(**bad), 400)
    assert (await gallery.ask(file_size_bytes=2 * 1024**3)).status_code == 201
    for tag in ("russian", "ru_RU", "r", "ru-RU-x-private"):
        error = only_error(await gallery.ask(language_code=tag), 400)
        assert error["code"] == "INVALID_LANGUAGE_CODE"
        assert error["source"] == {"pointer": "/data/attributes/language_code"}
    error = only_error(
        await gallery.client.get(
            f"{gallery.media}?filter[language_code]=xx_YY", headers=gallery.auth()
        ),
        400,
    )
    assert (error["code"], error["source"]) == (
        "INVALID_LANGUAGE_CODE",
        {"parameter": "filter[language_code]"},
    )


async def test_a_locale_is_a_tag_as_metadata_writes_it(gallery: Gallery) -> None:
    """Media lists are keyed by the same canonical tags as the game's metadata."""
    shouted = await gallery.uploaded(JPEG, language_code="EN-us")
    assert shouted["attributes"]["language_code"] == "en-US"
    chinese = await gallery.uploaded(JPEG, language_code="zh-Hant-TW")
    assert [item["id"] for item in await gallery.listed("?filter[language_code]=en-us")] == [
        shouted["id"]
    ]
    assert [item["id"] for item in await gallery.listed("?filter[language_code]=zh-Hant-TW")] == [
        chinese["id"]
    ]
    answer = await gallery.client.put(
        f"{gallery.media}/order", json=order_body([shouted["id"]], "en-us"), headers=gallery.auth()
    )
    assert answer.status_code == 200, answer.text


async def test_an_archived_game_takes_no_uploads(gallery: Gallery) -> None:
    async with gallery.studio.infrastructure.session_factory.begin() as session:
        await session.execute(
            update(games).where(games.c.id == uuid.UUID(gallery.game_id)).values(status="archived")
        )
    error = only_error(await gallery.ask(), 422)
    assert error["code"] == "MEDIA_GAME_ARCHIVED"


async def test_an_idempotency_key_replays_the_first_upload(gallery: Gallery) -> None:
    headers = gallery.auth() | {"Idempotency-Key": str(uuid.uuid4())}
    first = await gallery.client.post(
        f"{gallery.media}/upload-url", json=upload_body(), headers=headers
    )
    again = await gallery.client.post(
        f"{gallery.media}/upload-url", json=upload_body(), headers=headers
    )
    assert first.status_code == 201, first.text
    assert (again.status_code, again.json()) == (201, first.json())
    assert first.headers["Location"] == first.json()["data"]["links"]["self"]
    assert len(await gallery.listed("?filter[status]=pending_upload")) == 1


# --- order and deletion -----------------------------------------------------------------------
async def test_a_list_is_reordered_only_as_a_whole(gallery: Gallery) -> None:
    a, b, c = [(await gallery.uploaded(JPEG))["id"] for _ in range(3)]
    english = (await gallery.uploaded(JPEG, language_code="en-US"))["id"]
    pending = (await gallery.started())["id"]

    answer = await gallery.client.put(
        f"{gallery.media}/order", json=order_body([c, a, b]), headers=gallery.auth()
    )
    assert answer.status_code == 200, answer.text
    assert [(m["id"], m["attributes"]["position"]) for m in answer.json()["data"]] == [
        (c, 1),
        (a, 2),
        (b, 3),
    ]
    listed = await gallery.listed("?filter[language_code]=ru-RU")
    assert [item["id"] for item in listed] == [c, a, b]

    for wrong in ([c, a], [c, a, b, english], [c, a, b, pending], [c, a, a], [c, a, b, b]):
        error = only_error(
            await gallery.client.put(
                f"{gallery.media}/order", json=order_body(wrong), headers=gallery.auth()
            ),
            422,
        )
        assert error["code"] == "MEDIA_ORDER_MISMATCH"
    assert [item["id"] for item in await gallery.listed("?filter[language_code]=ru-RU")] == [
        c,
        a,
        b,
    ]
    assert [item["id"] for item in await gallery.listed("?filter[language_code]=en-US")] == [
        english
    ]


async def test_deleting_removes_the_object_and_closes_up_the_list(
    gallery: Gallery, infrastructure: Infrastructure
) -> None:
    uploads = []
    for _ in range(3):
        started = await gallery.started()
        await put(started, JPEG)
        assert (await gallery.complete(started["id"])).status_code == 200
        uploads.append((started["id"], object_key(started["attributes"]["upload_url"])))
    (first, _), (middle, middle_key), (last, _) = uploads

    answer = await gallery.client.delete(f"{gallery.media}/{middle}", headers=gallery.auth())
    assert answer.status_code == 204, answer.text
    assert await infrastructure.storage().head(BUCKET, middle_key) is None
    listed = await gallery.listed()
    assert [(m["id"], m["attributes"]["position"]) for m in listed] == [(first, 1), (last, 2)]
    gone = await gallery.client.get(f"{gallery.media}/{middle}", headers=gallery.auth())
    assert only_error(gone, 404)["code"] == "MEDIA_NOT_FOUND"
    again = await gallery.client.delete(f"{gallery.media}/{middle}", headers=gallery.auth())
    assert only_error(again, 404)["code"] == "MEDIA_NOT_FOUND"

    started = await gallery.started()  # a new one goes last, after the closed-up list
    await put(started, JPEG)
    assert (await gallery.complete(started["id"])).json()["data"]["attributes"]["position"] == 3


async def test_abandoned_uploads_are_deleted_with_what_was_stored_for_them(
    gallery: Gallery, infrastructure: Infrastructure
) -> None:
    never_uploaded = await gallery.started()
    never_completed = await gallery.started()
    await put(never_completed, JPEG)
    ready = await gallery.uploaded(JPEG)
    stored_key = object_key(never_completed["attributes"]["upload_url"])
    rules = cast(DeveloperPortalSettings, infrastructure.settings).media_rules()
    now = infrastructure.clock.now()
    storage = infrastructure.storage()

    def expire(at: datetime) -> Any:
        return media_service.expire_abandoned_uploads(
            lambda: portal_unit_of_work(infrastructure), storage, rules, at, limit=1_000_000
        )

    await expire(now + timedelta(seconds=rules.abandoned_upload_after_seconds - 60))
    assert len(await gallery.listed("?filter[status]=pending_upload")) == 2
    assert await storage.head(BUCKET, stored_key) is not None

    assert await expire(now + timedelta(seconds=rules.abandoned_upload_after_seconds + 60)) >= 2
    assert await gallery.listed("?filter[status]=pending_upload") == []
    assert await storage.head(BUCKET, stored_key) is None
    assert [item["id"] for item in await gallery.listed()] == [ready["id"]]
    for gone in (never_uploaded, never_completed):
        assert only_error(await gallery.complete(gone["id"]), 404)["code"] == "MEDIA_NOT_FOUND"


# --- who may do what --------------------------------------------------------------------------
async def test_another_accounts_game_and_media_are_not_found(
    gallery: Gallery, new_studio: Any
) -> None:
    mine = await gallery.uploaded(JPEG)
    other = await Gallery(await new_studio()).open()
    theirs = await other.uploaded(JPEG)
    stranger = other.auth()

    # Their token on my game: as if it did not exist.
    for answer in (
        await gallery.client.post(
            f"{gallery.media}/upload-url", json=upload_body(), headers=stranger
        ),
        await gallery.client.get(gallery.media, headers=stranger),
        await gallery.client.get(f"{gallery.media}/{mine['id']}", headers=stranger),
        await gallery.client.post(
            f"{gallery.media}/{mine['id']}/upload-complete", headers=stranger
        ),
        await gallery.client.put(
            f"{gallery.media}/order", json=order_body([mine["id"]]), headers=stranger
        ),
        await gallery.client.delete(f"{gallery.media}/{mine['id']}", headers=stranger),
    ):
        assert only_error(answer, 404)["code"] == "RESOURCE_NOT_FOUND"
    # Their media id under my game: not found either, and nothing of theirs moves.
    for answer in (
        await gallery.client.get(f"{gallery.media}/{theirs['id']}", headers=gallery.auth()),
        await gallery.complete(theirs["id"]),
        await gallery.client.delete(f"{gallery.media}/{theirs['id']}", headers=gallery.auth()),
    ):
        assert only_error(answer, 404)["code"] == "MEDIA_NOT_FOUND"
    assert [item["id"] for item in await other.listed()] == [theirs["id"]]
    assert [item["id"] for item in await gallery.listed()] == [mine["id"]]


@pytest.mark.parametrize("role", ["viewer", "finance"])
async def test_a_reader_sees_media_but_changes_nothing(gallery: Gallery, role: str) -> None:
    ready = await gallery.uploaded(JPEG)
    pending = await gallery.started()
    reader = await gallery.studio.member(role)

    assert [item["id"] for item in await gallery.listed(user_id=reader)] == [ready["id"]]
    one = await gallery.client.get(f"{gallery.media}/{ready['id']}", headers=gallery.auth(reader))
    assert one.status_code == 200 and one.json()["data"]["attributes"]["url"]
    for answer in (
        await gallery.ask(user_id=reader),
        await gallery.complete(pending["id"], user_id=reader),
        await gallery.client.put(
            f"{gallery.media}/order", json=order_body([ready["id"]]), headers=gallery.auth(reader)
        ),
        await gallery.client.delete(f"{gallery.media}/{ready['id']}", headers=gallery.auth(reader)),
    ):
        assert only_error(answer, 403)["code"] == "TEAM_ROLE_FORBIDS"


async def test_an_editor_manages_media(gallery: Gallery) -> None:
    editor = await gallery.studio.member("editor")
    started = await gallery.ask(user_id=editor)
    assert started.status_code == 201, started.text
    data = started.json()["data"]
    await put(data, JPEG)
    assert (await gallery.complete(data["id"], user_id=editor)).status_code == 200
    answer = await gallery.client.delete(
        f"{gallery.media}/{data['id']}", headers=gallery.auth(editor)
    )
    assert answer.status_code == 204
