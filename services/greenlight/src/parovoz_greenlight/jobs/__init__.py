"""Leased periodic work."""
