"""Dependencies of payment's routes beyond the kit's (``CurrentUserId`` comes from the kit)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request


def request_id(request: Request) -> str | None:
    """The caller's ``X-Request-Id``, if any, for the audit log (cut to the column's size)."""
    value = request.headers.get("x-request-id")
    return value[:64] if value else None


RequestId = Annotated[str | None, Depends(request_id)]
