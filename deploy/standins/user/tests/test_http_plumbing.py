"""The stand-in plumbing: a crash answers a labelled JSON 500 without internals."""

import httpx
from standin_user.app import create_app
from standin_user.settings import UserSettings


async def test_unhandled_error_is_a_json_500_with_the_stand_in_label() -> None:
    app = create_app(UserSettings(state_file=None))

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://standin-user") as client:
        response = await client.get("/boom")

    assert response.status_code == 500
    assert response.headers["server"] == "parovoz-standin-user"
    assert response.json()["errors"][0]["code"] == "INTERNAL_ERROR"
    assert "secret" not in response.text and "Traceback" not in response.text


async def test_unknown_routes_answer_in_the_error_format() -> None:
    transport = httpx.ASGITransport(app=create_app(UserSettings(state_file=None)))
    async with httpx.AsyncClient(transport=transport, base_url="http://standin-user") as client:
        response = await client.delete("/users")

    assert response.status_code in (404, 405)
    assert response.json()["errors"][0]["status"] == str(response.status_code)
    assert response.headers["server"] == "parovoz-standin-user"


async def test_seed_001_codes_for_unknown_routes_and_methods() -> None:
    transport = httpx.ASGITransport(app=create_app(UserSettings(state_file=None)))
    async with httpx.AsyncClient(transport=transport, base_url="http://standin-user") as client:
        missing = await client.get("/nothing-here")
        wrong_method = await client.delete("/health")

    assert missing.status_code == 404
    assert missing.json()["errors"][0]["code"] == "RESOURCE_NOT_FOUND"
    assert wrong_method.status_code == 405
    assert wrong_method.json()["errors"][0]["code"] == "METHOD_NOT_ALLOWED"
    assert "GET" in wrong_method.headers["allow"]
