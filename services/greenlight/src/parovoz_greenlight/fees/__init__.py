"""Fees: the submission fee paid through payment (CreatePayment), settled by payment's events,
refunded on an early withdrawal (Refund)."""
