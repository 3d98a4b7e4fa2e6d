"""Offline licenses' use case over fakes: a license when access is allowed (verified offline with
the published keys), valid 14 days and never past the access's end; a denial is 422 with the
access reason as the code; renewal is a new license; keys rotate."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from parovoz_kit.errors import BusinessRuleViolation
from parovoz_license import LicenseExpired, LicenseInvalid, verify_license
from parovoz_subscription.error_texts import RUSSIAN
from parovoz_subscription.licenses.domain import OfflineLicense, license_expiry
from parovoz_subscription.licenses.rules import LicenseRules
from parovoz_subscription.licenses.service import issue_license, published_keys
from parovoz_subscription.licenses.signing import (
    DEVELOPMENT_SIGNING_KEY,
    LicenseKeyring,
    load_private_key,
)
from parovoz_subscription.settings import SubscriptionSettings

NOW = datetime(2027, 3, 1, 9, 30, 15, 654321, tzinfo=UTC)
RULES = LicenseRules(validity=timedelta(days=14))


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    subscription_id: uuid.UUID | None = None
    access_until: datetime | None = None


@dataclass
class FakeLicenses:
    added: list[OfflineLicense] = field(default_factory=list)

    async def add(self, license: OfflineLicense) -> None:
        self.added.append(license)


@dataclass
class FakeUnitOfWork:
    licenses: FakeLicenses = field(default_factory=FakeLicenses)
    commits: int = 0

    async def commit(self) -> None:
        self.commits += 1


@dataclass
class FakeDecider:
    decision: Decision
    calls: list[tuple[object, ...]] = field(default_factory=list)

    async def __call__(self, uow, user_id, game_id, device_id, region, now) -> Decision:  # type: ignore[no-untyped-def]
        self.calls.append((uow, user_id, game_id, device_id, region, now))
        return self.decision


def _keyring(key_id: str = "k-2027-03", **retired: Ed25519PrivateKey) -> LicenseKeyring:
    return LicenseKeyring(
        key_id,
        Ed25519PrivateKey.generate(),
        {name: key.public_key() for name, key in retired.items()},
    )


def _allowed(access_until: datetime | None = NOW + timedelta(days=30)) -> FakeDecider:
    return FakeDecider(Decision(True, "GRANTED", uuid.uuid4(), access_until))


async def _issue(decider: FakeDecider, keyring: LicenseKeyring, uow: FakeUnitOfWork | None = None):  # type: ignore[no-untyped-def]
    uow = uow or FakeUnitOfWork()
    issued = await issue_license(
        uow,
        decider,
        keyring,
        RULES,
        user_id=uuid.uuid4(),
        game_id=uuid.uuid4(),
        device_id="launcher-1",
        region="RU",
        now=NOW,
    )
    return issued, uow


async def test_an_allowed_check_issues_a_license_the_launcher_verifies_offline() -> None:
    decider, keyring = _allowed(), _keyring()
    issued, uow = await _issue(decider, keyring)
    license = issued.license
    assert uow.licenses.added == [license] and uow.commits == 1
    assert decider.calls[0][3:] == ("launcher-1", "RU", NOW)
    assert license.subscription_id == decider.decision.subscription_id
    assert license.key_id == keyring.key_id
    assert license.issued_at == NOW.replace(microsecond=0)
    assert license.expires_at == license.issued_at + timedelta(days=14)
    verified = verify_license(
        issued.token,
        published_keys(keyring),
        device_id="launcher-1",
        game_id=str(license.game_id),
        now=NOW,
    )
    assert verified.id == str(license.id) and verified.user_id == str(license.user_id)
    assert verified.subscription_id == str(license.subscription_id)
    assert verified.expires_at == license.expires_at
    with pytest.raises(LicenseExpired):
        verify_license(issued.token, keyring.jwks(), device_id="launcher-1", now=license.expires_at)


async def test_a_license_never_outlives_the_access_that_grants_it() -> None:
    ends = NOW + timedelta(days=3, hours=2, microseconds=999_999)
    issued, _ = await _issue(_allowed(ends), _keyring())
    assert issued.license.expires_at == ends.replace(microsecond=0)
    far = NOW + timedelta(days=40)
    assert license_expiry(NOW, far, RULES.validity) == NOW + RULES.validity


async def test_access_ending_within_the_second_gives_no_license() -> None:
    with pytest.raises(BusinessRuleViolation) as caught:
        await _issue(_allowed(NOW.replace(microsecond=999_000)), _keyring())
    assert caught.value.code == "SUBSCRIPTION_EXPIRED"


@pytest.mark.parametrize(
    "reason", ["GAME_NOT_IN_SUBSCRIPTION", "SUBSCRIPTION_SUSPENDED", "DEVICE_LIMIT_EXCEEDED"]
)
async def test_a_denial_is_422_with_the_access_reason_and_stores_nothing(reason: str) -> None:
    uow = FakeUnitOfWork()
    with pytest.raises(BusinessRuleViolation) as caught:
        await _issue(FakeDecider(Decision(False, reason)), _keyring(), uow)
    assert caught.value.code == reason and caught.value.http_status == 422
    detail_ru = caught.value.detail_ru or ""
    assert detail_ru.startswith(RUSSIAN[reason]) and "Офлайн-лицензия не выдаётся" in detail_ru
    assert reason in caught.value.detail
    assert uow.licenses.added == [] and uow.commits == 0


async def test_renewal_is_a_new_license_and_the_earlier_one_stays_valid() -> None:
    decider, keyring = _allowed(), _keyring()
    first, _ = await _issue(decider, keyring)
    second, _ = await _issue(decider, keyring)
    assert first.license.id != second.license.id and first.token != second.token
    for issued in (first, second):
        assert verify_license(issued.token, keyring.jwks(), device_id="launcher-1", now=NOW)


async def test_rotation_old_licenses_verify_while_the_retired_key_is_published() -> None:
    old_key = Ed25519PrivateKey.generate()
    before = LicenseKeyring("k-2027-01", old_key)
    old, _ = await _issue(_allowed(), before)
    after = _keyring("k-2027-03", **{"k-2027-01": old_key})
    new, _ = await _issue(_allowed(), after)
    jwks = published_keys(after)
    assert [key["kid"] for key in jwks["keys"]] == ["k-2027-03", "k-2027-01"]
    assert new.license.key_id == "k-2027-03"
    for issued in (old, new):
        assert verify_license(issued.token, jwks, device_id="launcher-1", now=NOW)
    # A license of a key no longer published is refused.
    with pytest.raises(LicenseInvalid) as caught:
        verify_license(old.token, _keyring("k-2027-05").jwks(), device_id="launcher-1", now=NOW)
    assert caught.value.reason == "unknown_key"


def test_jwks_publishes_rfc_8037_keys() -> None:
    (key,) = published_keys(_keyring())["keys"]
    assert {k: key[k] for k in ("kty", "crv", "use", "alg")} == {
        "kty": "OKP",
        "crv": "Ed25519",
        "use": "sig",
        "alg": "EdDSA",
    }
    assert len(base64.urlsafe_b64decode(key["x"] + "=")) == 32


def test_keys_load_from_pem_or_base64_and_bad_ones_are_refused_without_echo() -> None:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
    raw = base64.b64encode(key.private_bytes_raw()).decode()
    public_pem = key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    for text in (pem, raw, raw.replace("+", "-").replace("/", "_").rstrip("=")):
        assert load_private_key(text).private_bytes_raw() == key.private_bytes_raw()
    ring = LicenseKeyring.of("active", raw, {"old": public_pem.decode()})
    assert [k["kid"] for k in ring.jwks()["keys"]] == ["active", "old"]
    secret = "c2VjcmV0LWJ1dC1ub3QtMzItYnl0ZXM="
    for bad in (secret, "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----"):
        with pytest.raises(ValueError) as caught:
            load_private_key(bad)
        assert secret not in str(caught.value) and "nope" not in str(caught.value)
    with pytest.raises(ValueError):
        LicenseKeyring.of("same", raw, {"same": public_pem.decode()})
    with pytest.raises(ValueError):
        LicenseKeyring.of("no spaces", raw, {})


def test_settings_refuse_the_development_key_in_production_and_bad_keys_anywhere() -> None:
    production = {
        "environment": "production",
        "database_url": "postgresql+psycopg://s:real@db/s",
        "redis_url": "redis://cache/2",
        "s3_secret_key": "real-s3",
        "auth_client_secret": "real-auth",
    }
    with pytest.raises(ValueError, match="development key"):
        SubscriptionSettings(**production)
    real = base64.b64encode(Ed25519PrivateKey.generate().private_bytes_raw()).decode()
    settings = SubscriptionSettings(
        **production, license_signing_key=real, license_signing_key_id="prod-1"
    )
    assert settings.license_keyring().key_id == "prod-1"
    assert settings.license_rules().validity == timedelta(days=14)
    with pytest.raises(ValueError) as caught:
        SubscriptionSettings(environment="test", license_signing_key="short")
    assert "short" not in str(caught.value)
    assert DEVELOPMENT_SIGNING_KEY not in str(caught.value)
