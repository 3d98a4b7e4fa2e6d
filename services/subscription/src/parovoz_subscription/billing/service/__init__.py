"""Billing use cases: payments (first payment, card binding, refunds), renewals and
dunning, plan changes."""
