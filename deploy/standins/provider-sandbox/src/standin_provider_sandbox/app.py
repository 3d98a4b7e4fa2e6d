"""The provider sandbox: YooKassa API v3 + T-Bank acquiring v2 + the sandbox control API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from standin_common.web import install_standin_http

from standin_provider_sandbox.confirm_page import confirm_router
from standin_provider_sandbox.control_api import control_router
from standin_provider_sandbox.payouts_control import payouts_control_router
from standin_provider_sandbox.settings import SandboxSettings
from standin_provider_sandbox.state import Sandbox
from standin_provider_sandbox.tbank_api import tbank_router
from standin_provider_sandbox.yookassa_api import yookassa_error, yookassa_router
from standin_provider_sandbox.yookassa_values import YooError

SERVER_NAME = "parovoz-standin-provider-sandbox"


def create_app(settings: SandboxSettings | None = None) -> FastAPI:
    settings = settings or SandboxSettings()
    sandbox = Sandbox.create(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await sandbox.notifier.aclose()

    app = FastAPI(
        title="Payment provider sandbox STAND-IN (not YooKassa, not T-Bank)",
        description="Local/test stand-in speaking YooKassa API v3 and T-Bank acquiring v2. "
        "No real money, no real provider. Not for production.",
        lifespan=lifespan,
    )
    install_standin_http(app, SERVER_NAME)
    app.add_exception_handler(YooError, yookassa_error)  # type: ignore[arg-type]
    app.include_router(yookassa_router(sandbox))
    app.include_router(tbank_router(sandbox))
    app.include_router(confirm_router(sandbox))
    app.include_router(control_router(sandbox))
    app.include_router(payouts_control_router(sandbox))
    app.state.sandbox = sandbox
    return app
