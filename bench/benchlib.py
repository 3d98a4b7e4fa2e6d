"""What the benchmarks share: the platform's addresses, a developer with games made through the
REST API, the results file (``bench/results/latest.json``, merged per benchmark key) and the
printed table with PASS/FAIL per ratio."""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results" / "latest.json"
GATEWAY = os.environ.get("PAROVOZ_GATEWAY", "http://127.0.0.1:8080")
AUTH = os.environ.get("PAROVOZ_AUTH", "http://127.0.0.1:8090")
PREFIX = "/api/v1/developer"

ACCOUNT_CREATION = {
    "data": {
        "type": "developerAccountCreation",
        "attributes": {
            "company_name": "Студия замеров",
            "legal_entity_type": "sole_proprietor",
            "tax_id": "500100732259",
            "contact_email": "bench@example.com",
            "country_code": "RU",
        },
    }
}


def user_token(user_id: str, ttl_seconds: int = 3600) -> str:
    """A real RS256 user token from the auth stand-in (as ``parovoz_testing.tokens``, with a
    longer life: a full run outlasts its 10 minutes)."""
    response = httpx.post(
        f"{AUTH}/tokens", json={"sub": user_id, "roles": [], "ttl_seconds": ttl_seconds}
    )
    if response.status_code != 200:  # a stand-in refusing long lives: its default then
        response = httpx.post(f"{AUTH}/tokens", json={"sub": user_id, "roles": []})
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


@dataclass(frozen=True)
class Developer:
    """An account opened through the REST API by its owner, and the owner's token."""

    base: str  # e.g. http://127.0.0.1:8080/api/v1/developer
    user_id: str
    token: str
    developer_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def expect(response: httpx.Response, *statuses: int) -> dict[str, Any]:
    if response.status_code not in statuses:
        sys.exit(
            f"bench setup: {response.request.method} {response.request.url} answered "
            f"{response.status_code}: {response.text[:800]}"
        )
    body: dict[str, Any] = response.json() if response.content else {}
    return body


def open_developer(http: httpx.Client, base: str = f"{GATEWAY}{PREFIX}") -> Developer:
    user_id = str(uuid.uuid4())
    token = user_token(user_id)
    body = expect(
        http.post(
            f"{base}/accounts",
            json=ACCOUNT_CREATION,
            headers={"Authorization": f"Bearer {token}"},
        ),
        201,
    )
    return Developer(base, user_id, token, body["data"]["id"])


def draft_games(http: httpx.Client, developer: Developer, count: int) -> list[str]:
    ids = []
    for number in range(count):
        body = expect(
            http.post(
                f"{developer.base}/games",
                json={
                    "data": {
                        "type": "productCreation",
                        "attributes": {"title": f"Замер {number} {uuid.uuid4().hex[:8]}"},
                    }
                },
                headers=developer.headers,
            ),
            201,
        )
        ids.append(body["data"]["id"])
    return ids


# --- results ---------------------------------------------------------------------------------


def verdict(ratio: float | None, goal: float) -> str:
    if ratio is None:
        return "N/A"
    return "PASS" if ratio >= goal else "FAIL"


def record(key: str, figures: dict[str, Any]) -> Path:
    """Merge ``figures`` under ``key`` into ``bench/results/latest.json`` (other keys kept)."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    try:
        everything = json.loads(RESULTS.read_text())
        if not isinstance(everything, dict):
            everything = {}
    except (FileNotFoundError, json.JSONDecodeError):
        everything = {}
    everything[key] = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "host": {"cpus": os.cpu_count(), "python": platform.python_version()},
        **figures,
    }
    # Atomic: a concurrent reader never sees half a file.
    with tempfile.NamedTemporaryFile("w", dir=RESULTS.parent, delete=False) as handle:
        json.dump(everything, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    os.replace(handle.name, RESULTS)
    return RESULTS


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [max(len(str(h)), *(len(row[i]) for row in cells)) for i, h in enumerate(headers)]
    print(
        "  ".join(
            str(h).rjust(w) if i else str(h).ljust(w)
            for i, (h, w) in enumerate(zip(headers, widths, strict=True))
        )
    )
    for row in cells:
        print(
            "  ".join(
                c.rjust(w) if i else c.ljust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


# --- a side instance of developer-portal -------------------------------------------------------


class SidePortal:
    """developer-portal's REST app alone (no gRPC, consumers, relay or jobs) on its own port,
    on the platform's engines, with setting overrides (``DEVELOPER_PORTAL_<NAME>``): the code of
    the checkout, the running platform left as it is."""

    def __init__(self, port: int, overrides: dict[str, str]) -> None:
        self.port = port
        self.overrides = overrides
        self.base = f"http://127.0.0.1:{port}{PREFIX}"
        self._process: subprocess.Popen[bytes] | None = None
        self._log = tempfile.NamedTemporaryFile(prefix="bench-side-portal-", suffix=".log")

    def __enter__(self) -> SidePortal:
        env = dict(os.environ)
        env.update({f"DEVELOPER_PORTAL_{k.upper()}": v for k, v in self.overrides.items()})
        env["DEVELOPER_PORTAL_HTTP_PORT"] = str(self.port)
        self._process = subprocess.Popen(
            [sys.executable, str(REPO / "bench" / "side_portal.py")],
            cwd=REPO / "services" / "developer-portal",
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                break
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.__exit__(None, None, None)
        self._log.seek(0)
        sys.exit(f"side developer-portal did not start:\n{self._log.read().decode()[-3000:]}")

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def __exit__(self, *_: object) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._log.close()


def have(program: str) -> bool:
    return shutil.which(program) is not None


# --- a process's own CPU time (a figure other load on the machine hardly moves) ---------------


def service_pid(command: str = "parovoz-developer-portal") -> int | None:
    """The running service's process (``make dev`` starts ``.venv/bin/<command>``), if any."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(part.endswith(command.encode()) for part in argv[:2]):
            return int(entry.name)
    return None


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU seconds the process has used so far (Linux ``/proc``), or None."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks
