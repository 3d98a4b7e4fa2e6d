"""Media's configurable numbers (PRODUCT.md, Developer portal), built in settings.py."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MediaRules:
    bucket: str
    #: Largest media file (PRODUCT.md: 2 GB).
    max_file_bytes: int
    #: How long a pre-signed upload URL lives.
    upload_url_ttl_seconds: int
    #: A ``pending_upload`` media older than this was abandoned: the ``media-expire-uploads`` job
    #: deletes it and whatever was stored for it (at least the upload URL's lifetime).
    abandoned_upload_after_seconds: int
    #: How long a pre-signed GET URL of a ready media (for display) lives.
    display_url_ttl_seconds: int
    #: Media types accepted (jpeg / png / mp4), checked against the stored object's first bytes.
    allowed_content_types: frozenset[str]
