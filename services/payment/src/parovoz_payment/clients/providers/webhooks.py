"""What each provider expects our webhook to answer once a notification is taken.

YooKassa: HTTP 200 (any body). T-Bank: HTTP 200 with the text ``OK``, or it retries. Any other
answer (a refused signature: 401) makes both retry later, which is what we want for our own
failures and harmless for forgeries.
"""

from __future__ import annotations

from dataclasses import dataclass

from parovoz_payment.domain.methods import Provider


@dataclass(frozen=True)
class WebhookAnswer:
    status_code: int
    body: bytes
    media_type: str


_ANSWERS = {
    Provider.YOOKASSA: WebhookAnswer(200, b"", "text/plain"),
    Provider.TBANK: WebhookAnswer(200, b"OK", "text/plain"),
}


def webhook_answer(provider: Provider) -> WebhookAnswer:
    return _ANSWERS[provider]
