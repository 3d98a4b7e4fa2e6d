"""Support: tickets from developers (type, priority, messages, status) answered by staff with
the ``support`` role (seed 002 "Developer Support Manager")."""
