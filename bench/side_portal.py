"""developer-portal's REST app alone, for a benchmark that needs other settings than the running
service's (e.g. ``DEVELOPER_PORTAL_BUILD_SINGLE_PUT_MAX_BYTES`` lowered so a 256 MiB build goes
multipart): no gRPC server, consumers, outbox relay or jobs, so it takes nothing from the
running platform. Settings from the environment (``DEVELOPER_PORTAL_HTTP_PORT`` etc.).

    DEVELOPER_PORTAL_HTTP_PORT=18181 .venv/bin/python bench/side_portal.py
"""

from __future__ import annotations

import asyncio

import uvicorn
from parovoz_developer_portal.main import SERVICE
from parovoz_developer_portal.settings import DeveloperPortalSettings
from parovoz_kit.infrastructure import open_infrastructure
from parovoz_kit.logging import configure_logging
from parovoz_kit.service import build_app, job_runner
from parovoz_kit.tracing import tracing_from_settings


async def serve() -> None:
    settings = DeveloperPortalSettings()
    tracing_from_settings(settings)
    async with open_infrastructure(settings) as infrastructure:
        app = build_app(SERVICE, infrastructure, job_runner(SERVICE, infrastructure))
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=settings.http_port,
            log_config=None,
            access_log=False,
            lifespan="on",
        )
        await uvicorn.Server(config).serve()


def main() -> None:
    configure_logging("developer-portal-bench", "WARNING")
    asyncio.run(serve())


if __name__ == "__main__":
    main()
