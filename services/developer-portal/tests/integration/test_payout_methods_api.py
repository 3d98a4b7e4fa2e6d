"""`/api/v1/developer/finance/payout-methods` on the real engines: roles, validation pointers,
masking, and the details sealed in the database (AES-256-GCM, bound to their row)."""

from __future__ import annotations

import uuid

import pytest
from parovoz_developer_portal.finance.bank_details_cipher import SealedDetailsUnreadable
from parovoz_developer_portal.finance.tables import payout_methods
from parovoz_developer_portal.finance_unit_of_work import finance_unit_of_work
from sqlalchemy import select, update


async def test_the_owner_adds_a_method_and_only_ever_sees_it_masked(studio) -> None:
    data = await studio.add_method()
    attributes = data["attributes"]
    assert data["type"] == "payoutMethods"
    assert attributes["account_number"] == "•••• 0001"
    assert attributes["inn"] == "77••••••93"
    assert attributes["bik"] == "044525225" and attributes["bank_name"] == "ПАО Сбербанк"
    assert attributes["is_default"] is True and attributes["currency"] == "RUB"
    url = data["links"]["self"]
    for answer in (
        await studio.client.get(url, headers=studio.auth(studio.owner)),
        await studio.client.get(
            f"{studio.finance}/payout-methods", headers=studio.auth(studio.owner)
        ),
    ):
        assert answer.status_code == 200
        assert "40702810938000000001" not in answer.text
        assert "7707083893" not in answer.text


async def test_the_details_are_sealed_at_rest_and_bound_to_their_row(studio) -> None:
    first = uuid.UUID((await studio.add_method())["id"])
    second = uuid.UUID(
        (
            await studio.add_method(
                recipient_name="ИП Иванов Иван Иванович", inn="500100732259", kpp=None
            )
        )["id"]
    )
    infrastructure = studio.infrastructure
    async with infrastructure.session_factory() as session:
        rows = {
            row.id: row
            for row in await session.execute(
                select(payout_methods).where(payout_methods.c.id.in_([first, second]))
            )
        }
    for row in rows.values():
        stored = bytes(row.details_ciphertext)
        for secret in ("40702810938000000001", "7707083893", "500100732259", "Сбербанк"):
            assert secret.encode() not in stored
        assert row.key_id == infrastructure.settings.payout_details_key_id
    # Swap the two ciphertexts: each row's associated data (its id) no longer matches.
    async with infrastructure.session_factory.begin() as session:
        for target, source in ((first, second), (second, first)):
            await session.execute(
                update(payout_methods)
                .where(payout_methods.c.id == target)
                .values(details_ciphertext=rows[source].details_ciphertext)
            )
    async with finance_unit_of_work(infrastructure) as uow:
        with pytest.raises(SealedDetailsUnreadable):
            await uow.payout_methods.get(studio.developer_id, first)
    # Put them back: the rows open again (nothing else was wrong).
    async with infrastructure.session_factory.begin() as session:
        for method_id in (first, second):
            await session.execute(
                update(payout_methods)
                .where(payout_methods.c.id == method_id)
                .values(details_ciphertext=rows[method_id].details_ciphertext)
            )
    async with finance_unit_of_work(infrastructure) as uow:
        method = await uow.payout_methods.get(studio.developer_id, second)
    assert method is not None and method.details.inn == "500100732259"


@pytest.mark.parametrize("role", ["admin", "finance"])
async def test_admins_and_finance_manage_methods(studio, role: str) -> None:
    member = await studio.member(role)
    data = await studio.add_method(member)
    answer = await studio.client.get(data["links"]["self"], headers=studio.auth(member))
    assert answer.status_code == 200


@pytest.mark.parametrize("role", ["editor", "viewer"])
async def test_editors_and_viewers_may_not_see_bank_details(studio, role: str) -> None:
    data = await studio.add_method()
    member = await studio.member(role)
    headers = studio.auth(member)
    listing = await studio.client.get(f"{studio.finance}/payout-methods", headers=headers)
    one = await studio.client.get(data["links"]["self"], headers=headers)
    created = await studio.client.post(
        f"{studio.finance}/payout-methods", json=studio.method_body(), headers=headers
    )
    for answer in (listing, one, created):
        assert answer.status_code == 403, answer.text
        assert answer.json()["errors"][0]["code"] == "TEAM_ROLE_FORBIDS"
        assert "0001" not in answer.text


