"""Keyset pages of participants and feedback: an opaque cursor naming the last row shown."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from parovoz_kit.keyset import keyset_cursor, keyset_position


@dataclass(frozen=True)
class Position:
    """Where a page of participants or feedback continues: after the row of ``user_id`` at
    ``at`` (keyset order: stable while rows are added)."""

    at: datetime
    user_id: uuid.UUID

    def cursor(self) -> str:
        return keyset_cursor(self.at, self.user_id)

    @classmethod
    def of_cursor(cls, cursor: str) -> Position:
        """The position a previous page's cursor names, or 400 ``INVALID_PAGE_CURSOR``."""
        return cls(*keyset_position(cursor))
