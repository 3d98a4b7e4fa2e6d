"""Run test folders in parallel lanes: one pytest process per lane, each lane's folders in turn.

`make test-lanes` gives two lanes. Each service's tests share that service's database, Redis index
and moved clocks (a test may run a job over every due row), so a service's tests stay in ONE
lane, in their usual order; two services never share a database, so two lanes run two of them
side by side. The end-to-end suite (one running platform) runs after the lanes, alone.

    python deploy/local/test_lanes.py "services/payment/tests libs/*/tests" \
        "services/*/tests !services/payment/tests"

Each lane's output goes to ``.run/test-lanes/<n>.log`` and is printed whole when the lane ends
(lanes do not interleave lines); the exit code is the first failing lane's, else 0.
"""

from __future__ import annotations

import glob
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOGS = ROOT / ".run" / "test-lanes"


def _folders(lane: str) -> list[str]:
    """The existing folders a lane's space-separated patterns name (``libs/*/tests``), less
    those of its ``!pattern``s (``services/*/tests !services/payment/tests``)."""
    found: list[str] = []
    left_out: set[str] = set()
    for pattern in lane.split():
        if pattern.startswith("!"):
            left_out.update(glob.glob(pattern[1:], root_dir=ROOT))
        else:
            found.extend(sorted(glob.glob(pattern, root_dir=ROOT)))
    return [folder for folder in found if folder not in left_out]


def main(lanes: list[str]) -> int:
    LOGS.mkdir(parents=True, exist_ok=True)
    running: list[tuple[int, list[str], subprocess.Popen[bytes], Path, float]] = []
    for number, lane in enumerate(lanes, start=1):
        folders = _folders(lane)
        if not folders:
            continue
        log = LOGS / f"{number}.log"
        command = [sys.executable, "-m", "pytest", *folders]
        process = subprocess.Popen(
            command, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT
        )
        running.append((number, folders, process, log, time.monotonic()))
        print(f"lane {number}: {' '.join(folders)}", flush=True)
    verdict = 0
    pending = list(running)
    while pending:
        for entry in list(pending):
            number, folders, process, log, started = entry
            if process.poll() is None:
                continue
            pending.remove(entry)
            seconds = time.monotonic() - started
            print(
                f"\n===== lane {number} ({' '.join(folders)}): exit {process.returncode} "
                f"in {seconds:.0f} s =====",
                flush=True,
            )
            sys.stdout.write(log.read_text(errors="replace"))
            sys.stdout.flush()
            if process.returncode and not verdict:
                verdict = process.returncode
        time.sleep(0.5)
    return verdict


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