async def test_another_accounts_method_is_not_found(studio, new_studio) -> None:
    data = await studio.add_method()
    other = await new_studio()
    answer = await studio.client.get(data["links"]["self"], headers=studio.auth(other.owner))
    assert answer.status_code == 404
    assert answer.json()["errors"][0]["code"] == "PAYOUT_METHOD_NOT_FOUND"


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"inn": "7707083894"}, "INVALID_INN", "inn"),
        ({"kpp": None}, "KPP_REQUIRED", "kpp"),
        ({"bik": "144525225"}, "INVALID_BIK", "bik"),
        ({"account_number": "40702810938000000002"}, "INVALID_ACCOUNT_NUMBER", "account_number"),
        (
            {"correspondent_account": "30101810145250000974"},
            "INVALID_CORRESPONDENT_ACCOUNT",
            "correspondent_account",
        ),
        ({"currency": "USD"}, "UNSUPPORTED_PAYOUT_CURRENCY", "currency"),
        ({"account_number": 40702810938000000001}, "VALIDATION_ERROR", "account_number"),
    ],
)
async def test_wrong_details_get_400_or_422_with_a_pointer_and_nothing_is_stored(
    studio, changes: dict, code: str, field: str
) -> None:
    answer = await studio.client.post(
        f"{studio.finance}/payout-methods",
        json=studio.method_body(**changes),
        headers=studio.auth(studio.owner),
    )
    # Wrong details are malformed input (400); a currency payouts are not made in is refused
    # by the rules (422).
    expected = 422 if code == "UNSUPPORTED_PAYOUT_CURRENCY" else 400
    assert answer.status_code == expected, answer.text
    [error] = answer.json()["errors"]
    assert error["code"] == code
    assert error["source"]["pointer"] == f"/data/attributes/{field}"
    assert "40702810938000000002" not in answer.text
    listing = await studio.client.get(
        f"{studio.finance}/payout-methods", headers=studio.auth(studio.owner)
    )
    assert listing.json()["data"] == []


async def test_one_default_which_can_move_and_survives_deletion(studio) -> None:
    first = await studio.add_method()
    second = await studio.add_method(
        recipient_name="ИП Иванов Иван Иванович", inn="500100732259", kpp=None
    )
    assert second["attributes"]["is_default"] is False
    headers = studio.auth(studio.owner)
    moved = await studio.client.post(f"{second['links']['self']}/default", headers=headers)
    assert moved.status_code == 200 and moved.json()["data"]["attributes"]["is_default"]
    listing = await studio.client.get(f"{studio.finance}/payout-methods", headers=headers)
    defaults = [m["id"] for m in listing.json()["data"] if m["attributes"]["is_default"]]
    assert defaults == [second["id"]]
    # Deleting the default hands the role to the remaining method.
    deleted = await studio.client.delete(second["links"]["self"], headers=headers)
    assert deleted.status_code == 204
    gone = await studio.client.get(second["links"]["self"], headers=headers)
    assert gone.status_code == 404
    listing = await studio.client.get(f"{studio.finance}/payout-methods", headers=headers)
    assert [(m["id"], m["attributes"]["is_default"]) for m in listing.json()["data"]] == [
        (first["id"], True)
    ]


async def test_an_idempotency_key_adds_the_method_once(studio) -> None:
    headers = {**studio.auth(studio.owner), "Idempotency-Key": str(uuid.uuid4())}
    url = f"{studio.finance}/payout-methods"
    first = await studio.client.post(url, json=studio.method_body(), headers=headers)
    again = await studio.client.post(url, json=studio.method_body(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["data"]["id"] == again.json()["data"]["id"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    listing = await studio.client.get(url, headers=studio.auth(studio.owner))
    assert len(listing.json()["data"]) == 1
