"""What to upload: the file's facts (size, streamed SHA-256), its parts, the content type."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

#: How much of a file is read at once (hashing, streaming a PUT).
CHUNK_BYTES = 1024 * 1024

PLATFORMS = ("windows_x64", "linux_x64", "macos_arm64", "macos_x64")


@dataclass(frozen=True)
class Part:
    number: int
    offset: int
    size: int


@dataclass(frozen=True)
class LocalBuild:
    platform: str
    path: Path
    size: int
    sha256: str

    @property
    def file_name(self) -> str:
        return self.path.name

    @property
    def content_type(self) -> str:
        return content_type_of(self.path)


def content_type_of(path: Path) -> str:
    """``application/zip`` for a .zip, else ``application/octet-stream`` (the two the portal
    accepts)."""
    return "application/zip" if path.suffix.lower() == ".zip" else "application/octet-stream"


def sha256_of(path: Path, progress: Callable[[int], None] | None = None) -> str:
    """The file's SHA-256, read in chunks (a 100 GB build never sits in memory)."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK_BYTES):
            digest.update(chunk)
            if progress is not None:
                progress(len(chunk))
    return digest.hexdigest()


def plan_parts(file_size: int, part_size: int, part_count: int | None = None) -> list[Part]:
    """Parts 1..n of ``part_size`` bytes (the last one the rest), as the portal numbered them
    (``part_count`` it answered must agree with the file)."""
    if part_size <= 0:
        raise ValueError("part size must be positive")
    count = max(1, -(-file_size // part_size))
    if part_count is not None and part_count != count:
        raise ValueError(
            f"the portal expects {part_count} parts of {part_size} bytes, "
            f"but the file makes {count}"
        )
    return [
        Part(number, (number - 1) * part_size, min(part_size, file_size - (number - 1) * part_size))
        for number in range(1, count + 1)
    ]


def missing_parts(parts: list[Part], stored: dict[int, int]) -> list[Part]:
    """The parts S3 does not hold yet (``stored``: part number -> stored size); a part stored
    with another size is uploaded again."""
    return [part for part in parts if stored.get(part.number) != part.size]


def read_part(path: Path, part: Part) -> bytes:
    with path.open("rb") as file:
        file.seek(part.offset)
        return file.read(part.size)


def file_chunks(path: Path, progress: Callable[[int], None] | None = None) -> Iterator[bytes]:
    with path.open("rb") as file:
        while chunk := file.read(CHUNK_BYTES):
            if progress is not None:
                progress(len(chunk))
            yield chunk
