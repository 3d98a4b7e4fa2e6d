"""T-Bank acquiring API v2 over HTTP: JSON POSTs signed with `Token`, answers always HTTP 200."""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from standin_provider_sandbox.signing import tbank_token_valid
from standin_provider_sandbox.state import Sandbox
from standin_provider_sandbox.tbank import TBankError, TPayment

Handler = Callable[[dict[str, Any]], dict[str, Any]]


def tbank_router(sandbox: Sandbox) -> APIRouter:
    bank = sandbox.tbank
    router = APIRouter(prefix="/v2", tags=["T-Bank acquiring API v2"])

    async def signed(request: Request, handler: Handler) -> JSONResponse:
        try:
            params = await _read_params(request)
            if not hmac.compare_digest(str(params.get("TerminalKey", "")), bank.terminal_key):
                raise TBankError("501", "Терминал не найден")
            if not tbank_token_valid(params, bank.password):
                raise TBankError(
                    "204", "Неверные параметры.",
                    "Неверный токен. Проверьте пару TerminalKey/SecretKey.",
                )  # fmt: skip
            return JSONResponse(handler(params))
        except TBankError as error:
            return JSONResponse(error.as_json())

    @router.post("/Init", summary="Create a payment (PaymentURL for the buyer)")
    async def init(request: Request) -> JSONResponse:
        return await signed(request, _init)

    def _init(params: dict[str, Any]) -> dict[str, Any]:
        amount = _amount(params.get("Amount"), required=True)
        order_id = params.get("OrderId")
        if not isinstance(order_id, str | int) or not str(order_id) or len(str(order_id)) > 36:
            raise TBankError("212", "Размер поля OrderId должен быть от 1 до 36")
        description = params.get("Description")
        if description is not None and (not isinstance(description, str) or len(description) > 140):
            raise TBankError("213", "Размер поля Description должен быть от 0 до 140")
        recurrent = params.get("Recurrent") == "Y"
        customer_key = params.get("CustomerKey")
        if recurrent and not customer_key:
            raise TBankError("216", "CustomerKey обязателен при Recurrent=Y")
        pay_type = params.get("PayType", "O")
        if pay_type not in ("O", "T"):
            raise TBankError("1", "PayType должен быть O или T")
        receipt = params.get("Receipt")
        if receipt is not None:
            _check_receipt(receipt, amount)
        payment = bank.add(
            TPayment(
                payment_id=bank.next_id(),
                order_id=str(order_id),
                amount=amount,
                description=description,
                two_stage=pay_type == "T",
                recurrent=recurrent,
                customer_key=str(customer_key) if customer_key else None,
                notification_url=params.get("NotificationURL") or bank.default_notification_url,
                success_url=params.get("SuccessURL"),
                fail_url=params.get("FailURL"),
                outcome=sandbox.decide(amount, description),
                receipt=receipt,
            )
        )
        return {
            "Success": True,
            "ErrorCode": "0",
            "TerminalKey": bank.terminal_key,
            "Status": payment.status,
            "PaymentId": payment.payment_id,
            "OrderId": payment.order_id,
            "Amount": payment.amount,
            "PaymentURL": bank.payment_url(payment),
        }

    @router.post("/GetState", summary="A payment's status")
    async def get_state(request: Request) -> JSONResponse:
        return await signed(
            request, lambda params: bank.get(params.get("PaymentId")).state_json(bank.terminal_key)
        )

    @router.post("/CheckOrder", summary="All payments of an OrderId")
    async def check_order(request: Request) -> JSONResponse:
        def check(params: dict[str, Any]) -> dict[str, Any]:
            order_id = str(params.get("OrderId", ""))
            payments = [p for p in bank.payments.values() if p.order_id == order_id]
            if not payments:
                raise TBankError("335", f"OrderId {order_id} не найден для TerminalKey")
            return {
                "Success": True,
                "ErrorCode": "0",
                "Message": "OK",
                "TerminalKey": bank.terminal_key,
                "OrderId": order_id,
                "Payments": [
                    {
                        "PaymentId": p.payment_id,
                        "Amount": p.amount,
                        "Status": p.status,
                        "Success": p.status != "REJECTED",
                        "ErrorCode": p.error_code,
                    }
                    for p in payments
                ],
            }

        return await signed(request, check)

    @router.post("/Confirm", summary="Confirm (capture) a two-stage payment")
    async def confirm(request: Request) -> JSONResponse:
        def run(params: dict[str, Any]) -> dict[str, Any]:
            payment = bank.get(params.get("PaymentId"))
            bank.confirm(payment, _amount(params.get("Amount"), required=False))
            return _short(payment)

        return await signed(request, run)

    @router.post("/Cancel", summary="Cancel, reverse or refund (partly) a payment")
    async def cancel(request: Request) -> JSONResponse:
        def run(params: dict[str, Any]) -> dict[str, Any]:
            payment = bank.get(params.get("PaymentId"))
            amount = _amount(params.get("Amount"), required=False)
            receipt = params.get("Receipt")
            if receipt is not None:
                _check_receipt(receipt, amount or payment.amount - payment.refunded)
            original = bank.cancel(payment, amount, receipt)
            return _short(payment) | {
                "OriginalAmount": original,
                "NewAmount": payment.amount - payment.refunded
                if payment.status != "CANCELED"
                else 0,
            }

        return await signed(request, run)

    @router.post("/SendClosingReceipt", summary="A closing receipt against a paid advance")
    async def send_closing_receipt(request: Request) -> JSONResponse:
        def run(params: dict[str, Any]) -> dict[str, Any]:
            payment = bank.get(params.get("PaymentId"))
            receipt = params.get("Receipt")
            _check_receipt(receipt, 0)
            assert isinstance(receipt, dict)  # _check_receipt refused anything else
            bank.send_closing_receipt(payment, receipt)
            return {"Success": True, "ErrorCode": "0", "Message": "OK"}

        return await signed(request, run)

    @router.post("/Charge", summary="Charge a saved card (RebillId) without the buyer")
    async def charge(request: Request) -> JSONResponse:
        def run(params: dict[str, Any]) -> dict[str, Any]:
            payment = bank.get(params.get("PaymentId"))
            bank.charge(payment, str(params.get("RebillId", "")))
            if payment.status == "REJECTED":
                decline = payment.outcome.decline
                return TBankError(decline.tbank_code, decline.tbank_message).as_json(
                    bank.terminal_key
                ) | {"Status": payment.status, "PaymentId": payment.payment_id,
                     "OrderId": payment.order_id, "Amount": payment.amount}  # fmt: skip
            return _short(payment) | {"Amount": payment.amount}

        return await signed(request, run)

    def _short(payment: TPayment) -> dict[str, Any]:
        return {
            "Success": True,
            "ErrorCode": "0",
            "TerminalKey": bank.terminal_key,
            "Status": payment.status,
            "PaymentId": payment.payment_id,
            "OrderId": payment.order_id,
        }

    return router


