"""Run a stand-in app with uvicorn."""

import uvicorn
from fastapi import FastAPI


def serve(app: FastAPI, host: str, port: int) -> None:
    # server_header=False: the app labels itself `parovoz-standin-<name>` instead of `uvicorn`.
    uvicorn.run(app, host=host, port=port, server_header=False)
