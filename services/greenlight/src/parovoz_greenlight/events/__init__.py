"""Event handlers (consumers) and the events this service emits."""
