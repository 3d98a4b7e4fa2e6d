"""The admin stand-in against a REAL broker (env KAFKA_BOOTSTRAP_SERVERS), and a topic tap."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from confluent_kafka import Consumer, Message
from confluent_kafka.admin import AdminClient, NewTopic
from standin_admin.app import create_app
from standin_admin.settings import AdminSettings

TOPIC = "admin.events.v1"


@pytest.fixture(scope="session")
def bootstrap_servers() -> str:
    return os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:59092")


@pytest.fixture(autouse=True)
def _no_admin_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("STANDIN_ADMIN_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def admin_topic(bootstrap_servers: str) -> str:
    admin = AdminClient({"bootstrap.servers": bootstrap_servers})
    if TOPIC not in admin.list_topics(timeout=10).topics:
        futures = admin.create_topics([NewTopic(TOPIC, num_partitions=3, replication_factor=1)])
        try:
            futures[TOPIC].result(timeout=10)
        except Exception as exc:  # created meanwhile by someone else is fine
            if "TOPIC_ALREADY_EXISTS" not in str(exc):
                raise
    return TOPIC


class EventTap:
    """One consumer group for the whole session; finds records by their `ce_id`."""

    def __init__(self, bootstrap_servers: str) -> None:
        self._consumer = Consumer(
            {
                "bootstrap.servers": bootstrap_servers,
                "group.id": f"standin-admin-tests-{uuid.uuid4()}",
                "auto.offset.reset": "earliest",
                "enable.auto.commit": False,
                # tansu: without these the first JoinGroup takes ~23 s.
                "session.timeout.ms": 6000,
                "heartbeat.interval.ms": 500,
            }
        )
        self._consumer.subscribe([TOPIC])
        self._seen: dict[str, Message] = {}

    def wait_for(self, event_id: str, timeout_seconds: float = 30) -> Message:
        deadline = time.monotonic() + timeout_seconds
        while event_id not in self._seen:
            assert time.monotonic() < deadline, f"event {event_id} not seen on {TOPIC}"
            record = self._consumer.poll(0.5)
            if record is None or record.error():
                continue
            headers = dict(record.headers() or [])
            if "ce_id" in headers:
                self._seen[headers["ce_id"].decode()] = record
        return self._seen[event_id]

    def close(self) -> None:
        self._consumer.close()


@pytest.fixture(scope="session")
def event_tap(bootstrap_servers: str, admin_topic: str) -> Iterator[EventTap]:
    tap = EventTap(bootstrap_servers)
    yield tap
    tap.close()


@pytest.fixture
async def client(bootstrap_servers: str, admin_topic: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(AdminSettings(kafka_bootstrap_servers=bootstrap_servers))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://standin-admin") as c:
            yield c
