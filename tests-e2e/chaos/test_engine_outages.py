"""Chaos: engines fail under a running platform, and nothing is lost.

`make test` runs these bounded (a few events); `make chaos` runs them at scale
(`CHAOS_SCALE`, default 1). Every fault is undone in a `finally`, so a failing test never
leaves the platform broken for the tests after it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
from parovoz_testing.platform import DATABASES, GATEWAY, SERVICES, wait_until
from parovoz_testing.tokens import user_token

ROOT = Path(__file__).resolve().parents[2]
SCALE = int(os.environ.get("CHAOS_SCALE", "1"))


def _pid(part: str) -> int:
    return int((ROOT / ".run" / "pids" / f"{part}.pid").read_text())


@contextmanager
def _frozen(part: str):
    """SIGSTOP a part (its memory, e.g. the broker's topics, survives), SIGCONT afterwards."""
    pid = _pid(part)
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


def _metric(service_prefix: str, name: str) -> float:
    # Metrics are served on the service's port (Prometheus), never through the gateway.
    [service] = [service for service in SERVICES if service.prefix == service_prefix]
    metrics = httpx.get(f"http://127.0.0.1:{service.http_port}/metrics").text
    for line in metrics.splitlines():
        if line.startswith(f"{name} ") or line.startswith(f"{name}{{"):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def _developer() -> dict[str, str]:
    token = user_token(str(uuid.uuid4()))
    headers = {"Authorization": f"Bearer {token}"}
    body = {
        "data": {
            "type": "developerAccountCreation",
            "attributes": {
                "company_name": "Хаос Студия",
                "legal_entity_type": "llc",
                "tax_id": "7707083893",
                "contact_email": "chaos@example.com",
                "country_code": "RU",
            },
        }
    }
    assert httpx.post(f"{GATEWAY}/api/v1/developer/accounts", json=body, headers=headers).is_success
    return headers


def _known_to_payment(game_ids: list[str]) -> int:
    with psycopg.connect(DATABASES["payment"]) as connection:
        return connection.execute(
            "SELECT count(*) FROM game_owners WHERE game_id = ANY(%s::uuid[])", (game_ids,)
        ).fetchone()[0]


def test_events_written_while_the_broker_is_frozen_are_delivered_after() -> None:
    headers = _developer()
    games: list[str] = []
    with _frozen("broker"):
        for i in range(5 * SCALE):
            body = {"data": {"type": "productCreation", "attributes": {"title": f"Хаос {i}"}}}
            response = httpx.post(
                f"{GATEWAY}/api/v1/developer/games", json=body, headers=headers, timeout=10
            )
            assert response.status_code == 201, response.text  # the outbox needs no broker
            games.append(response.json()["data"]["id"])
        # The relay cannot publish: the backlog holds every event.
        assert wait_until(lambda: _metric("/api/v1/developer", "outbox_backlog") >= len(games))
        assert _known_to_payment(games) == 0
    assert wait_until(lambda: _known_to_payment(games) == len(games), timeout=60)
    assert wait_until(lambda: _metric("/api/v1/developer", "outbox_backlog") == 0, timeout=30)


def test_readiness_follows_redis_down_and_back() -> None:
    os.kill(_pid("redis"), signal.SIGTERM)
    try:
        assert wait_until(
            lambda: httpx.get(f"{GATEWAY}/api/v1/payments/ready").status_code == 503, timeout=15
        )
        checks = httpx.get(f"{GATEWAY}/api/v1/payments/ready").json()["checks"]
        assert checks["redis"] == "down" and checks["database"] == "up"
        assert httpx.get(f"{GATEWAY}/api/v1/payments/health").status_code == 200  # alive
    finally:
        subprocess.run(
            [sys.executable, str(ROOT / "deploy/local/platform.py"), "engines"],
            check=True,
            capture_output=True,
        )
    assert wait_until(
        lambda: httpx.get(f"{GATEWAY}/api/v1/payments/ready").status_code == 200, timeout=20
    )
