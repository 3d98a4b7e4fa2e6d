"""Parovoz subscription service."""
