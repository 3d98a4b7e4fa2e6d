"""JSON:API-style bodies shared by payment's routers: the response documents, the money object
of requests and responses, and the strict request field types every request schema uses
(``parovoz_kit.http.fields``: nothing coerced, strings bounded by their column, no NUL)."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from parovoz_kit.http.fields import CurrencyCode, Flag, MinorUnits, RequestModel, Text
from pydantic import BaseModel, Field, Strict

from parovoz_payment.domain.money import Money

AttributesT = TypeVar("AttributesT")

#: Column sizes the request strings are bounded by (see the Alembic migrations).
EMAIL_LENGTH = 254  # receipts.email, gift_card_purchases.recipient_email (RFC 5321)
URL_LENGTH = 2048  # payment_holds.return_url is TEXT; 2,048 is what browsers keep
METHOD_LENGTH = 36  # a method name (payments.method, String(16)) or a saved method's uuid
COMMENT_LENGTH = 1000  # payment_holds.comment String(1000); refunds.comment is TEXT
COUPON_CODE_LENGTH = 32  # coupons.code String(32)
#: A gift card code as typed: 16 characters, perhaps with dashes or spaces (stored hashed).
GIFT_CARD_CODE_LENGTH = 64

#: ``bank_card`` / ``sbp`` / ``sberpay`` / ``yoomoney`` / ``wallet``, or a saved method's id.
MethodText = Annotated[str, Text(METHOD_LENGTH)]
#: Where the provider's page sends the buyer back: an absolute http(s) URL.
ReturnUrl = Annotated[str, Text(URL_LENGTH, min_length=8, pattern=r"^https?://[^\s]+$")]
EmailText = Annotated[str, Text(EMAIL_LENGTH)]
#: A JSON integer stored in an ``Integer`` (int4) column: never a string, within int32.
Int32 = Annotated[int, Strict(), Field(ge=-(2**31), le=2**31 - 1)]
CommentText = Annotated[str, Text(COMMENT_LENGTH)]

METHOD_DESCRIPTION = (
    "How the buyer pays: `bank_card`, `sbp` (Faster Payments System), `sberpay`, `yoomoney`, "
    "`wallet` (the Parovoz wallet balance), or the id (uuid) of one of the buyer's saved "
    "methods (`GET /methods`). Optional: null or omitted lets the buyer choose on the "
    "provider's page."
)
RETURN_URL_DESCRIPTION = (
    "Where the provider's payment page sends the buyer back after paying or giving up: an "
    "absolute http(s) URL of the client application, at most 2,048 characters. Every payment "
    "that goes to a provider's page needs one, so when it is omitted (or null) the service's "
    "default return page is used (setting `PAYMENT_DEFAULT_RETURN_URL`); a payment paid "
    "entirely from the wallet, gift cards or a saved method never visits that page."
)
CUSTOMER_EMAIL_DESCRIPTION = (
    "E-mail the 54-FZ fiscal receipt is sent to (at most 254 characters). Optional: without "
    "it the receipt goes to the e-mail of the buyer's account."
)


class CheckoutFields(RequestModel):
    """Fields of every body that starts a payment which may go to a provider's page."""

    return_url: ReturnUrl | None = Field(default=None, description=RETURN_URL_DESCRIPTION)
    customer_email: EmailText | None = Field(default=None, description=CUSTOMER_EMAIL_DESCRIPTION)


class WalletCheckoutFields(CheckoutFields):
    """A checkout the buyer may pay partly from the wallet, by any method."""

    method: MethodText | None = Field(default=None, description=METHOD_DESCRIPTION)
    use_wallet: Flag = Field(
        default=False,
        description=(
            "Optional, default false. true: the wallet balance pays as much as it can, the "
            "method pays the rest."
        ),
    )


class MoneyBody(BaseModel):
    """An amount of money as answered: integer minor units in one currency."""

    amount_minor: int = Field(
        description="Integer minor units (kopecks for RUB); never a fraction.", examples=[150000]
    )
    currency: str = Field(description="ISO 4217 currency code.", examples=["RUB"])

    @classmethod
    def of(cls, money: Money) -> MoneyBody:
        return cls(amount_minor=money.amount_minor, currency=money.currency)


class MoneyInput(RequestModel):
    """An amount of money as sent: a JSON integer of minor units (never ``"150.00"``, never a
    fraction) and an ISO 4217 code in capitals."""

    amount_minor: MinorUnits = Field(
        description=(
            "Required. Integer minor units (kopecks for RUB: 150000 is 1,500.00 RUB); a JSON "
            "integer, never a string or a fraction. Its sign and size are checked by the "
            "operation."
        ),
        examples=[150000],
    )
    currency: CurrencyCode = Field(
        description="Required. ISO 4217 currency code in capitals, e.g. RUB, KZT.",
        examples=["RUB"],
    )

    def money(self) -> Money:
        return Money(self.amount_minor, self.currency)


class Resource(BaseModel, Generic[AttributesT]):
    type: str = Field(description="The resource's JSON:API type, e.g. `payment`.")
    id: str = Field(
        description="The resource's id: a uuid, or a number written as a string (audit entries)."
    )
    attributes: AttributesT = Field(description="The resource's fields.")
    links: dict[str, str] = Field(
        default_factory=dict, description="Related URLs by name, e.g. `self`."
    )


class Document(BaseModel, Generic[AttributesT]):
    data: Resource[AttributesT] = Field(description="The resource.")


class PageLinks(BaseModel):
    next: str | None = Field(
        default=None, description="The next page (older entries), or null on the last page."
    )


class ListDocument(BaseModel, Generic[AttributesT]):
    data: list[Resource[AttributesT]] = Field(description="The resources of this page.")
    links: PageLinks = Field(default_factory=PageLinks, description="Pagination links.")
