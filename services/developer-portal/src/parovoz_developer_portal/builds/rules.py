"""Builds' configurable numbers (PRODUCT.md, Developer portal), built in settings.py."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BuildRules:
    bucket: str
    #: Largest build file (PRODUCT.md: 100 GB); larger is 413 FILE_TOO_LARGE.
    max_file_bytes: int
    #: Up to this size a build is one pre-signed PUT; above it, a multipart upload.
    single_put_max_bytes: int
    #: Size of every part of a multipart upload but the last (PRODUCT.md: 64 MiB).
    part_size_bytes: int
    #: How long a pre-signed URL (whole object or part) lives (PRODUCT.md: 1 hour).
    upload_url_ttl_seconds: int
    #: Build file types accepted (zip / octet-stream); others are 422.
    allowed_content_types: frozenset[str]
    #: How often the ``builds-verify`` job looks for completed uploads (its period).
    verify_every_seconds: float
    #: How long one worker holds a build it verifies (a streamed SHA-256 of up to 100 GB);
    #: a worker that died lets another take the build once this has passed.
    verify_lease_seconds: int
