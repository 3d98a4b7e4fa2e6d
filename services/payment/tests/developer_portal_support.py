"""payment's side of the running developer-portal in its tests: a drafted game as payment's
client knows its owner, and that client aimed elsewhere. Accounts, games and payout methods are
made through the gateway by ``parovoz_testing.developer_portal``."""

from __future__ import annotations

import httpx
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.clients.developer_portal import IDEMPOTENT_METHODS, DeveloperPortalCatalogue
from parovoz_payment.domain.games import GameOwner
from parovoz_testing import developer_portal


async def drafted_game(http: httpx.AsyncClient, user_id: str) -> GameOwner:
    """``user_id`` opens a developer account and drafts a game; its owner as GetGame knows it
    (no title yet)."""
    game_id, developer_id = await developer_portal.drafted_game(http, user_id)
    return GameOwner(game_id, developer_id, "", "game")


def catalogue_at(infrastructure: Infrastructure, target: str) -> DeveloperPortalCatalogue:
    """payment's developer-portal client aimed at ``target`` (e.g. a closed port: the peer
    down), under a peer name of its own: the shared one points at the running service."""
    name = f"developer-portal-test-{target}"
    return DeveloperPortalCatalogue(infrastructure.peer(name, target, IDEMPOTENT_METHODS))
