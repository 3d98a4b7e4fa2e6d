"""The finance section of developer-portal end to end through the gateway: payout methods (bank
details masked in every answer), the balance from payment's gRPC (developer-portal → payment),
the balance pre-check of a payout request, and GetPayoutMethod on developer-portal's running gRPC
server (payment's token only). The full payout loop joins when payment's side is done."""

from __future__ import annotations

import asyncio
import uuid

import grpc
import httpx
import pytest
from parovoz.developer.v1 import developer_service_pb2 as pb
from parovoz.developer.v1 import developer_service_pb2_grpc
from parovoz_testing.platform import DATABASES, GATEWAY, wait_until
from parovoz_testing.tokens import service_token, user_token

FINANCE = f"{GATEWAY}/api/v1/developer/finance"
DETAILS = {
    "recipient_name": "ООО «Студия Финансов»",
    "inn": "7707083893",
    "kpp": "773601001",
    "bik": "044525225",
    "account_number": "40702810938000000001",
    "correspondent_account": "30101810400000000225",
    "bank_name": "ПАО Сбербанк",
}


class Studio:
    def __init__(self) -> None:
        self.owner = str(uuid.uuid4())
        self.headers = {"Authorization": f"Bearer {user_token(self.owner)}"}
        account = httpx.post(
            f"{GATEWAY}/api/v1/developer/accounts",
            headers=self.headers,
            json={
                "data": {
                    "type": "developerAccountCreation",
                    "attributes": {
                        "company_name": "Студия Финансов",
                        "legal_entity_type": "llc",
                        "tax_id": "7707083893",
                        "contact_email": "finance@example.com",
                        "country_code": "RU",
                    },
                }
            },
        )
        assert account.status_code == 201, account.text
        self.developer_id = account.json()["data"]["id"]

    def add_method(self) -> dict:
        answer = httpx.post(
            f"{FINANCE}/payout-methods",
            headers=self.headers,
            json={"data": {"type": "payoutMethods", "attributes": DETAILS}},
        )
        assert answer.status_code == 201, answer.text
        return answer.json()["data"]


def test_payout_methods_are_masked_through_the_gateway() -> None:
    studio = Studio()
    method = studio.add_method()
    assert method["attributes"]["account_number"] == "•••• 0001"
    listing = httpx.get(f"{FINANCE}/payout-methods", headers=studio.headers)
    assert listing.status_code == 200
    assert [m["id"] for m in listing.json()["data"]] == [method["id"]]
    assert DETAILS["account_number"] not in listing.text and DETAILS["inn"] not in listing.text
    wrong = httpx.post(
        f"{FINANCE}/payout-methods",
        headers=studio.headers,
        json={"data": {"type": "payoutMethods", "attributes": {**DETAILS, "bik": "044525974"}}},
    )
    assert wrong.status_code == 400  # malformed details (seed 001 §8.2)
    assert wrong.json()["errors"][0]["source"]["pointer"] == "/data/attributes/account_number"


def test_the_balance_comes_from_payment_and_gates_a_payout_request() -> None:
    studio = Studio()
    balance = httpx.get(f"{FINANCE}/balance", headers=studio.headers)
    assert balance.status_code == 200, balance.text
    for entry in balance.json()["data"]["attributes"]["balances"]:
        assert entry["available"]["amount_minor"] == 0
    ledger = httpx.get(f"{FINANCE}/ledger", headers=studio.headers)
    assert ledger.status_code == 200 and ledger.json()["data"] == []
    studio.add_method()
    answer = httpx.post(
        f"{FINANCE}/payouts/requests",
        headers={**studio.headers, "Idempotency-Key": str(uuid.uuid4())},
        json={
            "data": {
                "type": "payoutRequests",
                "attributes": {"amount": {"amount_minor": 150_000, "currency": "RUB"}},
            }
        },
    )
    # Nothing earned yet: refused at once, nothing sent to payment.
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["code"] == "PAYOUT_EXCEEDS_AVAILABLE_BALANCE"
    listing = httpx.get(f"{FINANCE}/payouts/requests", headers=studio.headers)
    assert listing.status_code == 200 and listing.json()["data"] == []


@pytest.mark.parametrize(("caller", "code"), [("payment", None), ("user", "PERMISSION_DENIED")])
def test_get_payout_method_answers_payment_only(caller: str, code: str | None) -> None:
    studio = Studio()
    method = studio.add_method()
    token = service_token("payment") if caller == "payment" else user_token(studio.owner)
    request = pb.GetPayoutMethodRequest(
        developer_id=studio.developer_id, payout_method_id=method["id"]
    )
    with grpc.insecure_channel("127.0.0.1:9091") as channel:
        stub = developer_service_pb2_grpc.DeveloperServiceStub(channel)
        call = lambda: stub.GetPayoutMethod(  # noqa: E731
            request, metadata=(("authorization", f"Bearer {token}"),), timeout=10
        )
        if code is None:
            details = call().payout_method
            assert details.account_number == DETAILS["account_number"]
            assert details.bik == DETAILS["bik"] and details.is_default
        else:
            with pytest.raises(grpc.RpcError) as caught:
                call()
            assert caught.value.code().name == code


