"""The request guard: what every request must be before anything parses it.

A pure ASGI middleware :func:`~parovoz_kit.http.app.create_app` installs on every app, so every
route (webhooks, whose bodies are read before their signature is checked, included) is covered:

* a body larger than ``max_body_bytes`` -> 413 ``FILE_TOO_LARGE``, from ``Content-Length``
  before reading anything, or as soon as the streamed chunks pass the limit;
* a non-empty body of a POST, PUT, PATCH or DELETE that is not ``application/json`` (nor
  ``application/*+json``) -> 415 ``UNSUPPORTED_MEDIA_TYPE``;
* a JSON body that is not JSON (with the line and column), not UTF-8, nested deeper than
  ``max_depth``, with ``NaN``/``Infinity``, a string (value or member name) holding U+0000 or
  a lone surrogate, or an integer outside int64 -> 400 ``VALIDATION_ERROR`` with the JSON
  pointer of the offending value;
* U+0000 in the path or the query string -> 400 with ``source.parameter``.

A body that passes is replayed, byte for byte, to the app. The check is one ``json.loads``
(after a bracket count that needs no recursion) and, only when the text could hold a NUL, a
lone surrogate or a huge integer, one iterative walk.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any
from urllib.parse import parse_qsl, unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from parovoz_kit.errors import ParovozError, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from parovoz_kit.http.errors import parovoz_error_response, service_texts
from parovoz_kit.http.language import language_from_headers

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
DEFAULT_MAX_DEPTH = 32
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def is_json_media_type(content_type: str | None) -> bool:
    """``application/json`` or ``application/<anything>+json``, parameters ignored."""
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    kind, _, subtype = media.partition("/")
    return kind == "application" and (subtype == "json" or subtype.endswith("+json"))


class _BigInteger:
    """An integer literal too long to be an int64 (parsed lazily: no 4300-digit limit hit)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class _Flags:
    __slots__ = ("big_integer",)

    def __init__(self) -> None:
        self.big_integer = False


def _pointer(path: tuple[Any, ...]) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def _bracket_depth(text: str) -> int:
    """The deepest nesting of ``[`` and ``{`` outside strings, without recursion."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    depth = deepest = 0
    for char in brackets:
        if char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
        else:
            depth -= 1
    return deepest


def _refuse_constant(name: str) -> Any:
    raise ValidationFailed(
        f"{name} is not a JSON number; send a finite number.",
        detail_ru=f"{name} — не число JSON; отправьте конечное число.",
    )


def _out_of_range(pointer: str) -> ValidationFailed:
    return ValidationFailed(
        "The integer is outside the 64-bit range (-9223372036854775808..9223372036854775807).",
        detail_ru="Целое число выходит за 64-битный диапазон "
        "(-9223372036854775808..9223372036854775807).",
        pointer=pointer,
    )


def _nul(pointer: str, where: str) -> ValidationFailed:
    english = "member name" if where == "key" else "string"
    russian = "Имя поля" if where == "key" else "Строка"
    return ValidationFailed(
        f"The {english} contains the NUL character (U+0000), which is not allowed.",
        detail_ru=f"{russian} содержит символ NUL (U+0000), он не допускается.",
        pointer=pointer,
    )


def _surrogate(pointer: str) -> ValidationFailed:
    return ValidationFailed(
        "The string contains an unpaired UTF-16 surrogate, which is not valid Unicode.",
        detail_ru="Строка содержит непарный суррогат UTF-16, это недопустимый Юникод.",
        pointer=pointer,
    )


def _too_deep(max_depth: int, pointer: str | None = None) -> ValidationFailed:
    return ValidationFailed(
        f"The JSON body is nested deeper than {max_depth} levels.",
        detail_ru=f"Вложенность JSON глубже {max_depth} уровней.",
        pointer=pointer,
    )


def _walk(document: Any, *, strings: bool, integers: bool, max_depth: int) -> None:
    """Raise for the first NUL, lone surrogate or out-of-range integer (iteratively)."""
    stack: list[tuple[Any, tuple[Any, ...]]] = [(document, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            if len(path) >= max_depth:
                raise _too_deep(max_depth, _pointer(path))
            for key, item in value.items():
                if strings:
                    if "\x00" in key:
                        raise _nul(_pointer((*path, key)), "key")
                    if _SURROGATE.search(key):
                        raise _surrogate(_pointer((*path, key)))
                stack.append((item, (*path, key)))
        elif isinstance(value, list):
            if len(path) >= max_depth:
                raise _too_deep(max_depth, _pointer(path))
            stack.extend((item, (*path, index)) for index, item in enumerate(value))
        elif isinstance(value, str):
            if strings:
                if "\x00" in value:
                    raise _nul(_pointer(path), "value")
                if _SURROGATE.search(value):
                    raise _surrogate(_pointer(path))
        elif integers and isinstance(value, _BigInteger | int) and not isinstance(value, bool):
            if isinstance(value, _BigInteger) or not INT64_MIN <= value <= INT64_MAX:
                raise _out_of_range(_pointer(path))


def check_json(body: bytes, *, max_depth: int = DEFAULT_MAX_DEPTH) -> None:
    """Raise :class:`ValidationFailed` unless ``body`` is JSON the services can take."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValidationFailed(
            f"The body is not valid UTF-8 (byte {error.start + 1}); JSON is sent in UTF-8.",
            detail_ru=f"Тело запроса — не UTF-8 (байт {error.start + 1}); "
            "JSON передаётся в кодировке UTF-8.",
        ) from None
    if _bracket_depth(text) > max_depth:
        raise _too_deep(max_depth)
    flags = _Flags()

    def parse_int(literal: str) -> Any:
        flags.big_integer = flags.big_integer or len(literal.lstrip("-")) >= 19
        if len(literal) > 20:
            return _BigInteger(literal)
        return int(literal)

    def parse_float(literal: str) -> float:
        number = float(literal)
        if math.isinf(number):
            raise ValidationFailed(
                f"The number {literal[:40]} is too large.",
                detail_ru=f"Число {literal[:40]} слишком велико.",
            )
        return number

    try:
        document = json.loads(
            text, parse_int=parse_int, parse_float=parse_float, parse_constant=_refuse_constant
        )
    except json.JSONDecodeError as error:
        raise ValidationFailed(
            f"The body is not valid JSON: {error.msg} at line {error.lineno}, "
            f"column {error.colno}.",
            detail_ru=f"Тело запроса — не корректный JSON: ошибка в строке {error.lineno}, "
            f"столбце {error.colno} ({error.msg}).",
        ) from None
    except RecursionError:  # unreachable after the bracket count; never a 500 all the same
        raise _too_deep(max_depth) from None
    strings = "\\u0000" in text or _ESCAPED_SURROGATE.search(text) is not None
    if strings or flags.big_integer:
        _walk(document, strings=strings, integers=flags.big_integer, max_depth=max_depth)


