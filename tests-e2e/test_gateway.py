"""Every service answers through the gateway: probes, OpenAPI, offline Swagger UI; metrics only
on the service ports; the gateway's own errors in the platform's format; nosniff and no-store."""

from __future__ import annotations

import re

import httpx
import pytest
from parovoz_testing.platform import ServiceUnderTest


def test_health_through_the_gateway(gateway: str, service: ServiceUnderTest) -> None:
    response = httpx.get(f"{gateway}{service.prefix}/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "service": service.name}
    assert response.headers["x-served-by"] == service.name


def test_ready_through_the_gateway(gateway: str, service: ServiceUnderTest) -> None:
    response = httpx.get(f"{gateway}{service.prefix}/ready")
    assert response.status_code == 200, response.text
    assert set(response.json()["checks"].values()) == {"up"}


def test_root_probes_for_kubernetes(service: ServiceUnderTest) -> None:
    base = f"http://127.0.0.1:{service.http_port}"
    assert httpx.get(f"{base}/health").status_code == 200
    assert httpx.get(f"{base}/ready").status_code == 200
    metrics = httpx.get(f"{base}/metrics")
    assert metrics.status_code == 200
    assert "http_requests_total" in metrics.text


def test_metrics_on_the_service_port(gateway: str, service: ServiceUnderTest) -> None:
    httpx.get(f"{gateway}{service.prefix}/health")
    body = httpx.get(f"http://127.0.0.1:{service.http_port}/metrics").text
    assert re.search(
        rf'http_requests_total{{method="GET",route="{service.prefix}/health",status="200"}} \d',
        body,
    )


@pytest.mark.parametrize(
    "suffix",
    ["/metrics", "/metrics/", "//metrics", "/%6Detrics", "/./metrics", "/x/../metrics", "/METRICS"],
)
def test_metrics_are_not_reachable_through_the_gateway(
    gateway: str, service: ServiceUnderTest, suffix: str
) -> None:
    # The service itself serves {prefix}/metrics: only the gateway stands in the way.
    assert (
        httpx.get(f"http://127.0.0.1:{service.http_port}{service.prefix}/metrics").status_code
        == 200
    )
    response = httpx.get(f"{gateway}{service.prefix}{suffix}", follow_redirects=False)
    assert response.status_code == 404, suffix
    assert "x-served-by" not in response.headers
    assert "http_requests_total" not in response.text
    [error] = response.json()["errors"]
    assert error["code"] == "RESOURCE_NOT_FOUND"
    assert error["title"] == "Ресурс не найден"


def test_exact_prefix_is_routed_without_redirect(gateway: str, service: ServiceUnderTest) -> None:
    response = httpx.get(f"{gateway}{service.prefix}", follow_redirects=False)
    assert response.headers["x-served-by"] == service.name
    if service.name == "subscription":  # its prefix is a collection: the caller's subscriptions
        assert response.status_code == 401
        assert response.json()["errors"][0]["status"] == "401"
        return
    assert response.status_code == 200
    assert response.json()["service"] == service.name


def test_openapi_and_offline_swagger_ui(gateway: str, service: ServiceUnderTest) -> None:
    spec = httpx.get(f"{gateway}{service.prefix}/openapi.json")
    assert spec.status_code == 200
    assert spec.json()["info"]["title"] == f"Parovoz {service.name}"
    page = httpx.get(f"{gateway}{service.prefix}/docs")
    assert page.status_code == 200
    assets = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", page.text)
    assert assets, "the page references its scripts and styles"
    for asset in assets:
        assert asset.startswith(f"{service.prefix}/docs/static/"), asset
        assert httpx.get(f"{gateway}{asset}").status_code == 200


def test_unknown_path_under_a_prefix_is_the_services_json_404(
    gateway: str, service: ServiceUnderTest
) -> None:
    response = httpx.get(f"{gateway}{service.prefix}/no-such-thing")
    assert response.status_code == 404
    assert response.headers["x-served-by"] == service.name
    assert response.json()["errors"][0]["code"] == "RESOURCE_NOT_FOUND"


def test_webhooks_go_to_payment(gateway: str) -> None:
    response = httpx.post(f"{gateway}/webhooks/unknown-provider", json={})
    assert response.headers["x-served-by"] == "payment"
    assert response.status_code == 404


def test_paths_outside_every_prefix_get_a_json_404_from_the_gateway(gateway: str) -> None:
    for path in ("/", "/api/v1/developers", "/api/v1/paymentsX/health", "/api/v2/payments"):
        response = httpx.get(f"{gateway}{path}", follow_redirects=False)
        assert response.status_code == 404, path
        assert "x-served-by" not in response.headers, path
        [error] = response.json()["errors"]
        assert error["code"] == "RESOURCE_NOT_FOUND"
        assert error["status"] == "404" and error["title"] == "Ресурс не найден"
        assert response.headers["content-language"] == "ru"


def test_the_gateways_own_errors_speak_english_on_request(gateway: str) -> None:
    response = httpx.get(f"{gateway}/api/v2/payments", headers={"Accept-Language": "en-US,en"})
    [error] = response.json()["errors"]
    assert error["title"] == "Not Found" and error["code"] == "RESOURCE_NOT_FOUND"
    assert response.headers["content-language"] == "en"


def test_gateway_refuses_oversized_bodies_in_the_error_format(gateway: str) -> None:
    response = httpx.post(f"{gateway}/api/v1/payments/anything", content=b"x" * (3 * 1024 * 1024))
    assert response.status_code == 413
    [error] = response.json()["errors"]
    assert error["code"] == "FILE_TOO_LARGE"
    assert error["status"] == "413" and error["title"] == "Слишком большой запрос"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_a_nul_in_the_path_is_refused_by_the_gateway_in_the_error_format(
    gateway: str, service: ServiceUnderTest
) -> None:
    # nginx refuses it while reading the request line, before any service sees it.
    response = httpx.get(f"{gateway}{service.prefix}/abc%00def")
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    [error] = response.json()["errors"]
    assert error["code"] == "VALIDATION_ERROR" and error["status"] == "400"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_trace_is_refused_in_the_error_format_with_allow(gateway: str) -> None:
    response = httpx.request("TRACE", f"{gateway}/api/v1/payments/wallet")
    assert response.status_code == 405
    [error] = response.json()["errors"]
    assert error["code"] == "METHOD_NOT_ALLOWED"
    assert "TRACE" not in response.headers["allow"] and "GET" in response.headers["allow"]


def test_request_id_is_kept_or_minted(gateway: str) -> None:
    kept = httpx.get(f"{gateway}/api/v1/payments/health", headers={"X-Request-Id": "req-123"})
    assert kept.headers["x-request-id"] == "req-123"
    minted = httpx.get(f"{gateway}/api/v1/payments/health")
    assert re.fullmatch(r"[0-9a-f]{32}", minted.headers["x-request-id"])


def test_nosniff_on_every_answer_exactly_once(gateway: str, service: ServiceUnderTest) -> None:
    answers = [
        httpx.get(f"{gateway}{service.prefix}/health"),  # the service's
        httpx.get(f"{gateway}{service.prefix}/no-such-thing"),  # the service's 404
        httpx.get(f"{gateway}{service.prefix}/docs/static/swagger-ui.css"),
        httpx.get(f"{gateway}{service.prefix}/metrics"),  # the gateway's 404
        httpx.get(f"{gateway}/no-such-service"),
        httpx.options(f"{gateway}{service.prefix}"),
    ]
    for answer in answers:
        assert answer.headers.get_list("x-content-type-options") == ["nosniff"], answer.url


def test_no_store_on_api_answers_not_on_the_docs(gateway: str, service: ServiceUnderTest) -> None:
    for path in ("", "/health", "/no-such-thing"):
        answer = httpx.get(f"{gateway}{service.prefix}{path}")
        assert answer.headers["cache-control"] == "no-store", path
    for path in ("/docs", "/docs/static/swagger-ui-bundle.js", "/openapi.json"):
        answer = httpx.get(f"{gateway}{service.prefix}{path}")
        assert answer.status_code == 200
        assert "no-store" not in answer.headers.get("cache-control", ""), path


def test_options_lists_every_method_of_a_path(gateway: str, service: ServiceUnderTest) -> None:
    document = httpx.get(f"{gateway}{service.prefix}/openapi.json").json()
    for path, item in document["paths"].items():
        if "{" in path:
            continue
        answer = httpx.options(f"{gateway}{path}")
        assert answer.status_code == 204, path
        allowed = {method.strip() for method in answer.headers["allow"].split(",")}
        assert {method.upper() for method in item} <= allowed, path
    assert httpx.options(f"{gateway}{service.prefix}/no-such-thing").status_code == 404
