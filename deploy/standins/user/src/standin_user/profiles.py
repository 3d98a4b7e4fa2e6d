"""User profiles as the external User Service describes them, kept in memory (and a file)."""

from __future__ import annotations

import json
import os
import threading
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

from standin_user.regions import ISO_3166_ALPHA_2

OLDEST_BIRTH_DATE = date(1900, 1, 1)


def _iso_date_string(value: Any) -> Any:
    # Only `YYYY-MM-DD` strings: no timestamps, no datetimes that happen to parse as dates.
    if not isinstance(value, str) or len(value) != 10:
        raise ValueError("must be an ISO 8601 calendar date, YYYY-MM-DD")
    return value


def _plausible_birth_date(value: date) -> date:
    if not OLDEST_BIRTH_DATE <= value <= datetime.now(UTC).date():
        raise ValueError("must be between 1900-01-01 and today")
    return value


def _iso_region(value: str) -> str:
    if value not in ISO_3166_ALPHA_2:
        raise ValueError("must be an ISO 3166-1 alpha-2 country code in capitals, e.g. RU, KZ, BY")
    return value


class UserProfileUpdate(BaseModel):
    """The body of `PUT /users/{id}`: the whole profile (PUT replaces)."""

    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = Field(default=None, description="optional; must equal the path id")
    birth_date: Annotated[
        date, BeforeValidator(_iso_date_string), AfterValidator(_plausible_birth_date)
    ]
    region: Annotated[str, AfterValidator(_iso_region)]
    account_created_at: AwareDatetime = Field(default_factory=lambda: datetime.now(UTC))
    purchases_count: int = Field(default=0, ge=0, strict=True)
    blocked: bool = Field(default=False, strict=True)
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

    def as_profile(self, user_id: uuid.UUID) -> dict[str, Any]:
        created_at = self.account_created_at.astimezone(UTC)
        return {
            "id": str(user_id),
            "birth_date": self.birth_date.isoformat(),
            "region": self.region,
            "account_created_at": created_at.isoformat().replace("+00:00", "Z"),
            "purchases_count": self.purchases_count,
            "blocked": self.blocked,
            "email": self.email,
        }


class UserDirectory:
    """Profiles by user id; with a state file every write is saved (atomically) before answering."""

    def __init__(self, state_file: Path | None) -> None:
        self._state_file = state_file
        self._lock = threading.Lock()
        self._profiles: dict[str, dict[str, Any]] = self._load()

    def get(self, user_id: uuid.UUID) -> dict[str, Any] | None:
        return self._profiles.get(str(user_id))

    def put(self, profile: dict[str, Any]) -> bool:
        """Stores the profile; True when it is a new user."""
        with self._lock:
            created = profile["id"] not in self._profiles
            profiles = {**self._profiles, profile["id"]: profile}
            if self._state_file:
                self._save(self._state_file, profiles)
            self._profiles = profiles
        return created

    def _load(self) -> dict[str, dict[str, Any]]:
        if not self._state_file or not self._state_file.exists():
            return {}
        return json.loads(self._state_file.read_text())["users"]

    @staticmethod
    def _save(state_file: Path, profiles: dict[str, dict[str, Any]]) -> None:
        state_file.parent.mkdir(parents=True, exist_ok=True)
        tmp_path = state_file.with_name(state_file.name + ".tmp")
        tmp_path.write_text(json.dumps({"users": profiles}, indent=1, sort_keys=True))
        os.replace(tmp_path, state_file)
