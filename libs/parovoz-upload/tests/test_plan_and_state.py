"""The uploader's pure parts: part planning, what is left to upload, the streamed hash, the
content type, and the resume state on disk."""

from __future__ import annotations

import hashlib
import itertools
import json
from pathlib import Path

import pytest
from parovoz_upload.plan import (
    CHUNK_BYTES,
    Part,
    content_type_of,
    missing_parts,
    plan_parts,
    read_part,
    sha256_of,
)
from parovoz_upload.state import StateFile, UploadState, state_name

MIB = 1024**2


def test_parts_cover_the_file_exactly_once() -> None:
    for size, part_size in [(200 * MIB, 64 * MIB), (128 * MIB, 64 * MIB), (1, 64 * MIB), (17, 5)]:
        parts = plan_parts(size, part_size)
        assert [p.number for p in parts] == list(range(1, len(parts) + 1))
        assert sum(p.size for p in parts) == size
        assert all(p.size == part_size for p in parts[:-1]) and 0 < parts[-1].size <= part_size
        assert all(b.offset == a.offset + a.size for a, b in itertools.pairwise(parts))


def test_a_200_mib_build_is_four_parts_of_64_mib_and_the_rest() -> None:
    parts = plan_parts(200 * MIB, 64 * MIB, part_count=4)
    assert [p.size for p in parts] == [64 * MIB, 64 * MIB, 64 * MIB, 8 * MIB]


def test_a_100_gb_build_in_64_mib_parts_stays_within_s3s_10000_parts() -> None:
    parts = plan_parts(100 * 1000**3, 64 * MIB)
    assert len(parts) == 1491 <= 10_000


def test_the_portals_part_count_must_agree_with_the_file() -> None:
    with pytest.raises(ValueError, match="expects 3 parts"):
        plan_parts(200 * MIB, 64 * MIB, part_count=3)
    with pytest.raises(ValueError):
        plan_parts(10, 0)


def test_missing_parts_are_those_not_stored_or_stored_with_another_size() -> None:
    parts = plan_parts(20, 8)  # 8, 8, 4
    assert missing_parts(parts, {}) == parts
    assert missing_parts(parts, {1: 8, 2: 8}) == [Part(3, 16, 4)]
    assert missing_parts(parts, {1: 8, 2: 5, 3: 4}) == [Part(2, 8, 8)]
    assert missing_parts(parts, {1: 8, 2: 8, 3: 4}) == []


def test_the_hash_is_streamed_and_equals_the_files(tmp_path: Path) -> None:
    data = bytes(range(256)) * (CHUNK_BYTES // 256 * 2 + 3)
    path = tmp_path / "game.zip"
    path.write_bytes(data)
    seen: list[int] = []
    assert sha256_of(path, seen.append) == hashlib.sha256(data).hexdigest()
    assert sum(seen) == len(data) and max(seen) <= CHUNK_BYTES and len(seen) == 3
    parts = plan_parts(len(data), 1000)
    assert b"".join(read_part(path, part) for part in parts) == data


def test_content_types_are_the_two_the_portal_accepts() -> None:
    assert content_type_of(Path("Game.ZIP")) == "application/zip"
    assert content_type_of(Path("game.pkg")) == "application/octet-stream"
    assert content_type_of(Path("game")) == "application/octet-stream"


def state(**changes: object) -> UploadState:
    values: dict[str, object] = {
        "build_id": "b1",
        "version_id": "v1",
        "platform": "windows_x64",
        "file_sha256": "ab" * 32,
        "file_size": 20,
        "s3_path": "d/g/v/windows_x64/game.zip",
        "upload_type": "multipart",
        "part_size": 8,
        "part_count": 3,
    }
    return UploadState(**{**values, **changes})  # type: ignore[arg-type]


def test_the_state_file_is_named_by_portal_game_version_platform_and_content() -> None:
    name = state_name("http://portal/", "g", "1.0", "windows_x64", "ab" * 32)
    assert name == state_name("http://portal", "g", "1.0", "windows_x64", "ab" * 32)
    others = {
        state_name("http://other", "g", "1.0", "windows_x64", "ab" * 32),
        state_name("http://portal", "h", "1.0", "windows_x64", "ab" * 32),
        state_name("http://portal", "g", "1.1", "windows_x64", "ab" * 32),
        state_name("http://portal", "g", "1.0", "linux_x64", "ab" * 32),
        state_name("http://portal", "g", "1.0", "windows_x64", "cd" * 32),
    }
    assert name not in others and len(others) == 5 and name.endswith(".json")


def test_the_state_survives_a_restart_and_records_parts_done(tmp_path: Path) -> None:
    file = StateFile(tmp_path / ".parovoz-upload", "x.json")
    assert file.load() is None
    saved = state()
    file.save(saved)
    file.part_done(saved, 2)
    file.part_done(saved, 1)
    file.part_done(saved, 2)
    loaded = StateFile(tmp_path / ".parovoz-upload", "x.json").load()
    assert loaded == saved and loaded is not None and loaded.parts_done == [1, 2]
    assert json.loads(file.path.read_text())["build_id"] == "b1"
    file.remove()
    assert file.load() is None and not file.path.exists()


def test_a_damaged_state_file_is_ignored(tmp_path: Path) -> None:
    file = StateFile(tmp_path, "x.json")
    file.path.write_text("{not json")
    assert file.load() is None
    file.path.write_text('{"build_id": "b"}')
    assert file.load() is None
