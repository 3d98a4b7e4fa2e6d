"""Voting: voter eligibility, votes and their category scores, receipts, live results."""
