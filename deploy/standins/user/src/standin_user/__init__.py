"""STAND-IN for the external user service."""
