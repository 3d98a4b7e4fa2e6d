"""The registry is the architecture's event catalogue: every type, routed and keyed as agreed."""

from __future__ import annotations

import json
import typing
from typing import Any
from uuid import UUID

import jsonschema
import parovoz_events
import pytest
from parovoz_events import PARTIES, PRODUCER_TOPICS, EventData, UnknownEventType, schema_for
from parovoz_events.catalog import catalogue_types, data_schema
from pydantic import BaseModel

# The contract: type -> (key field, producer, consumers), from ARCHITECTURE.md "Event catalogue"
# (subscription.subscription.*.v1 expanded) plus the referral payouts and chargebacks of the
# payment issues.
GAME_READERS = ("subscription", "payment", "catalog-library")
PAYMENT_WATCHERS = ("greenlight", "subscription", "catalog-library")
NOTIFY = ("notification",)
CATALOGUE: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "developer.account.created.v1": ("developer_id", "developer-portal", ("payment",)),
    "developer.account.status.changed.v1": ("developer_id", "developer-portal", ("payment",)),
    "developer.game.created.v1": ("game_id", "developer-portal", ("payment", "subscription")),
    "developer.game.metadata.updated.v1": (
        "game_id",
        "developer-portal",
        ("payment", "subscription"),
    ),
    "developer.game.submitted.v1": ("game_id", "developer-portal", ("admin",)),
    "developer.game.published.v1": ("game_id", "developer-portal", GAME_READERS),
    "developer.game.rolled_back.v1": ("game_id", "developer-portal", GAME_READERS),
    "developer.game.unpublished.v1": ("game_id", "developer-portal", GAME_READERS),
    "developer.game.price.changed.v1": ("game_id", "developer-portal", ("payment",)),
    "developer.payout.requested.v1": ("developer_id", "developer-portal", ("payment",)),
    "developer.team.invitation.created.v1": (
        "developer_id",
        "developer-portal",
        NOTIFY,
    ),
    "developer.team.member.changed.v1": ("developer_id", "developer-portal", NOTIFY),
    "developer.team.ownership.transferred.v1": ("developer_id", "developer-portal", NOTIFY),
    "admin.game.moderation.approved.v1": ("game_id", "admin", ("developer-portal",)),
    "admin.game.moderation.rejected.v1": ("game_id", "admin", ("developer-portal",)),
    "admin.developer.verified.v1": ("developer_id", "admin", ("developer-portal",)),
    "payment.payment.succeeded.v1": ("payment_id", "payment", PAYMENT_WATCHERS),
    "payment.payment.cancelled.v1": ("payment_id", "payment", PAYMENT_WATCHERS),
    "payment.refund.succeeded.v1": ("payment_id", "payment", PAYMENT_WATCHERS),
    "payment.refund.failed.v1": ("payment_id", "payment", PAYMENT_WATCHERS),
    "payment.sale.recorded.v1": ("game_id", "payment", ("developer-portal",)),
    "payment.payout.status.changed.v1": ("developer_id", "payment", ("developer-portal",)),
    "payment.referral_payout.completed.v1": ("referral_payout_id", "payment", ("social",)),
    "payment.referral_payout.failed.v1": ("referral_payout_id", "payment", ("social",)),
    "payment.chargeback.opened.v1": ("payment_id", "payment", ("catalog-library",)),
    "payment.chargeback.resolved.v1": ("payment_id", "payment", ("catalog-library",)),
    "greenlight.submission.approved.v1": ("submission_id", "greenlight", ("developer-portal",)),
    "greenlight.submission.rejected.v1": ("submission_id", "greenlight", ("developer-portal",)),
    "greenlight.user.penalized.v1": ("user_id", "greenlight", ("user",)),
    "subscription.subscription.activated.v1": ("subscription_id", "subscription", NOTIFY),
    "subscription.subscription.renewed.v1": ("subscription_id", "subscription", NOTIFY),
    "subscription.subscription.payment_failed.v1": ("subscription_id", "subscription", NOTIFY),
    "subscription.subscription.suspended.v1": ("subscription_id", "subscription", NOTIFY),
    "subscription.subscription.cancelled.v1": ("subscription_id", "subscription", NOTIFY),
    "subscription.subscription.expired.v1": ("subscription_id", "subscription", NOTIFY),
    "subscription.subscription.plan_changed.v1": ("subscription_id", "subscription", NOTIFY),
    "subscription.renewal.upcoming.v1": ("subscription_id", "subscription", NOTIFY),
    "subscription.plan.price_changed.v1": ("plan_id", "subscription", NOTIFY),
    "subscription.plan.catalog_removal_announced.v1": ("plan_id", "subscription", NOTIFY),
}

