"""The audit log's record: who did what to which subject, the state before and after, and the
trace that ties it to the request. Append-only: a record is never edited or deleted.

``before``/``after`` are plain JSON-able dicts of what an admin needs to see -- never card data
or provider tokens: :func:`AuditRecord` refuses keys that name them, so a careless caller fails
loudly in tests rather than leaking into the log.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

#: ``payment.created``, ``refund.approved``, ``wallet.debited``, ``saved_method.removed``.
_ACTION = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)+$")

#: Keys that would put secrets or card data into the log (compared lower-case, any depth).
FORBIDDEN_KEYS = frozenset(
    {
        "provider_token",
        "token",
        "payment_token",
        "card_number",
        "pan",
        "cvc",
        "cvv",
        "cvc2",
        "csc",
        "expiry",
        "expiry_month",
        "expiry_year",
        "exp_month",
        "exp_year",
    }
)


@dataclass(frozen=True)
class AuditRecord:
    """What happened, as the caller describes it; the writer stamps id and time."""

    #: The principal's subject: a user uuid, or ``service:<name>``.
    actor: str
    action: str
    subject_type: str
    subject_id: str
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    #: 32 hex digits of the OpenTelemetry trace; the writer takes the current span's if None.
    trace_id: str | None = None
    request_id: str | None = None

    def __post_init__(self) -> None:
        if not self.actor or len(self.actor) > 200:
            raise ValueError("an audit actor has 1 to 200 characters")
        if not _ACTION.match(self.action) or len(self.action) > 64:
            raise ValueError(f"audit action {self.action!r} is not like 'payment.created'")
        if not self.subject_type or len(self.subject_type) > 48:
            raise ValueError("an audit subject type has 1 to 48 characters")
        if not self.subject_id or len(self.subject_id) > 64:
            raise ValueError("an audit subject id has 1 to 64 characters")
        for state in (self.before, self.after):
            if state is not None:
                _refuse_secrets(state)


@dataclass(frozen=True)
class AuditEntry:
    """A stored record: its position in the log (newest = highest id) and when it happened."""

    id: int
    occurred_at: datetime
    record: AuditRecord


@dataclass(frozen=True)
class AuditQuery:
    """Admin filters (all optional) and a page: entries older than ``after_id``, newest first."""

    subject_type: str | None = None
    subject_id: str | None = None
    actor: str | None = None
    after_id: int | None = None
    size: int = 50


def _refuse_secrets(value: Any, path: str = "") -> None:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            if str(key).lower() in FORBIDDEN_KEYS:
                raise ValueError(f"audit states never hold {path}/{key} (card data or a token)")
            _refuse_secrets(inner, f"{path}/{key}")
    elif isinstance(value, list | tuple):
        for index, inner in enumerate(value):
            _refuse_secrets(inner, f"{path}/{index}")
