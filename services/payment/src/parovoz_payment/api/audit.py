"""`GET /admin/audit-log`: the append-only audit log for admins, newest first.

Cursor pagination: ``page[after]`` is the id of the last entry of the previous page (ids only
grow), so pages stay stable while new entries arrive; ``links.next`` is null on the last page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from parovoz_kit.auth import require_roles
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel

from parovoz_payment.api.schemas import ListDocument, PageLinks, Resource
from parovoz_payment.db.audit import audit_entries
from parovoz_payment.domain.audit import AuditEntry, AuditQuery

MAX_PAGE_SIZE = 200


class AuditEntryAttributes(BaseModel):
    occurred_at: datetime
    #: A user uuid or ``service:<name>``.
    actor: str
    action: str
    subject_type: str
    subject_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    trace_id: str | None
    request_id: str | None


def entry_resource(entry: AuditEntry) -> Resource[AuditEntryAttributes]:
    audit = entry.record
    return Resource(
        type="auditLogEntry",
        id=str(entry.id),
        attributes=AuditEntryAttributes(
            occurred_at=entry.occurred_at,
            actor=audit.actor,
            action=audit.action,
            subject_type=audit.subject_type,
            subject_id=audit.subject_id,
            before=None if audit.before is None else dict(audit.before),
            after=None if audit.after is None else dict(audit.after),
            trace_id=audit.trace_id,
            request_id=audit.request_id,
        ),
    )


def audit_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    router = APIRouter(
        prefix=f"{prefix}/admin", tags=["admin"], dependencies=[Depends(require_roles("admin"))]
    )

    @router.get(
        "/audit-log",
        response_model=ListDocument[AuditEntryAttributes],
        summary="The audit log of financial operations, newest first (admins only)",
    )
    async def list_audit_log(
        subject_type: Annotated[str | None, Query(max_length=48)] = None,
        subject_id: Annotated[str | None, Query(max_length=64)] = None,
        actor: Annotated[str | None, Query(max_length=200)] = None,
        page_size: Annotated[int, Query(alias="page[size]", ge=1, le=MAX_PAGE_SIZE)] = 50,
        page_after: Annotated[int | None, Query(alias="page[after]", ge=1)] = None,
    ) -> ListDocument[AuditEntryAttributes]:
        # One more than asked tells whether a next page exists without a count.
        query = AuditQuery(subject_type, subject_id, actor, page_after, page_size + 1)
        async with infrastructure.session_factory() as session:
            entries = await audit_entries(session, query)
        page, more = entries[:page_size], len(entries) > page_size
        next_link = None
        if more:
            filters = {"subject_type": subject_type, "subject_id": subject_id, "actor": actor}
            params = {key: value for key, value in filters.items() if value is not None}
            params |= {"page[size]": str(page_size), "page[after]": str(page[-1].id)}
            next_link = f"{prefix}/admin/audit-log?{urlencode(params)}"
        return ListDocument(
            data=[entry_resource(entry) for entry in page], links=PageLinks(next=next_link)
        )

    return router
