"""Who is calling: ``CurrentActor`` resolves the request's credentials to an :class:`Actor`.

A user token names a team member (their account and role). An API key (``api_keys``) acts as
its account with the editor role, on the routes that declare ``CurrentActor`` (versions,
builds, submit-for-review); every other route takes ``CurrentUserId`` and a user token only.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from parovoz_kit.auth import CurrentUserId

from parovoz_developer_portal.team.domain import Actor
from parovoz_developer_portal.team.service import actor_for_user
from parovoz_developer_portal.unit_of_work import portal_unit_of_work


async def current_member(request: Request, user_id: CurrentUserId) -> Actor:
    """A team member, by user token only (an API key is refused on these routes)."""
    infrastructure = request.app.state.infrastructure
    async with portal_unit_of_work(infrastructure) as uow:
        return await actor_for_user(uow, user_id)


async def current_actor(request: Request, user_id: CurrentUserId) -> Actor:
    """A team member by user token, or an API key acting as its account's editor (the routes
    of versions, builds and submit-for-review)."""
    return await current_member(request, user_id)


#: Routes every member uses with a user token.
CurrentMember = Annotated[Actor, Depends(current_member)]
#: Routes an API key may also call: versions, builds, submit-for-review.
CurrentActor = Annotated[Actor, Depends(current_actor)]
