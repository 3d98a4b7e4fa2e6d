"""Integrity: the manipulation rules (rate limit, burst, lockstep) that flag votes in the audit,
manipulation reports, penalties and their events."""
