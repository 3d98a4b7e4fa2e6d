"""REST plumbing shared by the services: app factory, probes, metrics, docs, errors."""

from parovoz_kit.http.app import create_app

__all__ = ["create_app"]
