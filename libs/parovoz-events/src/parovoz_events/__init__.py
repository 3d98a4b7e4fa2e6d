"""Event data schemas of the Parovoz event catalogue (pydantic, one model per CloudEvents type).

Importing the package registers every type of the catalogue, one module per producer.
"""

from parovoz_events import admin, developer, greenlight, payment, subscription
from parovoz_events.base import (
    PARTIES,
    PRODUCER_TOPICS,
    REGISTRY,
    EventData,
    UnknownEventType,
    register,
    schema_for,
)
from parovoz_events.money import Currency, Money

__all__ = [
    "PARTIES",
    "PRODUCER_TOPICS",
    "REGISTRY",
    "Currency",
    "EventData",
    "Money",
    "UnknownEventType",
    "admin",
    "developer",
    "greenlight",
    "payment",
    "register",
    "schema_for",
    "subscription",
]
