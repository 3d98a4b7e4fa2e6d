"""A real auth stand-in served by uvicorn on an ephemeral loopback port."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
import uvicorn
from standin_auth.app import create_app
from standin_auth.settings import AuthSettings


@contextmanager
def serve(settings: AuthSettings) -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(settings), log_level="warning", server_header=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "auth stand-in did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(autouse=True)
def _no_auth_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # Settings come from each test, not from a developer's STANDIN_AUTH_* environment.
    for name in list(os.environ):
        if name.startswith("STANDIN_AUTH_"):
            monkeypatch.delenv(name)


@pytest.fixture
def serve_auth() -> Callable[[AuthSettings], AbstractContextManager[str]]:
    """Starts another stand-in, e.g. a second run on the same key directory."""
    return serve


@pytest.fixture
def key_dir(tmp_path: Path) -> Path:
    return tmp_path / "keys"


@pytest.fixture
def auth_url(key_dir: Path) -> Iterator[str]:
    with serve(AuthSettings(key_dir=key_dir)) as url:
        yield url
