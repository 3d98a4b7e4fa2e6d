"""Tokens minted by the auth stand-in verify against its served JWKS, like our services do."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import jwt
import pytest
from standin_auth.settings import AuthSettings

USER_ID = "6d1f1f0e-8f7a-4c3e-9a55-2b0f0b7c1a11"


def verify(base_url: str, token: str) -> dict:
    # A fresh client each time: no JWKS cache can hide what the server publishes now.
    signing_key = jwt.PyJWKClient(f"{base_url}/.well-known/jwks.json").get_signing_key_from_jwt(
        token
    )
    return jwt.decode(
        token, signing_key.key, algorithms=["RS256"], audience="parovoz", issuer="parovoz-auth"
    )


def mint(base_url: str, body: dict) -> httpx.Response:
    return httpx.post(f"{base_url}/tokens", json=body)


def test_jwks_publishes_rs256_signing_keys_and_labels_the_stand_in(auth_url: str) -> None:
    response = httpx.get(f"{auth_url}/.well-known/jwks.json")

    assert response.status_code == 200
    assert response.headers["server"] == "parovoz-standin-auth"
    [key] = response.json()["keys"]
    assert {key["kty"], key["use"], key["alg"]} == {"RSA", "sig", "RS256"}
    assert key["kid"] and key["n"] and key["e"] == "AQAB"
    assert httpx.get(f"{auth_url}/health").status_code == 200


def test_user_token_verifies_against_the_served_jwks(auth_url: str) -> None:
    response = mint(auth_url, {"sub": USER_ID, "roles": ["moderator"], "ttl_seconds": 600})

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 600
    claims = verify(auth_url, body["access_token"])
    assert claims["sub"] == USER_ID and claims["roles"] == ["moderator"]
    assert claims["exp"] - claims["iat"] == 600 and claims["nbf"] == claims["iat"]
    assert uuid.UUID(claims["jti"])
    kid = jwt.get_unverified_header(body["access_token"])["kid"]
    assert kid == httpx.get(f"{auth_url}/.well-known/jwks.json").json()["keys"][0]["kid"]


def test_a_user_token_may_carry_a_verified_email(auth_url: str) -> None:
    response = mint(auth_url, {"sub": USER_ID, "email": "dev@example.com"})
    claims = verify(auth_url, response.json()["access_token"])

    assert (claims["email"], claims["email_verified"]) == ("dev@example.com", True)
    without = verify(auth_url, mint(auth_url, {"sub": USER_ID}).json()["access_token"])
    assert "email" not in without and "email_verified" not in without


def test_user_token_without_roles_defaults_to_one_hour(auth_url: str) -> None:
    claims = verify(auth_url, mint(auth_url, {"sub": USER_ID}).json()["access_token"])

    assert claims["roles"] == [] and claims["exp"] - claims["iat"] == 3600


@pytest.mark.parametrize(
    ("body", "code", "pointer"),
    [
        ({"sub": USER_ID, "roles": ["player"]}, "UNKNOWN_ROLE", "/roles/0"),
        ({"sub": USER_ID, "roles": ["admin", "service"]}, "ROLE_NOT_ALLOWED", "/roles/1"),
        ({"sub": "not-a-uuid", "roles": []}, "INVALID_SUBJECT", "/sub"),
        ({"sub": "service:payment", "roles": ["admin"]}, "ROLE_NOT_ALLOWED", "/roles/0"),
        ({"sub": "service:Bad Name"}, "INVALID_SUBJECT", "/sub"),
        ({"sub": USER_ID, "ttl_seconds": 0}, "VALIDATION_ERROR", "/ttl_seconds"),
        ({"sub": USER_ID, "ttl_seconds": 86401}, "VALIDATION_ERROR", "/ttl_seconds"),
        ({"roles": []}, "VALIDATION_ERROR", "/sub"),
        ({"sub": USER_ID, "email": "not-an-address"}, "VALIDATION_ERROR", "/email"),
        ({"sub": "service:payment", "email": "a@example.com"}, "EMAIL_NOT_ALLOWED", "/email"),
    ],
)
def test_invalid_token_requests_are_refused_with_a_pointer(
    auth_url: str, body: dict, code: str, pointer: str
) -> None:
    response = mint(auth_url, body)

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["status"] == "400" and error["code"] == code
    assert error["source"] == {"pointer": pointer} and error["title"] and error["detail"]


def test_service_token_from_tokens_endpoint_is_short_lived(auth_url: str) -> None:
    response = mint(auth_url, {"sub": "service:greenlight"})

    claims = verify(auth_url, response.json()["access_token"])
    assert claims["sub"] == "service:greenlight" and claims["roles"] == ["service"]
    assert claims["exp"] - claims["iat"] == 300


def test_client_credentials_grant_issues_a_service_token(auth_url: str) -> None:
    form = {
        "grant_type": "client_credentials",
        "client_id": "payment",
        "client_secret": "payment-dev-secret",
    }
    by_form = httpx.post(f"{auth_url}/oauth/token", data=form)
    by_basic = httpx.post(
        f"{auth_url}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=("subscription", "subscription-dev-secret"),
    )

    assert by_form.status_code == 200 and by_form.headers["cache-control"] == "no-store"
    assert verify(auth_url, by_form.json()["access_token"])["sub"] == "service:payment"
    claims = verify(auth_url, by_basic.json()["access_token"])
    assert claims["sub"] == "service:subscription" and claims["roles"] == ["service"]
    assert by_basic.json()["expires_in"] == 300


@pytest.mark.parametrize(
    "form",
    [
        {"grant_type": "client_credentials", "client_id": "payment", "client_secret": "wrong"},
        {"grant_type": "client_credentials", "client_id": "nobody", "client_secret": "x"},
        {"grant_type": "client_credentials", "client_id": "payment"},
    ],
)
def test_client_credentials_with_bad_credentials_are_refused(auth_url: str, form: dict) -> None:
    response = httpx.post(f"{auth_url}/oauth/token", data=form)

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic")
    assert response.json()["error"] == "invalid_client"
    assert response.json()["errors"][0]["code"] == "INVALID_CLIENT"
    assert "access_token" not in response.text


def test_other_grant_types_are_refused(auth_url: str) -> None:
    form = {"grant_type": "password", "client_id": "payment", "client_secret": "payment-dev-secret"}

    response = httpx.post(f"{auth_url}/oauth/token", data=form)

    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_rotation_keeps_tokens_signed_with_the_previous_key_verifiable(auth_url: str) -> None:
    old_token = mint(auth_url, {"sub": USER_ID}).json()["access_token"]

    rotated = httpx.post(f"{auth_url}/keys/rotate")
    new_token = mint(auth_url, {"sub": USER_ID}).json()["access_token"]

    assert rotated.status_code == 201
    old_kid = jwt.get_unverified_header(old_token)["kid"]
    new_kid = jwt.get_unverified_header(new_token)["kid"]
    assert new_kid == rotated.json()["kid"] != old_kid
    published = [
        key["kid"] for key in httpx.get(f"{auth_url}/.well-known/jwks.json").json()["keys"]
    ]
    assert published == [new_kid, old_kid]
    assert verify(auth_url, old_token)["sub"] == verify(auth_url, new_token)["sub"] == USER_ID


def test_only_the_configured_number_of_keys_stays_published(key_dir: Path, serve_auth) -> None:
    with serve_auth(AuthSettings(key_dir=key_dir, published_key_count=2)) as url:
        first_token = mint(url, {"sub": USER_ID}).json()["access_token"]
        httpx.post(f"{url}/keys/rotate")
        httpx.post(f"{url}/keys/rotate")

        assert len(httpx.get(f"{url}/.well-known/jwks.json").json()["keys"]) == 2
        with pytest.raises(jwt.PyJWKClientError):
            verify(url, first_token)
    assert len(list(key_dir.glob("*.pem"))) == 2


def test_keys_in_the_key_directory_survive_a_restart(key_dir: Path, serve_auth) -> None:
    with serve_auth(AuthSettings(key_dir=key_dir)) as first_run:
        token = mint(first_run, {"sub": USER_ID, "roles": ["support"]}).json()["access_token"]

    with serve_auth(AuthSettings(key_dir=key_dir)) as second_run:
        assert verify(second_run, token)["roles"] == ["support"]
        again = mint(second_run, {"sub": USER_ID}).json()["access_token"]
        assert jwt.get_unverified_header(again)["kid"] == jwt.get_unverified_header(token)["kid"]
    assert all(path.stat().st_mode & 0o077 == 0 for path in key_dir.iterdir())


def test_without_a_key_directory_each_run_has_its_own_keys(serve_auth) -> None:
    with serve_auth(AuthSettings()) as first_run:
        token = mint(first_run, {"sub": USER_ID}).json()["access_token"]

    with serve_auth(AuthSettings()) as second_run, pytest.raises(jwt.PyJWKClientError):
        verify(second_run, token)
