"""YooKassa API v3 over HTTP: Basic auth (shopId:secretKey), Idempotence-Key on every POST."""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import uuid
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from standin_provider_sandbox.payouts import new_payout
from standin_provider_sandbox.state import Sandbox
from standin_provider_sandbox.yookassa import YooPayment
from standin_provider_sandbox.yookassa_values import (
    PAYMENT_METHOD_TYPES,
    YooError,
    check_receipt,
    invalid,
    parse_amount,
)

MAX_IDEMPOTENCE_KEY = 64


def yookassa_router(sandbox: Sandbox) -> APIRouter:
    settings = sandbox.settings
    yk = sandbox.yookassa

    def authenticated(request: Request) -> None:
        scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
        try:
            shop_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            shop_id = secret = ""
        good = hmac.compare_digest(shop_id, settings.yookassa_shop_id) & hmac.compare_digest(
            secret, settings.yookassa_secret_key
        )
        if scheme.lower() != "basic" or not good:
            raise YooError(401, "invalid_credentials", "Authentication by given credentials failed")

    router = APIRouter(
        prefix="/v3", tags=["YooKassa API v3"], dependencies=[Depends(authenticated)]
    )

    async def idempotent(request: Request, operation: Callable[[dict[str, Any]], dict]) -> Any:
        key = request.headers.get("Idempotence-Key", "")
        if not key or len(key) > MAX_IDEMPOTENCE_KEY:
            raise invalid(
                "Idempotence-Key header of 1..64 characters is required", "Idempotence-Key"
            )
        body = await read_json(request)
        fingerprint = request.url.path + json.dumps(body, sort_keys=True)
        stored = sandbox.idempotency.get(key)
        if stored is not None:
            if stored[0] != fingerprint:
                raise invalid(
                    "Idempotence key duplicated with other request parameters", "Idempotence-Key"
                )
            return stored[1]
        answer = operation(body)
        sandbox.idempotency[key] = (fingerprint, answer)
        return answer

    @router.post("/payments", summary="Create a payment")
    async def create_payment(request: Request) -> Any:
        return await idempotent(request, lambda body: yk.render(new_payment(body)))

    def new_payment(body: dict[str, Any]) -> YooPayment:
        minor, currency = parse_amount(body.get("amount"))
        capture = body.get("capture", False)
        save_method = body.get("save_payment_method", False)
        if not isinstance(capture, bool):
            raise invalid("capture must be a boolean", "capture")
        if not isinstance(save_method, bool):
            raise invalid("save_payment_method must be a boolean", "save_payment_method")
        description = body.get("description")
        if description is not None and (not isinstance(description, str) or len(description) > 128):
            raise invalid("description must be a string of at most 128 characters", "description")
        metadata = body.get("metadata") or {}
        if not isinstance(metadata, dict) or len(metadata) > 16:
            raise invalid("metadata must be an object of at most 16 keys", "metadata")
        if body.get("receipt") is not None:
            check_receipt(body["receipt"], minor)
        saved_method, method_type, return_url = None, None, None
        if body.get("payment_method_id") is not None:
            saved_method = yk.saved_methods.get(str(body["payment_method_id"]))
            if saved_method is None:
                raise invalid("Payment method is not saved or unknown", "payment_method_id")
            method_type = saved_method["type"]
        else:
            confirmation = body.get("confirmation")
            if not isinstance(confirmation, dict) or confirmation.get("type") != "redirect":
                raise invalid("confirmation of type redirect is required", "confirmation.type")
            return_url = confirmation.get("return_url")
            if not isinstance(return_url, str) or not return_url:
                raise invalid("confirmation.return_url is required", "confirmation.return_url")
            method_data = body.get("payment_method_data")
            if method_data is not None:
                if not isinstance(method_data, dict) or method_data.get("type") not in (
                    PAYMENT_METHOD_TYPES
                ):
                    raise invalid(
                        "payment_method_data.type must be one of "
                        + ", ".join(sorted(PAYMENT_METHOD_TYPES)),
                        "payment_method_data.type",
                    )
                method_type = method_data["type"]
        payment = YooPayment(
            id=str(uuid.uuid4()),
            amount_minor=minor,
            currency=currency,
            capture=capture,
            description=description,
            metadata=metadata,
            method_type=method_type,
            save_method=save_method and saved_method is None,
            return_url=return_url,
            has_receipt=body.get("receipt") is not None,
            off_session=saved_method is not None,
            outcome=sandbox.decide(minor, description),
        )
        return yk.add(payment, saved_method)

    @router.get("/payments/{payment_id}", summary="A payment")
    async def get_payment(payment_id: str) -> Any:
        return yk.render(yk.payment(payment_id))

    @router.post("/payments/{payment_id}/capture", summary="Capture a two-stage payment")
    async def capture_payment(payment_id: str, request: Request) -> Any:
        def capture(body: dict[str, Any]) -> dict[str, Any]:
            payment = yk.payment(payment_id)
            amount = parse_amount(body["amount"]) if body.get("amount") is not None else None
            if body.get("receipt") is not None:
                check_receipt(body["receipt"], amount[0] if amount else payment.amount_minor)
                payment.has_receipt = True
            return yk.render(yk.capture(payment, amount))

        return await idempotent(request, capture)

    @router.post("/payments/{payment_id}/cancel", summary="Cancel a waiting_for_capture payment")
    async def cancel_payment(payment_id: str, request: Request) -> Any:
        return await idempotent(request, lambda _: yk.render(yk.cancel(yk.payment(payment_id))))

    @router.post("/refunds", summary="Refund a succeeded payment, fully or partly")
    async def create_refund(request: Request) -> Any:
        def refund(body: dict[str, Any]) -> dict[str, Any]:
            payment = yk.payment(str(body.get("payment_id", "")))
            amount = parse_amount(body.get("amount"))
            if body.get("receipt") is not None:
                check_receipt(body["receipt"], amount[0])
            description = body.get("description")
            outcome = payment.refund_outcome or sandbox.decide(amount[0], description)
            return yk.refund(
                payment, amount, description, body.get("receipt") is not None, outcome
            ).as_json()

        return await idempotent(request, refund)

    @router.get("/refunds/{refund_id}", summary="A refund")
    async def get_refund(refund_id: str) -> Any:
        return yk.get_refund(refund_id).as_json()

    @router.post("/receipts", summary="Register a 54-FZ receipt for a payment or a refund")
    async def create_receipt(request: Request) -> Any:
        def receipt(body: dict[str, Any]) -> dict[str, Any]:
            created = sandbox.receipts.create(body, set(yk.payments), set(yk.refunds))
            return created.as_json(sandbox.receipts.settle_seconds)

        return await idempotent(request, receipt)

    @router.get("/receipts/{receipt_id}", summary="A receipt")
    async def get_receipt(receipt_id: str) -> Any:
        return sandbox.receipts.get(receipt_id).as_json(sandbox.receipts.settle_seconds)

    @router.post("/payouts", summary="Pay out to a card, wallet, SBP or bank account")
    async def create_payout(request: Request) -> Any:
        def payout(body: dict[str, Any]) -> dict[str, Any]:
            minor, currency = parse_amount(body.get("amount"))
            created = new_payout(body, minor, currency, sandbox.default_outcome)
            return sandbox.payouts.create(created).as_json()

        # Same Idempotence-Key and body -> the same payout: a retry never pays twice.
        return await idempotent(request, payout)

    @router.get("/payouts/{payout_id}", summary="A payout")
    async def get_payout(payout_id: str) -> Any:
        return sandbox.payouts.get(payout_id).as_json()

    return router


async def read_json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise invalid("Request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise invalid("Request body must be a JSON object")
    return body


async def yookassa_error(_: Request, exc: YooError) -> JSONResponse:
    return exc.response()
