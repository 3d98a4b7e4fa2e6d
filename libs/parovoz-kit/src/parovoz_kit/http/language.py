"""The language of an error answer: Russian by default, English when the client prefers it.

Seed 001 §3.1 wants ``title`` and ``detail`` in Russian. A client whose ``Accept-Language``
ranks English above Russian (``en-US,en;q=0.9,ru;q=0.8``) gets English; a missing, empty or
unknown header gets Russian. This module holds the Russian texts the kit itself answers: the
titles by status, a generic detail by status, the kit's own error codes, and pydantic's
validation messages translated by error type.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any


class Language(StrEnum):
    RU = "ru"
    EN = "en"


DEFAULT_LANGUAGE = Language.RU


def _quality(parameters: list[str]) -> float:
    for parameter in parameters:
        name, _, value = parameter.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value.strip())
            except ValueError:
                return 0.0
            return quality if 0.0 <= quality <= 1.0 else 0.0
    return 1.0


def negotiate_language(accept_language: str | None) -> Language:
    """The language an ``Accept-Language`` header prefers among Russian and English.

    The language ranges are compared by their q-values (RFC 9110 §12.5.4); on a tie the one
    listed first wins; ``*`` counts for Russian; anything else is ignored. No usable range
    means Russian.
    """
    if not accept_language:
        return DEFAULT_LANGUAGE
    best: tuple[float, int, Language] | None = None
    for position, item in enumerate(accept_language[:1000].split(",")):
        tag, *parameters = item.split(";")
        primary = tag.strip().lower().split("-", 1)[0]
        if primary == "en":
            language = Language.EN
        elif primary in ("ru", "*"):
            language = Language.RU
        else:
            continue
        quality = _quality(parameters)
        if quality <= 0.0:
            continue
        # Higher quality first; on equal quality, the earlier range.
        if best is None or quality > best[0]:
            best = (quality, position, language)
    return best[2] if best is not None else DEFAULT_LANGUAGE


def language_from_headers(headers: Any) -> Language:
    """From a Starlette ``Headers`` (or any mapping with ``get``) or raw ASGI header pairs."""
    if isinstance(headers, list):
        for name, value in headers:
            if name.lower() == b"accept-language":
                return negotiate_language(value.decode("latin-1"))
        return DEFAULT_LANGUAGE
    value = headers.get("accept-language")
    return negotiate_language(value)


#: ``title`` of an error answer in Russian, by HTTP status.
RUSSIAN_TITLES: Mapping[int, str] = {
    400: "Некорректный запрос",
    401: "Требуется аутентификация",
    403: "Доступ запрещён",
    404: "Ресурс не найден",
    405: "Метод не поддерживается",
    406: "Неприемлемый формат ответа",
    408: "Истекло время ожидания запроса",
    409: "Конфликт",
    410: "Ресурс удалён",
    412: "Не выполнено предусловие",
    413: "Слишком большой запрос",
    414: "Слишком длинный адрес",
    415: "Неподдерживаемый тип содержимого",
    422: "Нарушено бизнес-правило",
    428: "Требуется предусловие",
    429: "Слишком много запросов",
    431: "Слишком большие заголовки",
    500: "Внутренняя ошибка сервера",
    501: "Не реализовано",
    502: "Ошибка шлюза",
    503: "Сервис временно недоступен",
    504: "Шлюз не дождался ответа",
}

#: A generic Russian ``detail`` by status, for errors without a text of their own.
RUSSIAN_GENERIC_DETAILS: Mapping[int, str] = {
    400: "Запрос содержит некорректные данные.",
    401: "Для этого запроса нужен действующий токен доступа.",
    403: "У вас нет прав на это действие.",
    404: "Запрошенный ресурс не найден.",
    405: "Этот метод не поддерживается по данному адресу.",
    406: "Сервис не может ответить в запрошенном формате.",
    409: "Запрос конфликтует с текущим состоянием ресурса.",
    410: "Ресурс больше не существует.",
    413: "Тело запроса превышает допустимый размер.",
    415: "Тип содержимого не поддерживается; отправьте тело как application/json.",
    422: "Запрос корректен, но нарушает бизнес-правила.",
    429: "Слишком много запросов; повторите позже.",
    500: "Произошла непредвиденная ошибка; она записана в журнал.",
    502: "Внешняя система ответила ошибкой; повторите позже.",
    503: "Сервис временно недоступен; повторите позже.",
    504: "Внешняя система не ответила вовремя; повторите позже.",
}


def russian_title(status: int) -> str:
    if status in RUSSIAN_TITLES:
        return RUSSIAN_TITLES[status]
    return "Ошибка сервера" if status >= 500 else "Ошибка запроса"


def russian_generic_detail(status: int) -> str:
    if status in RUSSIAN_GENERIC_DETAILS:
        return RUSSIAN_GENERIC_DETAILS[status]
    if status >= 500:
        return RUSSIAN_GENERIC_DETAILS[500]
    return "Запрос не может быть выполнен."


#: Russian details of the codes the kit itself raises (a service's catalogue may override).
KIT_RUSSIAN: Mapping[str, str] = {
    "TOKEN_MISSING": "Нужен токен доступа: передайте его в заголовке Authorization: Bearer.",
    "TOKEN_INVALID": "Токен доступа недействителен.",
    "TOKEN_EXPIRED": "Срок действия токена доступа истёк.",
    "TOKEN_NOT_YET_VALID": "Токен доступа ещё не действует.",
    "TOKEN_INVALID_ISSUER": "Токен доступа выпущен не нашим сервисом аутентификации.",
    "TOKEN_INVALID_AUDIENCE": "Токен доступа предназначен не для этой платформы.",
    "TOKEN_MISSING_CLAIM": "В токене доступа нет обязательного поля.",
    "TOKEN_INVALID_SIGNATURE": "Подпись токена доступа неверна.",
    "TOKEN_INVALID_ALGORITHM": "Алгоритм подписи токена доступа не допускается.",
    "TOKEN_UNKNOWN_KEY": "Ключ подписи токена доступа неизвестен.",
    "AUTH_KEYS_UNAVAILABLE": "Ключи сервиса аутентификации недоступны; повторите позже.",
    "SERVICE_TOKEN_UNAVAILABLE": "Не удалось получить служебный токен; повторите позже.",
    "PERMISSION_DENIED": "Ваши роли не позволяют выполнить это действие.",
    "SERVICE_NOT_ALLOWED": "Этому сервису не разрешено вызывать этот адрес.",
    "USER_TOKEN_REQUIRED": "Этот адрес доступен только вошедшим пользователям.",
    "IDEMPOTENCY_KEY_REQUIRED": "Для этой операции нужен ключ идемпотентности "
    "(заголовок Idempotency-Key).",
    "IDEMPOTENCY_KEY_INVALID": "Ключ идемпотентности — от 1 до 255 печатных символов ASCII "
    "без пробелов (подойдёт UUID).",
    "IDEMPOTENCY_KEY_REUSED": "Этот ключ идемпотентности уже использован для другого запроса; "
    "для нового запроса нужен новый ключ.",
    "IDEMPOTENCY_KEY_IN_USE": "Запрос с этим ключом идемпотентности ещё выполняется; "
    "повторите позже.",
    "JOB_NOT_FOUND": "Задания с таким именем нет.",
    "JOB_FAILED": "Задание завершилось ошибкой; подробности в журнале сервиса.",
    "INTERNAL_JOBS_DISABLED": "Ручной запуск заданий отключён.",
    "METHOD_NOT_ALLOWED": RUSSIAN_GENERIC_DETAILS[405],
    "RESOURCE_NOT_FOUND": RUSSIAN_GENERIC_DETAILS[404],
}


def _limit(ctx: Mapping[str, Any], name: str) -> str:
    return str(ctx.get(name, "?"))


def _genitive(count: Any, one: str, many: str) -> str:
    # After "не менее", "не более", "длиннее": 1, 21 символа; 2, 5, 11 символов.
    try:
        n = abs(int(count))
    except (TypeError, ValueError):
        return many
    return one if n % 10 == 1 and n % 100 != 11 else many


def _chars(ctx: Mapping[str, Any], name: str) -> str:
    value = ctx.get(name, "?")
    return f"{value} {_genitive(value, 'символа', 'символов')}"


def _items(ctx: Mapping[str, Any], name: str) -> str:
    value = ctx.get(name, "?")
    return f"{value} {_genitive(value, 'элемента', 'элементов')}"


def _expected(ctx: Mapping[str, Any]) -> str:
    return str(ctx.get("expected", "")).replace(" or ", " или ")


def _reason(ctx: Mapping[str, Any]) -> str:
    error = ctx.get("error")
    return f" ({error})" if error else ""


def _invalid_value(ctx: Mapping[str, Any]) -> str:
    """A validator's own refusal: its Russian text when it gave one (``InvalidValue``), else a
    generic sentence — its message is English, for the English answer only."""
    russian = getattr(ctx.get("error"), "russian", None)
    return str(russian) if russian else "Недопустимое значение."


# Pydantic's error types, in Russian. A callable gets the issue's ``ctx``.
_VALIDATION_RU: Mapping[str, Any] = {
    "missing": "Обязательное поле не заполнено.",
    "extra_forbidden": "Такого поля нет в схеме запроса.",
    "string_type": "Ожидается строка.",
    "string_sub_type": "Ожидается строка.",
    "string_unicode": "Ожидается строка в кодировке UTF-8.",
    "string_too_short": lambda c: f"Строка должна содержать не менее {_chars(c, 'min_length')}.",
    "string_too_long": lambda c: f"Строка должна содержать не более {_chars(c, 'max_length')}.",
    "string_pattern_mismatch": lambda c: f"Строка не соответствует шаблону {_limit(c, 'pattern')}.",
    "string_nul": "Строка не должна содержать символ NUL (U+0000).",
    "int_type": "Ожидается целое число.",
    "int_parsing": "Ожидается целое число, записанное цифрами.",
    "int_parsing_size": "Число выходит за допустимый диапазон.",
    "int_from_float": "Ожидается целое число без дробной части.",
    "float_type": "Ожидается число.",
    "float_parsing": "Ожидается число.",
    "finite_number": "Число должно быть конечным.",
    "decimal_type": "Ожидается десятичное число.",
    "decimal_parsing": "Ожидается десятичное число.",
    "decimal_max_digits": lambda c: f"Не более {_limit(c, 'max_digits')} цифр.",
    "decimal_max_places": lambda c: f"Не более {_limit(c, 'decimal_places')} знаков после запятой.",
    "decimal_whole_digits": lambda c: f"Не более {_limit(c, 'whole_digits')} цифр до запятой.",
    "greater_than": lambda c: f"Значение должно быть больше {_limit(c, 'gt')}.",
    "greater_than_equal": lambda c: f"Значение должно быть не меньше {_limit(c, 'ge')}.",
    "less_than": lambda c: f"Значение должно быть меньше {_limit(c, 'lt')}.",
    "less_than_equal": lambda c: f"Значение должно быть не больше {_limit(c, 'le')}.",
    "multiple_of": lambda c: f"Значение должно быть кратно {_limit(c, 'multiple_of')}.",
    "bool_type": "Ожидается логическое значение: true или false.",
    "bool_parsing": "Ожидается логическое значение: true или false.",
    "uuid_type": "Ожидается UUID.",
    "uuid_parsing": "Ожидается UUID (например, 123e4567-e89b-12d3-a456-426614174000).",
    "uuid_version": lambda c: f"Ожидается UUID версии {_limit(c, 'expected_version')}.",
    "datetime_type": "Ожидается дата и время в формате ISO 8601.",
    "datetime_parsing": lambda c: (
        f"Ожидается дата и время в формате ISO 8601 (например, 2026-01-31T12:00:00Z){_reason(c)}."
    ),
    "datetime_from_date_parsing": "Ожидается дата и время в формате ISO 8601 "
    "(например, 2026-01-31T12:00:00Z).",
    "datetime_object_invalid": "Недопустимые дата и время.",
    "datetime_not_number": "Ожидается дата или дата и время в формате ISO 8601, а не число.",
    "datetime_past": "Дата и время должны быть в прошлом.",
    "datetime_future": "Дата и время должны быть в будущем.",
    "timezone_aware": "Укажите часовой пояс (например, Z или +03:00).",
    "timezone_naive": "Часовой пояс указывать не нужно.",
    "timezone_offset": "Недопустимое смещение часового пояса.",
    "date_type": "Ожидается дата в формате ISO 8601 (например, 2026-01-31).",
    "date_parsing": "Ожидается дата в формате ISO 8601 (например, 2026-01-31).",
    "date_from_datetime_parsing": "Ожидается дата в формате ISO 8601 (например, 2026-01-31).",
    "date_from_datetime_inexact": "Ожидается дата без времени.",
    "date_past": "Дата должна быть в прошлом.",
    "date_future": "Дата должна быть в будущем.",
    "time_type": "Ожидается время в формате ISO 8601.",
    "time_parsing": "Ожидается время в формате ISO 8601.",
    "time_delta_type": "Ожидается длительность в формате ISO 8601.",
    "time_delta_parsing": "Ожидается длительность в формате ISO 8601.",
    "enum": lambda c: f"Допустимые значения: {_expected(c)}.",
    "literal_error": lambda c: f"Допустимые значения: {_expected(c)}.",
    "json_invalid": lambda c: f"Тело запроса — не JSON{_reason(c)}.",
    "json_type": "Ожидается JSON.",
    "model_type": "Ожидается объект JSON.",
    "model_attributes_type": "Ожидается объект JSON.",
    "dict_type": "Ожидается объект JSON.",
    "list_type": "Ожидается массив JSON.",
    "tuple_type": "Ожидается массив JSON.",
    "set_type": "Ожидается массив JSON.",
    "iterable_type": "Ожидается массив JSON.",
    "too_short": lambda c: f"Нужно не менее {_items(c, 'min_length')}.",
    "too_long": lambda c: f"Допускается не более {_items(c, 'max_length')}.",
    "none_required": "Ожидается null.",
    "url_type": "Ожидается адрес URL.",
    "url_parsing": "Ожидается адрес URL.",
    "url_scheme": lambda c: f"Допустимые схемы адреса: {_limit(c, 'expected_schemes')}.",
    "url_too_long": lambda c: f"Адрес длиннее {_chars(c, 'max_length')}.",
    "union_tag_invalid": lambda c: (
        f"Поле {_limit(c, 'discriminator')} должно быть одним из: {_limit(c, 'expected_tags')}."
    ),
    "union_tag_not_found": lambda c: f"Не указано поле {_limit(c, 'discriminator')}.",
    "value_error": _invalid_value,
    "assertion_error": _invalid_value,
    "bytes_type": "Ожидается строка.",
    "bytes_too_long": lambda c: f"Не более {_limit(c, 'max_length')} байт.",
    "bytes_too_short": lambda c: f"Не менее {_limit(c, 'min_length')} байт.",
    "frozen_field": "Это поле нельзя изменить.",
}


def russian_validation_message(issue: Mapping[str, Any]) -> str:
    """The Russian text of one pydantic error (``{"type", "msg", "ctx"}``)."""
    text = _VALIDATION_RU.get(str(issue.get("type", "")))
    if text is None:
        return "Недопустимое значение."
    if callable(text):
        return str(text(issue.get("ctx") or {}))
    return str(text)


__all__ = [
    "DEFAULT_LANGUAGE",
    "KIT_RUSSIAN",
    "RUSSIAN_GENERIC_DETAILS",
    "RUSSIAN_TITLES",
    "Language",
    "language_from_headers",
    "negotiate_language",
    "russian_generic_detail",
    "russian_title",
    "russian_validation_message",
]
