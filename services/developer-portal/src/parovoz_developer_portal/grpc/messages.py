"""Domain objects -> protobuf messages of `parovoz.developer.v1`."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from google.protobuf.timestamp_pb2 import Timestamp
from parovoz.common.v1 import date_pb2, money_pb2
from parovoz.developer.v1 import developer_service_pb2 as pb

from parovoz_developer_portal.accounts.domain import DeveloperAccount
from parovoz_developer_portal.finance.domain.payouts import PayoutMethod
from parovoz_developer_portal.games.domain import Game
from parovoz_developer_portal.pricing.domain import GamePrices, Price
from parovoz_developer_portal.team.domain import TeamRole


def _timestamp(moment: datetime | None) -> Timestamp | None:
    if moment is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def _enum(enum_type: object, prefix: str, value: str) -> int:
    return enum_type.Value(f"{prefix}_{value.upper()}")  # type: ignore[attr-defined]


def developer_message(account: DeveloperAccount) -> pb.Developer:
    return pb.Developer(
        id=str(account.id),
        legal_name=account.company_name,
        display_name=account.display_name,
        legal_entity_type=_enum(
            pb.LegalEntityType, "LEGAL_ENTITY_TYPE", account.legal_entity_type.value
        ),
        country_code=account.country_code,
        status=_enum(pb.DeveloperStatus, "DEVELOPER_STATUS", account.status.value),
        publishing_track=_enum(
            pb.PublishingTrack, "PUBLISHING_TRACK", account.publishing_track.value
        ),
        verified=account.verified,
        owner_user_id=str(account.owner_user_id),
        created_at=_timestamp(account.created_at),
        updated_at=_timestamp(account.updated_at),
    )


def member_message(user_id: uuid.UUID, role: TeamRole) -> pb.TeamMember:
    return pb.TeamMember(user_id=str(user_id), role=_enum(pb.TeamRole, "TEAM_ROLE", role.value))


def _money(price: Price) -> money_pb2.Money:
    return money_pb2.Money(amount_minor=price.amount_minor, currency=price.currency)


#: "12+" -> AGE_RATING_12_PLUS: the store's ratings as the proto names them.
_AGE_RATINGS = {
    "0+": pb.AGE_RATING_0_PLUS,
    "6+": pb.AGE_RATING_6_PLUS,
    "12+": pb.AGE_RATING_12_PLUS,
    "16+": pb.AGE_RATING_16_PLUS,
    "18+": pb.AGE_RATING_18_PLUS,
}


def _date(day: date | None) -> date_pb2.Date | None:
    return date_pb2.Date(year=day.year, month=day.month, day=day.day) if day else None


def game_message(game: Game, prices: GamePrices | None = None) -> pb.Game:
    """``prices`` None or never set: ``is_free`` false, no base price (not for sale yet)."""
    price_list = prices.price_list if prices else None
    return pb.Game(
        id=str(game.id),
        developer_id=str(game.developer_id),
        title=game.title,
        product_type=_enum(pb.ProductType, "PRODUCT_TYPE", game.product_type.value),
        parent_game_id=str(game.parent_game_id) if game.parent_game_id else "",
        status=_enum(pb.GameStatus, "GAME_STATUS", game.status.value),
        age_rating=_AGE_RATINGS[game.age_rating.value] if game.age_rating else None,
        regions=list(game.regions),
        release_date=_date(game.release_date),
        is_free=bool(price_list and price_list.is_free),
        base_price=_money(price_list.base_price) if price_list and price_list.base_price else None,
        regional_prices=[
            pb.RegionalPrice(region=regional.region, price=_money(regional.price))
            for regional in (price_list.regional_prices if price_list else ())
        ],
        published_at=_timestamp(game.published_at),
        created_at=_timestamp(game.created_at),
        updated_at=_timestamp(game.updated_at),
    )


def payout_method_message(method: PayoutMethod) -> pb.PayoutMethod:
    """The bank details in clear: for payment at payout time only (never logged)."""
    details = method.details
    return pb.PayoutMethod(
        id=str(method.id),
        developer_id=str(method.developer_id),
        recipient_name=details.recipient_name,
        inn=details.inn,
        kpp=details.kpp,
        bik=details.bik,
        account_number=details.account_number,
        correspondent_account=details.correspondent_account,
        bank_name=details.bank_name,
        currency=method.currency,
        is_default=method.is_default,
        updated_at=_timestamp(method.updated_at),
    )
