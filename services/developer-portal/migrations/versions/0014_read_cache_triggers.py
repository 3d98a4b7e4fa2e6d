"""Triggers that tell the in-process read cache (parovoz_kit.read_cache) what changed: every
change of games, game_metadata and team_members NOTIFYs `developer_portal_reads` with the
developer account's id (the scope of the cached reads), TRUNCATE with '*' (everything).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("games", "game_metadata", "team_members")


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION developer_portal_read_changed() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN
                PERFORM pg_notify('developer_portal_reads', coalesce(OLD.developer_id::text, '*'));
            END IF;
            IF TG_OP <> 'DELETE' THEN
                PERFORM pg_notify('developer_portal_reads', coalesce(NEW.developer_id::text, '*'));
            END IF;
            RETURN NULL;
        END $$;

        CREATE FUNCTION developer_portal_metadata_changed() RETURNS trigger
        LANGUAGE plpgsql AS $$
        DECLARE
            scope text;
        BEGIN
            IF TG_OP = 'DELETE' THEN
                SELECT developer_id::text INTO scope FROM games WHERE id = OLD.game_id;
            ELSE
                SELECT developer_id::text INTO scope FROM games WHERE id = NEW.game_id;
            END IF;
            PERFORM pg_notify('developer_portal_reads', coalesce(scope, '*'));
            RETURN NULL;
        END $$;

        CREATE FUNCTION developer_portal_reads_truncated() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('developer_portal_reads', '*');
            RETURN NULL;
        END $$;
        """
    )
    for table in TABLES:
        function = (
            "developer_portal_metadata_changed"
            if table == "game_metadata"
            else "developer_portal_read_changed"
        )
        op.execute(
            f"CREATE TRIGGER read_cache_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()"
        )
        op.execute(
            f"CREATE TRIGGER read_cache_{table}_truncate AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION developer_portal_reads_truncated()"
        )


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS read_cache_{table} ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS read_cache_{table}_truncate ON {table}")
    op.execute("DROP FUNCTION IF EXISTS developer_portal_read_changed()")
    op.execute("DROP FUNCTION IF EXISTS developer_portal_metadata_changed()")
    op.execute("DROP FUNCTION IF EXISTS developer_portal_reads_truncated()")
