import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from parovoz.common.v1 import money_pb2 as _money_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PlanType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PLAN_TYPE_UNSPECIFIED: _ClassVar[PlanType]
    PLAN_TYPE_BASIC: _ClassVar[PlanType]
    PLAN_TYPE_PREMIUM: _ClassVar[PlanType]
    PLAN_TYPE_FAMILY: _ClassVar[PlanType]
    PLAN_TYPE_CORPORATE: _ClassVar[PlanType]
    PLAN_TYPE_STUDENT: _ClassVar[PlanType]

class BillingPeriod(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BILLING_PERIOD_UNSPECIFIED: _ClassVar[BillingPeriod]
    BILLING_PERIOD_MONTHLY: _ClassVar[BillingPeriod]
    BILLING_PERIOD_QUARTERLY: _ClassVar[BillingPeriod]
    BILLING_PERIOD_YEARLY: _ClassVar[BillingPeriod]

class SubscriptionStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SUBSCRIPTION_STATUS_UNSPECIFIED: _ClassVar[SubscriptionStatus]
    SUBSCRIPTION_STATUS_TRIAL: _ClassVar[SubscriptionStatus]
    SUBSCRIPTION_STATUS_ACTIVE: _ClassVar[SubscriptionStatus]
    SUBSCRIPTION_STATUS_PENDING_PAYMENT: _ClassVar[SubscriptionStatus]
    SUBSCRIPTION_STATUS_SUSPENDED: _ClassVar[SubscriptionStatus]
    SUBSCRIPTION_STATUS_CANCELLED: _ClassVar[SubscriptionStatus]
    SUBSCRIPTION_STATUS_EXPIRED: _ClassVar[SubscriptionStatus]
    SUBSCRIPTION_STATUS_INCOMPLETE: _ClassVar[SubscriptionStatus]

class AccessSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ACCESS_SOURCE_UNSPECIFIED: _ClassVar[AccessSource]
    ACCESS_SOURCE_OWN: _ClassVar[AccessSource]
    ACCESS_SOURCE_FAMILY: _ClassVar[AccessSource]
    ACCESS_SOURCE_CORPORATE_SEAT: _ClassVar[AccessSource]

class AccessReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ACCESS_REASON_UNSPECIFIED: _ClassVar[AccessReason]
    ACCESS_REASON_GRANTED: _ClassVar[AccessReason]
    ACCESS_REASON_NO_ACTIVE_SUBSCRIPTION: _ClassVar[AccessReason]
    ACCESS_REASON_SUBSCRIPTION_SUSPENDED: _ClassVar[AccessReason]
    ACCESS_REASON_GAME_NOT_IN_CATALOG: _ClassVar[AccessReason]
    ACCESS_REASON_GAME_NOT_AVAILABLE: _ClassVar[AccessReason]
    ACCESS_REASON_REGION_NOT_AVAILABLE: _ClassVar[AccessReason]
    ACCESS_REASON_AGE_RESTRICTED: _ClassVar[AccessReason]
    ACCESS_REASON_PARENTAL_APPROVAL_REQUIRED: _ClassVar[AccessReason]
    ACCESS_REASON_DEVICE_LIMIT_EXCEEDED: _ClassVar[AccessReason]
    ACCESS_REASON_SUBSCRIPTION_EXPIRED: _ClassVar[AccessReason]
    ACCESS_REASON_PLAN_REGION_RESTRICTED: _ClassVar[AccessReason]
PLAN_TYPE_UNSPECIFIED: PlanType
PLAN_TYPE_BASIC: PlanType
PLAN_TYPE_PREMIUM: PlanType
PLAN_TYPE_FAMILY: PlanType
PLAN_TYPE_CORPORATE: PlanType
PLAN_TYPE_STUDENT: PlanType
BILLING_PERIOD_UNSPECIFIED: BillingPeriod
BILLING_PERIOD_MONTHLY: BillingPeriod
BILLING_PERIOD_QUARTERLY: BillingPeriod
BILLING_PERIOD_YEARLY: BillingPeriod
SUBSCRIPTION_STATUS_UNSPECIFIED: SubscriptionStatus
SUBSCRIPTION_STATUS_TRIAL: SubscriptionStatus
SUBSCRIPTION_STATUS_ACTIVE: SubscriptionStatus
SUBSCRIPTION_STATUS_PENDING_PAYMENT: SubscriptionStatus
SUBSCRIPTION_STATUS_SUSPENDED: SubscriptionStatus
SUBSCRIPTION_STATUS_CANCELLED: SubscriptionStatus
SUBSCRIPTION_STATUS_EXPIRED: SubscriptionStatus
SUBSCRIPTION_STATUS_INCOMPLETE: SubscriptionStatus
ACCESS_SOURCE_UNSPECIFIED: AccessSource
ACCESS_SOURCE_OWN: AccessSource
ACCESS_SOURCE_FAMILY: AccessSource
ACCESS_SOURCE_CORPORATE_SEAT: AccessSource
ACCESS_REASON_UNSPECIFIED: AccessReason
ACCESS_REASON_GRANTED: AccessReason
ACCESS_REASON_NO_ACTIVE_SUBSCRIPTION: AccessReason
ACCESS_REASON_SUBSCRIPTION_SUSPENDED: AccessReason
ACCESS_REASON_GAME_NOT_IN_CATALOG: AccessReason
ACCESS_REASON_GAME_NOT_AVAILABLE: AccessReason
ACCESS_REASON_REGION_NOT_AVAILABLE: AccessReason
ACCESS_REASON_AGE_RESTRICTED: AccessReason
ACCESS_REASON_PARENTAL_APPROVAL_REQUIRED: AccessReason
ACCESS_REASON_DEVICE_LIMIT_EXCEEDED: AccessReason
ACCESS_REASON_SUBSCRIPTION_EXPIRED: AccessReason
ACCESS_REASON_PLAN_REGION_RESTRICTED: AccessReason

class CheckAccessRequest(_message.Message):
    __slots__ = ("user_id", "game_id", "device_id", "region")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    GAME_ID_FIELD_NUMBER: _ClassVar[int]
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    game_id: str
    device_id: str
    region: str
    def __init__(self, user_id: _Optional[str] = ..., game_id: _Optional[str] = ..., device_id: _Optional[str] = ..., region: _Optional[str] = ...) -> None: ...

class CheckAccessResponse(_message.Message):
    __slots__ = ("allowed", "reason", "subscription_id", "source", "access_until", "plan_id", "plan_type", "subscription_status", "devices_used", "device_limit")
    ALLOWED_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SUBSCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    ACCESS_UNTIL_FIELD_NUMBER: _ClassVar[int]
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    PLAN_TYPE_FIELD_NUMBER: _ClassVar[int]
    SUBSCRIPTION_STATUS_FIELD_NUMBER: _ClassVar[int]
    DEVICES_USED_FIELD_NUMBER: _ClassVar[int]
    DEVICE_LIMIT_FIELD_NUMBER: _ClassVar[int]
    allowed: bool
    reason: AccessReason
    subscription_id: str
    source: AccessSource
    access_until: _timestamp_pb2.Timestamp
    plan_id: str
    plan_type: PlanType
    subscription_status: SubscriptionStatus
    devices_used: int
    device_limit: int
    def __init__(self, allowed: _Optional[bool] = ..., reason: _Optional[_Union[AccessReason, str]] = ..., subscription_id: _Optional[str] = ..., source: _Optional[_Union[AccessSource, str]] = ..., access_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., plan_id: _Optional[str] = ..., plan_type: _Optional[_Union[PlanType, str]] = ..., subscription_status: _Optional[_Union[SubscriptionStatus, str]] = ..., devices_used: _Optional[int] = ..., device_limit: _Optional[int] = ...) -> None: ...

class ListUserSubscriptionsRequest(_message.Message):
    __slots__ = ("user_id", "statuses", "page_size", "page_token")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    statuses: _containers.RepeatedScalarFieldContainer[SubscriptionStatus]
    page_size: int
    page_token: str
    def __init__(self, user_id: _Optional[str] = ..., statuses: _Optional[_Iterable[_Union[SubscriptionStatus, str]]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListUserSubscriptionsResponse(_message.Message):
    __slots__ = ("subscriptions", "next_page_token")
    SUBSCRIPTIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    subscriptions: _containers.RepeatedCompositeFieldContainer[Subscription]
    next_page_token: str
    def __init__(self, subscriptions: _Optional[_Iterable[_Union[Subscription, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class Subscription(_message.Message):
    __slots__ = ("id", "owner_user_id", "source", "plan_id", "plan_type", "plan_name", "billing_period", "status", "region", "price", "auto_renew", "current_period_start", "current_period_end", "trial_end_at", "grace_until", "cancelled_at", "saved_method_id", "created_at", "updated_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_USER_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    PLAN_TYPE_FIELD_NUMBER: _ClassVar[int]
    PLAN_NAME_FIELD_NUMBER: _ClassVar[int]
    BILLING_PERIOD_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    AUTO_RENEW_FIELD_NUMBER: _ClassVar[int]
    CURRENT_PERIOD_START_FIELD_NUMBER: _ClassVar[int]
    CURRENT_PERIOD_END_FIELD_NUMBER: _ClassVar[int]
    TRIAL_END_AT_FIELD_NUMBER: _ClassVar[int]
    GRACE_UNTIL_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_AT_FIELD_NUMBER: _ClassVar[int]
    SAVED_METHOD_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    owner_user_id: str
    source: AccessSource
    plan_id: str
    plan_type: PlanType
    plan_name: str
    billing_period: BillingPeriod
    status: SubscriptionStatus
    region: str
    price: _money_pb2.Money
    auto_renew: bool
    current_period_start: _timestamp_pb2.Timestamp
    current_period_end: _timestamp_pb2.Timestamp
    trial_end_at: _timestamp_pb2.Timestamp
    grace_until: _timestamp_pb2.Timestamp
    cancelled_at: _timestamp_pb2.Timestamp
    saved_method_id: str
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., owner_user_id: _Optional[str] = ..., source: _Optional[_Union[AccessSource, str]] = ..., plan_id: _Optional[str] = ..., plan_type: _Optional[_Union[PlanType, str]] = ..., plan_name: _Optional[str] = ..., billing_period: _Optional[_Union[BillingPeriod, str]] = ..., status: _Optional[_Union[SubscriptionStatus, str]] = ..., region: _Optional[str] = ..., price: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., auto_renew: _Optional[bool] = ..., current_period_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., current_period_end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., trial_end_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., grace_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., cancelled_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., saved_method_id: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class IssueOfflineLicenseRequest(_message.Message):
    __slots__ = ("idempotency_key", "user_id", "game_id", "device_id", "region")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    GAME_ID_FIELD_NUMBER: _ClassVar[int]
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    user_id: str
    game_id: str
    device_id: str
    region: str
    def __init__(self, idempotency_key: _Optional[str] = ..., user_id: _Optional[str] = ..., game_id: _Optional[str] = ..., device_id: _Optional[str] = ..., region: _Optional[str] = ...) -> None: ...

class IssueOfflineLicenseResponse(_message.Message):
    __slots__ = ("license",)
    LICENSE_FIELD_NUMBER: _ClassVar[int]
    license: OfflineLicense
    def __init__(self, license: _Optional[_Union[OfflineLicense, _Mapping]] = ...) -> None: ...

class OfflineLicense(_message.Message):
    __slots__ = ("id", "token", "key_id", "user_id", "game_id", "device_id", "subscription_id", "issued_at", "expires_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    GAME_ID_FIELD_NUMBER: _ClassVar[int]
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    SUBSCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    ISSUED_AT_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    token: str
    key_id: str
    user_id: str
    game_id: str
    device_id: str
    subscription_id: str
    issued_at: _timestamp_pb2.Timestamp
    expires_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., token: _Optional[str] = ..., key_id: _Optional[str] = ..., user_id: _Optional[str] = ..., game_id: _Optional[str] = ..., device_id: _Optional[str] = ..., subscription_id: _Optional[str] = ..., issued_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
