"""Identity: JWT verification, FastAPI dependencies, this service's own token for gRPC calls.

The gRPC server side (checking tokens on incoming calls) is
:class:`parovoz_kit.grpc.interceptors.StandardServerInterceptor`.
"""

from parovoz_kit.auth.dependencies import (
    CurrentPrincipal,
    CurrentUserId,
    current_principal,
    current_user_id,
    get_verifier,
    install_auth,
    require_roles,
    require_service,
)
from parovoz_kit.auth.keys import JwksKeySource, KeySource, PemKeySource
from parovoz_kit.auth.principal import SERVICE_ROLE, Principal
from parovoz_kit.auth.service_tokens import (
    ServiceTokenConfig,
    ServiceTokenSource,
    service_token_interceptors,
)
from parovoz_kit.auth.verifier import AuthConfig, JwtVerifier

__all__ = [
    "SERVICE_ROLE",
    "AuthConfig",
    "CurrentPrincipal",
    "CurrentUserId",
    "JwksKeySource",
    "JwtVerifier",
    "KeySource",
    "PemKeySource",
    "Principal",
    "ServiceTokenConfig",
    "ServiceTokenSource",
    "current_principal",
    "current_user_id",
    "get_verifier",
    "install_auth",
    "require_roles",
    "require_service",
    "service_token_interceptors",
]
