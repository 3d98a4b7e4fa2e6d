"""What every event's data schema declares, and the registry of all event types.

An event type is a pydantic model subclassing :class:`EventData`; its class attributes
say where it goes (topic), what orders it (the aggregate id field used as the Kafka key
and CloudEvents ``partitionkey``), who produces and who consumes it. Producers build
the model (so data that does not validate cannot be emitted); consumers parse incoming
data with the model registered for the CloudEvents ``type``.
"""

from __future__ import annotations

from typing import ClassVar, Self, TypeVar

from pydantic import BaseModel, ConfigDict

REGISTRY: dict[str, type[EventData]] = {}
EventT = TypeVar("EventT", bound="EventData")

#: Everyone who produces or consumes catalogue events. Our four services are named as in their
#: consumer groups (`<consumer service>.<topic>`); the others are systems we do not own.
PARTIES: dict[str, str] = {
    "developer-portal": "our service: developer accounts, games, prices, payout requests",
    "greenlight": "our service: community voting on submissions",
    "subscription": "our service: subscriptions, renewals, access",
    "payment": "our service: payments, ledger, refunds, payouts",
    "admin": "external Admin Service (moderation); the admin stand-in (port 8093) locally",
    "catalog-library": "external Catalog and Library services; their stand-in (port 8094) locally",
    "user": "external User Service (not in this repository)",
    "notification": "external Notification Service (not in this repository)",
    "social": "external Social Service, which asks for referral payouts (not in this repository)",
}

#: One topic per producing service.
PRODUCER_TOPICS: dict[str, str] = {
    "developer-portal": "developer.events.v1",
    "greenlight": "greenlight.events.v1",
    "subscription": "subscription.events.v1",
    "payment": "payment.events.v1",
    "admin": "admin.events.v1",
}


class UnknownEventType(KeyError):
    """A CloudEvents ``type`` no schema is registered for."""


class EventData(BaseModel):
    """Base of every event's ``data``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_type: ClassVar[str]
    topic: ClassVar[str]
    #: Name of the field that holds the aggregate id (Kafka key, ``partitionkey``).
    key_field: ClassVar[str]
    producer: ClassVar[str]
    consumers: ClassVar[tuple[str, ...]] = ()
    #: A valid example, used by the catalogue and by consumers' contract tests.
    example_data: ClassVar[dict[str, object]]

    def partition_key(self) -> str:
        """The Kafka message key and CloudEvents ``partitionkey``: the aggregate id."""
        return str(getattr(self, self.key_field))

    @classmethod
    def example(cls) -> Self:
        return cls.model_validate(cls.example_data)


def register(cls: type[EventT]) -> type[EventT]:
    """Class decorator: make an event type known to producers, consumers and the catalogue."""
    if cls.event_type in REGISTRY:
        raise ValueError(f"event type {cls.event_type} registered twice")
    if cls.key_field not in cls.model_fields:
        raise ValueError(f"{cls.__name__}.key_field {cls.key_field!r} is not a field")
    REGISTRY[cls.event_type] = cls
    return cls


def schema_for(event_type: str) -> type[EventData]:
    """The model registered for a CloudEvents ``type``; :class:`UnknownEventType` if none."""
    try:
        return REGISTRY[event_type]
    except KeyError:
        raise UnknownEventType(event_type) from None
