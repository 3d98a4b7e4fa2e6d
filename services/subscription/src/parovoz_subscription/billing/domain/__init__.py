"""Billing domain: charges, periods and anchors, proration (plain Python)."""
