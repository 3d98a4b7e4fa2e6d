"""Event data schemas of the Parovoz event catalogue (filled by the events issue)."""
