"""``parovoz-upload`` (the installed console script) through the gateway against the running
services and the real S3 endpoint, with an API key only: a 200 MiB build in 64 MiB parts,
uploaded in parallel straight to S3, interrupted (the process killed) after two parts, resumed
by running the same command again (only the missing parts are sent), verified; a key of
another account never reaches the game."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from parovoz_testing.platform import GATEWAY
from parovoz_testing.tokens import user_token

PORTAL = f"{GATEWAY}/api/v1/developer"
JOBS = "http://127.0.0.1:8081/internal/jobs"
MIB = 1024 * 1024
CLI = shutil.which("parovoz-upload", path=str(Path(sys.executable).parent)) or "parovoz-upload"


class Studio:
    """A developer account with a game and an API key, through the gateway."""

    def __init__(self) -> None:
        self.http = httpx.Client(timeout=120)
        self.headers = {"Authorization": f"Bearer {user_token(str(uuid.uuid4()))}"}
        account = self.post(
            "/accounts",
            {
                "type": "developerAccountCreation",
                "attributes": {
                    "company_name": "Студия Загрузчика",
                    "legal_entity_type": "llc",
                    "tax_id": "7707083893",
                    "contact_email": "cli@example.com",
                    "country_code": "RU",
                },
            },
        )
        assert account.status_code == 201, account.text
        game = self.post(
            "/games",
            {"type": "productCreation", "attributes": {"title": f"CLI {uuid.uuid4()}"}},
        )
        assert game.status_code == 201, game.text
        self.game_id = str(game.json()["data"]["id"])
        key = self.post("/api-keys", {"type": "apiKeyCreation", "attributes": {"name": "CI"}})
        assert key.status_code == 201, key.text
        self.api_key = str(key.json()["data"]["attributes"]["key"])

    def post(self, path: str, data: dict[str, Any]) -> httpx.Response:
        return self.http.post(f"{PORTAL}{path}", json={"data": data}, headers=self.headers)

    def get(self, path: str) -> dict[str, Any]:
        answer = self.http.get(f"{PORTAL}{path}", headers=self.headers)
        assert answer.status_code == 200, answer.text
        return dict(answer.json()["data"])


@pytest.fixture
def verifier() -> Iterator[None]:
    """Runs builds-verify every half second meanwhile (the service's own runner does it every
    few seconds; this keeps the test short)."""
    stop = threading.Event()
    admin = {"Authorization": f"Bearer {user_token(str(uuid.uuid4()), roles=('admin',))}"}

    def run() -> None:
        while not stop.wait(0.5):
            try:
                httpx.post(
                    f"{JOBS}/builds-verify/run",
                    params={"period": f"e2e-cli-{uuid.uuid4().hex}"},
                    headers=admin,
                    timeout=120,
                )
            except httpx.HTTPError:
                pass

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(timeout=130)


def cli(studio: Studio, version: str, build: Path, *extra: str) -> list[str]:
    return [
        CLI,
        studio.game_id,
        version,
        "--changelog-ru",
        "Исправлены ошибки загрузки.",
        "--build",
        f"windows_x64={build}",
        *extra,
    ]


def environment(api_key: str) -> dict[str, str]:
    return {
        **os.environ,
        "PAROVOZ_API_KEY": api_key,
        "PAROVOZ_API_URL": GATEWAY,
        "COLUMNS": "120",
    }


@pytest.fixture
def build_file(tmp_path: Path) -> Path:
    path = tmp_path / "mygame_windows_x64.zip"
    with path.open("wb") as file:
        for _ in range(200):
            file.write(os.urandom(MIB))
    return path


def test_help_is_there_for_a_studio() -> None:
    shown = subprocess.run([CLI, "--help"], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0
    for expected in ("PAROVOZ_API_KEY", "examples:", "--build", "resume", "exit codes:"):
        assert expected in shown.stdout


def test_a_200_mib_build_interrupted_after_two_parts_resumes_and_is_verified(
    tmp_path: Path, build_file: Path, verifier: None
) -> None:
    studio = Studio()
    work = tmp_path / "work"
    work.mkdir()
    command = cli(studio, "2.0.0", build_file)
    state_directory = work / ".parovoz-upload"

    # One part at a time, killed as soon as two parts are recorded as stored.
    first = subprocess.Popen(
        [*command, "--parallel", "1"],
        cwd=work,
        env=environment(studio.api_key),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 300
    done: list[int] = []
    while time.monotonic() < deadline and first.poll() is None:
        for state_file in state_directory.glob("*.json"):
            try:
                done = json.loads(state_file.read_text())["parts_done"]
            except (ValueError, KeyError, OSError):
                continue
        if len(done) >= 2:
            first.send_signal(signal.SIGKILL)
            break
        time.sleep(0.02)
    first.wait(timeout=60)
    assert first.returncode == -signal.SIGKILL, first.stderr.read() if first.stderr else ""
    (state_file,) = state_directory.glob("*.json")
    state = json.loads(state_file.read_text())
    assert state["upload_type"] == "multipart" and state["part_count"] == 4
    assert state["part_size"] == 64 * MIB

    stored = studio.get(
        f"/games/{studio.game_id}/versions/{state['version_id']}/builds/{state['build_id']}/parts"
    )["attributes"]["parts"]
    stored_before = {part["part_number"] for part in stored}
    assert len(stored_before) >= 2

    # The same command again: it resumes the same build with the missing parts only.
    second = subprocess.run(
        [*command, "--parallel", "4", "--wait-timeout", "180"],
        cwd=work,
        env=environment(studio.api_key),
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert second.returncode == 0, second.stderr + second.stdout
    assert f"resuming upload {state['build_id']}" in second.stderr
    assert f"{len(stored_before)} of 4 parts already stored" in second.stderr
    assert "windows_x64: verified" in second.stdout
    assert not list(state_directory.glob("*.json"))

    version = studio.get(f"/games/{studio.game_id}/versions/{state['version_id']}")
    assert version["attributes"]["status"] == "ready_for_review"
    (build,) = version["attributes"]["builds"]
    assert build["id"] == state["build_id"] and build["status"] == "verified"
    assert build["file_size_bytes"] == 200 * MIB


def test_a_key_of_another_account_never_reaches_the_game(tmp_path: Path) -> None:
    mine, theirs = Studio(), Studio()
    small = tmp_path / "small.zip"
    small.write_bytes(b"PK\x03\x04" + os.urandom(1024))
    refused = subprocess.run(
        cli(mine, "1.0.0", small),
        cwd=tmp_path,
        env=environment(theirs.api_key),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 3, refused.stderr
    assert "RESOURCE_NOT_FOUND" in refused.stderr
    versions = mine.http.get(f"{PORTAL}/games/{mine.game_id}/versions", headers=mine.headers)
    assert versions.json()["data"] == []


def test_a_file_changed_during_the_upload_fails_verification_with_the_reason(
    tmp_path: Path, verifier: None
) -> None:
    """The build system overwrites the file while it is uploaded: S3 stores other bytes than
    the SHA-256 the CLI declared, the portal's worker finds it, and the CLI says so (exit 1)."""
    studio = Studio()
    build = tmp_path / "changing.zip"
    with build.open("wb") as file:
        for _ in range(130):  # three parts of 64 MiB
            file.write(os.urandom(MIB))
    running = subprocess.Popen(
        [*cli(studio, "3.0.0", build), "--parallel", "1", "--wait-timeout", "180"],
        cwd=tmp_path,
        env=environment(studio.api_key),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Once the upload has begun (hash taken, state written), the last part is rewritten.
    deadline = time.monotonic() + 120
    while not list((tmp_path / ".parovoz-upload").glob("*.json")):
        assert time.monotonic() < deadline and running.poll() is None
        time.sleep(0.01)
    with build.open("r+b") as file:
        file.seek(129 * MIB)
        file.write(os.urandom(MIB))
    stdout, stderr = running.communicate(timeout=400)
    assert running.returncode == 1, stderr + stdout
    assert "windows_x64: failed (hash_mismatch" in stdout
    (version,) = [
        v
        for v in httpx.get(
            f"{PORTAL}/games/{studio.game_id}/versions", headers=studio.headers, timeout=60
        ).json()["data"]
    ]
    assert version["attributes"]["status"] == "failed_processing"
    assert version["attributes"]["status_reason"]
