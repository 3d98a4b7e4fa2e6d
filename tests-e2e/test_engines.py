"""The engines `make dev` starts are there and set up as the services expect: one database per
service that only its role can enter, Redis, the broker's topics, the S3 buckets."""

from __future__ import annotations

import itertools
from pathlib import Path

import psycopg
import pytest
import redis
from confluent_kafka.admin import AdminClient
from minio import Minio

REPO = Path(__file__).resolve().parents[1]
TOPICS_FILE = REPO / "deploy" / "kafka" / "topics.txt"
POSTGRES = "127.0.0.1:55432"
REDIS_PORT = 56379
BROKER = "127.0.0.1:59092"
S3_ENDPOINT = "127.0.0.1:59000"

# Service role -> its database (ARCHITECTURE.md); password is `<role>-dev-password` locally.
DATABASES = {
    "developer": "developer",
    "greenlight": "greenlight",
    "subscription": "subscription",
    "payment": "payment",
}
EVENT_TOPICS = [
    "developer.events.v1",
    "greenlight.events.v1",
    "subscription.events.v1",
    "payment.events.v1",
    "admin.events.v1",
]
CONSUMER_GROUPS = [
    "payment.developer.events.v1",
    "subscription.developer.events.v1",
    "developer-portal.admin.events.v1",
    "developer-portal.greenlight.events.v1",
    "developer-portal.payment.events.v1",
    "developer-portal.developer.events.v1",  # notifications of the portal's own events
    "greenlight.payment.events.v1",
    "subscription.payment.events.v1",
]
BUCKETS = ["developer-builds", "developer-media", "developer-documents"]


def connect(role: str, database: str) -> psycopg.Connection:
    return psycopg.connect(
        f"postgresql://{role}:{role}-dev-password@{POSTGRES}/{database}", connect_timeout=5
    )


def listed_topics() -> dict[str, int]:
    topics = {}
    for raw in TOPICS_FILE.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            name, partitions = line.split()
            topics[name] = int(partitions)
    return topics


@pytest.mark.parametrize("role", DATABASES)
def test_each_role_owns_its_database_and_its_public_schema(role: str) -> None:
    with connect(role, DATABASES[role]) as conn:
        row = conn.execute(
            "SELECT current_user, current_database(),"
            " (SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'public'),"
            " (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)"
        ).fetchone()
    assert row == (role, DATABASES[role], role, False)


@pytest.mark.parametrize(
    ("role", "database"),
    [(r, d) for r, d in itertools.product(DATABASES, DATABASES.values()) if DATABASES[r] != d],
)
def test_a_role_is_refused_on_another_services_database(role: str, database: str) -> None:
    with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
        connect(role, database).close()


def test_redis_answers_ping() -> None:
    client = redis.Redis(host="127.0.0.1", port=REDIS_PORT, socket_timeout=5)
    try:
        assert client.ping() is True
    finally:
        client.close()


def test_topics_file_lists_the_event_topics_and_every_groups_dlq() -> None:
    expected = {topic: 3 for topic in EVENT_TOPICS}
    expected |= {f"{group}.dlq": 3 for group in CONSUMER_GROUPS}
    assert listed_topics() == expected


def test_broker_has_every_listed_topic_with_its_partitions() -> None:
    metadata = AdminClient({"bootstrap.servers": BROKER}).list_topics(timeout=10)
    on_broker = {name: len(topic.partitions) for name, topic in metadata.topics.items()}
    for name, partitions in listed_topics().items():
        assert on_broker.get(name) == partitions, name


def test_s3_buckets_exist() -> None:
    client = Minio(
        S3_ENDPOINT,
        access_key="parovoz-dev",
        secret_key="parovoz-dev-secret",
        region="us-east-1",
        secure=False,
    )
    assert sorted(b for b in BUCKETS if client.bucket_exists(b)) == sorted(BUCKETS)
