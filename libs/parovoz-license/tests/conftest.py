"""Fixtures of parovoz-license's tests; the helpers are in ``license_support.py`` (this folder
is put on sys.path so the tests import it by name)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from license_support import Issuer, new_issuer


@pytest.fixture
def issuer() -> Issuer:
    return new_issuer()
