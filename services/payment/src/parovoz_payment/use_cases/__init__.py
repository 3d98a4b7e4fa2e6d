"""Use cases that span several repositories in one transaction (create a payment, settle it
from a provider's confirmed status). The rules they apply live in ``domain/`` (pure); this
layer only orchestrates storage, the provider port and the outbox."""
