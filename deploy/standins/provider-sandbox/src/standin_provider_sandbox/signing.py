"""Signatures: T-Bank's request/notification `Token` and our HMAC on every notification."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

SIGNATURE_HEADER = "X-Sandbox-Signature"


def _token_value(value: Any) -> str:
    # JSON scalars as T-Bank writes them into the string: true/false in lower case.
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def tbank_token(params: Mapping[str, Any], password: str) -> str:
    """SHA-256 (hex) of the values of the root-level scalar params plus `Password`, sorted by key.

    Nested objects and arrays (Receipt, DATA, Shops, ...), null values and `Token` itself do not
    take part.
    """
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
    return hmac.compare_digest(token.lower(), tbank_token(params, password))


def body_signature(body: bytes, secret: str) -> str:
    """`sha256=<hex HMAC-SHA256 of the raw request body, keyed with the webhook secret>`."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"
