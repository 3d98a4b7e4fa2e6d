"""JSON:API bodies of the finance reports: balance, ledger, sales (read from payment)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from parovoz_developer_portal.finance.domain.balances import DeveloperBalance, LedgerEntry
from parovoz_developer_portal.finance.domain.sales import ReportPeriod, SalesDay
from parovoz_developer_portal.finance.schemas import (
    Document,
    ListDocument,
    MoneyBody,
    Resource,
    _money,
)


class CurrencyBalanceBody(BaseModel):
    currency: str = Field(description="ISO 4217 currency code of the three amounts.")
    pending: MoneyBody = Field(description="Earned, still inside the 30-day hold.")
    available: MoneyBody = Field(description="May be paid out.")
    in_payout: MoneyBody = Field(description="Held for a payout in progress.")


class BalanceAttributes(BaseModel):
    balances: list[CurrencyBalanceBody] = Field(description="One entry per currency earned in.")
    as_of: datetime = Field(description="When payment computed it (ISO 8601, UTC).")


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
    gross_amount: MoneyBody | None = Field(
        description="For a sale or refund: what the buyer paid, VAT included; null otherwise."
    )
    platform_fee_amount: MoneyBody | None = Field(
        description="For a sale or refund: the platform's share; null otherwise."
    )
    game_id: uuid.UUID | None = Field(description="The game sold or refunded; null otherwise.")
    payment_id: uuid.UUID | None = Field(description="payment's payment of a sale; or null.")
    refund_id: uuid.UUID | None = Field(description="payment's refund of a refund; or null.")
    payout_id: uuid.UUID | None = Field(description="The payout of a payout movement; or null.")
    region: str | None = Field(description="Buyer's region (ISO 3166-1 alpha-2), or null.")
    description: str = Field(description="The movement in words.")
    created_at: datetime = Field(description="When it was booked (ISO 8601, UTC).")
    available_at: datetime = Field(
        description="When it counts as available for payout (after the 30-day hold)."
    )


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
    game_id: uuid.UUID = Field(description="The game sold.")
    day: date = Field(description="The UTC day (ISO 8601 date).")
    region: str = Field(description="Buyers' region, ISO 3166-1 alpha-2.")
    currency: str = Field(description="ISO 4217 currency of the amounts.")
    units_sold: int = Field(description="Copies sold that day.")
    units_refunded: int = Field(description="Copies refunded that day.")
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
