"""Tables of the greenlight database (Alembic's target metadata)."""

from parovoz_kit.db import new_metadata

metadata = new_metadata()
