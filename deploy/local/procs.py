"""Local processes of the dev platform: pid files, logs, start/stop, health waits.

Every part runs as its own session (start_new_session) so it outlives the script that started it
and can be stopped as one process group. State lives under `.run/` (git-ignored); directories
that a dropped-privilege process (postgres, nginx workers) must reach live under a per-clone
folder in /var/tmp, because the clone may sit under a private home such as /root.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RUN = REPO / ".run"
PIDS = RUN / "pids"
LOGS = RUN / "logs"
VENV_BIN = REPO / ".venv" / "bin"
IS_ROOT = os.geteuid() == 0
LOG_TAIL_LINES = 40
STOP_GRACE_SECONDS = 10.0


class PlatformError(RuntimeError):
    """A part could not be brought to the wanted state; the message says what and where."""


def state_dir() -> Path:
    """Per-clone folder reachable by every user (/var/tmp/parovoz-<hash of the repo path>)."""
    digest = hashlib.sha1(str(REPO).encode(), usedforsecurity=False).hexdigest()[:10]
    path = Path("/var/tmp") / f"parovoz-{digest}"  # noqa: S108 - ownership checked below
    path.mkdir(mode=0o755, exist_ok=True)
    # /var/tmp is shared: refuse a folder someone else made or can write to.
    info = path.lstat()
    if (
        not path.is_dir()
        or path.is_symlink()
        or info.st_uid != os.geteuid()
        or info.st_mode & 0o022
    ):
        raise PlatformError(f"{path} is not a private folder of this user; remove it and retry")
    return path


def ensure_run_dirs() -> None:
    for path in (RUN, PIDS, LOGS):
        path.mkdir(parents=True, exist_ok=True)


def log_path(name: str) -> Path:
    return LOGS / f"{name}.log"


def pid_path(name: str) -> Path:
    return PIDS / f"{name}.pid"


def _is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by another user
        pass
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def running_pid(name: str) -> int | None:
    """The pid recorded for `name` if that process still runs (and is still our session leader,
    which guards against a recycled pid)."""
    try:
        pid = int(pid_path(name).read_text().strip())
    except (OSError, ValueError):
        return None
    if not _is_alive(pid):
        return None
    try:
        if os.getsid(pid) != pid:
            return None
    except OSError:
        return None
    return pid


def started_at(pid: int) -> float | None:
    """Wall-clock start time of a process (from /proc), or None if unknown."""
    try:
        ticks = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
        boot = next(
            int(line.split()[1])
            for line in Path("/proc/stat").read_text().splitlines()
            if line.startswith("btime ")
        )
    except (OSError, IndexError, ValueError, StopIteration):
        return None
    return boot + ticks / os.sysconf("SC_CLK_TCK")


def newest_mtime(folders: list[Path]) -> float:
    newest = 0.0
    for folder in folders:
        for path in folder.rglob("*.py"):
            newest = max(newest, path.stat().st_mtime)
    return newest


def recorded_names() -> list[str]:
    if not PIDS.is_dir():
        return []
    return sorted(p.stem for p in PIDS.glob("*.pid"))


def as_user(user: str | None, env: dict[str, str] | None = None) -> dict:
    """Popen arguments that run a child as `user` with that user's own group and home, none of
    ours (only meaningful as root; None keeps the current user)."""
    if user is None:
        return {"env": env}
    info = pwd.getpwnam(user)
    child_env = dict(os.environ if env is None else env, HOME=info.pw_dir, USER=user, LOGNAME=user)
    return {
        "user": info.pw_uid,
        "group": info.pw_gid,
        "extra_groups": [],
        "env": child_env,
    }


def start(
    name: str,
    argv: list[str],
    *,
    cwd: Path,
    env: dict[str, str] | None = None,
    user: str | None = None,
) -> subprocess.Popen[bytes]:
    """Start `argv` detached, output appended to .run/logs/<name>.log, pid in .run/pids."""
    with log_path(name).open("ab") as log:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        log.write(f"\n=== {stamp} starting {name}: {' '.join(argv)}\n".encode())
        log.flush()
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **as_user(user, env),
        )
    pid_path(name).write_text(f"{proc.pid}\n")
    return proc


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A group whose only members are zombies awaiting their parent counts as gone.
    return _is_alive(pgid) or _any_live_member(pgid)


def _any_live_member(pgid: int) -> bool:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def wait_group_gone(pgid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _group_alive(pgid):
            return True
        time.sleep(0.1)
    return not _group_alive(pgid)


def stop_group(name: str, pgid: int, *, already_asked: bool = False) -> None:
    """SIGTERM the whole process group (unless a polite stop was already asked), then SIGKILL
    whatever is still there after the grace period."""
    if not already_asked:
        try:
            os.killpg(pgid, signal.SIGTERM)
        except ProcessLookupError:
            return
    if wait_group_gone(pgid, STOP_GRACE_SECONDS):
        return
    print(f"  {name}: still running after {STOP_GRACE_SECONDS:.0f}s, sending SIGKILL")
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        return
    if not wait_group_gone(pgid, 5):
        raise PlatformError(f"{name}: process group {pgid} survived SIGKILL")


def forget(name: str) -> None:
    pid_path(name).unlink(missing_ok=True)


def log_tail(name: str, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = log_path(name).read_text(errors="replace")
    except OSError:
        return f"(no log at {log_path(name)})"
    return "\n".join(text.splitlines()[-lines:])


def fail_with_log(name: str, why: str) -> PlatformError:
    return PlatformError(
        f"{name}: {why}\n--- last lines of {log_path(name)} ---\n{log_tail(name)}\n---"
    )


def port_open(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


# Local URLs must never go through a proxy configured in the environment.
_NO_PROXY_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_status(url: str, timeout: float = 2.0) -> int | None:
    try:
        with _NO_PROXY_OPENER.open(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (OSError, ValueError):
        return None


def wait_healthy(
    name: str,
    check: Callable[[], bool],
    *,
    timeout: float,
    proc: subprocess.Popen[bytes] | None = None,
) -> float:
    """Poll `check` until it holds; fail early if the process we just started died."""
    began = time.monotonic()
    while True:
        try:
            if check():
                return time.monotonic() - began
        except Exception as error:  # a probe that raises is "not yet"
            last_error = error
        else:
            last_error = None
        if proc is not None and proc.poll() is not None:
            forget(name)
            raise fail_with_log(name, f"exited with code {proc.returncode} while starting")
        if time.monotonic() - began > timeout:
            detail = f" (last probe error: {last_error})" if last_error else ""
            raise fail_with_log(name, f"not healthy after {timeout:.0f}s{detail}")
        time.sleep(0.2)


def say(message: str) -> None:
    print(message, flush=True)


def warn(message: str) -> None:
    print(f"WARNING: {message}", file=sys.stderr, flush=True)
