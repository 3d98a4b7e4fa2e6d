"""STAND-IN for the external auth service."""
