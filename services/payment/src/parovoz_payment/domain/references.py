"""A payment's ``reference`` naming what the payment pays for: ``<prefix><uuid>`` (e.g.
``donation:<donation id>``, ``gift_card_purchase:<purchase id>``)."""

from __future__ import annotations

import uuid


def id_from_reference(reference: str | None, prefix: str) -> uuid.UUID | None:
    """The id after ``prefix``; None for a reference of something else (or none)."""
    if reference is None or not reference.startswith(prefix):
        return None
    try:
        return uuid.UUID(reference.removeprefix(prefix))
    except ValueError:
        return None
