"""The user stand-in, driven over HTTP in-process (its logic is pure HTTP + a JSON file)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import httpx
import pytest
from standin_user.app import create_app
from standin_user.settings import UserSettings


@asynccontextmanager
async def user_client(state_file: Path | None) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(UserSettings(state_file=state_file))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://standin-user") as client:
        yield client


@pytest.fixture(autouse=True)
def _no_user_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("STANDIN_USER_"):
            monkeypatch.delenv(name)


@pytest.fixture
def open_user_client() -> Callable[[Path | None], AbstractAsyncContextManager[httpx.AsyncClient]]:
    return user_client


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with user_client(None) as client:
        yield client
