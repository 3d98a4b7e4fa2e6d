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

class SubmissionStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SUBMISSION_STATUS_UNSPECIFIED: _ClassVar[SubmissionStatus]
    SUBMISSION_STATUS_DRAFT: _ClassVar[SubmissionStatus]
    SUBMISSION_STATUS_SUBMITTED: _ClassVar[SubmissionStatus]
    SUBMISSION_STATUS_UNDER_MODERATION: _ClassVar[SubmissionStatus]
    SUBMISSION_STATUS_ACTIVE_VOTING: _ClassVar[SubmissionStatus]
    SUBMISSION_STATUS_VOTING_COMPLETED: _ClassVar[SubmissionStatus]
    SUBMISSION_STATUS_APPROVED: _ClassVar[SubmissionStatus]
    SUBMISSION_STATUS_REJECTED: _ClassVar[SubmissionStatus]
    SUBMISSION_STATUS_WITHDRAWN: _ClassVar[SubmissionStatus]

class FeeStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FEE_STATUS_UNSPECIFIED: _ClassVar[FeeStatus]
    FEE_STATUS_AWAITING_PAYMENT: _ClassVar[FeeStatus]
    FEE_STATUS_PAID: _ClassVar[FeeStatus]
    FEE_STATUS_PAYMENT_CANCELLED: _ClassVar[FeeStatus]
    FEE_STATUS_REFUND_PENDING: _ClassVar[FeeStatus]
    FEE_STATUS_REFUNDED: _ClassVar[FeeStatus]
    FEE_STATUS_REFUND_FAILED: _ClassVar[FeeStatus]

