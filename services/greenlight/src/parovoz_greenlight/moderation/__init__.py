"""Moderation: curators and their statuses, moderation actions (append-only audit log), expert
reviews."""
