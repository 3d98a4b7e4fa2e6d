"""The cache's entries (access/cache.py): what is stored reads back the same."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from parovoz_subscription.access.cache import (
    decode_game,
    decode_plan,
    decode_user,
    encode_catalog,
    encode_game,
    encode_plan,
    encode_user,
)
from parovoz_subscription.access.domain import GameTerms, HeldEntitlement, PlanTerms, UserTerms
from parovoz_subscription.access.service import UserEntry
from parovoz_subscription.subscriptions.domain import PlanType, SubscriptionStatus


def test_a_user_entry_reads_back_to_the_microsecond() -> None:
    plan_id = uuid.uuid4()
    entry = UserEntry(
        held=(
            HeldEntitlement(
                uuid.uuid4(),
                plan_id,
                PlanType.FAMILY,
                SubscriptionStatus.PENDING_PAYMENT,
                datetime(2026, 3, 31, 23, 59, 59, 999_999, tzinfo=UTC),
            ),
            HeldEntitlement(
                uuid.uuid4(), uuid.uuid4(), PlanType.BASIC, SubscriptionStatus.EXPIRED, None
            ),
        ),
        terms=UserTerms("KZ", date(2008, 2, 29)),
        devices=frozenset({"pc", "телефон|1", "a,b"}),
        plan_ids=(plan_id,),
    )
    raw = encode_user(entry)
    assert raw.startswith(f"{plan_id}|".encode())
    assert decode_user(raw) == entry


def test_a_user_with_nothing_known_reads_back() -> None:
    entry = UserEntry(held=(), terms=UserTerms(None, None), devices=frozenset(), plan_ids=())
    assert decode_user(encode_user(entry)) == entry


def test_a_game_and_an_unknown_game_read_back() -> None:
    game = GameTerms(True, frozenset({"RU", "BY"}), 16)
    assert decode_game(encode_game(game)) == game
    assert decode_game(encode_game(None)) is None


def test_a_plans_terms_read_back() -> None:
    plan_id = uuid.uuid4()
    removal = datetime(2026, 4, 14, 9, 30, 0, 123_456, tzinfo=UTC)
    for terms in (
        PlanTerms(plan_id, True, removal, frozenset({"RU"}), 5),
        PlanTerms(plan_id, False, None, frozenset(), 3),
    ):
        assert decode_plan(plan_id, encode_plan(terms), encode_catalog(terms)) == terms
