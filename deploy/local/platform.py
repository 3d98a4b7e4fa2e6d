"""The local Parovoz platform as plain processes: engines, migrate, up, restart, down, status.

Run with the workspace interpreter: `.venv/bin/python deploy/local/platform.py up`.
`up` is idempotent: a part whose pid file is alive, or whose port already answers, is left as it
is (the memory-only broker is never restarted). `down` stops exactly what the pid files name.
State: .run/pids/<part>.pid, .run/logs/<part>.log, .run/postgres -> the cluster in /var/tmp.
"""

import sys
from pathlib import Path

# This file shares its name with the stdlib `platform` module and Python puts its folder first on
# sys.path: import the real `platform` before that folder is searchable, so libraries that import
# it (minio does) get the stdlib one and not this script.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]
import platform  # noqa: E402, F401

sys.path.insert(0, str(_HERE))

import argparse  # noqa: E402
import time  # noqa: E402

from apps import gateway_parts, migrate_all, service_parts, standin_parts  # noqa: E402
from engines import engine_parts  # noqa: E402
from parts import Part  # noqa: E402
from procs import (  # noqa: E402
    PlatformError,
    ensure_run_dirs,
    forget,
    newest_mtime,
    pid_path,
    port_open,
    recorded_names,
    running_pid,
    say,
    start,
    started_at,
    stop_group,
    wait_healthy,
    warn,
)


def bring_up(parts: list[Part]) -> None:
    """Start what is not running yet (all at once), then wait for every part to be healthy."""
    started = {}
    for part in parts:
        pid = running_pid(part.name)
        if pid is not None:
            say(f"{part.name:<24} already running (pid {pid})")
            began = started_at(pid)
            if began is not None and part.sources() and newest_mtime(part.sources()) > began:
                warn(f"{part.name} runs code older than its sources: `make restart` to reload")
            continue
        if port_open(part.port):
            say(f"{part.name:<24} port {part.port} already answers (not started here): left alone")
            continue
        part.prepare()
        launch = part.launch()
        proc = start(part.name, launch.argv, cwd=launch.cwd, env=launch.env, user=launch.user)
        started[part.name] = proc
        say(f"{part.name:<24} started (pid {proc.pid})")
    failures = []
    for part in parts:
        try:
            took = wait_healthy(
                part.name, part.healthy, timeout=part.start_timeout, proc=started.get(part.name)
            )
            part.after_healthy(part.name in started)
        except PlatformError as error:  # report every part of the group that failed, not the first
            failures.append(str(error))
            continue
        say(f"{part.name:<24} healthy ({took:.1f}s)")
    if failures:
        raise PlatformError("\n\n".join(failures))


def all_parts(announce: bool) -> list[Part]:
    return [
        *engine_parts(),
        *service_parts(announce),
        *standin_parts(announce),
        *gateway_parts(announce),
    ]


def print_table(parts: list[Part]) -> None:
    rows = [("part", "state", "pid", "where")]
    for part in parts:
        pid = running_pid(part.name)
        answering = port_open(part.port)
        if pid is not None:
            state = "up" if answering else "starting?"
        else:
            state = "up (not ours)" if answering else "down"
        rows.append((part.name, state, str(pid or "-"), part.where))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        say("  ".join([*cells, row[3]]))


def cmd_engines() -> None:
    bring_up(engine_parts())
    print_table(engine_parts())


def cmd_migrate() -> None:
    bring_up(engine_parts())
    migrate_all()


def cmd_up() -> None:
    bring_up(engine_parts())
    migrate_all()
    for group in (service_parts(True), standin_parts(True), gateway_parts(True)):
        if group:
            bring_up(group)
    say("")
    print_table(all_parts(announce=False))
    if gateway_parts(announce=False):
        say("\nTry: curl http://127.0.0.1:8080/api/v1/payments/health")


def cmd_restart() -> None:
    """Restart our own processes (services, stand-ins, gateway) on the current code; the engines
    keep running (the broker holds its data in memory only)."""
    stop_parts([*service_parts(False), *standin_parts(False), *gateway_parts(False)], [])
    cmd_up()


def cmd_down() -> None:
    parts = all_parts(announce=False)
    # Then anything else a pid file names (e.g. a removed stand-in).
    known = {part.name for part in parts}
    stop_parts(parts, [name for name in recorded_names() if name not in known])


def stop_parts(parts: list[Part], others: list[str]) -> None:
    known = {part.name: part for part in parts}
    order = [part.name for part in reversed(parts)] + others  # reverse start order
    for name in order:
        if not pid_path(name).exists():
            continue
        pid = running_pid(name)
        if pid is None:
            say(f"{name:<24} not running (stale pid file removed)")
        else:
            began = time.monotonic()
            if name in known:
                known[name].stop(pid)
            else:
                stop_group(name, pid)
            say(f"{name:<24} stopped (pid {pid}, {time.monotonic() - began:.1f}s)")
        forget(name)


def cmd_status() -> None:
    print_table(all_parts(announce=False))


COMMANDS = {
    "engines": cmd_engines,
    "migrate": cmd_migrate,
    "up": cmd_up,
    "restart": cmd_restart,
    "down": cmd_down,
    "status": cmd_status,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=COMMANDS)
    args = parser.parse_args()
    ensure_run_dirs()
    began = time.monotonic()
    try:
        COMMANDS[args.command]()
    except PlatformError as error:
        print(f"\nFAILED: {error}", file=sys.stderr)
        return 1
    if args.command in ("engines", "migrate", "up", "restart"):
        say(f"\n{args.command} done in {time.monotonic() - began:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
