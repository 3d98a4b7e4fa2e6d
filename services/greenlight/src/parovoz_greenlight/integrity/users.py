"""Voters' account ages from the user service (``GET {url}/users/{id}``: ``account_created_at``)
through the kit's ``RestPeer``, for the audit's burst rule. Unknown user: None (never young)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from parovoz_kit.errors import Unavailable
from parovoz_kit.http.peer import PeerDown, RestPeer
from parovoz_kit.infrastructure import Infrastructure


class HttpAccountAges:
    def __init__(self, base_url: str, *, timeout_seconds: float) -> None:
        self._peer = RestPeer("user service", base_url, timeout_seconds=timeout_seconds)

    async def aclose(self) -> None:
        await self._peer.aclose()

    async def created_at(self, user_id: uuid.UUID) -> datetime | None:
        try:
            return await self._peer.get_json(f"/users/{user_id}", _created_at)
        except PeerDown as down:
            raise Unavailable(
                f"user service unavailable: {down.reason}", code="USER_SERVICE_UNAVAILABLE"
            ) from None


def _created_at(body: Any) -> datetime | None:
    try:
        created = datetime.fromisoformat(str(body["account_created_at"]))
    except (ValueError, KeyError, TypeError):
        return None
    return created if created.tzinfo is not None else None


def account_ages(infrastructure: Infrastructure) -> HttpAccountAges:
    """The process's one client of the user service for the audit (closed at stop)."""
    settings: Any = infrastructure.settings
    timeout = settings.voting_rules().user_service_timeout_seconds
    return infrastructure.shared(
        "integrity-account-ages",
        lambda: HttpAccountAges(settings.user_service_url, timeout_seconds=timeout),
    )


def integrity_audit(infrastructure: Infrastructure) -> Any:
    """The audit the closing job runs (``results/jobs.py``)."""
    from parovoz_greenlight.integrity.audit import IntegrityAudit
    from parovoz_greenlight.integrity.reports_repository import SqlReports

    settings: Any = infrastructure.settings
    return IntegrityAudit(
        settings.integrity_rules(),
        account_ages(infrastructure),
        reports=lambda uow: SqlReports(uow.session),  # type: ignore[attr-defined]
        now=infrastructure.clock.now,
        penalties=settings.penalty_rules(),
    )
