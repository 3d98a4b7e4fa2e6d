"""Request and response bodies of offline licenses' REST (JSON:API-style documents, seed 001),
and the JWK Set."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from parovoz_kit.http.fields import RequestModel, Text
from pydantic import BaseModel, ConfigDict, Field

from parovoz_subscription.licenses.domain import DEVICE_ID_LIMIT
from parovoz_subscription.licenses.service import IssuedLicense

LICENSE_REQUEST_EXAMPLE: dict[str, Any] = {
    "data": {
        "type": "offlineLicenseRequest",
        "attributes": {
            "game_id": "5d2b7c1e-8a4f-4c3b-9e61-0f7a2b3c4d5e",
            "device_id": "launcher-7f3a9c",
        },
    }
}

DeviceId = Annotated[str, Text(DEVICE_ID_LIMIT, min_length=1)]


# --- requests ---------------------------------------------------------------------------------
class LicenseRequestAttributes(RequestModel):
    game_id: uuid.UUID = Field(description="The game (UUID) to play offline. Required.")
    device_id: DeviceId = Field(
        description=(
            "The device the license is bound to, as the launcher names it in CheckAccess "
            f"(1-{DEVICE_ID_LIMIT} characters). Required. A device not registered yet is "
            "registered by this request, within the plan's device limit."
        ),
        examples=["launcher-7f3a9c"],
    )


class LicenseRequestData(RequestModel):
    type: Literal["offlineLicenseRequest"] = Field(description="Always `offlineLicenseRequest`.")
    attributes: LicenseRequestAttributes = Field(description="The game and the device.")


class LicenseRequestDocument(RequestModel):
    """Ask for an offline license of a game on a device."""

    model_config = ConfigDict(json_schema_extra={"examples": [LICENSE_REQUEST_EXAMPLE]})

    data: LicenseRequestData = Field(description="The game and the device.")


# --- responses --------------------------------------------------------------------------------
class LicenseAttributes(BaseModel):
    token: str = Field(
        description=(
            "The signed license: a compact JWS (`alg` EdDSA, Ed25519) whose header names the "
            "key (`kid`) and the type `parovoz-license+jwt`; claims `jti` (the license id), "
            "`sub` (user), `game`, `device`, `subscription`, `iat`, `nbf`, `exp`, `iss` "
            "`parovoz-subscription`, `aud` `parovoz-launcher`. Verify it with the keys of "
            "`links.jwks` (`parovoz_license.verify_license`, `parovoz-verify-license`)."
        )
    )
    key_id: str = Field(description="The signing key's id (the token's `kid`).")
    user_id: uuid.UUID = Field(description="The user the license is for.")
    game_id: uuid.UUID = Field(description="The game the license is for.")
    device_id: str = Field(description="The device the license is bound to.")
    subscription_id: uuid.UUID = Field(description="The subscription that grants it.")
    issued_at: datetime = Field(description="When it was issued (ISO 8601, UTC, whole seconds).")
    expires_at: datetime = Field(
        description=(
            "When it stops being valid (exclusive): 14 days after issue, never after the end of "
            "the access that grants it. Renew online before then (a new license)."
        )
    )


class LicenseResource(BaseModel):
    type: Literal["offlineLicense"] = Field(description="Always `offlineLicense`.")
    id: uuid.UUID = Field(description="The license id (the token's `jti`).")
    attributes: LicenseAttributes = Field(description="The license.")
    links: dict[str, str] = Field(description="`jwks`: the public keys that verify it.")


class LicenseDocument(BaseModel):
    data: LicenseResource = Field(description="The license issued.")


def license_document(issued: IssuedLicense, prefix: str) -> LicenseDocument:
    license = issued.license
    return LicenseDocument(
        data=LicenseResource(
            type="offlineLicense",
            id=license.id,
            attributes=LicenseAttributes(
                token=issued.token,
                key_id=license.key_id,
                user_id=license.user_id,
                game_id=license.game_id,
                device_id=license.device_id,
                subscription_id=license.subscription_id,
                issued_at=license.issued_at,
                expires_at=license.expires_at,
            ),
            links={"jwks": f"{prefix}/.well-known/jwks.json"},
        )
    )


class JsonWebKey(BaseModel):
    kty: Literal["OKP"] = Field(description="Key type: `OKP` (RFC 8037).")
    crv: Literal["Ed25519"] = Field(description="Curve: `Ed25519`.")
    x: str = Field(description="The public key, base64url without padding (32 bytes).")
    kid: str = Field(description="Key id, as in a license's header.")
    use: Literal["sig"] = Field(description="Always `sig`.")
    alg: Literal["EdDSA"] = Field(description="Always `EdDSA`.")


class JsonWebKeySet(BaseModel):
    keys: list[JsonWebKey] = Field(
        description="The signing key first, then retired keys whose licenses may still be valid."
    )
