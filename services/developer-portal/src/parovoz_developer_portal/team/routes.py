"""REST of the team (thin: parse -> one use case -> document): members, invitations, roles,
ownership. (``team/api.py`` holds who is calling: ``CurrentActor`` and its kin.)"""

from fastapi import APIRouter
from parovoz_kit.infrastructure import Infrastructure


def team_router(infrastructure: Infrastructure) -> APIRouter:
    return APIRouter(tags=["team"])