class VoteCategory(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VOTE_CATEGORY_UNSPECIFIED: _ClassVar[VoteCategory]
    VOTE_CATEGORY_GAMEPLAY: _ClassVar[VoteCategory]
    VOTE_CATEGORY_PRESENTATION: _ClassVar[VoteCategory]
    VOTE_CATEGORY_INNOVATION: _ClassVar[VoteCategory]
    VOTE_CATEGORY_MARKET_APPEAL: _ClassVar[VoteCategory]
    VOTE_CATEGORY_TECHNICAL_QUALITY: _ClassVar[VoteCategory]
SUBMISSION_STATUS_UNSPECIFIED: SubmissionStatus
SUBMISSION_STATUS_DRAFT: SubmissionStatus
SUBMISSION_STATUS_SUBMITTED: SubmissionStatus
SUBMISSION_STATUS_UNDER_MODERATION: SubmissionStatus
SUBMISSION_STATUS_ACTIVE_VOTING: SubmissionStatus
SUBMISSION_STATUS_VOTING_COMPLETED: SubmissionStatus
SUBMISSION_STATUS_APPROVED: SubmissionStatus
SUBMISSION_STATUS_REJECTED: SubmissionStatus
SUBMISSION_STATUS_WITHDRAWN: SubmissionStatus
FEE_STATUS_UNSPECIFIED: FeeStatus
FEE_STATUS_AWAITING_PAYMENT: FeeStatus
FEE_STATUS_PAID: FeeStatus
FEE_STATUS_PAYMENT_CANCELLED: FeeStatus
FEE_STATUS_REFUND_PENDING: FeeStatus
FEE_STATUS_REFUNDED: FeeStatus
FEE_STATUS_REFUND_FAILED: FeeStatus
VOTE_CATEGORY_UNSPECIFIED: VoteCategory
VOTE_CATEGORY_GAMEPLAY: VoteCategory
VOTE_CATEGORY_PRESENTATION: VoteCategory
VOTE_CATEGORY_INNOVATION: VoteCategory
VOTE_CATEGORY_MARKET_APPEAL: VoteCategory
VOTE_CATEGORY_TECHNICAL_QUALITY: VoteCategory

class GetSubmissionRequest(_message.Message):
    __slots__ = ("submission_id",)
    SUBMISSION_ID_FIELD_NUMBER: _ClassVar[int]
    submission_id: str
    def __init__(self, submission_id: _Optional[str] = ...) -> None: ...

class GetSubmissionResponse(_message.Message):
    __slots__ = ("submission",)
    SUBMISSION_FIELD_NUMBER: _ClassVar[int]
    submission: Submission
    def __init__(self, submission: _Optional[_Union[Submission, _Mapping]] = ...) -> None: ...

class VotingWindow(_message.Message):
    __slots__ = ("start_at", "end_at", "number")
    START_AT_FIELD_NUMBER: _ClassVar[int]
    END_AT_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    start_at: _timestamp_pb2.Timestamp
    end_at: _timestamp_pb2.Timestamp
    number: int
    def __init__(self, start_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., number: _Optional[int] = ...) -> None: ...

class CategoryScore(_message.Message):
    __slots__ = ("category", "average_score", "scores_count")
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_SCORE_FIELD_NUMBER: _ClassVar[int]
    SCORES_COUNT_FIELD_NUMBER: _ClassVar[int]
    category: VoteCategory
    average_score: float
    scores_count: int
    def __init__(self, category: _Optional[_Union[VoteCategory, str]] = ..., average_score: _Optional[float] = ..., scores_count: _Optional[int] = ...) -> None: ...

class VotingResult(_message.Message):
    __slots__ = ("total_votes", "valid_votes", "yes_votes", "no_votes", "abstain_votes", "weighted_yes", "weighted_no", "weighted_approval_ratio", "category_scores", "approved", "decided_at")
    TOTAL_VOTES_FIELD_NUMBER: _ClassVar[int]
    VALID_VOTES_FIELD_NUMBER: _ClassVar[int]
    YES_VOTES_FIELD_NUMBER: _ClassVar[int]
    NO_VOTES_FIELD_NUMBER: _ClassVar[int]
    ABSTAIN_VOTES_FIELD_NUMBER: _ClassVar[int]
    WEIGHTED_YES_FIELD_NUMBER: _ClassVar[int]
    WEIGHTED_NO_FIELD_NUMBER: _ClassVar[int]
    WEIGHTED_APPROVAL_RATIO_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_SCORES_FIELD_NUMBER: _ClassVar[int]
    APPROVED_FIELD_NUMBER: _ClassVar[int]
    DECIDED_AT_FIELD_NUMBER: _ClassVar[int]
    total_votes: int
    valid_votes: int
    yes_votes: int
    no_votes: int
    abstain_votes: int
    weighted_yes: float
    weighted_no: float
    weighted_approval_ratio: float
    category_scores: _containers.RepeatedCompositeFieldContainer[CategoryScore]
    approved: bool
    decided_at: _timestamp_pb2.Timestamp
    def __init__(self, total_votes: _Optional[int] = ..., valid_votes: _Optional[int] = ..., yes_votes: _Optional[int] = ..., no_votes: _Optional[int] = ..., abstain_votes: _Optional[int] = ..., weighted_yes: _Optional[float] = ..., weighted_no: _Optional[float] = ..., weighted_approval_ratio: _Optional[float] = ..., category_scores: _Optional[_Iterable[_Union[CategoryScore, _Mapping]]] = ..., approved: _Optional[bool] = ..., decided_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Submission(_message.Message):
    __slots__ = ("id", "game_id", "developer_id", "submitter_user_id", "title", "status", "fee_status", "fee_amount", "fee_payment_id", "fee_refund_id", "voting_window", "result", "rejection_reason", "submitted_at", "withdrawn_at", "created_at", "updated_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    GAME_ID_FIELD_NUMBER: _ClassVar[int]
    DEVELOPER_ID_FIELD_NUMBER: _ClassVar[int]
    SUBMITTER_USER_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    FEE_STATUS_FIELD_NUMBER: _ClassVar[int]
    FEE_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    FEE_PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    FEE_REFUND_ID_FIELD_NUMBER: _ClassVar[int]
    VOTING_WINDOW_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    REJECTION_REASON_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    WITHDRAWN_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    game_id: str
    developer_id: str
    submitter_user_id: str
    title: str
    status: SubmissionStatus
    fee_status: FeeStatus
    fee_amount: _money_pb2.Money
    fee_payment_id: str
    fee_refund_id: str
    voting_window: VotingWindow
    result: VotingResult
    rejection_reason: str
    submitted_at: _timestamp_pb2.Timestamp
    withdrawn_at: _timestamp_pb2.Timestamp
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., game_id: _Optional[str] = ..., developer_id: _Optional[str] = ..., submitter_user_id: _Optional[str] = ..., title: _Optional[str] = ..., status: _Optional[_Union[SubmissionStatus, str]] = ..., fee_status: _Optional[_Union[FeeStatus, str]] = ..., fee_amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., fee_payment_id: _Optional[str] = ..., fee_refund_id: _Optional[str] = ..., voting_window: _Optional[_Union[VotingWindow, _Mapping]] = ..., result: _Optional[_Union[VotingResult, _Mapping]] = ..., rejection_reason: _Optional[str] = ..., submitted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., withdrawn_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
