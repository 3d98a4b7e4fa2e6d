"""Idempotency keys: what a valid key looks like and how a request is fingerprinted.

The fingerprint is what makes a key safe to reuse only for *the same* request (Stripe,
TigerBeetle): a retry must hash to the same value, anything else is a client bug.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from google.protobuf.message import Message

from parovoz_kit.errors import ValidationFailed

MAX_KEY_LENGTH = 255
HEADER_POINTER = "/headers/Idempotency-Key"
FIELD_POINTER = "/idempotency_key"


def validate_key(key: str | None, *, pointer: str = HEADER_POINTER) -> str:
    """Return ``key`` if it is 1..255 printable ASCII characters, else raise 422."""
    if not key:
        raise ValidationFailed(
            "This operation requires an idempotency key.",
            code="IDEMPOTENCY_KEY_REQUIRED",
            pointer=pointer,
        )
    if len(key) > MAX_KEY_LENGTH or not all(" " < char <= "~" for char in key):
        raise ValidationFailed(
            f"An idempotency key is 1 to {MAX_KEY_LENGTH} printable ASCII characters "
            "without spaces (a UUID is a good choice).",
            code="IDEMPOTENCY_KEY_INVALID",
            pointer=pointer,
        )
    return key


def canonical_json(body: bytes) -> bytes:
    """Key order and whitespace must not make two equal JSON bodies look different."""
    if not body.strip():
        return b""
    try:
        parsed: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return body  # not JSON: the raw bytes are the request
    return json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def fingerprint_http(method: str, path: str, body: bytes, query: str = "") -> str:
    """SHA-256 of method, path (+ sorted query) and the canonical JSON body."""
    sorted_query = "&".join(sorted(query.split("&"))) if query else ""
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), sorted_query.encode()):
        digest.update(part)
        digest.update(b"\n")
    digest.update(canonical_json(body))
    return digest.hexdigest()


def fingerprint_message(message: Message, key_field: str = "idempotency_key") -> str:
    """SHA-256 of the message type and its deterministic bytes without the key itself."""
    copy = type(message)()
    copy.CopyFrom(message)
    if key_field in copy.DESCRIPTOR.fields_by_name:
        copy.ClearField(key_field)
    digest = hashlib.sha256(copy.DESCRIPTOR.full_name.encode() + b"\n")
    digest.update(copy.SerializeToString(deterministic=True))
    return digest.hexdigest()
