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
    #: Submitting needs a description of at least this many characters (spaces around not
    #: counted), and the target audience, team, timeline and business plan of at least
    #: ``min_detail_chars`` each (with a genre and a demo link): what curators and voters read.
    min_description_chars: int
    min_detail_chars: int
