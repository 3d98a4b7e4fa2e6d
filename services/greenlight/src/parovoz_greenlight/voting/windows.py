"""The open voting window of a submission: results' ``open_window_of`` (results owns windows;
results reads votes back through its own port, so this import makes no cycle)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from parovoz_greenlight.results import service as results
from parovoz_greenlight.voting.service import OpenWindow


async def open_window_of(uow: Any, submission_id: uuid.UUID, now: datetime) -> OpenWindow | None:
    window: OpenWindow | None = await results.open_window_of(uow, submission_id, now)
    return window
