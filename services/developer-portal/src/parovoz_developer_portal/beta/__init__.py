"""Beta tests: closed tests per game and version with invite codes, a participant cap, join and
leave, feedback, participants and an end date (seed 000 "Testing Management")."""
