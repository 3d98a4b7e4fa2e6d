"""The process's one set of access ports (the cache, the user service, developer-portal, the
rules), for the entry points that decide: REST, gRPC and licenses."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from parovoz_kit.infrastructure import Infrastructure

from parovoz_subscription.access.cache import AccessCache
from parovoz_subscription.access.service import AccessPorts
from parovoz_subscription.access.users import user_profiles
from parovoz_subscription.clients.developer_portal import developer_portal_games


def access_cache(infrastructure: Infrastructure) -> AccessCache:
    """The process's one cache (the unit of work and the consumers forget through it too)."""
    return infrastructure.shared("access-cache", lambda: AccessCache(infrastructure.redis))


def access_ports(infrastructure: Infrastructure) -> AccessPorts:
    def build() -> AccessPorts:
        settings: Any = infrastructure.settings
        rules = settings.access_rules()
        return AccessPorts(
            cache=access_cache(infrastructure),
            profiles=user_profiles(infrastructure),
            games=developer_portal_games(infrastructure),
            rules=rules,
            age_zone=ZoneInfo(rules.age_time_zone),
        )

    return infrastructure.shared("access-ports", build)
