"""Issued offline licenses: the ``offline_licenses`` table on
`parovoz_subscription.tables.metadata`, and its queries.

The token itself is not kept (it is the launcher's; the id, the key and the terms identify it).
"""

from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, Column, DateTime, Index, String, Table, select
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_subscription.licenses.domain import DEVICE_ID_LIMIT, OfflineLicense
from parovoz_subscription.tables import metadata

#: A signing key's id (the token's ``kid``).
KEY_ID_LIMIT = 64

offline_licenses = Table(
    "offline_licenses",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("game_id", UUID(as_uuid=True), nullable=False),
    Column("device_id", String(DEVICE_ID_LIMIT), nullable=False),
    Column("subscription_id", UUID(as_uuid=True), nullable=False),
    Column("key_id", String(KEY_ID_LIMIT), nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("expires_at > issued_at", name="expires_after_issue"),
    Index("ix_offline_licenses_user_game_device", "user_id", "game_id", "device_id"),
)


def _license(row: object) -> OfflineLicense:
    values = row._mapping  # type: ignore[attr-defined]
    return OfflineLicense(
        id=values["id"],
        user_id=values["user_id"],
        game_id=values["game_id"],
        device_id=values["device_id"],
        subscription_id=values["subscription_id"],
        key_id=values["key_id"],
        issued_at=values["issued_at"],
        expires_at=values["expires_at"],
    )


class SqlLicenses:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, license: OfflineLicense) -> None:
        await self._session.execute(
            offline_licenses.insert().values(
                id=license.id,
                user_id=license.user_id,
                game_id=license.game_id,
                device_id=license.device_id,
                subscription_id=license.subscription_id,
                key_id=license.key_id,
                issued_at=license.issued_at,
                expires_at=license.expires_at,
            )
        )

    async def get(self, license_id: uuid.UUID) -> OfflineLicense | None:
        query = select(offline_licenses).where(offline_licenses.c.id == license_id)
        row = (await self._session.execute(query)).first()
        return None if row is None else _license(row)

    async def of_device(
        self, user_id: uuid.UUID, game_id: uuid.UUID, device_id: str
    ) -> list[OfflineLicense]:
        """The licenses issued for this game on this device, newest first."""
        query = (
            select(offline_licenses)
            .where(
                offline_licenses.c.user_id == user_id,
                offline_licenses.c.game_id == game_id,
                offline_licenses.c.device_id == device_id,
            )
            .order_by(offline_licenses.c.issued_at.desc(), offline_licenses.c.id)
        )
        return [_license(row) for row in (await self._session.execute(query)).all()]
