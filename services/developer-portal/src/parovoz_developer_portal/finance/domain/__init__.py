"""Entities, value objects, state machines and rules: plain Python, no I/O, no framework."""
