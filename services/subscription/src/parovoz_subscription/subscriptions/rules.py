"""Subscriptions' configurable numbers, built in settings.py (``subscription_rules``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SubscriptionRules:
    #: Subscriptions per page of ``GET /`` (and gRPC ListUserSubscriptions) when the client
    #: does not ask, and the most it may ask.
    default_page_size: int
    max_page_size: int
    #: The subscriber's zone when the creation names none (PRODUCT.md: Europe/Moscow).
    default_time_zone: str
    #: Where payment's confirmation page sends the user back when the creation names no URL.
    default_return_url: str
