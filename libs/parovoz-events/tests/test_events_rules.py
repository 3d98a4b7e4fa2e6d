"""Rules that protect consumers: ids, instants, cross-field consistency, the admin stand-in."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from parovoz_events import schema_for
from pydantic import ValidationError
from standin_admin.events import developer_verified, moderation_approved, moderation_rejected
from standin_admin.events import to_kafka_record as admin_record


def changed(event_type: str, **fields: Any) -> dict[str, Any]:
    """The type's example with some fields replaced."""
    return {**schema_for(event_type).example_data, **fields}


def refused(event_type: str, message: str, **fields: Any) -> None:
    with pytest.raises(ValidationError, match=message):
        schema_for(event_type).model_validate(changed(event_type, **fields))


def test_ids_must_be_uuids() -> None:
    refused("developer.game.created.v1", "UUID", game_id="game-uuid-xyz")


def test_instants_must_carry_a_time_zone_and_are_kept_in_utc() -> None:
    refused("developer.game.submitted.v1", "timezone", submitted_at="2025-03-15T14:30:00")
    event = schema_for("developer.game.submitted.v1").model_validate(
        changed("developer.game.submitted.v1", submitted_at="2025-03-15T17:30:00+03:00")
    )
    assert event.submitted_at == datetime(2025, 3, 15, 14, 30, tzinfo=UTC)  # type: ignore[attr-defined]
    assert event.submitted_at.utcoffset().total_seconds() == 0  # type: ignore[attr-defined]
    assert '"submitted_at":"2025-03-15T14:30:00Z"' in event.model_dump_json()


def test_events_are_immutable() -> None:
    event = schema_for("developer.game.created.v1").example()
    with pytest.raises(ValidationError):
        event.title = "other"  # type: ignore[attr-defined]


def test_regions_are_two_upper_case_letters() -> None:
    refused("payment.payment.succeeded.v1", "pattern", region="ru")
    refused("payment.payment.succeeded.v1", "pattern", region="RUS")


def test_a_price_list_is_free_or_priced_and_based_in_rub() -> None:
    price_changed = "developer.game.price.changed.v1"
    refused(price_changed, "free game", is_free=True)
    refused(price_changed, "required unless", base_price=None, regional_prices=[])
    refused(price_changed, "in RUB", base_price={"amount_minor": 1000, "currency": "USD"})
    kz = {"region": "KZ", "price": {"amount_minor": 100, "currency": "KZT"}}
    refused(price_changed, "one regional price per region", regional_prices=[kz, kz])
    free = changed(price_changed, is_free=True, base_price=None, regional_prices=[])
    assert schema_for(price_changed).model_validate(free).is_free  # type: ignore[attr-defined]


def test_game_purposes_and_only_they_name_a_game() -> None:
    refused("payment.payment.succeeded.v1", "game_id is set exactly", game_id=None)
    refused("payment.payment.cancelled.v1", "game_id is set exactly", game_id=str(uuid.uuid4()))


def test_an_unknown_purpose_or_the_one_l_spelling_is_refused() -> None:
    refused("payment.payment.succeeded.v1", "purpose", purpose="coffee")
    refused("payment.payment.cancelled.v1", "cancellation_reason", cancellation_reason="canceled")


def test_a_sale_adds_up_and_a_refund_is_negative() -> None:
    sale = "payment.sale.recorded.v1"
    refused(sale, "gross_amount = ", net_amount={"amount_minor": 69931, "currency": "RUB"})
    refused(sale, "one currency", net_amount={"amount_minor": 69930, "currency": "KZT"})
    refund = changed(
        sale,
        kind="refund",
        refund_id=str(uuid.uuid4()),
        gross_amount={"amount_minor": -99900, "currency": "RUB"},
        platform_fee_amount={"amount_minor": -29970, "currency": "RUB"},
        net_amount={"amount_minor": -69930, "currency": "RUB"},
    )
    assert schema_for(sale).model_validate(refund).net_amount.amount_minor == -69930  # type: ignore[attr-defined]
    with pytest.raises(ValidationError, match="refund or chargeback negative"):
        schema_for(sale).model_validate({**refund, "kind": "purchase", "refund_id": None})
    with pytest.raises(ValidationError, match="refund_id is set exactly"):
        schema_for(sale).model_validate({**refund, "refund_id": None})


