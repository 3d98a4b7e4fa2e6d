"""REST routers and request/response schemas (thin: translate and delegate)."""
