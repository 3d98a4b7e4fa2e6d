"""Event data schemas of the Parovoz event catalogue (pydantic, one model per CloudEvents type)."""

from parovoz_events.base import REGISTRY, EventData, UnknownEventType, register, schema_for

__all__ = ["REGISTRY", "EventData", "UnknownEventType", "register", "schema_for"]
