"""Developer-portal rules as plain Python: ИНН check digits, team roles, drafting games."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from parovoz_developer_portal.accounts.domain import (
    AccountApplication,
    DeveloperStatus,
    LegalEntityType,
    is_valid_inn,
    open_account,
)
from parovoz_developer_portal.games.domain import ProductType, draft_game
from parovoz_developer_portal.team.domain import Permission, TeamRole, require_permission
from parovoz_kit.errors import BusinessRuleViolation, PermissionDenied, ValidationFailed

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def application(**overrides: object) -> AccountApplication:
    values: dict[str, object] = {
        "company_name": "Моя Игровая Студия",
        "legal_entity_type": LegalEntityType.LLC,
        "tax_id": "7707083893",  # Сбербанк's real ИНН: valid check digit
        "contact_email": "dev@example.com",
        "country_code": "RU",
    }
    values.update(overrides)
    return AccountApplication(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("inn", "entity", "valid"),
    [
        ("7707083893", LegalEntityType.LLC, True),
        ("7707083894", LegalEntityType.LLC, False),  # wrong check digit
        ("500100732259", LegalEntityType.SOLE_PROPRIETOR, True),
        ("500100732258", LegalEntityType.SOLE_PROPRIETOR, False),
        ("7707083893", LegalEntityType.SELF_EMPLOYED, False),  # an individual has 12 digits
        ("77070838A3", LegalEntityType.LLC, False),
    ],
)
def test_inn_check_digits(inn: str, entity: LegalEntityType, valid: bool) -> None:
    assert is_valid_inn(inn, entity) is valid


def test_a_new_account_waits_for_verification_on_the_greenlight_track() -> None:
    owner = uuid.uuid4()
    account = open_account(application(), owner, NOW)
    assert account.status is DeveloperStatus.PENDING_VERIFICATION
    assert account.publishing_track.value == "greenlight"
    assert account.owner_user_id == owner and account.display_name == "Моя Игровая Студия"


def test_an_invalid_inn_points_at_the_field() -> None:
    with pytest.raises(ValidationFailed) as error:
        open_account(application(tax_id="1234567890"), uuid.uuid4(), NOW)
    assert error.value.code == "INVALID_TAX_ID"
    assert error.value.pointer == "/data/attributes/tax_id"


def test_a_foreign_company_registers_outside_russia() -> None:
    foreign = application(legal_entity_type=LegalEntityType.FOREIGN_COMPANY, tax_id="DE123456789")
    assert open_account(replace(foreign, country_code="DE"), uuid.uuid4(), NOW).country_code == "DE"
    with pytest.raises(BusinessRuleViolation) as refused:  # a well-formed request, refused
        open_account(foreign, uuid.uuid4(), NOW)
    assert refused.value.code == "COUNTRY_MISMATCH" and refused.value.http_status == 422


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (TeamRole.OWNER, True),
        (TeamRole.ADMIN, True),
        (TeamRole.EDITOR, True),
        (TeamRole.FINANCE, False),
        (TeamRole.VIEWER, False),
    ],
)
def test_who_may_manage_games(role: TeamRole, allowed: bool) -> None:
    if allowed:
        require_permission(role, Permission.MANAGE_GAMES)
    else:
        with pytest.raises(PermissionDenied):
            require_permission(role, Permission.MANAGE_GAMES)


def test_only_the_owner_may_delete_the_account() -> None:
    require_permission(TeamRole.OWNER, Permission.DELETE_ACCOUNT)
    with pytest.raises(PermissionDenied):
        require_permission(TeamRole.ADMIN, Permission.DELETE_ACCOUNT)


def test_drafting_games_and_dlc() -> None:
    account = open_account(application(), uuid.uuid4(), NOW)
    game = draft_game(account, "Игра", ProductType.GAME, None, account.owner_user_id, NOW)
    assert game.status.value == "draft" and game.developer_id == account.id
    dlc = draft_game(account, "Игра: DLC", ProductType.DLC, game, account.owner_user_id, NOW)
    assert dlc.parent_game_id == game.id
    with pytest.raises(ValidationFailed):  # a DLC needs its game
        draft_game(account, "DLC", ProductType.DLC, None, account.owner_user_id, NOW)
    with pytest.raises(ValidationFailed):  # a game has no parent
        draft_game(account, "G2", ProductType.GAME, game, account.owner_user_id, NOW)
    other = open_account(application(), uuid.uuid4(), NOW)
    with pytest.raises(BusinessRuleViolation) as refused:  # a DLC of someone else's game
        draft_game(other, "DLC", ProductType.DLC, game, other.owner_user_id, NOW)
    assert refused.value.code == "INVALID_PARENT_GAME"


def test_a_suspended_account_cannot_create_games() -> None:
    account = replace(
        open_account(application(), uuid.uuid4(), NOW), status=DeveloperStatus.SUSPENDED
    )
    with pytest.raises(BusinessRuleViolation):
        draft_game(account, "Игра", ProductType.GAME, None, account.owner_user_id, NOW)
