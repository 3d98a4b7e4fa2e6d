"""STAND-IN for the payment providers (YooKassa API v3 and T-Bank acquiring v2)."""
