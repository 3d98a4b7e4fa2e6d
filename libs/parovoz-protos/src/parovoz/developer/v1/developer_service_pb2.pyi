import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from parovoz.common.v1 import date_pb2 as _date_pb2
from parovoz.common.v1 import money_pb2 as _money_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DeveloperStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DEVELOPER_STATUS_UNSPECIFIED: _ClassVar[DeveloperStatus]
    DEVELOPER_STATUS_PENDING_VERIFICATION: _ClassVar[DeveloperStatus]
    DEVELOPER_STATUS_ACTIVE: _ClassVar[DeveloperStatus]
    DEVELOPER_STATUS_SUSPENDED: _ClassVar[DeveloperStatus]

class PublishingTrack(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PUBLISHING_TRACK_UNSPECIFIED: _ClassVar[PublishingTrack]
    PUBLISHING_TRACK_GREENLIGHT: _ClassVar[PublishingTrack]
    PUBLISHING_TRACK_DIRECT: _ClassVar[PublishingTrack]

class LegalEntityType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LEGAL_ENTITY_TYPE_UNSPECIFIED: _ClassVar[LegalEntityType]
    LEGAL_ENTITY_TYPE_LLC: _ClassVar[LegalEntityType]
    LEGAL_ENTITY_TYPE_JOINT_STOCK_COMPANY: _ClassVar[LegalEntityType]
    LEGAL_ENTITY_TYPE_SOLE_PROPRIETOR: _ClassVar[LegalEntityType]
    LEGAL_ENTITY_TYPE_SELF_EMPLOYED: _ClassVar[LegalEntityType]
    LEGAL_ENTITY_TYPE_FOREIGN_COMPANY: _ClassVar[LegalEntityType]

class TeamRole(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TEAM_ROLE_UNSPECIFIED: _ClassVar[TeamRole]
    TEAM_ROLE_OWNER: _ClassVar[TeamRole]
    TEAM_ROLE_ADMIN: _ClassVar[TeamRole]
    TEAM_ROLE_EDITOR: _ClassVar[TeamRole]
    TEAM_ROLE_FINANCE: _ClassVar[TeamRole]
    TEAM_ROLE_VIEWER: _ClassVar[TeamRole]

class ProductType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PRODUCT_TYPE_UNSPECIFIED: _ClassVar[ProductType]
    PRODUCT_TYPE_GAME: _ClassVar[ProductType]
    PRODUCT_TYPE_DLC: _ClassVar[ProductType]
    PRODUCT_TYPE_SOFTWARE: _ClassVar[ProductType]

class GameStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    GAME_STATUS_UNSPECIFIED: _ClassVar[GameStatus]
    GAME_STATUS_DRAFT: _ClassVar[GameStatus]
    GAME_STATUS_IN_REVIEW: _ClassVar[GameStatus]
    GAME_STATUS_REJECTED: _ClassVar[GameStatus]
    GAME_STATUS_PUBLISHED: _ClassVar[GameStatus]
    GAME_STATUS_UNPUBLISHED: _ClassVar[GameStatus]
    GAME_STATUS_ARCHIVED: _ClassVar[GameStatus]

class AgeRating(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AGE_RATING_UNSPECIFIED: _ClassVar[AgeRating]
    AGE_RATING_0_PLUS: _ClassVar[AgeRating]
    AGE_RATING_6_PLUS: _ClassVar[AgeRating]
    AGE_RATING_12_PLUS: _ClassVar[AgeRating]
    AGE_RATING_16_PLUS: _ClassVar[AgeRating]
    AGE_RATING_18_PLUS: _ClassVar[AgeRating]

class Platform(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PLATFORM_UNSPECIFIED: _ClassVar[Platform]
    PLATFORM_WINDOWS_X64: _ClassVar[Platform]
    PLATFORM_LINUX_X64: _ClassVar[Platform]
    PLATFORM_MACOS_ARM64: _ClassVar[Platform]
    PLATFORM_MACOS_X64: _ClassVar[Platform]
DEVELOPER_STATUS_UNSPECIFIED: DeveloperStatus
DEVELOPER_STATUS_PENDING_VERIFICATION: DeveloperStatus
DEVELOPER_STATUS_ACTIVE: DeveloperStatus
DEVELOPER_STATUS_SUSPENDED: DeveloperStatus
PUBLISHING_TRACK_UNSPECIFIED: PublishingTrack
PUBLISHING_TRACK_GREENLIGHT: PublishingTrack
PUBLISHING_TRACK_DIRECT: PublishingTrack
LEGAL_ENTITY_TYPE_UNSPECIFIED: LegalEntityType
LEGAL_ENTITY_TYPE_LLC: LegalEntityType
LEGAL_ENTITY_TYPE_JOINT_STOCK_COMPANY: LegalEntityType
LEGAL_ENTITY_TYPE_SOLE_PROPRIETOR: LegalEntityType
LEGAL_ENTITY_TYPE_SELF_EMPLOYED: LegalEntityType
LEGAL_ENTITY_TYPE_FOREIGN_COMPANY: LegalEntityType
TEAM_ROLE_UNSPECIFIED: TeamRole
TEAM_ROLE_OWNER: TeamRole
TEAM_ROLE_ADMIN: TeamRole
TEAM_ROLE_EDITOR: TeamRole
TEAM_ROLE_FINANCE: TeamRole
TEAM_ROLE_VIEWER: TeamRole
PRODUCT_TYPE_UNSPECIFIED: ProductType
PRODUCT_TYPE_GAME: ProductType
PRODUCT_TYPE_DLC: ProductType
PRODUCT_TYPE_SOFTWARE: ProductType
GAME_STATUS_UNSPECIFIED: GameStatus
GAME_STATUS_DRAFT: GameStatus
GAME_STATUS_IN_REVIEW: GameStatus
GAME_STATUS_REJECTED: GameStatus
GAME_STATUS_PUBLISHED: GameStatus
GAME_STATUS_UNPUBLISHED: GameStatus
GAME_STATUS_ARCHIVED: GameStatus
AGE_RATING_UNSPECIFIED: AgeRating
AGE_RATING_0_PLUS: AgeRating
AGE_RATING_6_PLUS: AgeRating
AGE_RATING_12_PLUS: AgeRating
AGE_RATING_16_PLUS: AgeRating
AGE_RATING_18_PLUS: AgeRating
PLATFORM_UNSPECIFIED: Platform
PLATFORM_WINDOWS_X64: Platform
PLATFORM_LINUX_X64: Platform
PLATFORM_MACOS_ARM64: Platform
PLATFORM_MACOS_X64: Platform

class Developer(_message.Message):
    __slots__ = ("id", "legal_name", "display_name", "legal_entity_type", "country_code", "status", "publishing_track", "verified", "verified_at", "owner_user_id", "created_at", "updated_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    LEGAL_NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    LEGAL_ENTITY_TYPE_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_CODE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PUBLISHING_TRACK_FIELD_NUMBER: _ClassVar[int]
    VERIFIED_FIELD_NUMBER: _ClassVar[int]
    VERIFIED_AT_FIELD_NUMBER: _ClassVar[int]
    OWNER_USER_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    legal_name: str
    display_name: str
    legal_entity_type: LegalEntityType
    country_code: str
    status: DeveloperStatus
    publishing_track: PublishingTrack
    verified: bool
    verified_at: _timestamp_pb2.Timestamp
    owner_user_id: str
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., legal_name: _Optional[str] = ..., display_name: _Optional[str] = ..., legal_entity_type: _Optional[_Union[LegalEntityType, str]] = ..., country_code: _Optional[str] = ..., status: _Optional[_Union[DeveloperStatus, str]] = ..., publishing_track: _Optional[_Union[PublishingTrack, str]] = ..., verified: _Optional[bool] = ..., verified_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., owner_user_id: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class TeamMember(_message.Message):
    __slots__ = ("user_id", "role", "joined_at")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    JOINED_AT_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    role: TeamRole
    joined_at: _timestamp_pb2.Timestamp
    def __init__(self, user_id: _Optional[str] = ..., role: _Optional[_Union[TeamRole, str]] = ..., joined_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class MembershipLookup(_message.Message):
    __slots__ = ("developer_id", "user_id")
    DEVELOPER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    developer_id: str
    user_id: str
    def __init__(self, developer_id: _Optional[str] = ..., user_id: _Optional[str] = ...) -> None: ...

class GetDeveloperRequest(_message.Message):
    __slots__ = ("developer_id", "member_user_id", "membership")
    DEVELOPER_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_USER_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBERSHIP_FIELD_NUMBER: _ClassVar[int]
    developer_id: str
    member_user_id: str
    membership: MembershipLookup
    def __init__(self, developer_id: _Optional[str] = ..., member_user_id: _Optional[str] = ..., membership: _Optional[_Union[MembershipLookup, _Mapping]] = ...) -> None: ...

class GetDeveloperResponse(_message.Message):
    __slots__ = ("developer", "member")
    DEVELOPER_FIELD_NUMBER: _ClassVar[int]
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    developer: Developer
    member: TeamMember
    def __init__(self, developer: _Optional[_Union[Developer, _Mapping]] = ..., member: _Optional[_Union[TeamMember, _Mapping]] = ...) -> None: ...

class RegionalPrice(_message.Message):
    __slots__ = ("region", "price")
    REGION_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    region: str
    price: _money_pb2.Money
    def __init__(self, region: _Optional[str] = ..., price: _Optional[_Union[_money_pb2.Money, _Mapping]] = ...) -> None: ...

class Game(_message.Message):
    __slots__ = ("id", "developer_id", "title", "product_type", "parent_game_id", "status", "age_rating", "regions", "platforms", "release_date", "is_free", "base_price", "regional_prices", "published_at", "created_at", "updated_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    DEVELOPER_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_TYPE_FIELD_NUMBER: _ClassVar[int]
    PARENT_GAME_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    AGE_RATING_FIELD_NUMBER: _ClassVar[int]
    REGIONS_FIELD_NUMBER: _ClassVar[int]
    PLATFORMS_FIELD_NUMBER: _ClassVar[int]
    RELEASE_DATE_FIELD_NUMBER: _ClassVar[int]
    IS_FREE_FIELD_NUMBER: _ClassVar[int]
    BASE_PRICE_FIELD_NUMBER: _ClassVar[int]
    REGIONAL_PRICES_FIELD_NUMBER: _ClassVar[int]
    PUBLISHED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    developer_id: str
    title: str
    product_type: ProductType
    parent_game_id: str
    status: GameStatus
    age_rating: AgeRating
    regions: _containers.RepeatedScalarFieldContainer[str]
    platforms: _containers.RepeatedScalarFieldContainer[Platform]
    release_date: _date_pb2.Date
    is_free: bool
    base_price: _money_pb2.Money
    regional_prices: _containers.RepeatedCompositeFieldContainer[RegionalPrice]
    published_at: _timestamp_pb2.Timestamp
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., developer_id: _Optional[str] = ..., title: _Optional[str] = ..., product_type: _Optional[_Union[ProductType, str]] = ..., parent_game_id: _Optional[str] = ..., status: _Optional[_Union[GameStatus, str]] = ..., age_rating: _Optional[_Union[AgeRating, str]] = ..., regions: _Optional[_Iterable[str]] = ..., platforms: _Optional[_Iterable[_Union[Platform, str]]] = ..., release_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., is_free: _Optional[bool] = ..., base_price: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., regional_prices: _Optional[_Iterable[_Union[RegionalPrice, _Mapping]]] = ..., published_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetGameRequest(_message.Message):
    __slots__ = ("game_id",)
    GAME_ID_FIELD_NUMBER: _ClassVar[int]
    game_id: str
    def __init__(self, game_id: _Optional[str] = ...) -> None: ...

class GetGameResponse(_message.Message):
    __slots__ = ("game",)
    GAME_FIELD_NUMBER: _ClassVar[int]
    game: Game
    def __init__(self, game: _Optional[_Union[Game, _Mapping]] = ...) -> None: ...

class GetPayoutMethodRequest(_message.Message):
    __slots__ = ("developer_id", "payout_method_id")
    DEVELOPER_ID_FIELD_NUMBER: _ClassVar[int]
    PAYOUT_METHOD_ID_FIELD_NUMBER: _ClassVar[int]
    developer_id: str
    payout_method_id: str
    def __init__(self, developer_id: _Optional[str] = ..., payout_method_id: _Optional[str] = ...) -> None: ...

class PayoutMethod(_message.Message):
    __slots__ = ("id", "developer_id", "recipient_name", "inn", "kpp", "bik", "account_number", "correspondent_account", "bank_name", "currency", "is_default", "updated_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    DEVELOPER_ID_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_NAME_FIELD_NUMBER: _ClassVar[int]
    INN_FIELD_NUMBER: _ClassVar[int]
    KPP_FIELD_NUMBER: _ClassVar[int]
    BIK_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    CORRESPONDENT_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    BANK_NAME_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    IS_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    developer_id: str
    recipient_name: str
    inn: str
    kpp: str
    bik: str
    account_number: str
    correspondent_account: str
    bank_name: str
    currency: str
    is_default: bool
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., developer_id: _Optional[str] = ..., recipient_name: _Optional[str] = ..., inn: _Optional[str] = ..., kpp: _Optional[str] = ..., bik: _Optional[str] = ..., account_number: _Optional[str] = ..., correspondent_account: _Optional[str] = ..., bank_name: _Optional[str] = ..., currency: _Optional[str] = ..., is_default: _Optional[bool] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetPayoutMethodResponse(_message.Message):
    __slots__ = ("payout_method",)
    PAYOUT_METHOD_FIELD_NUMBER: _ClassVar[int]
    payout_method: PayoutMethod
    def __init__(self, payout_method: _Optional[_Union[PayoutMethod, _Mapping]] = ...) -> None: ...
