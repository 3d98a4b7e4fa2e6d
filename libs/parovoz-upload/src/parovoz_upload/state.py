"""Resume state: one small JSON file per build in ``.parovoz-upload/`` of the working directory,
named by a hash of (portal, game, version, platform, file SHA-256): the build's id and the parts
this machine uploaded. A re-run finds it, asks the portal which parts S3 holds, and uploads the
rest only. The file is removed once the build is completed."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

STATE_DIRECTORY = ".parovoz-upload"


@dataclass
class UploadState:
    build_id: str
    version_id: str
    platform: str
    file_sha256: str
    file_size: int
    s3_path: str
    upload_type: str
    part_size: int | None = None
    part_count: int | None = None
    parts_done: list[int] = field(default_factory=list)


def state_name(api_url: str, game_id: str, version_name: str, platform: str, sha256: str) -> str:
    key = "\n".join((api_url.rstrip("/"), game_id, version_name, platform, sha256))
    return hashlib.sha256(key.encode()).hexdigest()[:32] + ".json"


class StateFile:
    """One build's state on disk, written atomically (a kill mid-write leaves the old one)."""

    def __init__(self, directory: Path, name: str) -> None:
        self.path = directory / name
        self._lock = threading.RLock()

    def load(self) -> UploadState | None:
        try:
            raw = json.loads(self.path.read_text())
            return UploadState(**raw)
        except (FileNotFoundError, ValueError, TypeError):
            return None

    def save(self, state: UploadState) -> None:
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps(asdict(state), indent=1))
            temporary.replace(self.path)

    def part_done(self, state: UploadState, number: int) -> None:
        with self._lock:
            if number not in state.parts_done:
                state.parts_done.append(number)
                state.parts_done.sort()
        self.save(state)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)
