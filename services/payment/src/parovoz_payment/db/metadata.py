"""The payment database's metadata: the kit's tables plus every table module's."""

from parovoz_kit.db import add_kit_tables, new_metadata

metadata = new_metadata()
add_kit_tables(metadata)
