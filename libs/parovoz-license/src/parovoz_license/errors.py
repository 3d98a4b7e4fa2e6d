"""Why a license is refused: expired, or not a valid license for this device (and game)."""

from __future__ import annotations


class LicenseError(Exception):
    """A refused license. ``code`` is stable and machine-readable; ``reason`` says which check
    failed (``expired``, ``bad_signature``, ``unknown_key``, ``wrong_device``...)."""

    code = "OFFLINE_LICENSE_INVALID"

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class LicenseExpired(LicenseError):
    """The license's ``exp`` has passed: renew it online (seed 003's OFFLINE_LICENSE_EXPIRED)."""

    code = "OFFLINE_LICENSE_EXPIRED"

    def __init__(self, message: str = "The offline license has expired; renew it online.") -> None:
        super().__init__("expired", message)


class LicenseInvalid(LicenseError):
    """Not a license of ours for this device: malformed, a bad signature, an unknown key, an
    algorithm other than EdDSA, another device or game, tampered or missing claims, or not valid
    yet."""

    code = "OFFLINE_LICENSE_INVALID"
