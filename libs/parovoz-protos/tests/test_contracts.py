"""The contracts keep the rules of ARCHITECTURE.md: services, money, idempotency, enums."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from google.protobuf.descriptor import (
    Descriptor,
    EnumDescriptor,
    FieldDescriptor,
    FileDescriptor,
    ServiceDescriptor,
)
from parovoz.common.v1 import money_pb2

# The first-release gRPC surface, as listed in ARCHITECTURE.md ("gRPC surface"). Services may
# gain methods later (compatible extension), never lose these.
ARCHITECTURE_SURFACE = {
    "parovoz.developer.v1.DeveloperService": {"GetDeveloper", "GetGame", "GetPayoutMethod"},
    "parovoz.greenlight.v1.GreenlightService": {"GetSubmission"},
    "parovoz.subscription.v1.SubscriptionService": {
        "CheckAccess",
        "ListUserSubscriptions",
        "IssueOfflineLicense",
    },
    "parovoz.payment.v1.PaymentService": {
        "CreatePayment",
        "GetPayment",
        "ChargeSavedMethod",
        "Refund",
        "GetDeveloperBalance",
        "ListDeveloperLedger",
    },
}

# A field whose name ends in one of these words holds an amount of money.
MONEY_WORDS = {
    "amount",
    "available",
    "balance",
    "commission",
    "cost",
    "discount",
    "fee",
    "gross",
    "net",
    "pending",
    "price",
    "total",
}
# ...and a field with one of these anywhere in its name does too (`amount_rub`, `price_minor`).
UNMISTAKABLE_MONEY_WORDS = {"amount", "price", "kopeck", "kopecks", "minor"}
NUMBER_TYPES = {
    FieldDescriptor.TYPE_DOUBLE,
    FieldDescriptor.TYPE_FLOAT,
    FieldDescriptor.TYPE_INT32,
    FieldDescriptor.TYPE_INT64,
    FieldDescriptor.TYPE_UINT32,
    FieldDescriptor.TYPE_UINT64,
    FieldDescriptor.TYPE_SINT32,
    FieldDescriptor.TYPE_SINT64,
}
IDEMPOTENT_CREATION_PREFIXES = ("Create", "Charge", "Refund", "Issue")
MONEY = money_pb2.Money.DESCRIPTOR


def messages(file_descriptors: list[FileDescriptor]) -> Iterator[Descriptor]:
    def walk(message: Descriptor) -> Iterator[Descriptor]:
        if message.GetOptions().map_entry:
            return
        yield message
        for nested in message.nested_types:
            yield from walk(nested)

    for file in file_descriptors:
        for message in file.message_types_by_name.values():
            yield from walk(message)


def enums(file_descriptors: list[FileDescriptor]) -> Iterator[EnumDescriptor]:
    for file in file_descriptors:
        yield from file.enum_types_by_name.values()
    for message in messages(file_descriptors):
        yield from message.enum_types


def services(file_descriptors: list[FileDescriptor]) -> dict[str, ServiceDescriptor]:
    return {
        service.full_name: service
        for file in file_descriptors
        for service in file.services_by_name.values()
    }


def money_named_fields(file_descriptors: list[FileDescriptor]) -> list[FieldDescriptor]:
    return [
        field
        for message in messages(file_descriptors)
        if message.full_name != MONEY.full_name
        for field in message.fields
        if field.name.split("_")[-1] in MONEY_WORDS
    ]


@pytest.mark.parametrize("service_name", sorted(ARCHITECTURE_SURFACE))
def test_service_has_the_methods_named_in_the_architecture(
    file_descriptors: list[FileDescriptor], service_name: str
) -> None:
    service = services(file_descriptors).get(service_name)

    assert service is not None, f"{service_name} is not defined"
    missing = ARCHITECTURE_SURFACE[service_name] - set(service.methods_by_name)
    assert missing == set()


def test_every_service_lives_in_its_own_versioned_package(
    file_descriptors: list[FileDescriptor],
) -> None:
    for file in file_descriptors:
        directory = file.name.rsplit("/", 1)[0]
        assert file.package == directory.replace("/", "."), file.name
        assert re.fullmatch(r"parovoz\.[a-z]+\.v\d+", file.package), file.name
        for service in file.services_by_name.values():
            expected_file = f"{directory}/{_snake(service.name)}.proto"
            assert file.name == expected_file, f"{service.full_name} should be in {expected_file}"


def test_money_is_int64_minor_units_plus_currency() -> None:
    fields = {field.name: field.type for field in MONEY.fields}

    assert MONEY.full_name == "parovoz.common.v1.Money"
    assert fields == {
        "amount_minor": FieldDescriptor.TYPE_INT64,
        "currency": FieldDescriptor.TYPE_STRING,
    }


def test_every_money_field_is_the_money_message(file_descriptors: list[FileDescriptor]) -> None:
    fields = money_named_fields(file_descriptors)
    wrong = [
        field.full_name
        for field in fields
        if _message_name(field) != MONEY.full_name or field.is_repeated
    ]

    assert len(fields) >= 15, "the money rule matched suspiciously few fields"
    assert wrong == []


def test_no_bare_number_carries_money(file_descriptors: list[FileDescriptor]) -> None:
    bare = [
        field.full_name
        for message in messages(file_descriptors)
        if message.full_name != MONEY.full_name
        for field in message.fields
        if field.type in NUMBER_TYPES
        and (
            field.name.split("_")[-1] in MONEY_WORDS
            or UNMISTAKABLE_MONEY_WORDS.intersection(field.name.split("_"))
        )
    ]

    assert bare == []


def test_every_creating_or_money_moving_rpc_has_an_idempotency_key(
    file_descriptors: list[FileDescriptor],
) -> None:
    methods = [
        method
        for service in services(file_descriptors).values()
        for method in service.methods
        if method.name.startswith(IDEMPOTENT_CREATION_PREFIXES)
    ]
    lacking = [
        method.full_name
        for method in methods
        if (key := method.input_type.fields_by_name.get("idempotency_key")) is None
        or key.type != FieldDescriptor.TYPE_STRING
    ]

    assert {method.name for method in methods} >= {
        "CreatePayment",
        "ChargeSavedMethod",
        "Refund",
        "IssueOfflineLicense",
    }
    assert lacking == []


def test_every_rpc_has_its_own_request_and_response(
    file_descriptors: list[FileDescriptor],
) -> None:
    for service in services(file_descriptors).values():
        for method in service.methods:
            assert method.input_type.name == f"{method.name}Request", method.full_name
            assert method.output_type.name == f"{method.name}Response", method.full_name


def test_enums_start_unspecified_and_prefix_their_values(
    file_descriptors: list[FileDescriptor],
) -> None:
    for enum in enums(file_descriptors):
        prefix = _snake(enum.name).upper() + "_"
        first = enum.values_by_number.get(0)
        assert first is not None and first.name == f"{prefix}UNSPECIFIED", enum.full_name
        unprefixed = [value.name for value in enum.values if not value.name.startswith(prefix)]
        assert unprefixed == [], enum.full_name


def test_instants_are_timestamps(file_descriptors: list[FileDescriptor]) -> None:
    wrong = [
        field.full_name
        for message in messages(file_descriptors)
        for field in message.fields
        if field.name.endswith(("_at", "_until"))
        and _message_name(field) != "google.protobuf.Timestamp"
    ]

    assert wrong == []


def _message_name(field: FieldDescriptor) -> str | None:
    return field.message_type.full_name if field.message_type else None


def _snake(camel: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", camel).lower()
