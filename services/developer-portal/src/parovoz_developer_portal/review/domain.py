"""review: the domain (plain Python, no I/O). Filled in by issue #13."""

from __future__ import annotations
