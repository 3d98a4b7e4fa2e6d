"""`/finance/balance`, `/finance/ledger` (payment's numbers, over gRPC) and `/finance/sales`
(our read model of payment's sale events). Owner, admin and finance only."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from parovoz_kit.auth import CurrentUserId
from parovoz_kit.http.fields import CalendarDate, QueryInt64, Text
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.infrastructure import Infrastructure

from parovoz_developer_portal.clients.payment import developer_money
from parovoz_developer_portal.finance.domain import reports as finance_reports
from parovoz_developer_portal.finance.domain.sales import DEFAULT_REPORT_DAYS, MAX_REPORT_DAYS
from parovoz_developer_portal.finance.payout_methods_api import FINANCE_ERRORS
from parovoz_developer_portal.finance.reports_schemas import (
    BalanceAttributes,
    LedgerEntryAttributes,
    SalesDayAttributes,
    balance_document,
    ledger_entry_resource,
    sales_document,
)
from parovoz_developer_portal.finance.schemas import Document, ListDocument
from parovoz_developer_portal.finance_unit_of_work import finance_unit_of_work

#: A ledger cursor is payment's page token.
CURSOR_LIMIT = 200
Cursor = Annotated[str, Text(CURSOR_LIMIT)]

DEFAULT_LEDGER_PAGE = 50
MAX_LEDGER_PAGE = 100


def finance_reports_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    router = APIRouter(prefix=f"{prefix}/finance", tags=["finance"])

    @router.get(
        "/balance",
        response_model=Document[BalanceAttributes],
        summary="Balance per currency: pending (30-day hold), available, in payout",
        description=(
            "Owner, admin or finance (403 `TEAM_ROLE_FORBIDS` otherwise). payment keeps the "
            "numbers; when it cannot be reached the answer is 503 `PAYMENT_UNAVAILABLE`."
        ),
        responses=error_responses({**FINANCE_ERRORS, 503: ["PAYMENT_UNAVAILABLE"]}),
    )
    async def balance(user_id: CurrentUserId) -> Document[BalanceAttributes]:
        async with finance_unit_of_work(infrastructure) as uow:
            answer = await finance_reports.balance_of_member(
                uow, developer_money(infrastructure), user_id
            )
        return balance_document(answer, prefix)

    @router.get(
        "/ledger",
        response_model=ListDocument[LedgerEntryAttributes],
        summary="Movements of the balance (sales, refunds, payouts...), newest first",
        description=(
            "Owner, admin or finance (403 `TEAM_ROLE_FORBIDS` otherwise). Paged by a cursor: "
            "`links.next` is the next page (null on the last); a cursor not from a previous "
            "page is 400 `INVALID_PAGE_CURSOR`. payment keeps the ledger; when it cannot be "
            "reached the answer is 503 `PAYMENT_UNAVAILABLE`."
        ),
        responses=error_responses(
            {**FINANCE_ERRORS, 400: ["INVALID_PAGE_CURSOR"], 503: ["PAYMENT_UNAVAILABLE"]}
        ),
    )
    async def ledger(
        user_id: CurrentUserId,
        page_size: Annotated[
            QueryInt64,
            Query(
                alias="page[size]",
                ge=1,
                le=MAX_LEDGER_PAGE,
                description=(
                    f"Entries per page: 1 to {MAX_LEDGER_PAGE}, default {DEFAULT_LEDGER_PAGE}."
                ),
            ),
        ] = DEFAULT_LEDGER_PAGE,
        cursor: Annotated[
            Cursor | None,
            Query(
                alias="page[cursor]",
                description="Where the page starts: `links.next` of the previous page.",
            ),
        ] = None,
    ) -> ListDocument[LedgerEntryAttributes]:
        async with finance_unit_of_work(infrastructure) as uow:
            page = await finance_reports.ledger_of_member(
                uow, developer_money(infrastructure), user_id, page_size, cursor or None
            )
        url = f"{prefix}/finance/ledger"
        next_link = None
        if page.next_cursor:
            query = urlencode({"page[size]": page_size, "page[cursor]": page.next_cursor})
            next_link = f"{url}?{query}"
        return ListDocument(
            data=[ledger_entry_resource(entry) for entry in page.entries],
            links={"self": url, "next": next_link},
        )

    @router.get(
        "/sales",
        response_model=ListDocument[SalesDayAttributes],
        summary="Sales per game, day (UTC), currency and region; refunds subtracted",
        description=(
            "Owner, admin or finance (403 `TEAM_ROLE_FORBIDS` otherwise). Days `filter[from]` "
            f"to `filter[to]`, both included (UTC): by default the last {DEFAULT_REPORT_DAYS} "
            f"days to today, at most {MAX_REPORT_DAYS} days (422 `REPORT_PERIOD_TOO_LONG`); "
            "`filter[from]` after `filter[to]` is 400 `INVALID_REPORT_PERIOD`. `meta.totals` "
            "sums each currency."
        ),
        responses=error_responses(
            {
                **FINANCE_ERRORS,
                400: ["INVALID_REPORT_PERIOD"],
                422: ["REPORT_PERIOD_TOO_LONG"],
            }
        ),
    )
    async def sales(
        user_id: CurrentUserId,
        first: Annotated[
            CalendarDate | None,
            Query(
                alias="filter[from]",
                description="First day, ISO 8601 date (2026-01-31); a number is refused.",
            ),
        ] = None,
        last: Annotated[
            CalendarDate | None,
            Query(
                alias="filter[to]",
                description="Last day, ISO 8601 date (2026-01-31); today (UTC) when left out.",
            ),
        ] = None,
        game_id: Annotated[
            uuid.UUID | None,
            Query(alias="filter[game_id]", description="Only this game's sales (UUID)."),
        ] = None,
    ) -> ListDocument[SalesDayAttributes]:
        today = infrastructure.clock.now().date()
        async with finance_unit_of_work(infrastructure) as uow:
            period, days = await finance_reports.sales_of_member(
                uow, user_id, first, last, game_id, today
            )
        return sales_document(period, list(days), f"{prefix}/finance/sales")

    return router
