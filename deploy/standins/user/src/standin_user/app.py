"""The user stand-in's HTTP API: read a profile, and put one in place for a test."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from standin_common.web import ApiError, install_standin_http

from standin_user.profiles import UserDirectory, UserProfileUpdate
from standin_user.settings import UserSettings

SERVER_NAME = "parovoz-standin-user"


def create_app(settings: UserSettings | None = None) -> FastAPI:
    settings = settings or UserSettings()
    directory = UserDirectory(settings.state_file)

    app = FastAPI(
        title="User STAND-IN (not the real user service)",
        description="Local/test stand-in for the external user service. Not for production.",
    )
    install_standin_http(app, SERVER_NAME)

    @app.get("/users/{user_id}", summary="A user's profile")
    def get_user(user_id: uuid.UUID) -> dict[str, Any]:
        profile = directory.get(user_id)
        if profile is None:
            raise ApiError.single(404, "USER_NOT_FOUND", "No user with this id.")
        return profile

    @app.put("/users/{user_id}", summary="Create or replace a user's profile")
    def put_user(user_id: uuid.UUID, update: UserProfileUpdate) -> JSONResponse:
        if update.id is not None and update.id != user_id:
            raise ApiError.single(
                400, "ID_MISMATCH", "The body id differs from the path id.", pointer="/id"
            )
        profile = update.as_profile(user_id)
        if directory.put(profile):
            return JSONResponse(profile, status_code=201, headers={"Location": f"/users/{user_id}"})
        return JSONResponse(profile, status_code=200)

    return app
