"""The ``idempotency_key`` field of gRPC requests, from inside a servicer.

Usage::

    async def ChargeSavedMethod(self, request, context):
        async with idempotent_call(store, caller, request.idempotency_key, request,
                                   ChargeResponse) as call:
            if call.replayed_response is not None:
                return call.replayed_response
            response = ...  # do the work
            await call.complete(response)  # or: await call.complete_in(session, response)
            return response

Errors come out as kit errors, which the gRPC error mapping turns into statuses: another
request under the same key → INVALID_ARGUMENT ``IDEMPOTENCY_KEY_REUSED``; still in flight
→ ABORTED ``IDEMPOTENCY_KEY_IN_USE``. A kit client error (4xx) raised inside the block is
stored and raised again to every retry; anything else releases the key.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Generic, TypeVar

import grpc
from google.protobuf.message import Message

from parovoz_kit.errors import Conflict, ParovozError
from parovoz_kit.grpc.errors import details_for, error_from_status, status_for
from parovoz_kit.idempotency.keys import FIELD_POINTER, fingerprint_message, validate_key
from parovoz_kit.idempotency.store import (
    Executor,
    IdempotencyStore,
    Proceed,
    Replay,
    StoredResponse,
)

ResponseT = TypeVar("ResponseT", bound=Message)
_GRPC_STATUS = "grpc-status"


class IdempotentCall(Generic[ResponseT]):
    """One servicer call under an idempotency key."""

    def __init__(
        self,
        store: IdempotencyStore,
        attempt: Proceed | None,
        replayed_response: ResponseT | None,
    ) -> None:
        self._store = store
        self._attempt = attempt
        #: The first call's response when this is a retry; return it as is.
        self.replayed_response = replayed_response
        self.settled = replayed_response is not None

    async def complete(self, response: ResponseT) -> None:
        """Store the response in its own transaction (after your work committed)."""
        await self._store.complete(self._claim(), _stored_message(response))
        self.settled = True

    async def complete_in(self, executor: Executor, response: ResponseT) -> None:
        """Store the response in your open transaction, so both commit or neither."""
        if not await self._store.complete_in(executor, self._claim(), _stored_message(response)):
            raise Conflict(
                "A retry with this idempotency key took over; retry to get its answer.",
                code="IDEMPOTENCY_KEY_IN_USE",
            )
        self.settled = True

    async def _settle_error(self, error: BaseException) -> None:
        if self.settled or self._attempt is None:
            return
        self.settled = True
        # Client errors stay failed (see http rest.py); server errors free the key.
        if isinstance(error, ParovozError) and error.http_status < 500:
            stored = StoredResponse(
                error.http_status,
                details_for(error).encode(),
                {_GRPC_STATUS: status_for(error).name},
            )
            await self._store.complete(self._attempt, stored)
        else:
            await self._store.release(self._attempt)

    def _claim(self) -> Proceed:
        if self._attempt is None or self.settled:
            raise RuntimeError("this call is a replay or already completed")
        return self._attempt


@asynccontextmanager
async def idempotent_call(
    store: IdempotencyStore,
    scope: str,
    key: str,
    request: Message,
    response_type: type[ResponseT],
    *,
    key_field: str = "idempotency_key",
) -> AsyncIterator[IdempotentCall[ResponseT]]:
    """Claim ``key`` for ``request`` (fingerprinted without the key field) or replay."""
    validate_key(key, pointer=FIELD_POINTER)
    fingerprint = fingerprint_message(request, key_field)
    outcome = await store.begin(scope, key, fingerprint, key_pointer=FIELD_POINTER)
    if isinstance(outcome, Replay):
        yield IdempotentCall(store, None, _replayed_message(outcome, response_type))
        return
    call: IdempotentCall[ResponseT] = IdempotentCall(store, outcome, None)
    try:
        yield call
    except BaseException as error:
        await call._settle_error(error)
        raise
    if not call.settled:
        # The servicer returned without completing: nothing recorded, so a retry may run.
        await store.release(outcome)


def _stored_message(response: Message) -> StoredResponse:
    return StoredResponse(200, response.SerializeToString(deterministic=True))


def _replayed_message(outcome: Replay, response_type: type[ResponseT]) -> ResponseT:
    stored = outcome.response
    status_name = stored.headers.get(_GRPC_STATUS)
    if status_name is not None:
        raise error_from_status(grpc.StatusCode[status_name], stored.body.decode())
    return response_type.FromString(stored.body)
