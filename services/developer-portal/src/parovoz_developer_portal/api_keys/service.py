"""api_keys: use cases, one function per action, over the unit of work."""

from __future__ import annotations
