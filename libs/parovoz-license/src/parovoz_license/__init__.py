"""Parovoz offline licenses: verify a license offline with the published keys
(:func:`verify_license`, the ``parovoz-verify-license`` command), and the format both ends
share."""

from parovoz_license.errors import LicenseError, LicenseExpired, LicenseInvalid
from parovoz_license.format import ALGORITHM, AUDIENCE, ISSUER, TOKEN_TYPE, License
from parovoz_license.keys import PublicKeys, jwks_document, keys_from_jwks, public_jwk
from parovoz_license.signing import sign_license
from parovoz_license.verify import verify_license

__all__ = [
    "ALGORITHM",
    "AUDIENCE",
    "ISSUER",
    "TOKEN_TYPE",
    "License",
    "LicenseError",
    "LicenseExpired",
    "LicenseInvalid",
    "PublicKeys",
    "jwks_document",
    "keys_from_jwks",
    "public_jwk",
    "sign_license",
    "verify_license",
]
