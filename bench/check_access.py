"""subscription's CheckAccess (the hot path) under load, each beside its floor in the same run.

    .venv/bin/python bench/check_access.py [--quick] [--strict] [--concurrency 32]
                                           [--seconds 10] [--rounds 3] [--clients 16]
                                           [--target 127.0.0.1:9093]

(a) gRPC: ``SubscriptionService.CheckAccess`` on the running subscription (``--target``, with a
service token of an allowed caller, the launcher) against a bare ``grpc.aio`` servicer of the
same RPC that answers at once (no auth, no database, no cache), started by this bench in a
separate process on loopback. The same asyncio client, the same ``--concurrency`` calls in
flight (closed loop) for ``--seconds``, alternating echo / CheckAccess in each round. Figures:
calls/s, p50 and p99 latency, answers that were not OK; ratio = CheckAccess calls/s / echo
calls/s of the same round (goal >= 0.5) and p99 ratio = CheckAccess p99 / echo p99 (goal <= 2);
with ``--rounds`` > 1, the medians.
(b) REST: ``GET /api/v1/subscriptions/access?game_id=&device_id=`` (a user token) through the
gateway against ``GET /api/v1/subscriptions/health`` through the gateway, ``--clients``
connections (``wrk`` when installed, else the lean asyncio client of ``loadgen``); ratio printed.

Set up first, through the services' APIs: a player in the user stand-in, a game drafted and
rated at developer-portal and published (its ``developer.game.published.v1`` produced as
developer-portal's relay would, as tests-e2e's ``publish_game`` does), a plan with the game in
its catalog (admin API), and the player's subscription (a trial). A probe call says whether
access is allowed; every step that could not be done is printed and recorded. Figures are
merged into ``bench/results/latest.json`` under ``subscription_check_access``; ``--strict``
exits 1 when a goal is missed, a call failed, or access was not allowed.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import math
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import httpx
import loadgen
from benchlib import (
    AUTH,
    GATEWAY,
    REPO,
    cpu_seconds,
    expect,
    print_table,
    record,
    service_pid,
    verdict,
)
from loadgen import Load, Request

THROUGHPUT_GOAL = 0.5
P99_GOAL = 2.0
SUBSCRIPTIONS = f"{GATEWAY}/api/v1/subscriptions"
DEVELOPER = f"{GATEWAY}/api/v1/developer"
USERS = os.environ.get("PAROVOZ_USERS", "http://127.0.0.1:8092/users")
BROKER = os.environ.get("PAROVOZ_BROKER", "127.0.0.1:59092")
DATABASE = os.environ.get(
    "SUBSCRIPTION_DATABASE_URL",
    "postgresql://subscription:subscription-dev-password@127.0.0.1:55432/subscription",
).replace("postgresql+psycopg://", "postgresql://")
CALLER = "launcher"  # an allowed caller of CheckAccess (subscription's grpc/callers.py)
DEVICE = "bench-device-1"
KEY = "subscription_check_access"


# --- tokens ------------------------------------------------------------------------------------


def user_token(user_id: str, roles: Sequence[str] = ()) -> str:
    response = httpx.post(
        f"{AUTH}/tokens", json={"sub": user_id, "roles": list(roles), "ttl_seconds": 3600}
    )
    if response.status_code != 200:
        response = httpx.post(f"{AUTH}/tokens", json={"sub": user_id, "roles": list(roles)})
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


def service_token(name: str) -> str:
    response = httpx.post(
        f"{AUTH}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": name,
            "client_secret": f"{name}-dev-secret",
        },
    )
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


# --- the data a check needs -------------------------------------------------------------------


@dataclass
class Setup:
    user_id: str
    user_token: str
    game_id: str = ""
    plan_id: str = ""
    subscription_id: str = ""
    steps: dict[str, str] = field(default_factory=dict)  # step -> how it was done / why not


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _player(setup: Setup) -> None:
    body = {"birth_date": "1990-01-01", "region": "RU", "purchases_count": 1}
    expect(httpx.put(f"{USERS}/{setup.user_id}", json=body), 200, 201)
    setup.steps["player"] = "user stand-in PUT /users/{id} (RU, born 1990)"


def _game(http: httpx.Client, setup: Setup) -> str:
    """A game drafted and rated at developer-portal; its developer's id."""
    owner = str(uuid.uuid4())
    headers = _bearer(user_token(owner))
    account = expect(
        http.post(
            f"{DEVELOPER}/accounts",
            headers=headers,
            json={
                "data": {
                    "type": "developerAccountCreation",
                    "attributes": {
                        "company_name": "Студия замеров доступа",
                        "legal_entity_type": "sole_proprietor",
                        "tax_id": "500100732259",
                        "contact_email": "bench@example.com",
                        "country_code": "RU",
                    },
                }
            },
        ),
        201,
    )
    game = expect(
        http.post(
            f"{DEVELOPER}/games",
            headers=headers,
            json={
                "data": {
                    "type": "productCreation",
                    "attributes": {"title": f"Замер доступа {uuid.uuid4().hex[:8]}"},
                }
            },
        ),
        201,
    )
    setup.game_id = game["data"]["id"]
    release = (date.today() - timedelta(days=400)).isoformat()
    expect(
        http.patch(
            f"{DEVELOPER}/games/{setup.game_id}",
            headers=headers,
            json={
                "data": {
                    "type": "game",
                    "attributes": {"age_rating": "12+", "regions": ["RU"], "release_date": release},
                }
            },
        ),
        200,
    )
    setup.steps["game"] = "developer-portal REST: account, game, PATCH age rating 12+, RU"
    developer_id: str = account["data"]["id"]
    return developer_id


