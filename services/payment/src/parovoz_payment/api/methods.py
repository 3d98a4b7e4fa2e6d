"""`/methods`: the signed-in user's saved payment methods -- list them, remove one.

Methods are saved by the payment flow (a first payment with "save", or a 1.00 RUB binding);
here the owner sees titles only ("MIR •••• 4444"), never a provider token.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Response
from parovoz_kit.auth import CurrentUserId
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, Field

from parovoz_payment.api.deps import RequestId
from parovoz_payment.api.documented_errors import SAVED_METHOD_REMOVAL, documented
from parovoz_payment.api.schemas import ListDocument, Resource
from parovoz_payment.db.audit import record
from parovoz_payment.db.saved_methods import SqlSavedMethods
from parovoz_payment.domain.audit import AuditRecord
from parovoz_payment.domain.methods import Provider
from parovoz_payment.domain.saved_methods import SavedMethod


class SavedMethodAttributes(BaseModel):
    provider: Provider = Field(description="The provider keeping it: yookassa or tbank.")
    title: str = Field(description='What to show the user, e.g. "MIR •••• 4444".')
    created_at: datetime = Field(description="When it was saved.")


def method_resource(method: SavedMethod, prefix: str) -> Resource[SavedMethodAttributes]:
    return Resource(
        type="savedMethod",
        id=str(method.id),
        attributes=SavedMethodAttributes(
            provider=method.provider, title=method.title, created_at=method.created_at
        ),
        links={"self": f"{prefix}/methods/{method.id}"},
    )


def methods_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    router = APIRouter(prefix=f"{prefix}/methods", tags=["saved methods"])

    @router.get(
        "",
        response_model=ListDocument[SavedMethodAttributes],
        summary="The signed-in user's saved payment methods, newest first",
        description=(
            "The signed-in user's saved methods, newest first: titles only, never a "
            "provider's token. Their ids may be given as `method` when paying."
        ),
    )
    async def list_methods(user_id: CurrentUserId) -> ListDocument[SavedMethodAttributes]:
        async with infrastructure.session_factory() as session:
            methods = await SqlSavedMethods(session).active_of(user_id)
        return ListDocument(data=[method_resource(method, prefix) for method in methods])

    @router.delete(
        "/{method_id}",
        status_code=204,
        responses=documented(SAVED_METHOD_REMOVAL),
        summary="Remove one of your saved methods (others', unknown or removed ones are 404)",
        description=(
            "Removes one of the signed-in user's saved methods (audit-logged); another "
            "user's, an unknown or an already removed one is 404 SAVED_METHOD_NOT_FOUND."
        ),
    )
    async def remove_method(
        method_id: uuid.UUID, user_id: CurrentUserId, request_id: RequestId
    ) -> Response:
        # The removal and its audit row commit together, or neither does.
        async with infrastructure.session_factory.begin() as session:
            before, after = await SqlSavedMethods(session).remove(
                user_id, method_id, infrastructure.clock.now()
            )
            await record(
                session,
                AuditRecord(
                    actor=str(user_id),
                    action="saved_method.removed",
                    subject_type="saved_method",
                    subject_id=str(method_id),
                    before=before.audit_state(),
                    after=after.audit_state(),
                    request_id=request_id,
                ),
            )
        return Response(status_code=204)

    return router
