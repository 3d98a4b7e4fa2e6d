"""A studio's team through the gateway: the owner invites an editor by user id and a finance
member by e-mail (the auth stand-in's token carries the verified address); each accepts and
may do what their role allows; the owner hands the account to the editor and becomes an admin,
and the account names its new owner."""

from __future__ import annotations

import uuid

import httpx
from e2e_payments import auth
from e2e_studio import PORTAL, PortalStudio
from parovoz_testing.tokens import user_token


def test_invite_accept_work_and_hand_over_through_the_gateway() -> None:
    studio = PortalStudio()
    editor, finance = str(uuid.uuid4()), str(uuid.uuid4())
    address = f"{uuid.uuid4().hex[:12]}@example.com"
    by_id = studio.ok(
        "POST",
        "/team/invitations",
        {"type": "teamInvitation", "attributes": {"user_id": editor, "role": "editor"}},
    )
    by_email = studio.ok(
        "POST",
        "/team/invitations",
        {"type": "teamInvitation", "attributes": {"email": address, "role": "finance"}},
    )
    editor_token = user_token(editor)
    finance_token = user_token(finance, email=address)
    with httpx.Client(timeout=60) as http:
        for invitation, token in ((by_id, editor_token), (by_email, finance_token)):
            mine = http.get(f"{PORTAL}/team/invitations/mine", headers=auth(token))
            assert [item["id"] for item in mine.json()["data"]] == [invitation["id"]]
            accepted = http.post(
                f"{PORTAL}/team/invitations/{invitation['id']}/accept", headers=auth(token)
            )
            assert accepted.status_code == 200, accepted.text

        team = http.get(f"{PORTAL}/team", headers=auth(editor_token)).json()["data"]
        roles = {item["attributes"]["user_id"]: item["attributes"]["role"] for item in team}
        assert roles == {studio.owner: "owner", editor: "editor", finance: "finance"}

        game = {"type": "productCreation", "attributes": {"title": f"Команда {uuid.uuid4()}"}}
        made = http.post(f"{PORTAL}/games", headers=auth(editor_token), json={"data": game})
        assert made.status_code == 201, made.text
        refused = http.post(f"{PORTAL}/games", headers=auth(finance_token), json={"data": game})
        assert refused.status_code == 403 and refused.json()["errors"][0]["code"] == (
            "TEAM_ROLE_FORBIDS"
        )
        methods = http.get(f"{PORTAL}/finance/payout-methods", headers=auth(finance_token))
        assert methods.status_code == 200, methods.text

    studio.ok(
        "POST",
        "/team/ownership-transfer",
        {"type": "ownershipTransfer", "attributes": {"user_id": editor}},
    )
    assert studio.account()["my_role"] == "admin"
    with httpx.Client(timeout=60) as http:
        account = http.get(f"{PORTAL}/accounts/me", headers=auth(editor_token)).json()["data"]
    assert (account["attributes"]["my_role"], account["attributes"]["owner_user_id"]) == (
        "owner",
        editor,
    )
