"""Every error code raised in subscription's source has a Russian text (Russian is the API's
default language), and every text is Russian."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import parovoz_subscription
from parovoz_subscription.error_texts import RUSSIAN


def _raised_codes() -> set[str]:
    """Every ``code="..."`` keyword of any call in subscription's source."""
    codes: set[str] = set()
    source = Path(parovoz_subscription.__file__).parent
    for module in source.rglob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg == "code" and isinstance(keyword.value, ast.Constant):
                        codes.add(keyword.value.value)
    return codes


def test_every_code_raised_has_a_russian_text() -> None:
    assert sorted(_raised_codes() - RUSSIAN.keys()) == []
    for code, text in RUSSIAN.items():
        assert re.fullmatch(r"[A-Z][A-Z0-9_]+", code)
        assert re.search("[а-яё]", text, re.IGNORECASE), code
