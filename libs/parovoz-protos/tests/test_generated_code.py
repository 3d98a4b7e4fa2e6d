"""The committed stubs match the protos, and the generator's staleness check really detects."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

REPO_ROOT = Path(__file__).resolve().parents[3]
GENERATOR = REPO_ROOT / "protos" / "generate.py"


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("protos_generate", GENERATOR)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_stubs_are_not_stale() -> None:
    result = subprocess.run(
        [sys.executable, str(GENERATOR), "--check"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_names_missing_differing_and_stale_files() -> None:
    generator = load_generator()
    wanted = {"a_pb2.py": b"new", "b_pb2.py": b"same", "c_pb2.py": b"added"}
    current = {"a_pb2.py": b"old", "b_pb2.py": b"same", "gone_pb2.py": b"x"}

    assert generator.differences(wanted, current) == [
        "differs: a_pb2.py",
        "missing: c_pb2.py",
        "stale (no longer generated): gone_pb2.py",
    ]
    assert generator.differences(wanted, dict(wanted)) == []


def test_write_leaves_exactly_the_generated_files(tmp_path: Path) -> None:
    generator = load_generator()
    (tmp_path / "old" / "v1").mkdir(parents=True)
    (tmp_path / "old" / "v1" / "removed_pb2.py").write_text("stale")
    (tmp_path / "kept_pb2.py").write_text("outdated")
    wanted = {"kept_pb2.py": b"fresh", "new/v1/added_pb2.py": b"added"}

    changed = generator.write(wanted, tmp_path)

    assert changed == 3
    assert generator.tree(tmp_path) == wanted
    assert not (tmp_path / "old").exists()


def test_generated_code_depends_on_no_absolute_path() -> None:
    generated = REPO_ROOT / "libs" / "parovoz-protos" / "src" / "parovoz"
    offenders = [
        path.name for path in generated.rglob("*.py*") if str(REPO_ROOT) in path.read_text()
    ]
    assert offenders == []
