"""Offline licenses' configurable numbers (PRODUCT.md "Offline licenses"), built by
``settings.license_rules()``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class LicenseRules:
    #: How long a license is valid from its issue (PRODUCT.md: 14 days), never past the end of
    #: the access that granted it.
    validity: timedelta
