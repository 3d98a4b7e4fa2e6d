"""Parovoz payment service."""
