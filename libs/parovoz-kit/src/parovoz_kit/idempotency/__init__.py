"""Idempotency keys for REST (``Idempotency-Key`` header) and gRPC (``idempotency_key``).

Same key + same request → the first response again; same key + another request → 422
``IDEMPOTENCY_KEY_REUSED``; same key while the first is running → 409
``IDEMPOTENCY_KEY_IN_USE``; keys are kept 24 hours.
"""

from parovoz_kit.idempotency.grpc_calls import IdempotentCall, idempotent_call
from parovoz_kit.idempotency.keys import fingerprint_http, fingerprint_message, validate_key
from parovoz_kit.idempotency.rest import (
    IDEMPOTENCY_HEADER,
    REPLAYED_HEADER,
    IdempotencyKey,
    OptionalIdempotencyKey,
    require_idempotency_key,
    run_idempotent,
    run_with_optional_key,
)
from parovoz_kit.idempotency.store import (
    IdempotencySettings,
    IdempotencyStore,
    Proceed,
    Replay,
    StoredResponse,
)
from parovoz_kit.idempotency.tables import define_idempotency_tables

__all__ = [
    "IDEMPOTENCY_HEADER",
    "REPLAYED_HEADER",
    "IdempotencyKey",
    "IdempotencySettings",
    "IdempotencyStore",
    "IdempotentCall",
    "OptionalIdempotencyKey",
    "Proceed",
    "Replay",
    "StoredResponse",
    "define_idempotency_tables",
    "fingerprint_http",
    "fingerprint_message",
    "idempotent_call",
    "require_idempotency_key",
    "run_idempotent",
    "run_with_optional_key",
    "validate_key",
]
