"""Keyset cursors: the opaque ``page[cursor]`` of a list ordered by (a moment, an id).

A page ends at its last row; the next page starts after that row's moment and id, so pages
stay stable while rows are added. The cursor is the url-safe base64 of a JSON array,
``[moment, id]``, or ``[kind, moment, id]`` when one list has several orders (a cursor of one
order is refused by another). Plain Python: domain code uses it.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import datetime

from parovoz_kit.errors import ValidationFailed


def keyset_cursor(moment: datetime, row_id: uuid.UUID, kind: str | None = None) -> str:
    """The cursor of the page that continues after the row (``moment``, ``row_id``)."""
    parts = [moment.isoformat(), str(row_id)]
    raw = json.dumps(parts if kind is None else [kind, *parts]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def keyset_position(
    cursor: str, kind: str | None = None, parameter: str = "page[cursor]"
) -> tuple[datetime, uuid.UUID]:
    """The (moment, id) a cursor of a previous page names; a cursor that is not one of this
    list (malformed, a moment without offset, another ``kind``) is 400 ``INVALID_PAGE_CURSOR``
    naming ``parameter``."""
    position: tuple[datetime, uuid.UUID] | None = None
    try:
        parts = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if kind is not None:
            found_kind, *parts = parts
            if found_kind != kind:
                parts = []
        moment, row_id = parts
        position = (datetime.fromisoformat(moment), uuid.UUID(row_id))
    except (binascii.Error, ValueError, TypeError):  # UnicodeDecodeError is a ValueError
        position = None
    if position is None or position[0].tzinfo is None:
        raise ValidationFailed(
            f"{parameter} is not a cursor of this list; start from the first page.",
            detail_ru=f"{parameter} — не курсор этого списка: начните с первой страницы.",
            code="INVALID_PAGE_CURSOR",
            parameter=parameter,
        )
    return position
