"""RestPeer: a 200's body through its reader, None for a 404, PeerDown with the reason for the
rest; the breaker opens after the failures in a row and lets a call through after its pause."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from parovoz_kit.http.peer import PeerDown, RestPeer


def peer(answers: list[Any], now: list[float]) -> RestPeer:
    def reply(request: httpx.Request) -> httpx.Response:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    client = httpx.AsyncClient(transport=httpx.MockTransport(reply), base_url="http://peer")
    return RestPeer(
        "peer",
        "http://peer",
        client=client,
        failure_threshold=2,
        reset_timeout_seconds=10,
        monotonic=lambda: now[0],
    )


def name_of(body: Any) -> str | None:
    name = body.get("name") if isinstance(body, dict) else None
    return name if isinstance(name, str) else None


async def test_answers_none_and_the_reasons_it_could_not_ask() -> None:
    now = [0.0]
    answers: list[Any] = [
        httpx.Response(200, json={"name": "Аня"}),
        httpx.Response(404),
        httpx.Response(200, json={"nom": 1}),
        httpx.Response(200, content=b"not json"),
    ]
    users = peer(answers, now)
    assert await users.get_json("/users/1", name_of) == "Аня"
    assert await users.get_json("/users/2", name_of) is None
    with pytest.raises(PeerDown) as unreadable:
        await users.get_json("/users/3", name_of)
    assert unreadable.value.reason == "unreadable answer"
    with pytest.raises(PeerDown):
        await users.get_json("/users/4", name_of)


async def test_the_breaker_opens_after_failures_in_a_row_and_closes_after_a_success() -> None:
    now = [0.0]
    answers: list[Any] = [
        httpx.Response(503),
        httpx.ConnectError("refused"),
        httpx.Response(200, json={"name": "Вася"}),
    ]
    users = peer(answers, now)
    for reason in ("HTTP 503", "ConnectError"):
        with pytest.raises(PeerDown) as down:
            await users.get_json("/users/1", name_of)
        assert down.value.reason == reason
    with pytest.raises(PeerDown) as opened:
        await users.get_json("/users/1", name_of)
    assert opened.value.reason == "circuit open" and len(answers) == 1  # not even asked
    now[0] = 11.0
    assert await users.get_json("/users/1", name_of) == "Вася"
