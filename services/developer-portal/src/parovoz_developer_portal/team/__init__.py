"""Team members and their roles."""
