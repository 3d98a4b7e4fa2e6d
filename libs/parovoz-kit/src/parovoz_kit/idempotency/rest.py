"""``Idempotency-Key`` for FastAPI endpoints that create things or move money.

Usage in a route::

    @router.post("/games", status_code=201)
    async def create_game(request: Request, body: NewGame, key: IdempotencyKey, ...):
        async def handler(_: Proceed) -> Response:
            ...  # do the work, commit, return a JSONResponse
        return await run_idempotent(request, store, scope=user.id, key=key, handler=handler)

Where the handler's transaction and the stored response meet:

* default (no ``session``): the handler commits its own work, then the response is
  stored in a separate short transaction. If the process dies in between, the key stays
  ``in_flight`` until ``lock_timeout`` (60 s) passes, after which a retry of the same
  request runs again — so such handlers should also be naturally idempotent.
* with ``session=``: the handler does its work in that session *without committing*;
  the response row is written in the same transaction and committed with it, so the
  effect and its recorded answer cannot part. Prefer this whenever the work is in one DB.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_kit.errors import BusinessRuleViolation, Conflict, ParovozError, ValidationFailed
from parovoz_kit.http.errors import error_for_request
from parovoz_kit.idempotency.keys import fingerprint_http, validate_key
from parovoz_kit.idempotency.store import IdempotencyStore, Proceed, Replay, StoredResponse

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# Recomputed on every answer, or meaningless on a replay.
_NOT_STORED_HEADERS = {"content-length", "date", "server", "x-served-by", "set-cookie"}

Handler = Callable[[Proceed], Awaitable[Any]]


_KEY_DESCRIPTION = (
    "A unique key per logical request (a UUID is a good choice); a retry reuses it and gets the "
    "first answer again."
)


def _validated(key: str | None) -> str:
    try:
        return validate_key(key)
    except ValidationFailed as error:
        # A header is a parameter (seed 001's source.parameter), not a place in the body.
        raise ValidationFailed(
            error.detail, code=error.code, parameter=IDEMPOTENCY_HEADER, detail_ru=error.detail_ru
        ) from None


async def require_idempotency_key(
    idempotency_key: Annotated[
        str | None,
        Header(alias=IDEMPOTENCY_HEADER, description=_KEY_DESCRIPTION),
    ] = None,
) -> str:
    """Dependency: the validated key, or 400 ``IDEMPOTENCY_KEY_REQUIRED``/``_INVALID`` with
    ``source.parameter`` ``Idempotency-Key``.

    Optional to FastAPI on purpose, so that a missing key is answered here with its own code;
    the OpenAPI document marks the header required (:mod:`parovoz_kit.http.openapi` finds this
    dependency in the route's dependency tree).
    """
    return _validated(idempotency_key)


async def optional_idempotency_key(
    idempotency_key: Annotated[
        str | None, Header(alias=IDEMPOTENCY_HEADER, description=_KEY_DESCRIPTION)
    ] = None,
) -> str | None:
    """Dependency for endpoints where the key is welcome but not required. (Both are ``async``:
    FastAPI would run a plain ``def`` dependency in its thread pool, a hop per request.)"""
    return None if idempotency_key is None else _validated(idempotency_key)


IdempotencyKey = Annotated[str, Depends(require_idempotency_key)]
OptionalIdempotencyKey = Annotated[str | None, Depends(optional_idempotency_key)]


async def run_idempotent(
    request: Request,
    store: IdempotencyStore,
    *,
    scope: str,
    key: str,
    handler: Handler,
    success_status: int = 200,
    session: AsyncSession | None = None,
    replay_as: Callable[[Response], Response] | None = None,
) -> Response:
    """Run ``handler`` once per (scope, key); replay its answer to retries.

    ``handler`` returns a ``Response`` or anything JSON-encodable (sent with
    ``success_status``). A replay carries ``Idempotent-Replayed: true``. ``replay_as`` turns a
    successful first answer into what is kept and replayed, for an answer carrying a secret
    shown once (a gift card's code): the store never holds the secret, and the request is
    still fingerprinted like every other (another body under the key is 422).
    """
    body = await request.body()
    fingerprint = fingerprint_http(request.method, request.url.path, body, request.url.query)
    try:
        outcome = await store.begin(scope, key, fingerprint)
    except ValidationFailed as error:
        if error.code != "IDEMPOTENCY_KEY_REUSED":
            raise
        # A well-formed key already bound to another request: 422 over REST (the IETF
        # Idempotency-Key draft), INVALID_ARGUMENT over gRPC.
        raise BusinessRuleViolation(
            error.detail, code=error.code, parameter=IDEMPOTENCY_HEADER, detail_ru=error.detail_ru
        ) from None
    if isinstance(outcome, Replay):
        return _replayed(outcome.response)
    try:
        response = _as_response(await handler(outcome), success_status)
    except ParovozError as error:
        if session is not None:
            await session.rollback()
        await _settle_error(request, store, outcome, error)
        raise
    except BaseException:
        if session is not None:
            await session.rollback()
        await store.release(outcome)
        raise
    await _settle_success(store, outcome, response, session, replay_as)
    return response


async def _settle_success(
    store: IdempotencyStore,
    attempt: Proceed,
    response: Response,
    session: AsyncSession | None,
    replay_as: Callable[[Response], Response] | None = None,
) -> None:
    kept = response if replay_as is None or response.status_code >= 400 else replay_as(response)
    stored = _stored(kept)
    if response.status_code >= 500:
        if session is not None:
            await session.rollback()
        await store.release(attempt)
    elif session is not None:
        if not await store.complete_in(session, attempt, stored):
            # Our claim timed out and a retry took the key: its answer wins, ours is undone.
            await session.rollback()
            raise Conflict(
                "A retry with this idempotency key took over; retry to get its answer.",
                code="IDEMPOTENCY_KEY_IN_USE",
            )
        await session.commit()
    else:
        await store.complete(attempt, stored)


async def _settle_error(
    request: Request, store: IdempotencyStore, attempt: Proceed, error: ParovozError
) -> None:
    # A client error (4xx) is stored and replayed: "a failed id stays failed" (Stripe,
    # TigerBeetle). Otherwise a retry could succeed later against changed state and the
    # client would hold two different answers for one logical request. A server error
    # (5xx: a dependency down, a bug) says nothing about the request, so the key is
    # released and the client's retry runs the operation again.
    if error.http_status >= 500:
        await store.release(attempt)
        return
    # Stored as answered: in the request's language, with the service's texts.
    await store.complete(attempt, _stored(error_for_request(request, error)))


def _as_response(result: Any, success_status: int) -> Response:
    if isinstance(result, Response):
        if not hasattr(result, "body"):
            raise TypeError("idempotent endpoints cannot stream; return a plain Response")
        return result
    return JSONResponse(jsonable_encoder(result), status_code=success_status)


def _stored(response: Response) -> StoredResponse:
    headers = {
        name: value
        for name, value in response.headers.items()
        if name.lower() not in _NOT_STORED_HEADERS
    }
    return StoredResponse(response.status_code, bytes(response.body), headers)


def _replayed(stored: StoredResponse) -> Response:
    headers = {**stored.headers, REPLAYED_HEADER: "true"}
    return Response(content=stored.body, status_code=stored.status, headers=headers)


async def run_with_optional_key(
    request: Request,
    store: IdempotencyStore,
    *,
    scope: str,
    key: str | None,
    handler: Callable[[], Awaitable[Any]],
    success_status: int = 200,
) -> Response:
    """For endpoints where the key is welcome but not required: idempotent when given."""
    if key is None:
        return _as_response(await handler(), success_status)
    return await run_idempotent(
        request,
        store,
        scope=scope,
        key=key,
        handler=lambda _attempt: handler(),
        success_status=success_status,
    )
