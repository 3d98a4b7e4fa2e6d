"""Settings of the user stand-in, from `STANDIN_USER_*` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class UserSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="STANDIN_USER_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8092
    # JSON file the profiles are kept in across restarts; unset = memory only.
    state_file: Path | None = None
