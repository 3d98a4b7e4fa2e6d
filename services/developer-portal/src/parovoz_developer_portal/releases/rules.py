"""What publication needs (PRODUCT.md, Developer portal), built in settings.py."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PublicationRules:
    #: The metadata locale a game needs before it is published.
    required_locale: str
    #: Screenshots a game needs before it is published.
    min_screenshots: int