PAYMENT_ROOT = "http://127.0.0.1:8084"
SANDBOX_CONTROL = "http://127.0.0.1:8091/sandbox"


def seed_available(developer_id: str, minor: int) -> None:
    """Matured sales posted straight into the developer's available payable at payment: in a
    real store they are 30 days of purchases, and the running services' clock cannot move."""
    from parovoz_payment.db.ledger import account_for, post
    from parovoz_payment.domain.ledger import AccountPurpose, OwnerType, credit, debit
    from parovoz_payment.domain.money import Money
    from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

    async def run() -> None:
        url = DATABASES["payment"].replace("postgresql://", "postgresql+psycopg://")
        engine = create_async_engine(url)
        try:
            async with AsyncSession(engine) as session, session.begin():
                revenue = await account_for(
                    session, OwnerType.PLATFORM, None, AccountPurpose.PLATFORM_REVENUE, "RUB"
                )
                available = await account_for(
                    session,
                    OwnerType.DEVELOPER,
                    developer_id,
                    AccountPurpose.DEVELOPER_PAYABLE_AVAILABLE,
                    "RUB",
                )
                amount = Money(minor, "RUB")
                await post(
                    session,
                    f"e2e-seed:{uuid.uuid4()}",
                    "test_seed_available",
                    [debit(revenue, amount), credit(available, amount)],
                )
        finally:
            await engine.dispose()

    asyncio.run(run())


def request_payout(studio: Studio, minor: int) -> str:
    answer = httpx.post(
        f"{FINANCE}/payouts/requests",
        headers={**studio.headers, "Idempotency-Key": str(uuid.uuid4())},
        json={
            "data": {
                "type": "payoutRequests",
                "attributes": {"amount": {"amount_minor": minor, "currency": "RUB"}},
            }
        },
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["data"]["attributes"]["status"] == "requested"
    return answer.json()["data"]["id"]


def payout_status(studio: Studio, request_id: str) -> dict:
    answer = httpx.get(f"{FINANCE}/payouts/requests/{request_id}", headers=studio.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]["attributes"]


def available(studio: Studio) -> int:
    balance = httpx.get(f"{FINANCE}/balance", headers=studio.headers)
    assert balance.status_code == 200, balance.text
    rub = [b for b in balance.json()["data"]["attributes"]["balances"] if b["currency"] == "RUB"]
    return rub[0]["available"]["amount_minor"] if rub else 0


def run_payout_job() -> None:
    """The leased job, now (it runs every minute on its own): a period of its own."""
    answer = httpx.post(
        f"{PAYMENT_ROOT}/internal/jobs/payouts-execute/run",
        params={"period": f"e2e-{uuid.uuid4().hex}"},
        headers={"Authorization": f"Bearer {service_token('payment')}"},
    )
    assert answer.status_code == 200, answer.text


def paid_out(studio: Studio, request_id: str, final: str) -> dict:
    assert wait_until(lambda: payout_status(studio, request_id)["status"] != "requested")
    assert payout_status(studio, request_id)["status"] in ("processing", final)
    run_payout_job()
    reached = wait_until(
        lambda: (a := payout_status(studio, request_id))["status"] == final and a, timeout=30
    )
    assert reached, f"payout {request_id} never became {final}"
    return reached


def test_a_payout_requested_at_the_portal_is_paid_by_payment_and_completes() -> None:
    studio = Studio()
    studio.add_method()
    seed_available(studio.developer_id, 150_000)
    assert available(studio) == 150_000

    request_id = request_payout(studio, 120_000)
    done = paid_out(studio, request_id, "completed")
    assert done["failure_reason_code"] is None and done["processed_at"]
    assert available(studio) == 30_000
    # The bank got exactly one payout, to the masked account, never the full number.
    found = httpx.get(f"{SANDBOX_CONTROL}/payouts", params={"reference": request_id})
    if found.status_code == 200 and isinstance(found.json().get("payouts"), list):
        assert len(found.json()["payouts"]) <= 1
    ledger = httpx.get(f"{FINANCE}/ledger", headers=studio.headers).json()["data"]
    assert any(e["attributes"]["amount"]["amount_minor"] == -120_000 for e in ledger)


def test_a_payout_the_bank_refuses_fails_and_the_money_comes_back() -> None:
    studio = Studio()
    studio.add_method()
    seed_available(studio.developer_id, 150_000)

    # 14 kopecks: the sandbox's bank cannot find the recipient.
    request_id = request_payout(studio, 120_014)
    failed = paid_out(studio, request_id, "failed")
    assert failed["failure_reason_code"] == "payout_method_unavailable"
    assert available(studio) == 150_000
    # The account can ask again right away: no payout is left open.
    assert payout_status(studio, request_id_again := request_payout(studio, 100_000))
    assert request_id_again != request_id
