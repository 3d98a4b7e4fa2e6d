"""JSON:API-style response bodies shared by payment's routers."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from parovoz_payment.domain.money import Money

AttributesT = TypeVar("AttributesT")


class MoneyBody(BaseModel):
    amount_minor: int = Field(
        description="Integer minor units (kopecks for RUB); never a fraction.", examples=[150000]
    )
    currency: str = Field(description="ISO 4217 code.", examples=["RUB"])

    @classmethod
    def of(cls, money: Money) -> MoneyBody:
        return cls(amount_minor=money.amount_minor, currency=money.currency)


class Resource(BaseModel, Generic[AttributesT]):
    type: str
    #: A string, as JSON:API wants: a uuid, or a number for audit entries.
    id: str
    attributes: AttributesT
    links: dict[str, str] = Field(default_factory=dict)


class Document(BaseModel, Generic[AttributesT]):
    data: Resource[AttributesT]


class PageLinks(BaseModel):
    #: The next page (older entries), or null on the last page.
    next: str | None = None


class ListDocument(BaseModel, Generic[AttributesT]):
    data: list[Resource[AttributesT]]
    links: PageLinks = Field(default_factory=PageLinks)
