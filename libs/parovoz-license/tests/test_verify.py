"""verify_license: a license signed with a published Ed25519 key, for this device (and game),
between nbf and exp, is valid; anything else is refused with the reason."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from license_support import ISSUED, VALIDITY, Issuer, new_issuer
from parovoz_license import (
    AUDIENCE,
    ISSUER,
    TOKEN_TYPE,
    LicenseExpired,
    LicenseInvalid,
    keys_from_jwks,
    verify_license,
)

NOW = ISSUED + timedelta(days=1)


def _b64(data: dict[str, object]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _parts(token: str) -> list[str]:
    return token.split(".")


def _refusal(token: str, jwks: object, **kwargs: object) -> LicenseInvalid:
    with pytest.raises(LicenseInvalid) as caught:
        verify_license(token, jwks, **kwargs)  # type: ignore[arg-type]
    assert caught.value.code == "OFFLINE_LICENSE_INVALID"
    return caught.value


def test_a_signed_license_verifies_and_names_what_it_grants(issuer: Issuer) -> None:
    license = issuer.license()
    token = issuer.sign(license)
    header = jwt.get_unverified_header(token)
    assert header == {"alg": "EdDSA", "kid": issuer.key_id, "typ": TOKEN_TYPE}
    verified = verify_license(
        token, issuer.jwks(), device_id=license.device_id, game_id=license.game_id, now=NOW
    )
    assert verified == license
    claims = jwt.decode(token, options={"verify_signature": False})
    assert (claims["iss"], claims["aud"]) == (ISSUER, AUDIENCE)
    assert claims["exp"] - claims["iat"] == VALIDITY.total_seconds()


def test_keys_by_id_work_as_well_as_the_jwk_set(issuer: Issuer) -> None:
    license = issuer.license()
    keys = keys_from_jwks(issuer.jwks())
    assert verify_license(issuer.sign(license), keys, device_id=license.device_id, now=NOW)


def test_a_tampered_payload_is_refused(issuer: Issuer) -> None:
    license = issuer.license()
    header, payload, signature = _parts(issuer.sign(license))
    claims = jwt.decode(f"{header}.{payload}.{signature}", options={"verify_signature": False})
    claims["exp"] += 365 * 86400  # a year more
    forged = f"{header}.{_b64(claims)}.{signature}"
    assert _refusal(forged, issuer.jwks(), device_id=license.device_id, now=NOW).reason == (
        "bad_signature"
    )


def test_a_license_moved_to_another_game_by_hand_is_refused(issuer: Issuer) -> None:
    license = issuer.license()
    header, payload, signature = _parts(issuer.sign(license))
    claims = jwt.decode(f"{header}.{payload}.{signature}", options={"verify_signature": False})
    other_game = issuer.license().game_id
    claims["game"] = other_game
    forged = f"{header}.{_b64(claims)}.{signature}"
    refusal = _refusal(
        forged, issuer.jwks(), device_id=license.device_id, game_id=other_game, now=NOW
    )
    assert refusal.reason == "bad_signature"


def test_a_tampered_signature_is_refused(issuer: Issuer) -> None:
    license = issuer.license()
    header, payload, signature = _parts(issuer.sign(license))
    raw = bytearray(base64.urlsafe_b64decode(signature + "=="))
    raw[0] ^= 0x01
    flipped = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    refusal = _refusal(
        f"{header}.{payload}.{flipped}", issuer.jwks(), device_id=license.device_id, now=NOW
    )
    assert refusal.reason == "bad_signature"


def test_a_license_of_a_key_not_published_is_refused(issuer: Issuer) -> None:
    stranger = new_issuer()
    license = stranger.license()
    refusal = _refusal(stranger.sign(license), issuer.jwks(), device_id=license.device_id, now=NOW)
    assert refusal.reason == "unknown_key"


def test_a_license_signed_by_another_key_under_a_published_kid_is_refused(issuer: Issuer) -> None:
    impostor = new_issuer(issuer.key_id)  # same kid, another private key
    license = impostor.license()
    refusal = _refusal(impostor.sign(license), issuer.jwks(), device_id=license.device_id, now=NOW)
    assert refusal.reason == "bad_signature"


def test_a_license_is_valid_until_just_before_exp_and_expired_at_exp_exactly(
    issuer: Issuer,
) -> None:
    license = issuer.license()
    token, jwks = issuer.sign(license), issuer.jwks()
    last = license.expires_at - timedelta(seconds=1)
    assert verify_license(token, jwks, device_id=license.device_id, now=last) == license
    for moment in (license.expires_at, license.expires_at + timedelta(days=3)):
        with pytest.raises(LicenseExpired) as caught:
            verify_license(token, jwks, device_id=license.device_id, now=moment)
        assert caught.value.code == "OFFLINE_LICENSE_EXPIRED"


def test_a_license_is_not_valid_before_nbf(issuer: Issuer) -> None:
    license = issuer.license()
    token = issuer.sign(license)
    early = license.not_before - timedelta(seconds=1)
    refusal = _refusal(token, issuer.jwks(), device_id=license.device_id, now=early)
    assert refusal.reason == "not_yet_valid"
    assert verify_license(token, issuer.jwks(), device_id=license.device_id, now=ISSUED)


def test_another_device_or_game_is_refused(issuer: Issuer) -> None:
    license = issuer.license()
    token, jwks = issuer.sign(license), issuer.jwks()
    assert _refusal(token, jwks, device_id="another-device", now=NOW).reason == "wrong_device"
    refusal = _refusal(
        token, jwks, device_id=license.device_id, game_id=issuer.license().game_id, now=NOW
    )
    assert refusal.reason == "wrong_game"


def test_alg_none_is_refused(issuer: Issuer) -> None:
    license = issuer.license()
    header = {"alg": "none", "kid": issuer.key_id, "typ": TOKEN_TYPE}
    unsigned = f"{_b64(header)}.{_b64(license.claims())}."
    refusal = _refusal(unsigned, issuer.jwks(), device_id=license.device_id, now=NOW)
    assert refusal.reason == "algorithm_not_allowed"


def test_an_hmac_keyed_with_the_public_key_is_refused(issuer: Issuer) -> None:
    """The HS256 confusion: a forger signs with the published public key as an HMAC secret."""
    license = issuer.license()
    public_x = issuer.jwks()["keys"][0]["x"]
    forged = jwt.encode(
        license.claims(),
        public_x.encode(),
        algorithm="HS256",
        headers={"kid": issuer.key_id, "typ": TOKEN_TYPE},
    )
    refusal = _refusal(forged, issuer.jwks(), device_id=license.device_id, now=NOW)
    assert refusal.reason == "algorithm_not_allowed"


def test_another_token_type_or_audience_is_refused(issuer: Issuer) -> None:
    license = issuer.license()
    other_type = jwt.encode(
        license.claims(), issuer.private_key, algorithm="EdDSA", headers={"kid": issuer.key_id}
    )
    assert _refusal(other_type, issuer.jwks(), device_id=license.device_id, now=NOW).reason == (
        "wrong_type"
    )
    for claims, reason in (
        ({**license.claims(), "aud": "parovoz"}, "wrong_audience"),
        ({**license.claims(), "aud": [AUDIENCE, "parovoz"]}, "wrong_audience"),
        ({**license.claims(), "iss": "parovoz-auth"}, "wrong_issuer"),
        ({k: v for k, v in license.claims().items() if k != "device"}, "missing_claim"),
        ({**license.claims(), "exp": "tomorrow"}, "malformed"),
        ({**license.claims(), "game": 7}, "malformed"),
    ):
        token = jwt.encode(
            claims,
            issuer.private_key,
            algorithm="EdDSA",
            headers={"kid": issuer.key_id, "typ": TOKEN_TYPE},
        )
        assert _refusal(token, issuer.jwks(), device_id=license.device_id, now=NOW).reason == (
            reason
        ), claims


@pytest.mark.parametrize("token", ["", "abc", "a.b", "a.b.c", "é.é.é", "...."])
def test_garbage_is_refused_as_malformed(issuer: Issuer, token: str) -> None:
    assert _refusal(token, issuer.jwks(), device_id="d", now=NOW).reason == "malformed"


def test_rotation_a_license_of_the_retired_key_verifies_while_published() -> None:
    old, new = new_issuer("2027-01"), new_issuer("2027-03")
    old_license, new_license = old.license(), new.license()
    both = new.jwks(old)
    assert verify_license(old.sign(old_license), both, device_id=old_license.device_id, now=NOW)
    assert verify_license(new.sign(new_license), both, device_id=new_license.device_id, now=NOW)
    # Once the old key is no longer published, its licenses are not honoured.
    refusal = _refusal(old.sign(old_license), new.jwks(), device_id=old_license.device_id, now=NOW)
    assert refusal.reason == "unknown_key"


def test_keys_of_other_types_in_the_set_are_never_used(issuer: Issuer) -> None:
    jwks = issuer.jwks()
    rsa_like = {"kty": "RSA", "kid": "rsa-1", "n": "AQAB", "e": "AQAB"}
    x25519 = {**jwks["keys"][0], "crv": "X25519", "kid": "x-1"}
    mixed = {"keys": [rsa_like, x25519, *jwks["keys"]]}
    assert set(keys_from_jwks(mixed)) == {issuer.key_id}


def test_a_malformed_key_set_is_a_value_error(issuer: Issuer) -> None:
    key = issuer.jwks()["keys"][0]
    for document in (
        {},
        {"keys": "no"},
        {"keys": [key, key]},
        {"keys": [{**key, "x": "c2hvcnQ"}]},
    ):
        with pytest.raises(ValueError):
            keys_from_jwks(document)


def test_now_must_be_aware(issuer: Issuer) -> None:
    license = issuer.license()
    with pytest.raises(ValueError):
        verify_license(
            issuer.sign(license),
            issuer.jwks(),
            device_id=license.device_id,
            now=NOW.replace(tzinfo=None),
        )


def test_a_fresh_key_pair_round_trips_through_the_jwk_set() -> None:
    key = Ed25519PrivateKey.generate()
    document = json.loads(json.dumps({"keys": [_jwk_of(key)]}))
    assert keys_from_jwks(document)["k"].public_bytes_raw() == key.public_key().public_bytes_raw()


def _jwk_of(key: Ed25519PrivateKey) -> dict[str, str]:
    from parovoz_license import public_jwk

    jwk = public_jwk(key.public_key(), "k")
    assert {jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"]} == {"OKP", "Ed25519", "EdDSA", "sig"}
    return jwk