TYPES = catalogue_types()
by_type = pytest.mark.parametrize("cls", TYPES, ids=lambda cls: cls.event_type)


def test_the_registry_holds_exactly_the_catalogue() -> None:
    assert sorted(cls.event_type for cls in TYPES) == sorted(CATALOGUE)


@by_type
def test_routing_matches_the_catalogue(cls: type[EventData]) -> None:
    assert (cls.key_field, cls.producer, tuple(sorted(cls.consumers))) == (
        CATALOGUE[cls.event_type][0],
        CATALOGUE[cls.event_type][1],
        tuple(sorted(CATALOGUE[cls.event_type][2])),
    )


@by_type
def test_topic_is_the_producers_topic(cls: type[EventData]) -> None:
    assert cls.topic == PRODUCER_TOPICS[cls.producer]
    # The type's first segment names the topic: developer.* on developer.events.v1.
    assert cls.topic == f"{cls.event_type.split('.')[0]}.events.v1"
    assert set(cls.consumers) <= set(PARTIES)
    assert cls.producer not in cls.consumers


@by_type
def test_key_field_is_a_required_uuid(cls: type[EventData]) -> None:
    field = cls.model_fields[cls.key_field]
    assert field.annotation is UUID
    assert field.is_required()
    example = cls.example()
    assert example.partition_key() == str(UUID(cls.example_data[cls.key_field]))  # type: ignore[arg-type]


@by_type
def test_example_validates_and_round_trips_through_json(cls: type[EventData]) -> None:
    event = cls.example()
    wire = event.model_dump_json()
    assert cls.model_validate_json(wire) == event
    # Examples are written in canonical form: what a producer would put on the wire.
    assert json.loads(wire) == cls.example_data


@by_type
def test_example_satisfies_the_published_json_schema(cls: type[EventData]) -> None:
    schema = data_schema(cls)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    validator.validate(cls.example_data)
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({**cls.example_data, "unexpected": 1})


@by_type
def test_unknown_fields_are_refused(cls: type[EventData]) -> None:
    with pytest.raises(ValueError, match="Extra inputs are not permitted"):
        cls.model_validate({**cls.example_data, "unexpected": 1})


@by_type
def test_every_field_is_required_and_described(cls: type[EventData]) -> None:
    assert (cls.__doc__ or "").strip(), "docstring: what happened, who reacts"
    for model in _models_in(cls):
        assert (model.__doc__ or "").strip(), model.__name__
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no description"
            # Optional values travel as explicit nulls; a missing key is a producer bug.
            assert field.is_required(), f"{model.__name__}.{name} has a default"


def test_schema_for_finds_registered_types_and_refuses_unknown_ones() -> None:
    assert schema_for("developer.game.created.v1").__name__ == "GameCreated"
    with pytest.raises(UnknownEventType):
        schema_for("developer.game.exploded.v1")
    with pytest.raises(KeyError):  # UnknownEventType is a KeyError, for `except KeyError` callers
        schema_for("")


def test_registering_twice_or_with_a_bad_key_is_refused() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        parovoz_events.register(schema_for("developer.game.created.v1"))

    class NoSuchKey(EventData):
        event_type: typing.ClassVar[str] = "test.no_such_key.v1"
        key_field: typing.ClassVar[str] = "missing_id"

    with pytest.raises(ValueError, match="is not a field"):
        parovoz_events.register(NoSuchKey)
    assert "test.no_such_key.v1" not in parovoz_events.REGISTRY


def test_enumerations_are_lower_case_and_spell_cancelled_with_two_ls() -> None:
    values = [value for cls in TYPES for value in _enum_values(cls.model_json_schema())]
    assert values
    assert "canceled" not in " ".join(values)
    currencies = {"RUB", "KZT", "BYN", "UAH", "USD", "EUR"}
    assert all(value == value.lower() or value in currencies for value in values)


def _models_in(cls: type[BaseModel]) -> list[type[BaseModel]]:
    """The model and every model nested in its fields (Money, RegionalPrice)."""
    found: list[type[BaseModel]] = [cls]
    for field in cls.model_fields.values():
        for nested in _classes_in(field.annotation):
            if issubclass(nested, BaseModel) and nested not in found:
                found += [m for m in _models_in(nested) if m not in found]
    return found


def _classes_in(annotation: Any) -> list[type]:
    if isinstance(annotation, type):
        return [annotation]
    return [cls for arg in typing.get_args(annotation) for cls in _classes_in(arg)]


def _enum_values(schema: Any) -> list[str]:
    if isinstance(schema, dict):
        own = [v for v in schema.get("enum", []) if isinstance(v, str)]
        return own + [v for child in schema.values() for v in _enum_values(child)]
    if isinstance(schema, list):
        return [v for child in schema for v in _enum_values(child)]
    return []
