"""T-Bank acquiring payments in memory: statuses, transitions, signed notifications."""

from __future__ import annotations

import itertools
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from standin_provider_sandbox.cards import Card
from standin_provider_sandbox.notifier import Notifier, now_utc
from standin_provider_sandbox.outcomes import Outcome
from standin_provider_sandbox.settings import SandboxSettings
from standin_provider_sandbox.signing import tbank_token

FINAL_STATUSES = frozenset(
    {"CONFIRMED", "REJECTED", "CANCELED", "REVERSED", "REFUNDED", "PARTIAL_REFUNDED",
     "PARTIAL_REVERSED"}
)  # fmt: skip


class TBankError(Exception):
    """Answered as HTTP 200 `{"Success": false, "ErrorCode", "Message", "Details"}`."""

    def __init__(self, code: str, message: str, details: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def as_json(self, terminal_key: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"Success": False, "ErrorCode": self.code, "Message": self.message}
        if self.details:
            body["Details"] = self.details
        if terminal_key:
            body["TerminalKey"] = terminal_key
        return body


@dataclass
class TPayment:
    payment_id: str
    order_id: str
    amount: int
    description: str | None
    two_stage: bool
    recurrent: bool
    customer_key: str | None
    notification_url: str
    success_url: str | None
    fail_url: str | None
    outcome: Outcome
    created_at: datetime = field(default_factory=now_utc)
    status: str = "NEW"
    error_code: str = "0"
    card: dict[str, Any] | None = None
    rebill_id: str | None = None
    refunded: int = 0
    off_session: bool = False
    user_confirmed: bool = False
    refund_outcome: Outcome | None = None
    duplicates: int | None = None
    chargebacks: list[dict[str, Any]] = field(default_factory=list)
    #: The 54-FZ receipt sent with Init, fiscalised once the payment is confirmed.
    receipt: dict[str, Any] | None = None
    fiscal_documents: list[dict[str, Any]] = field(default_factory=list)

    @property
    def final(self) -> bool:
        return self.status in FINAL_STATUSES

    def state_json(self, terminal_key: str) -> dict[str, Any]:
        return {
            "Success": True,
            "ErrorCode": "0",
            "Message": "OK",
            "TerminalKey": terminal_key,
            "Status": self.status,
            "PaymentId": self.payment_id,
            "OrderId": self.order_id,
            "Amount": self.amount,
        }


class TBank:
    def __init__(self, settings: SandboxSettings, notifier: Notifier) -> None:
        self.terminal_key = settings.tbank_terminal_key
        self.password = settings.tbank_password
        self.public_url = settings.base_url
        self.default_notification_url = settings.tbank_notification_url
        self.notifier = notifier
        self.payments: dict[str, TPayment] = {}
        # RebillId -> the saved card (CardId, masked Pan, ExpDate) and its CustomerKey.
        self.rebills: dict[str, dict[str, Any]] = {}
        self.fiscal_numbers: list[str] = []  # one fiscal document number per receipt
        # A new fiscal drive each run, so document numbers never repeat across restarts.
        self.fn_number = f"99990789{int(time.time()) % 10**8:08d}"
        # Numeric ids like T-Bank's, unique across restarts of the sandbox.
        self._ids = itertools.count(int(time.time() * 1000))

    def next_id(self) -> str:
        return str(next(self._ids))

    def payment_url(self, payment: TPayment) -> str:
        return f"{self.public_url}/sandbox/payments/tbank/{payment.payment_id}/confirm"

    def get(self, payment_id: Any) -> TPayment:
        payment = self.payments.get(str(payment_id))
        if payment is None:
            raise TBankError("255", "Платеж не найден", f"PaymentId {payment_id} не найден")
        return payment

    def add(self, payment: TPayment) -> TPayment:
        self.payments[payment.payment_id] = payment
        return payment

    def visit(
        self, payment: TPayment, override: Outcome | None = None, card: Card | None = None
    ) -> None:
        """The buyer opened PaymentURL and paid with the decided outcome, with ``card`` (the
        one entered on the page; a made-up one of this payment when none was named)."""
        if payment.status not in ("NEW", "FORM_SHOWED", "AUTHORIZING"):
            return
        payment.status = "FORM_SHOWED"
        payment.user_confirmed = True
        if override is not None:
            payment.outcome = override
        if card is not None or payment.card is None:
            payment.card = self._card(card or Card.made_up(payment.payment_id))
        self.apply(payment)

    def charge(self, payment: TPayment, rebill_id: str) -> None:
        """Off-session payment (Charge) with a card saved by an earlier Recurrent=Y payment."""
        saved = self.rebills.get(rebill_id)
        if saved is None:
            raise TBankError("104", "Ошибка выполнения рекуррента", "RebillId не найден")
        if payment.status != "NEW":
            raise TBankError("4", "Не получится изменить статус платежа", payment.status)
        payment.off_session = True
        payment.card = {key: saved[key] for key in ("CardId", "Pan", "ExpDate")}
        payment.status = "AUTHORIZING"
        self.apply(payment)

    def apply(self, payment: TPayment) -> None:
        if payment.status not in ("FORM_SHOWED", "AUTHORIZING"):
            return
        outcome = payment.outcome
        if outcome.kind == "pending":
            payment.status = "AUTHORIZING"
            return
        if outcome.kind == "fail":
            payment.status = "REJECTED"
            payment.error_code = outcome.decline.tbank_code
            self.notify(payment, "REJECTED", success=False, message=outcome.decline.tbank_message)
            return
        if payment.recurrent and payment.rebill_id is None and not payment.off_session:
            payment.rebill_id = self.next_id()
            self.rebills[payment.rebill_id] = dict(payment.card or {}) | {
                "CustomerKey": payment.customer_key
            }
        payment.status = "AUTHORIZED"
        self.notify(payment, "AUTHORIZED")
        if not payment.two_stage:
            payment.status = "CONFIRMED"
            self.notify(payment, "CONFIRMED")
            self._fiscalise_sale(payment)

    def confirm(self, payment: TPayment, amount: int | None) -> None:
        """Second stage of a two-stage (PayType T) payment."""
        if payment.status == "CONFIRMED":
            return
        if payment.status != "AUTHORIZED":
            raise TBankError("4", "Не получится изменить статус платежа", payment.status)
        if amount is not None:
            if amount > payment.amount:
                raise TBankError("330", "Сумма подтверждения больше суммы авторизации")
            payment.amount = amount
        payment.status = "CONFIRMED"
        self.notify(payment, "CONFIRMED")
        self._fiscalise_sale(payment)

    def cancel(
        self, payment: TPayment, amount: int | None, receipt: dict[str, Any] | None = None
    ) -> int:
        """Cancel before payment, reverse an authorization, or refund (partly); returns before."""
        original = payment.amount - payment.refunded
        if payment.status in ("NEW", "FORM_SHOWED"):
            payment.status = "CANCELED"
            return original
        if payment.status not in (
            "AUTHORIZED",
            "CONFIRMED",
            "PARTIAL_REFUNDED",
            "PARTIAL_REVERSED",
        ):
            raise TBankError("4", "Не получится изменить статус платежа", payment.status)
        amount = original if amount is None else amount
        if amount <= 0 or amount > original:
            raise TBankError("330", "Сумма отмены больше суммы платежа")
        refund_outcome = payment.refund_outcome
        if refund_outcome is not None and refund_outcome.kind == "fail":
            decline = refund_outcome.decline
            raise TBankError(decline.tbank_code, decline.tbank_message)
        reversing = payment.status in ("AUTHORIZED", "PARTIAL_REVERSED")
        payment.refunded += amount
        whole = payment.refunded == payment.amount
        if reversing:
            payment.status = "REVERSED" if whole else "PARTIAL_REVERSED"
        else:
            payment.status = "REFUNDED" if whole else "PARTIAL_REFUNDED"
        self.notify(payment, payment.status, amount=amount)
        if receipt is not None and not reversing:
            self.fiscalise(payment, receipt, "IncomeReturn")
        return original

    def send_closing_receipt(self, payment: TPayment, receipt: dict[str, Any]) -> None:
        """Goods handed over against the advance this payment took: a closing receipt."""
        if payment.status not in ("CONFIRMED", "PARTIAL_REFUNDED"):
            raise TBankError("4", "Чек можно отправить только по подтвержденному платежу")
        self.fiscalise(payment, receipt, "Income")

    def _fiscalise_sale(self, payment: TPayment) -> None:
        if payment.receipt is not None:
            self.fiscalise(payment, payment.receipt, "Income")

    def fiscalise(self, payment: TPayment, receipt: dict[str, Any], kind: str) -> None:
        """The online cash register's answer, as T-Bank's RECEIPT notification. A receipt for
        an e-mail containing `fiscal-fail` is refused (error 1111), to test that path."""
        total = sum(item.get("Amount", 0) for item in receipt.get("Items", ()))
        refused = "fiscal-fail" in str(receipt.get("Email", ""))
        document = {
            "Type": kind,
            "FnNumber": self.fn_number,
            "FiscalDocumentNumber": len(self.fiscal_numbers) + 1,
            "FiscalDocumentAttribute": int(self.next_id()) % 10**10,
            "ReceiptDatetime": now_utc().isoformat(),
            "Ofd": "Sandbox OFD",
            "Url": "https://consumer.1-ofd.ru/v1",
        }
        if refused:
            document = {"Type": kind}
        else:
            self.fiscal_numbers.append(payment.payment_id)
        payment.fiscal_documents.append(document | {"Amount": total, "Refused": refused})
        self.notify(
            payment,
            "RECEIPT",
            success=not refused,
            amount=total,
            message="Ошибка фискализации" if refused else None,
            extra=document | ({"ErrorCode": "1111"} if refused else {}),
        )

    def chargeback(self, payment: TPayment, amount: int | None, reason: str) -> dict[str, Any]:
        if payment.status not in ("CONFIRMED", "PARTIAL_REFUNDED"):
            raise TBankError("4", "Оспорить можно только подтвержденный платеж", payment.status)
        disputed = amount or payment.amount
        chargeback = {"ChargebackId": f"cb-{uuid.uuid4()}", "Amount": disputed, "Reason": reason}
        payment.chargebacks.append(chargeback)
        self.notify(payment, "CHARGEBACK", amount=disputed, extra=chargeback)
        return chargeback

    def resolve_chargeback(self, chargeback_id: str, outcome: str) -> dict[str, Any]:
        """End a dispute: ``won`` / ``lost``, notified as Status ``CHARGEBACK_WON`` /
        ``CHARGEBACK_LOST`` with the dispute's ChargebackId, Amount and Reason."""
        for payment in self.payments.values():
            for chargeback in payment.chargebacks:
                if chargeback["ChargebackId"] != chargeback_id:
                    continue
                if chargeback.get("Outcome"):
                    raise TBankError("4", "Спор уже завершен", chargeback["Outcome"])
                chargeback["Outcome"] = outcome
                status = f"CHARGEBACK_{outcome.upper()}"
                facts = {key: chargeback[key] for key in ("ChargebackId", "Amount", "Reason")}
                self.notify(payment, status, amount=chargeback["Amount"], extra=facts)
                return chargeback
        raise KeyError(chargeback_id)

    def notify(
        self,
        payment: TPayment,
        status: str,
        success: bool = True,
        amount: int | None = None,
        message: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        payload: dict[str, Any] = {
            "TerminalKey": self.terminal_key,
            "OrderId": payment.order_id,
            "Success": success,
            "Status": status,
            "PaymentId": int(payment.payment_id),
            "ErrorCode": payment.error_code if not success else "0",
            "Amount": payment.amount if amount is None else amount,
        }
        if message:
            payload["Message"] = message
        if payment.card:
            payload |= {key: payment.card[key] for key in ("CardId", "Pan", "ExpDate")}
        if payment.rebill_id and status in ("AUTHORIZED", "CONFIRMED"):
            payload["RebillId"] = int(payment.rebill_id)
        payload |= extra or {}
        payload["Token"] = tbank_token(payload, self.password)
        self.notifier.send(
            "tbank",
            payment.payment_id,
            status,
            payment.notification_url,
            payload,
            payment.duplicates,
        )

    def _card(self, card: Card) -> dict[str, Any]:
        """What T-Bank reports of a card: its CardId, the masked Pan and ExpDate."""
        return {
            "CardId": int(self.next_id()),
            "Pan": card.tbank_pan(),
            "ExpDate": card.tbank_expiry(),
        }
