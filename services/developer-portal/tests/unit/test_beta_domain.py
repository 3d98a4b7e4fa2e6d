"""Beta tests' domain: the state machine (every move), dates, the cap, invite codes, joins,
leaves, feedback and the exact average rating (plain Python, no engines)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from parovoz_developer_portal.beta.domain import (
    TESTABLE_VERSION_STATES,
    BetaChanges,
    BetaStatus,
    BetaTest,
    CodeStatus,
    InviteCode,
    Participation,
    Position,
    RatingSummary,
    admit,
    can_move,
    cancel_beta_test,
    change_beta_test,
    end_beta_test,
    give_feedback,
    issue_code,
    leave,
    open_beta_test,
    plan_beta_test,
)
from parovoz_developer_portal.beta.rules import BetaRules
from parovoz_kit.errors import BusinessRuleViolation, NotFound, ValidationFailed

NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
RULES = BetaRules(
    max_participants=10_000,
    max_duration=timedelta(days=180),
    max_active_codes=3,
    default_page_size=50,
    max_page_size=200,
)
PLAYER = uuid.uuid4()


def a_test(
    *, cap: int | None = None, starts: timedelta = timedelta(0), days: int = 30, **changes: object
) -> BetaTest:
    test = plan_beta_test(
        developer_id=uuid.uuid4(),
        game_id=uuid.uuid4(),
        version_id=uuid.uuid4(),
        version_state="ready_for_review",
        title="Закрытый тест",
        description="",
        max_participants=cap,
        starts_at=NOW + starts,
        ends_at=NOW + starts + timedelta(days=days),
        user_id=uuid.uuid4(),
        rules=RULES,
        now=NOW,
    )
    return replace(test, **changes)  # type: ignore[arg-type]


def an_open_test(**kwargs: object) -> BetaTest:
    return open_beta_test(a_test(**kwargs), NOW)  # type: ignore[arg-type]


def a_code(test: BetaTest, **changes: object) -> InviteCode:
    code = issue_code(test, 0, None, None, uuid.uuid4(), RULES, NOW)
    return replace(code, **changes)  # type: ignore[arg-type]


def code_of(error: pytest.ExceptionInfo[Exception]) -> str:
    return str(getattr(error.value, "code", ""))


# --- the machine --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (
            current,
            target,
            (current, target)
            in {
                (BetaStatus.DRAFT, BetaStatus.OPEN),
                (BetaStatus.DRAFT, BetaStatus.CANCELLED),
                (BetaStatus.OPEN, BetaStatus.ENDED),
                (BetaStatus.OPEN, BetaStatus.CANCELLED),
            },
        )
        for current in BetaStatus
        for target in BetaStatus
    ],
)
def test_every_move_of_the_machine(current: BetaStatus, target: BetaStatus, allowed: bool) -> None:
    assert can_move(current, target) is allowed


def test_a_draft_opens_ends_and_records_when() -> None:
    test = a_test()
    assert test.status is BetaStatus.DRAFT and test.participant_count == 0
    opened = open_beta_test(test, NOW)
    assert opened.status is BetaStatus.OPEN and opened.opened_at == NOW
    ended = end_beta_test(opened, NOW + timedelta(days=1))
    assert ended.status is BetaStatus.ENDED and ended.ended_at == NOW + timedelta(days=1)


@pytest.mark.parametrize("start", [BetaStatus.DRAFT, BetaStatus.OPEN])
def test_draft_and_open_tests_can_be_cancelled(start: BetaStatus) -> None:
    cancelled = cancel_beta_test(a_test(status=start), NOW)
    assert cancelled.status is BetaStatus.CANCELLED and cancelled.cancelled_at == NOW


@pytest.mark.parametrize(
    ("status", "move", "code"),
    [
        (BetaStatus.DRAFT, end_beta_test, "BETA_STATE_CONFLICT"),
        (BetaStatus.OPEN, open_beta_test, "BETA_STATE_CONFLICT"),
        (BetaStatus.ENDED, open_beta_test, "BETA_ENDED"),
        (BetaStatus.ENDED, cancel_beta_test, "BETA_ENDED"),
        (BetaStatus.CANCELLED, open_beta_test, "BETA_STATE_CONFLICT"),
        (BetaStatus.CANCELLED, end_beta_test, "BETA_STATE_CONFLICT"),
        (BetaStatus.CANCELLED, cancel_beta_test, "BETA_STATE_CONFLICT"),
    ],
)
def test_illegal_moves_are_refused(status: BetaStatus, move: object, code: str) -> None:
    with pytest.raises(BusinessRuleViolation) as error:
        move(a_test(status=status), NOW)  # type: ignore[operator]
    assert code_of(error) == code


def test_an_open_test_is_ended_by_the_clock_at_its_end() -> None:
    test = an_open_test(days=10)
    end = test.ends_at
    assert test.status_at(end - timedelta(seconds=1)) is BetaStatus.OPEN
    assert test.status_at(end) is BetaStatus.ENDED
    assert test.ended_at_(end + timedelta(days=1)) == end
    with pytest.raises(BusinessRuleViolation) as error:
        end_beta_test(test, end)
    assert code_of(error) == "BETA_ENDED"
    # A draft is not ended by the clock: it needs new dates to open.
    draft = a_test(days=10)
    assert draft.status_at(end + timedelta(days=1)) is BetaStatus.DRAFT
    with pytest.raises(BusinessRuleViolation) as error:
        open_beta_test(draft, end)
    assert code_of(error) == "BETA_END_IN_PAST"


# --- dates, cap, version ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("starts", "days", "code"),
    [
        (timedelta(0), 0, "BETA_DATES_INVALID"),
        (timedelta(days=-20), 10, "BETA_END_IN_PAST"),
        (timedelta(0), 181, "BETA_TOO_LONG"),
    ],
)
def test_dates_are_checked(starts: timedelta, days: int, code: str) -> None:
    with pytest.raises(BusinessRuleViolation) as error:
        a_test(starts=starts, days=days)
    assert code_of(error) == code
    assert error.value.pointer == "/data/attributes/ends_at"


def test_the_longest_test_is_the_rules_maximum() -> None:
    assert a_test(days=180).ends_at - a_test(days=180).starts_at == timedelta(days=180)


def test_the_cap_defaults_to_the_maximum_and_stays_within_it() -> None:
    assert a_test().max_participants == RULES.max_participants
    assert a_test(cap=1).max_participants == 1
    for cap in (0, RULES.max_participants + 1):
        with pytest.raises(BusinessRuleViolation) as error:
            a_test(cap=cap)
        assert code_of(error) == "BETA_CAP_OUT_OF_RANGE"


@pytest.mark.parametrize("state", ["uploading", "processing", "failed_processing"])
def test_a_version_without_verified_builds_cannot_be_tested(state: str) -> None:
    assert state not in TESTABLE_VERSION_STATES
    with pytest.raises(BusinessRuleViolation) as error:
        plan_beta_test(
            developer_id=uuid.uuid4(),
            game_id=uuid.uuid4(),
            version_id=uuid.uuid4(),
            version_state=state,
            title="t",
            description="",
            max_participants=None,
            starts_at=NOW,
            ends_at=NOW + timedelta(days=1),
            user_id=uuid.uuid4(),
            rules=RULES,
            now=NOW,
        )
    assert code_of(error) == "BETA_VERSION_NOT_READY"


def test_changes_of_a_draft_and_of_an_open_test() -> None:
    draft = a_test()
    later = NOW + timedelta(days=2)
    changed = change_beta_test(
        draft, BetaChanges(title="Новое", starts_at=later, max_participants=5), RULES, NOW
    )
    assert (changed.title, changed.starts_at, changed.max_participants) == ("Новое", later, 5)
    opened = replace(open_beta_test(draft, NOW), participant_count=3)
    with pytest.raises(BusinessRuleViolation) as error:
        change_beta_test(opened, BetaChanges(starts_at=later), RULES, NOW)
    assert code_of(error) == "BETA_STARTS_AT_FIXED"
    with pytest.raises(BusinessRuleViolation) as error:
        change_beta_test(opened, BetaChanges(max_participants=2), RULES, NOW)
    assert code_of(error) == "BETA_CAP_BELOW_PARTICIPANTS"
    longer = change_beta_test(opened, BetaChanges(ends_at=NOW + timedelta(days=60)), RULES, NOW)
    assert longer.ends_at == NOW + timedelta(days=60)
    for final, code in ((BetaStatus.CANCELLED, "BETA_CANCELLED"), (BetaStatus.ENDED, "BETA_ENDED")):
        with pytest.raises(BusinessRuleViolation) as error:
            change_beta_test(replace(draft, status=final), BetaChanges(title="x"), RULES, NOW)
        assert code_of(error) == code


# --- codes and joins ----------------------------------------------------------------------------


def test_codes_are_random_url_safe_and_limited_per_test() -> None:
    test = a_test()
    codes = {issue_code(test, 0, None, None, uuid.uuid4(), RULES, NOW).code for _ in range(50)}
    assert len(codes) == 50
    assert all(
        len(code) == 16 and code.replace("-", "").replace("_", "").isalnum() for code in codes
    )
    with pytest.raises(BusinessRuleViolation) as error:
        issue_code(test, RULES.max_active_codes, None, None, uuid.uuid4(), RULES, NOW)
    assert code_of(error) == "BETA_CODE_LIMIT_REACHED"
    with pytest.raises(BusinessRuleViolation) as error:
        issue_code(test, 0, None, NOW, uuid.uuid4(), RULES, NOW)
    assert code_of(error) == "BETA_CODE_EXPIRY_IN_PAST"
    with pytest.raises(BusinessRuleViolation) as error:
        issue_code(replace(test, status=BetaStatus.CANCELLED), 0, None, None, PLAYER, RULES, NOW)
    assert code_of(error) == "BETA_CANCELLED"


def test_a_code_status_revoked_expired_used_up() -> None:
    test = a_test()
    code = a_code(test, max_uses=2, expires_at=NOW + timedelta(days=1))
    assert code.status_at(NOW) is CodeStatus.ACTIVE
    assert replace(code, uses=2).status_at(NOW) is CodeStatus.USED_UP
    assert code.status_at(NOW + timedelta(days=1)) is CodeStatus.EXPIRED
    revoked = code.revoked(NOW)
    assert revoked.status_at(NOW) is CodeStatus.REVOKED
    assert revoked.revoked(NOW + timedelta(hours=1)).revoked_at == NOW


def test_a_join_takes_a_place_and_a_use_once() -> None:
    test = an_open_test(cap=2)
    code = a_code(test)
    admission = admit(test, code, None, PLAYER, NOW)
    assert admission.new and admission.test.participant_count == 1 and admission.code.uses == 1
    again = admit(admission.test, admission.code, admission.participation, PLAYER, NOW)
    assert not again.new and again.test.participant_count == 1 and again.code.uses == 1


def test_the_cap_refuses_the_join_after_the_last_place() -> None:
    test = replace(an_open_test(cap=2), participant_count=2)
    with pytest.raises(BusinessRuleViolation) as error:
        admit(test, a_code(test), None, PLAYER, NOW)
    assert code_of(error) == "BETA_FULL"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"revoked_at": NOW}, "BETA_CODE_INVALID"),
        ({"expires_at": NOW}, "BETA_CODE_EXPIRED"),
        ({"max_uses": 1, "uses": 1}, "BETA_CODE_USED_UP"),
    ],
)
def test_a_join_with_a_code_that_no_longer_admits(changes: dict[str, object], code: str) -> None:
    test = an_open_test()
    with pytest.raises(BusinessRuleViolation) as error:
        admit(test, a_code(test, **changes), None, PLAYER, NOW)
    assert code_of(error) == code


@pytest.mark.parametrize(
    ("test_changes", "when", "code"),
    [
        ({"status": BetaStatus.DRAFT}, NOW, "BETA_NOT_OPEN"),
        ({"status": BetaStatus.CANCELLED}, NOW, "BETA_NOT_OPEN"),
        ({}, NOW + timedelta(days=31), "BETA_ENDED"),
    ],
)
def test_a_join_needs_an_open_running_test(
    test_changes: dict[str, object], when: datetime, code: str
) -> None:
    running = an_open_test()
    code_of_test = a_code(running)
    test = replace(running, **test_changes)  # type: ignore[arg-type]
    with pytest.raises(BusinessRuleViolation) as error:
        admit(test, code_of_test, None, PLAYER, when)
    assert code_of(error) == code


def test_a_join_before_the_start_is_refused() -> None:
    test = open_beta_test(a_test(starts=timedelta(days=1)), NOW)
    with pytest.raises(BusinessRuleViolation) as error:
        admit(test, a_code(test), None, PLAYER, NOW)
    assert code_of(error) == "BETA_NOT_STARTED"
    assert admit(test, a_code(test), None, PLAYER, NOW + timedelta(days=1)).new


def test_a_code_of_another_test_is_invalid() -> None:
    test = an_open_test()
    with pytest.raises(BusinessRuleViolation) as error:
        admit(test, a_code(an_open_test()), None, PLAYER, NOW)
    assert code_of(error) == "BETA_CODE_INVALID"


def test_leaving_frees_the_place_and_a_new_join_takes_one_again() -> None:
    test = an_open_test(cap=1)
    joined = admit(test, a_code(test), None, PLAYER, NOW)
    left_test, left = leave(joined.test, joined.participation, NOW)
    assert left_test.participant_count == 0 and left.left_at == NOW and not left.active
    rejoined = admit(left_test, joined.code, left, PLAYER, NOW)
    assert rejoined.new and rejoined.test.participant_count == 1 and rejoined.code.uses == 2
    with pytest.raises(NotFound):
        leave(left_test, left, NOW)


# --- feedback -----------------------------------------------------------------------------------


def test_feedback_is_one_per_participant_and_kept_first_time() -> None:
    test = an_open_test()
    me = Participation(test.id, PLAYER, uuid.uuid4(), NOW)
    first = give_feedback(test, me, None, 4, "Хорошо", NOW)
    later = NOW + timedelta(hours=1)
    second = give_feedback(test, me, first, 2, "Вылетает", later)
    assert (second.rating, second.created_at, second.updated_at) == (2, NOW, later)
    with pytest.raises(NotFound) as error:
        give_feedback(test, None, None, 4, "", NOW)
    assert code_of(error) == "BETA_NOT_PARTICIPANT"
    with pytest.raises(ValidationFailed):
        give_feedback(test, me, None, 6, "", NOW)
    with pytest.raises(BusinessRuleViolation) as ended:
        give_feedback(test, me, first, 5, "", test.ends_at)
    assert code_of(ended) == "BETA_ENDED"


@pytest.mark.parametrize(
    ("ratings", "hundredths", "text"),
    [
        ([], None, None),
        ([5], 500, "5.00"),
        ([4, 4, 5], 433, "4.33"),
        ([4, 5, 5], 467, "4.67"),
        ([1, 2], 150, "1.50"),
        ([1, 1, 1, 1, 1, 1, 1, 2], 113, "1.13"),  # 1.125 rounds half up
    ],
)
def test_the_average_rating_is_exact_in_hundredths(
    ratings: list[int], hundredths: int | None, text: str | None
) -> None:
    summary = RatingSummary(count=len(ratings), total=sum(ratings))
    assert summary.average_hundredths == hundredths
    assert summary.average == text


def test_page_cursors_round_trip_and_refuse_made_up_ones() -> None:
    position = Position(NOW, PLAYER)
    assert Position.of_cursor(position.cursor()) == position
    for made_up in ("nonsense", "e30", "WyJ4Il0"):
        with pytest.raises(ValidationFailed) as error:
            Position.of_cursor(made_up)
        assert code_of(error) == "INVALID_PAGE_CURSOR"
