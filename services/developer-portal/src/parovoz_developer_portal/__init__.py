"""Parovoz developer-portal service."""
