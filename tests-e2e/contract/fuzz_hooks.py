"""schemathesis hooks for `make fuzz` (loaded through SCHEMATHESIS_HOOKS by fuzz.py).

Every generated case that carries a *valid* Idempotency-Key gets a fresh one: hypothesis likes
to generate the same small key ("0") for different bodies, which the services rightly refuse as
a reused key (422 IDEMPOTENCY_KEY_REUSED) — noise, not a finding. An invalid key (empty, too
long, not printable ASCII) is left as generated, so its refusal is still tested.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import schemathesis

_VALID_KEY = re.compile(r"[!-~]{1,255}")
_HEADER = "Idempotency-Key"


@schemathesis.hook
def map_headers(ctx: Any, headers: dict[str, Any] | None) -> dict[str, Any] | None:
    # At generation, so schemathesis's own bookkeeping (which header a check removed, which
    # case is positive) sees the final headers.
    key = (headers or {}).get(_HEADER)
    if headers is not None and isinstance(key, str) and _VALID_KEY.fullmatch(key):
        return {**headers, _HEADER: str(uuid.uuid4())}
    return headers
