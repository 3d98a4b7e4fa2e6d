"""developer-portal's game routes under load, each against GET /health at the same concurrency.

    .venv/bin/python bench/game_routes.py [--quick] [--strict] [--clients 16] [--seconds 10]
                                          [--rounds 3] [--base http://127.0.0.1:8080/api/v1/developer]

Through the gateway (nginx on 8080), ``--clients`` connections kept busy (closed loop) for
``--seconds`` on each of: ``GET /health`` (the floor: no auth, no database), ``GET /games/{id}``,
``GET /games`` (the first page of the account's games) and ``PUT /games/{id}/metadata/ru-RU``
(the OpenAPI example body of the route, so the bench follows its contract). The account, its
games (one per client, requests cycle through them) and a user token are made through the REST
API first. Figures per route: requests/s, p50 and p99 latency, answers that were not 2xx, and
ratio = route requests/s / health requests/s of the same round (goal >= 0.3). With ``--rounds``
> 1, the median ratio. The load generator is ``wrk`` when installed, else a lean asyncio client
(the output says which).

Beside each rate, the serving process's own CPU time per request (from ``/proc``) and
cpu_ratio = health's / the route's: a figure the rest of the machine's load hardly moves (the
rates do), though any other traffic the service serves meanwhile counts in it. ``--side`` runs
the same against a side instance (``bench/side_portal.py``: the checkout's code, REST only, no
gateway, no other traffic), recorded under its own key: the cleanest CPU figures.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
from collections.abc import Iterable
from typing import Any

import httpx
import loadgen
from benchlib import (
    GATEWAY,
    PREFIX,
    SidePortal,
    cpu_seconds,
    draft_games,
    open_developer,
    print_table,
    record,
    service_pid,
    verdict,
)
from loadgen import Load, Request

GOAL = 0.3
LOCALE = "ru-RU"
SIDE_PORT = 18182
#: The route's example at the time of writing; the service's OpenAPI example wins when present.
METADATA_BODY: dict[str, Any] = {
    "data": {
        "type": "gameMetadata",
        "attributes": {
            "title": "Замер скорости",
            "short_description": "Поезда, тайга и загадки.",
            "full_description": "Долгое описание для страницы игры.",
            "tags": ["Приключения", "Одиночная игра"],
            "genres": ["Adventure"],
            "system_requirements": {
                "windows_x64": {
                    "minimum": "Windows 10, 8 ГБ ОЗУ, GTX 1060",
                    "recommended": "Windows 11, 16 ГБ ОЗУ, RTX 3060",
                }
            },
        },
    }
}


def _metadata_body(http: httpx.Client, base: str) -> dict[str, Any]:
    try:
        spec = http.get(f"{base}/openapi.json").json()
        operation = spec["paths"][f"{PREFIX}/games/{{game_id}}/metadata/{{language_code}}"]["put"]
        content = operation["requestBody"]["content"]["application/json"]
        schema = content.get("schema", {})
        if "$ref" in schema:
            schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        examples = content.get("example") or (schema.get("examples") or [None])[0]
        if isinstance(examples, dict) and "data" in examples:
            return examples
    except (KeyError, IndexError, TypeError, ValueError, httpx.HTTPError):
        pass
    return METADATA_BODY


def _targets(base: str, clients: int) -> tuple[dict[str, list[Request]], dict[str, str]]:
    """The requests of each target, and the routes that could not be set up (name -> why)."""
    missing: dict[str, str] = {}
    with httpx.Client(timeout=30) as http:
        developer = open_developer(http, base)
        games = draft_games(http, developer, max(clients, 1))
        auth = {"Authorization": f"Bearer {developer.token}"}
        body = json.dumps(_metadata_body(http, base), ensure_ascii=False).encode()
        metadata_headers = {**auth, "Content-Type": "application/json"}
        for game in games:  # each game gets its metadata once, so GETs read a full game
            answer = http.put(
                f"{base}/games/{game}/metadata/{LOCALE}", content=body, headers=metadata_headers
            )
            if answer.status_code >= 300:
                missing["put_metadata"] = f"{answer.status_code}: {answer.text[:300]}"
                break
        listing = http.get(f"{base}/games", headers=auth)
        if listing.status_code != 200:
            missing["list_games"] = f"{listing.status_code}: {listing.text[:300]}"
    targets = {
        "health": [Request("GET", "/health", {})],
        "get_game": [Request("GET", f"/games/{game}", auth) for game in games],
        "list_games": [Request("GET", "/games", auth)],
        "put_metadata": [
            Request("PUT", f"/games/{game}/metadata/{LOCALE}", metadata_headers, body)
            for game in games
        ],
    }
    return targets, missing


def _summed(counts: Iterable[dict[str, int]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for count in counts:
        for status, number in count.items():
            total[status] = total.get(status, 0) + number
    return total


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="3 s per target, one round")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a ratio misses")
    parser.add_argument("--clients", type=int, default=16, help="concurrent connections")
    parser.add_argument("--seconds", type=float, default=None, help="per target (default 10)")
    parser.add_argument("--rounds", type=int, default=None, help="default 3 (quick: 1)")
    parser.add_argument("--base", default=f"{GATEWAY}{PREFIX}", help="developer-portal base URL")
    parser.add_argument(
        "--side",
        action="store_true",
        help="straight to a side instance of developer-portal (bench/side_portal.py: REST only, "
        "no other traffic) instead of the running service through the gateway",
    )
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        if args.side:
            side = stack.enter_context(SidePortal(SIDE_PORT, {}))
            base, pid, via = side.base, side.pid, "side instance, no gateway"
        else:
            base, pid, via = args.base.rstrip("/"), service_pid(), "gateway"
        _measure(args, base, pid, via)


def _measure(args: argparse.Namespace, base: str, pid: int | None, via: str) -> None:
    seconds = args.seconds or (3.0 if args.quick else 10.0)
    rounds = args.rounds or (1 if args.quick else 3)
    generator = loadgen.generator_name()
    print(
        f"game routes: {args.clients} clients, {seconds:g} s per target, {rounds} round(s), "
        f"load generator: {generator}, via {base} ({via})"
    )

    targets, missing = _targets(base, args.clients)
    for name, why in missing.items():
        print(f"  {name}: not measured, the route is not usable yet ({why})")
    loads: dict[str, list[Load]] = {name: [] for name in targets if name not in missing}
    ratios: dict[str, list[float]] = {name: [] for name in loads if name != "health"}
    cpu: dict[str, list[float]] = {name: [] for name in loads}
    for number in range(rounds):
        floor = None
        for name in loads:
            loadgen.run(base, targets[name], args.clients, 1)  # warm-up, not counted
            before = cpu_seconds(pid)
            load = loadgen.run(base, targets[name], args.clients, seconds)
            after = cpu_seconds(pid)
            if before is not None and after is not None and load.requests:
                cpu[name].append((after - before) * 1e3 / load.requests)
            loads[name].append(load)
            if name == "health":
                floor = load
            elif floor is not None and floor.rps:
                ratios[name].append(load.rps / floor.rps)
            print(
                f"  round {number + 1} {name:13} {load.rps:8.1f} req/s  p50 {load.p50_ms:7.2f} ms"
                f"  p99 {load.p99_ms:7.2f} ms  not 2xx {load.failed}"
                + (f"  service cpu {cpu[name][-1]:.2f} ms/req" if len(cpu[name]) > number else "")
                + (f" (by status: {load.statuses})" if load.failed else "")
            )

    figures: dict[str, Any] = {
        "load_generator": generator,
        "clients": args.clients,
        "seconds_per_target": seconds,
        "rounds": rounds,
        "via": f"{base} ({via})",
        "floor": f"GET /health via the same path ({via}) at the same concurrency (same round)",
        "service_cpu": (
            "CPU ms per request of the serving process (/proc), median of rounds; cpu_ratio = "
            "health's / the route's: hardly moved by other load on the machine, but any other "
            "traffic that process serves meanwhile counts too (none on a side instance)"
        ),
        "goal": GOAL,
        "quick": args.quick,
        "routes": {},
        "not_measured": missing,
    }
    rows = []
    failed_goal = False
    for name, measured in loads.items():
        ratio = round(statistics.median(ratios[name]), 3) if ratios.get(name) else None
        entry = {
            "rps": round(statistics.median(x.rps for x in measured), 1),
            "p50_ms": round(statistics.median(x.p50_ms for x in measured), 2),
            "p99_ms": round(statistics.median(x.p99_ms for x in measured), 2),
            "not_2xx": sum(x.failed for x in measured),
            "requests": sum(x.requests for x in measured),
            "statuses": _summed(x.statuses for x in measured),
            "service_cpu_ms": round(statistics.median(cpu[name]), 3) if cpu[name] else None,
        }
        health_cpu = statistics.median(cpu["health"]) if cpu.get("health") else None
        if name != "health":
            entry |= {
                "cpu_ratio": round(health_cpu / entry["service_cpu_ms"], 3)
                if health_cpu and entry["service_cpu_ms"]
                else None,
                "ratio": ratio,
                "ratios": [round(r, 3) for r in ratios[name]],
                "verdict": verdict(ratio, GOAL),
            }
            failed_goal |= entry["verdict"] == "FAIL" or entry["not_2xx"] > 0
        figures["routes"][name] = entry
        rows.append(
            [
                name,
                entry["rps"],
                entry["p50_ms"],
                entry["p99_ms"],
                entry["not_2xx"],
                entry["service_cpu_ms"],
                entry.get("cpu_ratio"),
                entry.get("ratio"),
                f">= {GOAL}" if name != "health" else "floor",
                entry.get("verdict", ""),
            ]
        )
    key = "developer_portal_game_routes" + ("_side" if via.startswith("side") else "")
    path = record(key, figures)
    print_table(
        [
            "route",
            "req/s",
            "p50 ms",
            "p99 ms",
            "not 2xx",
            "cpu ms/req",
            "cpu ratio",
            "ratio",
            "goal",
            "",
        ],
        rows,
    )
    print(f"load generator: {generator}; written to {path}")
    if args.strict and (failed_goal or missing):
        sys.exit(1)


if __name__ == "__main__":
    main()
