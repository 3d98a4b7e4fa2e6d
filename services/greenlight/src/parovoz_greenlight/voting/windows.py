"""The open voting window of a submission: results' ``open_window_of`` (results owns windows).
The vote path reads the submission and its window in one query of its own
(``SqlVotes.submission_and_window``); this stays for readers that hold only an id."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from parovoz_greenlight.results import service as results
from parovoz_greenlight.results.domain import Window


async def open_window_of(uow: Any, submission_id: uuid.UUID, now: datetime) -> Window | None:
    return await results.open_window_of(uow, submission_id, now)
