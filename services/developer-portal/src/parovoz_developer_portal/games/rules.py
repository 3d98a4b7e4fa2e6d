"""Games' configurable numbers, built in settings.py."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GameRules:
    #: Games per page of ``GET /games`` when the client does not ask, and the most it may ask.
    default_page_size: int
    max_page_size: int
