"""Access: entitlements, devices and CheckAccess (the hot path), over the read models of games
(developer-portal's events) and users (the user service)."""
