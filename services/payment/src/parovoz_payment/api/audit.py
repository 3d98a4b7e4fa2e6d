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
from parovoz_kit.http.fields import QueryInt64, Text
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, Field

from parovoz_payment.api.schemas import ListDocument, PageLinks, Resource
from parovoz_payment.db.audit import audit_entries
from parovoz_payment.domain.audit import AuditEntry, AuditQuery

MAX_PAGE_SIZE = 200


class AuditEntryAttributes(BaseModel):
    occurred_at: datetime = Field(description="When it happened (ISO 8601).")
    actor: str = Field(description="Who did it: a user uuid or `service:<name>`.")
    action: str = Field(description="What was done, e.g. `coupon.created`.")
    subject_type: str = Field(description="What kind of thing it was done to, e.g. `coupon`.")
    subject_id: str = Field(description="Which one.")
    before: dict[str, Any] | None = Field(description="Its state before, or null.")
    after: dict[str, Any] | None = Field(description="Its state after, or null.")
    trace_id: str | None = Field(description="The trace of the request, or null.")
    request_id: str | None = Field(description="The caller's X-Request-Id, or null.")


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
        description=(
            "The append-only audit log, newest first, filtered by subject and actor, a page "
            "at a time (admins only); `links.next` is the next page, null on the last one."
        ),
    )
    async def list_audit_log(
        subject_type: Annotated[
            Annotated[str, Text(48)] | None,
            Query(description="Only entries about this kind of thing, e.g. `coupon`."),
        ] = None,
        subject_id: Annotated[
            Annotated[str, Text(64)] | None,
            Query(description="Only entries about this one (with subject_type)."),
        ] = None,
        actor: Annotated[
            Annotated[str, Text(200)] | None,
            Query(description="Only entries by this actor (a user uuid or `service:<name>`)."),
        ] = None,
        page_size: Annotated[
            QueryInt64,
            Query(
                alias="page[size]",
                ge=1,
                le=MAX_PAGE_SIZE,
                description=f"Entries per page, 1..{MAX_PAGE_SIZE} (default 50).",
            ),
        ] = 50,
        page_after: Annotated[
            QueryInt64 | None,
            Query(
                alias="page[after]",
                ge=1,
                description=(
                    "The cursor: the id of the last entry of the previous page, as links.next "
                    "gives it; omitted for the first page."
                ),
            ),
        ] = None,
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
