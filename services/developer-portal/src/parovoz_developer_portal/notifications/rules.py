"""notifications' configurable numbers (built by ``DeveloperPortalSettings.notification_rules``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NotificationRules:
    #: ``GET /notifications``: notifications a page, by default and at most.
    default_page_size: int
    max_page_size: int
    #: The stream: a comment line this often keeps proxies (the gateway's read timeout) from
    #: closing a quiet connection.
    heartbeat_seconds: float
    #: The stream ends after this long (the client reconnects with ``Last-Event-ID`` and, for
    #: a long session, a fresh token): a connection never outlives its token by much.
    stream_max_seconds: float
    #: Notifications a stream reads from the inbox at a time (a long replay is sent in
    #: batches of this many, oldest first).
    batch_size: int
    #: A stream also reads its account's inbox this often, in case a push was missed (the
    #: inbox, not the push, is the truth).
    poll_seconds: float
