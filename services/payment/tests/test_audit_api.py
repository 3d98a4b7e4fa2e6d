"""`GET /api/v1/payments/admin/audit-log` on the real engines (in-process app, payment
database, auth stand-in tokens): admins only, filters, newest first, cursor pages."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.db.audit import record
from parovoz_payment.domain.audit import AuditRecord
from parovoz_testing.tokens import auth

AUDIT = "/api/v1/payments/admin/audit-log"


ADMIN = auth(uuid.uuid4(), ["admin"])


class History:
    """Five steps of one payment by one user, then two of a refund by a service."""

    def __init__(self) -> None:
        self.payment_id, self.refund_id = str(uuid.uuid4()), str(uuid.uuid4())
        self.user, self.service = str(uuid.uuid4()), f"service:test-{uuid.uuid4().hex[:8]}"
        self.payment_actions = [
            "payment.created",
            "payment.waiting_for_capture",
            "payment.captured",
            "payment.succeeded",
            "payment.refunded",
        ]

    async def write(self, infrastructure: Infrastructure) -> History:
        for n, action in enumerate(self.payment_actions):
            # One transaction per step, as real operations commit one by one.
            async with infrastructure.session_factory.begin() as session:
                await record(
                    session,
                    AuditRecord(self.user, action, "payment", self.payment_id, {"n": n}, None),
                )
        async with infrastructure.session_factory.begin() as session:
            for action in ("refund.created", "refund.succeeded"):
                await record(session, AuditRecord(self.service, action, "refund", self.refund_id))
        return self


@pytest.fixture
async def history(infrastructure: Infrastructure) -> History:
    return await History().write(infrastructure)


async def listing(client: httpx.AsyncClient, url: str, **params: Any) -> dict[str, Any]:
    # httpx drops a URL's own query when given params, even empty ones: a next link is whole.
    response = await client.get(url, params=params or None, headers=ADMIN)
    assert response.status_code == 200, response.text
    return response.json()


async def test_an_admin_filters_by_subject_and_gets_newest_first(
    client: httpx.AsyncClient, history: History
) -> None:
    body = await listing(client, AUDIT, subject_type="payment", subject_id=history.payment_id)
    data = body["data"]
    assert [item["attributes"]["action"] for item in data] == history.payment_actions[::-1]
    assert [int(item["id"]) for item in data] == sorted((int(i["id"]) for i in data), reverse=True)
    first = data[0]
    assert first["type"] == "auditLogEntry"
    assert first["attributes"]["actor"] == history.user
    assert first["attributes"]["before"] == {"n": 4} and first["attributes"]["after"] is None
    assert {"occurred_at", "trace_id", "request_id"} <= set(first["attributes"])
    assert body["links"]["next"] is None

    other = await listing(client, AUDIT, subject_type="refund", subject_id=history.payment_id)
    assert other["data"] == []


async def test_an_admin_filters_by_actor(client: httpx.AsyncClient, history: History) -> None:
    body = await listing(client, AUDIT, actor=history.service)
    assert [item["attributes"]["action"] for item in body["data"]] == [
        "refund.succeeded",
        "refund.created",
    ]
    assert {item["attributes"]["subject_id"] for item in body["data"]} == {history.refund_id}


async def test_the_cursor_walks_every_entry_once_in_order(
    client: httpx.AsyncClient, infrastructure: Infrastructure, history: History
) -> None:
    filters = {"subject_type": "payment", "subject_id": history.payment_id}
    page = await listing(client, AUDIT, **filters, **{"page[size]": 2})
    pages = [page]
    while page["links"]["next"] is not None:
        page = await listing(client, page["links"]["next"])
        pages.append(page)
    assert [len(p["data"]) for p in pages] == [2, 2, 1]
    walked = [item["attributes"]["action"] for p in pages for item in p["data"]]
    assert walked == history.payment_actions[::-1]

    # A new entry after the walk began does not shift the pages already handed out.
    async with infrastructure.session_factory.begin() as session:
        await record(
            session, AuditRecord(history.user, "payment.late", "payment", history.payment_id)
        )
    second = await listing(client, pages[0]["links"]["next"])
    assert second["data"] == pages[1]["data"]


async def test_only_admins_read_the_log(client: httpx.AsyncClient, history: History) -> None:
    assert (await client.get(AUDIT)).status_code == 401
    for headers in (
        auth(history.user),
        auth(uuid.uuid4(), ["support"]),
        auth("service:subscription", ["service"]),
    ):
        response = await client.get(AUDIT, headers=headers)
        assert response.status_code == 403
        assert history.payment_id not in response.text


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"page[size]": 0}, "page[size]"),
        ({"page[size]": 201}, "page[size]"),
        ({"page[after]": "abc"}, "page[after]"),
        ({"page[after]": "1.0"}, "page[after]"),
        ({"page[after]": str(2**63)}, "page[after]"),  # int64 + 1 never reaches PostgreSQL
        ({"actor": "x" * 201}, "actor"),
        ({"subject_type": "coupon\x00"}, "subject_type"),
    ],
)
async def test_a_bad_parameter_is_400_naming_it(
    client: httpx.AsyncClient, params: dict[str, Any], parameter: str
) -> None:
    response = await client.get(AUDIT, params=params, headers=ADMIN)
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["source"] == {"parameter": parameter}
