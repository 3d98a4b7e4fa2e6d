"""Tables of the greenlight database (Alembic's target metadata)."""

from parovoz_kit.db import add_kit_tables, new_metadata

metadata = new_metadata()
add_kit_tables(metadata)
