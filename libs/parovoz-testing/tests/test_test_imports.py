"""No service's tests import another service's code or tests (ARCHITECTURE.md, "Repository
layout"): import-linter sees only packages, so this reads every services/*/tests file with
``ast``. What tests share lives in parovoz_testing."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SERVICES = sorted(path.parent for path in ROOT.glob("services/*/src"))


def package_of(service: Path) -> str:
    [package] = [path.parent.name for path in (service / "src").glob("*/__init__.py")]
    return package


def support_modules(service: Path) -> set[str]:
    """The top-level names a service's tests folder defines (its ``*_support`` modules...)."""
    return {path.stem for path in (service / "tests").rglob("*.py")} - {"__init__", "conftest"}


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports, anywhere in it (functions included)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def foreign_imports(service: Path, services: list[Path], root: Path = ROOT) -> list[str]:
    """``file: module`` for each import of another service's package or tests."""
    others = [other for other in services if other != service]
    forbidden_packages = {package_of(other) for other in others}
    forbidden_tests = set().union(*(support_modules(other) for other in others)) - support_modules(
        service
    )
    found = []
    for path in sorted((service / "tests").rglob("*.py")):
        for module in sorted(imported(path)):
            top = module.split(".")[0]
            if top in forbidden_packages or top in forbidden_tests or top.startswith("services"):
                found.append(f"{path.relative_to(root)}: {module}")
    return found


def test_every_service_is_found() -> None:
    assert {service.name for service in SERVICES} >= {"payment", "developer-portal"}


@pytest.mark.parametrize("service", SERVICES, ids=lambda service: service.name)
def test_a_service_tests_import_no_other_service(service: Path) -> None:
    assert foreign_imports(service, SERVICES) == []


def test_the_check_sees_a_foreign_import(tmp_path: Path) -> None:
    """A tests folder that imports payment's package or payment's test support is named."""
    portal = tmp_path / "services" / "developer-portal"
    (portal / "src" / "parovoz_developer_portal").mkdir(parents=True)
    (portal / "src" / "parovoz_developer_portal" / "__init__.py").write_text("")
    (portal / "tests").mkdir()
    (portal / "tests" / "test_x.py").write_text(
        "from parovoz_payment.grpc.servicer import grpc_services\n"
        "def f():\n    import payouts_support\n"
    )
    payment = tmp_path / "services" / "payment"
    (payment / "src" / "parovoz_payment").mkdir(parents=True)
    (payment / "src" / "parovoz_payment" / "__init__.py").write_text("")
    (payment / "tests").mkdir()
    (payment / "tests" / "payouts_support.py").write_text("")
    assert foreign_imports(portal, [payment, portal], tmp_path) == [
        "services/developer-portal/tests/test_x.py: parovoz_payment.grpc.servicer",
        "services/developer-portal/tests/test_x.py: payouts_support",
    ]
    assert foreign_imports(payment, [payment, portal], tmp_path) == []
