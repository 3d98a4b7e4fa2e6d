"""Keyset pages of participants and feedback: an opaque cursor naming the last row shown."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from parovoz_kit.errors import ValidationFailed


@dataclass(frozen=True)
class Position:
    """Where a page of participants or feedback continues: after the row of ``user_id`` at
    ``at`` (keyset order: stable while rows are added)."""

    at: datetime
    user_id: uuid.UUID

    def cursor(self) -> str:
        raw = json.dumps([self.at.isoformat(), str(self.user_id)]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def of_cursor(cls, cursor: str) -> Position:
        """The position a previous page's cursor names, or 400 ``INVALID_PAGE_CURSOR``."""
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            moment, user_id = json.loads(raw)
            position: Position | None = cls(datetime.fromisoformat(moment), uuid.UUID(user_id))
        except (binascii.Error, ValueError, TypeError):
            position = None
        if position is None or position.at.tzinfo is None:
            raise ValidationFailed(
                "page[cursor] is not a cursor of this list; start from the first page.",
                detail_ru="page[cursor] — не курсор этого списка: начните с первой страницы.",
                code="INVALID_PAGE_CURSOR",
                parameter="page[cursor]",
            )
        return position