def _query_nul(query_string: bytes) -> str | None:
    """The name of the first query parameter whose name or value holds U+0000."""
    if b"%00" not in query_string.lower() and b"\x00" not in query_string:
        return None
    text = query_string.decode("latin-1")
    for name, value in parse_qsl(text, keep_blank_values=True, encoding="latin-1"):
        if "\x00" in name or "\x00" in value:
            return name.replace("\x00", "%00")
    return "query"


def _path_nul(scope: Scope) -> bool:
    if "\x00" in scope.get("path", ""):
        return True
    raw = scope.get("raw_path")
    return raw is not None and b"\x00" in unquote_to_bytes(raw)


class RequestGuard:
    """Pure ASGI middleware: refuses what no route may receive, replays what it read."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        max_depth: int = DEFAULT_MAX_DEPTH,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            receive = await self._checked(scope, receive)
        except ParovozError as refusal:
            await self._refuse(scope, receive, send, refusal)
            return
        await self.app(scope, receive, send)

    async def _checked(self, scope: Scope, receive: Receive) -> Receive:
        """Raise for a refused request; else the ``receive`` the app should read from."""
        if _path_nul(scope):
            raise ValidationFailed(
                "The path contains the NUL character (%00).",
                detail_ru="Путь запроса содержит символ NUL (%00).",
                parameter="path",
            )
        parameter = _query_nul(scope.get("query_string", b""))
        if parameter is not None:
            raise ValidationFailed(
                "The query parameter contains the NUL character (%00).",
                detail_ru="Параметр запроса содержит символ NUL (%00).",
                parameter=parameter,
            )
        headers = dict(scope.get("headers", []))  # the last of a repeated header wins
        method = scope.get("method", "GET")
        content_type = headers.get(b"content-type", b"").decode("latin-1")
        declared = self._declared_length(headers.get(b"content-length"))
        if declared is not None and declared > self.max_body_bytes:
            raise self._too_large()
        if declared is None:
            may_have_body = b"transfer-encoding" in headers or method in _BODY_METHODS
        else:
            may_have_body = declared > 0
        if not may_have_body:
            return receive
        if declared and method in _BODY_METHODS and not is_json_media_type(content_type):
            raise self._not_json(content_type)
        body, tail = await self._read(receive)
        if body:
            if is_json_media_type(content_type):
                check_json(body, max_depth=self.max_depth)
            elif method in _BODY_METHODS:
                raise self._not_json(content_type)
        return self._replay(body, tail, receive)

    @staticmethod
    def _declared_length(value: bytes | None) -> int | None:
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:
            return None

    async def _read(self, receive: Receive) -> tuple[bytes, Message | None]:
        """The whole body (bounded), and a disconnect seen while reading, if any."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"".join(chunks), message
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise self._too_large()
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks), None

    @staticmethod
    def _replay(body: bytes, tail: Message | None, receive: Receive) -> Receive:
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            if tail is not None:
                return tail
            return await receive()

        return replay

    def _too_large(self) -> PayloadTooLarge:
        limit = self.max_body_bytes
        return PayloadTooLarge(
            f"The request body is larger than {limit} bytes.",
            detail_ru=f"Тело запроса больше {limit} байт.",
        )

    @staticmethod
    def _not_json(content_type: str) -> UnsupportedMediaType:
        media = content_type.split(";", 1)[0].strip().lower()
        if media == "application/x-www-form-urlencoded":
            return UnsupportedMediaType(
                "A form-encoded body (application/x-www-form-urlencoded) is not accepted; "
                "send the body as JSON with Content-Type: application/json.",
                detail_ru="Тело в виде формы (application/x-www-form-urlencoded) не принимается; "
                "отправьте тело в JSON с заголовком Content-Type: application/json.",
            )
        if not media:
            return UnsupportedMediaType(
                "The body has no Content-Type; send it as JSON with "
                "Content-Type: application/json.",
                detail_ru="У тела запроса нет заголовка Content-Type; отправьте тело в JSON "
                "с заголовком Content-Type: application/json.",
            )
        return UnsupportedMediaType(
            f"Content-Type {media} is not accepted; send the body as JSON with "
            "Content-Type: application/json.",
            detail_ru=f"Content-Type {media} не принимается; отправьте тело в JSON с заголовком "
            "Content-Type: application/json.",
        )

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, refusal: ParovozError) -> None:
        language = language_from_headers(list(scope.get("headers", [])))
        response = parovoz_error_response(refusal, language, service_texts(scope.get("app")))
        await response(scope, receive, send)


__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_MAX_DEPTH",
    "RequestGuard",
    "check_json",
    "is_json_media_type",
]
