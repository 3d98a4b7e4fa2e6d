"""Tables of the developer database (Alembic's target metadata)."""

from parovoz_kit.db import add_kit_tables, new_metadata
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, UUID

metadata = new_metadata()
add_kit_tables(metadata)

developer_accounts = Table(
    "developer_accounts",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("owner_user_id", UUID(as_uuid=True), nullable=False),
    Column("company_name", String(255), nullable=False),
    Column("display_name", String(255), nullable=False),
    Column("legal_entity_type", String(32), nullable=False),
    Column("tax_id", String(32), nullable=False),
    Column("contact_email", String(255), nullable=False),
    Column("country_code", String(2), nullable=False),
    Column("status", String(32), nullable=False),
    Column("publishing_track", String(16), nullable=False),
    Column("verified", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

team_members = Table(
    "team_members",
    metadata,
    Column("developer_id", ForeignKey("developer_accounts.id"), nullable=False),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("role", String(16), nullable=False),
    Column("joined_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("developer_id", "user_id"),
    # A user belongs to one developer account ("the account I am linked to", seed 001).
    Index("uq_team_members_user_id", "user_id", unique=True),
)

games = Table(
    "games",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("developer_id", ForeignKey("developer_accounts.id"), nullable=False, index=True),
    Column("title", String(255), nullable=False),
    Column("product_type", String(16), nullable=False),
    Column("parent_game_id", ForeignKey("games.id"), nullable=True),
    Column("status", String(16), nullable=False),
    Column("created_by_user_id", UUID(as_uuid=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=True),
    Column("description", Text, nullable=True),
    # Game-level store attributes (games/, revision 0007).
    Column("age_rating", String(3), nullable=True),
    Column("regions", ARRAY(String(2)), nullable=False, server_default="{}"),
    Column("release_date", Date, nullable=True),
    # GET /games: the account's games newest first (keyset on created_at, id), by status too.
    Index("ix_games_developer_created", "developer_id", "created_at", "id"),
    Index("ix_games_developer_status_created", "developer_id", "status", "created_at", "id"),
    # Two products of one developer never share a title (case-insensitive).
    Index("uq_games_developer_title", "developer_id", func.lower(Column("title")), unique=True),
)

# Each further concern's tables live in their own module (on the same metadata); importing them
# here keeps this module the complete target of Alembic.
from parovoz_developer_portal.api_keys import repository as api_keys  # noqa: E402, F401
from parovoz_developer_portal.beta import repository as beta  # noqa: E402, F401
from parovoz_developer_portal.builds import repository as builds  # noqa: E402, F401
from parovoz_developer_portal.finance import tables as finance_tables  # noqa: E402, F401
from parovoz_developer_portal.games import repository as games_repository  # noqa: E402, F401
from parovoz_developer_portal.media import repository as media  # noqa: E402, F401
from parovoz_developer_portal.notifications import repository as notifications  # noqa: E402, F401
from parovoz_developer_portal.pricing import repository as pricing  # noqa: E402, F401
from parovoz_developer_portal.releases import repository as releases  # noqa: E402, F401
from parovoz_developer_portal.review import repository as review  # noqa: E402, F401
from parovoz_developer_portal.team import repository as team  # noqa: E402, F401
