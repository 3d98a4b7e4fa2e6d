"""Tables of the greenlight database (Alembic's target metadata): the kit's, then each
context's, defined in its own ``repository.py`` on this metadata."""

from parovoz_kit.db import add_kit_tables, new_metadata

metadata = new_metadata()
add_kit_tables(metadata)

# Importing each context's tables here keeps this module the complete target of Alembic.
from parovoz_greenlight.appeals import repository as appeals  # noqa: E402, F401
from parovoz_greenlight.fees import repository as fees  # noqa: E402, F401
from parovoz_greenlight.integrity import reports_repository as integrity_reports  # noqa: E402, F401
from parovoz_greenlight.integrity import repository as integrity  # noqa: E402, F401
from parovoz_greenlight.moderation import repository as moderation  # noqa: E402, F401
from parovoz_greenlight.results import repository as results  # noqa: E402, F401
from parovoz_greenlight.submissions import repository as submissions  # noqa: E402, F401
from parovoz_greenlight.support import repository as support  # noqa: E402, F401
from parovoz_greenlight.voting import repository as voting  # noqa: E402, F401
