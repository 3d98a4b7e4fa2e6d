"""Sales analytics: payment's ``payment.sale.recorded.v1`` summed per game, day (UTC), currency
and region. A purchase adds a unit and its amounts; a refund or chargeback comes with negative
amounts and counts as a refunded unit (a partial refund too: units sold never go down)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from parovoz_kit.errors import BusinessRuleViolation, ValidationFailed

#: A report spans at most a year of days.
MAX_REPORT_DAYS = 366
DEFAULT_REPORT_DAYS = 30


@dataclass(frozen=True)
class RecordedSale:
    sale_id: uuid.UUID
    kind: str  # purchase | refund | chargeback
    developer_id: uuid.UUID
    game_id: uuid.UUID
    region: str
    currency: str
    gross_minor: int
    net_minor: int
    recorded_at: datetime


@dataclass(frozen=True)
class SalesDayDelta:
    """What one recorded sale adds to its (game, day, currency, region) bucket."""

    developer_id: uuid.UUID
    game_id: uuid.UUID
    day: date
    currency: str
    region: str
    units_sold: int
    units_refunded: int
    gross_minor: int
    net_minor: int


def day_delta(sale: RecordedSale) -> SalesDayDelta:
    purchase = sale.kind == "purchase"
    return SalesDayDelta(
        developer_id=sale.developer_id,
        game_id=sale.game_id,
        day=sale.recorded_at.astimezone(UTC).date(),
        currency=sale.currency,
        region=sale.region,
        units_sold=1 if purchase else 0,
        units_refunded=0 if purchase else 1,
        gross_minor=sale.gross_minor,
        net_minor=sale.net_minor,
    )


@dataclass(frozen=True)
class SalesDay:
    game_id: uuid.UUID
    day: date
    currency: str
    region: str
    units_sold: int
    units_refunded: int
    gross_minor: int
    net_minor: int


@dataclass(frozen=True)
class ReportPeriod:
    """Days ``first``..``last``, both included (UTC days)."""

    first: date
    last: date


def report_period(first: date | None, last: date | None, today: date) -> ReportPeriod:
    last = last or today
    first = first or last - timedelta(days=DEFAULT_REPORT_DAYS - 1)
    if first > last:
        raise ValidationFailed(
            "filter[from] is after filter[to].",
            code="INVALID_REPORT_PERIOD",
            parameter="filter[from]",
        )
    if (last - first).days + 1 > MAX_REPORT_DAYS:
        raise BusinessRuleViolation(
            f"A report spans at most {MAX_REPORT_DAYS} days.",
            detail_ru=f"Отчёт охватывает не более {MAX_REPORT_DAYS} дней.",
            code="REPORT_PERIOD_TOO_LONG",
            parameter="filter[to]",
        )
    return ReportPeriod(first, last)
