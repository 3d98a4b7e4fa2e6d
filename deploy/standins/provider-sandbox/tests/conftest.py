"""A real sandbox (uvicorn on an ephemeral port) and a real little webhook receiver."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
import uvicorn
from standin_provider_sandbox.app import create_app
from standin_provider_sandbox.settings import SandboxSettings

SHOP_ID, SECRET_KEY = "test-shop", "test-secret-key"
TERMINAL_KEY, PASSWORD = "TestTerminal", "test-password"
WEBHOOK_SECRET = "test-webhook-secret"
ATTEMPTS = 4


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Records every POST; answers 200 (body `OK`) unless told to fail a path N times first."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    failures_left: dict[str, int] = field(default_factory=dict)
    ok_body: bytes = b"OK"
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, path: str, times: int) -> None:
        self.failures_left[path] = times

    def on(self, path: str) -> list[Received]:
        with self.lock:
            return [item for item in self.received if item.path == path]

    def wait_for(
        self, path: str, predicate: Callable[[list[Received]], bool], timeout: float = 5
    ) -> list[Received]:
        deadline = time.monotonic() + timeout
        while True:
            got = self.on(path)
            if predicate(got):
                return got
            assert time.monotonic() < deadline, f"receiver never saw what was expected: {got}"
            time.sleep(0.02)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with receiver.lock:
                headers = {key.lower(): value for key, value in self.headers.items()}
                receiver.received.append(Received(self.path, headers, body))
                left = receiver.failures_left.get(self.path, 0)
                if left:
                    receiver.failures_left[self.path] = left - 1
            status, answer = (503, b"busy") if left else (200, receiver.ok_body)
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *_: Any) -> None:
            pass

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


@contextmanager
def serve(settings_for: Callable[[str], SandboxSettings]) -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config = uvicorn.Config(create_app(settings_for(url)), log_level="warning", server_header=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "provider sandbox did not start"
        time.sleep(0.02)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(autouse=True)
def _no_sandbox_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("STANDIN_PROVIDER_SANDBOX_"):
            monkeypatch.delenv(name)


def settings_for(receiver: Receiver, **overrides: Any) -> Callable[[str], SandboxSettings]:
    def build(url: str) -> SandboxSettings:
        values: dict[str, Any] = {
            "public_url": url,
            "yookassa_shop_id": SHOP_ID,
            "yookassa_secret_key": SECRET_KEY,
            "yookassa_webhook_url": f"{receiver.url}/webhooks/yookassa",
            "tbank_terminal_key": TERMINAL_KEY,
            "tbank_password": PASSWORD,
            "tbank_notification_url": f"{receiver.url}/webhooks/tbank",
            "webhook_secret": WEBHOOK_SECRET,
            "notification_attempts": ATTEMPTS,
            "notification_first_delay_seconds": 0.05,
            "notification_max_delay_seconds": 0.2,
            "receipt_settle_seconds": 0.2,
        }
        return SandboxSettings(**(values | overrides))

    return build


@pytest.fixture
def sandbox_url(receiver: Receiver) -> Iterator[str]:
    with serve(settings_for(receiver)) as url:
        yield url


@pytest.fixture
def sandbox(sandbox_url: str) -> Iterator[httpx.Client]:
    """Unauthenticated client: the control API, the confirmation page."""
    with httpx.Client(base_url=sandbox_url, timeout=10) as client:
        yield client


class YooKassaClient:
    """HTTP Basic shopId:secretKey; a fresh Idempotence-Key on every POST unless one is given."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def post(self, path: str, body: dict[str, Any], key: str | None = None) -> httpx.Response:
        headers = {"Idempotence-Key": key or str(uuid.uuid4())}
        return self.client.post(path, json=body, headers=headers)

    def get(self, path: str) -> httpx.Response:
        return self.client.get(path)


@pytest.fixture
def yookassa(sandbox_url: str) -> Iterator[YooKassaClient]:
    with httpx.Client(
        base_url=f"{sandbox_url}/v3", auth=(SHOP_ID, SECRET_KEY), timeout=10
    ) as client:
        yield YooKassaClient(client)


@pytest.fixture
def credentials() -> dict[str, str]:
    return {
        "shop_id": SHOP_ID,
        "secret_key": SECRET_KEY,
        "terminal_key": TERMINAL_KEY,
        "password": PASSWORD,
        "webhook_secret": WEBHOOK_SECRET,
        "attempts": str(ATTEMPTS),
    }


def official_token(params: dict[str, Any], password: str) -> str:
    """T-Bank's recipe written out independently of the sandbox's code, for cross-checking."""
    scalars = {k: v for k, v in params.items() if k != "Token" and not isinstance(v, dict | list)}
    scalars["Password"] = password
    text = "".join(
        ("true" if v is True else "false" if v is False else str(v))
        for _, v in sorted(scalars.items())
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.fixture
def token_of() -> Callable[[dict[str, Any], str], str]:
    return official_token


class TBankClient:
    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def call(self, method: str, params: dict[str, Any], *, token: str | None = None) -> dict:
        body = {"TerminalKey": TERMINAL_KEY, **params}
        body["Token"] = token or official_token(body, PASSWORD)
        response = self.client.post(f"/v2/{method}", json=body)
        assert response.status_code == 200
        return response.json()


@pytest.fixture
def tbank(sandbox: httpx.Client) -> TBankClient:
    return TBankClient(sandbox)


@pytest.fixture
def serve_sandbox(receiver: Receiver) -> Callable[..., Any]:
    """Another sandbox with other settings, e.g. two copies of every notification."""

    def start(**overrides: Any) -> Any:
        return serve(settings_for(receiver, **overrides))

    return start
