"""API keys' configurable numbers (PRODUCT.md, Developer portal), built in settings.py."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ApiKeyRules:
    #: Requests one key may make per minute (counted in Redis); more is 429 with Retry-After.
    requests_per_minute: int
    #: Keys one account may hold at once (revoked and expired ones do not count).
    max_active_keys: int
