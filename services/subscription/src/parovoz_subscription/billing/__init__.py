"""Billing: periods and anchors, charges (first payment, renewals, upgrades) through payment,
dunning, proration and its preview, refunds."""
