"""The kit's strict request field types, one by one (no engines): what each takes and what it
refuses, as FastAPI hands them a parsed JSON body (python mode) or a query string."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

import pytest
from parovoz_kit.http.fields import (
    INT64_MAX,
    JSON_SAFE_INTEGER,
    CalendarDate,
    CountryCode,
    CurrencyCode,
    Flag,
    Instant,
    Int64,
    InvalidValue,
    MinorUnits,
    QueryInt64,
    RequestModel,
    Text,
)
from parovoz_kit.http.language import russian_validation_message
from pydantic import TypeAdapter, ValidationError


def _refused(field_type: Any, value: Any) -> str:
    with pytest.raises(ValidationError) as refused:
        TypeAdapter(field_type).validate_python(value)
    [error] = refused.value.errors()
    return str(error["type"])


def _taken(field_type: Any, value: Any) -> Any:
    return TypeAdapter(field_type).validate_python(value)


@pytest.mark.parametrize("value", ["15000.00", "15000", 15000.0, 1.5, True, None])
def test_money_is_a_json_integer_only(value: Any) -> None:
    _refused(MinorUnits, value)


def test_money_is_bounded_by_what_every_json_client_reads_exactly() -> None:
    assert _taken(MinorUnits, JSON_SAFE_INTEGER) == JSON_SAFE_INTEGER
    assert _refused(MinorUnits, JSON_SAFE_INTEGER + 1) == "less_than_equal"
    assert _refused(MinorUnits, -JSON_SAFE_INTEGER - 1) == "greater_than_equal"
    schema = TypeAdapter(MinorUnits).json_schema()
    assert (schema["minimum"], schema["maximum"]) == (-JSON_SAFE_INTEGER, JSON_SAFE_INTEGER)


def test_an_integer_stays_within_int64() -> None:
    assert _taken(Int64, INT64_MAX) == INT64_MAX
    assert _refused(Int64, INT64_MAX + 1) == "less_than_equal"
    assert _refused(Int64, "7") == "int_type"


@pytest.mark.parametrize("value", ["yes", "true", 1, 0])
def test_a_flag_is_true_or_false_only(value: Any) -> None:
    _refused(Flag, value)


@pytest.mark.parametrize("value", [0, "0", 1700000000, "1700000000", 1.5, "2026-01-31T12:00:00"])
def test_an_instant_is_iso_8601_with_an_offset_never_a_number(value: Any) -> None:
    _refused(Instant, value)


def test_an_instant_is_taken_as_written() -> None:
    taken = _taken(Instant, "2026-01-31T12:00:00Z")
    assert taken == datetime(2026, 1, 31, 12, tzinfo=UTC)


def test_a_date_is_never_a_number() -> None:
    assert _refused(CalendarDate, 0) == "datetime_not_number"
    assert _refused(CalendarDate, "20260131") == "datetime_not_number"
    assert _taken(CalendarDate, "2026-01-31") == date(2026, 1, 31)


@pytest.mark.parametrize("value", ["1.0", "1_000", " 1", "1e3", "0x10", str(INT64_MAX + 1)])
def test_a_query_integer_is_digits_within_int64(value: str) -> None:
    _refused(QueryInt64, value)


def test_a_query_integer_in_digits_is_taken() -> None:
    assert _taken(QueryInt64, "42") == 42
    assert _taken(QueryInt64, "-7") == -7


def test_text_is_a_string_within_its_column_without_nul() -> None:
    region = Annotated[str, Text(2, min_length=2)]
    assert _taken(region, "RU") == "RU"
    assert _refused(region, "RUS") == "string_too_long"
    assert _refused(region, "R\x00") == "string_nul"
    assert _refused(region, 12) == "string_type"
    assert TypeAdapter(region).json_schema()["maxLength"] == 2


def test_iso_codes() -> None:
    assert _taken(CurrencyCode, "RUB") == "RUB"
    assert _refused(CurrencyCode, "rub") == "string_pattern_mismatch"
    assert _refused(CountryCode, "RUS") == "string_too_long"


class _Body(RequestModel):
    note: str


def test_a_request_model_bounds_bare_text_and_refuses_unknown_members() -> None:
    with pytest.raises(ValidationError) as refused:
        _Body.model_validate({"note": "x" * 10_001})
    assert refused.value.errors()[0]["type"] == "string_too_long"
    with pytest.raises(ValidationError) as refused:
        _Body.model_validate({"note": "ok", "amount_minor_unit": 5})
    [error] = refused.value.errors()
    assert (error["type"], error["loc"]) == ("extra_forbidden", ("amount_minor_unit",))
    assert _Body.model_json_schema()["additionalProperties"] is False


def test_a_validators_own_refusal_answers_russian_without_its_english_text() -> None:
    russian = InvalidValue("Give one form only.", russian="Укажите только одну форму.")
    assert russian_validation_message({"type": "value_error", "ctx": {"error": russian}}) == (
        "Укажите только одну форму."
    )
    bare = ValueError("internal English wording")
    generic = russian_validation_message({"type": "value_error", "ctx": {"error": bare}})
    assert generic == "Недопустимое значение."
