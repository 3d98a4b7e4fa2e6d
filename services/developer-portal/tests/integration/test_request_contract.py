"""developer-portal's REST contract (issue #11): strict fields refused with 400 and a pointer
before any driver, seed 001's request bodies accepted as written, an OpenAPI whose examples
the service accepts and whose every operation and field is described, and a Russian text for
every error code the service raises."""

from __future__ import annotations

import ast
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import parovoz_developer_portal
import pytest
from parovoz_developer_portal.error_texts import RUSSIAN
from parovoz_testing.tokens import user_token

PREFIX = "/api/v1/developer"
FINANCE = f"{PREFIX}/finance"
A = "/data/attributes"
INT64_MAX = 2**63 - 1
ACCOUNT_ATTRIBUTES = {
    "company_name": "Студия Контракта",
    "legal_entity_type": "llc",
    "tax_id": "7707083893",
    "contact_email": "contract@example.com",
    "country_code": "RU",
}


def _auth(user_id: uuid.UUID) -> dict[str, str]:
    return {"Authorization": f"Bearer {user_token(str(user_id))}"}


def account_body(**changes: Any) -> dict[str, Any]:
    return {
        "data": {
            "type": "developerAccountCreation",
            "attributes": {**ACCOUNT_ATTRIBUTES, **changes},
        }
    }


def game_body(**changes: Any) -> dict[str, Any]:
    return {"data": {"type": "productCreation", "attributes": {"title": "Игра", **changes}}}


def keyed(studio, user_id: uuid.UUID | None = None) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {**studio.auth(user_id or studio.owner), "Idempotency-Key": str(uuid.uuid4())}


def only_error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    [error] = response.json()["errors"]
    assert error["status"] == str(status)
    return error


# --- strict fields: 400 with a pointer, nothing stored ----------------------------------------
@pytest.mark.parametrize(
    ("amount", "pointer"),
    [
        ({"amount": {"amount_minor": "15000.00", "currency": "RUB"}}, f"{A}/amount/amount_minor"),
        ({"amount": {"amount_minor": 15000.0, "currency": "RUB"}}, f"{A}/amount/amount_minor"),
        ({"amount_minor_units": "15000.00", "currency_code": "RUB"}, f"{A}/amount_minor_units"),
    ],
)
async def test_money_as_a_string_or_a_fraction_is_refused(
    studio, amount: dict[str, Any], pointer: str
) -> None:
    await studio.add_method()
    body = {"data": {"type": "payoutRequests", "attributes": amount}}
    answer = await studio.client.post(
        f"{FINANCE}/payouts/requests", json=body, headers=keyed(studio)
    )
    error = only_error(answer, 400)
    assert (error["code"], error["source"]) == ("VALIDATION_ERROR", {"pointer": pointer})
    listed = await studio.client.get(
        f"{FINANCE}/payouts/requests", headers=studio.auth(studio.owner)
    )
    assert listed.json()["data"] == []


async def test_a_price_as_a_string_is_refused(studio) -> None:
    game = await studio.client.post(f"{PREFIX}/games", json=game_body(), headers=keyed(studio))
    assert game.status_code == 201, game.text
    prices = {
        "data": {
            "type": "gamePrices",
            "attributes": {"base_price": {"amount_minor": "15000.00", "currency": "RUB"}},
        }
    }
    answer = await studio.client.put(
        f"{PREFIX}/games/{game.json()['data']['id']}/prices",
        json=prices,
        headers=studio.auth(studio.owner),
    )
    error = only_error(answer, 400)
    assert error["source"] == {"pointer": f"{A}/base_price/amount_minor"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"company_name": "Студия\x00"}, "company_name"),
        ({"display_name": "\x00"}, "display_name"),
        ({"tax_id": "77070\x0083893"}, "tax_id"),
        ({"company_name": "С" * 256}, "company_name"),
        ({"contact_email": "a" * 250 + "@example.com"}, "contact_email"),
        ({"tax_id": "7" * 33}, "tax_id"),
        ({"country_code": "RUS"}, "country_code"),
        ({"company_name": 12345}, "company_name"),
        ({"legal_entity_type": "ЗАО"}, "legal_entity_type"),
    ],
)
async def test_account_fields_are_strings_bounded_by_their_columns_without_nul(
    client: httpx.AsyncClient, changes: dict[str, Any], field: str
) -> None:
    user = uuid.uuid4()
    answer = await client.post(
        f"{PREFIX}/accounts",
        json=account_body(**changes),
        headers={**_auth(user), "Idempotency-Key": str(uuid.uuid4())},
    )
    error = only_error(answer, 400)
    assert (error["code"], error["source"]) == ("VALIDATION_ERROR", {"pointer": f"{A}/{field}"})
    assert (await client.get(f"{PREFIX}/accounts/me", headers=_auth(user))).status_code == 404