def test_a_payout_status_always_names_the_request_and_fails_with_a_reason() -> None:
    status = "payment.payout.status.changed.v1"
    refused(status, "payout_request_id", payout_request_id=None)
    refused(status, "failure_reason_code is set exactly", new_status="failed")
    refused(status, "failure_reason_code is set exactly", failure_reason_code="provider_error")
    failed = changed(
        status,
        new_status="failed",
        failure_reason_code="payout_method_unavailable",
        failure_reason_message="Счёт закрыт",
    )
    assert schema_for(status).model_validate(failed).new_status == "failed"  # type: ignore[attr-defined]


def test_a_payout_request_carries_no_bank_details() -> None:
    fields = set(schema_for("developer.payout.requested.v1").model_fields)
    assert "payout_method_id" in fields
    assert not fields & {"bik", "account_number", "inn", "recipient_name", "bank_name"}
    refused("developer.payout.requested.v1", "Extra inputs", bik="044525225")


def test_an_automatic_payout_has_no_requesting_user() -> None:
    requested = "developer.payout.requested.v1"
    refused(requested, "requested_by_user_id", trigger="monthly_automatic")
    refused(requested, "requested_by_user_id", requested_by_user_id=None)


def test_a_permanent_ban_does_not_end() -> None:
    refused("greenlight.user.penalized.v1", "permanent ban", penalty_type="permanent_ban")
    refused("greenlight.user.penalized.v1", "after penalized_at", ends_at="2025-04-01T00:00:00Z")
    refused("greenlight.user.penalized.v1", "penalty_type", penalty_type="warning")


def test_a_moderation_rejection_has_no_vote_counts() -> None:
    refused("greenlight.submission.rejected.v1", "vote counts", reason="moderation_rejected")
    refused(
        "greenlight.submission.rejected.v1",
        "removed_votes is null",
        reason="moderation_rejected",
        valid_votes=None,
        approval_basis_points=None,
    )


def test_a_vote_rejection_carries_removed_votes_and_older_ones_still_read() -> None:
    rejected = schema_for("greenlight.submission.rejected.v1")
    assert rejected.model_validate(changed(rejected.event_type)).removed_votes == 6  # type: ignore[attr-defined]
    refused(rejected.event_type, "greater than or equal to 0", removed_votes=-1)
    stored_before = changed(rejected.event_type)
    del stored_before["removed_votes"]
    assert rejected.model_validate(stored_before).removed_votes is None  # type: ignore[attr-defined]


def test_a_trial_has_no_payment_and_a_paid_activation_has_one() -> None:
    activated = "subscription.subscription.activated.v1"
    refused(activated, "trial starts new", status="trial")
    refused(activated, "names its payment", payment_id=None)
    refused(activated, "ends after it starts", current_period_end="2025-04-01T10:00:00Z")


@pytest.mark.parametrize(
    "build",
    [
        lambda: moderation_approved(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), "Отлично"),
        lambda: moderation_approved(uuid.uuid4(), uuid.uuid4(), None, None),
        lambda: moderation_approved(uuid.uuid4(), uuid.uuid4(), None, ""),
        lambda: moderation_rejected(uuid.uuid4(), uuid.uuid4(), None, "Нет рейтинга"),
        lambda: developer_verified(uuid.uuid4()),
    ],
    ids=["approved", "approved-bare", "approved-empty-comment", "rejected", "verified"],
)
def test_what_the_admin_stand_in_publishes_is_accepted(build: Any) -> None:
    record = admin_record(build(), traceparent=None)
    headers = {name: bytes(value).decode() for name, value in record.headers.items()}
    event = schema_for(headers["ce_type"]).model_validate_json(record.value)
    assert event.partition_key() == headers["ce_partitionkey"]
    assert event.partition_key().encode() == _as_bytes(record.key)


def _as_bytes(key: object) -> bytes:
    return key if isinstance(key, bytes) else str(key).encode()


def test_a_plan_price_change_keeps_its_currency_and_reaches_new_subscribers_first() -> None:
    price_changed = "subscription.plan.price_changed.v1"
    refused(price_changed, "keeps its currency", new_price={"amount_minor": 500, "currency": "USD"})
    refused(
        price_changed,
        "never pay a new price before",
        effective_for_existing_subscribers_from="2025-03-01T10:00:00Z",
    )
    refused(price_changed, "amount_minor", old_price={"amount_minor": 0, "currency": "RUB"})


def test_a_catalog_removal_takes_effect_after_its_announcement() -> None:
    refused(
        "subscription.plan.catalog_removal_announced.v1",
        "ends after it starts",
        effective_at="2025-04-01T09:00:00Z",
    )
