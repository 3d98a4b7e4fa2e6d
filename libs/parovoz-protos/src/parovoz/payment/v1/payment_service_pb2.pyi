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

class PaymentPurpose(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAYMENT_PURPOSE_UNSPECIFIED: _ClassVar[PaymentPurpose]
    PAYMENT_PURPOSE_GAME_PURCHASE: _ClassVar[PaymentPurpose]
    PAYMENT_PURPOSE_SUBSCRIPTION: _ClassVar[PaymentPurpose]
    PAYMENT_PURPOSE_GREENLIGHT_FEE: _ClassVar[PaymentPurpose]
    PAYMENT_PURPOSE_WALLET_TOP_UP: _ClassVar[PaymentPurpose]
    PAYMENT_PURPOSE_GIFT_CARD: _ClassVar[PaymentPurpose]
    PAYMENT_PURPOSE_DONATION: _ClassVar[PaymentPurpose]
    PAYMENT_PURPOSE_PREORDER: _ClassVar[PaymentPurpose]
    PAYMENT_PURPOSE_CARD_VERIFICATION: _ClassVar[PaymentPurpose]

class PaymentStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAYMENT_STATUS_UNSPECIFIED: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_PENDING: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_WAITING_FOR_CAPTURE: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_SUCCEEDED: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_CANCELLED: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_ON_HOLD: _ClassVar[PaymentStatus]

class CancellationReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CANCELLATION_REASON_UNSPECIFIED: _ClassVar[CancellationReason]
    CANCELLATION_REASON_EXPIRED_ON_CONFIRMATION: _ClassVar[CancellationReason]
    CANCELLATION_REASON_CARD_EXPIRED: _ClassVar[CancellationReason]
    CANCELLATION_REASON_INSUFFICIENT_FUNDS: _ClassVar[CancellationReason]
    CANCELLATION_REASON_FRAUD_SUSPECTED: _ClassVar[CancellationReason]
    CANCELLATION_REASON_PROVIDER_ERROR: _ClassVar[CancellationReason]
    CANCELLATION_REASON_THREE_D_SECURE_FAILED: _ClassVar[CancellationReason]
    CANCELLATION_REASON_CARD_DECLINED: _ClassVar[CancellationReason]
    CANCELLATION_REASON_PAYMENT_METHOD_UNAVAILABLE: _ClassVar[CancellationReason]
    CANCELLATION_REASON_USER_BLOCKED: _ClassVar[CancellationReason]
    CANCELLATION_REASON_CANCELLED_BY_USER: _ClassVar[CancellationReason]
    CANCELLATION_REASON_CANCELLED_BY_PLATFORM: _ClassVar[CancellationReason]

class PaymentMethodType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAYMENT_METHOD_TYPE_UNSPECIFIED: _ClassVar[PaymentMethodType]
    PAYMENT_METHOD_TYPE_BANK_CARD: _ClassVar[PaymentMethodType]
    PAYMENT_METHOD_TYPE_SBP: _ClassVar[PaymentMethodType]
    PAYMENT_METHOD_TYPE_SBERPAY: _ClassVar[PaymentMethodType]
    PAYMENT_METHOD_TYPE_YOOMONEY: _ClassVar[PaymentMethodType]
    PAYMENT_METHOD_TYPE_WALLET: _ClassVar[PaymentMethodType]

class VatCode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VAT_CODE_UNSPECIFIED: _ClassVar[VatCode]
    VAT_CODE_NO_VAT: _ClassVar[VatCode]
    VAT_CODE_VAT_0: _ClassVar[VatCode]
    VAT_CODE_VAT_10: _ClassVar[VatCode]
    VAT_CODE_VAT_20: _ClassVar[VatCode]
    VAT_CODE_VAT_22: _ClassVar[VatCode]

class PaymentSubject(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAYMENT_SUBJECT_UNSPECIFIED: _ClassVar[PaymentSubject]
    PAYMENT_SUBJECT_SERVICE: _ClassVar[PaymentSubject]
    PAYMENT_SUBJECT_COMMODITY: _ClassVar[PaymentSubject]
    PAYMENT_SUBJECT_INTELLECTUAL_ACTIVITY: _ClassVar[PaymentSubject]
    PAYMENT_SUBJECT_PAYMENT: _ClassVar[PaymentSubject]
    PAYMENT_SUBJECT_AGENT_COMMISSION: _ClassVar[PaymentSubject]
    PAYMENT_SUBJECT_ANOTHER: _ClassVar[PaymentSubject]

class PaymentMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAYMENT_MODE_UNSPECIFIED: _ClassVar[PaymentMode]
    PAYMENT_MODE_FULL_PAYMENT: _ClassVar[PaymentMode]
    PAYMENT_MODE_FULL_PREPAYMENT: _ClassVar[PaymentMode]
    PAYMENT_MODE_PARTIAL_PREPAYMENT: _ClassVar[PaymentMode]
    PAYMENT_MODE_ADVANCE: _ClassVar[PaymentMode]

class RefundReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REFUND_REASON_UNSPECIFIED: _ClassVar[RefundReason]
    REFUND_REASON_CUSTOMER_REQUEST: _ClassVar[RefundReason]
    REFUND_REASON_SUBMISSION_WITHDRAWN: _ClassVar[RefundReason]
    REFUND_REASON_SUBSCRIPTION_ADJUSTMENT: _ClassVar[RefundReason]
    REFUND_REASON_PREORDER_CANCELLED: _ClassVar[RefundReason]
    REFUND_REASON_DUPLICATE: _ClassVar[RefundReason]
    REFUND_REASON_FRAUD: _ClassVar[RefundReason]
    REFUND_REASON_OTHER: _ClassVar[RefundReason]
    REFUND_REASON_WALLET_CAP_OVERFLOW: _ClassVar[RefundReason]

class RefundDestination(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REFUND_DESTINATION_UNSPECIFIED: _ClassVar[RefundDestination]
    REFUND_DESTINATION_ORIGINAL_METHOD: _ClassVar[RefundDestination]
    REFUND_DESTINATION_WALLET: _ClassVar[RefundDestination]

class RefundStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REFUND_STATUS_UNSPECIFIED: _ClassVar[RefundStatus]
    REFUND_STATUS_REQUIRES_REVIEW: _ClassVar[RefundStatus]
    REFUND_STATUS_PENDING: _ClassVar[RefundStatus]
    REFUND_STATUS_SUCCEEDED: _ClassVar[RefundStatus]
    REFUND_STATUS_FAILED: _ClassVar[RefundStatus]

class LedgerEntryKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LEDGER_ENTRY_KIND_UNSPECIFIED: _ClassVar[LedgerEntryKind]
    LEDGER_ENTRY_KIND_SALE: _ClassVar[LedgerEntryKind]
    LEDGER_ENTRY_KIND_REFUND: _ClassVar[LedgerEntryKind]
    LEDGER_ENTRY_KIND_PAYOUT: _ClassVar[LedgerEntryKind]
    LEDGER_ENTRY_KIND_CHARGEBACK: _ClassVar[LedgerEntryKind]
    LEDGER_ENTRY_KIND_ADJUSTMENT: _ClassVar[LedgerEntryKind]
PAYMENT_PURPOSE_UNSPECIFIED: PaymentPurpose
PAYMENT_PURPOSE_GAME_PURCHASE: PaymentPurpose
PAYMENT_PURPOSE_SUBSCRIPTION: PaymentPurpose
PAYMENT_PURPOSE_GREENLIGHT_FEE: PaymentPurpose
PAYMENT_PURPOSE_WALLET_TOP_UP: PaymentPurpose
PAYMENT_PURPOSE_GIFT_CARD: PaymentPurpose
PAYMENT_PURPOSE_DONATION: PaymentPurpose
PAYMENT_PURPOSE_PREORDER: PaymentPurpose
PAYMENT_PURPOSE_CARD_VERIFICATION: PaymentPurpose
PAYMENT_STATUS_UNSPECIFIED: PaymentStatus
PAYMENT_STATUS_PENDING: PaymentStatus
PAYMENT_STATUS_WAITING_FOR_CAPTURE: PaymentStatus
PAYMENT_STATUS_SUCCEEDED: PaymentStatus
PAYMENT_STATUS_CANCELLED: PaymentStatus
PAYMENT_STATUS_ON_HOLD: PaymentStatus
CANCELLATION_REASON_UNSPECIFIED: CancellationReason
CANCELLATION_REASON_EXPIRED_ON_CONFIRMATION: CancellationReason
CANCELLATION_REASON_CARD_EXPIRED: CancellationReason
CANCELLATION_REASON_INSUFFICIENT_FUNDS: CancellationReason
CANCELLATION_REASON_FRAUD_SUSPECTED: CancellationReason
CANCELLATION_REASON_PROVIDER_ERROR: CancellationReason
CANCELLATION_REASON_THREE_D_SECURE_FAILED: CancellationReason
CANCELLATION_REASON_CARD_DECLINED: CancellationReason
CANCELLATION_REASON_PAYMENT_METHOD_UNAVAILABLE: CancellationReason
CANCELLATION_REASON_USER_BLOCKED: CancellationReason
CANCELLATION_REASON_CANCELLED_BY_USER: CancellationReason
CANCELLATION_REASON_CANCELLED_BY_PLATFORM: CancellationReason
PAYMENT_METHOD_TYPE_UNSPECIFIED: PaymentMethodType
PAYMENT_METHOD_TYPE_BANK_CARD: PaymentMethodType
PAYMENT_METHOD_TYPE_SBP: PaymentMethodType
PAYMENT_METHOD_TYPE_SBERPAY: PaymentMethodType
PAYMENT_METHOD_TYPE_YOOMONEY: PaymentMethodType
PAYMENT_METHOD_TYPE_WALLET: PaymentMethodType
VAT_CODE_UNSPECIFIED: VatCode
VAT_CODE_NO_VAT: VatCode
VAT_CODE_VAT_0: VatCode
VAT_CODE_VAT_10: VatCode
VAT_CODE_VAT_20: VatCode
VAT_CODE_VAT_22: VatCode
PAYMENT_SUBJECT_UNSPECIFIED: PaymentSubject
PAYMENT_SUBJECT_SERVICE: PaymentSubject
PAYMENT_SUBJECT_COMMODITY: PaymentSubject
PAYMENT_SUBJECT_INTELLECTUAL_ACTIVITY: PaymentSubject
PAYMENT_SUBJECT_PAYMENT: PaymentSubject
PAYMENT_SUBJECT_AGENT_COMMISSION: PaymentSubject
PAYMENT_SUBJECT_ANOTHER: PaymentSubject
PAYMENT_MODE_UNSPECIFIED: PaymentMode
PAYMENT_MODE_FULL_PAYMENT: PaymentMode
PAYMENT_MODE_FULL_PREPAYMENT: PaymentMode
PAYMENT_MODE_PARTIAL_PREPAYMENT: PaymentMode
PAYMENT_MODE_ADVANCE: PaymentMode
REFUND_REASON_UNSPECIFIED: RefundReason
REFUND_REASON_CUSTOMER_REQUEST: RefundReason
REFUND_REASON_SUBMISSION_WITHDRAWN: RefundReason
REFUND_REASON_SUBSCRIPTION_ADJUSTMENT: RefundReason
REFUND_REASON_PREORDER_CANCELLED: RefundReason
REFUND_REASON_DUPLICATE: RefundReason
REFUND_REASON_FRAUD: RefundReason
REFUND_REASON_OTHER: RefundReason
REFUND_REASON_WALLET_CAP_OVERFLOW: RefundReason
REFUND_DESTINATION_UNSPECIFIED: RefundDestination
REFUND_DESTINATION_ORIGINAL_METHOD: RefundDestination
REFUND_DESTINATION_WALLET: RefundDestination
REFUND_STATUS_UNSPECIFIED: RefundStatus
REFUND_STATUS_REQUIRES_REVIEW: RefundStatus
REFUND_STATUS_PENDING: RefundStatus
REFUND_STATUS_SUCCEEDED: RefundStatus
REFUND_STATUS_FAILED: RefundStatus
LEDGER_ENTRY_KIND_UNSPECIFIED: LedgerEntryKind
LEDGER_ENTRY_KIND_SALE: LedgerEntryKind
LEDGER_ENTRY_KIND_REFUND: LedgerEntryKind
LEDGER_ENTRY_KIND_PAYOUT: LedgerEntryKind
LEDGER_ENTRY_KIND_CHARGEBACK: LedgerEntryKind
LEDGER_ENTRY_KIND_ADJUSTMENT: LedgerEntryKind

class ReceiptItem(_message.Message):
    __slots__ = ("name", "quantity", "unit_price", "vat_code", "payment_subject", "payment_mode")
    NAME_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    VAT_CODE_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_SUBJECT_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_MODE_FIELD_NUMBER: _ClassVar[int]
    name: str
    quantity: int
    unit_price: _money_pb2.Money
    vat_code: VatCode
    payment_subject: PaymentSubject
    payment_mode: PaymentMode
    def __init__(self, name: _Optional[str] = ..., quantity: _Optional[int] = ..., unit_price: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., vat_code: _Optional[_Union[VatCode, str]] = ..., payment_subject: _Optional[_Union[PaymentSubject, str]] = ..., payment_mode: _Optional[_Union[PaymentMode, str]] = ...) -> None: ...

class Customer(_message.Message):
    __slots__ = ("email", "phone")
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    email: str
    phone: str
    def __init__(self, email: _Optional[str] = ..., phone: _Optional[str] = ...) -> None: ...

class CreatePaymentRequest(_message.Message):
    __slots__ = ("idempotency_key", "purpose", "amount", "user_id", "reference", "receipt_items", "method_type", "saved_method_id", "use_wallet", "save_method", "return_url", "customer", "region", "game_id", "coupon_code", "gift_card_code", "description", "metadata")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_ITEMS_FIELD_NUMBER: _ClassVar[int]
    METHOD_TYPE_FIELD_NUMBER: _ClassVar[int]
    SAVED_METHOD_ID_FIELD_NUMBER: _ClassVar[int]
    USE_WALLET_FIELD_NUMBER: _ClassVar[int]
    SAVE_METHOD_FIELD_NUMBER: _ClassVar[int]
    RETURN_URL_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    GAME_ID_FIELD_NUMBER: _ClassVar[int]
    COUPON_CODE_FIELD_NUMBER: _ClassVar[int]
    GIFT_CARD_CODE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    purpose: PaymentPurpose
    amount: _money_pb2.Money
    user_id: str
    reference: str
    receipt_items: _containers.RepeatedCompositeFieldContainer[ReceiptItem]
    method_type: PaymentMethodType
    saved_method_id: str
    use_wallet: bool
    save_method: bool
    return_url: str
    customer: Customer
    region: str
    game_id: str
    coupon_code: str
    gift_card_code: str
    description: str
    metadata: _containers.ScalarMap[str, str]
    def __init__(self, idempotency_key: _Optional[str] = ..., purpose: _Optional[_Union[PaymentPurpose, str]] = ..., amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., user_id: _Optional[str] = ..., reference: _Optional[str] = ..., receipt_items: _Optional[_Iterable[_Union[ReceiptItem, _Mapping]]] = ..., method_type: _Optional[_Union[PaymentMethodType, str]] = ..., saved_method_id: _Optional[str] = ..., use_wallet: _Optional[bool] = ..., save_method: _Optional[bool] = ..., return_url: _Optional[str] = ..., customer: _Optional[_Union[Customer, _Mapping]] = ..., region: _Optional[str] = ..., game_id: _Optional[str] = ..., coupon_code: _Optional[str] = ..., gift_card_code: _Optional[str] = ..., description: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ...) -> None: ...

class CreatePaymentResponse(_message.Message):
    __slots__ = ("payment",)
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    payment: Payment
    def __init__(self, payment: _Optional[_Union[Payment, _Mapping]] = ...) -> None: ...

class GetPaymentRequest(_message.Message):
    __slots__ = ("payment_id",)
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    def __init__(self, payment_id: _Optional[str] = ...) -> None: ...

class GetPaymentResponse(_message.Message):
    __slots__ = ("payment",)
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    payment: Payment
    def __init__(self, payment: _Optional[_Union[Payment, _Mapping]] = ...) -> None: ...

class ChargeSavedMethodRequest(_message.Message):
    __slots__ = ("idempotency_key", "saved_method_id", "user_id", "amount", "purpose", "reference", "receipt_items", "customer", "region", "description", "metadata")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    SAVED_METHOD_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_ITEMS_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    saved_method_id: str
    user_id: str
    amount: _money_pb2.Money
    purpose: PaymentPurpose
    reference: str
    receipt_items: _containers.RepeatedCompositeFieldContainer[ReceiptItem]
    customer: Customer
    region: str
    description: str
    metadata: _containers.ScalarMap[str, str]
    def __init__(self, idempotency_key: _Optional[str] = ..., saved_method_id: _Optional[str] = ..., user_id: _Optional[str] = ..., amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., purpose: _Optional[_Union[PaymentPurpose, str]] = ..., reference: _Optional[str] = ..., receipt_items: _Optional[_Iterable[_Union[ReceiptItem, _Mapping]]] = ..., customer: _Optional[_Union[Customer, _Mapping]] = ..., region: _Optional[str] = ..., description: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ChargeSavedMethodResponse(_message.Message):
    __slots__ = ("payment",)
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    payment: Payment
    def __init__(self, payment: _Optional[_Union[Payment, _Mapping]] = ...) -> None: ...

class Payment(_message.Message):
    __slots__ = ("id", "status", "cancellation_reason", "purpose", "amount", "discount_amount", "wallet_amount", "refunded_amount", "user_id", "reference", "method_type", "confirmation_url", "saved_method_id", "region", "game_id", "metadata", "created_at", "updated_at", "expires_at", "succeeded_at")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CANCELLATION_REASON_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    WALLET_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REFUNDED_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    METHOD_TYPE_FIELD_NUMBER: _ClassVar[int]
    CONFIRMATION_URL_FIELD_NUMBER: _ClassVar[int]
    SAVED_METHOD_ID_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    GAME_ID_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    SUCCEEDED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    status: PaymentStatus
    cancellation_reason: CancellationReason
    purpose: PaymentPurpose
    amount: _money_pb2.Money
    discount_amount: _money_pb2.Money
    wallet_amount: _money_pb2.Money
    refunded_amount: _money_pb2.Money
    user_id: str
    reference: str
    method_type: PaymentMethodType
    confirmation_url: str
    saved_method_id: str
    region: str
    game_id: str
    metadata: _containers.ScalarMap[str, str]
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    expires_at: _timestamp_pb2.Timestamp
    succeeded_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., status: _Optional[_Union[PaymentStatus, str]] = ..., cancellation_reason: _Optional[_Union[CancellationReason, str]] = ..., purpose: _Optional[_Union[PaymentPurpose, str]] = ..., amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., discount_amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., wallet_amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., refunded_amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., user_id: _Optional[str] = ..., reference: _Optional[str] = ..., method_type: _Optional[_Union[PaymentMethodType, str]] = ..., confirmation_url: _Optional[str] = ..., saved_method_id: _Optional[str] = ..., region: _Optional[str] = ..., game_id: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., succeeded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RefundRequest(_message.Message):
    __slots__ = ("idempotency_key", "payment_id", "amount", "reason", "comment", "destination", "requested_by")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_BY_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    payment_id: str
    amount: _money_pb2.Money
    reason: RefundReason
    comment: str
    destination: RefundDestination
    requested_by: str
    def __init__(self, idempotency_key: _Optional[str] = ..., payment_id: _Optional[str] = ..., amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., reason: _Optional[_Union[RefundReason, str]] = ..., comment: _Optional[str] = ..., destination: _Optional[_Union[RefundDestination, str]] = ..., requested_by: _Optional[str] = ...) -> None: ...

class RefundResponse(_message.Message):
    __slots__ = ("refund",)
    REFUND_FIELD_NUMBER: _ClassVar[int]
    refund: Refund
    def __init__(self, refund: _Optional[_Union[Refund, _Mapping]] = ...) -> None: ...

class Refund(_message.Message):
    __slots__ = ("id", "payment_id", "status", "amount", "reason", "destination", "failure_reason", "created_at", "updated_at", "succeeded_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_FIELD_NUMBER: _ClassVar[int]
    FAILURE_REASON_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    SUCCEEDED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    payment_id: str
    status: RefundStatus
    amount: _money_pb2.Money
    reason: RefundReason
    destination: RefundDestination
    failure_reason: str
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    succeeded_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., payment_id: _Optional[str] = ..., status: _Optional[_Union[RefundStatus, str]] = ..., amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., reason: _Optional[_Union[RefundReason, str]] = ..., destination: _Optional[_Union[RefundDestination, str]] = ..., failure_reason: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., succeeded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetDeveloperBalanceRequest(_message.Message):
    __slots__ = ("developer_id",)
    DEVELOPER_ID_FIELD_NUMBER: _ClassVar[int]
    developer_id: str
    def __init__(self, developer_id: _Optional[str] = ...) -> None: ...

class CurrencyBalance(_message.Message):
    __slots__ = ("currency", "pending", "available", "in_payout", "owed")
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    PENDING_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    IN_PAYOUT_FIELD_NUMBER: _ClassVar[int]
    OWED_FIELD_NUMBER: _ClassVar[int]
    currency: str
    pending: _money_pb2.Money
    available: _money_pb2.Money
    in_payout: _money_pb2.Money
    owed: _money_pb2.Money
    def __init__(self, currency: _Optional[str] = ..., pending: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., available: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., in_payout: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., owed: _Optional[_Union[_money_pb2.Money, _Mapping]] = ...) -> None: ...

class GetDeveloperBalanceResponse(_message.Message):
    __slots__ = ("developer_id", "balances", "as_of")
    DEVELOPER_ID_FIELD_NUMBER: _ClassVar[int]
    BALANCES_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    developer_id: str
    balances: _containers.RepeatedCompositeFieldContainer[CurrencyBalance]
    as_of: _timestamp_pb2.Timestamp
    def __init__(self, developer_id: _Optional[str] = ..., balances: _Optional[_Iterable[_Union[CurrencyBalance, _Mapping]]] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListDeveloperLedgerRequest(_message.Message):
    __slots__ = ("developer_id", "page_size", "page_token")
    DEVELOPER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    developer_id: str
    page_size: int
    page_token: str
    def __init__(self, developer_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListDeveloperLedgerResponse(_message.Message):
    __slots__ = ("entries", "next_page_token")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[DeveloperLedgerEntry]
    next_page_token: str
    def __init__(self, entries: _Optional[_Iterable[_Union[DeveloperLedgerEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class DeveloperLedgerEntry(_message.Message):
    __slots__ = ("id", "kind", "amount", "gross_amount", "platform_fee_amount", "game_id", "payment_id", "refund_id", "payout_id", "region", "description", "created_at", "available_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    GROSS_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FEE_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    GAME_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REFUND_ID_FIELD_NUMBER: _ClassVar[int]
    PAYOUT_ID_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    kind: LedgerEntryKind
    amount: _money_pb2.Money
    gross_amount: _money_pb2.Money
    platform_fee_amount: _money_pb2.Money
    game_id: str
    payment_id: str
    refund_id: str
    payout_id: str
    region: str
    description: str
    created_at: _timestamp_pb2.Timestamp
    available_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., kind: _Optional[_Union[LedgerEntryKind, str]] = ..., amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., gross_amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., platform_fee_amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., game_id: _Optional[str] = ..., payment_id: _Optional[str] = ..., refund_id: _Optional[str] = ..., payout_id: _Optional[str] = ..., region: _Optional[str] = ..., description: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., available_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
