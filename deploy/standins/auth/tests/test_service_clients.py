"""Parsing STANDIN_AUTH_SERVICE_CLIENTS and checking client secrets."""

import pytest
from standin_auth.clients import ServiceClients


def test_defaults_cover_the_services_the_stand_ins_and_the_access_checking_clients() -> None:
    clients = ServiceClients.from_setting(None)

    for name in (
        *("developer-portal", "greenlight", "subscription", "payment", "admin", "social"),
        *("user", "catalog-library", "provider-sandbox", "launcher", "gateway"),
    ):
        assert clients.authenticate(name, f"{name}-dev-secret")
    assert not clients.authenticate("payment", "greenlight-dev-secret")


def test_configured_clients_replace_the_defaults() -> None:
    clients = ServiceClients.from_setting("payment:s3cr:et, greenlight:other")

    assert clients.authenticate("payment", "s3cr:et")
    assert clients.authenticate("greenlight", "other")
    assert not clients.authenticate("subscription", "subscription-dev-secret")


@pytest.mark.parametrize("setting", ["payment", "payment:", "Bad Name:secret"])
def test_malformed_entries_are_refused_without_echoing_them(setting: str) -> None:
    with pytest.raises(ValueError) as error:
        ServiceClients.from_setting(setting)

    assert setting not in str(error.value)
