"""Plumbing shared by the stand-ins: server label, JSON errors, the uvicorn runner."""
