"""Parovoz greenlight service."""
