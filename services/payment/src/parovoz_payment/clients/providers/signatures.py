"""Signatures of provider traffic: T-Bank's ``Token`` and the sandbox's body HMAC.

T-Bank ``Token`` (acquiring API v2, "Подпись запроса"): the root-level parameters except
``Token`` itself, leaving out nested objects and arrays (``Receipt``, ``DATA``) and nulls, plus
``Password``; sorted by key; the values concatenated (booleans ``true``/``false``); SHA-256 of
the UTF-8 string, lower-case hex. The same algorithm signs T-Bank's notifications.

Every comparison is constant-time (``hmac.compare_digest``), so a forger learns nothing from
how long a refusal takes.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

SIGNATURE_HEADER = "X-Sandbox-Signature"
_SIGNATURE_PREFIX = "sha256="


def _token_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def tbank_token(params: Mapping[str, Any], password: str) -> str:
    pairs = {
        key: _token_value(value)
        for key, value in params.items()
        if key != "Token" and value is not None and not isinstance(value, dict | list)
    }
    pairs["Password"] = password
    joined = "".join(pairs[key] for key in sorted(pairs))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def tbank_token_valid(params: Mapping[str, Any], password: str) -> bool:
    token = params.get("Token")
    if not isinstance(token, str):
        return False
    return hmac.compare_digest(token.lower().encode(), tbank_token(params, password).encode())


def body_signature(body: bytes, secret: str) -> str:
    """``sha256=<hex HMAC-SHA256 of the raw body>``, the sandbox's notification signature."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"{_SIGNATURE_PREFIX}{digest}"


def body_signature_valid(header_value: str | None, body: bytes, secret: str) -> bool:
    if not header_value or not secret:
        return False
    expected = body_signature(body, secret)
    return hmac.compare_digest(header_value.strip().lower().encode(), expected.encode())


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by name, whatever the mapping's case handling (dicts are case-sensitive)."""
    value = headers.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    for key, candidate in headers.items():
        if key.lower() == lowered:
            return candidate
    return None
