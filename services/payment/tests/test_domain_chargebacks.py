"""Chargebacks' pure rules and the T-Bank adapter's reading of dispute notifications."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from chargebacks_support import rub
from parovoz_kit.errors import Conflict, ValidationFailed
from parovoz_payment.clients.providers import ProviderConfig, TBankProvider
from parovoz_payment.clients.providers.signatures import tbank_token
from parovoz_payment.domain.chargebacks import (
    Chargeback,
    ChargebackStatus,
    DisputeNotice,
    disputed_amount,
)
from parovoz_payment.domain.methods import Provider
from parovoz_payment.domain.providers import NotificationSubject


def test_tbank_dispute_notifications_are_read_and_a_garbled_one_is_refused() -> None:
    config = ProviderConfig()
    adapter = TBankProvider(config)
    password = config.tbank_password.get_secret_value()

    def signed(**params: object) -> bytes:
        body: dict[str, object] = {"TerminalKey": config.tbank_terminal_key, **params}
        body["Token"] = tbank_token(body, password)
        return json.dumps(body).encode()

    won = adapter.verify_notification(
        {},
        signed(
            OrderId=str(uuid.uuid4()), Success=True, Status="CHARGEBACK_WON", PaymentId=42,
            ErrorCode="0", Amount=700, ChargebackId="cb-1", Reason="fraud",
        ),
    )  # fmt: skip
    assert won.subject is NotificationSubject.CHARGEBACK
    assert won.provider_object_id == "cb-1"
    assert won.dispute == DisputeNotice("42", ChargebackStatus.WON, rub(700), "fraud")
    with pytest.raises(ValidationFailed) as refused:
        adapter.verify_notification(
            {}, signed(Status="CHARGEBACK_LOST", PaymentId=42, Amount="7.00", ChargebackId="cb-1")
        )
    assert refused.value.code == "WEBHOOK_BODY_INVALID"


def test_a_dispute_ends_once_and_takes_no_more_than_the_provider_was_paid() -> None:
    now = datetime.now(UTC)
    opened = Chargeback.open(
        provider=Provider.TBANK,
        provider_chargeback_id="cb-7",
        payment_id=uuid.uuid4(),
        user_id=uuid.uuid4(),
        amount=rub(500),
        reason=None,
        now=now,
    )
    won = opened.resolve(ChargebackStatus.WON, now)
    assert (won.status, won.is_open, won.resolved_at) == (ChargebackStatus.WON, False, now)
    assert won.resolve(ChargebackStatus.WON, now) is won  # a duplicate
    assert won.resolve(ChargebackStatus.OPENED, now) is won  # a late opening
    with pytest.raises(Conflict):
        won.resolve(ChargebackStatus.LOST, now)
    notice = DisputeNotice("42", ChargebackStatus.OPENED, rub(9_000))
    assert disputed_amount(notice, rub(7_000)) == rub(7_000)
    assert disputed_amount(DisputeNotice("42", ChargebackStatus.OPENED), rub(7_000)) == rub(7_000)
    assert disputed_amount(notice, rub(10_000)) == rub(9_000)
