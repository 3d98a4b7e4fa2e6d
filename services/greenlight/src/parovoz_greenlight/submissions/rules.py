"""The submissions context's configurable numbers, built by ``settings.submission_rules()``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SubmissionRules:
    #: Page sizes of the public list and of ``/submissions/mine``.
    default_page_size: int
    max_page_size: int
    #: ``sort=trending`` ranks at most this many of the newest public submissions (by the
    #: Wilson lower bound of their weighted yes share).
    trending_candidates: int
