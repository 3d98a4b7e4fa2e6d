"""Notifications: an inbox per developer account built from the events that concern it, read
and unread, and a Server-Sent Events stream (seed 001 §3.3)."""