def _published_row(game_id: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(DATABASE, connect_timeout=5) as connection:
            row = connection.execute(
                "SELECT published FROM access_games WHERE game_id = %s", (game_id,)
            ).fetchone()
    except psycopg.Error:
        return False
    return bool(row and row[0])


def _publish(setup: Setup, developer_id: str) -> None:
    """developer.game.published.v1 as developer-portal's relay would produce it (its
    publication needs a reviewed version and builds); then subscription's read model."""
    from confluent_kafka import Producer
    from parovoz_events.developer import GamePublished
    from parovoz_kit.events import Event

    now = datetime.now(UTC)
    event = Event.from_data(
        GamePublished(
            developer_id=uuid.UUID(developer_id),
            game_id=uuid.UUID(setup.game_id),
            version_id=uuid.uuid4(),
            published_at=now,
            published_by_user_id=None,
            first_published_at=now,
        ),
        source="/parovoz/developer-portal",
    ).to_kafka()
    producer = Producer({"bootstrap.servers": BROKER, "enable.idempotence": True})
    producer.produce(
        "developer.events.v1", key=event.key, value=event.value, headers=event.header_list()
    )
    if producer.flush(10) != 0:
        setup.steps["published"] = "NOT DONE: the broker did not take the event"
        return
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if _published_row(setup.game_id):
            setup.steps["published"] = "developer.game.published.v1 -> subscription's consumer"
            return
        time.sleep(0.3)
    setup.steps["published"] = "NOT SEEN: subscription's games read model did not show it in 30 s"


def _plan(http: httpx.Client, setup: Setup) -> None:
    admin = _bearer(user_token(str(uuid.uuid4()), ["admin"]))
    answer = http.post(
        f"{SUBSCRIPTIONS}/plans",
        headers=admin,
        json={
            "data": {
                "type": "planCreation",
                "attributes": {
                    "name": f"Замер {uuid.uuid4().hex[:8]}",
                    "description": "План для замера CheckAccess.",
                    "plan_type": "premium",
                    "features": [],
                    "trial_days": 14,
                    "max_devices": 3,
                    "new_releases": False,
                    "available_regions": ["RU"],
                    "prices": [
                        {
                            "region": "RU",
                            "billing_period": "monthly",
                            "amount_minor": 39900,
                            "currency": "RUB",
                        }
                    ],
                },
            }
        },
    )
    if answer.status_code != 201:
        setup.steps["plan"] = f"NOT DONE: POST /plans {answer.status_code} {answer.text[:200]}"
        return
    setup.plan_id = answer.json()["data"]["id"]
    entry = http.put(
        f"{SUBSCRIPTIONS}/plans/{setup.plan_id}/catalog/{setup.game_id}",
        headers=admin,
        json={"data": {"type": "planCatalogEntry", "attributes": {"mode": "included"}}},
    )
    if entry.status_code >= 300:
        setup.steps["plan"] = (
            f"plan made, game NOT in its catalog: PUT catalog {entry.status_code} "
            f"{entry.text[:200]}"
        )
        return
    setup.steps["plan"] = "admin REST: POST /plans (premium, 14-day trial), PUT catalog (included)"


def _subscription(http: httpx.Client, setup: Setup) -> None:
    if not setup.plan_id:
        setup.steps["subscription"] = "NOT DONE: no plan"
        return
    answer = http.post(
        SUBSCRIPTIONS,
        headers={**_bearer(setup.user_token), "Idempotency-Key": str(uuid.uuid4())},
        json={
            "data": {
                "type": "subscriptionCreation",
                "attributes": {
                    "plan_id": setup.plan_id,
                    "billing_period": "monthly",
                    "region": "RU",
                    "time_zone": "Europe/Moscow",
                    "return_url": "https://parovoz.example/subscriptions/done",
                },
            }
        },
    )
    if answer.status_code not in (200, 201):
        setup.steps["subscription"] = f"NOT DONE: POST / {answer.status_code} {answer.text[:200]}"
        return
    data = answer.json()["data"]
    setup.subscription_id = data["id"]
    status = data.get("attributes", {}).get("status")
    setup.steps["subscription"] = f"user REST: POST / (Idempotency-Key) -> {status}"


def set_up() -> Setup:
    user_id = str(uuid.uuid4())
    setup = Setup(user_id=user_id, user_token=user_token(user_id))
    with httpx.Client(timeout=30) as http:
        _player(setup)
        developer_id = _game(http, setup)
        _publish(setup, developer_id)
        _plan(http, setup)
        _subscription(http, setup)
    return setup


# --- the echo servicer (a separate process) ---------------------------------------------------


def serve_echo(port: int) -> None:
    """A bare grpc.aio server of SubscriptionService whose CheckAccess answers at once."""
    from parovoz.subscription.v1 import subscription_service_pb2 as pb
    from parovoz.subscription.v1 import subscription_service_pb2_grpc as pb_grpc

    class Echo(pb_grpc.SubscriptionServiceServicer):
        async def CheckAccess(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
            return pb.CheckAccessResponse(allowed=True, reason=pb.ACCESS_REASON_GRANTED)

    async def run() -> None:
        server = grpc.aio.server()
        pb_grpc.add_SubscriptionServiceServicer_to_server(Echo(), server)
        server.add_insecure_port(f"127.0.0.1:{port}")
        await server.start()
        await server.wait_for_termination()

    asyncio.run(run())


class EchoServer:
    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.target = f"127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> EchoServer:
        self._process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--serve-echo", str(self.port)],
            cwd=REPO,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with grpc.insecure_channel(self.target) as channel:
                try:
                    grpc.channel_ready_future(channel).result(timeout=1)
                    return self
                except grpc.FutureTimeoutError:
                    pass
            if self._process.poll() is not None:
                break
        self.__exit__()
        sys.exit("the echo servicer did not start")

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def __exit__(self, *_: object) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()


# --- the gRPC load -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Calls:
    calls: int
    seconds: float
    p50_ms: float
    p99_ms: float
    failed: int
    codes: dict[str, int]
    #: CPU ms per call of the serving process (``/proc``), when known.
    cpu_ms: float | None = None

    @property
    def rate(self) -> float:
        return self.calls / self.seconds if self.seconds else 0.0


async def _grpc_load(
    target: str, request: Any, token: str, concurrency: int, seconds: float
) -> Calls:
    """``concurrency`` calls in flight on one channel for ``seconds`` (closed loop)."""
    from parovoz.subscription.v1 import subscription_service_pb2_grpc as pb_grpc

    metadata = (("authorization", f"Bearer {token}"),)
    latencies: list[float] = []
    codes: dict[str, int] = {}
    async with grpc.aio.insecure_channel(target) as channel:
        stub = pb_grpc.SubscriptionServiceStub(channel)
        started = time.perf_counter()
        stop_at = started + seconds

        async def worker() -> None:
            while time.perf_counter() < stop_at:
                sent = time.perf_counter()
                try:
                    await stub.CheckAccess(request, metadata=metadata, timeout=10)
                    code = "OK"
                except grpc.aio.AioRpcError as error:
                    code = error.code().name
                latencies.append(time.perf_counter() - sent)
                codes[code] = codes.get(code, 0) + 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()

    def percentile(share: float) -> float:
        if not latencies:
            return math.nan
        return latencies[min(len(latencies) - 1, int(share * len(latencies)))] * 1e3

    failed = sum(count for code, count in codes.items() if code != "OK")
    return Calls(len(latencies), elapsed, percentile(0.5), percentile(0.99), failed, codes)


def grpc_load(
    target: str,
    request: Any,
    token: str,
    concurrency: int,
    seconds: float,
    pid: int | None = None,
) -> Calls:
    """The load, and the CPU time the serving process ``pid`` spent per call meanwhile."""
    before = cpu_seconds(pid)
    calls = asyncio.run(_grpc_load(target, request, token, concurrency, seconds))
    after = cpu_seconds(pid)
    if before is None or after is None or not calls.calls:
        return calls
    return dataclasses.replace(calls, cpu_ms=(after - before) * 1e3 / calls.calls)


def probe(target: str, request: Any, token: str) -> dict[str, Any]:
    """One CheckAccess: what the service answers for the bench's player."""
    from parovoz.subscription.v1 import subscription_service_pb2 as pb
    from parovoz.subscription.v1 import subscription_service_pb2_grpc as pb_grpc

    with grpc.insecure_channel(target) as channel:
        stub = pb_grpc.SubscriptionServiceStub(channel)
        try:
            answer = stub.CheckAccess(
                request, metadata=(("authorization", f"Bearer {token}"),), timeout=10
            )
        except grpc.RpcError as error:
            return {"error": f"{error.code().name}: {error.details()}"}  # type: ignore[attr-defined]
    return {
        "allowed": answer.allowed,
        "reason": pb.AccessReason.Name(answer.reason),
        "subscription_id": answer.subscription_id,
    }


# --- the run -----------------------------------------------------------------------------------


def _median(values: Sequence[float]) -> float | None:
    clean = [v for v in values if not math.isnan(v)]
    return round(statistics.median(clean), 3) if clean else None


def _summary(measured: Sequence[Calls]) -> dict[str, Any]:
    codes: dict[str, int] = {}
    for item in measured:
        for code, count in item.codes.items():
            codes[code] = codes.get(code, 0) + count
    return {
        "calls_per_s": round(statistics.median(x.rate for x in measured), 1),
        "p50_ms": _median([x.p50_ms for x in measured]),
        "p99_ms": _median([x.p99_ms for x in measured]),
        "not_ok": sum(x.failed for x in measured),
        "calls": sum(x.calls for x in measured),
        "codes": codes,
        "server_cpu_ms_per_call": _median([x.cpu_ms for x in measured if x.cpu_ms]),
    }


def _rest_summary(measured: Sequence[Load]) -> dict[str, Any]:
    statuses: dict[str, int] = {}
    for item in measured:
        for status, count in item.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    return {
        "rps": round(statistics.median(x.rps for x in measured), 1),
        "p50_ms": _median([x.p50_ms for x in measured]),
        "p99_ms": _median([x.p99_ms for x in measured]),
        "not_2xx": sum(x.failed for x in measured),
        "requests": sum(x.requests for x in measured),
        "statuses": statuses,
    }


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--serve-echo":
        serve_echo(int(sys.argv[2]))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="4 s per target, one round")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    parser.add_argument("--concurrency", type=int, default=32, help="gRPC calls in flight")
    parser.add_argument("--clients", type=int, default=16, help="REST connections")
    parser.add_argument("--seconds", type=float, default=None, help="per target (default 10)")
    parser.add_argument("--rounds", type=int, default=None, help="default 3 (quick: 1)")
    parser.add_argument("--target", default="127.0.0.1:9093", help="subscription's gRPC")
    parser.add_argument("--no-rest", action="store_true", help="the gRPC part only")
    args = parser.parse_args()
    seconds = args.seconds or (4.0 if args.quick else 10.0)
    rounds = args.rounds or (1 if args.quick else 3)

    from parovoz.subscription.v1 import subscription_service_pb2 as pb

    print(f"check access: setting up (gateway {GATEWAY}, subscription gRPC {args.target})")
    setup = set_up()
    for step, how in setup.steps.items():
        print(f"  {step:13} {how}")
    request = pb.CheckAccessRequest(
        user_id=setup.user_id, game_id=setup.game_id, device_id=DEVICE, region="RU"
    )
    token = service_token(CALLER)
    first = probe(args.target, request, token)
    print(f"  probe         {first}")

    print(f"gRPC: {args.concurrency} calls in flight, {seconds:g} s per target, {rounds} round(s)")
    echo_runs: list[Calls] = []
    check_runs: list[Calls] = []
    ratios: list[float] = []
    p99_ratios: list[float] = []
    service = service_pid("parovoz-subscription")
    with EchoServer() as echo:
        for number in range(rounds):
            grpc_load(echo.target, request, token, args.concurrency, 1)  # warm-up
            echo_run = grpc_load(echo.target, request, token, args.concurrency, seconds, echo.pid)
            grpc_load(args.target, request, token, args.concurrency, 1)  # warm-up
            check_run = grpc_load(args.target, request, token, args.concurrency, seconds, service)
            echo_runs.append(echo_run)
            check_runs.append(check_run)
            if echo_run.rate:
                ratios.append(check_run.rate / echo_run.rate)
            if echo_run.p99_ms and not math.isnan(check_run.p99_ms):
                p99_ratios.append(check_run.p99_ms / echo_run.p99_ms)
            for name, run in (("echo", echo_run), ("CheckAccess", check_run)):
                print(
                    f"  round {number + 1} {name:12} {run.rate:8.1f} calls/s  "
                    f"p50 {run.p50_ms:7.2f} ms  p99 {run.p99_ms:7.2f} ms  not OK {run.failed}"
                    + (f"  server cpu {run.cpu_ms:.3f} ms/call" if run.cpu_ms else "")
                    + (f" ({run.codes})" if run.failed else "")
                )

    ratio = round(statistics.median(ratios), 3) if ratios else None
    p99_ratio = round(statistics.median(p99_ratios), 3) if p99_ratios else None
    p99_verdict = "N/A" if p99_ratio is None else ("PASS" if p99_ratio <= P99_GOAL else "FAIL")
    grpc_figures: dict[str, Any] = {
        "concurrency": args.concurrency,
        "seconds_per_target": seconds,
        "rounds": rounds,
        "caller": CALLER,
        "target": args.target,
        "floor": "a bare grpc.aio servicer of CheckAccess answering at once, separate process, "
        "loopback, same client and concurrency (same round)",
        "echo": _summary(echo_runs),
        "check_access": _summary(check_runs),
        "throughput_ratio": ratio,
        "throughput_ratios": [round(r, 3) for r in ratios],
        "throughput_goal": f">= {THROUGHPUT_GOAL}",
        "throughput_verdict": verdict(ratio, THROUGHPUT_GOAL),
        "p99_ratio": p99_ratio,
        "p99_ratios": [round(r, 3) for r in p99_ratios],
        "p99_goal": f"<= {P99_GOAL}",
        "p99_verdict": p99_verdict,
        "server_cpu": "CPU ms per call of the serving process (/proc), median of rounds: the "
        "echo process's, and subscription's (any other traffic it serves meanwhile counts too); "
        "hardly moved by other load on the machine, which the rates are",
    }

    rest_figures: dict[str, Any] | None = None
    if not args.no_rest:
        generator = loadgen.generator_name()
        print(f"REST via the gateway: {args.clients} connections, load generator: {generator}")
        query = f"/access?game_id={setup.game_id}&device_id={DEVICE}"
        targets = {
            "health": [Request("GET", "/health", {})],
            "access": [Request("GET", query, _bearer(setup.user_token))],
        }
        loads: dict[str, list[Load]] = {name: [] for name in targets}
        rest_ratios: list[float] = []
        for number in range(rounds):
            for name, requests in targets.items():
                loadgen.run(SUBSCRIPTIONS, requests, args.clients, 1)  # warm-up
                load = loadgen.run(SUBSCRIPTIONS, requests, args.clients, seconds)
                loads[name].append(load)
                print(
                    f"  round {number + 1} {name:12} {load.rps:8.1f} req/s  "
                    f"p50 {load.p50_ms:7.2f} ms  p99 {load.p99_ms:7.2f} ms  not 2xx "
                    f"{load.failed}" + (f" ({load.statuses})" if load.failed else "")
                )
            if loads["health"][-1].rps:
                rest_ratios.append(loads["access"][-1].rps / loads["health"][-1].rps)
        rest_figures = {
            "load_generator": generator,
            "clients": args.clients,
            "floor": "GET /api/v1/subscriptions/health through the gateway (same round)",
            "health": _rest_summary(loads["health"]),
            "access": _rest_summary(loads["access"]),
            "ratio": round(statistics.median(rest_ratios), 3) if rest_ratios else None,
            "ratios": [round(r, 3) for r in rest_ratios],
        }

    figures: dict[str, Any] = {
        "quick": args.quick,
        "setup": setup.steps,
        "probe": first,
        "grpc": grpc_figures,
        "rest": rest_figures,
    }
    path = record(KEY, figures)
    echo_f, check_f = grpc_figures["echo"], grpc_figures["check_access"]

    def grpc_row(name: str, f: dict[str, Any], ratio_cell: str, p99_cell: str) -> list[Any]:
        cells = [f["calls_per_s"], f["p50_ms"], f["p99_ms"], f["not_ok"]]
        return [name, *cells, f["server_cpu_ms_per_call"], ratio_cell, p99_cell]

    rows: list[list[Any]] = [
        grpc_row("gRPC echo", echo_f, "floor", ""),
        grpc_row(
            "gRPC CheckAccess",
            check_f,
            f"{ratio} (>= {THROUGHPUT_GOAL}) {grpc_figures['throughput_verdict']}",
            f"{p99_ratio} (<= {P99_GOAL}) {p99_verdict}",
        ),
    ]
    if rest_figures is not None:
        for name, key, cell in (
            ("REST health", "health", "floor"),
            ("REST access", "access", f"{rest_figures['ratio']} (printed)"),
        ):
            f = rest_figures[key]
            rows.append([name, f["rps"], f["p50_ms"], f["p99_ms"], f["not_2xx"], None, cell, ""])
    print_table(
        ["target", "per s", "p50 ms", "p99 ms", "failed", "cpu ms", "ratio", "p99 ratio"], rows
    )
    print(f"written to {path}")
    missed = (
        grpc_figures["throughput_verdict"] != "PASS"
        or p99_verdict != "PASS"
        or grpc_figures["check_access"]["not_ok"] > 0
        or first.get("allowed") is not True
    )
    if args.strict and missed:
        sys.exit(1)


if __name__ == "__main__":
    main()
