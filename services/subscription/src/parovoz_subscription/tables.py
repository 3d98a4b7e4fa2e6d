"""Tables of the subscription database (Alembic's target metadata): the kit's, then each
context's, defined in its own ``repository.py`` (or ``read_models.py``) on this metadata."""

from parovoz_kit.db import add_kit_tables, new_metadata

metadata = new_metadata()
add_kit_tables(metadata)

# Importing each context's tables here keeps this module the complete target of Alembic.
from parovoz_subscription.access import read_models as access_read_models  # noqa: E402, F401
from parovoz_subscription.access import repository as access  # noqa: E402, F401
from parovoz_subscription.billing import renewals_repository as billing_renewals  # noqa: E402, F401
from parovoz_subscription.billing import repository as billing  # noqa: E402, F401
from parovoz_subscription.licenses import repository as licenses  # noqa: E402, F401
from parovoz_subscription.plans import repository as plans  # noqa: E402, F401
from parovoz_subscription.subscriptions import repository as subscriptions  # noqa: E402, F401
from parovoz_subscription.trials import repository as trials  # noqa: E402, F401
