"""Swagger UI renders every operation, as a person opening ``<prefix>/docs`` would see it.

Each page is opened in headless Chromium (Debian's ``chromium``, installed by
``deploy/local/install.sh``), through the gateway for the services and directly for the provider
sandbox stand-in. The network is the loopback only, so the page works offline or not at all.
The operations Swagger UI draws (``opblock`` elements, with their method and path) must be
exactly those of the page's OpenAPI document; Swagger UI 4 drew none of a 3.1 document and said
"Unable to render this definition".
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections import Counter

import httpx
import pytest
from parovoz_testing.platform import GATEWAY, SERVICES

CHROMIUM = "/usr/bin/chromium"
SANDBOX = "http://127.0.0.1:8091"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_OPBLOCK = re.compile(
    r'class="opblock opblock-(?P<method>[a-z]+)[^"]*".*?data-path="(?P<path>[^"]+)"', re.DOTALL
)

PAGES = [
    pytest.param(f"{GATEWAY}{s.prefix}/docs", f"{GATEWAY}{s.prefix}/openapi.json", id=s.name)
    for s in SERVICES
] + [pytest.param(f"{SANDBOX}/docs", f"{SANDBOX}/openapi.json", id="provider-sandbox")]


def _chromium() -> str:
    found = shutil.which("chromium") or (CHROMIUM if shutil.which(CHROMIUM) else None)
    if found is None:
        pytest.fail(
            "Debian's chromium is missing: deploy/local/install.sh installs it "
            "(apt-get install -y chromium)"
        )
    return found


def _rendered_dom(url: str) -> str:
    with tempfile.TemporaryDirectory() as profile:
        completed = subprocess.run(
            [
                _chromium(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--virtual-time-budget=10000",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return completed.stdout


def _expected_operations(document: dict) -> Counter[tuple[str, str]]:
    # Swagger UI draws an operation once under each of its tags ("default" when it has none).
    expected: Counter[tuple[str, str]] = Counter()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in _METHODS:
                expected[(method, path)] += max(1, len(set(operation.get("tags", []))))
    return expected


@pytest.mark.parametrize(("page", "openapi"), PAGES)
def test_swagger_ui_draws_every_operation(page: str, openapi: str) -> None:
    document = httpx.get(openapi).json()
    assert document["openapi"].startswith("3.1")
    expected = _expected_operations(document)
    assert expected, "the document has operations"

    dom = _rendered_dom(page)

    assert "Unable to render this definition" not in dom
    assert 'class="swagger-ui"' in dom, "Swagger UI did not start (its script did not load)"
    drawn = Counter(
        (match["method"], match["path"].replace("&amp;", "&")) for match in _OPBLOCK.finditer(dom)
    )
    assert drawn == expected
    assert sum(drawn.values()) == dom.count('class="opblock opblock-')
