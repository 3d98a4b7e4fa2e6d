"""Ledger tables (double-entry accounts, transactions, entries)."""
