"""A game's whole journey through the gateway against the running platform (issue #13's proof):
a studio opens an account and the admin stand-in verifies it (direct track, accounts' consumer)
-> a draft game -> ru-RU metadata -> 3 screenshots and a build PUT straight to S3 with the
pre-signed URLs only -> the builds worker verifies the build -> submit for review -> the admin
stand-in approves over Kafka -> publish -> a player buys it through payment -> a second version
goes the same way and is published -> rollback to the first. Every event the game left in
developer-portal's outbox is valid against its schema, in the order of the journey."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import httpx
import psycopg
from confluent_kafka import Consumer, TopicPartition
from e2e_payments import Player, game_purchase, scalar
from e2e_studio import PortalStudio
from parovoz_events import schema_for
from parovoz_kit.events import Event
from parovoz_testing.platform import DATABASES, wait_until

ADMIN_STANDIN = "http://127.0.0.1:8093"
PRICE_MINOR = 49_900
BROKER = "127.0.0.1:59092"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00" + bytes(range(256)) * 8


def on_the_broker(ids: set[str], since_ms: int) -> dict[str, Event]:
    """The events with these ids read back from ``developer.events.v1`` (from ``since_ms`` on),
    decoded as CloudEvents; each one's data valid against its schema."""
    consumer = Consumer(
        {
            "bootstrap.servers": BROKER,
            "group.id": f"e2e-journey-{uuid.uuid4().hex}",
            "enable.auto.commit": False,
        }
    )
    try:
        topic = "developer.events.v1"
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        starts = consumer.offsets_for_times(
            [TopicPartition(topic, p, since_ms) for p in partitions], timeout=10
        )
        consumer.assign(starts)
        found: dict[str, Event] = {}
        deadline = time.monotonic() + 60
        while set(found) != ids and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None or message.error():
                continue
            event = Event.from_kafka(message.key(), message.value(), message.headers() or [])
            if str(event.id) in ids:
                schema_for(event.type).model_validate(event.data)
                found[str(event.id)] = event
        return found
    finally:
        consumer.close()


class Studio(PortalStudio):
    """One studio and its game, through the gateway (and the S3 endpoint for the bytes)."""

    def draft(self, title: str = "Транссиб") -> None:
        super().draft(title)

    def screenshot(self, number: int) -> None:
        started = self.ok(
            "POST",
            f"{self.game}/media/upload-url",
            {
                "type": "mediaUploadRequest",
                "attributes": {
                    "media_type": "screenshot",
                    "language_code": "ru-RU",
                    "file_name": f"кадр {number}.jpg",
                    "content_type": "image/jpeg",
                    "file_size_bytes": len(JPEG),
                },
            },
        )
        attributes = started["attributes"]
        stored = httpx.put(attributes["upload_url"], content=JPEG, headers=attributes["headers"])
        assert stored.status_code == 200, stored.text
        done = self.ok("POST", f"{self.game}/media/{started['id']}/upload-complete")
        assert done["attributes"]["status"] == "ready"

    def version_with_build(
        self, name: str, file_stem: str = "transsib", size: int = 256 * 1024
    ) -> str:
        return super().version_with_build(name, file_stem, size)

    def status_of(self, version_id: str) -> str:
        version = self.ok("GET", f"{self.game}/versions/{version_id}")
        return str(version["attributes"]["status"])

    def game_status(self) -> str:
        return str(self.ok("GET", self.game)["attributes"]["status"])

    def reviewed(self, version_id: str) -> None:
        """Submit, the admin stand-in approves over Kafka, the consumer applies it."""
        submitted = self.submit_for_review(version_id)
        assert submitted.status_code == 200, submitted.text
        assert submitted.json()["data"]["status"] == "in_review"
        moderator = str(uuid.uuid4())
        approve = httpx.post(
            f"{ADMIN_STANDIN}/moderation/{self.game_id}/{version_id}/approve",
            json={"moderator_id": moderator, "comment": "Годится"},
        )
        assert approve.status_code == 202, approve.text
        assert wait_until(lambda: self.status_of(version_id) == "approved", timeout=30)
        review = self.ok("GET", f"{self.game}/versions/{version_id}/review")
        [entry] = review["attributes"]["submissions"]
        assert entry["decision"]["outcome"] == "approved"
        assert entry["decision"]["moderator_id"] == moderator

    def publish(self, version_id: str) -> dict[str, Any]:
        return self.ok(
            "POST",
            f"{self.game}/publish",
            {"type": "gamePublication", "attributes": {"version_id": version_id}},
        )

    def events(self) -> list[tuple[str, str, dict[str, Any]]]:
        """The game's events in developer-portal's outbox, in order, once the relay has sent
        them all: (id, type, data), each data valid against its schema."""

        def rows() -> list[Any]:
            with psycopg.connect(DATABASES["developer"]) as connection:
                found = connection.execute(
                    "SELECT id, type, payload, published_at FROM outbox WHERE key = %s "
                    "ORDER BY seq",
                    (self.game_id,),
                ).fetchall()
            return found if all(row[3] is not None for row in found) else []

        sent = wait_until(rows, timeout=30)
        assert sent, "the relay did not send the game's events"
        events = []
        for event_id, kind, raw, _ in sent:
            payload = raw if isinstance(raw, dict) else json.loads(raw)
            schema_for(kind).model_validate(payload)
            events.append((str(event_id), kind, payload))
        return events


