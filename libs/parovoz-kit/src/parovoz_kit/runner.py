"""Runs one service process: REST (uvicorn) and gRPC (grpc.aio) on one event loop."""

from __future__ import annotations

import logging

import uvicorn
from fastapi import FastAPI

from parovoz_kit.grpc.server import GrpcServer
from parovoz_kit.settings import ServiceSettings

log = logging.getLogger(__name__)


async def serve(settings: ServiceSettings, app: FastAPI, grpc_server: GrpcServer) -> None:
    """Serve until SIGINT/SIGTERM (uvicorn owns the signals), then stop gRPC gracefully."""
    await grpc_server.start()
    config = uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,  # our JSON logging is already configured
        access_log=False,
        lifespan="on",
    )
    log.info(
        "service started",
        extra={"http_port": settings.http_port, "grpc_port": grpc_server.port},
    )
    try:
        await uvicorn.Server(config).serve()
    finally:
        await grpc_server.stop()
        log.info("service stopped")
