"""Small value types shared by event schemas: instants, regions, free-text limits."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, StringConstraints


def _to_utc(instant: datetime) -> datetime:
    return instant.astimezone(UTC)


#: An instant: timezone-aware (a naive datetime is refused), normalized to UTC.
UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]

#: ISO 3166-1 alpha-2 region (country) code, upper case: "RU", "KZ", "BY".
Region = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]

#: A short human-readable text (a reason, a comment): not empty, at most 4000 characters.
Text = Annotated[str, StringConstraints(min_length=1, max_length=4000)]

#: A caller's opaque reference ("greenlight-submission:<uuid>"), as sent to payment.
Reference = Annotated[str, StringConstraints(min_length=1, max_length=255)]


class Part(BaseModel):
    """Base of a structured value inside an event's data (a regional price): as strict as events."""

    model_config = ConfigDict(extra="forbid", frozen=True)
