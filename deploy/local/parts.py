"""What every part of the local platform looks like to the orchestrator."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from procs import REPO, stop_group


@dataclass
class Launch:
    argv: list[str]
    cwd: Path = REPO
    env: dict[str, str] | None = None
    user: str | None = None


@dataclass
class Part:
    """One local process. Subclasses say how to start it, when it is healthy, and what to set up
    once it is (topics, buckets, roles)."""

    name: str
    port: int
    where: str  # shown in the summary table
    start_timeout: float = 60.0
    notes: list[str] = field(default_factory=list)

    def sources(self) -> list[Path]:
        """Folders whose Python code this process runs; newer code means it needs a restart."""
        return []

    def prepare(self) -> None:
        """One-time setup before the first start (e.g. initdb)."""

    def launch(self) -> Launch:
        raise NotImplementedError

    def healthy(self) -> bool:
        raise NotImplementedError

    def after_healthy(self, started_here: bool) -> None:
        """Idempotent setup that needs the part running; runs on every `up`."""

    def stop(self, pid: int) -> None:
        stop_group(self.name, pid)


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    return env
