"""Test helper: real RS256 tokens from the auth stand-in, as request headers."""

from __future__ import annotations

import uuid

from e2e_platform import service_token, user_token


def auth(subject: uuid.UUID | str, roles: list[str] | None = None) -> dict[str, str]:
    """``Authorization`` for a user (or ``service:<name>``) with these platform roles."""
    return {"Authorization": f"Bearer {user_token(str(subject), tuple(roles or ()))}"}


__all__ = ["auth", "service_token"]
