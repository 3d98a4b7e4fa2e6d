"""The gateway template forwards what the platform relies on, unchanged.

A private nginx renders the same template with every upstream pointed at an echo server,
so the test sees exactly what a service would receive.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

TEMPLATE = Path(__file__).resolve().parents[1] / "deploy/gateway/default.conf.template"
UPSTREAMS = ("DEVELOPER_PORTAL", "GREENLIGHT", "SUBSCRIPTION", "PAYMENT")
#: The private gateway's access log (its standard output), set by the fixture.
ACCESS_LOGS: list[Path] = []


class _Echo(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        body = json.dumps({"path": self.path, "headers": dict(self.headers.items())}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *_: object) -> None:
        pass


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def private_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    echo = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=echo.serve_forever, daemon=True).start()
    workdir = tmp_path_factory.mktemp("gateway")
    workdir.chmod(0o777)  # nginx workers may run as nobody
    port = _free_port()
    server_conf = TEMPLATE.read_text().replace("listen 8080;", f"listen 127.0.0.1:{port};")
    for name in UPSTREAMS:
        server_conf = server_conf.replace(f"${{{name}_UPSTREAM}}", f"127.0.0.1:{echo.server_port}")
    (workdir / "server.conf").write_text(server_conf)
    (workdir / "nginx.conf").write_text(
        f"daemon off; pid {workdir}/nginx.pid; error_log {workdir}/error.log;\n"
        "events {}\n"
        f"http {{ access_log off; client_body_temp_path {workdir}/body; "
        f"proxy_temp_path {workdir}/proxy; include {workdir}/server.conf; }}\n"
    )
    # The site's access log is nginx's standard output: kept in a file the tests read.
    output = (workdir / "stdout.log").open("wb")
    ACCESS_LOGS[0:] = [workdir / "stdout.log"]
    process = subprocess.Popen(
        [nginx, "-c", str(workdir / "nginx.conf"), "-p", str(workdir)], stdout=output
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base}/health")
            break
        except httpx.TransportError:
            time.sleep(0.1)
    yield base
    process.terminate()
    process.wait(10)
    output.close()
    echo.shutdown()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/developer",
        "/api/v1/developer/games/42?include=prices",
        "/api/v1/greenlight/submissions",
        "/api/v1/subscriptions",
        "/api/v1/payments/abc/refunds",
        "/webhooks/yookassa",
    ],
)
def test_path_reaches_the_service_unchanged(private_gateway: str, path: str) -> None:
    response = httpx.get(f"{private_gateway}{path}", follow_redirects=False)
    assert response.status_code == 200
    assert response.json()["path"] == path


def test_platform_headers_are_forwarded(private_gateway: str) -> None:
    sent = {
        "Authorization": "Bearer abc.def.ghi",
        "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "Idempotency-Key": "3b1f0c2e-key",
        "X-Request-Id": "req-42",
    }
    response = httpx.post(f"{private_gateway}/api/v1/payments", headers=sent, json={"a": 1})
    received = {k.lower(): v for k, v in response.json()["headers"].items()}
    for name, value in sent.items():
        assert received[name.lower()] == value
    assert response.headers["x-request-id"] == "req-42"


def test_a_client_cannot_choose_its_forwarded_address(private_gateway: str) -> None:
    """The gateway is the edge: X-Forwarded-For and X-Real-IP carry the connection's address,
    whatever the client wrote (greenlight groups voters by their IPv4 /24)."""
    forged = {"X-Forwarded-For": "203.0.113.7", "X-Real-IP": "198.51.100.9"}
    response = httpx.get(f"{private_gateway}/api/v1/greenlight/submissions", headers=forged)
    received = {k.lower(): v for k, v in response.json()["headers"].items()}
    assert received["x-forwarded-for"] == "127.0.0.1"
    assert received["x-real-ip"] == "127.0.0.1"


def test_the_access_log_never_holds_a_token(private_gateway: str) -> None:
    """The notifications stream takes ``?access_token=`` (browsers' EventSource sends no
    headers): the gateway's access log writes it as REDACTED, keeping the rest of the line."""
    secret = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0.c2lnbmF0dXJl"
    path = f"/api/v1/developer/notifications/stream?access_token={secret}&last_event_id=7"
    assert httpx.get(f"{private_gateway}{path}").status_code == 200
    deadline = time.monotonic() + 5
    logged = ""
    while "last_event_id=7" not in logged and time.monotonic() < deadline:
        time.sleep(0.1)
        logged = ACCESS_LOGS[0].read_text()
    line = next(entry for entry in logged.splitlines() if "notifications/stream" in entry)
    assert secret not in logged
    assert "?access_token=REDACTED&last_event_id=7" in line