def test_a_game_from_draft_to_a_sale_a_second_version_and_a_rollback() -> None:
    started_ms = int(time.time() * 1000) - 5_000
    studio = Studio()
    trigger = httpx.post(f"{ADMIN_STANDIN}/developers/{studio.developer_id}/verify")
    assert trigger.status_code == 202, trigger.text
    assert wait_until(lambda: studio.account()["publishing_track"] == "direct", timeout=30)

    studio.draft()
    refused = studio.call("POST", f"{studio.game}/publish")
    assert refused.status_code == 422, refused.text
    assert [e["code"] for e in refused.json()["errors"]] == [
        "NO_APPROVED_VERSION",
        "METADATA_LOCALE_MISSING",
        "NOT_ENOUGH_SCREENSHOTS",
        "PRICE_MISSING",
    ]

    studio.ok(
        "PUT",
        f"{studio.game}/metadata/ru-RU",
        {
            "type": "gameMetadata",
            "attributes": {
                "title": "Транссиб",
                "short_description": "Девять тысяч километров на паровозе.",
            },
        },
    )
    for number in (1, 2, 3):
        studio.screenshot(number)
    studio.ok(
        "PUT",
        f"{studio.game}/prices",
        {
            "type": "gamePrices",
            "attributes": {
                "is_free": False,
                "regional_prices": [],
                "base_price": {"amount_minor": PRICE_MINOR, "currency": "RUB"},
            },
        },
    )

    first = studio.version_with_build("1.0.0")
    studio.reviewed(first)
    assert studio.game_status() == "draft"  # approved, not yet on sale
    release = studio.publish(first)
    assert release["attributes"]["to_version_id"] == first
    assert studio.status_of(first) == "live"
    assert studio.game_status() == "published"

    # payment learns of the publication from the events and sells the game.
    assert wait_until(
        lambda: scalar(
            "SELECT 1 FROM game_listings WHERE game_id = %s AND published", studio.game_id
        ),
        timeout=30,
    )
    assert wait_until(
        lambda: scalar("SELECT 1 FROM game_prices WHERE game_id = %s", studio.game_id)
    )
    player = Player()
    paid = player.paid(player.pay(game_purchase(studio, PRICE_MINOR)))
    assert paid["attributes"]["amount"]["amount_minor"] == PRICE_MINOR

    second = studio.version_with_build("1.1.0")
    studio.reviewed(second)
    assert studio.game_status() == "published"  # on sale while its next version is reviewed
    studio.publish(second)
    assert (studio.status_of(second), studio.status_of(first)) == ("live", "deprecated")

    rolled = studio.ok(
        "POST",
        f"{studio.game}/rollback",
        {
            "type": "gameRollback",
            "attributes": {"version_id": first, "reason": "Сохранения не загружаются в 1.1.0"},
        },
    )
    assert rolled["attributes"]["kind"] == "rollback"
    assert (studio.status_of(first), studio.status_of(second)) == ("live", "deprecated")
    history = [r["attributes"] for r in studio.ok_list(f"{studio.game}/releases")]
    assert [(r["kind"], r["from_version_id"], r["to_version_id"]) for r in history] == [
        ("rollback", second, first),
        ("publication", first, second),
        ("publication", None, first),
    ]

    outbox = studio.events()
    kinds = [kind for _, kind, _ in outbox]
    journey = [
        kind
        for kind in kinds
        if kind
        in {
            "developer.game.created.v1",
            "developer.game.submitted.v1",
            "developer.game.published.v1",
            "developer.game.rolled_back.v1",
        }
    ]
    assert journey == [
        "developer.game.created.v1",
        "developer.game.submitted.v1",
        "developer.game.published.v1",
        "developer.game.submitted.v1",
        "developer.game.published.v1",
        "developer.game.rolled_back.v1",
    ]
    assert "developer.game.metadata.updated.v1" in kinds
    assert "developer.game.price.changed.v1" in kinds
    published = [data for _, kind, data in outbox if kind == "developer.game.published.v1"]
    assert [p["version_id"] for p in published] == [first, second]
    assert published[1]["first_published_at"] == published[0]["first_published_at"]
    [rollback] = [data for _, kind, data in outbox if kind == "developer.game.rolled_back.v1"]
    assert (rollback["version_id"], rollback["rolled_back_from_version_id"]) == (first, second)

    # What the relay sent is on the broker as CloudEvents keyed by the game, data as stored.
    broker = on_the_broker({event_id for event_id, _, _ in outbox}, started_ms)
    assert set(broker) == {event_id for event_id, _, _ in outbox}
    for event_id, kind, data in outbox:
        event = broker[event_id]
        assert (event.type, event.partitionkey) == (kind, studio.game_id)
        assert event.data == data
