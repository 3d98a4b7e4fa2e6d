"""Every error code payment raises has a Russian detail (seed 001: Russian by default)."""

from __future__ import annotations

import re
from pathlib import Path

import parovoz_payment
from parovoz_payment.error_texts import RUSSIAN

SOURCE = Path(parovoz_payment.__file__).parent
#: ``code="X"``, ``default_code = "X"``, ``code: str = "X"`` and the code given to
#: ``transport.provider_unavailable(provider, why, "X")``.
_CODE = re.compile(r'(?:\bcode=|\bcode = |\bcode: str = )"([A-Z][A-Z0-9_]+)"')
_UNAVAILABLE = re.compile(r'provider_unavailable\([^()]*?"([A-Z][A-Z0-9_]+)"\s*\)', re.S)


def raised_codes() -> set[str]:
    codes: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        codes |= set(_CODE.findall(text)) | set(_UNAVAILABLE.findall(text))
    return codes


def test_every_raised_code_has_a_russian_text() -> None:
    codes = raised_codes()
    assert len(codes) > 100  # the scan finds payment's codes, not nothing
    missing = sorted(codes - RUSSIAN.keys())
    assert not missing, f"codes without a Russian text in error_texts.py: {missing}"


def test_the_russian_texts_are_russian_sentences() -> None:
    for code, text in RUSSIAN.items():
        assert re.fullmatch(r"[A-Z][A-Z0-9_]+", code), code
        assert re.search("[а-яё]", text, re.I), f"{code}: {text!r} is not in Russian"
        assert text.strip() == text and text.endswith((".", "»")), f"{code}: {text!r}"
