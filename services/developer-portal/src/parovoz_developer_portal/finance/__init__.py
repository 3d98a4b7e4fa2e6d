"""Payout methods and bank details, payouts and their schedule, balances, sales."""
