"""JSON:API bodies of the finance section: payout methods, payout requests, balance, ledger,
sales. Bank details come in whole and go out masked only."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from parovoz_developer_portal.domain.balances import DeveloperBalance, LedgerEntry
from parovoz_developer_portal.domain.bank_details import BankDetails, masked
from parovoz_developer_portal.domain.payouts import PayoutAmount, PayoutMethod, PayoutRequest
from parovoz_developer_portal.domain.sales import ReportPeriod, SalesDay

AttributesT = TypeVar("AttributesT")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MoneyBody(_Strict):
    amount_minor: StrictInt = Field(description="Minor units (kopecks).", examples=[5000000])
    currency: str = Field(description="ISO 4217 code.", examples=["RUB"], max_length=3)


def _money(amount_minor: int, currency: str) -> MoneyBody:
    return MoneyBody(amount_minor=amount_minor, currency=currency)


# --- payout methods --------------------------------------------------------------------------
class PayoutMethodCreationAttributes(_Strict):
    recipient_name: str = Field(max_length=255, examples=["ООО «Моя Игровая Студия»"])
    inn: str = Field(max_length=32, description="ИНН: 10 digits (company) or 12 (person).")
    kpp: str | None = Field(default=None, max_length=32, description="КПП; companies only.")
    bik: str = Field(max_length=32, description="БИК, 9 digits.", examples=["044525225"])
    account_number: str = Field(max_length=64, description="Settlement account, 20 digits.")
    correspondent_account: str = Field(max_length=64, description="20 digits, starts 301.")
    bank_name: str = Field(max_length=255, examples=["ПАО Сбербанк"])
    currency: str = Field(default="RUB", max_length=3, description="Payouts are in RUB.")

    def details(self) -> BankDetails:
        return BankDetails(
            recipient_name=self.recipient_name,
            inn=self.inn,
            kpp=self.kpp,
            bik=self.bik,
            account_number=self.account_number,
            correspondent_account=self.correspondent_account,
            bank_name=self.bank_name,
        )


class PayoutMethodCreationData(_Strict):
    type: Literal["payoutMethods"]
    attributes: PayoutMethodCreationAttributes


class PayoutMethodCreationDocument(_Strict):
    data: PayoutMethodCreationData


class PayoutMethodAttributes(BaseModel):
    """Masked: the account as ``•••• 1234``, the ИНН with its middle hidden."""

    recipient_name: str
    inn: str
    kpp: str | None
    bik: str
    account_number: str
    correspondent_account: str
    bank_name: str
    currency: str
    is_default: bool
    created_at: datetime
    updated_at: datetime


# --- payout requests -------------------------------------------------------------------------
class PayoutRequestCreationAttributes(_Strict):
    amount: MoneyBody
    payout_method_id: uuid.UUID | None = Field(
        default=None, description="The account's default payout method when left out."
    )

    def payout_amount(self) -> PayoutAmount:
        return PayoutAmount(self.amount.amount_minor, self.amount.currency)


class PayoutRequestCreationData(_Strict):
    type: Literal["payoutRequests"]
    attributes: PayoutRequestCreationAttributes


class PayoutRequestCreationDocument(_Strict):
    data: PayoutRequestCreationData


class PayoutRequestAttributes(BaseModel):
    amount: MoneyBody
    payout_method_id: uuid.UUID
    payout_method: str = Field(description="Where it goes, masked: 'ПАО Сбербанк •••• 0001'.")
    status: str = Field(description="requested, processing, completed or failed.")
    trigger: str
    requested_by_user_id: uuid.UUID | None
    requested_at: datetime
    updated_at: datetime
    processed_at: datetime | None
    failure_reason_code: str | None
    failure_reason_message: str | None


# --- documents -------------------------------------------------------------------------------
class Resource(BaseModel, Generic[AttributesT]):
    type: str
    id: str
    attributes: AttributesT
    links: dict[str, str] | None = None


class Document(BaseModel, Generic[AttributesT]):
    data: Resource[AttributesT]


class ListDocument(BaseModel, Generic[AttributesT]):
    data: list[Resource[AttributesT]]
    links: dict[str, str | None] = Field(default_factory=dict)
    meta: dict[str, object] = Field(default_factory=dict)


def payout_method_resource(method: PayoutMethod, prefix: str) -> Resource[PayoutMethodAttributes]:
    shown = masked(method.details)
    return Resource(
        type="payoutMethods",
        id=str(method.id),
        attributes=PayoutMethodAttributes(
            recipient_name=shown.recipient_name,
            inn=shown.inn,
            kpp=shown.kpp,
            bik=shown.bik,
            account_number=shown.account_number,
            correspondent_account=shown.correspondent_account,
            bank_name=shown.bank_name,
            currency=method.currency,
            is_default=method.is_default,
            created_at=method.created_at,
            updated_at=method.updated_at,
        ),
        links={"self": f"{prefix}/finance/payout-methods/{method.id}"},
    )


def payout_request_resource(
    request: PayoutRequest, prefix: str
) -> Resource[PayoutRequestAttributes]:
    return Resource(
        type="payoutRequests",
        id=str(request.id),
        attributes=PayoutRequestAttributes(
            amount=_money(request.amount.amount_minor, request.amount.currency),
            payout_method_id=request.payout_method_id,
            payout_method=request.payout_method_label,
            status=request.status.value,
            trigger=request.trigger.value,
            requested_by_user_id=request.requested_by_user_id,
            requested_at=request.requested_at,
            updated_at=request.updated_at,
            processed_at=request.processed_at,
            failure_reason_code=request.failure_reason_code,
            failure_reason_message=request.failure_reason_message,
        ),
        links={"self": f"{prefix}/finance/payouts/requests/{request.id}"},
    )


# --- balance, ledger, sales ------------------------------------------------------------------
class CurrencyBalanceBody(BaseModel):
    currency: str
    pending: MoneyBody = Field(description="Earned, still inside the 30-day hold.")
    available: MoneyBody = Field(description="May be paid out.")
    in_payout: MoneyBody = Field(description="Held for a payout in progress.")


class BalanceAttributes(BaseModel):
    balances: list[CurrencyBalanceBody]
    as_of: datetime


def balance_document(balance: DeveloperBalance, prefix: str) -> Document[BalanceAttributes]:
    return Document(
        data=Resource(
            type="developerBalances",
            id=str(balance.developer_id),
            attributes=BalanceAttributes(
                balances=[
                    CurrencyBalanceBody(
                        currency=b.currency,
                        pending=_money(b.pending_minor, b.currency),
                        available=_money(b.available_minor, b.currency),
                        in_payout=_money(b.in_payout_minor, b.currency),
                    )
                    for b in balance.balances
                ],
                as_of=balance.as_of,
            ),
            links={"self": f"{prefix}/finance/balance"},
        )
    )


class LedgerEntryAttributes(BaseModel):
    kind: str = Field(description="sale, refund, payout, chargeback or adjustment.")
    amount: MoneyBody = Field(description="Signed change of the balance.")
    gross_amount: MoneyBody | None
    platform_fee_amount: MoneyBody | None
    game_id: uuid.UUID | None
    payment_id: uuid.UUID | None
    refund_id: uuid.UUID | None
    payout_id: uuid.UUID | None
    region: str | None
    description: str
    created_at: datetime
    available_at: datetime


def ledger_entry_resource(entry: LedgerEntry) -> Resource[LedgerEntryAttributes]:
    def optional(minor: int | None) -> MoneyBody | None:
        return None if minor is None else _money(minor, entry.currency)

    return Resource(
        type="developerLedgerEntries",
        id=str(entry.id),
        attributes=LedgerEntryAttributes(
            kind=entry.kind,
            amount=_money(entry.amount_minor, entry.currency),
            gross_amount=optional(entry.gross_minor),
            platform_fee_amount=optional(entry.platform_fee_minor),
            game_id=entry.game_id,
            payment_id=entry.payment_id,
            refund_id=entry.refund_id,
            payout_id=entry.payout_id,
            region=entry.region,
            description=entry.description,
            created_at=entry.created_at,
            available_at=entry.available_at,
        ),
    )


class SalesDayAttributes(BaseModel):
    game_id: uuid.UUID
    day: date
    region: str
    currency: str
    units_sold: int
    units_refunded: int
    gross: MoneyBody = Field(description="What buyers paid, VAT included; refunds subtracted.")
    net: MoneyBody = Field(description="The developer's share; refunds subtracted.")


def sales_document(
    period: ReportPeriod, days: list[SalesDay], self_link: str
) -> ListDocument[SalesDayAttributes]:
    totals: dict[str, dict[str, int]] = {}
    for day in days:
        total = totals.setdefault(day.currency, {"gross_minor": 0, "net_minor": 0, "units": 0})
        total["gross_minor"] += day.gross_minor
        total["net_minor"] += day.net_minor
        total["units"] += day.units_sold - day.units_refunded
    return ListDocument(
        data=[
            Resource(
                type="salesDays",
                id=f"{day.game_id}:{day.day.isoformat()}:{day.currency}:{day.region}",
                attributes=SalesDayAttributes(
                    game_id=day.game_id,
                    day=day.day,
                    region=day.region,
                    currency=day.currency,
                    units_sold=day.units_sold,
                    units_refunded=day.units_refunded,
                    gross=_money(day.gross_minor, day.currency),
                    net=_money(day.net_minor, day.currency),
                ),
            )
            for day in days
        ],
        links={"self": self_link},
        meta={
            "from": period.first.isoformat(),
            "to": period.last.isoformat(),
            "totals": [
                {
                    "currency": currency,
                    "net_units": total["units"],
                    "gross": {"amount_minor": total["gross_minor"], "currency": currency},
                    "net": {"amount_minor": total["net_minor"], "currency": currency},
                }
                for currency, total in sorted(totals.items())
            ],
        },
    )