@pytest.mark.parametrize(
    ("changes", "pointer"),
    [
        ({"title": "Игра\x00"}, f"{A}/title"),
        ({"title": "И" * 256}, f"{A}/title"),
        ({"title": "   "}, f"{A}/title"),
        ({"product_type": "movie"}, f"{A}/product_type"),
    ],
)
async def test_a_title_is_bounded_by_its_column_and_refuses_nul(
    studio, changes: dict[str, Any], pointer: str
) -> None:
    answer = await studio.client.post(
        f"{PREFIX}/games", json=game_body(**changes), headers=keyed(studio)
    )
    error = only_error(answer, 400)
    assert error["source"] == {"pointer": pointer}


async def test_the_longest_title_its_column_holds_is_accepted(studio) -> None:
    answer = await studio.client.post(
        f"{PREFIX}/games", json=game_body(title="И" * 255), headers=keyed(studio)
    )
    assert answer.status_code == 201, answer.text


async def test_a_region_longer_than_its_column_is_refused(studio) -> None:
    game = await studio.client.post(f"{PREFIX}/games", json=game_body(), headers=keyed(studio))
    regional = {"region": "KZZ", "price": {"amount_minor": 450000, "currency": "KZT"}}
    prices = {
        "data": {
            "type": "gamePrices",
            "attributes": {
                "base_price": {"amount_minor": 99900, "currency": "RUB"},
                "regional_prices": [regional],
            },
        }
    }
    answer = await studio.client.put(
        f"{PREFIX}/games/{game.json()['data']['id']}/prices",
        json=prices,
        headers=studio.auth(studio.owner),
    )
    error = only_error(answer, 400)
    assert error["source"] == {"pointer": f"{A}/regional_prices/0/region"}


@pytest.mark.parametrize(
    ("path", "parameter", "value"),
    [
        ("/payouts/requests", "page[size]", str(INT64_MAX + 1)),
        ("/ledger", "page[size]", str(INT64_MAX + 1)),
        ("/payouts/requests", "page[size]", "1.0"),
        ("/sales", "filter[to]", "0"),
        ("/sales", "filter[from]", "0"),
        ("/sales", "filter[from]", "1700000000"),
        ("/ledger", "page[cursor]", "x" * 201),
        ("/ledger", "page[cursor]", "a\x00b"),
    ],
)
async def test_query_parameters_are_parsed_strictly(
    studio, path: str, parameter: str, value: str
) -> None:
    answer = await studio.client.get(
        f"{FINANCE}{path}", params={parameter: value}, headers=studio.auth(studio.owner)
    )
    error = only_error(answer, 400)
    assert (error["code"], error["source"]) == ("VALIDATION_ERROR", {"parameter": parameter})


