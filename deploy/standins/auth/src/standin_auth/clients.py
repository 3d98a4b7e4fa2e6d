"""Service clients allowed to use the OAuth2 client-credentials grant."""

from __future__ import annotations

import hmac

from standin_auth.settings import DEFAULT_SERVICE_NAMES
from standin_auth.tokens import SERVICE_NAME_PATTERN


class ServiceClients:
    def __init__(self, secrets_by_name: dict[str, str]) -> None:
        self._secrets_by_name = secrets_by_name

    @classmethod
    def from_setting(cls, setting: str | None) -> ServiceClients:
        """`None` = every default service with `<name>-dev-secret`; else `name:secret,...`."""
        if setting is None:
            return cls({name: f"{name}-dev-secret" for name in DEFAULT_SERVICE_NAMES})
        secrets_by_name = {}
        for entry in filter(None, (part.strip() for part in setting.split(","))):
            name, separator, secret = entry.partition(":")
            if not separator or not secret or not SERVICE_NAME_PATTERN.match(name):
                # Never echo the entry: it holds a secret.
                raise ValueError("STANDIN_AUTH_SERVICE_CLIENTS entries must be `name:secret`")
            secrets_by_name[name] = secret
        return cls(secrets_by_name)

    def authenticate(self, name: str, secret: str) -> bool:
        expected = self._secrets_by_name.get(name)
        # compare_digest also for unknown names, so timing does not tell which names exist.
        return hmac.compare_digest((expected or "\0").encode(), secret.encode()) and bool(expected)
