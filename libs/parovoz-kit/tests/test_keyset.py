"""Keyset cursors: what a page's cursor names comes back, and anything else is 400
``INVALID_PAGE_CURSOR`` naming the parameter."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from parovoz_kit.errors import ValidationFailed
from parovoz_kit.keyset import keyset_cursor, keyset_position

MOMENT = datetime(2026, 12, 8, 2, 30, 15, 123456, tzinfo=UTC)
ROW = uuid.UUID("5b0e6c7a-3f1d-4b2e-9a8c-1d2e3f4a5b6c")


def raw(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def test_a_cursor_names_its_row_back_with_or_without_a_kind() -> None:
    assert keyset_position(keyset_cursor(MOMENT, ROW)) == (MOMENT, ROW)
    assert keyset_position(keyset_cursor(MOMENT, ROW, kind="due"), kind="due") == (MOMENT, ROW)
    moscow = MOMENT.astimezone(timezone(timedelta(hours=3)))
    assert keyset_position(keyset_cursor(moscow, ROW)) == (MOMENT, ROW)


def test_the_cursor_is_the_json_array_the_lists_gave_out_before() -> None:
    """Cursors handed out before the lists shared this code still read."""
    assert keyset_cursor(MOMENT, ROW) == raw([MOMENT.isoformat(), str(ROW)])
    assert keyset_cursor(MOMENT, ROW, kind="due") == raw(["due", MOMENT.isoformat(), str(ROW)])


@pytest.mark.parametrize(
    ("cursor", "kind"),
    [
        ("not base64 at all!", None),
        (raw("just a string"), None),
        (raw([MOMENT.isoformat()]), None),
        (raw([MOMENT.isoformat(), str(ROW), "extra"]), None),
        (raw([MOMENT.replace(tzinfo=None).isoformat(), str(ROW)]), None),  # no offset
        (raw([MOMENT.isoformat(), "not-a-uuid"]), None),
        (raw([12, str(ROW)]), None),
        (raw({"a": 1, "b": 2}), None),
        (base64.urlsafe_b64encode(b"\xff\xfe").decode(), None),
        (keyset_cursor(MOMENT, ROW, kind="newest"), "due"),  # another order's cursor
        (keyset_cursor(MOMENT, ROW), "due"),
        (keyset_cursor(MOMENT, ROW, kind="due"), None),
    ],
)
def test_anything_else_is_invalid_page_cursor(cursor: str, kind: str | None) -> None:
    with pytest.raises(ValidationFailed) as refused:
        keyset_position(cursor, kind=kind, parameter="page[after]")
    assert refused.value.code == "INVALID_PAGE_CURSOR"
    assert refused.value.parameter == "page[after]"
