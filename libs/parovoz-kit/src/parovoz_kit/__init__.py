"""Thin shared plumbing for Parovoz services."""