async def _read_params(request: Request) -> dict[str, Any]:
    try:
        params = json.loads(await request.body() or b"{}")
    except ValueError:
        raise TBankError("1", "Параметры не сопоставлены", "Тело запроса не JSON") from None
    if not isinstance(params, dict):
        raise TBankError("1", "Параметры не сопоставлены", "Ожидался JSON-объект")
    return params


def _amount(value: Any, *, required: bool) -> Any:
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise TBankError("251", "Неверная сумма. Сумма должна быть целым числом копеек больше 0")
    return value


def _check_receipt(receipt: Any, amount: int) -> None:
    """T-Bank's checks: a contact, lines, and lines adding up to what is paid: ``amount`` by
    card, plus what ``Payments`` says was paid otherwise (an advance, for instance)."""
    if not isinstance(receipt, dict):
        raise TBankError("309", "Поле Receipt не должно быть пустым")
    if not (receipt.get("Email") or receipt.get("Phone")):
        raise TBankError("206", "email не может быть пустым")
    items = receipt.get("Items")
    if not isinstance(items, list) or not items:
        raise TBankError("309", "Поле Receipt не должно быть пустым")
    paid = amount
    payments = receipt.get("Payments")
    if payments is not None:
        if not isinstance(payments, dict) or payments.get("Electronic", 0) != amount:
            raise TBankError("308", "Сумма Electronic должна равняться сумме платежа")
        values = [payments.get(key, 0) for key in ("Electronic", "AdvancePayment", "Credit",
                                                   "Provision", "Cash")]  # fmt: skip
        if any(isinstance(value, bool) or not isinstance(value, int) or value < 0
               for value in values):  # fmt: skip
            raise TBankError("308", "Суммы в Payments должны быть целыми неотрицательными")
        paid = sum(values)
    if sum(item.get("Amount", 0) for item in items if isinstance(item, dict)) != paid or not paid:
        raise TBankError(
            "308", "Сумма всех позиций в чеке должна равняться сумме всех видов оплаты"
        )
