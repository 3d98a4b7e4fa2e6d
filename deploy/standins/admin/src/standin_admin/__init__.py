"""STAND-IN for the external admin service."""
