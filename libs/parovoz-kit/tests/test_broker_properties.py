"""What the kit relies on from the Kafka-protocol broker, proven on the real one.

Idempotent producer, headers, consumer groups sharing 3 partitions (and rebalancing when a
member leaves), manual offset commits that a restarted consumer resumes from.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator

import pytest
from confluent_kafka import Consumer, Message, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

BROKER = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:59092")

# tansu completes a first JoinGroup after about session.timeout.ms / 2.
CONSUMER_BASE = {
    "bootstrap.servers": BROKER,
    "enable.auto.commit": False,
    "auto.offset.reset": "earliest",
    "session.timeout.ms": 6000,
    "heartbeat.interval.ms": 500,
}


@pytest.fixture
def topic() -> Iterator[str]:
    name = f"kit-test-{uuid.uuid4().hex[:10]}"
    admin = AdminClient({"bootstrap.servers": BROKER})
    admin.create_topics([NewTopic(name, num_partitions=3, replication_factor=1)])[name].result(10)
    yield name
    admin.delete_topics([name])


def _producer() -> Producer:
    return Producer({"bootstrap.servers": BROKER, "enable.idempotence": True, "acks": "all"})


def _produce(topic: str, count: int, keys: int = 7) -> None:
    producer = _producer()
    errors: list[object] = []
    for i in range(count):
        producer.produce(
            topic,
            key=f"aggregate-{i % keys}",
            value=f"{i}".encode(),
            headers=[("ce_id", f"event-{i}".encode()), ("ce_type", b"kit.test.v1")],
            on_delivery=lambda err, _msg: errors.append(err) if err else None,
        )
    assert producer.flush(15) == 0
    assert errors == []


def _poll(consumers: list[Consumer], want: int, timeout: float = 30.0) -> list[Message]:
    messages: list[Message] = []
    deadline = time.monotonic() + timeout
    while len(messages) < want and time.monotonic() < deadline:
        for consumer in consumers:
            message = consumer.poll(0.2)
            if message is not None and message.error() is None:
                messages.append(message)
    return messages


def _consumer(group: str, topic: str) -> Consumer:
    consumer = Consumer({**CONSUMER_BASE, "group.id": group})
    consumer.subscribe([topic])
    return consumer


def test_idempotent_producer_delivers_each_message_once_with_headers(topic: str) -> None:
    _produce(topic, 30)
    consumer = _consumer(f"g-{uuid.uuid4().hex}", topic)
    try:
        messages = _poll([consumer], 30)
        extra = _poll([consumer], 1, timeout=2.0)
    finally:
        consumer.close()
    assert len(messages) == 30 and extra == []
    assert sorted(int(m.value()) for m in messages) == list(range(30))
    headers = dict(messages[0].headers())
    assert headers["ce_type"] == b"kit.test.v1"
    assert headers["ce_id"] == f"event-{int(messages[0].value())}".encode()


def test_same_key_lands_on_one_partition_in_order(topic: str) -> None:
    _produce(topic, 40, keys=4)
    consumer = _consumer(f"g-{uuid.uuid4().hex}", topic)
    try:
        messages = _poll([consumer], 40)
    finally:
        consumer.close()
    by_key: dict[bytes, list[Message]] = {}
    for message in messages:
        by_key.setdefault(message.key(), []).append(message)
    assert len(by_key) == 4
    for key_messages in by_key.values():
        assert len({m.partition() for m in key_messages}) == 1
        values = [int(m.value()) for m in key_messages]
        assert values == sorted(values)


def test_consumer_group_shares_three_partitions_and_rebalances(topic: str) -> None:
    group = f"g-{uuid.uuid4().hex}"
    first, second = _consumer(group, topic), _consumer(group, topic)
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        first.poll(0.2)
        second.poll(0.2)
        a = {tp.partition for tp in first.assignment()}
        b = {tp.partition for tp in second.assignment()}
        if a and b and len(a | b) == 3:
            break
    assert a and b, "both members get partitions"
    assert a.isdisjoint(b) and a | b == {0, 1, 2}

    second.close()  # a member leaves: the survivor takes every partition
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline and len(first.assignment()) < 3:
        first.poll(0.2)
    assert {tp.partition for tp in first.assignment()} == {0, 1, 2}
    first.close()


def test_manual_commit_is_where_a_restarted_consumer_resumes(topic: str) -> None:
    _produce(topic, 12, keys=1)  # one key: one partition, one order
    group = f"g-{uuid.uuid4().hex}"
    consumer = _consumer(group, topic)
    messages = _poll([consumer], 12)
    assert len(messages) == 12
    # Commit only after the 5th message: the 7 after it were "not yet processed".
    fifth = messages[4]
    consumer.commit(message=fifth, asynchronous=False)
    partition = TopicPartition(topic, fifth.partition())
    [committed] = consumer.committed([partition], timeout=10)
    assert committed.offset == fifth.offset() + 1
    consumer.close()

    restarted = _consumer(group, topic)
    try:
        again = _poll([restarted], 7)
    finally:
        restarted.close()
    assert [int(m.value()) for m in again] == [int(m.value()) for m in messages[5:]]
