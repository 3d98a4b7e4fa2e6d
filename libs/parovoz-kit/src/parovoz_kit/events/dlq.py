"""Dead-letter records: the original message, untouched, plus why it was given up on."""

from __future__ import annotations

from confluent_kafka import Message

from parovoz_kit.errors import ParovozError
from parovoz_kit.events.producer import OutgoingMessage

MAX_ERROR_MESSAGE = 500


def dlq_topic(group: str) -> str:
    return f"{group}.dlq"


def dead_letter(
    message: Message, group: str, error: BaseException, attempts: int
) -> OutgoingMessage:
    """Same key, value and headers as the original, plus ``dlq_*`` headers.

    The error message is one line, truncated, never a stack trace: the DLQ is read by
    people and tools that must not see internals.
    """
    extra = {
        "dlq_error_type": type(error).__name__,
        "dlq_error_message": error_summary(error),
        "dlq_original_topic": message.topic() or "",
        "dlq_original_partition": str(message.partition()),
        "dlq_original_offset": str(message.offset()),
        "dlq_attempts": str(attempts),
        "dlq_consumer_group": group,
    }
    headers = message.headers() or []
    pairs = headers.items() if isinstance(headers, dict) else headers
    original = [
        (name, value.encode() if isinstance(value, str) else value or b"") for name, value in pairs
    ]
    return OutgoingMessage(
        topic=dlq_topic(group),
        key=message.key(),
        value=message.value(),
        headers=original + [(name, value.encode()) for name, value in extra.items()],
    )


def error_summary(error: BaseException) -> str:
    text = error.detail if isinstance(error, ParovozError) else str(error)
    one_line = " ".join(text.split()) or type(error).__name__
    return one_line[:MAX_ERROR_MESSAGE]
