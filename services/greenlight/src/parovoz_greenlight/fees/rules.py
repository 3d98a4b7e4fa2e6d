"""The fee's configurable numbers (PRODUCT.md "Greenlight": 5,000.00 RUB), built by
``settings.fee_rules()``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FeeRules:
    #: The submission fee in minor units (kopecks) and its currency.
    amount_minor: int
    currency: str
    #: The buyer's region payment routes and taxes the fee by (ISO 3166-1 alpha-2).
    region: str
    #: The receipt line's VAT (54-FZ): payment's VatCode without its prefix, e.g. ``vat_22``.
    vat_code: str
    #: Where the provider sends the developer back after paying; ``{submission_id}`` is
    #: replaced by the submission's id.
    return_url: str

    def return_url_of(self, submission_id: object) -> str:
        return self.return_url.replace("{submission_id}", str(submission_id))
