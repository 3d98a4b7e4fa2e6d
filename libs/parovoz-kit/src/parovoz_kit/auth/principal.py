"""Who is calling: the verified subject of a token and its platform roles."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

#: Role carried by every service token (``sub`` = ``service:<name>``).
SERVICE_ROLE = "service"
SERVICE_SUBJECT_PREFIX = "service:"


@dataclass(frozen=True)
class Principal:
    """A verified caller. Built only by :class:`~parovoz_kit.auth.JwtVerifier`."""

    subject: str
    roles: frozenset[str] = frozenset()
    #: ``jti`` of the token, for audit logs; never the token itself.
    token_id: str | None = None
    #: The verified claims, read-only, for the rare claim the fields above do not cover.
    claims: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def is_service(self) -> bool:
        # Both must hold: a user can never get the service role, a service never a user sub.
        return self.subject.startswith(SERVICE_SUBJECT_PREFIX) and SERVICE_ROLE in self.roles

    @property
    def service_name(self) -> str | None:
        """``payment`` for ``service:payment``; None for users."""
        return self.subject.removeprefix(SERVICE_SUBJECT_PREFIX) if self.is_service else None

    def has_any_role(self, roles: frozenset[str] | set[str]) -> bool:
        return not self.roles.isdisjoint(roles)
