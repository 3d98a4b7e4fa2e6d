"""The open voting window of a submission: results' ``open_window_of`` (results owns windows).

Imported when first asked (results' service imports voting's read functions through its own
port, never this module, so there is no cycle either way)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from parovoz_greenlight.voting.service import OpenWindow


async def open_window_of(uow: Any, submission_id: uuid.UUID, now: datetime) -> OpenWindow | None:
    from parovoz_greenlight.results import service as results

    window: OpenWindow | None = await results.open_window_of(uow, submission_id, now)
    return window