# --- seed 001's request bodies, as written ----------------------------------------------------
@pytest.mark.parametrize(
    ("written", "tax_id", "answered"),
    [
        ("ООО", "7707083893", "llc"),
        ("ИП", "500100732259", "sole_proprietor"),
        ("Самозанятый", "500100732259", "self_employed"),
        ("самозанятый", "500100732259", "self_employed"),
        ("АО", "7707083893", "joint_stock_company"),
        ("sole_proprietor", "500100732259", "sole_proprietor"),
    ],
)
async def test_seed_legal_forms_are_accepted_and_answered_in_one_form(
    client: httpx.AsyncClient, written: str, tax_id: str, answered: str
) -> None:
    user = uuid.uuid4()
    answer = await client.post(
        f"{PREFIX}/accounts",
        json=account_body(legal_entity_type=written, tax_id=tax_id),
        headers=_auth(user),
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["data"]["attributes"]["legal_entity_type"] == answered
    mine = await client.get(f"{PREFIX}/accounts/me", headers=_auth(user))
    assert mine.json()["data"]["attributes"]["legal_entity_type"] == answered


def seed_payout(method_id: str, amount_minor_units: int = 5_000_000) -> dict[str, Any]:
    return {
        "data": {
            "type": "payoutRequest",
            "attributes": {
                "amount_minor_units": amount_minor_units,
                "currency_code": "RUB",
                "payment_method_id": method_id,
            },
        }
    }


def our_payout(method_id: str, amount_minor: int = 5_000_000) -> dict[str, Any]:
    return {
        "data": {
            "type": "payoutRequests",
            "attributes": {
                "amount": {"amount_minor": amount_minor, "currency": "RUB"},
                "payout_method_id": method_id,
            },
        }
    }


def _comparable(answer: httpx.Response) -> dict[str, Any]:
    attributes = dict(answer.json()["data"]["attributes"])
    for varying in ("requested_at", "updated_at", "processed_at", "status"):
        attributes.pop(varying)
    return attributes


async def test_the_seeds_payout_request_means_the_same_as_ours(new_studio) -> None:
    ours, seeds = await new_studio(), await new_studio()
    answers = []
    for studio, body in ((ours, our_payout), (seeds, seed_payout)):
        method = await studio.add_method()
        answer = await studio.client.post(
            f"{FINANCE}/payouts/requests", json=body(method["id"]), headers=keyed(studio)
        )
        assert answer.status_code == 201, answer.text
        assert answer.json()["data"]["attributes"]["payout_method_id"] == method["id"]
        answers.append(answer)
    first, second = (_comparable(answer) for answer in answers)
    assert first.pop("requested_by_user_id") == str(ours.owner)
    assert second.pop("requested_by_user_id") == str(seeds.owner)
    first.pop("payout_method_id"), second.pop("payout_method_id")
    assert first == second
    assert first["amount"] == {"amount_minor": 5_000_000, "currency": "RUB"}


async def test_a_seed_form_refusal_points_at_the_seeds_field(studio) -> None:
    method = await studio.add_method()
    below = await studio.client.post(
        f"{FINANCE}/payouts/requests",
        json=seed_payout(method["id"], amount_minor_units=99_999),
        headers=keyed(studio),
    )
    error = only_error(below, 422)
    assert error["code"] == "PAYOUT_BELOW_MINIMUM"
    assert error["source"] == {"pointer": f"{A}/amount_minor_units"}
    unknown = await studio.client.post(
        f"{FINANCE}/payouts/requests", json=seed_payout(str(uuid.uuid4())), headers=keyed(studio)
    )
    error = only_error(unknown, 404)
    assert error["code"] == "PAYOUT_METHOD_NOT_FOUND"
    assert error["source"] == {"pointer": f"{A}/payment_method_id"}


@pytest.mark.parametrize(
    "attributes",
    [
        {},
        {"amount_minor_units": 5_000_000},
        {"currency_code": "RUB"},
        {
            "amount": {"amount_minor": 5_000_000, "currency": "RUB"},
            "amount_minor_units": 5_000_000,
            "currency_code": "RUB",
        },
        {
            "amount": {"amount_minor": 5_000_000, "currency": "RUB"},
            "payout_method_id": str(uuid.uuid4()),
            "payment_method_id": str(uuid.uuid4()),
        },
    ],
)
async def test_a_payout_request_gives_its_amount_in_exactly_one_form(
    studio, attributes: dict[str, Any]
) -> None:
    await studio.add_method()
    answer = await studio.client.post(
        f"{FINANCE}/payouts/requests",
        json={"data": {"type": "payoutRequest", "attributes": attributes}},
        headers=keyed(studio),
    )
    error = only_error(answer, 400)
    assert error["source"] == {"pointer": A}


# --- the OpenAPI ------------------------------------------------------------------------------
async def _document(client: httpx.AsyncClient) -> dict[str, Any]:
    answer = await client.get(f"{PREFIX}/openapi.json")
    assert answer.status_code == 200
    return answer.json()


def _operations(document: dict[str, Any]):  # type: ignore[no-untyped-def]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in {"get", "put", "post", "delete", "patch"}:
                yield path, method, operation


def _documented_codes(operation: dict[str, Any], status: int) -> set[str]:
    response = operation["responses"].get(str(status), {})
    examples = response.get("content", {}).get("application/json", {}).get("examples", {})
    return {example["value"]["errors"][0]["code"] for example in examples.values()}


async def test_every_operation_parameter_and_field_is_described(client: httpx.AsyncClient) -> None:
    document = await _document(client)
    missing = []
    for path, method, operation in _operations(document):
        if not operation.get("summary") or not operation.get("description"):
            missing.append(f"{method.upper()} {path}")
        for parameter in operation.get("parameters", []):
            if parameter["name"] != "Idempotency-Key" and not parameter.get("description"):
                missing.append(f"{method.upper()} {path} {parameter['name']}")
    for name, schema in document["components"]["schemas"].items():
        if name.startswith("Error"):  # the kit's error body, documented by the kit
            continue
        for field, field_schema in schema.get("properties", {}).items():
            if not field_schema.get("description"):
                missing.append(f"{name}.{field}")
    assert missing == []


async def _fill_path(studio, path: str) -> str:  # type: ignore[no-untyped-def]
    if "{game_id}" in path:
        game = await studio.client.post(
            f"{PREFIX}/games", json=game_body(title=f"Игра {uuid.uuid4()}"), headers=keyed(studio)
        )
        path = path.replace("{game_id}", game.json()["data"]["id"])
    # Any other id names nothing of this studio's: the answer is then a documented 404.
    path = path.replace("{language_code}", "ru-RU").replace("{language}", "ru-RU")
    return re.sub(r"\{[a-z_]+\}", lambda _: str(uuid.uuid4()), path)


async def test_every_request_example_is_accepted(new_studio, client: httpx.AsyncClient) -> None:
    """Each example of each request body, sent as Swagger UI would (token, Idempotency-Key),
    is accepted, or refused with a business error its operation documents; never 400/500."""
    document = await _document(client)
    posted = 0
    for path, method, operation in _operations(document):
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body is None:
            continue
        examples = body["schema"].get("examples") or _resolved_examples(document, body["schema"])
        assert examples, f"{method.upper()} {path} has no request example"
        for example in examples:
            if path == f"{PREFIX}/accounts":  # a user opens one account: a new user
                answer = await client.post(
                    path, json=example, headers={**_auth(uuid.uuid4()), "Idempotency-Key": "k1"}
                )
            else:
                studio = await new_studio()
                await studio.add_method()
                answer = await studio.client.request(
                    method, await _fill_path(studio, path), json=example, headers=keyed(studio)
                )
            posted += 1
            if answer.is_success:
                continue
            assert answer.status_code in (404, 409, 422), (path, example, answer.text)
            for error in answer.json()["errors"]:
                assert error["code"] in _documented_codes(operation, answer.status_code), (
                    answer.text
                )
    assert posted >= 7


def _resolved_examples(document: dict[str, Any], schema: dict[str, Any]) -> list[Any]:
    reference = schema.get("$ref", "")
    resolved = document["components"]["schemas"].get(reference.rsplit("/", 1)[-1], {})
    return list(resolved.get("examples", []))


# --- Russian texts ----------------------------------------------------------------------------
def _raised_codes() -> set[str]:
    """Every error code in developer-portal's source: ``code="..."`` of any call, and the codes
    ``bank_details._invalid(field, detail, code)`` is given."""
    codes: set[str] = set()
    source = Path(parovoz_developer_portal.__file__).parent
    for module in source.rglob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                if keyword.arg == "code" and isinstance(keyword.value, ast.Constant):
                    codes.add(keyword.value.value)
            name = getattr(node.func, "id", None)
            if (
                name == "_invalid"
                and len(node.args) == 3
                and isinstance(node.args[2], ast.Constant)
            ):
                codes.add(node.args[2].value)
    return codes


def test_every_code_raised_has_a_russian_text() -> None:
    raised = _raised_codes()
    assert {"PAYOUT_BELOW_MINIMUM", "INVALID_INN", "TEAM_ROLE_FORBIDS"} <= raised  # the scan works
    assert sorted(raised - RUSSIAN.keys()) == []
    for code, text in RUSSIAN.items():
        assert re.fullmatch(r"[A-Z][A-Z0-9_]+", code)
        assert re.search("[а-яё]", text, re.IGNORECASE), code


async def test_errors_are_in_russian_by_default_and_english_on_request(studio) -> None:
    await studio.add_method()
    body = our_payout(str(uuid.uuid4()))
    body["data"]["attributes"]["amount"]["amount_minor"] = 99_999
    body["data"]["attributes"].pop("payout_method_id")
    russian = only_error(
        await studio.client.post(f"{FINANCE}/payouts/requests", json=body, headers=keyed(studio)),
        422,
    )
    assert russian["detail"] == "Минимальная сумма выплаты — 1 000,00 RUB."
    english = only_error(
        await studio.client.post(
            f"{FINANCE}/payouts/requests",
            json=body,
            headers={**keyed(studio), "Accept-Language": "en-US,en;q=0.9"},
        ),
        422,
    )
    assert english["detail"] == "The minimum payout is 1,000.00 RUB."
    not_found = only_error(
        await studio.client.get(
            f"{FINANCE}/payouts/requests/{uuid.uuid4()}", headers=studio.auth(studio.owner)
        ),
        404,
    )
    assert not_found["detail"] == RUSSIAN["PAYOUT_REQUEST_NOT_FOUND"]


async def test_mixing_the_two_forms_is_refused_in_the_answers_language(studio) -> None:
    method = await studio.add_method()
    mixed = seed_payout(method["id"])
    mixed["data"]["attributes"]["amount"] = {"amount_minor": 5_000_000, "currency": "RUB"}
    answers = {}
    for language in ("ru", "en"):
        answer = await studio.client.post(
            f"{FINANCE}/payouts/requests",
            json=mixed,
            headers=keyed(studio) | {"Accept-Language": language},
        )
        answers[language] = only_error(answer, 400)
    assert "amount_minor_units" in answers["ru"]["detail"]
    assert answers["ru"]["detail"].startswith("Укажите сумму")
    assert "Give the amount" not in answers["ru"]["detail"]  # no English in a Russian answer
    assert answers["en"]["detail"].startswith("Value error, Give the amount")
