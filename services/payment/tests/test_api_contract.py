"""Payment's REST contract (issue #11): strict request parsing (no string-to-number coercion,
no number as a date, strings bounded by their column, no NUL, integers within int64) answered
400 with a pointer before any driver; documents that describe every operation, parameter and
request field, with an example the service really accepts; webhooks that answer a well-formed
but unexpected body with 400, never a 500."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.clients.providers.signatures import (
    SIGNATURE_HEADER,
    body_signature,
    tbank_token,
)
from parovoz_testing.tokens import auth, service_token

PREFIX = "/api/v1/payments"
BUYER = uuid.uuid4()
ADMIN_ID = uuid.uuid4()


@pytest.fixture(scope="module")
def buyer() -> dict[str, str]:
    return auth(BUYER)


@pytest.fixture(scope="module")
def admin() -> dict[str, str]:
    return auth(ADMIN_ID, ["admin"])


@pytest.fixture(scope="module")
async def document(client: httpx.AsyncClient) -> dict[str, Any]:
    answer = await client.get(f"{PREFIX}/openapi.json")
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def keyed(headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "Idempotency-Key": str(uuid.uuid4())}


def payment(**attributes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "purpose": "card_verification",
        "amount": {"amount_minor": 100, "currency": "RUB"},
        "region": "RU",
        "method": "bank_card",
        "save_method": True,
        "return_url": "https://parovoz.example/payments/return",
    }
    return {"data": {"type": "paymentCreation", "attributes": base | attributes}}


def only_error(answer: httpx.Response, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    errors = answer.json()["errors"]
    assert len(errors) >= 1
    error: dict[str, Any] = errors[0]
    assert error["status"] == str(status)
    return error


# -- strict parsing ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("attributes", "pointer"),
    [
        # Money is a JSON integer: "15000.00" is not 15,000 kopecks, 150.5 is not an amount.
        ({"amount": {"amount_minor": "15000.00", "currency": "RUB"}}, "/amount/amount_minor"),
        ({"amount": {"amount_minor": "15000", "currency": "RUB"}}, "/amount/amount_minor"),
        ({"amount": {"amount_minor": 150.5, "currency": "RUB"}}, "/amount/amount_minor"),
        ({"amount": {"amount_minor": 2**63, "currency": "RUB"}}, "/amount/amount_minor"),
        ({"amount": {"amount_minor": 150_000, "currency": "rub"}}, "/amount/currency"),
        # NUL and strings longer than their column never reach PostgreSQL.
        ({"reference": "greenlight_submission:\x00"}, "/reference"),
        ({"reference": "r" * 256}, "/reference"),
        ({"coupon_code": "WINTER\x0025"}, "/coupon_code"),
        ({"coupon_codes": ["A" * 33]}, "/coupon_codes/0"),
        ({"region": "RUS"}, "/region"),
        ({"region": "R\x00"}, "/region"),
        ({"return_url": "javascript:alert(1)"}, "/return_url"),
        ({"return_url": "https://parovoz.example/" + "x" * 2048}, "/return_url"),
        ({"customer_email": "a" * 250 + "@x.ru"}, "/customer_email"),
        ({"use_wallet": "yes"}, "/use_wallet"),
        ({"save_method": 1}, "/save_method"),
    ],
)
async def test_a_malformed_payment_field_is_400_with_its_pointer(
    client: httpx.AsyncClient, buyer: dict[str, str], attributes: dict[str, Any], pointer: str
) -> None:
    answer = await client.post(PREFIX, json=payment(**attributes), headers=keyed(buyer))
    error = only_error(answer, 400)
    assert error["code"] == "VALIDATION_ERROR"
    assert error["source"] == {"pointer": f"/data/attributes{pointer}"}


async def test_the_well_formed_payment_is_accepted(
    client: httpx.AsyncClient, buyer: dict[str, str]
) -> None:
    # The same body as the refused ones, with its fields as written: the refusals are the
    # fields', not the request's.
    answer = await client.post(PREFIX, json=payment(), headers=keyed(buyer))
    assert answer.status_code == 201, answer.text


@pytest.mark.parametrize(
    ("path", "body", "pointer"),
    [
        (
            "/donations",
            {
                "data": {
                    "type": "donation",
                    "attributes": {
                        "streamer_id": str(uuid.uuid4()),
                        "amount": {"amount_minor": 30_000, "currency": "RUB"},
                        "message": "Спасибо\x00",
                    },
                }
            },
            "/data/attributes/message",
        ),
        (
            "/donations",
            {
                "data": {
                    "type": "donation",
                    "attributes": {
                        "streamer_id": str(uuid.uuid4()),
                        "amount": {"amount_minor": 30_000, "currency": "RUB"},
                        "message": "x" * 301,  # donations.message is String(300)
                    },
                }
            },
            "/data/attributes/message",
        ),
        (
            "/wallet/top-ups",
            {
                "data": {
                    "type": "walletTopUp",
                    "attributes": {"amount": {"amount_minor": "15000.00", "currency": "RUB"}},
                }
            },
            "/data/attributes/amount/amount_minor",
        ),
        (
            "/0b6f1c3e-5a2d-4e8f-9c71-2d4a8e6b3f10/refunds",  # no such payment
            {"data": {"type": "refundRequest", "attributes": {"comment": "нет\x00"}}},
            "/data/attributes/comment",
        ),
        (
            "/0b6f1c3e-5a2d-4e8f-9c71-2d4a8e6b3f10/refunds",  # no such payment
            {"data": {"type": "refundRequest", "attributes": {"comment": "x" * 1001}}},
            "/data/attributes/comment",
        ),
        (
            "/gift-cards/purchases",
            {
                "data": {
                    "type": "giftCardPurchase",
                    "attributes": {
                        "amount": {"amount_minor": 100_000, "currency": "RUB"},
                        "message": "x" * 501,  # gift_card_purchases.message is String(500)
                    },
                }
            },
            "/data/attributes/message",
        ),
    ],
)
async def test_nul_and_overlong_text_are_400_with_a_pointer(
    client: httpx.AsyncClient,
    buyer: dict[str, str],
    path: str,
    body: dict[str, Any],
    pointer: str,
) -> None:
    answer = await client.post(f"{PREFIX}{path}", json=body, headers=keyed(buyer))
    error = only_error(answer, 400)
    assert (error["code"], error["source"]) == ("VALIDATION_ERROR", {"pointer": pointer})


@pytest.mark.parametrize(
    ("attributes", "pointer"),
    [
        ({"code": "WINTER\x00"}, "/code"),
        ({"code": "W" * 33}, "/code"),  # coupons.code is String(32)
        ({"percent_off": "25"}, "/percent_off"),
        ({"max_uses": 2**31}, "/max_uses"),  # coupons.max_uses is an int4
        ({"expires_at": 0}, "/expires_at"),  # 0 is not 1970-01-01
        ({"expires_at": "2030-03-01T00:00:00"}, "/expires_at"),  # no offset
    ],
)
async def test_a_malformed_coupon_is_400(
    client: httpx.AsyncClient, admin: dict[str, str], attributes: dict[str, Any], pointer: str
) -> None:
    coupon = {"code": f"C{uuid.uuid4().hex[:10]}", "kind": "percent", "percent_off": 10}
    body = {"data": {"type": "coupon", "attributes": coupon | attributes}}
    answer = await client.post(f"{PREFIX}/admin/coupons", json=body, headers=admin)
    error = only_error(answer, 400)
    assert error["source"] == {"pointer": f"/data/attributes{pointer}"}


@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [
        ("/admin/coupons", {"page[after]": "0"}, "page[after]"),  # a date given as a number
        ("/admin/coupons", {"page[after]": "1700000000"}, "page[after]"),
        ("/admin/coupons", {"page[size]": str(2**63)}, "page[size]"),
        ("/admin/audit-log", {"page[after]": str(2**63)}, "page[after]"),  # int64 + 1
        ("/admin/audit-log", {"page[after]": "1e3"}, "page[after]"),
        ("/admin/payments/held", {"page[size]": "10.0"}, "page[size]"),
    ],
)
async def test_a_malformed_query_parameter_is_400_naming_it(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    path: str,
    params: dict[str, str],
    parameter: str,
) -> None:
    answer = await client.get(f"{PREFIX}{path}", params=params, headers=admin)
    error = only_error(answer, 400)
    assert (error["code"], error["source"]) == ("VALIDATION_ERROR", {"parameter": parameter})


async def test_a_region_longer_than_its_column_is_400(
    client: httpx.AsyncClient, buyer: dict[str, str]
) -> None:
    answer = await client.get(
        f"{PREFIX}/game-prices/{uuid.uuid4()}", params={"region": "RUS"}, headers=buyer
    )
    error = only_error(answer, 400)
    assert error["source"] == {"parameter": "region"}


async def test_a_business_refusal_is_422_with_its_code_in_russian_by_default(
    client: httpx.AsyncClient, buyer: dict[str, str]
) -> None:
    body = payment(amount={"amount_minor": 150_000, "currency": "CHF"})
    answer = await client.post(PREFIX, json=body, headers=keyed(buyer))
    error = only_error(answer, 422)
    assert error["code"] == "UNSUPPORTED_CURRENCY"
    assert error["detail"] == "Платежи в этой валюте не принимаются."
    english = await client.post(
        PREFIX, json=body, headers={**keyed(buyer), "Accept-Language": "en-GB,en;q=0.9"}
    )
    assert only_error(english, 422)["detail"] == "Payments in CHF are not accepted."


# -- the documents -----------------------------------------------------------------------------
def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def undescribed(
    document: dict[str, Any], schema: dict[str, Any], where: str, seen: set[str]
) -> Iterator[str]:
    """Every property under ``schema`` (through $ref, anyOf, arrays) without a description."""
    if "$ref" in schema:
        if schema["$ref"] in seen:
            return
        seen = seen | {schema["$ref"]}
        schema = resolve(document, schema)
    for option in schema.get("anyOf", []) + schema.get("allOf", []):
        yield from undescribed(document, option, where, seen)
    if "items" in schema:
        yield from undescribed(document, schema["items"], f"{where}/0", seen)
    for name, field in schema.get("properties", {}).items():
        if not field.get("description"):
            yield f"{where}/{name}"
        yield from undescribed(document, field, f"{where}/{name}", seen)


async def test_every_operation_parameter_request_and_response_field_is_described(
    document: dict[str, Any],
) -> None:
    missing: list[str] = []
    for path, method, operation in operations(document):
        name = f"{method.upper()} {path}"
        if not operation.get("summary") or not operation.get("description"):
            missing.append(f"{name}: summary/description")
        for parameter in operation.get("parameters", []):
            if parameter["in"] in {"query", "path"} and parameter["name"].endswith("_id"):
                continue  # the path's id says what it is
            if parameter["in"] == "query" and not parameter.get("description"):
                missing.append(f"{name}: parameter {parameter['name']}")
        for status, response in operation["responses"].items():
            answer = response.get("content", {}).get("application/json")
            if status.startswith("2") and answer is not None:
                missing += [
                    f"{name} {status}: {field}"
                    for field in undescribed(document, answer["schema"], "", set())
                ]
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body is not None:
            missing += [
                f"{name}: {field}" for field in undescribed(document, body["schema"], "", set())
            ]
    assert not missing, "\n".join(missing)
    assert len(list(operations(document))) >= 30


async def test_return_url_is_documented_with_its_default(document: dict[str, Any]) -> None:
    attributes = document["components"]["schemas"]["PaymentCreationAttributes"]
    assert {"purpose", "amount", "region"} <= set(attributes["required"])
    return_url = attributes["properties"]["return_url"]
    assert "PAYMENT_DEFAULT_RETURN_URL" in return_url["description"]
    purpose = attributes["properties"]["purpose"]["description"]
    for value in ("game_purchase", "subscription", "greenlight_fee", "card_verification"):
        assert value in purpose
    assert "subscription" in attributes["properties"]["reference"]["description"]


def _examples(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, method, operation in operations(document):
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body is None:
            continue
        schema = resolve(document, body["schema"])
        examples = list(schema.get("examples", []))
        examples += [example["value"] for example in body.get("examples", {}).values()]
        if "example" in body:
            examples.append(body["example"])
        assert examples, f"{method.upper()} {path} has no example"
        for example in examples:
            yield path, method, example


def _filled(path: str) -> str:
    # A path's ids: ones nobody has (404 is the operation's documented answer), a currency.
    path = path.replace("{currency}", "KZT")
    return re.sub(r"\{[a-z_]+(:uuid)?\}", lambda _: str(uuid.uuid4()), path)


async def test_every_request_body_example_is_accepted(
    client: httpx.AsyncClient, document: dict[str, Any], admin: dict[str, str]
) -> None:
    social = {"Authorization": f"Bearer {service_token('social')}"}
    tried = 0
    for path, method, example in _examples(document):
        if path.startswith("/webhooks"):
            continue
        headers = social if path.endswith("/referral-payouts") else admin
        answer = await client.request(method, _filled(path), json=example, headers=keyed(headers))
        tried += 1
        # 2xx, or the operation's business answer (an id nobody has, a rule it refuses);
        # never the request's shape (400), never a crash.
        assert answer.status_code < 500, f"{method} {path}: {answer.text}"
        assert answer.status_code not in (400, 401, 403), f"{method} {path}: {answer.text}"
        if answer.status_code >= 400:
            assert answer.json()["errors"][0]["code"] != "VALIDATION_ERROR", answer.text
    assert tried >= 14


# -- webhooks ----------------------------------------------------------------------------------
def _yookassa(infrastructure: Infrastructure, body: bytes) -> dict[str, str]:
    secret = infrastructure.settings.providers.webhook_secret.get_secret_value()  # type: ignore[attr-defined]
    return {"Content-Type": "application/json", SIGNATURE_HEADER: body_signature(body, secret)}


@pytest.mark.parametrize(
    "notification",
    [
        [],
        "notification",
        42,
        {},
        {"type": "notification"},
        {"type": "notification", "event": "payment.succeeded", "object": []},
        {"type": "notification", "event": "payment.succeeded", "object": {"id": ["x"]}},
        {"type": "notification", "event": "payment.succeeded", "object": {"id": "x" * 65}},
        {"type": "notification", "event": ["payment"], "object": {"id": "p-1"}},
        {"type": "notification", "event": "chargeback.opened", "object": {"id": "cb-1"}},
    ],
)
async def test_an_unexpected_yookassa_body_is_400_never_500(
    client: httpx.AsyncClient, infrastructure: Infrastructure, notification: Any
) -> None:
    body = json.dumps(notification).encode()
    answer = await client.post(
        "/webhooks/yookassa", content=body, headers=_yookassa(infrastructure, body)
    )
    error = only_error(answer, 400)
    assert error["code"] == "WEBHOOK_BODY_INVALID"


@pytest.mark.parametrize(
    "params",
    [
        {"Status": "CONFIRMED"},
        {"Status": ["CONFIRMED"], "PaymentId": 1},
        {"Status": "CONFIRMED", "PaymentId": {"id": 1}},
        {"Status": "CONFIRMED", "PaymentId": "p" * 65},
        {"Status": "CONFIRMED", "PaymentId": True},
        {"Status": "CHARGEBACK", "PaymentId": 7, "ChargebackId": ["cb"]},
        {"Status": "CHARGEBACK", "PaymentId": 7, "Amount": "700"},
        {"Status": "RECEIPT", "PaymentId": 7, "Amount": 1.5, "Type": "Income"},
        {
            "Status": "RECEIPT",
            "PaymentId": 7,
            "Amount": 100,
            "Type": "Income",
            "Success": True,
            "FnNumber": "9" * 60,
            "FiscalDocumentNumber": 12345,
        },
    ],
)
async def test_an_unexpected_tbank_body_is_400_never_500(
    client: httpx.AsyncClient, infrastructure: Infrastructure, params: dict[str, Any]
) -> None:
    config = infrastructure.settings.providers  # type: ignore[attr-defined]
    body: dict[str, Any] = {"TerminalKey": config.tbank_terminal_key, **params}
    body["Token"] = tbank_token(body, config.tbank_password.get_secret_value())
    answer = await client.post(
        "/webhooks/tbank", content=json.dumps(body), headers={"Content-Type": "application/json"}
    )
    error = only_error(answer, 400)
    assert error["code"] == "WEBHOOK_BODY_INVALID"


async def test_a_webhook_body_that_is_not_an_object_is_refused_unsigned_or_not(
    client: httpx.AsyncClient,
) -> None:
    for path in ("/webhooks/yookassa", "/webhooks/tbank"):
        for body in (b"[]", b'"x"', b"null"):
            answer = await client.post(
                path, content=body, headers={"Content-Type": "application/json"}
            )
            assert answer.status_code in (400, 401), answer.text
            assert answer.json()["errors"][0]["code"] in (
                "WEBHOOK_BODY_INVALID",
                "WEBHOOK_SIGNATURE_INVALID",
            )


async def test_each_operation_documents_its_business_codes(document: dict[str, Any]) -> None:
    def codes(path: str, method: str, status: int) -> set[str]:
        response = document["paths"][f"{PREFIX}{path}"][method]["responses"][str(status)]
        return set(response["content"]["application/json"]["examples"])

    assert {"AMOUNT_MISMATCH", "COUPON_EXPIRED", "WALLET_LOCKED"} <= codes("", "post", 422)
    assert codes("", "post", 429) == {"GIFT_CARD_ATTEMPTS_EXCEEDED"}
    limited = document["paths"][f"{PREFIX}/gift-cards/balance-check"]["post"]["responses"]
    assert "Retry-After" in limited["429"]["headers"]
    assert "TOP_UP_ABOVE_MAXIMUM" in codes("/wallet/top-ups", "post", 422)
    assert "REFUND_EXCEEDS_CAPTURED" in codes("/{payment_id}/refunds", "post", 422)
    assert "COUPON_CODE_TAKEN" in codes("/admin/coupons", "post", 409)
    hooks = document["paths"]["/webhooks/tbank"]["post"]["responses"]
    assert "WEBHOOK_BODY_INVALID" in hooks["400"]["content"]["application/json"]["examples"]


def test_every_documented_code_is_raised_and_has_a_russian_text() -> None:
    from parovoz_payment.api import documented_errors
    from parovoz_payment.error_texts import RUSSIAN

    documented = {
        code
        for name, group in vars(documented_errors).items()
        if name.isupper() and isinstance(group, dict)
        for codes in group.values()
        for code in codes
    }
    assert len(documented) > 60
    assert not documented - RUSSIAN.keys()
