"""Shared test support for Parovoz (ARCHITECTURE.md, "Repository layout"): tokens, where the
running platform listens, and helpers that make state through a service's public surface. It
imports no service's package, so a service's tests that use it import no other service."""
