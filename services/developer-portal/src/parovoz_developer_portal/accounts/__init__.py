"""Developer accounts: legal forms, status, who registered them."""
